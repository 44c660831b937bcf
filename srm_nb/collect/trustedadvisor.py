"""AWS Trusted Advisor security checks, through the AWS Support API (global, us-east-1).

The Support API needs a Business, Enterprise On-Ramp or Enterprise support plan. On Basic or
Developer support AWS answers SubscriptionRequiredException: that is recorded as a
`not_subscribed` coverage gap saying so, never as an empty (passing) list.
"""

from __future__ import annotations

from .base import GLOBAL, Ctx, collector

TABLE = "trustedadvisor_checks"


@collector(
    "trustedadvisor",
    service="support",
    scope=GLOBAL,
    operations=("DescribeTrustedAdvisorChecks", "DescribeTrustedAdvisorCheckSummaries"),
    tables={TABLE: ("region", "check_id", "name", "category", "status", "resources_processed",
                    "resources_flagged", "resources_suppressed", "timestamp")},
    not_subscribed="Trusted Advisor security checks need a Business, Enterprise On-Ramp or "
                   "Enterprise support plan (Business/Enterprise support required); this account's "
                   "plan does not include the AWS Support API.",
)
def collect_trusted_advisor(ctx: Ctx) -> None:
    """The security category's checks and each one's latest summary (status and flagged count)."""
    listed = ctx.call("DescribeTrustedAdvisorChecks", table=TABLE, language="en")
    if listed is None:
        return
    checks = [c for c in listed.get("checks", []) if c.get("category") == "security"]
    if not checks:
        return
    ids = [c["id"] for c in checks]
    summaries = {}
    for start in range(0, len(ids), 100):  # keep requests small on accounts with many checks
        got = ctx.call("DescribeTrustedAdvisorCheckSummaries", table=TABLE,
                       checkIds=ids[start:start + 100])
        if got is None:
            return  # a partial list is never presented as the whole one
        summaries.update({s["checkId"]: s for s in got.get("summaries", [])})
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
