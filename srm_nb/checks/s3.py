"""S3: who can reach the buckets, and how their data is protected, versioned, logged and kept."""

from __future__ import annotations

import pandas as pd

from .base import ERROR, FAIL, PASS, account_finding, as_list, empty, flag, parse_json, setting, verdicts
from .policy import denies_insecure_transport, is_public_policy

PAB_FLAGS = ["block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"]
PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "everyone",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "any AWS account",
}
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _with(s, table: str, columns: list[str]) -> pd.DataFrame:
    """Every bucket, with `columns` of one settings table (NaN where the bucket has no row) and
    `recorded`: whether it has a row (see `setting`)."""
    df = s.table("s3_buckets").merge(s.table(table)[["name", *columns]], on="name", how="left", indicator="recorded")
    return df.assign(recorded=df["recorded"] == "both")


def s3_bucket_default_encryption(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_encryption", ["sse_algorithm"])
    return verdicts(df, df["sse_algorithm"].notna(), resource_id="name",
                    pass_detail="Bucket {name} encrypts new objects by default ({sse_algorithm}).",
                    fail_detail="Bucket {name} has no default encryption configured.")


def s3_bucket_kms_encryption(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_encryption", ["sse_algorithm", "kms_key_id"])
    df["key"] = df["kms_key_id"].where(df["kms_key_id"].notna(), "the AWS-managed key aws/s3")
    df["current"] = df["sse_algorithm"].where(df["sse_algorithm"].notna(), "not configured")
    return verdicts(df, df["sse_algorithm"].isin(KMS_ALGORITHMS), resource_id="name",
                    pass_detail="Bucket {name} encrypts by default with KMS ({key}).",
                    fail_detail="Bucket {name} default encryption is {current}, not SSE-KMS: key use is "
                                "neither logged in CloudTrail nor controllable by key policy.")


def s3_bucket_public_access_blocked(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_public_access_block", PAB_FLAGS)
    ok = setting(df[PAB_FLAGS[0]], df["recorded"])
    for col in PAB_FLAGS[1:]:
        ok = ok & setting(df[col], df["recorded"])  # any setting off: FAIL; else one missing: ERROR
    return verdicts(df, ok, resource_id="name",
                    pass_detail="Bucket {name} blocks all public access.",
                    fail_detail="Bucket {name} does not block all public access (bucket-level Block Public Access is incomplete).")


def s3_account_public_access_blocked(s) -> pd.DataFrame:
    pab = s.table("s3_account_public_access_block")
    if pab.empty:
        return empty()
    on = flag(pab[PAB_FLAGS].iloc[0])
    off = list(on.index[on.eq(False).fillna(False).to_numpy()])
    if on.all() and not on.isna().any():
        return account_finding(s, PASS, "The account blocks public access to every S3 bucket (all four "
                                        "Block Public Access settings are on at account level).")
    if not off:
        return account_finding(s, ERROR, "Could not evaluate: account-level Block Public Access settings "
                                         "are missing from the snapshot.")
    if flag(pab["configured"]).eq(False).iloc[0]:
        return account_finding(s, FAIL, "The account has no account-level S3 Block Public Access "
                                        "configuration: each bucket relies on its own settings.")
    return account_finding(s, FAIL, "Account-level S3 Block Public Access is incomplete: "
                                    + ", ".join(off) + " off.")


def s3_bucket_policy_not_public(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_policy_status", ["is_public"])
    df = df.merge(s.table("s3_bucket_policies")[["name", "policy_json"]], on="name", how="left")
    ours = parse_json(df["policy_json"]).map(lambda p: bool(p) and is_public_policy(p))
    aws_says = setting(df["is_public"], df["recorded"])  # S3's own policy status evaluation
    return verdicts(df, ~(ours | aws_says), resource_id="name",
                    pass_detail="Bucket {name} has no bucket policy that grants access to everyone.",
                    fail_detail="Bucket {name} has a bucket policy that grants access to anyone (Principal '*' without a limiting condition).")


def _public_grants(grants) -> str:
    found = sorted({f"{PUBLIC_GROUPS[g['Grantee']['URI']]}: {g.get('Permission')}"
                    for g in as_list(grants) if isinstance(g, dict)
                    and g.get("Grantee", {}).get("URI") in PUBLIC_GROUPS})
    return "; ".join(found)


def s3_bucket_acl_not_public(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_acls", ["grants_json"])
    df["public_grants"] = parse_json(df["grants_json"]).map(_public_grants)
    return verdicts(df, df["public_grants"] == "", resource_id="name",
                    pass_detail="Bucket {name}'s ACL grants nothing to everyone or to all AWS accounts.",
                    fail_detail="Bucket {name}'s ACL grants access to the public ({public_grants}).")


def s3_bucket_acls_disabled(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_ownership_controls", ["object_ownership"])
    df["ownership"] = df["object_ownership"].where(df["object_ownership"].notna(), "ObjectWriter (no controls set)")
    return verdicts(df, df["object_ownership"] == "BucketOwnerEnforced", resource_id="name",
                    pass_detail="Bucket {name} has ACLs disabled (BucketOwnerEnforced): access is decided by policies only.",
                    fail_detail="Bucket {name} still honours ACLs (object ownership {ownership}): access can be granted "
                                "outside any policy, per object.")


def s3_bucket_tls_required(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_policies", ["policy_json"])
    docs = parse_json(df["policy_json"])
    tls = pd.Series([bool(d) and denies_insecure_transport(d, bucket=str(name))
                     for d, name in zip(docs, df["name"])], index=df.index)
    return verdicts(df, tls, resource_id="name",
                    pass_detail="Bucket {name} denies requests not sent over TLS.",
                    fail_detail="Bucket {name} has no policy statement denying every S3 action to everyone on "
                                "the bucket and its objects over plain HTTP (aws:SecureTransport false).")


def s3_bucket_versioning_enabled(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_versioning", ["status"])
    df["state"] = df["status"].fillna("never enabled")
    return verdicts(df, df["status"] == "Enabled", resource_id="name",
                    pass_detail="Bucket {name} keeps previous versions of its objects.",
                    fail_detail="Bucket {name} versioning is {state}: an overwrite or delete cannot be undone.")


def s3_bucket_mfa_delete_enabled(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_versioning", ["status", "mfa_delete"])
    return verdicts(df, (df["status"] == "Enabled") & (df["mfa_delete"] == "Enabled"), resource_id="name",
                    pass_detail="Bucket {name} requires MFA to delete versions or change versioning.",
                    fail_detail="Bucket {name} does not require MFA delete (versioning {status}, MFA delete {mfa_delete}).")


def s3_bucket_access_logging_enabled(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_logging", ["target_bucket"])
    return verdicts(df, df["target_bucket"].notna(), resource_id="name",
                    pass_detail="Bucket {name} writes server access logs to {target_bucket}.",
                    fail_detail="Bucket {name} has no server access logging.")


def s3_bucket_object_lock_enabled(s) -> pd.DataFrame:
    """Applies to the buckets that receive logs: server access log targets and, when CloudTrail
    was collected, trail buckets. Object Lock keeps those records from being erased."""
    df = _with(s, "s3_bucket_object_lock", ["enabled", "default_mode", "default_days", "default_years"])
    log_targets = set(s.table("s3_bucket_logging")["target_bucket"].dropna())
    if s.has("cloudtrail_trails"):
        log_targets |= set(s.table("cloudtrail_trails")["s3_bucket_name"].dropna())
    df = df[df["name"].isin(log_targets)].copy()
    return verdicts(df, setting(df["enabled"], df["recorded"]), resource_id="name",
                    pass_detail="Log bucket {name} has Object Lock (default retention: {default_mode}).",
                    fail_detail="Log bucket {name} has no Object Lock: its logs can be deleted or overwritten.")


def s3_bucket_lifecycle_configured(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_lifecycle", ["enabled_rule_count"])
    n = pd.to_numeric(df["enabled_rule_count"], errors="coerce").fillna(0)
    return verdicts(df, n > 0, resource_id="name",
                    pass_detail="Bucket {name} has {enabled_rule_count} enabled lifecycle rule(s).",
                    fail_detail="Bucket {name} has no enabled lifecycle rule: data is kept (and paid for) indefinitely.")
