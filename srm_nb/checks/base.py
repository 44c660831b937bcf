"""Vocabulary and helpers shared by the checks.

A check is a pure function of the snapshot: `def <id>(s: Snapshot) -> pd.DataFrame` returning one
row per (resource, region) with the columns in RESULT_COLUMNS. The runner adds the metadata
(title, severity, control ids...) and turns missing tables and collection gaps into ERROR; a check
decides PASS or FAIL on the data it has, and ERROR where a value it needs is missing (`verdicts`
does that for NA verdicts and for rows flagged `unknown=`). Build the frame with `verdicts()`
from a table and a boolean Series, `account_finding()` or `per_region()`: no per-row Python loops.
Read collected yes/no columns with `flag()`, so a missing value reaches `verdicts()` as NA.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pandas as pd

from ..vocabulary import (DOMAINS, ERROR, FAIL, GLOBAL, MANUAL, NOT_APPLICABLE, PASS, ROOT_USER,  # noqa: F401
                          SEVERITIES, STATUSES)

RESULT_COLUMNS = ("status", "region", "resource_id", "resource_arn", "detail")

_FIELD = re.compile(r"\{(\w+)\}")


def fill(df: pd.DataFrame, template: str) -> pd.Series:
    """Vectorized str.format: "Bucket {name} is public" -> one string per row of `df` (a missing
    value reads "none"). Each field's column is read once; the strings are joined row by row
    (adding Series of text part by part cost more than the checks' own work)."""
    n = len(df)
    pieces = []
    for i, part in enumerate(_FIELD.split(template)):
        if i % 2:
            pieces.append(["none" if is_missing(v) else str(v) for v in df[part].tolist()])
        elif part:
            pieces.append([part] * n)
    return pd.Series(["".join(row) for row in zip(*pieces)] if pieces else [""] * n, index=df.index,
                     dtype=object)


def is_missing(value) -> bool:
    """None, NaN, NA or NaT (a list or dict in a cell is a value, not missing)."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value)


_TRUE_TEXT = ("true", "1", "1.0")
_FALSE_TEXT = ("false", "0", "0.0")


def flag(series: pd.Series) -> pd.Series:
    """A collected yes/no column as pandas' nullable "boolean": True/False from bools, "true" /
    "false" text (any case) and 0/1; NA for anything missing (None, NaN, pd.NA) or unreadable.

    Verdicts built on it stay NA where the value is missing, and `verdicts()` makes those ERROR:
    `.astype(bool)` would turn None into False and NaN into True, a silent PASS or FAIL. Boolean
    operators keep the logic honest: False & NA is False, True | NA is True, the rest stays NA.
    """
    if series.dtype == bool:
        return series.astype("boolean")
    text = series.astype(object).where(series.notna()).astype(str).str.strip().str.lower()
    out = pd.Series(pd.NA, index=series.index, dtype="boolean")
    out[text.isin(_TRUE_TEXT).to_numpy()] = True
    out[text.isin(_FALSE_TEXT).to_numpy()] = False
    return out


def setting(values: pd.Series, has_row: pd.Series) -> pd.Series:
    """A yes/no setting read through a left merge with a settings table: `flag(values)`, but
    False where the resource has no row there. No row means nothing is configured; a read that
    failed is a gap instead, which the runner reports."""
    return flag(values).mask(~has_row.astype(bool), False)


def verdicts(
    df: pd.DataFrame,
    passed: pd.Series,
    *,
    resource_id: str,
    pass_detail: str,
    fail_detail: str,
    resource_arn: str | None = "arn",
    region: str = "region",
    unknown: pd.Series | None = None,
    unknown_detail: str = "Could not determine the verdict for {%s}: a value it depends on is missing "
                          "from the snapshot.",
) -> pd.DataFrame:
    """One PASS/FAIL row per row of `df`. Details are templates over `df`'s columns.

    Never a verdict on missing data: rows where `passed` is NA, or where `unknown` is True (the
    check says which inputs it could not read), become ERROR with `unknown_detail`.
    """
    if df.empty:
        return empty()
    passed, unknown = _aligned(passed, df), (_aligned(unknown, df) if unknown is not None else None)
    df = df.reset_index(drop=True)  # positional from here on: duplicate labels cannot misalign
    missing = passed.isna()
    if unknown is not None:
        missing = missing | unknown.fillna(False).astype(bool)
    ok = passed.where(~missing, False).astype(bool)
    status = [ERROR if m else PASS if o else FAIL for o, m in zip(ok.tolist(), missing.tolist())]
    # Each row's detail from its own template only: filling every template for every row
    # would triple the string work on large tables.
    detail = [""] * len(df)
    for verdict, template in ((PASS, pass_detail), (FAIL, fail_detail),
                              (ERROR, unknown_detail.replace("{%s}", "{" + resource_id + "}"))):
        rows = [i for i, v in enumerate(status) if v == verdict]
        if rows:
            for i, text in zip(rows, fill(df if len(rows) == len(df) else df.iloc[rows], template)):
                detail[i] = text
    return pd.DataFrame(
        {
            "status": pd.Series(status, dtype=object),
            "region": df[region].astype(str),
            "resource_id": df[resource_id].astype(str),
            "resource_arn": df[resource_arn].astype(object) if resource_arn else "",
            "detail": pd.Series(detail, dtype=object),
        }
    )


def _aligned(values: pd.Series, df: pd.DataFrame) -> pd.Series:
    """`values` in `df`'s row order, on a fresh 0..n-1 index."""
    if not isinstance(values, pd.Series):
        values = pd.Series(values, index=df.index)
    if not values.index.equals(df.index):
        values = values.reindex(df.index)
    return values.reset_index(drop=True)


def regional_merge(left: pd.DataFrame, right: pd.DataFrame, on: str | list[str], columns: list[str],
                   how: str = "left") -> pd.DataFrame:
    """`left` with `right`'s `columns`, matched on `on` AND the region: names of regional
    resources repeat across regions (DynamoDB global table replicas, copied snapshots), and a
    join on the name alone pairs each with the other region's settings."""
    keys = [on] if isinstance(on, str) else list(on)
    return left.merge(right[[*keys, "region", *columns]], on=[*keys, "region"], how=how)


def empty() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in RESULT_COLUMNS})


