"""The check catalog: metadata as data, validated when it loads.

Each `srm_nb/checks/<service>.py` holds check functions; the YAML file of the same stem holds
their metadata, keyed by check id. The id must equal the function's name and follow
`<service>_<resource>_<practice>`. A check marked `manual: true` has no function: it always yields
a MANUAL finding with its `manual_reason`.

Compliance mappings are data too. The CIS AWS Foundations benchmarks live in
`srm_nb/checks/frameworks/cis_aws_<version>.yaml`, one file per benchmark version, listing every
control and the check ids that cover it; a check's `cis_ids` ("7.0:2.5 5.0:1.4") are derived from
those files, never written in the check YAML. FSBP control ids (`IAM.9`) are listed per check in
its YAML under `fsbp`.

What fails the load (CatalogError, every problem listed): malformed metadata, a check id defined
twice, metadata without its function, a malformed framework file. What is a test instead
(`orphan_functions()`, `catalog_lint()`, `framework_problems()`, asserted by tests/test_catalog.py
and tests/test_frameworks.py): a check function without metadata, a framework control naming a
check that does not exist, an automated control nothing covers, and style rules, so the catalog
keeps loading for everyone while checks are being written.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml

from ..errors import CatalogError
from ..vocabulary import DOMAINS, EFFORTS, SEVERITIES

CATALOG_VERSION = "2026.11"

PACKAGE_DIR = Path(__file__).parent
FRAMEWORK_DIR = PACKAGE_DIR / "frameworks"
# Modules of this package that hold machinery, not checks.
NOT_CHECK_MODULES = frozenset({"base", "catalog", "runner", "policy", "docs", "filter_patterns", "trails"})

_ID = re.compile(r"^[a-z0-9]+(_[a-z0-9]+){2,}$")
_FSBP = re.compile(r"^[A-Za-z][A-Za-z0-9]*\.\d+$")  # e.g. IAM.9, EC2.19, CloudTrail.1
_URL = re.compile(r"^https?://\S+$")
_RESOURCE_TYPE = re.compile(r"^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$")  # CloudFormation style
_CONTROL_ID = re.compile(r"^\d+(\.\d+)*$")
_VERSION = re.compile(r"^\d+\.\d+$")
ASSESSMENTS = ("automated", "manual")

REQUIRED = ("title", "domain", "service", "severity", "resource_type", "rationale", "remediation")
OPTIONAL = ("references", "fsbp", "manual", "manual_reason", "not_applicable", "effort", "risk",
            "severity_rationale")
CONTROL_FIELDS = ("id", "title", "level", "assessment", "checks", "manual_reason", "note")


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    domain: str
    service: str
    severity: str
    resource_type: str
    rationale: str
    remediation_console: str
    remediation_cli: str
    references: tuple[str, ...] = ()
    cis_ids: tuple[str, ...] = ()
    fsbp_ids: tuple[str, ...] = ()
    manual: bool = False
    manual_reason: str = ""
    not_applicable: str = ""  # detail when the account has nothing this check applies to
    effort: str = "medium"  # low / medium / high: orders the remediation plan
    source: str = ""  # the YAML file that defines it
    func: Callable | None = field(default=None, compare=False, repr=False)

    @property
    def remediation(self) -> str:
        return f"{self.remediation_console} CLI: {self.remediation_cli}".strip()


@dataclass(frozen=True)
class Control:
    """One recommendation of a benchmark version, and what covers it."""

    framework: str  # "cis"
    version: str  # "7.0"
    id: str  # "2.5"
    title: str
    section: str
    level: int | None
    assessment: str  # as the benchmark classifies it: automated / manual
    checks: tuple[str, ...]
    manual_reason: str = ""
    note: str = ""

    @property
    def qualified_id(self) -> str:
        """Unambiguous across versions: CIS renumbers between versions."""
        return f"{self.version}:{self.id}"


@dataclass(frozen=True)
class Framework:
    key: str  # "cis-7.0": what `srm checks --framework` accepts
    framework: str
    version: str
    title: str
    source: str
    controls: tuple[Control, ...]


# -- YAML --------------------------------------------------------------------------------------


class _StrictLoader(yaml.SafeLoader):
    """safe_load silently keeps the last of two equal keys; a repeated check id is a mistake."""


def _no_duplicate_keys(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise CatalogError(f"{Path(node.start_mark.name).name} line {key_node.start_mark.line + 1}: "
                               f"{key!r} appears twice")
        seen.add(key)
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicate_keys)


def _read_yaml(path: Path):
    try:
        with open(path, encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path.name} is not valid YAML: {exc}") from exc


# -- frameworks --------------------------------------------------------------------------------


def _control_key(control_id: str) -> tuple[int, ...]:
    return tuple(int(p) for p in control_id.split("."))


def _section(sections: dict, control_id: str) -> str:
    """The most specific section heading a control falls under ("3.1" before "3")."""
    parts = control_id.split(".")
    names = []
    for n in range(1, len(parts)):
        name = sections.get(".".join(parts[:n]))
        if name:
            names.append(name)
    return " / ".join(names)


def _load_framework(path: Path) -> tuple[Framework | None, list[str]]:
    src = path.name
    doc = _read_yaml(path)
    if not isinstance(doc, dict):
        return None, [f"{src}: expected a mapping with framework, version, title, controls"]
    problems = []
    fw, version, title = doc.get("framework"), str(doc.get("version", "")), doc.get("title")
    if fw != "cis":
        problems.append(f"{src}: framework must be 'cis' (got {fw!r})")
    if not _VERSION.match(version):
        problems.append(f"{src}: version must look like '7.0' (got {version!r}; quote it in YAML)")
    if not title:
        problems.append(f"{src}: missing title")
    sections = {str(k): str(v) for k, v in (doc.get("sections") or {}).items()}
    raw = doc.get("controls")
    if not isinstance(raw, list) or not raw:
        return None, problems + [f"{src}: `controls` must be a non-empty list"]
    controls, seen = [], set()
    for i, c in enumerate(raw):
        where = f"{src} control #{i + 1}"
        if not isinstance(c, dict):
            problems.append(f"{where}: expected a mapping")
            continue
        cid = str(c.get("id", ""))
        where = f"{src} control {cid or '#' + str(i + 1)}"
        if not _CONTROL_ID.match(cid):
            problems.append(f"{where}: id must look like '2.1.4' (quote it in YAML)")
            continue
        if cid in seen:
            problems.append(f"{where}: listed twice")
        seen.add(cid)
        unknown = set(c) - set(CONTROL_FIELDS)
        if unknown:
            problems.append(f"{where}: unknown field(s) {sorted(unknown)}")
        if not c.get("title"):
            problems.append(f"{where}: missing title")
        if c.get("level") not in (1, 2, None):
            problems.append(f"{where}: level must be 1 or 2")
        if c.get("assessment") not in ASSESSMENTS:
            problems.append(f"{where}: assessment must be 'automated' or 'manual', as the benchmark says")
        checks = c.get("checks") or []
        if not isinstance(checks, list) or not all(isinstance(x, str) and _ID.match(x) for x in checks):
            problems.append(f"{where}: checks must be a list of check ids")
            checks = []
        if c.get("assessment") == "manual" and not checks and not c.get("manual_reason"):
            problems.append(f"{where}: a manual control that no check covers needs manual_reason")
        controls.append(Control(
            framework="cis", version=version, id=cid, title=" ".join(str(c.get("title", "")).split()),
            section=_section(sections, cid), level=c.get("level"),
            assessment=str(c.get("assessment", "")), checks=tuple(dict.fromkeys(checks)),
            manual_reason=" ".join(str(c.get("manual_reason") or "").split()),
            note=" ".join(str(c.get("note") or "").split()),
        ))
    controls.sort(key=lambda c: _control_key(c.id))
    return Framework(key=f"cis-{version}", framework="cis", version=version, title=str(title or ""),
                     source=src, controls=tuple(controls)), problems


@lru_cache(maxsize=1)
def load_frameworks() -> dict[str, Framework]:
    """Every benchmark version in frameworks/, newest first, keyed "cis-7.0". Structural problems
    raise CatalogError; coverage problems are reported by `framework_problems()`."""
    frameworks, problems = {}, []
    for path in sorted(FRAMEWORK_DIR.glob("*.yaml")):
        fw, errs = _load_framework(path)
        problems += errs
        if fw is not None:
            if fw.key in frameworks:
                problems.append(f"{path.name}: {fw.key} is already defined by {frameworks[fw.key].source}")
            frameworks[fw.key] = fw
    if problems:
        raise CatalogError("framework files are invalid:\n  " + "\n  ".join(problems))
    return dict(sorted(frameworks.items(), key=lambda kv: _control_key(kv[1].version), reverse=True))


def _cis_ids_by_check(frameworks: dict[str, Framework]) -> dict[str, tuple[str, ...]]:
    """check id -> ("7.0:2.8", "7.0:2.9", "5.0:1.7", ...): newest version first, control order."""
    out: dict[str, list[str]] = {}
    for fw in frameworks.values():  # already newest first
        for control in fw.controls:
            for cid in control.checks:
                out.setdefault(cid, []).append(control.qualified_id)
    return {k: tuple(v) for k, v in out.items()}


# -- checks ------------------------------------------------------------------------------------


def _validate(cid: str, meta, source: str) -> list[str]:
    if not isinstance(meta, dict):
        return [f"{cid}: metadata in {source} must be a mapping of fields"]
    problems = []
    if not _ID.match(cid):
        problems.append(f"{cid}: id must look like <service>_<resource>_<practice> (lowercase, digits, _)")
    for key in REQUIRED:
        if not meta.get(key):
            problems.append(f"{cid}: missing {key}")
    if meta.get("domain") and meta["domain"] not in DOMAINS:
        problems.append(f"{cid}: unknown domain {meta['domain']!r} (one of {', '.join(DOMAINS)})")
    if meta.get("severity") and meta["severity"] not in SEVERITIES:
        problems.append(f"{cid}: unknown severity {meta['severity']!r} (one of {', '.join(SEVERITIES)})")
    for key in ("title", "service", "resource_type", "rationale"):
        if meta.get(key) is not None and not isinstance(meta[key], str):
            problems.append(f"{cid}: {key} must be text")
    rem = meta.get("remediation") or {}
    if not isinstance(rem, dict) or not rem.get("console") or not rem.get("cli"):
        problems.append(f"{cid}: remediation needs `console` steps and a `cli` command")
    refs = meta.get("references", [])
    if refs is not None and not isinstance(refs, list):
        problems.append(f"{cid}: references must be a list of URLs")
    else:
        for r in refs or []:
            if not isinstance(r, str) or not _URL.match(r):
                problems.append(f"{cid}: reference {r!r} is not an http(s) URL")
    fsbp = meta.get("fsbp", [])
    if fsbp is not None and not isinstance(fsbp, list):
        problems.append(f"{cid}: fsbp must be a list of control ids like [IAM.9]")
    else:
        for f in fsbp or []:
            if not _FSBP.match(str(f)):
                problems.append(f"{cid}: FSBP id {f!r} must look like 'IAM.9'")
    if "cis" in meta:
        problems.append(f"{cid}: `cis` is not a check field: CIS controls map to checks in "
                        "srm_nb/checks/frameworks/cis_aws_<version>.yaml (list the check id there)")
    if not isinstance(meta.get("manual", False), bool):
        problems.append(f"{cid}: manual must be true or false")
    if meta.get("manual") and not meta.get("manual_reason"):
        problems.append(f"{cid}: a manual check needs manual_reason")
    if meta.get("effort", "medium") not in EFFORTS:
        problems.append(f"{cid}: effort must be low, medium or high")
    unknown = set(meta) - {*REQUIRED, *OPTIONAL, "cis"}
    if unknown:
        problems.append(f"{cid}: unknown field(s) {sorted(unknown)} in {source}")
    return problems


def _one_argument(func) -> bool:
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return False
    return len(params) == 1 and params[0].kind in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD)


def _public_functions(module) -> set[str]:
    return {n for n, v in vars(module).items()
            if inspect.isfunction(v) and v.__module__ == module.__name__ and not n.startswith("_")}


def _check_modules():
    for info in sorted(pkgutil.iter_modules([str(PACKAGE_DIR)]), key=lambda i: i.name):
        if info.ispkg or info.name in NOT_CHECK_MODULES or info.name.startswith("_"):
            continue
        yield info.name


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, Check]:
    """Every check, validated, with its CIS ids derived from the framework files.
    Raises CatalogError listing every problem found."""
    cis_ids = _cis_ids_by_check(load_frameworks())
    checks: dict[str, Check] = {}
    problems: list[str] = []
    for name in _check_modules():
        meta_file = PACKAGE_DIR / f"{name}.yaml"
        try:
            module = importlib.import_module(f"{__package__}.{name}")
        except Exception as exc:  # a broken check module is named, not a bare traceback
            problems.append(f"{name}.py cannot be imported: {type(exc).__name__}: {exc}")
            continue
        if not meta_file.exists():
            if any(f.startswith(f"{name}_") and _ID.match(f) for f in _public_functions(module)):
                problems.append(f"{name}.py defines checks but has no {meta_file.name}")
            continue  # a helper module of the checks
        metas = _read_yaml(meta_file) or {}
        if not isinstance(metas, dict):
            problems.append(f"{meta_file.name}: expected a mapping of check id -> metadata")
            continue
        for cid, meta in metas.items():
            cid = str(cid)
            problems += _validate(cid, meta, meta_file.name)
            if not isinstance(meta, dict):
                continue
            func = getattr(module, cid, None)
            if meta.get("manual"):
                if func is not None:
                    problems.append(f"{cid}: manual checks have no function (remove it or `manual`)")
            elif func is None:
                problems.append(f"{cid}: no function named {cid} in {name}.py")
            elif not callable(func) or not _one_argument(func):
                problems.append(f"{cid}: must be a function of one argument, the snapshot")
            if cid in checks:
                problems.append(f"{cid}: defined twice ({checks[cid].source} and {meta_file.name})")
            rem = meta.get("remediation") if isinstance(meta.get("remediation"), dict) else {}
            checks[cid] = Check(
                id=cid,
                title=" ".join(str(meta.get("title", "")).split()),
                domain=str(meta.get("domain", "")),
                service=str(meta.get("service", "")),
                severity=str(meta.get("severity", "")),
                resource_type=str(meta.get("resource_type", "")),
                rationale=" ".join(str(meta.get("rationale", "")).split()),
                remediation_console=" ".join(str(rem.get("console", "")).split()),
                remediation_cli=str(rem.get("cli", "")).strip(),
                references=tuple(str(r) for r in meta.get("references") or []),
                cis_ids=cis_ids.get(cid, ()),
                fsbp_ids=tuple(str(f) for f in meta.get("fsbp") or []),
                manual=bool(meta.get("manual", False)),
                manual_reason=" ".join(str(meta.get("manual_reason", "")).split()),
                not_applicable=" ".join(str(meta.get("not_applicable", "")).split()),
                effort=str(meta.get("effort", "medium")),
                source=meta_file.name,
                func=None if meta.get("manual") else func,
            )
    if problems:
        raise CatalogError("check catalog is invalid:\n  " + "\n  ".join(problems))
    return dict(sorted(checks.items()))


# -- checks that are a test, not a load failure -----------------------------------------------


def orphan_functions() -> list[str]:
    """Public functions named like checks (after the module or a service of its YAML) that have
    no metadata, so they never run. Not a load failure: a function written a moment before its
    YAML is simply not in the catalog yet."""
    load_catalog()  # the modules import and their YAML is valid, or this raises CatalogError
    found = []
    for name in _check_modules():
        meta_file = PACKAGE_DIR / f"{name}.yaml"
        if not meta_file.exists():
            continue
        metas = _read_yaml(meta_file) or {}
        prefixes = {name} | {str(m.get("service")) for m in metas.values() if isinstance(m, dict)}
        module = importlib.import_module(f"{__package__}.{name}")
        found += [f"{f}: function in {name}.py has no metadata in {meta_file.name}"
                  for f in _public_functions(module) - set(map(str, metas))
                  if _ID.match(f) and any(f.startswith(p + "_") for p in prefixes)]
    return sorted(found)


def framework_problems() -> dict[str, list[str]]:
    """Coverage problems of the framework files against the loaded catalog:
    {"unknown_checks": [...], "uncovered_automated": [...]}, each a readable line."""
    catalog = load_catalog()
    unknown, uncovered = [], []
    for fw in load_frameworks().values():
        for c in fw.controls:
            for cid in c.checks:
                if cid not in catalog:
                    unknown.append(f"{fw.source} {c.id}: no check named {cid}")
            if c.assessment == "automated" and not c.checks and not c.manual_reason:
                uncovered.append(f"{c.qualified_id} {c.title}")
    return {"unknown_checks": unknown, "uncovered_automated": uncovered}


def catalog_lint() -> list[str]:
    """Style rules kept out of the load so a check in progress does not stop everyone's catalog."""
    problems = []
    for c in load_catalog().values():
        if not c.id.startswith(f"{c.service}_"):
            problems.append(f"{c.id}: id should start with its service ({c.service}_)")
        if not _RESOURCE_TYPE.match(c.resource_type):
            problems.append(f"{c.id}: resource_type {c.resource_type!r} should look like AWS::Service::Type")
        if not c.references:
            problems.append(f"{c.id}: no references (link the AWS documentation)")
        if not c.title.strip() or c.title.strip().endswith("."):
            problems.append(f"{c.id}: title should be a short statement without a final period")
    return problems


