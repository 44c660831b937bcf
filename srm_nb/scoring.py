"""The scoring model: severity-weighted pass rates, with coverage beside every score.

For a group of findings (an area, a service, a region, the account):

    score    = 100 * sum(weight of PASS) / sum(weight of PASS, FAIL, ERROR)
    coverage = 100 * count(PASS, FAIL) / count(PASS, FAIL, ERROR)

ERROR (data missing) counts against the score and lowers coverage: it is never a pass.
NOT_APPLICABLE and MANUAL findings are left out of both. A group with nothing evaluable has no
score (NaN), which the report shows as "n/a" rather than 0 or 100.
"""

from __future__ import annotations

import pandas as pd

SEVERITY_WEIGHTS = {"critical": 10, "high": 5, "medium": 3, "low": 1, "informational": 0.5}
COUNTED = ("PASS", "FAIL", "ERROR")


def score_by(findings: pd.DataFrame, by: str | list[str] | None = None) -> pd.DataFrame:
    """Score, coverage and status counts per group (`by` None: one row for the account)."""
    f = findings[findings["status"].isin(COUNTED)].copy()
    f["w"] = f["severity"].map(SEVERITY_WEIGHTS).fillna(1.0)
    f["w_pass"] = f["w"].where(f["status"] == "PASS", 0.0)
    f["evaluated"] = f["status"].isin(("PASS", "FAIL")).astype(int)
    keys = [by] if isinstance(by, str) else list(by or [])
    if not keys:
        f["_all"] = "account"
        keys = ["_all"]
    g = f.groupby(keys, dropna=False)
    out = pd.DataFrame({
        "score": 100 * g["w_pass"].sum() / g["w"].sum(),
        "coverage": 100 * g["evaluated"].sum() / g.size(),
        "passed": g["status"].apply(lambda s: int((s == "PASS").sum())),
        "failed": g["status"].apply(lambda s: int((s == "FAIL").sum())),
        "errors": g["status"].apply(lambda s: int((s == "ERROR").sum())),
    }).reset_index()
    return out.drop(columns=["_all"], errors="ignore")


def overall(findings: pd.DataFrame) -> dict:
    row = score_by(findings)
    if row.empty:
        return {"score": float("nan"), "coverage": float("nan"), "passed": 0, "failed": 0, "errors": 0}
    return {k: (float(v) if k in ("score", "coverage") else int(v)) for k, v in row.iloc[0].items()}
