"""Run the catalog over a snapshot and produce the findings table.

Verdicts, and who decides them:
- PASS / FAIL: the check, on the data it read.
- ERROR: the runner, whenever the data a verdict rests on is missing. It records which tables
  each check reads (a proxy around the snapshot, so no check has to declare them and none can
  forget one):
  * a table that was never collected turns the check into one ERROR finding naming it;
  * a gap in a table the check read (a denied or failed call) turns that resource's verdict,
    or every verdict in the region when a listing failed, into ERROR naming the call and the
    error; account-level verdicts ("global") are downgraded by a gap in any region, since the
    missing region may hold what the check looked for. PASS and FAIL are both downgraded: with
    data missing either may be an artefact of the absence. The detail keeps what the partial
    data suggested;
  * a check that raises, or returns a malformed table, yields one ERROR finding saying so: a
    check bug never stops the run and never passes silently.
- NOT_APPLICABLE: the runner, when the check found nothing to judge and no gap explains it.
- MANUAL: checks marked manual in the catalog, with the reason.

Each finding is one row per (check, region, resource), with a stable `finding_uid` derived from
those three, so the same finding keeps its uid across runs.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..errors import UsageError
from ..snapshot import Snapshot
from .base import (ERROR, FAIL, GLOBAL, MANUAL, NOT_APPLICABLE, PASS, RESULT_COLUMNS, account_arn,
                   account_finding, is_missing)
from .catalog import Check, load_catalog

FINDING_COLUMNS = (
    "finding_uid", "account_id", "check_id", "title", "risk", "domain", "service", "severity", "status",
    "region", "resource_type", "resource_id", "resource_arn", "cis_ids", "fsbp_ids", "detail",
    "remediation", "effort", "remediation_console", "remediation_cli",
)
CHECK_STATUSES = (PASS, FAIL, ERROR, NOT_APPLICABLE)  # what a check function may return
# When a check returns two rows for one resource, the one kept: a FAIL is never hidden.
_STATUS_PRECEDENCE = {FAIL: 0, ERROR: 1, MANUAL: 2, PASS: 3, NOT_APPLICABLE: 4}
_GAP_VERBS = {"denied": "was denied", "throttled": "was throttled", "not_subscribed":
              "is not available (service not subscribed)", "error": "failed"}


class MissingTable(KeyError):
    """A check asked for a table the snapshot does not have (its collector did not run)."""


class _Tracking:
    """Looks like a Snapshot; remembers which tables were read."""

    def __init__(self, snapshot: Snapshot):
        self._s = snapshot
        self.read: set[str] = set()

    def table(self, name: str) -> pd.DataFrame:
        self.read.add(name)
        if not self._s.has(name):
            raise MissingTable(name)
        return self._s.table(name)

    def has(self, name: str) -> bool:
        return self._s.has(name)

    @property
    def tables(self) -> "_TrackedTables":
        """`s.tables[name]` is tracked like `s.table(name)`: no way around the gap handling."""
        return _TrackedTables(self)

    def __getattr__(self, item):
        return getattr(self._s, item)


class _TrackedTables(Mapping):
    def __init__(self, tracking: _Tracking):
        self._t = tracking

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._t.table(name)

    def __iter__(self):
        return iter(self._t._s.tables)

    def __len__(self) -> int:
        return len(self._t._s.tables)


# -- account-level rows --------------------------------------------------------------------------


def _region_rid(s: Snapshot, region: str) -> str:
    return s.account_id if region == GLOBAL else f"{s.account_id}/{region}"


# -- gaps ----------------------------------------------------------------------------------------


def _gap_reason(g: pd.DataFrame) -> pd.Series:
    """'iam:ListUsers was denied (AccessDenied)', one per gap row."""
    verb = g["status"].astype(str).map(_GAP_VERBS).fillna("failed")
    return (g["service"].astype(str) + ":" + g["operation"].astype(str) + " " + verb
            + " (" + g["error_code"].astype(str) + ")")


def _gap_message(g: pd.DataFrame) -> pd.Series:
    msg = g["message"].fillna("").astype(str).str.slice(0, 200)
    return msg.where(msg == "", ": " + msg)


class PreparedGaps:
    """The snapshot's gaps, normalized and with their reasons, split by table: computed once per
    run instead of once per check."""

    def __init__(self, s: Snapshot):
        g = s.gaps
        if g.empty:
            self.by_table: dict[str, pd.DataFrame] = {}
            return
        g = g.assign(resource_id=g["resource_id"].fillna("").astype(str),
                     region=g["region"].fillna(GLOBAL).replace("", GLOBAL).astype(str))
        g = g.assign(reason=_gap_reason(g), note=_gap_message(g))
        self.by_table = {str(t): part for t, part in g.groupby("table", sort=False)}

    def for_tables(self, tables) -> pd.DataFrame:
        parts = [self.by_table[t] for t in sorted(tables) if t in self.by_table]
        if not parts:
            return pd.DataFrame()
        return parts[0] if len(parts) == 1 else pd.concat(parts, ignore_index=True)


# AWS::<Service>::<Type> service names whose boto3 services are spelt otherwise.
_TYPE_SERVICES = {"elasticloadbalancingv2": {"elbv2"}, "certificatemanager": {"acm"},
                  "trustedadvisor": {"support"}, "s3": {"s3", "s3control"},
                  "redshiftserverless": {"redshift-serverless"}}


def _same_kind(gaps: pd.DataFrame, check: Check) -> pd.Series:
    """Whether each gap's resource could be one this check is about: a gap of another service
    (a KMS key behind a table check) is not one of its resources."""
    kind = check.resource_type.split("::")[1].lower() if check.resource_type.count("::") == 2 else ""
    services = _TYPE_SERVICES.get(kind, {kind})
    return gaps["service"].astype(str).isin(services)


def _unmatched_resource_rows(missing: pd.DataFrame, check: Check, s: Snapshot) -> list[pd.DataFrame]:
    """ERROR rows for resource gaps the check's rows do not name. Only for resources the check
    could be about: of its kind, and, for a check with a narrower scope, only when what decides
    the scope is what failed, as one row per region (which resources are in scope is unknown)."""
    missing = missing[_same_kind(missing, check)]
    if check.scope_from:
        missing = missing[missing["table"].isin(check.scope_from)]
        if missing.empty:
            return []
        rows = []
        for region, part in missing.groupby("region", sort=True):
            names = ", ".join(sorted(part["resource_id"].unique())[:5])
            more = part["resource_id"].nunique() - 5
            where = "the account" if region == GLOBAL else f"region {region}"
            rows.append(pd.DataFrame({
                "status": [ERROR], "region": [region], "resource_id": [_region_rid(s, region)],
                "resource_arn": [account_arn(s) if region == GLOBAL
                                 else f"arn:{s.partition}:::{s.account_id}:region/{region}"],
                "detail": [f"Could not tell which resources this check applies to in {where}: "
                           f"{part['reason'].iloc[0]}{part['note'].iloc[0]} for {names}"
                           + (f" and {more} more" if more > 0 else "") + "."],
            }))
        return rows
    missing = missing.drop_duplicates("resource_id")
    if missing.empty:
        return []
    return [pd.DataFrame({
        "status": ERROR,
        "region": missing["region"].values,
        "resource_id": missing["resource_id"].values,
        "resource_arn": "",
        "detail": ("Could not evaluate " + missing["resource_id"] + ": " + missing["reason"]
                   + missing["note"]).values,
    })]


def _apply_gaps(result: pd.DataFrame, gaps: pd.DataFrame, s: Snapshot, check: Check) -> pd.DataFrame:
    """Verdicts resting on missing data become ERROR; missing data nothing else reports gets its
    own ERROR row (a resource of the check's scope whose details failed, a region whose listing
    failed). `gaps` are rows of PreparedGaps (normalized, with `reason` and `note`)."""
    if gaps.empty:
        return result
    all_res_gaps = gaps[gaps["resource_id"] != ""]
    res_gaps = all_res_gaps.drop_duplicates("resource_id")
    reg_gaps = gaps[gaps["resource_id"] == ""].drop_duplicates("region")

    reason = result["resource_id"].map(res_gaps.set_index("resource_id")["reason"]).astype(object)
    if not reg_gaps.empty:
        by_region = reg_gaps.set_index("region")["reason"]
        everywhere = by_region.get(GLOBAL)
        if everywhere is None:
            # An account-level verdict may rest on any region: the first region gap explains it.
            everywhere_for_account = by_region.iloc[0]
            regional = result["region"].map(by_region).astype(object)
            regional = regional.where(result["region"] != GLOBAL, everywhere_for_account)
            reason = reason.fillna(regional)
        else:
            reason = reason.fillna(everywhere)
    # NOT_APPLICABLE too: "nothing to judge" is not known when the listing failed. The detail
    # says only what could not be read: the verdict the partial data suggested is not repeated,
    # since missing data reads as "not configured" and the hint would often be wrong.
    hit = reason.notna() & result["status"].isin((PASS, FAIL, NOT_APPLICABLE))
    result = result.copy()
    if hit.any():
        note = reason.map(gaps.drop_duplicates("reason").set_index("reason")["note"])
        rid = result.loc[hit, "resource_id"].fillna("").astype(str)
        what = rid.where(rid != "", "this check in " + result.loc[hit, "region"].astype(str))
        result.loc[hit, "detail"] = ("Could not evaluate " + what + ": " + reason[hit] + note[hit].fillna("")
                                     + ". Its verdict depends on what could not be read.")
        result.loc[hit, "status"] = ERROR
    # A check's own ERROR ("the summary does not report X") gets the collection failure behind it.
    own = reason.notna() & (result["status"] == ERROR) & ~hit
    if own.any():
        result.loc[own, "detail"] = result.loc[own, "detail"] + " Cause: " + reason[own] + "."

    unmatched = all_res_gaps[~all_res_gaps["resource_id"].isin(result["resource_id"])]
    extra = _unmatched_resource_rows(unmatched.drop_duplicates(["resource_id", "table"]), check, s)
    # A region whose listing failed and that produced no verdict at all: say so once. An
    # account-level verdict already names the gap; any verdict already covers a global gap.
    with_rows = set(result["region"])
    if GLOBAL in with_rows:
        silent = reg_gaps.iloc[0:0]
    else:
        silent = reg_gaps[~reg_gaps["region"].isin(with_rows)]
        if not result.empty:
            silent = silent[silent["region"] != GLOBAL]
    if not silent.empty:
        where = silent["region"].map(lambda r: "the account" if r == GLOBAL else f"region {r}")
        extra.append(pd.DataFrame({
            "status": ERROR,
            "region": silent["region"].values,
            "resource_id": silent["region"].map(lambda r: _region_rid(s, r)).values,
            "resource_arn": silent["region"].map(
                lambda r: account_arn(s) if r == GLOBAL else f"arn:{s.partition}:::{s.account_id}:region/{r}").values,
            "detail": ("Could not evaluate " + where + ": " + silent["reason"] + silent["note"]
                       + "; resources there may be missing from this check.").values,
        }))
    if extra:
        # One finding per (region, resource): a region row for an unreadable scope and one for a
        # failed listing may name the same region; the check's own rows come first and stay.
        result = pd.concat([result, *extra], ignore_index=True).drop_duplicates(["region", "resource_id"])
    return result


# -- one check -----------------------------------------------------------------------------------


def _failure_location(exc: BaseException, check: Check) -> str:
    """' at iam.py:42': the line of the check's own module where it failed, else the last frame
    inside srm_nb/checks."""
    frames = traceback.extract_tb(exc.__traceback__)
    module_file = f"{check.func.__module__.rsplit('.', 1)[-1]}.py" if check.func else ""
    own = [f for f in frames if Path(f.filename).name == module_file]
    inside = [f for f in frames if "/checks/" in f.filename.replace("\\", "/")]
    fr = (own or inside or [None])[-1]
    return f" at {Path(fr.filename).name}:{fr.lineno}" if fr else ""


def _clean(result, check: Check, s: Snapshot) -> pd.DataFrame | str:
    """The check's table in RESULT_COLUMNS order, or a description of what is wrong with it."""
    if not isinstance(result, pd.DataFrame):
        return f"returned {type(result).__name__}, not a DataFrame"
    missing = [c for c in RESULT_COLUMNS if c not in result.columns]
    if missing:
        return f"returned no {', '.join(missing)} column(s)"
    result = result.loc[:, list(RESULT_COLUMNS)]
    status = result["status"].tolist()
    bad = sorted({str(v) for v in status} - set(CHECK_STATUSES))
    if bad:
        return f"returned unknown status(es) {bad}"
    # Row by row in Python: a check returns tens of rows, where each pandas operation's own cost
    # (a third of the whole catalog's time, summed over 250 checks) would outweigh the work.
    region = [_text(v) or GLOBAL for v in result["region"].tolist()]
    resource_id = [_text(v) or s.account_id for v in result["resource_id"].tolist()]
    # An account-level finding names the account's ARN when the check left it empty.
    own_arn = account_arn(s)
    arn = [_text(v) or (own_arn if rid == s.account_id else "")
           for v, rid in zip(result["resource_arn"].tolist(), resource_id)]
    return pd.DataFrame({"status": [str(v) for v in status], "region": region, "resource_id": resource_id,
                         "resource_arn": arn, "detail": [_text(v) for v in result["detail"].tolist()]},
                        columns=list(RESULT_COLUMNS))


