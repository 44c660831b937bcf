"""CloudTrail: is there an audit trail of every API call, and can it be trusted."""

from __future__ import annotations

import pandas as pd

from .base import FAIL, PASS, account_finding, verdicts


def cloudtrail_trail_multiregion_logging(s) -> pd.DataFrame:
    trails = s.table("cloudtrail_trails")
    good = trails[trails["is_multi_region"].astype(bool) & trails["is_logging"].fillna(False).astype(bool)]
    if not good.empty:
        return account_finding(s, PASS, f"Trail {good['name'].iloc[0]} logs every region and is logging.")
    return account_finding(s, FAIL, "No multi-region CloudTrail trail is logging: API activity in "
                                    "some or all regions is not recorded.")


def cloudtrail_trail_log_validation_enabled(s) -> pd.DataFrame:
    trails = s.table("cloudtrail_trails")
    return verdicts(trails, trails["log_file_validation"].astype(bool), resource_id="name",
                    pass_detail="Trail {name} validates its log files.",
                    fail_detail="Trail {name} has log file validation off: tampering with logs would go unnoticed.")
