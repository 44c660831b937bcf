"""Which accounts a fleet assesses: the engagement's accounts file, validated before any work
starts, and the filters (--include, --exclude, --tag, --ou) that apply to it and to an
Organization's accounts alike.

    client: Example Corp              # engagement details (as --engagement-file), for every report
    role: SrmAudit                    # defaults for every account: role, external_id, profile,
    regions: [us-east-1, eu-west-1]   #   regions, tags
    accounts:
      - account_id: "111122223333"    # 12 digits, required
        name: payments-prod
        role: [arn:aws:iam::999988887777:role/AuditHub, SrmAudit]   # a list is a role chain
        external_id: X1
        tags: ["env:prod", "ou:/Root/Workloads"]
      - account_id: "444455556666"
        profile: sandbox              # credentials of a named profile instead of a role

A role name expands to `arn:<partition>:iam::<account_id>:role/NAME`; in a chain only the last
role may be a name. The OU path of an account is its tag `ou:/Root/...` (`srm accounts` writes it).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..engagement import FIELDS as ENGAGEMENT_FIELDS
from ..engagement import load_engagement, read_yaml_file
from ..errors import UsageError

ACCOUNT_KEYS = ("account_id", "name", "role", "external_id", "profile", "regions", "tags")
DEFAULT_KEYS = ("role", "external_id", "profile", "regions", "tags")
OU_TAG = "ou"
_ACCOUNT_ID = re.compile(r"\d{12}")
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+")
ROLE_NAME = re.compile(r"[\w+=,.@-]+(/[\w+=,.@-]+)*")


@dataclass(frozen=True)
class AccountSpec:
    """One account of the fleet and how to reach it. The external id stays out of repr, of
    `public()` and so of every file and log: only the worker that assumes the role gets it."""

    account_id: str
    name: str = ""
    roles: tuple[str, ...] = ()  # role names or ARNs, a chain when more than one
    external_id: str | None = field(default=None, repr=False)
    profile: str | None = None
    regions: tuple[str, ...] = ()  # empty: the fleet's --regions
    tags: tuple[str, ...] = ()  # "key:value"
    # The Organization's calling account: assessed with the caller's own credentials when the
    # role cannot be assumed in it.
    caller_fallback: bool = False

    @property
    def ou(self) -> str:
        return self.tag(OU_TAG)

    def tag(self, key: str) -> str:
        for t in self.tags:
            k, _, v = t.partition(":")
            if k == key:
                return v
        return ""

    def role_arns(self, partition: str = "aws") -> list[str]:
        """The chain to assume, names expanded in this account."""
        return [r if r.startswith("arn:") else f"arn:{partition}:iam::{self.account_id}:role/{r}"
                for r in self.roles]

    def public(self) -> dict:
        """What may be written down: everything but the external id (only whether there is one)."""
        doc = asdict(self)
        doc["external_id"] = bool(self.external_id)
        doc["roles"], doc["regions"], doc["tags"] = list(self.roles), list(self.regions), list(self.tags)
        return doc

    def task(self) -> dict:
        """The worker's input: plain data (a Dask task and a spawned process both pickle it)."""
        return {**asdict(self), "roles": list(self.roles), "regions": list(self.regions),
                "tags": list(self.tags)}

    @classmethod
    def from_task(cls, doc: dict) -> "AccountSpec":
        return cls(**{**doc, "roles": tuple(doc.get("roles") or ()),
                      "regions": tuple(doc.get("regions") or ()), "tags": tuple(doc.get("tags") or ())})


@dataclass
class AccountsFile:
    accounts: list[AccountSpec]
    engagement: dict  # the file's engagement details (options override them)


def load_accounts_file(path: str | Path) -> AccountsFile:
    """Read and validate an accounts file; every mistake is a UsageError naming its line."""
    import yaml

    path = Path(path)
    text, doc = read_yaml_file(path, "the accounts file")
    root = yaml.compose(text, Loader=yaml.SafeLoader)  # the same text parsed: for line numbers
    if not isinstance(doc, dict) or not isinstance(doc.get("accounts"), list) or not doc["accounts"]:
        raise UsageError(f"{path}: expected a mapping with a non-empty `accounts:` list (see `srm fleet --help`)")
    lines = _Lines(root)

    def fail(where: tuple, message: str):
        raise UsageError(f"{path}, line {lines.of(where)}: {message}")

    allowed_top = {"accounts", *DEFAULT_KEYS, *ENGAGEMENT_FIELDS}
    for key in doc:
        if key not in allowed_top:
            fail((key,), f"unknown key {key!r} (known: {', '.join(sorted(allowed_top))})")
    engagement = {k: doc[k] for k in ENGAGEMENT_FIELDS if doc.get(k) is not None}
    try:
        load_engagement(None, **engagement)  # the same rules as --engagement-file
    except UsageError as exc:
        fail((next(iter(engagement)),), str(exc))
    defaults = {k: doc[k] for k in DEFAULT_KEYS if k in doc}
    accounts, seen = [], {}
    for i, entry in enumerate(doc["accounts"]):
        if not isinstance(entry, dict):
            fail(("accounts", i), "each account is a mapping with at least `account_id`")
        for key in entry:
            if key not in ACCOUNT_KEYS:
                fail(("accounts", i, key), f"unknown key {key!r} (known: {', '.join(ACCOUNT_KEYS)})")
        spec = _spec({**defaults, **entry}, lambda message, key=None: fail(
            ("accounts", i, key) if key in entry else ("accounts", i), message))
        if spec.account_id in seen:
            fail(("accounts", i), f"account {spec.account_id} is listed twice (also at line {seen[spec.account_id]})")
        seen[spec.account_id] = lines.of(("accounts", i))
        accounts.append(spec)
    return AccountsFile(accounts=accounts, engagement=engagement)


