"""IAM Access Analyzer: is an analyzer watching for external access in each region."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector


@collector(
    "accessanalyzer",
    service="accessanalyzer",
    scope=REGIONAL,
    operations=("ListAnalyzers",),
    tables={"accessanalyzer_analyzers": ("region", "name", "arn", "type", "status", "created_at")},
    iam_prefix="access-analyzer",
)
def collect_analyzers(ctx: Ctx) -> None:
    """Every analyzer in this region (external access and unused access, account or organization)."""
    analyzers = ctx.paginate("ListAnalyzers", "analyzers", table="accessanalyzer_analyzers")
    ctx.add("accessanalyzer_analyzers", [{
        "name": a.get("name"),
        "arn": a.get("arn"),
        "type": a.get("type"),
        "status": a.get("status"),
        "created_at": a.get("createdAt"),
    } for a in analyzers or []])
