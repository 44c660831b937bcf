"""Demo AWS Config: recording everything (global types included) in us-east-1 only.

eu-west-1 has a recorder someone stopped, without a delivery channel; ap-southeast-2 has nothing.

Fake (moto 5.2.5): DescribeConfigurationRecorderStatus reports lastStatus PENDING forever in moto;
on AWS a recorder that is recording and delivering reports SUCCESS, as us-east-1's does here.
"""

from __future__ import annotations

import json

from . import DEMO_ACCOUNT_ID, DemoAws
from .server import FakeRequest, FakeResponse

CONFIG_BUCKET = "northwind-config-history"
ROLE = f"arn:aws:iam::{DEMO_ACCOUNT_ID}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"


def seed(aws: DemoAws) -> None:
    aws.client("s3", "us-east-1").create_bucket(Bucket=CONFIG_BUCKET)
    us = aws.client("config", "us-east-1")
    us.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": ROLE,
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
    us.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": CONFIG_BUCKET})
    us.start_configuration_recorder(ConfigurationRecorderName="default")

    eu = aws.client("config", "eu-west-1")
    eu.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": ROLE,
        "recordingGroup": {"allSupported": False, "includeGlobalResourceTypes": False,
                           "resourceTypes": ["AWS::EC2::Instance", "AWS::EC2::SecurityGroup"]}})


def _recorder_status(req: FakeRequest) -> FakeResponse | None:
    status, _, body = req.forward()
    if not status.startswith("200"):
        return None
    answer = json.loads(body)
    for st in answer.get("ConfigurationRecordersStatus", []):
        if st.get("recording") and st.get("lastStatus") == "PENDING":
            st["lastStatus"] = "SUCCESS"
    return FakeResponse(answer)


FAKES = {("config", "DescribeConfigurationRecorderStatus"): _recorder_status}
