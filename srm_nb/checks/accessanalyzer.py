"""IAM Access Analyzer: external access is watched in every region."""

from __future__ import annotations

import pandas as pd

from .base import per_region

# Analyzers that report external access (the unused-access types do not).
EXTERNAL_ACCESS_TYPES = ("ACCOUNT", "ORGANIZATION")


def accessanalyzer_enabled_all_regions(s) -> pd.DataFrame:
    analyzers = s.table("accessanalyzer_analyzers")
    active = analyzers[(analyzers["status"] == "ACTIVE") & analyzers["type"].isin(EXTERNAL_ACCESS_TYPES)]
    return per_region(s, set(active["region"]),
                      pass_detail="An active IAM Access Analyzer for external access runs in {region}.",
                      fail_detail="No active external-access IAM Access Analyzer in {region}: resources "
                                  "shared outside the account there go unnoticed.")
