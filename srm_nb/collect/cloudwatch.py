"""CloudWatch metric alarms: which metrics are watched, and whom an alarm notifies."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json


@collector(
    "cloudwatch_alarms",
    service="cloudwatch",
    scope=REGIONAL,
    operations=("DescribeAlarms",),
    tables={
        "cloudwatch_metric_alarms": ("region", "alarm_name", "alarm_arn", "metric_name", "namespace",
                                     "metrics_json", "statistic", "comparison_operator", "threshold",
                                     "actions_enabled", "alarm_actions_json", "state_value"),
    },
)
def collect_alarms(ctx: Ctx) -> None:
    """Metric alarms of the region (metric-math alarms keep their metric list in metrics_json)."""
    alarms = ctx.paginate("DescribeAlarms", "MetricAlarms", table="cloudwatch_metric_alarms",
                          AlarmTypes=["MetricAlarm"])
    for a in alarms or []:
        ctx.add("cloudwatch_metric_alarms", {
            "alarm_name": a.get("AlarmName"),
            "alarm_arn": a.get("AlarmArn"),
            "metric_name": a.get("MetricName"),
            "namespace": a.get("Namespace"),
            "metrics_json": to_json(a.get("Metrics") or []),
            "statistic": a.get("Statistic") or a.get("ExtendedStatistic"),
            "comparison_operator": a.get("ComparisonOperator"),
            "threshold": a.get("Threshold"),
            "actions_enabled": a.get("ActionsEnabled"),
            "alarm_actions_json": to_json(a.get("AlarmActions") or []),
            "state_value": a.get("StateValue"),
        })
