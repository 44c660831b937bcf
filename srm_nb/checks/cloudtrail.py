"""CloudTrail: is there an audit trail of every API call, and can it be trusted.

Event selectors come in two forms: basic (`EventSelectors`, with ReadWriteType and DataResources)
and advanced (`AdvancedEventSelectors`, field selectors). A trail uses one or the other; the
helpers below read both, and count a selector only when it covers the whole class of events (all
buckets, read and/or write), not a subset.
"""

from __future__ import annotations

import pandas as pd

from .base import ERROR, FAIL, PASS, account_finding, as_list, parse_json, verdicts
from .policy import is_public_policy

PUBLIC_GROUPS = ("http://acs.amazonaws.com/groups/global/AllUsers",
                 "http://acs.amazonaws.com/groups/global/AuthenticatedUsers")


# -- event selectors -------------------------------------------------------------------------

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


def _logs_management_read_write(basic, advanced) -> bool:
    """True when the selectors record every management event, read and write."""
    for sel in basic or []:
        if sel.get("IncludeManagementEvents", True) and sel.get("ReadWriteType", "All") == "All":
            return True
    for sel in advanced or []:
        fields = _fields(sel)
        cat = fields.get("eventCategory") or {}
        if cat.get("Equals") == ["Management"] and _advanced_readonly_ok(fields, "both"):
            return True
    return False


def _all_buckets(values, partition: str) -> bool:
    """"arn:aws:s3" or "arn:aws:s3:::" select every bucket; anything longer names some."""
    return any(str(v).rstrip(":/") == f"arn:{partition}:s3" for v in values or [])


def _logs_s3_object_events(basic, advanced, want: str, partition: str = "aws") -> bool:
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


def _trails_with_selectors(s) -> pd.DataFrame:
    """cloudtrail_trails with the parsed selectors (lists, None when they could not be read)."""
    trails = s.table("cloudtrail_trails")
    sel = s.table("cloudtrail_event_selectors")[["trail_arn", "event_selectors_json",
                                                 "advanced_event_selectors_json"]]
    df = trails.merge(sel, left_on="arn", right_on="trail_arn", how="left")
    df["basic"] = parse_json(df["event_selectors_json"])
    df["advanced"] = parse_json(df["advanced_event_selectors_json"])
    df["active_everywhere"] = (df["is_multi_region"].fillna(False).astype(bool)
                               & df["is_logging"].fillna(False).astype(bool))
    df["management_rw"] = [_logs_management_read_write(b, a) for b, a in zip(df["basic"], df["advanced"])]
    # No selector row: GetEventSelectors failed for the trail (a gap), so its selectors are unknown.
    df["selectors_unknown"] = df["trail_arn"].isna()
    return df


def _unknown_trails(s, df: pd.DataFrame, what: str) -> pd.DataFrame | None:
    """An ERROR finding when no trail qualifies but a multi-region trail might, had its logging
    status or event selectors been readable (a gap); None otherwise."""
    multi = df["is_multi_region"].fillna(False).astype(bool)
    status_unknown = df["is_logging"].isna()
    logging = df["is_logging"].fillna(False).astype(bool)
    unknown = df[multi & (status_unknown | (logging & df["selectors_unknown"]))]
    if unknown.empty:
        return None
    return account_finding(s, ERROR, f"Could not evaluate: the logging status or event selectors of "
                                     f"multi-region trail {unknown['name'].iloc[0]} could not be read, so "
                                     f"whether it records {what} is unknown.")


# -- checks ----------------------------------------------------------------------------------

def cloudtrail_trail_multiregion_logging(s) -> pd.DataFrame:
    df = _trails_with_selectors(s)
    good = df[df["active_everywhere"] & df["management_rw"]]
    if not good.empty:
        return account_finding(s, PASS, f"Trail {good['name'].iloc[0]} logs every region, is logging, "
                                        "and records all management events (read and write).")
    unknown = _unknown_trails(s, df, "all management events")
    if unknown is not None:
        return unknown
    partial = df[df["active_everywhere"]]
    if not partial.empty:
        return account_finding(s, FAIL, f"Multi-region trail {partial['name'].iloc[0]} is logging but does "
                                        "not record all management events (read and write): part of "
                                        "the API activity is not recorded.")
    return account_finding(s, FAIL, "No multi-region CloudTrail trail is logging: API activity in "
                                    "some or all regions is not recorded.")


def cloudtrail_trail_log_validation_enabled(s) -> pd.DataFrame:
    trails = s.table("cloudtrail_trails")
    return verdicts(trails, trails["log_file_validation"].astype(bool), resource_id="name",
                    pass_detail="Trail {name} validates its log files.",
                    fail_detail="Trail {name} has log file validation off: tampering with logs would go unnoticed.")


def cloudtrail_trail_kms_encrypted(s) -> pd.DataFrame:
    trails = s.table("cloudtrail_trails")
    key = trails["kms_key_id"].astype(object)
    ok = key.notna() & (key.astype(str) != "")
    return verdicts(trails, ok, resource_id="name",
                    pass_detail="Trail {name} encrypts its log files with KMS key {kms_key_id}.",
                    fail_detail="Trail {name} does not encrypt its log files with a KMS key (only S3-managed "
                                "encryption): anyone who can read the bucket can read the audit log.")