def _text(value) -> str:
    """A result cell as text; "" for None, NaN and NA."""
    return "" if is_missing(value) else str(value)


def run_check(check: Check, s: Snapshot, gaps: PreparedGaps | None = None) -> pd.DataFrame:
    """One check's result rows (RESULT_COLUMNS), with missing data handled. `gaps`: the
    snapshot's PreparedGaps, when running many checks over one snapshot."""
    if check.manual:
        return account_finding(s, MANUAL, f"Manual review: {check.manual_reason}")
    tracked = _Tracking(s)
    try:
        result = check.func(tracked)
    except MissingTable as exc:
        return account_finding(s, ERROR, f"Could not evaluate: table {exc.args[0]!r} is not in this snapshot "
                                      "(its collector did not run; collect with that service included).")
    except KeyError as exc:
        name = exc.args[0] if exc.args else "?"
        read = sorted(t for t in tracked.read if s.has(t))
        if isinstance(name, str) and read and not any(name in s.table(t).columns for t in read):
            return account_finding(s, ERROR, f"Could not evaluate: column {name!r} is not in table(s) "
                                          f"{', '.join(read)}{_failure_location(exc, check)} (a snapshot "
                                          "collected by another srm-workbook version, or a bug in the check).")
        return account_finding(s, ERROR, f"Check failed with KeyError{_failure_location(exc, check)}: "
                                      f"{str(exc)[:200]}. This is a bug in the check; nothing was judged.")
    except Exception as exc:  # a check bug is reported, not hidden, and not fatal to the run
        return account_finding(s, ERROR, f"Check failed with {type(exc).__name__}{_failure_location(exc, check)}: "
                                      f"{str(exc)[:200]}. This is a bug in the check; nothing was judged.")
    result = _clean(result, check, s)
    if isinstance(result, str):
        return account_finding(s, ERROR, f"Check {check.id} {result}: a bug in the check; nothing was judged.")
    if tracked.read:
        gaps = gaps if gaps is not None else PreparedGaps(s)
        result = _apply_gaps(result, gaps.for_tables(tracked.read), s, check)
    if result.empty:
        where = ", ".join(s.regions) if s.regions else "no region"
        detail = check.not_applicable or f"No {check.resource_type} resources in the assessed scope"
        return account_finding(s, NOT_APPLICABLE, f"{detail.rstrip('.')} (regions assessed: {where}).")
    return result


