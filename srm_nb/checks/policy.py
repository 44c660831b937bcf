"""IAM and resource policy evaluation shared by the checks.

Public-ness is judged by Netflix's policyuniverse, which understands Principal in all its forms and
the condition keys that restrict a wildcard principal (source IP, VPC, VPC endpoint, organization,
account, ARN, user id...). We add what it does not do:

- normalization of odd but accepted forms (a single statement not in a list, a policy as JSON text,
  `Effect` in another case, non-string condition values), so one malformed document cannot crash a
  check or slip through;
- Deny statements: an unconditional Deny that covers what an Allow grants cancels it, and a Deny
  "unless in my organization / VPC / IP range" (a negated operator on a limiting key) restricts it;
- `NotPrincipal` with Allow (everyone except...) counts as public;
- a few limiting keys policyuniverse does not know (aws:SourceOrgID, aws:SourceOrgPaths). An
  sts:ExternalId condition does not limit a Principal "*" trust: an external id is not a secret
  (AWS Well-Architected SEC03-BP09), so anyone who learns it could assume the role;
- Action/NotAction and Resource/NotResource wildcard matching for admin-style grants.

Matching is case-insensitive for actions, as IAM is; resources are matched case-insensitively too,
which errs on the side of reporting a grant.
"""

from __future__ import annotations

import copy
import fnmatch
import json
import re
from typing import Any

from policyuniverse.statement import Statement as _PUStatement

from .base import as_list

# Condition keys policyuniverse does not treat as limiting, but which pin the caller down.
_EXTRA_LIMITING_KEYS = frozenset({"aws:sourceorgid", "aws:sourceorgpaths"})
# Keys that, in a Deny with a negated operator ("deny unless ..."), limit who the Allow reaches.
_LIMITING_KEYS = frozenset({
    "aws:sourceip", "aws:sourcevpc", "aws:sourcevpce", "aws:principalorgid", "aws:principalorgpaths",
    "aws:principalaccount", "aws:sourceaccount", "aws:sourcearn", "aws:sourceowner",
    "aws:principalarn", "aws:userid", "aws:sourceorgid", "aws:sourceorgpaths", "kms:calleraccount",
})
_NEGATED_OPERATOR = re.compile(
    r"^((ForAllValues|ForAnyValue):)?(StringNotEquals|StringNotLike|StringNotEqualsIgnoreCase|"
    r"ArnNotEquals|ArnNotLike|NotIpAddress)(IfExists)?$", re.IGNORECASE)
_POSITIVE_STRING_OPERATOR = re.compile(
    r"^((ForAllValues|ForAnyValue):)?(StringEquals|StringLike|StringEqualsIgnoreCase)(IfExists)?$",
    re.IGNORECASE)
_ACCOUNT_IN_ARN = re.compile(r"^arn:[^:]*:(?:iam|sts)::(\d{12}|\*):")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_UNREADABLE = "Unreadable"  # operator name given to a malformed Condition block
_NOT_FIXED = re.compile(r"[*?]|\$\{")  # a wildcard or a policy variable in a condition value


# -- normalization ---------------------------------------------------------------------------

def load_policy(doc: Any) -> dict:
    """A policy document as a dict: accepts a dict, JSON text, or None/empty (-> {})."""
    if doc is None or doc == "":
        return {}
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            from urllib.parse import unquote  # IAM returns URL-encoded documents in some APIs

            try:
                doc = json.loads(unquote(doc))
            except ValueError as exc:
                raise ValueError(f"policy document is not JSON: {doc[:80]!r}") from exc
    if not isinstance(doc, dict):
        raise ValueError(f"policy document must be a JSON object, got {type(doc).__name__}")
    return doc


def statements(doc: Any) -> list[dict]:
    """The policy's statements, normalized: always a list of dicts, Effect as 'Allow'/'Deny',
    condition values as lists of strings. Non-dict entries are dropped."""
    out = []
    for st in as_list(load_policy(doc).get("Statement")):
        if not isinstance(st, dict):
            continue
        st = copy.deepcopy(st)
        effect = str(st.get("Effect", "")).strip().lower()
        st["Effect"] = {"allow": "Allow", "deny": "Deny"}.get(effect, st.get("Effect"))
        cond = st.get("Condition")
        if cond:
            parsed = {
                op: {k: [str(v).lower() if isinstance(v, bool) else str(v) for v in as_list(val)]
                     for k, val in kv.items()}
                for op, kv in (cond.items() if isinstance(cond, dict) else ()) if isinstance(kv, dict)
            }
            # A condition we cannot read still makes the statement conditional: it must neither
            # limit a public Allow nor let a Deny cancel one.
            st["Condition"] = parsed or {_UNREADABLE: {}}
        out.append(st)
    return out


