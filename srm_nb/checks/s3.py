"""S3: who can reach the buckets, and how their data is protected, versioned, logged and kept.

Public access is judged as S3 itself decides it: a bucket policy that grants anyone access is
neutralized by RestrictPublicBuckets, a public ACL grant by IgnorePublicAcls, each set on the
bucket or on the account (Block Public Access). FSBP S3.2 and S3.3 split what is left into public
read and public write (AWS Config s3-bucket-public-read/write-prohibited).
"""

from __future__ import annotations

import fnmatch

import pandas as pd

from .base import ERROR, FAIL, PASS, account_finding, as_list, empty, flag, parse_json, setting, verdicts
from .policy import denies_insecure_transport, public_statements

PAB_FLAGS = ["block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"]
PUBLIC_GROUPS = {
    "http://acs.amazonaws.com/groups/global/AllUsers": "everyone",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "any AWS account",
}
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")
# Sample actions of each kind: an allowed action pattern that matches one reads or writes.
READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "s3:ListBucketVersions")
WRITE_ACTIONS = ("s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion", "s3:PutObjectAcl",
                 "s3:PutBucketPolicy", "s3:PutBucketAcl", "s3:DeleteBucket")
ACL_READ = {"READ", "READ_ACP", "FULL_CONTROL"}
ACL_WRITE = {"WRITE", "WRITE_ACP", "FULL_CONTROL"}


def _with(s, table: str, columns: list[str]) -> pd.DataFrame:
    """Every bucket, with `columns` of one settings table (NaN where the bucket has no row) and
    `recorded`: whether it has a row (see `setting`)."""
    df = s.table("s3_buckets").merge(s.table(table)[["name", *columns]], on="name", how="left", indicator="recorded")
    return df.assign(recorded=df["recorded"] == "both")


def _allows(statement: dict, samples: tuple[str, ...]) -> bool:
    if "NotAction" in statement:  # everything but the listed actions
        excluded = [str(a).lower() for a in as_list(statement["NotAction"])]
        return any(not any(fnmatch.fnmatchcase(a.lower(), x) for x in excluded) for a in samples)
    patterns = [str(a).lower() for a in as_list(statement.get("Action"))]
    return any(fnmatch.fnmatchcase(a.lower(), p) for a in samples for p in patterns)


def policy_public_access(doc) -> tuple[bool, bool]:
    """(public read, public write) granted by a bucket policy's public Allow statements."""
    if not doc:
        return False, False
    public = public_statements(doc)
    return (any(_allows(st, READ_ACTIONS) for st in public), any(_allows(st, WRITE_ACTIONS) for st in public))


def _acl_public_access(grants) -> tuple[bool, bool]:
    perms = {str(g.get("Permission")) for g in as_list(grants) if isinstance(g, dict)
             and (g.get("Grantee") or {}).get("URI") in PUBLIC_GROUPS}
    return bool(perms & ACL_READ), bool(perms & ACL_WRITE)


def exposure(s, df: pd.DataFrame) -> pd.DataFrame:
    """`df` (buckets by `name`) with what anyone can do after Block Public Access: policy_read,
    policy_write, acl_read, acl_write (booleans; NA where a setting that decides it is missing),
    and public_grants (the ACL's public grants, as text)."""
    pols = s.table("s3_bucket_policies")[["name", "policy_json"]]
    status = s.table("s3_bucket_policy_status")[["name", "is_public"]]
    acls = s.table("s3_bucket_acls")[["name", "grants_json"]]
    pab = s.table("s3_bucket_public_access_block")[["name", "restrict_public_buckets", "ignore_public_acls"]]
    account_pab = s.table("s3_account_public_access_block")
    df = df.merge(pols, on="name", how="left").merge(status, on="name", how="left", indicator="status_row")
    df = df.merge(acls, on="name", how="left").merge(pab, on="name", how="left", indicator="pab_row")

    def blocked(col: str) -> pd.Series:
        own = setting(df[col], df["pab_row"] == "both")
        return own | (flag(account_pab[col]).iloc[0] if len(account_pab) else False)  # no row: none set

    access = parse_json(df["policy_json"]).map(policy_public_access)
    read, write = access.map(lambda a: a[0]).astype(bool), access.map(lambda a: a[1]).astype(bool)
    # S3's own policy status may call public what our reading did not: count it as both.
    aws_says = setting(df["is_public"], df["status_row"] == "both") & ~(read | write)
    restricted = blocked("restrict_public_buckets")
    df["policy_read"] = (read | aws_says) & ~restricted
    df["policy_write"] = (write | aws_says) & ~restricted
    grants = parse_json(df["grants_json"])
    acl = grants.map(_acl_public_access)
    ignored = blocked("ignore_public_acls")
    df["acl_read"] = acl.map(lambda a: a[0]).astype(bool) & ~ignored
    df["acl_write"] = acl.map(lambda a: a[1]).astype(bool) & ~ignored
    df["public_grants"] = grants.map(_public_grants)
    return df


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


def s3_bucket_public_access_block_effective(s) -> pd.DataFrame:
    """CIS: Block Public Access enabled for the bucket, by its own settings or the account's."""
    df = _with(s, "s3_bucket_public_access_block", PAB_FLAGS)
    own = setting(df[PAB_FLAGS[0]], df["recorded"])
    for col in PAB_FLAGS[1:]:
        own = own & setting(df[col], df["recorded"])
    account = _account_blocks_all(s)
    df["by"] = "its own settings" if account is not True else "the account's settings"
    return verdicts(df, own | account, resource_id="name",
                    pass_detail="Bucket {name} blocks all public access (through {by}).",
                    fail_detail="Bucket {name} does not block all public access: neither its own Block Public "
                                "Access settings nor the account's are all on.")


