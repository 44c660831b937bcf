"""GuardDuty: threat detection in every region."""

from __future__ import annotations

import pandas as pd

from .base import per_region


def guardduty_detector_enabled(s) -> pd.DataFrame:
    det = s.table("guardduty_detectors")
    ok = set(det.loc[det["status"] == "ENABLED", "region"])
    return per_region(s, ok, pass_detail="GuardDuty is enabled in {region}.",
                      fail_detail="GuardDuty is not enabled in {region}: threats there go undetected.")