def _matches(patterns, value: str) -> bool:
    return any(fnmatch.fnmatchcase(str(value).lower(), str(p).lower()) for p in as_list(patterns))


def _principal_values(principal) -> list[str]:
    if principal is None:
        return []
    if isinstance(principal, dict):
        return [str(v) for vals in principal.values() for v in as_list(vals)]
    return [str(v) for v in as_list(principal)]


def _aws_principals(principal) -> list[str]:
    """The AWS (account/user/role) principals; a bare "*" counts as AWS "*"."""
    if principal is None:
        return []
    if isinstance(principal, dict):
        return [str(v) for v in as_list(principal.get("AWS"))]
    return [str(v) for v in as_list(principal)]


def _is_wildcard_principal(value: str) -> bool:
    m = _ACCOUNT_IN_ARN.match(value)
    return value.strip() == "*" or (m is not None and m.group(1) == "*")


# -- public-ness ---------------------------------------------------------------------------------

def _limited_by_condition(st: dict, fixed_values: bool = False) -> bool:
    """True when one condition key pins the caller down. Keys are ANDed, so one limiting key is
    enough; the values of one key are ORed, so each must limit (no "*", no 0.0.0.0/0, no o-*).
    policyuniverse judges the keys it knows; we add aws:SourceOrgID/Paths. With `fixed_values`, a
    value holding a wildcard or a policy variable limits nothing (how AWS Config judges SQS and SNS
    policies)."""
    for op, kv in (st.get("Condition") or {}).items():
        for key, values in kv.items():
            if not values:
                continue
            if fixed_values and any(_NOT_FIXED.search(v) for v in values):
                continue
            if key.lower() in _EXTRA_LIMITING_KEYS:
                if _POSITIVE_STRING_OPERATOR.match(op) and not any(v.strip() in ("", "*") for v in values):
                    return True
                continue
            single = _PUStatement({"Effect": "Allow", "Principal": "*", "Condition": {op: {key: values}}})
            try:
                if single.condition_entries and not single.is_condition_internet_accessible():
                    return True
            except Exception:  # an unparsable value limits nothing we can prove
                continue
    return False


def _statement_public(st: dict, fixed_values: bool = False) -> bool:
    if st.get("Effect") != "Allow":
        return False
    if "NotPrincipal" in st:  # "everyone except ...": public unless a condition limits it
        wildcard = True
    else:
        try:
            wildcard = bool(_PUStatement({**st, "Condition": {}}).is_internet_accessible())
        except Exception:  # an unparsable principal: judge the plain forms ourselves
            wildcard = any(_is_wildcard_principal(p) for p in _principal_values(st.get("Principal")))
    return wildcard and not _limited_by_condition(st, fixed_values)


def _deny_restricts(deny: dict, allow: dict) -> bool:
    """True when `deny` takes away (all or, for the "unless" form, the public part of) `allow`."""
    if deny.get("Effect") != "Deny":
        return False
    if "NotPrincipal" in deny:
        return False  # "deny everyone except X" leaves X: not a blanket cancel
    if "Principal" in deny and not any(_is_wildcard_principal(p)
                                       for p in _principal_values(deny.get("Principal"))):
        return False
    if not _covers_actions(deny, allow) or not _covers_resources(deny, allow):
        return False
    cond = deny.get("Condition") or {}
    if not cond:
        return True
    # "Deny unless aws:PrincipalOrgID = o-x": every condition must be a negated limiting key with
    # concrete values, so the Deny catches everyone outside that boundary.
    for op, kv in cond.items():
        if not _NEGATED_OPERATOR.match(op):
            return False
        for key, values in kv.items():
            if key.lower() not in _LIMITING_KEYS:
                return False
            if not values or any(v.strip() in ("", "*") or v.strip().endswith("/0") for v in values):
                return False
    return True


def _covers_actions(deny: dict, allow: dict) -> bool:
    if "NotAction" in deny:
        if "NotAction" in allow:
            return False
        return not any(_matches(deny["NotAction"], a) for a in as_list(allow.get("Action")))
    deny_actions = as_list(deny.get("Action"))
    if "NotAction" in allow:
        return _matches(deny_actions, "*") and any(str(a).strip() == "*" for a in deny_actions)
    # A deny pattern covers an allow pattern when it matches it taken literally ("s3:*" covers
    # "s3:Get*"); exact for the common forms.
    return all(_matches(deny_actions, a) for a in as_list(allow.get("Action"))) and bool(deny_actions)


