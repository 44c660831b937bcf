"""The scoring model: severity-weighted pass rates, with coverage beside every score.

Which findings count
    PASS and FAIL are evaluated verdicts. ERROR means the data a check needs could not be
    collected (a denied or failed call): it is never a pass, so it counts against the score
    exactly like a FAIL and lowers coverage. NOT_APPLICABLE and MANUAL findings, and findings
    muted by the mute file, are left out of both the score and the coverage.

Score of a group (a responsibility area, a service, a region, or the whole account)
    Each check present in the group contributes its pass rate on the group's resources,
    weighted by the check's severity:

        pass_rate(check) = PASS / (PASS + FAIL + ERROR)     over the group's findings of that check
        score            = 100 * sum(weight * pass_rate) / sum(weight)    over the group's checks

    Weights: critical 10, high 5, medium 3, low 1, informational 0.5. Weighting per check, not
    per finding, keeps an account with 500 buckets from drowning its root-MFA result: one public
    bucket out of 500 still costs that check 0.2% of its weight, while a failed critical
    account-level check costs its full weight.

Coverage of a group: the share of its checks that could be evaluated
    evaluated(check) = (PASS + FAIL) / (PASS + FAIL + ERROR)  over the group's findings of that check
    coverage         = 100 * mean(evaluated)                    over the group's checks

    A check evaluated on 9 of 10 buckets counts as 0.9 of a check. Coverage says how much of the
    score rests on evaluated data: with low coverage, fix the collection gaps (the coverage
    appendix lists the denied and failed calls) before reading much into the score.

A group with nothing to evaluate has no score (NaN), shown as "n/a", never as 0 or 100.
"""

from __future__ import annotations

import pandas as pd

SEVERITY_WEIGHTS = {"critical": 10, "high": 5, "medium": 3, "low": 1, "informational": 0.5}
COUNTED = ("PASS", "FAIL", "ERROR")
SCORE_COLUMNS = ("score", "coverage", "checks", "passed", "failed", "errors")


def counted(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings that take part in scoring: PASS, FAIL or ERROR, and not muted."""
    keep = findings["status"].isin(COUNTED)
    if "muted" in findings.columns:
        keep &= ~findings["muted"].fillna(False).astype(bool)
    return findings[keep]


def score_by(findings: pd.DataFrame, by: str | list[str] | None = None) -> pd.DataFrame:
    """Score, coverage, number of checks and status counts per group (`by` None: the account)."""
    keys = [by] if isinstance(by, str) else list(by or [])
    f = counted(findings).loc[:, list(dict.fromkeys([*keys, "check_id", "severity", "status"]))].copy()
    if not keys:
        f["_all"] = "account"
        keys = ["_all"]
    f["is_pass"] = (f["status"] == "PASS").astype(int)
    f["is_fail"] = (f["status"] == "FAIL").astype(int)
    f["is_error"] = (f["status"] == "ERROR").astype(int)
    per_check = f.groupby([*keys, "check_id"], dropna=False, observed=True).agg(
        severity=("severity", "first"), passed=("is_pass", "sum"), failed=("is_fail", "sum"),
        errors=("is_error", "sum"), n=("status", "size")).reset_index()
    per_check["w"] = per_check["severity"].map(SEVERITY_WEIGHTS).fillna(1.0).astype(float)
    per_check["w_rate"] = per_check["w"] * per_check["passed"] / per_check["n"]
    per_check["evaluated"] = (per_check["passed"] + per_check["failed"]) / per_check["n"]
    g = per_check.groupby(keys, dropna=False, observed=True)
    out = pd.DataFrame({
        "score": 100 * g["w_rate"].sum() / g["w"].sum(),
        "coverage": 100 * g["evaluated"].mean(),
        "checks": g.size(),
        "passed": g["passed"].sum(),
        "failed": g["failed"].sum(),
        "errors": g["errors"].sum(),
    }).reset_index()
    for col in ("checks", "passed", "failed", "errors"):
        out[col] = out[col].astype(int)
    if out.empty:  # keep the key columns even when nothing is scorable
        out = pd.DataFrame(columns=[*keys, *SCORE_COLUMNS])
    return out.drop(columns=["_all"], errors="ignore")


def overall(findings: pd.DataFrame) -> dict:
    """The account's score as a plain dict (NaN score and coverage when nothing is scorable)."""
    row = score_by(findings)
    if row.empty:
        return {"score": float("nan"), "coverage": float("nan"), "checks": 0, "passed": 0,
                "failed": 0, "errors": 0}
    return {k: (float(v) if k in ("score", "coverage") else int(v)) for k, v in row.iloc[0].items()}
