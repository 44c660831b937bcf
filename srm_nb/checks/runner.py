"""Run the catalog over a snapshot and produce the findings table.

The runner, not the checks, is responsible for never passing on missing data:
- it records which tables each check reads (a proxy around the snapshot), so no check has to
  declare them and none can forget one;
- a table that was never collected turns the check into one ERROR finding naming it;
- a gap in a table the check read (a denied or failed call) turns that resource's verdict, or
  the whole region's when a listing failed, into ERROR with the reason;
- a check with no resources to judge yields NOT_APPLICABLE, unless a gap explains the emptiness.
"""

from __future__ import annotations

import hashlib
import traceback

import pandas as pd

from ..snapshot import Snapshot
from .base import ERROR, FAIL, MANUAL, NOT_APPLICABLE, PASS, RESULT_COLUMNS
from .catalog import Check, load_catalog

FINDING_COLUMNS = (
    "finding_uid", "account_id", "check_id", "title", "domain", "service", "severity", "status",
    "region", "resource_type", "resource_id", "resource_arn", "cis_ids", "fsbp_ids", "detail",
    "remediation", "effort",
)


class _Tracking:
    """Looks like a Snapshot; remembers which tables were read."""

    def __init__(self, snapshot: Snapshot):
        self._s = snapshot
        self.read: set[str] = set()

    def table(self, name: str) -> pd.DataFrame:
        self.read.add(name)
        return self._s.table(name)

    def has(self, name: str) -> bool:
        return self._s.has(name)

    def __getattr__(self, item):
        return getattr(self._s, item)


def _gap_reason(g: pd.DataFrame) -> pd.Series:
    return ("data missing: " + g["service"].astype(str) + ":" + g["operation"].astype(str) + " "
            + g["status"].astype(str) + " (" + g["error_code"].astype(str) + ")")


def _apply_gaps(result: pd.DataFrame, gaps: pd.DataFrame, s: Snapshot) -> pd.DataFrame:
    """A verdict on incomplete data becomes ERROR; unexplained emptiness gets an ERROR row.

    Both PASS and FAIL are downgraded: with part of the data missing, a FAIL may be an artefact
    of the absence (no policy seen, so "no TLS-only policy"), just as a PASS may be.
    """
    if gaps.empty:
        return result
    gaps = gaps.assign(reason=_gap_reason(gaps))
    res_gaps = gaps[gaps["resource_id"].astype(str) != ""].drop_duplicates("resource_id")
    reg_gaps = gaps[gaps["resource_id"].astype(str) == ""].drop_duplicates("region")
    reason = result["resource_id"].map(res_gaps.set_index("resource_id")["reason"])
    if not reg_gaps.empty:
        everywhere = reg_gaps.loc[reg_gaps["region"] == "global", "reason"]
        by_region = result["region"].map(reg_gaps.set_index("region")["reason"])
        reason = reason.fillna(everywhere.iloc[0] if len(everywhere) else by_region)
    hit = reason.notna() & result["status"].isin((PASS, FAIL))
    result = result.copy()
    result.loc[hit, "detail"] = ("Could not evaluate (" + reason[hit] + "); on the data seen: "
                                 + result.loc[hit, "status"] + ": " + result.loc[hit, "detail"])
    result.loc[hit, "status"] = ERROR
    missing = res_gaps[~res_gaps["resource_id"].isin(result["resource_id"])]
    return pd.concat([result, _error_rows(missing, s), _error_rows(reg_gaps, s, region_level=True)],
                     ignore_index=True)


def _error_rows(gaps: pd.DataFrame, s: Snapshot, region_level: bool = False) -> pd.DataFrame:
    if gaps.empty:
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    rid = (gaps["region"].astype(str) if region_level else gaps["resource_id"].astype(str))
    return pd.DataFrame({
        "status": ERROR,
        "region": gaps["region"].astype(str).values,
        "resource_id": (f"{s.account_id}/" + rid).values if region_level else rid.values,
        "resource_arn": "",
        "detail": ("Could not evaluate: " + _gap_reason(gaps) + ": " + gaps["message"].astype(str).str[:200]).values,
    })


def run_check(check: Check, s: Snapshot) -> pd.DataFrame:
    """One check's result rows (RESULT_COLUMNS), with missing data handled."""
    if check.manual:
        return pd.DataFrame([{"status": MANUAL, "region": "global", "resource_id": s.account_id,
                              "resource_arn": "", "detail": f"Manual review: {check.manual_reason}"}])
    tracked = _Tracking(s)
    try:
        result = check.func(tracked)
    except KeyError as exc:
        name = exc.args[0] if exc.args else "?"
        if name in tracked.read and not s.has(name):
            return pd.DataFrame([{"status": ERROR, "region": "global", "resource_id": s.account_id,
                                  "resource_arn": "",
                                  "detail": f"Could not evaluate: table {name!r} was not collected "
                                            "in this snapshot (its collector did not run)."}])
        raise
    except Exception as exc:  # a check bug is reported, not hidden, and not fatal to the run
        return pd.DataFrame([{"status": ERROR, "region": "global", "resource_id": s.account_id,
                              "resource_arn": "",
                              "detail": f"Check failed with {type(exc).__name__}: {exc}. "
                                        f"{traceback.format_exc(limit=2)[-300:]}"}])
    missing = set(RESULT_COLUMNS) - set(result.columns)
    if missing:
        raise ValueError(f"check {check.id} returned no {sorted(missing)} column(s)")
    result = result.loc[:, list(RESULT_COLUMNS)]
    gaps = s.gaps
    if not gaps.empty and tracked.read:
        gaps = gaps[gaps["table"].isin(tracked.read)]
        result = _apply_gaps(result, gaps, s)
    if result.empty:
        detail = check.not_applicable or f"No {check.resource_type} resources in the assessed scope."
        result = pd.DataFrame([{"status": NOT_APPLICABLE, "region": "global", "resource_id": s.account_id,
                                "resource_arn": "", "detail": detail}])
    return result


def finding_uid(check_id: pd.Series, region: pd.Series, resource_id: pd.Series) -> pd.Series:
    """Stable across runs: the same check, region and resource give the same uid."""
    keys = check_id.astype(str) + "|" + region.astype(str) + "|" + resource_id.astype(str)
    return pd.Series([hashlib.sha1(k.encode()).hexdigest()[:20] for k in keys], index=keys.index)


def run_checks(s: Snapshot, check_ids: list[str] | None = None) -> pd.DataFrame:
    """All findings, one row per (check, resource, region), in FINDING_COLUMNS order."""
    catalog = load_catalog()
    chosen = [catalog[c] for c in check_ids] if check_ids else list(catalog.values())
    frames = []
    for check in chosen:
        r = run_check(check, s)
        r = r.assign(
            account_id=s.account_id,
            check_id=check.id,
            title=check.title,
            domain=check.domain,
            service=check.service,
            severity=check.severity,
            resource_type=check.resource_type,
            cis_ids=" ".join(check.cis_ids),
            fsbp_ids=" ".join(check.fsbp_ids),
            remediation=check.remediation,
            effort=check.effort,
        )
        frames.append(r)
    if not frames:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    findings = pd.concat(frames, ignore_index=True)
    findings["resource_arn"] = findings["resource_arn"].fillna("").astype(str)
    findings["finding_uid"] = finding_uid(findings["check_id"], findings["region"], findings["resource_id"])
    findings = findings.drop_duplicates("finding_uid", keep="first")
    return findings.loc[:, list(FINDING_COLUMNS)].reset_index(drop=True)