# -- tables ------------------------------------------------------------------------------------

CATALOG_COLUMNS = (
    "check_id", "title", "domain", "service", "severity", "resource_type", "effort", "manual",
    "cis_ids", "fsbp_ids", "references", "rationale", "remediation",
)


def catalog_frame():
    """The catalog as a table, one check a row (for `srm checks` and the docs)."""
    import pandas as pd

    rows = [{
        "check_id": c.id, "title": c.title, "domain": c.domain, "service": c.service,
        "severity": c.severity, "resource_type": c.resource_type, "effort": c.effort,
        "manual": c.manual, "cis_ids": " ".join(c.cis_ids), "fsbp_ids": " ".join(c.fsbp_ids),
        "references": " ".join(c.references), "rationale": c.rationale, "remediation": c.remediation,
    } for c in load_catalog().values()]
    return pd.DataFrame(rows, columns=list(CATALOG_COLUMNS))


def controls_frame():
    """Every control of every framework version, one row each, with its coverage."""
    import pandas as pd

    catalog = load_catalog()
    rows = []
    for fw in load_frameworks().values():
        for c in fw.controls:
            known = [x for x in c.checks if x in catalog]
            rows.append({
                "framework": fw.key, "control": c.id, "qualified_id": c.qualified_id,
                "title": c.title, "section": c.section, "level": c.level,
                "assessment": c.assessment, "checks": " ".join(known),
                "coverage": "check" if known else ("manual" if c.manual_reason else "uncovered"),
                "manual_reason": c.manual_reason, "note": c.note,
            })
    return pd.DataFrame(rows)


