"""FSBP coverage as data: the AWS Foundational Security Best Practices controls of the services
the collectors read that no check reports yet, and why (`srm_nb/data/fsbp_not_covered.yaml`), next
to the Security Hub controls the checks map that belong to other standards only.

The checks' own `fsbp` ids say what is covered; this file says what is not, so docs/controls.md can
count, per service, covered / FSBP total. Its format is validated when it loads (CatalogError);
its agreement with the catalog (no listed id is mapped by a check, every "outside FSBP" id is) is
`fsbp_gap_problems()`, asserted by tests/test_fsbp_coverage.py, so a check mapping a listed
control is written first and the entry removed in the same change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import CatalogError
from ..vocabulary import SEVERITIES
from .benchmarks import read_yaml

GAPS_FILE = Path(__file__).parent.parent / "data" / "fsbp_not_covered.yaml"
SEVERITY_FILE = Path(__file__).parent.parent / "data" / "fsbp_severities.yaml"
CONTROL_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*\.\d+$")  # Security Hub's Service.N: IAM.9, EC2.19
# Why a control is not covered, as docs/controls.md words it.
REASONS = {
    "not_collected": "not collected yet",
    "not_written": "collected, no check yet",
    "data_read": "needs data the read-only collectors do not read",
    "retired": "retired by Security Hub",
}
GAP_FIELDS = ("title", "reason", "detail")


@dataclass(frozen=True)
class Gap:
    """An FSBP control no check reports, and why."""

    id: str
    title: str
    reason: str  # a key of REASONS
    detail: str


@dataclass(frozen=True)
class FsbpGaps:
    not_covered: dict[str, Gap]
    outside: dict[str, str]  # control id -> the standards it belongs to instead of FSBP


def service_of(control: str) -> str:
    return control.split(".")[0]


def control_key(control: str) -> tuple:
    """Sort key: by service (case-insensitive), then by number (EC2.2 before EC2.10)."""
    service, number = control.split(".")
    return service.lower(), int(number)


def _text(value) -> str:
    return " ".join(str(value).split()) if isinstance(value, str) else ""


@lru_cache(maxsize=1)
def load_fsbp_gaps(path: Path = GAPS_FILE) -> FsbpGaps:
    """The file, validated: every id like `Service.N`, every entry with a title, a known reason
    and a detail, no id both outside FSBP and not covered. Raises CatalogError naming each problem."""
    data = read_yaml(path) or {}
    if not isinstance(data, dict):
        raise CatalogError(f"{path.name}: expected `outside_fsbp` and `not_covered` mappings")
    problems = [f"{path.name}: unknown key {k!r}" for k in data if k not in ("outside_fsbp", "not_covered")]
    outside_raw = data.get("outside_fsbp") or {}
    gaps_raw = data.get("not_covered") or {}
    if not isinstance(outside_raw, dict) or not isinstance(gaps_raw, dict):
        raise CatalogError(f"{path.name}: `outside_fsbp` and `not_covered` must be mappings keyed by control id")
    outside: dict[str, str] = {}
    for cid, standards in outside_raw.items():
        cid = str(cid)
        if not CONTROL_ID.match(cid):
            problems.append(f"{path.name}: {cid!r} must look like 'Service.N' (IAM.9)")
        if not _text(standards):
            problems.append(f"{path.name}: {cid}: name the standards it belongs to instead of FSBP")
        outside[cid] = _text(standards)
    gaps: dict[str, Gap] = {}
    for cid, entry in gaps_raw.items():
        cid = str(cid)
        if not CONTROL_ID.match(cid):
            problems.append(f"{path.name}: {cid!r} must look like 'Service.N' (IAM.9)")
        if cid in outside:
            problems.append(f"{path.name}: {cid} is both outside FSBP and an FSBP control not covered")
        if not isinstance(entry, dict):
            problems.append(f"{path.name}: {cid}: expected title, reason and detail")
            continue
        problems += [f"{path.name}: {cid}: missing {f}" for f in GAP_FIELDS if not _text(entry.get(f))]
        problems += [f"{path.name}: {cid}: unknown field {k!r}" for k in entry if k not in GAP_FIELDS]
        if _text(entry.get("reason")) and entry["reason"] not in REASONS:
            problems.append(f"{path.name}: {cid}: reason {entry['reason']!r} is not one of {', '.join(REASONS)}")
        gaps[cid] = Gap(cid, _text(entry.get("title")), _text(entry.get("reason")), _text(entry.get("detail")))
    if problems:
        raise CatalogError("FSBP coverage data is invalid:\n  " + "\n  ".join(problems))
    return FsbpGaps(not_covered=dict(sorted(gaps.items(), key=lambda kv: control_key(kv[0]))),
                    outside=outside)


def mapped_controls(catalog) -> dict[str, list]:
    """Security Hub control id -> the checks that report it."""
    out: dict[str, list] = {}
    for check in catalog.values():
        for f in check.fsbp_ids:
            out.setdefault(f, []).append(check)
    return out


def fsbp_gap_problems(catalog, gaps: FsbpGaps | None = None) -> list[str]:
    """Where the file and the catalog disagree, one readable line each."""
    gaps = gaps or load_fsbp_gaps()
    mapped = mapped_controls(catalog)
    problems = [f"{cid} is listed as not covered, but {', '.join(sorted(c.id for c in mapped[cid]))} "
                f"map(s) it: remove it from {GAPS_FILE.name}" for cid in gaps.not_covered if cid in mapped]
    problems += [f"{cid} is listed as outside FSBP, but no check maps it: remove it from {GAPS_FILE.name}"
                 for cid in gaps.outside if cid not in mapped]
    return problems


@dataclass(frozen=True)
class ServiceCoverage:
    service: str  # the control ids' prefix: EC2, ELB, Opensearch...
    covered: tuple[str, ...]  # FSBP controls a check reports
    outside: tuple[str, ...]  # controls the checks report that are not FSBP's
    missing: tuple[Gap, ...]  # FSBP controls no check reports (retired ones excepted)
    retired: tuple[Gap, ...]

    @property
    def total(self) -> int:
        return len(self.covered) + len(self.missing)


def coverage(catalog, gaps: FsbpGaps | None = None) -> list[ServiceCoverage]:
    """FSBP coverage per service, services in alphabetical order."""
    gaps = gaps or load_fsbp_gaps()
    mapped = mapped_controls(catalog)
    services = sorted({service_of(c) for c in [*mapped, *gaps.not_covered]}, key=str.lower)
    out = []
    for svc in services:
        ids = sorted((c for c in mapped if service_of(c) == svc), key=control_key)
        listed = [g for g in gaps.not_covered.values() if service_of(g.id) == svc]
        out.append(ServiceCoverage(
            service=svc,
            covered=tuple(c for c in ids if c not in gaps.outside),
            outside=tuple(c for c in ids if c in gaps.outside),
            missing=tuple(g for g in listed if g.reason != "retired"),
            retired=tuple(g for g in listed if g.reason == "retired"),
        ))
    return out


@lru_cache(maxsize=1)
def fsbp_severities() -> dict[str, str]:
    """Security Hub's severity per FSBP control id (data/fsbp_severities.yaml)."""
    data = read_yaml(SEVERITY_FILE) or {}
    controls = data.get("controls") if isinstance(data, dict) else None
    if not isinstance(controls, dict) or any(v not in SEVERITIES for v in controls.values()):
        raise CatalogError(f"{SEVERITY_FILE.name}: `controls` must map control ids to one of "
                           f"{', '.join(SEVERITIES)}")
    return {str(k): str(v) for k, v in controls.items()}


def security_hub_severity(fsbp_ids) -> str | None:
    """The highest Security Hub severity among `fsbp_ids` (None when the table knows none)."""
    table = fsbp_severities()
    known = [table[f] for f in fsbp_ids if f in table]
    return min(known, key=SEVERITIES.index) if known else None


def severity_problems(cid: str, meta: dict) -> list[str]:
    """A check's severity against Security Hub's for its FSBP controls (the catalog loader's)."""
    if not isinstance(meta.get("fsbp"), list) or meta.get("severity") not in SEVERITIES:
        return []
    expected = security_hub_severity([str(f) for f in meta["fsbp"]])
    if expected is None:
        return []  # a control the table does not list yet: the catalog test names it
    if meta["severity"] != expected and not meta.get("severity_rationale"):
        return [f"{cid}: severity {meta['severity']} differs from Security Hub's {expected} for "
                f"{', '.join(meta['fsbp'])}: take {expected}, or say why in severity_rationale"]
    if meta["severity"] == expected and meta.get("severity_rationale"):
        return [f"{cid}: severity_rationale given, but the severity is Security Hub's ({expected})"]
    return []
