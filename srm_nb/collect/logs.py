"""CloudWatch Logs metric filters: which log events are counted into metrics.

Only the filters' definitions are read; never a log event.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector


@collector(
    "logs_metric_filters",
    service="logs",
    scope=REGIONAL,
    operations=("DescribeMetricFilters",),
    tables={
        "logs_metric_filters": ("region", "filter_name", "log_group_name", "filter_pattern",
                                "metric_name", "metric_namespace"),
    },
)
def collect_metric_filters(ctx: Ctx) -> None:
    """Every metric filter of the region, one row per metric it publishes."""
    filters = ctx.paginate("DescribeMetricFilters", "metricFilters", table="logs_metric_filters")
    for f in filters or []:
        for m in f.get("metricTransformations") or [{}]:
            ctx.add("logs_metric_filters", {
                "filter_name": f.get("filterName"),
                "log_group_name": f.get("logGroupName"),
                "filter_pattern": f.get("filterPattern"),
                "metric_name": m.get("metricName"),
                "metric_namespace": m.get("metricNamespace"),
            })