# -- selection (for `srm checks`) ----------------------------------------------------------------


def framework_keys() -> list[str]:
    """What `--framework` accepts: cis (any version), cis-<version> per file, fsbp."""
    return ["cis", *load_frameworks(), "fsbp"]


def _normalize_framework(name: str) -> str:
    """'CIS-v7.0.0', 'cis7.0', 'cis-7' -> 'cis-7.0'; 'fsbp', 'FSBP' -> 'fsbp'."""
    key = name.strip().lower().replace("_", "-")
    m = re.fullmatch(r"cis-?v?(\d+)(?:\.(\d+))?(?:\.0)?", key)
    if m:
        return f"cis-{m.group(1)}.{m.group(2) or '0'}"
    return key


def select_checks(domain: str | None = None, service: str | None = None, severity: str | None = None,
                  framework: str | None = None):
    """The catalog table filtered like `srm checks`; a value nothing can match is a UsageError
    naming the accepted values (a typo must not look like an empty result)."""
    from ..errors import UsageError

    df = catalog_frame()
    for key, value, allowed in (("domain", domain, list(DOMAINS)), ("severity", severity, list(SEVERITIES)),
                                ("service", service, sorted(set(df["service"])))):
        if value is None:
            continue
        if value not in allowed:
            raise UsageError(f"unknown {key} {value!r}: use one of {', '.join(allowed)}")
        df = df[df[key] == value]
    if framework is not None:
        key = _normalize_framework(framework)
        if key not in framework_keys():
            raise UsageError(f"unknown framework {framework!r}: use one of {', '.join(framework_keys())}")
        if key == "fsbp":
            df = df[df["fsbp_ids"] != ""]
        elif key == "cis":
            df = df[df["cis_ids"] != ""]
        else:
            prefix = key.removeprefix("cis-") + ":"
            ids = df["cis_ids"].str.split()
            df = df[ids.map(lambda xs: any(x.startswith(prefix) for x in xs))]
    return df.reset_index(drop=True)
