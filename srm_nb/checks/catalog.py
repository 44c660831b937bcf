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

Severity follows Security Hub: a check mapped to FSBP controls takes the highest severity
`srm_nb/data/fsbp_severities.yaml` gives them, unless its `severity_rationale` says why it
deliberately differs. Every check states its `risk`: what is wrong when it fails ("Root user has
no MFA"), the words the report uses wherever failures are listed.

What fails the load (CatalogError, every problem listed): malformed metadata, a check id defined
twice, metadata without its function, a malformed framework file, a severity that differs from
Security Hub's without a rationale (or a rationale where it does not differ). What is a test instead
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

from ..errors import CatalogError
from ..vocabulary import DOMAINS, EFFORTS, SEVERITIES
from .benchmarks import cis_ids_by_check, framework_keys, load_frameworks, normalize_framework, read_yaml
from .fsbp import CONTROL_ID, fsbp_severities, severity_problems

CATALOG_VERSION = "2026.11"

PACKAGE_DIR = Path(__file__).parent
# Modules of this package that hold machinery, not checks.
NOT_CHECK_MODULES = frozenset({"base", "benchmarks", "catalog", "runner", "policy", "docs",
                               "filter_patterns", "trails", "fsbp"})

_ID = re.compile(r"^[a-z0-9]+(_[a-z0-9]+){2,}$")
_URL = re.compile(r"^https?://\S+$")
_RESOURCE_TYPE = re.compile(r"^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$")  # CloudFormation style

REQUIRED = ("title", "risk", "domain", "service", "severity", "resource_type", "rationale", "remediation")
OPTIONAL = ("references", "fsbp", "manual", "manual_reason", "not_applicable", "effort",
            "severity_rationale", "scope_from")


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    risk: str  # what is wrong when the check fails, as failures are listed in the report
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
    severity_rationale: str = ""  # why the severity deliberately differs from Security Hub's
    # For a check about some resources of its type only (the CloudTrail log buckets): the tables
    # that say which. Its rows then name every resource in scope, and a resource it does not name
    # is out of scope, unless what decides the scope could not be read (checks/runner.py).
    scope_from: tuple[str, ...] = ()
    source: str = ""  # the YAML file that defines it
    func: Callable | None = field(default=None, compare=False, repr=False)

    @property
    def remediation(self) -> str:
        return f"{self.remediation_console} CLI: {self.remediation_cli}".strip()


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
    for key in ("title", "risk", "service", "resource_type", "rationale", "severity_rationale"):
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
            if not CONTROL_ID.match(str(f)):
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
    return _load(with_functions=True)


@lru_cache(maxsize=1)
def catalog_metadata() -> dict[str, Check]:
    """The catalog's metadata, validated, without the check functions (`func` is None): read
    from the YAML files alone, without importing the check modules (and pandas with them), for
    what only lists the catalog (`srm checks`). `load_catalog` also checks the functions."""
    return _load(with_functions=False)


def _load(with_functions: bool) -> dict[str, Check]:
    cis_ids = cis_ids_by_check(load_frameworks())
    checks: dict[str, Check] = {}
    problems: list[str] = []
    for name in _check_modules():
        meta_file = PACKAGE_DIR / f"{name}.yaml"
        module = None
        if with_functions:
            try:
                module = importlib.import_module(f"{__package__}.{name}")
            except Exception as exc:  # a broken check module is named, not a bare traceback
                problems.append(f"{name}.py cannot be imported: {type(exc).__name__}: {exc}")
                continue
        if not meta_file.exists():
            if module is not None and any(f.startswith(f"{name}_") and _ID.match(f)
                                          for f in _public_functions(module)):
                problems.append(f"{name}.py defines checks but has no {meta_file.name}")
            continue  # a helper module of the checks
        metas = read_yaml(meta_file) or {}
        if not isinstance(metas, dict):
            problems.append(f"{meta_file.name}: expected a mapping of check id -> metadata")
            continue
        for cid, meta in metas.items():
            cid = str(cid)
            problems += _validate(cid, meta, meta_file.name)
            if not isinstance(meta, dict):
                continue
            problems += severity_problems(cid, meta)
            func = getattr(module, cid, None) if module else None
            if module is None:
                pass  # the metadata alone: its functions are load_catalog's to check
            elif meta.get("manual"):
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
                risk=" ".join(str(meta.get("risk", "")).split()),
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
                severity_rationale=" ".join(str(meta.get("severity_rationale", "")).split()),
                scope_from=tuple(str(t) for t in meta.get("scope_from") or []),
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
        metas = read_yaml(meta_file) or {}
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
        if c.risk.endswith(".") or c.risk == c.title:
            problems.append(f"{c.id}: risk should state what is wrong, not the title, without a final period")
        missing = [f for f in c.fsbp_ids if f not in fsbp_severities()]
        if missing:
            problems.append(f"{c.id}: FSBP control(s) {', '.join(missing)} missing from data/fsbp_severities.yaml")
    return problems


# -- tables ------------------------------------------------------------------------------------

CATALOG_COLUMNS = (
    "check_id", "title", "risk", "domain", "service", "severity", "resource_type", "effort", "manual",
    "cis_ids", "fsbp_ids", "references", "rationale", "remediation", "severity_rationale",
)


def catalog_rows(checks=None) -> list[dict]:
    """The catalog as rows of CATALOG_COLUMNS, one check a row (`checks`: default every one)."""
    return [{
        "check_id": c.id, "title": c.title, "risk": c.risk, "domain": c.domain, "service": c.service,
        "severity": c.severity, "resource_type": c.resource_type, "effort": c.effort,
        "manual": c.manual, "cis_ids": " ".join(c.cis_ids), "fsbp_ids": " ".join(c.fsbp_ids),
        "references": " ".join(c.references), "rationale": c.rationale, "remediation": c.remediation,
        "severity_rationale": c.severity_rationale,
    } for c in (load_catalog().values() if checks is None else checks)]


def catalog_frame():
    """The catalog as a table, one check a row (for `srm checks` and the docs)."""
    import pandas as pd

    return pd.DataFrame(catalog_rows(), columns=list(CATALOG_COLUMNS))


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

def select_checks(domain: str | None = None, service: str | None = None, severity: str | None = None,
                  framework: str | None = None):
    """The catalog table filtered like `srm checks`; a value nothing can match is a UsageError
    naming the accepted values (a typo must not look like an empty result)."""
    import pandas as pd

    rows = select_rows(load_catalog().values(), domain=domain, service=service, severity=severity,
                       framework=framework)
    return pd.DataFrame(rows, columns=list(CATALOG_COLUMNS))


def select_rows(checks, domain: str | None = None, service: str | None = None, severity: str | None = None,
                framework: str | None = None) -> list[dict]:
    """`select_checks` as rows (catalog_rows) of `checks`, without pandas: `srm checks`."""
    from ..errors import UsageError

    rows = catalog_rows(checks)
    for key, value, allowed in (("domain", domain, list(DOMAINS)), ("severity", severity, list(SEVERITIES)),
                                ("service", service, sorted({r["service"] for r in rows}))):
        if value is None:
            continue
        if value not in allowed:
            raise UsageError(f"unknown {key} {value!r}: use one of {', '.join(allowed)}")
        rows = [r for r in rows if r[key] == value]
    if framework is not None:
        key = normalize_framework(framework)
        if key not in framework_keys():
            raise UsageError(f"unknown framework {framework!r}: use one of {', '.join(framework_keys())}")
        if key == "fsbp":
            rows = [r for r in rows if r["fsbp_ids"] != ""]
        elif key == "cis":
            rows = [r for r in rows if r["cis_ids"] != ""]
        else:
            prefix = key.removeprefix("cis-") + ":"
            rows = [r for r in rows if any(x.startswith(prefix) for x in r["cis_ids"].split())]
    return rows
