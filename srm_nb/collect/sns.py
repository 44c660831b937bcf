"""SNS: subscriptions (does anyone actually receive what a topic publishes) and topics (encryption,
access policy, message data protection).

ListSubscriptions and ListTopics are the region-wide list forms; a topic's attributes and data
protection policy are read per topic. A subscription the endpoint has not confirmed yet is listed
with SubscriptionArn "PendingConfirmation" and receives nothing. Messages are never read.
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


TOPIC_WORKERS = 4


@collector(
    "sns_topics",
    service="sns",
    scope=REGIONAL,
    operations=("ListTopics", "GetTopicAttributes", "GetDataProtectionPolicy"),
    tables={
        "sns_topics": ("region", "name", "arn"),
        "sns_topic_attributes": ("region", "name", "arn", "owner", "kms_master_key_id", "policy_json"),
        "sns_topic_data_protection": ("region", "name", "arn", "policy_json"),
    },
)
def collect_topics(ctx: Ctx) -> None:
    """Every topic of the region, then per topic its encryption key, access policy and message
    data protection policy."""
    topics = ctx.paginate("ListTopics", "Topics",
                          table=("sns_topics", "sns_topic_attributes", "sns_topic_data_protection"))
    rows = [{"name": t["TopicArn"].rsplit(":", 1)[-1], "arn": t["TopicArn"]} for t in topics or []]
    ctx.add("sns_topics", [dict(r) for r in rows])
    ctx.map(lambda topic: _topic_settings(ctx, topic), rows, workers=TOPIC_WORKERS)


def _topic_settings(ctx: Ctx, topic: dict) -> None:
    name, arn = topic["name"], topic["arn"]
    got = ctx.call("GetTopicAttributes", table="sns_topic_attributes", resource_id=name, TopicArn=arn)
    if got is not None:
        attrs = got.get("Attributes") or {}
        ctx.add("sns_topic_attributes", {
            "name": name, "arn": arn,
            "owner": attrs.get("Owner"),
            "kms_master_key_id": attrs.get("KmsMasterKeyId") or None,
            "policy_json": attrs.get("Policy") or None,
        })
    policy = ctx.call("GetDataProtectionPolicy", table="sns_topic_data_protection", resource_id=name,
                      ResourceArn=arn)
    if policy is not None:  # an empty answer: the topic has no data protection policy
        ctx.add("sns_topic_data_protection", {"name": name, "arn": arn,
                                              "policy_json": policy.get("DataProtectionPolicy") or None})
