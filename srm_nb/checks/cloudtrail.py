"""CloudTrail: is there an audit trail of every API call, and can it be trusted.

Which events a trail's selectors record, and which trails log every region, is read by
`trails` (shared with the CloudWatch monitoring checks).
"""

from __future__ import annotations

import pandas as pd

from .base import ERROR, FAIL, PASS, account_finding, flag, verdicts
from .s3 import exposure
from .trails import logs_s3_object_events, trails_with_selectors, unknown_trails


# -- checks ----------------------------------------------------------------------------------

def cloudtrail_trail_multiregion_logging(s) -> pd.DataFrame:
    df = trails_with_selectors(s)
    good = df[df["active_everywhere"] & df["management_rw"]]
    if not good.empty:
        return account_finding(s, PASS, f"Trail {good['name'].iloc[0]} logs every region, is logging, "
                                        "and records all management events (read and write).")
    unknown = unknown_trails(s, df, "all management events")
    if unknown is not None:
        return unknown
    partial = df[df["active_everywhere"]]
    if not partial.empty:
        p = partial.iloc[0]
        return account_finding(s, FAIL, f"Multi-region trail {p['name']} is logging but does not record all "
                                        f"management events ({p['management_gap']}): part of the API "
                                        "activity is not recorded.")
    return account_finding(s, FAIL, "No multi-region CloudTrail trail is logging: API activity in "
                                    "some or all regions is not recorded.")


def cloudtrail_trail_log_validation_enabled(s) -> pd.DataFrame:
    trails = s.table("cloudtrail_trails")
    return verdicts(trails, flag(trails["log_file_validation"]), resource_id="name",
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
    """CloudTrail.5 fails only when CloudWatchLogsLogGroupArn is empty (whether the trail is
    logging is CloudTrail.1's business)."""
    trails = s.table("cloudtrail_trails")
    group = trails["cloudwatch_logs_log_group_arn"].astype(object)
    ok = group.notna() & (group.astype(str) != "")
    return verdicts(trails, ok, resource_id="name",
                    pass_detail="Trail {name} sends its events to CloudWatch Logs ({cloudwatch_logs_log_group_arn}).",
                    fail_detail="Trail {name} sends no events to CloudWatch Logs: no real-time metric filter or "
                                "alarm can watch it.")


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


def cloudtrail_bucket_not_public(s) -> pd.DataFrame:
    df, missing = _trail_buckets(s)
    elsewhere = _elsewhere(missing, "policy and ACL")
    if df.empty:
        return elsewhere
    df = exposure(s, df)  # what anyone can do, after Block Public Access
    public = df["policy_read"] | df["policy_write"] | df["acl_read"] | df["acl_write"]
    found = verdicts(df, ~public, resource_id="name",
                     pass_detail="CloudTrail bucket {name} (trail {trails}) grants no public access.",
                     fail_detail="CloudTrail bucket {name} (trail {trails}) is readable by anyone through its "
                                 "policy or ACL: the audit log, with every API call of the account, is exposed.")
    return pd.concat([found, elsewhere], ignore_index=True)


def _object_logging(s, want: str) -> pd.DataFrame:
    df = trails_with_selectors(s)
    df["s3"] = [logs_s3_object_events(b, a, want, s.partition) for b, a in zip(df["basic"], df["advanced"])]
    good = df[df["active_everywhere"] & df["s3"]]
    if not good.empty:
        return account_finding(s, PASS, f"Trail {good['name'].iloc[0]} records S3 object-level {want} events "
                                        "for every bucket in every region.")
    unknown = unknown_trails(s, df, f"S3 object-level {want} events")
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