def _covers_resources(deny: dict, allow: dict) -> bool:
    if "NotResource" in deny:
        return "NotResource" not in allow and not any(
            _matches(deny["NotResource"], r) for r in as_list(allow.get("Resource", "*")))
    deny_res = as_list(deny.get("Resource", "*"))
    if "NotResource" in allow:
        return any(str(r).strip() == "*" for r in deny_res)
    return all(_matches(deny_res, r) for r in as_list(allow.get("Resource", "*")))


def public_statements(doc: Any, *, fixed_values: bool = False) -> list[dict]:
    """The Allow statements that reach anyone, after Deny statements are taken into account.
    `fixed_values=True` lets only conditions without wildcards or policy variables limit.
    """
    sts = statements(doc)
    denies = [st for st in sts if st.get("Effect") == "Deny"]
    return [st for st in sts if _statement_public(st, fixed_values)
            and not any(_deny_restricts(d, st) for d in denies)]


def is_public_policy(doc: Any, *, fixed_values: bool = False) -> bool:
    """True when an Allow statement grants access to anyone, with no limiting condition and no
    Deny taking it back. An empty or missing document is not public; unreadable text raises.
    `fixed_values`: see `public_statements`."""
    if not doc:
        return False
    return bool(public_statements(doc, fixed_values=fixed_values))


_S3_ARN = re.compile(r"^arn:[^:]+:s3:::")


def denies_insecure_transport(doc: Any, bucket: str | None = None) -> bool:
    """True when one Deny statement refuses every S3 action to every principal over plain HTTP:
    `aws:SecureTransport` false (Bool), or `s3:TlsVersion` below 1.2 (NumericLessThan, the form
    CIS also accepts). With `bucket`, the statement must cover the bucket and its objects (FSBP
    S3.5); a Deny of one action, for one principal or on some objects only is not enough."""
    if not doc:
        return False
    for st in statements(doc):
        if st.get("Effect") != "Deny" or "NotAction" in st or "NotPrincipal" in st:
            continue
        if "*" not in [p.strip() for p in _aws_principals(st.get("Principal"))]:
            continue
        if not any(str(a).strip() in ("*", "s3:*") for a in as_list(st.get("Action"))):
            continue
        if bucket is not None:
            patterns = [_S3_ARN.sub("", str(r).strip()) for r in as_list(st.get("Resource"))]
            if not all(any(fnmatch.fnmatchcase(target, pat) for pat in patterns)
                       for target in (bucket, f"{bucket}/*")):
                continue
        if _refuses_plain_http(st.get("Condition") or {}):
            return True
    return False


def _refuses_plain_http(condition: dict) -> bool:
    for op, kv in condition.items():
        if not isinstance(kv, dict):
            continue
        for key, val in kv.items():
            values = [str(v).strip().lower() for v in as_list(val)]
            if op.lower() == "bool" and key.lower() == "aws:securetransport" and "false" in values:
                return True
            if op.lower() == "numericlessthan" and key.lower() == "s3:tlsversion":
                try:
                    if any(float(v) >= 1.2 for v in values):
                        return True
                except ValueError:
                    continue
    return False


# -- identity policies: what they grant ------------------------------------------------------------

def _is_star(values) -> bool:
    return any(str(v).strip() in ("*", "*:*") for v in as_list(values))


def grants_full_admin(doc: Any) -> bool:
    """True when the document allows every action on every resource ("Action": "*" or "*:*",
    "Resource": "*"), as CIS and FSBP IAM.1 define full administrative privileges.

    Conditions do not make it less of an admin grant (an MFA condition still leaves an admin); a
    Deny of everything does cancel it.
    """
    if not doc:
        return False
    sts = statements(doc)
    admin = [st for st in sts if st.get("Effect") == "Allow" and "NotAction" not in st
             and _is_star(st.get("Action")) and "NotResource" not in st and _is_star(st.get("Resource"))]
    if not admin:
        return False
    return not any(st.get("Effect") == "Deny" and not st.get("Condition") and "NotAction" not in st
                   and _is_star(st.get("Action")) and "NotResource" not in st
                   and _is_star(st.get("Resource")) for st in sts)


