"""CloudTrail: trails and whether they are logging."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector


@collector(
    "cloudtrail",
    service="cloudtrail",
    scope=REGIONAL,
    operations=("DescribeTrails", "GetTrailStatus"),
    tables={
        "cloudtrail_trails": ("region", "name", "arn", "home_region", "is_multi_region",
                              "log_file_validation", "kms_key_id", "s3_bucket_name",
                              "is_organization_trail", "is_logging"),
    },
)
def collect_trails(ctx: Ctx) -> None:
    """Trails whose home is this region (shadow copies of other regions' trails are skipped)."""
    trails = ctx.call("DescribeTrails", includeShadowTrails=False, table="cloudtrail_trails")
    for t in (trails or {}).get("trailList", []):
        status = ctx.call("GetTrailStatus", Name=t["TrailARN"], table="cloudtrail_trails",
                          resource_id=t["Name"])
        ctx.add("cloudtrail_trails", {
            "name": t["Name"],
            "arn": t["TrailARN"],
            "home_region": t.get("HomeRegion"),
            "is_multi_region": bool(t.get("IsMultiRegionTrail")),
            "log_file_validation": bool(t.get("LogFileValidationEnabled")),
            "kms_key_id": t.get("KmsKeyId"),
            "s3_bucket_name": t.get("S3BucketName"),
            "is_organization_trail": bool(t.get("IsOrganizationTrail")),
            "is_logging": None if status is None else bool(status.get("IsLogging")),
        })
