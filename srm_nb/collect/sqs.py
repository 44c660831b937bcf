"""SQS: queues and their attributes (encryption at rest, access policy).

ListQueues is the region-wide list form; the attributes are read per queue, a few at a time.
Messages are never read: ReceiveMessage is refused by the read-only guard.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector

QUEUE_WORKERS = 4


@collector(
    "sqs",
    service="sqs",
    scope=REGIONAL,
    operations=("ListQueues", "GetQueueAttributes"),
    tables={
        "sqs_queues": ("region", "name", "url", "arn"),
        "sqs_queue_attributes": ("region", "name", "arn", "kms_master_key_id", "sqs_managed_sse_enabled",
                                 "policy_json"),
    },
)
def collect_queues(ctx: Ctx) -> None:
    """Every queue of the region, then per queue its encryption settings and access policy."""
    urls = ctx.paginate("ListQueues", "QueueUrls", table=("sqs_queues", "sqs_queue_attributes"),
                        MaxResults=1000)
    queues = [{"name": url.rstrip("/").rsplit("/", 1)[-1], "url": url} for url in urls or []]
    for q in queues:
        q["arn"] = ctx.arn("sqs", q["name"])
    ctx.add("sqs_queues", [dict(q) for q in queues])
    ctx.map(lambda q: _attributes(ctx, q), queues, workers=QUEUE_WORKERS)


def _attributes(ctx: Ctx, queue: dict) -> None:
    got = ctx.call("GetQueueAttributes", table="sqs_queue_attributes", resource_id=queue["name"],
                   QueueUrl=queue["url"], AttributeNames=["All"])
    if got is None:
        return
    attrs = got.get("Attributes") or {}
    sse = attrs.get("SqsManagedSseEnabled")
    ctx.add("sqs_queue_attributes", {
        "name": queue["name"],
        "arn": attrs.get("QueueArn") or queue["arn"],
        "kms_master_key_id": attrs.get("KmsMasterKeyId") or None,
        # AWS answers "true"/"false"; an answer without it leaves the setting unknown.
        "sqs_managed_sse_enabled": None if sse is None else str(sse).lower() == "true",
        "policy_json": attrs.get("Policy") or None,
    })