def _account_blocks_all(s):
    """True/False when the account-level settings are all on / one is off; NA when one is missing."""
    pab = s.table("s3_account_public_access_block")
    if pab.empty:
        return False  # no row: never configured (a failed read is a gap the runner reports)
    on = flag(pab[PAB_FLAGS].iloc[0])
    return False if on.eq(False).any() else (pd.NA if on.isna().any() else True)


def s3_bucket_policy_not_public(s) -> pd.DataFrame:
    df = exposure(s, s.table("s3_buckets"))
    public = df["policy_read"] | df["policy_write"]
    return verdicts(df, ~public, resource_id="name",
                    pass_detail="Bucket {name}'s policy grants nothing to everyone (or Block Public Access "
                                "restricts it).",
                    fail_detail="Bucket {name} has a bucket policy that grants access to anyone (Principal '*' "
                                "without a limiting condition), and no RestrictPublicBuckets setting stops it.")


def _public_grants(grants) -> str:
    found = sorted({f"{PUBLIC_GROUPS[g['Grantee']['URI']]}: {g.get('Permission')}"
                    for g in as_list(grants) if isinstance(g, dict)
                    and g.get("Grantee", {}).get("URI") in PUBLIC_GROUPS})
    return "; ".join(found)


def s3_bucket_acl_not_public(s) -> pd.DataFrame:
    df = exposure(s, s.table("s3_buckets"))
    return verdicts(df, ~(df["acl_read"] | df["acl_write"]), resource_id="name",
                    pass_detail="Bucket {name}'s ACL grants nothing to everyone or to all AWS accounts (or "
                                "IgnorePublicAcls is on).",
                    fail_detail="Bucket {name}'s ACL grants access to the public ({public_grants}), and no "
                                "IgnorePublicAcls setting stops it.")


def _public_access(s, kind: str, pass_detail: str, fail_detail: str) -> pd.DataFrame:
    """Buckets anyone can `kind` ("read"/"write") through their policy or ACL, after Block
    Public Access; the detail says through which."""
    df = exposure(s, s.table("s3_buckets"))
    policy, acl = df[f"policy_{kind}"], df[f"acl_{kind}"]
    df["how"] = (policy.map({True: "its bucket policy", False: ""}) + (policy & acl).map({True: " and ", False: ""})
                 + acl.map({True: "its ACL", False: ""}))
    return verdicts(df, ~(policy | acl), resource_id="name", pass_detail=pass_detail, fail_detail=fail_detail)


def s3_bucket_public_read_prohibited(s) -> pd.DataFrame:
    return _public_access(s, "read", "Nobody outside the account can read bucket {name}.",
                          "Anyone can read bucket {name} through {how}.")


def s3_bucket_public_write_prohibited(s) -> pd.DataFrame:
    return _public_access(s, "write", "Nobody outside the account can write to bucket {name}.",
                          "Anyone can write to or delete from bucket {name} through {how}.")


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
    """S3.20 judges buckets without a lifecycle configuration (AWS does not allow MFA delete with
    one, and the control produces no finding for them)."""
    df = _with(s, "s3_bucket_versioning", ["status", "mfa_delete"])
    life = s.table("s3_bucket_lifecycle")
    lifecycle = set(life.loc[pd.to_numeric(life["rule_count"], errors="coerce").fillna(0) > 0, "name"])
    df = df[~df["name"].isin(lifecycle)]
    return verdicts(df, (df["status"] == "Enabled") & (df["mfa_delete"] == "Enabled"), resource_id="name",
                    pass_detail="Bucket {name} requires MFA to delete versions or change versioning.",
                    fail_detail="Bucket {name} does not require MFA delete (versioning {status}, MFA delete {mfa_delete}).")


def s3_bucket_access_logging_enabled(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_logging", ["target_bucket"])
    return verdicts(df, df["target_bucket"].notna(), resource_id="name",
                    pass_detail="Bucket {name} writes server access logs to {target_bucket}.",
                    fail_detail="Bucket {name} has no server access logging.")


def s3_bucket_object_lock_enabled(s) -> pd.DataFrame:
    """S3.15 applies to every general purpose bucket."""
    df = _with(s, "s3_bucket_object_lock", ["enabled", "default_mode", "default_days", "default_years"])
    return verdicts(df, setting(df["enabled"], df["recorded"]), resource_id="name",
                    pass_detail="Bucket {name} has Object Lock (default retention: {default_mode}).",
                    fail_detail="Bucket {name} has no Object Lock: its objects can be deleted or overwritten "
                                "before any retention period.")


def s3_bucket_lifecycle_configured(s) -> pd.DataFrame:
    df = _with(s, "s3_bucket_lifecycle", ["enabled_rule_count"])
    n = pd.to_numeric(df["enabled_rule_count"], errors="coerce").fillna(0)
    return verdicts(df, n > 0, resource_id="name",
                    pass_detail="Bucket {name} has {enabled_rule_count} enabled lifecycle rule(s).",
                    fail_detail="Bucket {name} has no enabled lifecycle rule: data is kept (and paid for) indefinitely.")