def account_arn(s) -> str:
    return f"arn:{s.partition}:iam::{s.account_id}:root"


def account_finding(s, status: str, detail: str, region: str = GLOBAL) -> pd.DataFrame:
    """A single finding about the account as a whole."""
    return pd.DataFrame([{"status": status, "region": region, "resource_id": s.account_id,
                          "resource_arn": account_arn(s), "detail": detail}],
                        columns=list(RESULT_COLUMNS))


def per_region(s, ok_regions: set[str], *, pass_detail: str, fail_detail: str,
               resource: str = "{region}", unknown_regions: set[str] = frozenset()) -> pd.DataFrame:
    """One finding per assessed region: PASS where the region is in `ok_regions`, ERROR where it
    is in `unknown_regions` (the value it depends on is missing)."""
    regions = pd.DataFrame({"region": s.regions})
    if regions.empty:
        return empty()
    regions["account"] = s.account_id
    regions["rid"] = fill(regions, resource)
    regions["arn"] = fill(regions, f"arn:{s.partition}:::{{account}}:region/{{region}}")
    return verdicts(regions, regions["region"].isin(ok_regions), resource_id="rid",
                    unknown=regions["region"].isin(unknown_regions),
                    pass_detail=pass_detail, fail_detail=fail_detail)


def assessed_at(s) -> pd.Timestamp:
    """The assessment's "now" (UTC): when collection started, so ages and expiries are measured
    from when the account was read and stay the same when a snapshot is checked again later."""
    started = (getattr(s, "manifest", None) or {}).get("started_at")
    ts = pd.Timestamp(started) if started else pd.Timestamp.now(tz="UTC")
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def parse_json(series: pd.Series) -> pd.Series:
    """JSON text columns (policies, rules) back to Python objects; None stays None."""
    return series.map(lambda v: json.loads(v) if isinstance(v, str) and v else None)


def as_list(value: Any) -> list:
    """IAM fields take a string or a list; always get a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
