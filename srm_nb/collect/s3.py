"""S3: buckets and their access, encryption, TLS, versioning, logging and retention settings.

S3 has no list form for bucket settings, so each bucket costs one call per setting. The calls are
independent: `ctx.map` runs them side by side, within S3's bound on requests in flight (IN_FLIGHT).

ListBuckets answers with each bucket's region (BucketRegion) in current API versions; when it does
not, GetBucketLocation is asked. Requests for a bucket in another region are redirected by
botocore's S3 region redirector, which caches the bucket's region after the first call.

The account-level Block Public Access setting lives in S3 Control (`s3_account_public_access_block`).
"""

from __future__ import annotations

from .base import GLOBAL, Ctx, collector, to_json

# S3 serves these reads freely and each costs a round trip: many in flight hide the latency.
IN_FLIGHT = 32

BUCKET_TABLES = ("s3_buckets", "s3_bucket_encryption", "s3_bucket_policies", "s3_bucket_policy_status",
                 "s3_bucket_public_access_block", "s3_bucket_acls", "s3_bucket_versioning",
                 "s3_bucket_logging", "s3_bucket_object_lock", "s3_bucket_lifecycle",
                 "s3_bucket_ownership_controls")


@collector(
    "s3_buckets",
    service="s3",
    scope=GLOBAL,
    operations=("ListBuckets", "GetBucketLocation", "GetBucketEncryption", "GetBucketPolicy",
                "GetBucketPolicyStatus", "GetPublicAccessBlock", "GetBucketAcl", "GetBucketVersioning",
                "GetBucketLogging", "GetObjectLockConfiguration", "GetBucketLifecycleConfiguration",
                "GetBucketOwnershipControls"),
    tables={
        "s3_buckets": ("region", "name", "arn", "creation_date"),
        "s3_bucket_encryption": ("region", "name", "sse_algorithm", "kms_key_id", "bucket_key_enabled"),
        "s3_bucket_policies": ("region", "name", "policy_json"),
        "s3_bucket_policy_status": ("region", "name", "is_public"),
        "s3_bucket_public_access_block": ("region", "name", "block_public_acls", "ignore_public_acls",
                                          "block_public_policy", "restrict_public_buckets"),
        "s3_bucket_acls": ("region", "name", "owner_id", "grants_json"),
        "s3_bucket_versioning": ("region", "name", "status", "mfa_delete"),
        "s3_bucket_logging": ("region", "name", "target_bucket", "target_prefix"),
        "s3_bucket_object_lock": ("region", "name", "enabled", "default_mode", "default_days",
                                  "default_years"),
        "s3_bucket_lifecycle": ("region", "name", "rule_count", "enabled_rule_count", "rules_json"),
        "s3_bucket_ownership_controls": ("region", "name", "object_ownership"),
    },
    in_flight=IN_FLIGHT,
)
def collect_buckets(ctx: Ctx) -> None:
    """Every bucket with its region and settings: encryption, policy (and AWS's public verdict on
    it), public access block, ACL and object ownership, versioning and MFA delete, access logging,
    object lock, lifecycle. Each (bucket, setting) read is its own task: no bucket waits for
    another's, nor for its own other settings."""
    buckets = ctx.paginate("ListBuckets", "Buckets", table=BUCKET_TABLES)
    if not buckets:
        return
    located: list[dict] = []
    ctx.map(lambda bucket: located.append(_locate(ctx, bucket)), buckets)
    ctx.map(lambda job: _read_setting(ctx, *job), [(row, setting) for row in located for setting in SETTINGS])


def _locate(ctx: Ctx, bucket: dict) -> dict:
    """The bucket's row in s3_buckets; returns its key (name, region) for the settings' rows."""
    name = bucket["Name"]
    region = bucket.get("BucketRegion")
    if not region:
        loc = ctx.call("GetBucketLocation", Bucket=name, table=BUCKET_TABLES, resource_id=name)
        region = (loc or {}).get("LocationConstraint") or "us-east-1"
    if region == "EU":  # the legacy name of eu-west-1
        region = "eu-west-1"
    ctx.add("s3_buckets", {"name": name, "arn": f"arn:{ctx.partition}:s3:::{name}",
                           "creation_date": bucket.get("CreationDate"), "region": region})
    return {"name": name, "region": region}


def _read_setting(ctx: Ctx, row: dict, setting: tuple) -> None:
    operation, table, absent, fields = setting
    answer = ctx.call(operation, Bucket=row["name"], table=table, resource_id=row["name"], absent=absent)
    if answer is not None:
        ctx.add(table, {**row, **fields(answer)})


