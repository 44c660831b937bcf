"""The check catalog: metadata as data, validated when it loads.

Each `srm_nb/checks/<service>.py` holds check functions; the YAML file of the same stem holds
their metadata, keyed by check id. The id must equal the function's name and follow
`<service>_<resource>_<practice>`. A check marked `manual: true` has no function: it always yields
a MANUAL finding with its `manual_reason`.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

import yaml

from ..errors import CatalogError
from .base import DOMAINS, SEVERITIES

CATALOG_VERSION = "2026.11"

_ID = re.compile(r"^[a-z0-9]+(_[a-z0-9]+){2,}$")
_CIS = re.compile(r"^\d+\.\d+:\d+(\.\d+)*$")  # "<benchmark version>:<control>", e.g. 7.0:2.1.4
_FSBP = re.compile(r"^[A-Za-z0-9]+\.\d+$")  # e.g. IAM.9, EC2.19

REQUIRED = ("title", "domain", "service", "severity", "resource_type", "rationale", "remediation")


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
    func: Callable | None = field(default=None, compare=False, repr=False)

    @property
    def remediation(self) -> str:
        return f"{self.remediation_console} CLI: {self.remediation_cli}".strip()


def _validate(cid: str, meta: dict, source: str) -> list[str]:
    problems = []
    if not _ID.match(cid):
        problems.append(f"{cid}: id must look like <service>_<resource>_<practice>")
    for key in REQUIRED:
        if not meta.get(key):
            problems.append(f"{cid}: missing {key}")
    if meta.get("domain") and meta["domain"] not in DOMAINS:
        problems.append(f"{cid}: unknown domain {meta['domain']!r} (one of {', '.join(DOMAINS)})")
    if meta.get("severity") and meta["severity"] not in SEVERITIES:
        problems.append(f"{cid}: unknown severity {meta['severity']!r}")
    rem = meta.get("remediation") or {}
    if not isinstance(rem, dict) or not rem.get("console") or not rem.get("cli"):
        problems.append(f"{cid}: remediation needs `console` steps and a `cli` command")
    for c in meta.get("cis", []) or []:
        if not _CIS.match(str(c)):
            problems.append(f"{cid}: CIS id {c!r} must be '<version>:<control>', e.g. '7.0:2.1.4'")
    for f in meta.get("fsbp", []) or []:
        if not _FSBP.match(str(f)):
            problems.append(f"{cid}: FSBP id {f!r} must look like 'IAM.9'")
    if meta.get("manual") and not meta.get("manual_reason"):
        problems.append(f"{cid}: a manual check needs manual_reason")
    if meta.get("effort", "medium") not in ("low", "medium", "high"):
        problems.append(f"{cid}: effort must be low, medium or high")
    unknown = set(meta) - {*REQUIRED, "references", "cis", "fsbp", "manual", "manual_reason",
                           "not_applicable", "effort"}
    if unknown:
        problems.append(f"{cid}: unknown field(s) {sorted(unknown)} in {source}")
    return problems


@lru_cache(maxsize=1)
def load_catalog() -> dict[str, Check]:
    """Every check, validated. Raises CatalogError listing every problem found."""
    package = Path(__file__).parent
    checks: dict[str, Check] = {}
    problems: list[str] = []
    for info in sorted(pkgutil.iter_modules([str(package)]), key=lambda i: i.name):
        if info.name in ("base", "catalog", "runner", "policy"):
            continue
        module = importlib.import_module(f"{__package__}.{info.name}")
        meta_file = package / f"{info.name}.yaml"
        if not meta_file.exists():
            problems.append(f"{info.name}.py has no {meta_file.name}")
            continue
        metas = yaml.safe_load(meta_file.read_text()) or {}
        funcs = {n for n, v in vars(module).items()
                 if callable(v) and getattr(v, "__module__", None) == module.__name__
                 and not n.startswith("_")}
        for cid, meta in metas.items():
            problems += _validate(cid, meta, meta_file.name)
            func = getattr(module, cid, None)
            if meta.get("manual"):
                if func is not None:
                    problems.append(f"{cid}: manual checks have no function")
            elif func is None:
                problems.append(f"{cid}: no function named {cid} in {info.name}.py")
            if cid in checks:
                problems.append(f"{cid}: defined twice")
            rem = meta.get("remediation") or {}
            checks[cid] = Check(
                id=cid,
                title=meta.get("title", ""),
                domain=meta.get("domain", ""),
                service=meta.get("service", ""),
                severity=meta.get("severity", ""),
                resource_type=meta.get("resource_type", ""),
                rationale=" ".join(str(meta.get("rationale", "")).split()),
                remediation_console=" ".join(str(rem.get("console", "")).split()) if isinstance(rem, dict) else "",
                remediation_cli=str(rem.get("cli", "")).strip() if isinstance(rem, dict) else "",
                references=tuple(meta.get("references", []) or []),
                cis_ids=tuple(str(c) for c in meta.get("cis", []) or []),
                fsbp_ids=tuple(str(f) for f in meta.get("fsbp", []) or []),
                manual=bool(meta.get("manual", False)),
                manual_reason=" ".join(str(meta.get("manual_reason", "")).split()),
                not_applicable=meta.get("not_applicable", ""),
                effort=meta.get("effort", "medium"),
                func=func,
            )
        orphans = {f for f in funcs if _ID.match(f)} - set(metas)
        problems += [f"{f}: function in {info.name}.py has no metadata" for f in sorted(orphans)]
    if problems:
        raise CatalogError("check catalog is invalid:\n  " + "\n  ".join(problems))
    return checks


def catalog_frame():
    """The catalog as a table, one check a row (for `srm checks` and the docs)."""
    import pandas as pd

    rows = [{
        "check_id": c.id, "title": c.title, "domain": c.domain, "service": c.service,
        "severity": c.severity, "resource_type": c.resource_type,
        "cis_ids": " ".join(c.cis_ids), "fsbp_ids": " ".join(c.fsbp_ids),
        "manual": c.manual, "rationale": c.rationale, "remediation": c.remediation,
    } for c in load_catalog().values()]
    return pd.DataFrame(rows)
