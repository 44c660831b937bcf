"""Demo Security Hub: on in us-east-1 with the AWS FSBP standard, but not the CIS standard.

moto 5.2.5 implements DescribeHub but not GetEnabledStandards, so the fake layer answers
GetEnabledStandards (POST /standards/get, signing name "securityhub") in the real response
shape: us-east-1 has FSBP v1.0.0 READY; a region without a hub answers InvalidAccessException,
as AWS does.
"""

from __future__ import annotations

from . import DEMO_ACCOUNT_ID, DemoAws
from .server import FakeRequest, FakeResponse

FSBP = "standards/aws-foundational-security-best-practices/v/1.0.0"
ENABLED_STANDARDS = {"us-east-1": [FSBP]}


def seed(aws: DemoAws) -> None:
    aws.client("securityhub", "us-east-1").enable_security_hub(EnableDefaultStandards=False)


def _get_enabled_standards(req: FakeRequest) -> FakeResponse:
    if req.region not in ENABLED_STANDARDS:
        return FakeResponse({"__type": "InvalidAccessException",
                             "message": f"Account {DEMO_ACCOUNT_ID} is not subscribed to AWS Security Hub"},
                            status=400, content_type="application/json")
    subs = [{
        "StandardsSubscriptionArn": f"arn:aws:securityhub:{req.region}:{DEMO_ACCOUNT_ID}:subscription/"
                                    + std.split("/", 1)[1],
        "StandardsArn": f"arn:aws:securityhub:{req.region}::{std}",
        "StandardsInput": {},
        "StandardsStatus": "READY",
        "StandardsControlsUpdatable": "READY_FOR_UPDATES",
    } for std in ENABLED_STANDARDS[req.region]]
    return FakeResponse({"StandardsSubscriptions": subs}, content_type="application/json")


FAKES = {("securityhub", "GetEnabledStandards"): _get_enabled_standards}
