"""CloudTrail: trails, whether they are logging, and which events they record.

Each trail is reported once: by its home region, or, when its home is not assessed, by the first
assessed region that sees it (a multi-region trail is seen from every region), so a run limited to
other regions still finds the account's multi-region trail. DescribeTrails is asked for shadow
trails too, because an organization trail made in the management account reaches a member account
only as a shadow trail: without them, a member account looks as if it had no trail at all. Status
and selectors of a trail seen away from its home are read by its ARN, as AWS requires for shadows.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json


@collector(
    "cloudtrail",
    service="cloudtrail",
    scope=REGIONAL,
    operations=("DescribeTrails", "GetTrailStatus", "GetEventSelectors"),
    tables={
        "cloudtrail_trails": ("region", "name", "arn", "home_region", "is_multi_region",
                              "log_file_validation", "kms_key_id", "s3_bucket_name", "s3_key_prefix",
                              "is_organization_trail", "include_global_service_events",
                              "cloudwatch_logs_log_group_arn", "cloudwatch_logs_role_arn",
                              "is_logging", "latest_delivery_error",
                              "latest_cloudwatch_logs_delivery_error"),
        "cloudtrail_event_selectors": ("region", "trail_name", "trail_arn", "event_selectors_json",
                                       "advanced_event_selectors_json"),
    },
)
def collect_trails(ctx: Ctx) -> None:
    """Trails this region reports (see the module docstring), their logging status and their
    event selectors."""
    listed = ctx.call("DescribeTrails", includeShadowTrails=True,
                      table=("cloudtrail_trails", "cloudtrail_event_selectors"))
    for t in (listed or {}).get("trailList", []):
        if not _reported_here(ctx, t.get("HomeRegion", ctx.region)):
            continue
        name, arn = t["Name"], t["TrailARN"]
        status = ctx.call("GetTrailStatus", Name=arn, table="cloudtrail_trails", resource_id=name)
        ctx.add("cloudtrail_trails", {
            "name": name,
            "arn": arn,
            "home_region": t.get("HomeRegion"),
            "is_multi_region": bool(t.get("IsMultiRegionTrail")),
            "log_file_validation": bool(t.get("LogFileValidationEnabled")),
            "kms_key_id": t.get("KmsKeyId"),
            "s3_bucket_name": t.get("S3BucketName"),
            "s3_key_prefix": t.get("S3KeyPrefix"),
            "is_organization_trail": bool(t.get("IsOrganizationTrail")),
            "include_global_service_events": bool(t.get("IncludeGlobalServiceEvents")),
            "cloudwatch_logs_log_group_arn": t.get("CloudWatchLogsLogGroupArn"),
            "cloudwatch_logs_role_arn": t.get("CloudWatchLogsRoleArn"),
            "is_logging": None if status is None else bool(status.get("IsLogging")),
            "latest_delivery_error": (status or {}).get("LatestDeliveryError"),
            "latest_cloudwatch_logs_delivery_error": (status or {}).get("LatestCloudWatchLogsDeliveryError"),
        })
        sel = ctx.call("GetEventSelectors", TrailName=arn, table="cloudtrail_event_selectors",
                       resource_id=name)
        if sel is not None:
            ctx.add("cloudtrail_event_selectors", {
                "trail_name": name,
                "trail_arn": arn,
                # A trail has either basic or advanced selectors; the other list is absent.
                "event_selectors_json": to_json(sel.get("EventSelectors")),
                "advanced_event_selectors_json": to_json(sel.get("AdvancedEventSelectors")),
            })


def _reported_here(ctx: Ctx, home: str) -> bool:
    """A trail is reported by its home region when that region is assessed, else by the first
    assessed region (every assessed region sees a multi-region trail)."""
    if home == ctx.region:
        return True
    assessed = ctx.regions or (ctx.region,)
    return home not in assessed and ctx.region == min(assessed)
