"""Files written beside the report: findings.csv (and the parquet the notebook reuses).

Strings from the account end up in spreadsheets: a cell starting with =, +, -, @ (or a tab or
carriage return) would be run as a formula by Excel or LibreOffice, so such cells are prefixed
with a single quote.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .checks import FINDING_COLUMNS

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# The CSV contract: these names and this order are relied on by users' scripts.
CSV_COLUMNS = (
    "check_id", "title", "domain", "service", "severity", "status", "region", "resource_id",
    "resource_arn", "cis_ids", "fsbp_ids", "detail", "finding_uid", "account_id", "resource_type",
    "remediation",
)
assert set(CSV_COLUMNS) <= set(FINDING_COLUMNS)


def neutralize(frame: pd.DataFrame) -> pd.DataFrame:
    """Defuse spreadsheet formulas in every text cell."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            s = out[col].astype(object)
            text = s.where(s.notna(), "").astype(str)
            risky = text.str.startswith(FORMULA_START) & s.notna()
            out[col] = s.where(~risky, "'" + text)
    return out


def write_findings_csv(findings: pd.DataFrame, path: Path) -> Path:
    neutralize(findings.loc[:, list(CSV_COLUMNS)]).to_csv(path, index=False)
    return path
