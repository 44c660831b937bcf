"""GuardDuty: is threat detection on in each region."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector


@collector(
    "guardduty",
    service="guardduty",
    scope=REGIONAL,
    operations=("ListDetectors", "GetDetector"),
    tables={"guardduty_detectors": ("region", "detector_id", "arn", "status", "finding_frequency")},
)
def collect_guardduty(ctx: Ctx) -> None:
    """Detectors in this region and whether they are enabled."""
    ids = ctx.paginate("ListDetectors", "DetectorIds", table="guardduty_detectors")
    for did in ids or []:
        # No resource_id: a detector whose state could not be read leaves the region's answer
        # ("is GuardDuty on here?") unknown, so the gap is the region's, not one resource's.
        d = ctx.call("GetDetector", DetectorId=did, table="guardduty_detectors")
        if d is None:
            continue
        ctx.add("guardduty_detectors", {
            "detector_id": did,
            "arn": ctx.arn("guardduty", f"detector/{did}"),
            "status": d.get("Status"),
            "finding_frequency": d.get("FindingPublishingFrequency"),
        })
