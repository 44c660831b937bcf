"""GuardDuty: is threat detection on in each region, and which protection plans (features) the
detector runs: S3, EKS audit logs, malware scans of EBS volumes, RDS logins, Lambda network
activity, Runtime Monitoring and its automated agents (EKS add-on, ECS Fargate, EC2)."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json


@collector(
    "guardduty",
    service="guardduty",
    scope=REGIONAL,
    operations=("ListDetectors", "GetDetector"),
    tables={
        "guardduty_detectors": ("region", "detector_id", "arn", "status", "finding_frequency"),
        "guardduty_features": ("region", "detector_id", "feature", "status", "agents_json"),
    },
)
def collect_guardduty(ctx: Ctx) -> None:
    """Detectors in this region, whether they are enabled, and their features."""
    ids = ctx.paginate("ListDetectors", "DetectorIds")
    for did in ids or []:
        # No resource_id: a detector whose state could not be read leaves the region's answer
        # ("is GuardDuty on here?") unknown, so the gap is the region's, not one resource's.
        d = ctx.call("GetDetector", DetectorId=did)
        if d is None:
            continue
        ctx.add("guardduty_detectors", {
            "detector_id": did,
            "arn": ctx.arn("guardduty", f"detector/{did}"),
            "status": d.get("Status"),
            "finding_frequency": d.get("FindingPublishingFrequency"),
        })
        # A feature the answer does not list is not configured on this detector.
        ctx.add("guardduty_features", [{
            "detector_id": did, "feature": f.get("Name"), "status": f.get("Status"),
            "agents_json": to_json({a.get("Name"): a.get("Status") for a in f.get("AdditionalConfiguration") or []}),
        } for f in d.get("Features") or []])
