"""Security Hub: is the hub on in each region, and which standards it runs.

A region where Security Hub was never enabled answers DescribeHub with InvalidAccessException:
that is a fact about the account (no hub), not a failure to read it. Access denied stays a gap.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector

NOT_ENABLED = ("InvalidAccessException",)


@collector(
    "securityhub",
    service="securityhub",
    scope=REGIONAL,
    operations=("DescribeHub", "GetEnabledStandards"),
    tables={
        "securityhub_hubs": ("region", "hub_arn", "subscribed_at", "auto_enable_controls",
                             "control_finding_generator"),
        "securityhub_standards": ("region", "subscription_arn", "standards_arn", "status",
                                  "status_reason"),
    },
)
def collect_securityhub(ctx: Ctx) -> None:
    """The hub of this region (a row only where it is enabled) and its enabled standards."""
    hub = ctx.call("DescribeHub", absent=NOT_ENABLED,
                   table=("securityhub_hubs", "securityhub_standards"))
    if not hub:  # failed (gap recorded) or not enabled (no row: the checks FAIL the region)
        return
    ctx.add("securityhub_hubs", {
        "hub_arn": hub.get("HubArn"),
        "subscribed_at": hub.get("SubscribedAt"),
        "auto_enable_controls": hub.get("AutoEnableControls"),
        "control_finding_generator": hub.get("ControlFindingGenerator"),
    })
    standards = ctx.paginate("GetEnabledStandards", "StandardsSubscriptions",
                             table="securityhub_standards")
    for st in standards or []:
        reason = st.get("StandardsStatusReason") or {}
        ctx.add("securityhub_standards", {
            "subscription_arn": st.get("StandardsSubscriptionArn"),
            "standards_arn": st.get("StandardsArn"),
            "status": st.get("StandardsStatus"),
            "status_reason": reason.get("StatusReasonCode"),
        })
