"""Files written beside the report: findings.csv, findings.xlsx and findings.ocsf.json.

Strings from the account end up in spreadsheets: a cell starting with =, +, -, @ (or a tab or
carriage return) would be run as a formula by Excel or LibreOffice, so such cells are prefixed
with a single quote. XLSX cannot hold most control characters at all: they are removed there.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from . import __version__
from .checks import CATALOG_VERSION, FINDING_COLUMNS, load_catalog
from .engagement import FIELDS as ENGAGEMENT_FIELDS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The CSV contract: these names and this order are relied on by users' scripts. New columns go
# at the end.
CSV_COLUMNS = (
    "check_id", "title", "domain", "service", "severity", "status", "region", "resource_id",
    "resource_arn", "cis_ids", "fsbp_ids", "detail", "finding_uid", "account_id", "resource_type",
    "remediation", "effort", "muted", "mute_reason", "risk",
)
assert set(CSV_COLUMNS) <= set(FINDING_COLUMNS) | {"muted", "mute_reason"}
# openpyxl refuses these (XML 1.0 cannot carry them).
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_SHEETS = ("summary", "matrix", "findings", "coverage")
OCSF_VERSION = "1.3.0"
OCSF_SEVERITY = {"informational": 1, "low": 2, "medium": 3, "high": 4, "critical": 5}


def neutralize(frame: pd.DataFrame) -> pd.DataFrame:
    """Defuse spreadsheet formulas in every text cell."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            s = out[col].astype(object)
            text = s.where(s.notna(), "").astype(str)
            risky = text.str.startswith(FORMULA_START) & s.map(lambda v: isinstance(v, str))
            out[col] = s.where(~risky, "'" + text)
    return out


def _with_mute_columns(findings: pd.DataFrame) -> pd.DataFrame:
    if "muted" in findings.columns:
        return findings
    return findings.assign(muted=False, mute_reason="")


def write_findings_csv(findings: pd.DataFrame, path: Path) -> Path:
    neutralize(_with_mute_columns(findings).loc[:, list(CSV_COLUMNS)]).to_csv(path, index=False)
    return path


# -- XLSX ---------------------------------------------------------------------------------------

def _xlsx_safe(frame: pd.DataFrame) -> pd.DataFrame:
    out = neutralize(frame)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].astype(object).map(lambda v: _XLSX_ILLEGAL.sub("", v) if isinstance(v, str) else v)
    return out


def write_findings_xlsx(assessment, path: Path) -> Path:
    """Sheets: summary (scores), matrix (live responsibility matrix), findings, coverage (calls).

    Written in openpyxl's streaming mode: 10,000 findings take a second or two, not ten.
    """
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    a = assessment
    o = a.overall
    m = a.snapshot.manifest
    e = a.context.get("engagement") or {}
    head = pd.DataFrame([
        *((k, e[k]) for k in ENGAGEMENT_FIELDS if e.get(k)),
        ("account_id", a.snapshot.account_id), ("account_alias", m.get("account_alias", "")),
        ("assessed_at", m.get("started_at", "")), ("regions", ", ".join(a.snapshot.regions)),
        ("scanned_as", m.get("caller_arn", "")), ("catalog_version", CATALOG_VERSION),
        ("overall_score", None if pd.isna(o["score"]) else round(o["score"], 1)),
        ("coverage", None if pd.isna(o["coverage"]) else round(o["coverage"], 1)),
        ("passed", o["passed"]), ("failed", o["failed"]), ("errors", o["errors"]), ("muted", o["muted"]),
    ], columns=["field", "value"])
    areas = a.scores["domain"]
    areas = areas[["area", "score", "coverage", "checks", "passed", "failed", "errors"]].round(1)
    matrix = a.matrix.drop(columns=["aws"]).round(1)
    calls = a.snapshot.calls
    cov = (calls.groupby(["service", "operation", "region", "status", "error_code"], dropna=False)
           .size().rename("calls").reset_index())
    findings = _with_mute_columns(a.findings).loc[:, list(CSV_COLUMNS)]

    wb = Workbook(write_only=True)
    sheets = {"summary": [head, areas], "matrix": [matrix], "findings": [findings], "coverage": [cov]}
    for name, frames in sheets.items():
        ws = wb.create_sheet(name)
        safe = [_xlsx_safe(f) for f in frames]
        widths: dict[int, int] = {}
        for f in safe:
            for i, col in enumerate(f.columns, 1):
                sample = [str(col)] + [str(v) for v in f[col].head(200) if v is not None]
                widths[i] = max(widths.get(i, 8), min(max(len(x) for x in sample) + 2, 60))
        for i, w in widths.items():
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = "A2"
        for n, f in enumerate(safe):
            if n:
                ws.append([])
            ws.append([str(c) for c in f.columns])
            for row in f.astype(object).where(f.notna(), None).itertuples(index=False, name=None):
                ws.append([_cell(v) for v in row])
    wb.save(path)
    return path


