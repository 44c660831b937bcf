"""Demo KMS: the data key rotates, a legacy application key does not, a key shared with a partner
is open to every AWS account, and an old ETL key is scheduled for deletion."""

from __future__ import annotations

import json

from . import DEMO_ACCOUNT_ID, DemoAws

# After EC2 (50), whose encrypted volumes make moto create the aws/ebs key; before DynamoDB and
# Backup, which encrypt with these keys.
ORDER = 55

DATA_KEY_ALIAS = "alias/northwind-data"


def _policy(extra: list[dict] | None = None) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "AccountAdmins", "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{DEMO_ACCOUNT_ID}:root"}, "Action": "kms:*", "Resource": "*",
    }, *(extra or [])]})


def _key(kms, alias: str, description: str, policy: str | None = None) -> str:
    key_id = kms.create_key(Description=description, Policy=policy or _policy())["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=alias, TargetKeyId=key_id)
    return key_id


def key_arn(aws: DemoAws, alias: str, region: str = "us-east-1") -> str:
    """The ARN of a demo key by alias (other demo modules encrypt with these keys)."""
    return aws.client("kms", region).describe_key(KeyId=alias)["KeyMetadata"]["Arn"]


def seed(aws: DemoAws) -> None:
    aws_managed_keys_as_aws_does()
    kms = aws.client("kms", "us-east-1")
    data = _key(kms, DATA_KEY_ALIAS, "Data lake, orders and backups")
    kms.enable_key_rotation(KeyId=data)
    _key(kms, "alias/legacy-reporting-app", "Legacy reporting application (rotation never enabled)")
    # Shared "with a partner" by a wildcard principal and no condition: any AWS account may decrypt.
    _key(kms, "alias/partner-exchange", "Files exchanged with the logistics partner", _policy([{
        "Sid": "PartnerDecrypt", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*"}]))
    old = _key(kms, "alias/etl-2022", "Retired ETL pipeline")
    kms.schedule_key_deletion(KeyId=old, PendingWindowInDays=30)
    eu = aws.client("kms", "eu-west-1")
    eu_key = _key(eu, "alias/northwind-logs", "Audit log encryption (Europe)")
    eu.enable_key_rotation(KeyId=eu_key)


def aws_managed_keys_as_aws_does() -> None:
    """moto creates the aws/ebs default key on the first encrypted volume, but as a customer
    managed key; in AWS the keys behind alias/aws/* are AWS managed. Fix moto's state."""
    from moto.kms.models import kms_backends

    from . import DEMO_ACCOUNT_ID, DEMO_REGIONS

    for region in DEMO_REGIONS:
        backend = kms_backends[DEMO_ACCOUNT_ID][region]
        for key in backend.keys.values():
            if any(name.startswith("alias/aws/") for name in key.aliases):
                key.key_manager = "AWS"
