"""AWS Trusted Advisor: the verdict of each of its security checks, as a finding of ours."""

from __future__ import annotations

import pandas as pd

from .base import fill, verdicts

# Trusted Advisor statuses: ok (green), warning (yellow), error (red), not_available (no verdict).
JUDGED = ("ok", "warning", "error")


def trustedadvisor_security_check_ok(s) -> pd.DataFrame:
    checks = s.table("trustedadvisor_checks")
    checks = checks[checks["status"].isin(JUDGED)].copy()
    checks["account"] = s.account_id
    checks["arn"] = fill(checks, f"arn:{s.partition}:trustedadvisor::{{account}}:checks/security/{{check_id}}")
    checks["flagged"] = checks["resources_flagged"].fillna(0).astype(int)
    checks["colour"] = checks["status"].map({"ok": "green", "warning": "yellow", "error": "red"})
    return verdicts(checks, checks["status"] == "ok", resource_id="check_id",
                    pass_detail="Trusted Advisor '{name}' is green.",
                    fail_detail="Trusted Advisor '{name}' is {colour}: {flagged} resource(s) flagged.")
