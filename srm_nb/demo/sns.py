"""Demo SNS topics (us-east-1), beside the alarm topics of demo/monitoring.py (default policy, no
KMS key, no data protection).

- `northwind-order-events`: encrypted with `alias/northwind-data` (demo/kms.py), default policy,
  a data protection policy that audits and masks card numbers.
- `northwind-partner-webhooks`: no KMS key; its policy lets anyone publish "from a partner", a
  condition with wildcards that pins nobody down.

moto 5.2.5 does not implement GetDataProtectionPolicy (nor Put): FAKES answers it from
DATA_PROTECTION below, in the real API's XML shape, for topics moto knows.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from . import DEMO_ACCOUNT_ID, DemoAws
from .server import FakeRequest, FakeResponse

ORDER = 60  # after the KMS keys (demo/kms.py)
REGION = "us-east-1"
CARD_NUMBERS = "arn:aws:dataprotection::aws:data-identifier/CreditCardNumber"
# topic name -> its message data protection policy
DATA_PROTECTION = {"northwind-order-events": json.dumps({
    "Name": "order-events-protection", "Version": "2021-06-01",
    "Statement": [
        {"Sid": "audit", "DataDirection": "Inbound", "Principal": ["*"], "DataIdentifier": [CARD_NUMBERS],
         "Operation": {"Audit": {"SampleRate": "99", "NoFindingsDestination": {}, "FindingsDestination": {}}}},
        {"Sid": "mask", "DataDirection": "Outbound", "Principal": ["*"], "DataIdentifier": [CARD_NUMBERS],
         "Operation": {"Deidentify": {"MaskConfig": {"MaskWithCharacter": "#"}}}},
    ]})}
_XMLNS = "http://sns.amazonaws.com/doc/2010-03-31/"


def seed(aws: DemoAws) -> None:
    sns = aws.client("sns", REGION)
    sns.create_topic(Name="northwind-order-events", Attributes={"KmsMasterKeyId": "alias/northwind-data"})
    webhooks = sns.create_topic(Name="northwind-partner-webhooks")["TopicArn"]
    sns.set_topic_attributes(TopicArn=webhooks, AttributeName="Policy", AttributeValue=json.dumps({
        "Version": "2012-10-17", "Statement": [{
            "Sid": "PartnersPublish", "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sns:Publish",
            "Resource": webhooks, "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:*:*:*:partner-*"}}}]}))


def _data_protection_policy(req: FakeRequest) -> FakeResponse:
    from moto.sns.models import sns_backends

    arn = str(req.params.get("ResourceArn", ""))
    if arn not in sns_backends[DEMO_ACCOUNT_ID][req.region].topics:
        return FakeResponse(f'<ErrorResponse xmlns="{_XMLNS}"><Error><Type>Sender</Type><Code>NotFound</Code>'
                            "<Message>Topic does not exist</Message></Error><RequestId>srm-fake-0000</RequestId>"
                            "</ErrorResponse>", status=404, content_type="text/xml")
    policy = escape(DATA_PROTECTION.get(arn.rsplit(":", 1)[-1], ""))
    return FakeResponse(f'<GetDataProtectionPolicyResponse xmlns="{_XMLNS}"><GetDataProtectionPolicyResult>'
                        f"<DataProtectionPolicy>{policy}</DataProtectionPolicy></GetDataProtectionPolicyResult>"
                        "<ResponseMetadata><RequestId>srm-fake-0000</RequestId></ResponseMetadata>"
                        "</GetDataProtectionPolicyResponse>", content_type="text/xml")


FAKES = {("sns", "GetDataProtectionPolicy"): _data_protection_policy}