def _cell(value):
    """numpy scalars to Python; everything else as is (text already neutralized)."""
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value


# -- OCSF ---------------------------------------------------------------------------------------

def _epoch_ms(iso: str) -> int:
    try:
        when = datetime.fromisoformat(str(iso).replace("Z", "+00:00"))
    except ValueError:
        when = datetime.now(timezone.utc)
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return int(when.timestamp() * 1000)


def ocsf_findings(assessment) -> list[dict]:
    """Each finding as an OCSF Detection Finding (class_uid 2004, category Findings).

    PASS/FAIL/ERROR... go in `status_code`; `status_id` is New (1) or Suppressed (3, muted).
    """
    a = assessment
    catalog = load_catalog()
    m = a.snapshot.manifest
    t = _epoch_ms(m.get("started_at", ""))
    partition = a.snapshot.partition
    alias = m.get("account_alias", "")
    e = a.context.get("engagement") or {}
    # OCSF's metadata.labels: user-defined tags added when the event is written.
    labels = [f"{k}:{e[k]}" for k in ENGAGEMENT_FIELDS if e.get(k)] or None
    out = []
    f = _with_mute_columns(a.findings)
    for r in f.itertuples(index=False):
        check = catalog.get(r.check_id)
        muted = bool(r.muted)
        region = "" if r.region == "global" else str(r.region)
        resource = {"uid": str(r.resource_arn or r.resource_id), "name": str(r.resource_id),
                    "type": str(r.resource_type), "cloud_partition": partition,
                    "region": region or None}
        finding = {
            "activity_id": 1, "activity_name": "Create",
            "category_uid": 2, "category_name": "Findings",
            "class_uid": 2004, "class_name": "Detection Finding",
            "type_uid": 200401, "type_name": "Detection Finding: Create",
            "time": t,
            "severity_id": OCSF_SEVERITY.get(r.severity, 0), "severity": str(r.severity).title(),
            "status_id": 3 if muted else 1, "status": "Suppressed" if muted else "New",
            "status_code": str(r.status), "status_detail": str(r.detail),
            "message": f"{r.title}: {r.detail}",
            "metadata": {
                "version": OCSF_VERSION,
                "product": {"name": "srm-workbook", "vendor_name": "srm-workbook", "version": __version__,
                            "feature": {"name": f"check catalog {CATALOG_VERSION}"}},
                "event_code": str(r.check_id),
                "profiles": ["cloud"],
                "labels": labels,
            },
            "finding_info": {
                "uid": str(r.finding_uid), "title": str(r.title),
                "desc": check.rationale if check else str(r.title),
                "types": [str(r.domain)], "created_time": t,
            },
            "resources": [resource],
            "cloud": {"provider": "AWS", "region": region or None,
                      "account": {"uid": str(r.account_id), "name": alias or None,
                                  "type": "AWS Account", "type_id": 10}},
            "remediation": {"desc": str(r.remediation),
                            "references": list(check.references) if check else []},
            "unmapped": {"cis_ids": str(r.cis_ids), "fsbp_ids": str(r.fsbp_ids), "effort": str(r.effort),
                         "service": str(r.service), "mute_reason": str(r.mute_reason) if muted else None},
        }
        out.append(_drop_none(finding))
    return out


def _drop_none(obj):
    if isinstance(obj, dict):
        return {k: _drop_none(v) for k, v in obj.items() if v is not None}
    return obj


def write_ocsf(assessment, path: Path) -> Path:
    path.write_text(json.dumps(ocsf_findings(assessment), indent=1, ensure_ascii=False), encoding="utf-8")
    return path


def write_exports(assessment, folder: Path) -> dict[str, Path]:
    """Every export into `folder`; returns {name: path}. scores.json, the run's summary, is
    written with the assessment itself (`Assessment.save`)."""
    folder = Path(folder)
    return {
        "csv": write_findings_csv(assessment.findings, folder / "findings.csv"),
        "xlsx": write_findings_xlsx(assessment, folder / "findings.xlsx"),
        "ocsf": write_ocsf(assessment, folder / "findings.ocsf.json"),
    }
