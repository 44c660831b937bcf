"""SNS subscriptions: does anyone actually receive what a topic publishes.

ListSubscriptions is the region-wide list form. A subscription the endpoint has not confirmed yet
is listed with SubscriptionArn "PendingConfirmation" and receives nothing.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector


@collector(
    "sns_subscriptions",
    service="sns",
    scope=REGIONAL,
    operations=("ListSubscriptions",),
    tables={
        "sns_subscriptions": ("region", "topic_arn", "subscription_arn", "protocol", "endpoint",
                              "owner", "confirmed"),
    },
)
def collect_subscriptions(ctx: Ctx) -> None:
    """Every subscription of the region, with whether it is confirmed."""
    subs = ctx.paginate("ListSubscriptions", "Subscriptions", table="sns_subscriptions")
    for sub in subs or []:
        arn = sub.get("SubscriptionArn") or ""
        ctx.add("sns_subscriptions", {
            "topic_arn": sub.get("TopicArn"),
            "subscription_arn": arn,
            "protocol": sub.get("Protocol"),
            "endpoint": sub.get("Endpoint"),
            "owner": sub.get("Owner"),
            "confirmed": arn.startswith("arn:"),  # not "PendingConfirmation" nor "Deleted"
        })
