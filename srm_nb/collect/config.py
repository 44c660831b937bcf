"""AWS Config: is every region recording configuration changes, and delivering them."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

TABLES = ("config_recorders", "config_delivery_channels")


@collector(
    "config",
    service="config",
    scope=REGIONAL,
    operations=("DescribeConfigurationRecorders", "DescribeConfigurationRecorderStatus",
                "DescribeDeliveryChannels"),
    tables={
        "config_recorders": ("region", "name", "arn", "role_arn", "service_principal",
                             "all_supported", "include_global_resource_types", "recording_strategy",
                             "resource_types_json", "exclusions_json", "recording", "last_status",
                             "last_error_code"),
        "config_delivery_channels": ("region", "name", "s3_bucket_name", "s3_key_prefix",
                                     "sns_topic_arn", "delivery_frequency"),
    },
)
def collect_config(ctx: Ctx) -> None:
    """Configuration recorders (with their recording status) and delivery channels."""
    recorders = ctx.call("DescribeConfigurationRecorders", table="config_recorders")
    if recorders is not None:
        status = ctx.call("DescribeConfigurationRecorderStatus", table="config_recorders")
        by_name = {s.get("name"): s for s in (status or {}).get("ConfigurationRecordersStatus", [])}
        for r in recorders.get("ConfigurationRecorders", []):
            group = r.get("recordingGroup") or {}
            st = by_name.get(r.get("name"))
            ctx.add("config_recorders", {
                "name": r.get("name"),
                "arn": r.get("arn") or ctx.arn("config", f"configuration-recorder/{r.get('name')}"),
                "role_arn": r.get("roleARN"),
                # Service-linked recorders (set up by another AWS service) record only for it.
                "service_principal": r.get("servicePrincipal"),
                "all_supported": bool(group.get("allSupported")),
                "include_global_resource_types": bool(group.get("includeGlobalResourceTypes")),
                "recording_strategy": (group.get("recordingStrategy") or {}).get("useOnly"),
                "resource_types_json": to_json(group.get("resourceTypes") or []),
                "exclusions_json": to_json((group.get("exclusionByResourceTypes") or {})
                                           .get("resourceTypes") or []),
                "recording": None if st is None else bool(st.get("recording")),
                "last_status": (st or {}).get("lastStatus"),
                "last_error_code": (st or {}).get("lastErrorCode"),
            })
    channels = ctx.call("DescribeDeliveryChannels", table="config_delivery_channels")
    for c in (channels or {}).get("DeliveryChannels", []):
        ctx.add("config_delivery_channels", {
            "name": c.get("name"),
            "s3_bucket_name": c.get("s3BucketName"),
            "s3_key_prefix": c.get("s3KeyPrefix"),
            "sns_topic_arn": c.get("snsTopicARN"),
            "delivery_frequency": (c.get("configSnapshotDeliveryProperties") or {}).get("deliveryFrequency"),
        })
