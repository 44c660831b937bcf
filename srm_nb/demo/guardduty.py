"""Demo GuardDuty: on in the home region only, with some protection plans.

us-east-1's detector runs S3 Protection, EKS audit log monitoring, Malware Protection for EC2
and Runtime Monitoring with GuardDuty managing its agent on EKS and ECS Fargate, not on EC2;
RDS and Lambda Protection are off.
"""

from __future__ import annotations

from . import DemoAws

FEATURES = [
    {"Name": "S3_DATA_EVENTS", "Status": "ENABLED"},
    {"Name": "EKS_AUDIT_LOGS", "Status": "ENABLED"},
    {"Name": "EBS_MALWARE_PROTECTION", "Status": "ENABLED"},
    {"Name": "RDS_LOGIN_EVENTS", "Status": "DISABLED"},
    {"Name": "LAMBDA_NETWORK_LOGS", "Status": "DISABLED"},
    {"Name": "RUNTIME_MONITORING", "Status": "ENABLED", "AdditionalConfiguration": [
        {"Name": "EKS_ADDON_MANAGEMENT", "Status": "ENABLED"},
        {"Name": "ECS_FARGATE_AGENT_MANAGEMENT", "Status": "ENABLED"},
        {"Name": "EC2_AGENT_MANAGEMENT", "Status": "DISABLED"}]},
]


def seed(aws: DemoAws) -> None:
    aws.client("guardduty", "us-east-1").create_detector(Enable=True, Features=FEATURES)