def _spec(entry: dict, fail) -> AccountSpec:
    raw_id = entry.get("account_id")
    account_id = str(raw_id) if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool) else ""
    if not _ACCOUNT_ID.fullmatch(account_id):
        fail(f"account_id {raw_id!r} is not 12 digits (quote ids that start with 0: \"012345678901\")",
             "account_id")
    roles = entry.get("role") or []
    roles = [roles] if isinstance(roles, str) else roles
    if not isinstance(roles, list) or not all(isinstance(r, str) and r for r in roles):
        fail("role is a role name, a role ARN, or a list of them (a role chain)", "role")
    for n, role in enumerate(roles):
        arn = _ROLE_ARN.fullmatch(role)
        last = n == len(roles) - 1
        if not arn and (not ROLE_NAME.fullmatch(role) or role.startswith("arn:")):
            fail(f"role {role!r} is neither a role name nor a role ARN (arn:aws:iam::111122223333:role/NAME)", "role")
        if not arn and not last:
            fail(f"role {role!r}: in a role chain every role but the last must be a full ARN", "role")
        if arn and last and arn.group(1) != account_id:
            fail(f"role {role} is in account {arn.group(1)}, not in {account_id}: the last role "
                 "of a chain must be in the account assessed", "role")
    for key in ("name", "external_id", "profile"):
        value = entry.get(key)
        if value is not None and not isinstance(value, (str, int)) or isinstance(value, bool):
            fail(f"{key} must be text", key)
    regions = entry.get("regions") or []
    regions = [r.strip() for r in regions.split(",")] if isinstance(regions, str) else regions
    if not isinstance(regions, list) or not all(isinstance(r, str) and r for r in regions):
        fail("regions is a list of region names (or 'all')", "regions")
    tags = entry.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) and ":" in t for t in tags):
        fail("tags is a list of \"key:value\" strings", "tags")
    text = lambda k: None if entry.get(k) is None else str(entry[k])  # noqa: E731
    return AccountSpec(account_id=account_id, name=text("name") or "", roles=tuple(roles),
                       external_id=text("external_id"), profile=text("profile"),
                       regions=tuple(r for r in regions if r != "all"), tags=tuple(tags))


class _Lines:
    """Line numbers of a composed YAML document, by path: ("accounts", 3, "role")."""

    def __init__(self, root):
        self.root = root

    def of(self, path: tuple) -> int:
        import yaml

        node = self.root
        line = node.start_mark.line + 1
        for step in path:
            if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
                node = node.value[step]
                line = node.start_mark.line + 1
            elif isinstance(node, yaml.MappingNode):
                pair = next(((k, v) for k, v in node.value if k.value == step), None)
                if pair is None:
                    break
                line, node = pair[0].start_mark.line + 1, pair[1]
            else:
                break
        return line


# -- filters and the file `srm accounts` writes ---------------------------------------------------

@dataclass(frozen=True)
class Filters:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # "key:value", all must match
    ou: str = ""  # that OU and below

    def keep(self, spec: AccountSpec) -> bool:
        if self.include and spec.account_id not in self.include:
            return False
        if spec.account_id in self.exclude:
            return False
        if not all(t in spec.tags for t in self.tags):
            return False
        if self.ou:
            ou = self.ou.rstrip("/")
            return spec.ou == ou or spec.ou.startswith(ou + "/")
        return True


def parse_filters(include: str = "", exclude: str = "", tags: list[str] | None = None,
                  ou: str = "") -> Filters:
    def ids(text: str, option: str) -> tuple[str, ...]:
        out = tuple(x.strip() for x in (text or "").split(",") if x.strip())
        bad = [x for x in out if not _ACCOUNT_ID.fullmatch(x)]
        if bad:
            raise UsageError(f"{option}: {', '.join(bad)} is not a 12-digit account id")
        return out

    for t in tags or []:
        if ":" not in t:
            raise UsageError(f"--tag {t!r}: expected key:value, e.g. --tag env:prod")
    if ou and not ou.startswith("/"):
        raise UsageError(f"--ou {ou!r}: expected an OU path such as /Root/Workloads")
    return Filters(include=ids(include, "--include"), exclude=ids(exclude, "--exclude"),
                   tags=tuple(tags or ()), ou=ou)


def accounts_yaml(specs: list[AccountSpec], role: str, header: str = "") -> str:
    """An accounts file for `specs` (what `srm accounts` prints), to review and edit before a run.
    The external id is never written: pass it to `srm fleet --external-id` (or add it yourself)."""
    import yaml

    doc: dict = {"role": role}
    doc["accounts"] = [{k: v for k, v in (("account_id", s.account_id), ("name", s.name),
                                          ("tags", list(s.tags))) if v} for s in specs]
    body = yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=120)
    return (header + "\n" if header else "") + body