def _encryption(answer: dict) -> dict:
    rules = answer.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
    default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
    return {"sse_algorithm": default.get("SSEAlgorithm"), "kms_key_id": default.get("KMSMasterKeyID"),
            "bucket_key_enabled": rules[0].get("BucketKeyEnabled") if rules else None}


def _ownership(answer: dict) -> dict:
    # No controls: the pre-2023 default, ObjectWriter (ACLs in force).
    rules = answer.get("OwnershipControls", {}).get("Rules", [])
    return {"object_ownership": rules[0].get("ObjectOwnership") if rules else None}


def _logging(answer: dict) -> dict:
    target = answer.get("LoggingEnabled") or {}
    return {"target_bucket": target.get("TargetBucket"), "target_prefix": target.get("TargetPrefix")}


def _object_lock(answer: dict) -> dict:
    conf = answer.get("ObjectLockConfiguration", {})
    retention = conf.get("Rule", {}).get("DefaultRetention", {})
    return {"enabled": conf.get("ObjectLockEnabled") == "Enabled", "default_mode": retention.get("Mode"),
            "default_days": retention.get("Days"), "default_years": retention.get("Years")}


def _lifecycle(answer: dict) -> dict:
    rules = answer.get("Rules", [])
    return {"rule_count": len(rules), "enabled_rule_count": sum(1 for r in rules if r.get("Status") == "Enabled"),
            "rules_json": to_json(rules)}


# Per bucket: (operation, table, error codes that mean "not configured", answer -> the row's fields).
SETTINGS = (
    ("GetBucketEncryption", "s3_bucket_encryption", ("ServerSideEncryptionConfigurationNotFoundError",),
     _encryption),
    ("GetBucketPolicy", "s3_bucket_policies", ("NoSuchBucketPolicy",),
     lambda answer: {"policy_json": answer.get("Policy")}),
    ("GetBucketPolicyStatus", "s3_bucket_policy_status", ("NoSuchBucketPolicy",),
     lambda answer: {"is_public": bool(answer.get("PolicyStatus", {}).get("IsPublic", False))}),
    ("GetPublicAccessBlock", "s3_bucket_public_access_block", ("NoSuchPublicAccessBlockConfiguration",),
     lambda answer: _pab_flags(answer)),
    ("GetBucketAcl", "s3_bucket_acls", (),
     lambda answer: {"owner_id": answer.get("Owner", {}).get("ID"),
                     "grants_json": to_json(answer.get("Grants", []))}),
    ("GetBucketOwnershipControls", "s3_bucket_ownership_controls", ("OwnershipControlsNotFoundError",),
     _ownership),
    # An empty answer means versioning was never enabled.
    ("GetBucketVersioning", "s3_bucket_versioning", (),
     lambda answer: {"status": answer.get("Status"), "mfa_delete": answer.get("MFADelete")}),
    ("GetBucketLogging", "s3_bucket_logging", (), _logging),
    ("GetObjectLockConfiguration", "s3_bucket_object_lock", ("ObjectLockConfigurationNotFoundError",),
     _object_lock),
    ("GetBucketLifecycleConfiguration", "s3_bucket_lifecycle", ("NoSuchLifecycleConfiguration",), _lifecycle),
)


def _pab_flags(response: dict) -> dict:
    c = response.get("PublicAccessBlockConfiguration", {})
    return {
        "block_public_acls": bool(c.get("BlockPublicAcls", False)),
        "ignore_public_acls": bool(c.get("IgnorePublicAcls", False)),
        "block_public_policy": bool(c.get("BlockPublicPolicy", False)),
        "restrict_public_buckets": bool(c.get("RestrictPublicBuckets", False)),
    }


@collector(
    "s3_account_public_access_block",
    service="s3control",
    scope=GLOBAL,
    operations=("GetPublicAccessBlock",),
    tables={
        "s3_account_public_access_block": ("region", "account_id", "configured", "block_public_acls",
                                           "ignore_public_acls", "block_public_policy",
                                           "restrict_public_buckets"),
    },
)
def collect_account_public_access_block(ctx: Ctx) -> None:
    """The account-wide Block Public Access setting (S3 Control); absent means all four are off."""
    pab = ctx.call("GetPublicAccessBlock", AccountId=ctx.account_id,
                   table="s3_account_public_access_block",
                   absent=("NoSuchPublicAccessBlockConfiguration",))
    if pab is not None:
        ctx.add("s3_account_public_access_block", {"account_id": ctx.account_id,
                                                   "configured": bool(pab), **_pab_flags(pab)})
