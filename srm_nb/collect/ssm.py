"""Systems Manager: which instances SSM manages, their patch states, compliance summaries."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector

PATCH_STATE_BATCH = 50  # DescribeInstancePatchStates takes at most 50 instance ids per request


@collector(
    "ssm",
    service="ssm",
    scope=REGIONAL,
    operations=("DescribeInstanceInformation", "DescribeInstancePatchStates",
                "ListComplianceSummaries"),
    tables={
        "ssm_managed_instances": ("region", "instance_id", "ping_status", "last_ping", "resource_type",
                                  "platform_type", "platform_name", "platform_version",
                                  "agent_version", "is_latest_agent", "computer_name"),
        "ssm_patch_states": ("region", "instance_id", "patch_group", "baseline_id", "operation",
                             "operation_end_time", "installed_count", "installed_pending_reboot_count",
                             "missing_count", "failed_count", "critical_non_compliant_count",
                             "security_non_compliant_count", "other_non_compliant_count"),
        "ssm_compliance_summaries": ("region", "compliance_type", "compliant_count",
                                     "non_compliant_count", "non_compliant_critical_count",
                                     "non_compliant_high_count"),
    },
)
def collect_ssm(ctx: Ctx) -> None:
    """Managed instances, the patch state of each, and per-type compliance summaries."""
    managed = ctx.paginate("DescribeInstanceInformation", "InstanceInformationList",
                           table=("ssm_managed_instances", "ssm_patch_states"))
    ctx.add("ssm_managed_instances", [{
        "instance_id": m["InstanceId"],
        "ping_status": m.get("PingStatus"),
        "last_ping": m.get("LastPingDateTime"),
        "resource_type": m.get("ResourceType"),
        "platform_type": m.get("PlatformType"),
        "platform_name": m.get("PlatformName"),
        "platform_version": m.get("PlatformVersion"),
        "agent_version": m.get("AgentVersion"),
        "is_latest_agent": m.get("IsLatestVersion"),
        "computer_name": m.get("ComputerName"),
    } for m in managed or []])

    ids = [m["InstanceId"] for m in managed or []]
    for start in range(0, len(ids), PATCH_STATE_BATCH):
        batch = ids[start:start + PATCH_STATE_BATCH]
        # Only this batch's instances lack data when it fails: one gap each, not the whole region.
        states = ctx.paginate("DescribeInstancePatchStates", "InstancePatchStates",
                              table="ssm_patch_states", resource_id=tuple(batch), InstanceIds=batch)
        if states is None:
            continue
        ctx.add("ssm_patch_states", [{
            "instance_id": p["InstanceId"],
            "patch_group": p.get("PatchGroup"),
            "baseline_id": p.get("BaselineId"),
            "operation": p.get("Operation"),
            "operation_end_time": p.get("OperationEndTime"),
            "installed_count": p.get("InstalledCount", 0),
            "installed_pending_reboot_count": p.get("InstalledPendingRebootCount", 0),
            "missing_count": p.get("MissingCount", 0),
            "failed_count": p.get("FailedCount", 0),
            "critical_non_compliant_count": p.get("CriticalNonCompliantCount", 0),
            "security_non_compliant_count": p.get("SecurityNonCompliantCount", 0),
            "other_non_compliant_count": p.get("OtherNonCompliantCount", 0),
        } for p in states])

    summaries = ctx.paginate("ListComplianceSummaries", "ComplianceSummaryItems",
                             table="ssm_compliance_summaries")
    rows = []
    for item in summaries or []:
        compliant = item.get("CompliantSummary") or {}
        non = item.get("NonCompliantSummary") or {}
        severity = non.get("SeveritySummary") or {}
        rows.append({
            "compliance_type": item.get("ComplianceType"),
            "compliant_count": compliant.get("CompliantCount", 0),
            "non_compliant_count": non.get("NonCompliantCount", 0),
            "non_compliant_critical_count": severity.get("CriticalCount", 0),
            "non_compliant_high_count": severity.get("HighCount", 0),
        })
    ctx.add("ssm_compliance_summaries", rows)
