"""Demo SQS.

us-east-1:
- `northwind-order-events`: SSE-SQS (the default), a policy that lets only the
  `northwind-order-events` topic (demo/sns.py) send to it.
- `northwind-legacy-import`: created with encryption turned off; its policy lets anyone send.
eu-west-1:
- `northwind-gdpr-requests`: encrypted with the `alias/northwind-logs` key (demo/kms.py), no policy.
"""

from __future__ import annotations

import json

from . import DEMO_ACCOUNT_ID, DemoAws

ORDER = 60  # after the KMS keys (demo/kms.py)


def _policy(queue: str, statement: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sqs:SendMessage",
        "Resource": f"arn:aws:sqs:us-east-1:{DEMO_ACCOUNT_ID}:{queue}", **statement}]})


def seed(aws: DemoAws) -> None:
    sqs = aws.client("sqs", "us-east-1")
    sqs.create_queue(QueueName="northwind-order-events", Attributes={"Policy": _policy(
        "northwind-order-events", {
            "Sid": "FromOrderTopic", "Principal": {"Service": "sns.amazonaws.com"},
            "Condition": {"ArnEquals": {"aws:SourceArn":
                                        f"arn:aws:sns:us-east-1:{DEMO_ACCOUNT_ID}:northwind-order-events"}}})})
    sqs.create_queue(QueueName="northwind-legacy-import", Attributes={
        "SqsManagedSseEnabled": "false",
        "Policy": _policy("northwind-legacy-import", {"Sid": "AnyoneMaySend", "Principal": "*"})})
    aws.client("sqs", "eu-west-1").create_queue(QueueName="northwind-gdpr-requests", Attributes={
        "KmsMasterKeyId": "alias/northwind-logs"})
