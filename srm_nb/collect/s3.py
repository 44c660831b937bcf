"""S3: buckets and their access, encryption, TLS, versioning, logging and retention settings.

S3 has no list form for bucket settings, so each bucket costs one call per setting. The calls of
different buckets are independent: `ctx.map` reads a few buckets at a time (BUCKET_WORKERS), within
the service's bound on requests in flight.

ListBuckets answers with each bucket's region (BucketRegion) in current API versions; when it does
not, GetBucketLocation is asked. Requests for a bucket in another region are redirected by
botocore's S3 region redirector, which caches the bucket's region after the first call.

The account-level Block Public Access setting lives in S3 Control (`s3_account_public_access_block`).
"""

from __future__ import annotations

from .base import GLOBAL, Ctx, collector, to_json

BUCKET_WORKERS = 4  # enough to hide latency, few enough not to be throttled

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
)
def collect_buckets(ctx: Ctx) -> None:
    """Every bucket with its region and settings: encryption, policy (and AWS's public verdict on
    it), public access block, ACL and object ownership, versioning and MFA delete, access logging,
    object lock, lifecycle."""
    buckets = ctx.paginate("ListBuckets", "Buckets", table=BUCKET_TABLES)
    if not buckets:
        return
    ctx.map(lambda bucket: _collect_bucket(ctx, bucket), buckets, workers=BUCKET_WORKERS)


def _collect_bucket(ctx: Ctx, bucket: dict) -> None:
    name = bucket["Name"]
    region = bucket.get("BucketRegion")
    if not region:
        loc = ctx.call("GetBucketLocation", Bucket=name, table=BUCKET_TABLES, resource_id=name)
        region = (loc or {}).get("LocationConstraint") or "us-east-1"
    if region == "EU":  # the legacy name of eu-west-1
        region = "eu-west-1"

    def get(operation, table, absent=()):
        return ctx.call(operation, Bucket=name, table=table, resource_id=name, absent=absent)

    ctx.add("s3_buckets", {"name": name, "arn": f"arn:{ctx.partition}:s3:::{name}",
                           "creation_date": bucket.get("CreationDate"), "region": region})
    row = {"name": name, "region": region}

    enc = get("GetBucketEncryption", "s3_bucket_encryption",
              ("ServerSideEncryptionConfigurationNotFoundError",))
    if enc is not None:
        rules = enc.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
        default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
        ctx.add("s3_bucket_encryption", {
            **row,
            "sse_algorithm": default.get("SSEAlgorithm"),
            "kms_key_id": default.get("KMSMasterKeyID"),
            "bucket_key_enabled": rules[0].get("BucketKeyEnabled") if rules else None,
        })

    pol = get("GetBucketPolicy", "s3_bucket_policies", ("NoSuchBucketPolicy",))
    if pol is not None:
        ctx.add("s3_bucket_policies", {**row, "policy_json": pol.get("Policy")})

    status = get("GetBucketPolicyStatus", "s3_bucket_policy_status", ("NoSuchBucketPolicy",))
    if status is not None:
        ctx.add("s3_bucket_policy_status", {
            **row, "is_public": bool(status.get("PolicyStatus", {}).get("IsPublic", False))})

    pab = get("GetPublicAccessBlock", "s3_bucket_public_access_block",
              ("NoSuchPublicAccessBlockConfiguration",))
    if pab is not None:
        ctx.add("s3_bucket_public_access_block", {**row, **_pab_flags(pab)})

    acl = get("GetBucketAcl", "s3_bucket_acls")
    if acl is not None:
        ctx.add("s3_bucket_acls", {**row, "owner_id": acl.get("Owner", {}).get("ID"),
                                   "grants_json": to_json(acl.get("Grants", []))})

    own = get("GetBucketOwnershipControls", "s3_bucket_ownership_controls",
              ("OwnershipControlsNotFoundError",))
    if own is not None:  # no controls: the pre-2023 default, ObjectWriter (ACLs in force)
        rules = own.get("OwnershipControls", {}).get("Rules", [])
        ctx.add("s3_bucket_ownership_controls", {
            **row, "object_ownership": rules[0].get("ObjectOwnership") if rules else None})

    ver = get("GetBucketVersioning", "s3_bucket_versioning")
    if ver is not None:  # an empty answer means versioning was never enabled
        ctx.add("s3_bucket_versioning", {**row, "status": ver.get("Status"),
                                         "mfa_delete": ver.get("MFADelete")})

    log = get("GetBucketLogging", "s3_bucket_logging")
    if log is not None:
        target = log.get("LoggingEnabled") or {}
        ctx.add("s3_bucket_logging", {**row, "target_bucket": target.get("TargetBucket"),
                                      "target_prefix": target.get("TargetPrefix")})

    lock = get("GetObjectLockConfiguration", "s3_bucket_object_lock",
               ("ObjectLockConfigurationNotFoundError",))
    if lock is not None:
        conf = lock.get("ObjectLockConfiguration", {})
        retention = conf.get("Rule", {}).get("DefaultRetention", {})
        ctx.add("s3_bucket_object_lock", {
            **row, "enabled": conf.get("ObjectLockEnabled") == "Enabled",
            "default_mode": retention.get("Mode"), "default_days": retention.get("Days"),
            "default_years": retention.get("Years")})

    life = get("GetBucketLifecycleConfiguration", "s3_bucket_lifecycle",
               ("NoSuchLifecycleConfiguration",))
    if life is not None:
        rules = life.get("Rules", [])
        ctx.add("s3_bucket_lifecycle", {
            **row, "rule_count": len(rules),
            "enabled_rule_count": sum(1 for r in rules if r.get("Status") == "Enabled"),
            "rules_json": to_json(rules)})


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
