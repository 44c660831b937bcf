"""S3: buckets and their access, encryption and TLS settings.

ListBuckets is global; each bucket's settings are read through a client in the bucket's own
region (S3 answers a wrong-region request with a redirect error).
"""

from __future__ import annotations

from .base import GLOBAL, Ctx, collector, to_json

BUCKET_TABLES = ("s3_buckets", "s3_bucket_encryption", "s3_bucket_policies", "s3_bucket_public_access_block")


@collector(
    "s3_buckets",
    service="s3",
    scope=GLOBAL,
    operations=("ListBuckets", "GetBucketLocation", "GetBucketEncryption", "GetBucketPolicy",
                "GetPublicAccessBlock"),
    tables={
        "s3_buckets": ("region", "name", "arn", "creation_date"),
        "s3_bucket_encryption": ("region", "name", "sse_algorithm", "kms_key_id", "bucket_key_enabled"),
        "s3_bucket_policies": ("region", "name", "policy_json"),
        "s3_bucket_public_access_block": ("region", "name", "block_public_acls", "ignore_public_acls",
                                          "block_public_policy", "restrict_public_buckets"),
    },
)
def collect_buckets(ctx: Ctx) -> None:
    """Every bucket with its region, default encryption, bucket policy and public access block."""
    buckets = ctx.paginate("ListBuckets", "Buckets", table=BUCKET_TABLES)
    if buckets is None:
        return
    for b in buckets:
        name = b["Name"]
        loc = ctx.call("GetBucketLocation", Bucket=name, table=BUCKET_TABLES, resource_id=name)
        region = (loc or {}).get("LocationConstraint") or "us-east-1"
        if region == "EU":
            region = "eu-west-1"
        arn = f"arn:{ctx.partition}:s3:::{name}"
        ctx.add("s3_buckets", {"name": name, "arn": arn, "creation_date": b.get("CreationDate"),
                               "region": region})
        enc = ctx.call("GetBucketEncryption", Bucket=name, table="s3_bucket_encryption",
                       resource_id=name, absent=("ServerSideEncryptionConfigurationNotFoundError",))
        if enc is not None:
            rules = enc.get("ServerSideEncryptionConfiguration", {}).get("Rules", [])
            default = rules[0].get("ApplyServerSideEncryptionByDefault", {}) if rules else {}
            ctx.add("s3_bucket_encryption", {
                "name": name, "region": region,
                "sse_algorithm": default.get("SSEAlgorithm"),
                "kms_key_id": default.get("KMSMasterKeyID"),
                "bucket_key_enabled": rules[0].get("BucketKeyEnabled") if rules else None,
            })
        pol = ctx.call("GetBucketPolicy", Bucket=name, table="s3_bucket_policies", resource_id=name,
                       absent=("NoSuchBucketPolicy",))
        if pol is not None:
            ctx.add("s3_bucket_policies", {"name": name, "region": region,
                                           "policy_json": pol.get("Policy")})
        pab = ctx.call("GetPublicAccessBlock", Bucket=name, table="s3_bucket_public_access_block",
                       resource_id=name, absent=("NoSuchPublicAccessBlockConfiguration",))
        if pab is not None:
            c = pab.get("PublicAccessBlockConfiguration", {})
            ctx.add("s3_bucket_public_access_block", {
                "name": name, "region": region,
                "block_public_acls": bool(c.get("BlockPublicAcls", False)),
                "ignore_public_acls": bool(c.get("IgnorePublicAcls", False)),
                "block_public_policy": bool(c.get("BlockPublicPolicy", False)),
                "restrict_public_buckets": bool(c.get("RestrictPublicBuckets", False)),
            })
