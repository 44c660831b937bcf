"""AWS Trusted Advisor security checks, through the AWS Support API (global, us-east-1).

The Support API needs a Business, Enterprise On-Ramp or Enterprise support plan. On Basic or
Developer support AWS answers SubscriptionRequiredException: that is recorded as a
`not_subscribed` coverage gap saying so, never as an empty (passing) list.
"""

from __future__ import annotations

from .base import GLOBAL, CallFailed, Ctx, collector

TABLE = "trustedadvisor_checks"
NOT_SUBSCRIBED = ("Trusted Advisor security checks need a Business, Enterprise On-Ramp or Enterprise "
                  "support plan (Business/Enterprise support required); this account's plan does "
                  "not include the AWS Support API. AWS answered: ")


@collector(
    "trustedadvisor",
    service="support",
    scope=GLOBAL,
    operations=("DescribeTrustedAdvisorChecks", "DescribeTrustedAdvisorCheckSummaries"),
    tables={TABLE: ("region", "check_id", "name", "category", "status", "resources_processed",
                    "resources_flagged", "resources_suppressed", "timestamp")},
)
def collect_trusted_advisor(ctx: Ctx) -> None:
    """The security category's checks and each one's latest summary (status and flagged count)."""
    operation = "DescribeTrustedAdvisorChecks"
    try:
        listed = ctx.call(operation, language="en", required=True)
        checks = [c for c in listed.get("checks", []) if c.get("category") == "security"]
        if not checks:
            return
        ids = [c["id"] for c in checks]
        summaries = {}
        operation = "DescribeTrustedAdvisorCheckSummaries"
        for start in range(0, len(ids), 100):  # keep requests small on accounts with many checks
            got = ctx.call(operation, checkIds=ids[start:start + 100], required=True)
            summaries.update({s["checkId"]: s for s in got.get("summaries", [])})
    except CallFailed as exc:
        message = (NOT_SUBSCRIBED if exc.status == "not_subscribed" else "") + exc.message
        ctx.gap(TABLE, exc.status, exc.code, message, operation)
        return
    rows = []
    for c in checks:
        s = summaries.get(c["id"], {})
        res = s.get("resourcesSummary") or {}
        rows.append({
            "check_id": c["id"],
            "name": c.get("name"),
            "category": c.get("category"),
            "status": s.get("status"),
            "resources_processed": res.get("resourcesProcessed"),
            "resources_flagged": res.get("resourcesFlagged"),
            "resources_suppressed": res.get("resourcesSuppressed"),
            "timestamp": s.get("timestamp"),
        })
    ctx.add(TABLE, rows)