def cloudtrail_trail_cloudwatch_logs_integrated(s) -> pd.DataFrame:
    trails = s.table("cloudtrail_trails")
    group = trails["cloudwatch_logs_log_group_arn"].astype(object)
    ok = group.notna() & (group.astype(str) != "") & trails["is_logging"].fillna(False).astype(bool)
    return verdicts(trails, ok, resource_id="name",
                    pass_detail="Trail {name} delivers its events to CloudWatch Logs ({cloudwatch_logs_log_group_arn}).",
                    fail_detail="Trail {name} does not deliver events to CloudWatch Logs (or is not logging): "
                                "no real-time metric filters or alarms can watch it.")


def _trail_buckets(s) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(buckets of this account that receive trail logs, with their region and ARN;
    buckets that are not in this account's bucket list, e.g. a central logging account's)."""
    trails = s.table("cloudtrail_trails")
    buckets = s.table("s3_buckets")[["name", "region", "arn"]]
    used = (trails.dropna(subset=["s3_bucket_name"]).groupby("s3_bucket_name")["name"]
            .agg(lambda names: ", ".join(sorted(set(names)))).rename("trails").reset_index())
    df = used.merge(buckets, left_on="s3_bucket_name", right_on="name", how="left")
    return df[df["name"].notna()], df[df["name"].isna()]


def _elsewhere(missing: pd.DataFrame, what: str) -> pd.DataFrame:
    return pd.DataFrame({
        "status": ERROR,
        "region": "global",
        "resource_id": missing["s3_bucket_name"].astype(str),
        "resource_arn": "",
        "detail": ("Bucket " + missing["s3_bucket_name"].astype(str) + " (trail " + missing["trails"]
                   + ") is not in this account's bucket list (another account's, or deleted): could not evaluate; "
                   + f"check its {what} in the account that owns it."),
    })


def cloudtrail_bucket_access_logging_enabled(s) -> pd.DataFrame:
    df, missing = _trail_buckets(s)
    logging = s.table("s3_bucket_logging")[["name", "target_bucket"]]
    df = df.merge(logging, on="name", how="left")
    target = df["target_bucket"].astype(object)
    ok = target.notna() & (target.astype(str) != "")
    found = verdicts(df, ok, resource_id="name",
                     pass_detail="CloudTrail bucket {name} (trail {trails}) logs its access to {target_bucket}.",
                     fail_detail="CloudTrail bucket {name} (trail {trails}) has server access logging off: "
                                 "reads and deletions of the audit log leave no record.")
    return pd.concat([found, _elsewhere(missing, "server access logging")], ignore_index=True)


def _acl_public(grants) -> bool:
    return any((g.get("Grantee") or {}).get("URI") in PUBLIC_GROUPS for g in as_list(grants))


def cloudtrail_bucket_not_public(s) -> pd.DataFrame:
    df, missing = _trail_buckets(s)
    elsewhere = _elsewhere(missing, "policy and ACL")
    pols = s.table("s3_bucket_policies")[["name", "policy_json"]]
    status = s.table("s3_bucket_policy_status")[["name", "is_public"]]
    acls = s.table("s3_bucket_acls")[["name", "grants_json"]]
    pab = s.table("s3_bucket_public_access_block").drop(columns=["region"])
    account_pab = s.table("s3_account_public_access_block")
    df = df.merge(pols, on="name", how="left").merge(status, on="name", how="left")
    df = df.merge(acls, on="name", how="left").merge(pab, on="name", how="left")
    acct = account_pab.iloc[0] if len(account_pab) else {}
    if df.empty:
        return elsewhere

    def flag(col: str) -> pd.Series:
        own = df[col].astype(object).fillna(False).astype(bool) if col in df else False
        return own | bool(acct.get(col, False) or False)

    policy_public = (parse_json(df["policy_json"]).map(lambda p: bool(p) and is_public_policy(p)).astype(bool)
                     | df["is_public"].astype(object).fillna(False).astype(bool))
    acl_public = parse_json(df["grants_json"]).map(_acl_public).astype(bool)
    public = (policy_public & ~flag("restrict_public_buckets")) | (acl_public & ~flag("ignore_public_acls"))
    found = verdicts(df, ~public, resource_id="name",
                     pass_detail="CloudTrail bucket {name} (trail {trails}) grants no public access.",
                     fail_detail="CloudTrail bucket {name} (trail {trails}) is readable by anyone through its "
                                 "policy or ACL: the audit log, with every API call of the account, is exposed.")
    return pd.concat([found, elsewhere], ignore_index=True)


def _object_logging(s, want: str) -> pd.DataFrame:
    df = _trails_with_selectors(s)
    df["s3"] = [_logs_s3_object_events(b, a, want, s.partition) for b, a in zip(df["basic"], df["advanced"])]
    good = df[df["active_everywhere"] & df["s3"]]
    if not good.empty:
        return account_finding(s, PASS, f"Trail {good['name'].iloc[0]} records S3 object-level {want} events "
                                        "for every bucket in every region.")
    unknown = _unknown_trails(s, df, f"S3 object-level {want} events")
    if unknown is not None:
        return unknown
    some = df[df["s3"]]
    if not some.empty:
        return account_finding(s, FAIL, f"Trail {some['name'].iloc[0]} records S3 object-level {want} events "
                                        "but is not a logging multi-region trail.")
    return account_finding(s, FAIL, f"No trail records S3 object-level {want} events for all buckets: "
                                    f"who {'read' if want == 'read' else 'wrote or deleted'} which object "
                                    "cannot be traced.")


def cloudtrail_s3_object_write_logging(s) -> pd.DataFrame:
    return _object_logging(s, "write")


def cloudtrail_s3_object_read_logging(s) -> pd.DataFrame:
    return _object_logging(s, "read")
