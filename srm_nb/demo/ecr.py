"""Demo ECR: the production images are scanned continuously, immutable, expired and encrypted
with Northwind's own key; a legacy repository is none of these and is shared with everyone.

us-east-1, enhanced scanning (Amazon Inspector) with a continuous-scan rule for `northwind/*`:
- `northwind/orders-api`: immutable tags, a lifecycle policy, KMS with alias/northwind-data,
  a repository policy for the account's CI role only.
- `legacy/report-renderer`: mutable tags, no lifecycle policy, AES-256, outside the scan rule,
  and a repository policy that lets any AWS account pull.
"""

from __future__ import annotations

import json

from . import DEMO_ACCOUNT_ID, DemoAws
from .kms import DATA_KEY_ALIAS, key_arn

ORDER = 60  # after KMS (55): the production repository is encrypted with the data key

EXPIRE_UNTAGGED = json.dumps({"rules": [{
    "rulePriority": 1, "description": "Expire untagged images after 14 days",
    "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                  "countNumber": 14},
    "action": {"type": "expire"}}]})


def _policy(principal) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "Pull", "Effect": "Allow", "Principal": principal,
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]}]})


def seed(aws: DemoAws) -> None:
    ecr = aws.client("ecr", "us-east-1")
    ecr.create_repository(repositoryName="northwind/orders-api", imageTagMutability="IMMUTABLE",
                          encryptionConfiguration={"encryptionType": "KMS",
                                                   "kmsKey": key_arn(aws, DATA_KEY_ALIAS)})
    ecr.put_lifecycle_policy(repositoryName="northwind/orders-api", lifecyclePolicyText=EXPIRE_UNTAGGED)
    ecr.set_repository_policy(repositoryName="northwind/orders-api", policyText=_policy(
        {"AWS": f"arn:aws:iam::{DEMO_ACCOUNT_ID}:role/northwind-ci"}))
    ecr.create_repository(repositoryName="legacy/report-renderer")
    ecr.set_repository_policy(repositoryName="legacy/report-renderer", policyText=_policy("*"))
    ecr.put_registry_scanning_configuration(scanType="ENHANCED", rules=[{
        "scanFrequency": "CONTINUOUS_SCAN",
        "repositoryFilters": [{"filter": "northwind/*", "filterType": "WILDCARD"}]}])
