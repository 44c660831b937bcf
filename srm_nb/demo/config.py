"""Demo AWS Config: recording everything (global types included) in us-east-1 only.

eu-west-1 has a recorder someone stopped, without a delivery channel; ap-southeast-2 has nothing.
"""

from __future__ import annotations

from . import DEMO_ACCOUNT_ID, DemoAws

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
