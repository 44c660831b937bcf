"""CloudTrail trails as the checks read them: which events a trail's selectors record, and which
trails log every region. Shared by the CloudTrail checks and the CloudWatch monitoring checks.

Event selectors come in two forms: basic (`EventSelectors`, with ReadWriteType and DataResources)
and advanced (`AdvancedEventSelectors`, field selectors). A trail uses one or the other; the
helpers below read both, and count a selector only when it covers the whole class of events (all
buckets, read and/or write), not a subset. Management events are "all" only when no source is left
out: ExcludeManagementEventSources (KMS or RDS Data API events) must be empty, as CloudTrail.1
checks, and an advanced selector must not narrow them by eventSource or anything else.

GetEventSelectors always answers with the trail's selectors: a trail created without any has
AWS's default one (all read and write management events, no data events). An empty answer is
taken literally: nothing matches, nothing is recorded.
"""

from __future__ import annotations

import pandas as pd

from .base import ERROR, account_finding, flag, parse_json


def _fields(selector: dict) -> dict[str, dict]:
    return {f.get("Field"): f for f in selector.get("FieldSelectors") or []}


def _advanced_readonly_ok(fields: dict, want: str) -> bool:
    """want: "read", "write" or "both". No readOnly field selector records both."""
    ro = fields.get("readOnly")
    if ro is None:
        return True
    allowed = {"true", "false"}
    if ro.get("Equals"):
        allowed &= {str(v).lower() for v in ro["Equals"]}
    if ro.get("NotEquals"):
        allowed -= {str(v).lower() for v in ro["NotEquals"]}
    needed = {"read": {"true"}, "write": {"false"}, "both": {"true", "false"}}[want]
    return needed <= allowed


def management_gap(basic, advanced) -> str:
    """What keeps the selectors from recording every management event, read and write; "" when
    nothing does (one selector is enough)."""
    gaps = []
    for sel in basic or []:
        if not sel.get("IncludeManagementEvents", True):
            continue
        if sel.get("ReadWriteType", "All") != "All":
            gaps.append(f"{sel.get('ReadWriteType')} management events only")
        elif sel.get("ExcludeManagementEventSources"):
            gaps.append("excludes events of " + ", ".join(sel["ExcludeManagementEventSources"]))
        else:
            return ""
    for sel in advanced or []:
        fields = _fields(sel)
        if (fields.get("eventCategory") or {}).get("Equals") != ["Management"]:
            continue
        narrowing = sorted(set(fields) - {"eventCategory", "readOnly"})
        if not _advanced_readonly_ok(fields, "both"):
            gaps.append("read or write management events only")
        elif narrowing:
            gaps.append("management events narrowed by " + ", ".join(narrowing))
        else:
            return ""
    return "; ".join(gaps) or "no management events"


def logs_management_read_write(basic, advanced) -> bool:
    """True when the selectors record every management event, read and write, of every source."""
    return management_gap(basic, advanced) == ""


def _all_buckets(values, partition: str) -> bool:
    """"arn:aws:s3" or "arn:aws:s3:::" select every bucket; anything longer names some."""
    return any(str(v).rstrip(":/") == f"arn:{partition}:s3" for v in values or [])


def logs_s3_object_events(basic, advanced, want: str, partition: str = "aws") -> bool:
    """True when the selectors record S3 object-level `want` ("read"/"write") events of every bucket."""
    allowed = ("All", "ReadOnly") if want == "read" else ("All", "WriteOnly")
    for sel in basic or []:
        if sel.get("ReadWriteType", "All") not in allowed:
            continue
        for res in sel.get("DataResources") or []:
            if res.get("Type") == "AWS::S3::Object" and _all_buckets(res.get("Values"), partition):
                return True
    for sel in advanced or []:
        fields = _fields(sel)
        if (fields.get("eventCategory") or {}).get("Equals") != ["Data"]:
            continue
        if (fields.get("resources.type") or {}).get("Equals") != ["AWS::S3::Object"]:
            continue
        arn = fields.get("resources.ARN")
        if arn is not None and not (set(arn) <= {"Field", "StartsWith"}
                                    and _all_buckets(arn.get("StartsWith"), partition)):
            continue  # limited to some buckets
        if set(fields) - {"eventCategory", "resources.type", "resources.ARN", "readOnly"}:
            continue  # narrowed by eventName, userIdentity...: not every object event
        if _advanced_readonly_ok(fields, want):
            return True
    return False


def trails_with_selectors(s) -> pd.DataFrame:
    """cloudtrail_trails with the parsed selectors (lists, None when they could not be read) and
    `active_everywhere`: multi-region and logging. A trail whose multi-region setting or logging
    status is missing is not counted active here; `unknown_trails` reports it."""
    trails = s.table("cloudtrail_trails")
    sel = s.table("cloudtrail_event_selectors")[["trail_arn", "event_selectors_json",
                                                 "advanced_event_selectors_json"]]
    df = trails.merge(sel, left_on="arn", right_on="trail_arn", how="left")
    df["basic"] = parse_json(df["event_selectors_json"])
    df["advanced"] = parse_json(df["advanced_event_selectors_json"])
    df["active_everywhere"] = (flag(df["is_multi_region"]) & flag(df["is_logging"])).fillna(False).astype(bool)
    df["management_gap"] = [management_gap(b, a) for b, a in zip(df["basic"], df["advanced"])]
    df["management_rw"] = df["management_gap"] == ""
    # No selector row: GetEventSelectors failed for the trail (a gap), so its selectors are unknown.
    df["selectors_unknown"] = df["trail_arn"].isna()
    return df


def unknown_trails(s, df: pd.DataFrame, what: str) -> pd.DataFrame | None:
    """An ERROR finding when no trail qualifies but one might, had its multi-region setting,
    logging status or event selectors been readable (a gap); None otherwise."""
    multi, logging = flag(df["is_multi_region"]), flag(df["is_logging"])
    could_qualify = (multi.fillna(True) & logging.fillna(True)).astype(bool)
    unread = (multi.isna() | logging.isna() | df["selectors_unknown"]).astype(bool)
    unknown = df.index[(could_qualify & unread).to_numpy()]
    if unknown.empty:
        return None
    i = unknown[0]
    missing = [label for label, absent in (("multi-region setting", multi.isna()[i]),
                                           ("logging status", logging.isna()[i]),
                                           ("event selectors", df["selectors_unknown"][i])) if absent]
    return account_finding(s, ERROR, f"Could not evaluate: the {' and '.join(missing)} of trail "
                                     f"{df['name'][i]} could not be read, so whether it records {what} "
                                     "is unknown.")