def service_wildcard_actions(doc: Any) -> list[str]:
    """Allowed "service:*" actions (FSBP IAM.21: customer managed policies should not allow
    wildcard actions for services). "*" alone is full admin, judged by grants_full_admin. An
    Allow with NotAction grants every action not listed, every other service's "*" included:
    it is reported as "NotAction <listed>"."""
    found = []
    for st in statements(doc):
        if st.get("Effect") != "Allow":
            continue
        if "NotAction" in st:
            found.append("NotAction " + ",".join(sorted(str(a) for a in as_list(st["NotAction"]))))
            continue
        for a in as_list(st.get("Action")):
            a = str(a).strip()
            if a.endswith(":*"):
                found.append(a)
    return sorted(set(found))


# -- role trust policies ---------------------------------------------------------------------------

def trusted_accounts(doc: Any) -> set[str]:
    """Accounts named by AWS principals of Allow statements ("123456789012", ARNs, account roots)."""
    accounts = set()
    for st in statements(doc):
        if st.get("Effect") != "Allow":
            continue
        for p in _aws_principals(st.get("Principal")):
            p = p.strip()
            if _ACCOUNT_ID.match(p):
                accounts.add(p)
            else:
                m = _ACCOUNT_IN_ARN.match(p)
                if m and m.group(1) != "*":
                    accounts.add(m.group(1))
    return accounts


def _has_condition_key(st: dict, key: str) -> bool:
    return any(k.lower() == key and values and not any(v.strip() in ("", "*") for v in values)
               for op, kv in (st.get("Condition") or {}).items() if _POSITIVE_STRING_OPERATOR.match(op)
               for k, values in kv.items())


_SOURCE_KEYS = ("aws:sourceaccount", "aws:sourcearn", "aws:sourceowner")
_POSITIVE_SOURCE_OPERATOR = re.compile(
    r"^((ForAllValues|ForAnyValue):)?(StringEquals|StringLike|StringEqualsIgnoreCase|ArnEquals|ArnLike)"
    r"(IfExists)?$", re.IGNORECASE)


def unscoped_service_principals(doc: Any) -> list[str]:
    """AWS service principals an Allow statement admits with no aws:SourceAccount, aws:SourceArn
    (or aws:SourceOwner) condition: that service may then act for any account's resource (a
    bucket anyone creates can trigger the function), the confused deputy FSBP Lambda.1 fails."""
    found = set()
    for st in statements(doc):
        if st.get("Effect") != "Allow" or not isinstance(st.get("Principal"), dict):
            continue
        services = [str(v) for v in as_list(st["Principal"].get("Service"))]
        if not services:
            continue
        scoped = any(k.lower() in _SOURCE_KEYS and any(str(v).strip() not in ("", "*") for v in as_list(values))
                     for op, kv in (st.get("Condition") or {}).items() if _POSITIVE_SOURCE_OPERATOR.match(op)
                     for k, values in (kv.items() if isinstance(kv, dict) else ()))
        if not scoped:
            found.update(services)
    return sorted(found)


def external_trusts_without_external_id(doc: Any, own_account: str) -> list[str]:
    """Accounts other than `own_account` that may assume the role with no sts:ExternalId (nor an
    organization condition) required: the confused-deputy exposure of third-party access."""
    exposed = set()
    for st in statements(doc):
        if st.get("Effect") != "Allow":
            continue
        if any(_has_condition_key(st, k) for k in ("sts:externalid", "aws:principalorgid",
                                                    "aws:principalorgpaths")):
            continue
        for acct in trusted_accounts({"Statement": [st]}):
            if acct != own_account:
                exposed.add(acct)
    return sorted(exposed)


# Web identity providers whose tokens anyone can obtain: a trust without a subject/audience
# condition lets any GitHub repository or Cognito identity assume the role.
_OPEN_IDENTITY_PROVIDERS = {
    "token.actions.githubusercontent.com": ("token.actions.githubusercontent.com:sub",),
    "cognito-identity.amazonaws.com": ("cognito-identity.amazonaws.com:aud",),
}


def trusts_everyone(doc: Any) -> bool:
    """True when anyone can assume the role: a wildcard AWS principal (or NotPrincipal) with no
    limiting condition (organization, account, ARN, source IP/VPC...; an sts:ExternalId is not one),
    or a web identity provider that anyone can get a token from, with no subject/audience
    condition."""
    if public_statements(doc):
        return True
    for st in statements(doc):
        if st.get("Effect") != "Allow" or not isinstance(st.get("Principal"), dict):
            continue
        for fed in as_list(st["Principal"].get("Federated")):
            fed = str(fed).lower()
            for provider, keys in _OPEN_IDENTITY_PROVIDERS.items():
                if fed.endswith(provider) and not any(_has_condition_key(st, k) for k in keys):
                    return True
    return False
