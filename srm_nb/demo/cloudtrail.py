"""Demo CloudTrail: Northwind's audit trails.

- "northwind-audit" (home eu-west-1): multi-region, logging, all management events, into bucket
  northwind-cloudtrail-logs (made by the S3 module), without log file validation or KMS. It
  records S3 object-level *write* events for every bucket but not reads, and delivers to the
  CloudWatch Logs group "northwind-cloudtrail" where the monitoring module puts metric filters.
- "northwind-app-audit" (us-east-1): a single-region trail the app team added, encrypted with a
  KMS key and validated, into its own bucket that has no server access logging. It stopped
  logging months ago and nobody noticed.

Fakes (moto 5.2.5): GetEventSelectors answers as AWS does where moto does not: a trail created
without selectors has AWS's default one (all read and write management events, no data events;
moto answers an empty list), and a trail read by ARN from another region (a shadow trail) answers
with its home region's selectors (moto looks only in the caller's region).
"""

from __future__ import annotations

from . import DEMO_ACCOUNT_ID, DemoAws
from .server import FakeRequest, FakeResponse

# What GetEventSelectors returns for a trail created without event selectors.
DEFAULT_SELECTORS = [{"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": [],
                      "ExcludeManagementEventSources": []}]

AUDIT_LOG_GROUP = "northwind-cloudtrail"
AUDIT_LOG_GROUP_ARN = f"arn:aws:logs:eu-west-1:{DEMO_ACCOUNT_ID}:log-group:{AUDIT_LOG_GROUP}:*"
APP_TRAIL_BUCKET = "northwind-app-audit-logs"


def seed(aws: DemoAws) -> None:
    aws.client("logs", "eu-west-1").create_log_group(logGroupName=AUDIT_LOG_GROUP)
    ct = aws.client("cloudtrail", "eu-west-1")
    ct.create_trail(Name="northwind-audit", S3BucketName="northwind-cloudtrail-logs",
                    IsMultiRegionTrail=True, EnableLogFileValidation=False,
                    CloudWatchLogsLogGroupArn=AUDIT_LOG_GROUP_ARN,
                    CloudWatchLogsRoleArn=f"arn:aws:iam::{DEMO_ACCOUNT_ID}:role/northwind-cloudtrail-to-logs")
    ct.put_event_selectors(TrailName="northwind-audit", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True},
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": False,
         "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]},
    ])
    ct.start_logging(Name="northwind-audit")

    aws.client("s3", "us-east-1").create_bucket(Bucket=APP_TRAIL_BUCKET)
    key = aws.client("kms", "us-east-1").create_key(Description="northwind app audit trail")
    app = aws.client("cloudtrail", "us-east-1")
    app.create_trail(Name="northwind-app-audit", S3BucketName=APP_TRAIL_BUCKET,
                     IsMultiRegionTrail=False, EnableLogFileValidation=True,
                     KmsKeyId=key["KeyMetadata"]["Arn"])
    app.put_event_selectors(TrailName="northwind-app-audit", EventSelectors=[
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])


def _event_selectors(req: FakeRequest) -> FakeResponse | None:
    from moto.cloudtrail.exceptions import TrailNameTooShort, TrailNotFoundException
    from moto.cloudtrail.models import cloudtrail_backends

    name = str(req.params.get("TrailName", ""))
    region = name.split(":")[3] if name.startswith("arn:") else req.region
    try:
        trail = cloudtrail_backends[DEMO_ACCOUNT_ID][region].get_trail(name)
    except (KeyError, TrailNameTooShort, TrailNotFoundException):
        return None  # unknown region or trail: moto's own answer
    basic, advanced = trail.get_event_selectors()
    body = {"TrailARN": trail.arn}
    if advanced:
        body["AdvancedEventSelectors"] = advanced
    else:
        body["EventSelectors"] = basic or DEFAULT_SELECTORS
    return FakeResponse(body)


FAKES = {("cloudtrail", "GetEventSelectors"): _event_selectors}