# -- the whole catalog -----------------------------------------------------------------------------


def finding_uid(check_id: pd.Series, region: pd.Series, resource_id: pd.Series) -> pd.Series:
    """Stable across runs and versions: sha1 of check, region and resource."""
    keys = (check_id.astype(str) + "|" + region.astype(str) + "|" + resource_id.astype(str)).tolist()
    sha1 = hashlib.sha1
    return pd.Series([sha1(k.encode()).hexdigest()[:20] for k in keys], index=check_id.index, dtype=object)


def run_checks(s: Snapshot, check_ids: list[str] | None = None) -> pd.DataFrame:
    """All findings, one row per (check, region, resource), in FINDING_COLUMNS order."""
    catalog = load_catalog()
    if check_ids:
        unknown = [c for c in check_ids if c not in catalog]
        if unknown:
            raise UsageError(f"unknown check id(s): {', '.join(unknown)} (see `srm checks`)")
        chosen = [catalog[c] for c in check_ids]
    else:
        chosen = list(catalog.values())
    frames, meta = [], []
    gaps = PreparedGaps(s)
    for check in chosen:
        r = run_check(check, s, gaps)
        frames.append(r)
        meta.append((check, len(r)))
    if not frames:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    findings = pd.concat(frames, ignore_index=True)
    # Metadata once per check, repeated by row count: cheaper than assigning on every frame.
    lengths = [n for _, n in meta]
    for col, attr in (("check_id", "id"), ("title", "title"), ("risk", "risk"), ("domain", "domain"),
                      ("service", "service"), ("severity", "severity"),
                      ("resource_type", "resource_type"), ("remediation", "remediation"),
                      ("effort", "effort"), ("remediation_console", "remediation_console"),
                      ("remediation_cli", "remediation_cli")):
        findings[col] = _repeat([getattr(c, attr) for c, _ in meta], lengths)
    findings["cis_ids"] = _repeat([" ".join(c.cis_ids) for c, _ in meta], lengths)
    findings["fsbp_ids"] = _repeat([" ".join(c.fsbp_ids) for c, _ in meta], lengths)
    findings["account_id"] = s.account_id
    findings["finding_uid"] = finding_uid(findings["check_id"], findings["region"], findings["resource_id"])
    if findings["finding_uid"].duplicated().any():
        # A check returned two rows for one resource: keep one, the most severe verdict.
        rank = findings["status"].map(_STATUS_PRECEDENCE).fillna(9)
        findings = (findings.assign(_rank=rank).sort_values(["_rank"], kind="stable")
                    .drop_duplicates("finding_uid", keep="first").sort_index().drop(columns="_rank"))
    return findings.loc[:, list(FINDING_COLUMNS)].reset_index(drop=True)


def _repeat(values: list, counts: list[int]) -> pd.Series:
    import numpy as np

    return pd.Series(np.repeat(np.array(values, dtype=object), counts), dtype=object)
