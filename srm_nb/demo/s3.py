"""Demo S3: the data lake, a marketing site left public, logs, and a forgotten export bucket."""

from __future__ import annotations

import json

from . import DemoAws

ORDER = 10  # trails and logs write into these buckets


def _tls_only(bucket: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }],
    })


def _public_read(bucket: str) -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
                       "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}],
    })


BLOCK_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
             "RestrictPublicBuckets": True}


def seed(aws: DemoAws) -> None:
    s3 = aws.client("s3", "us-east-1")
    # Well run: encrypted with KMS, TLS only, public access blocked.
    s3.create_bucket(Bucket="northwind-datalake-prod")
    s3.put_bucket_encryption(Bucket="northwind-datalake-prod", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.put_bucket_policy(Bucket="northwind-datalake-prod", Policy=_tls_only("northwind-datalake-prod"))
    s3.put_public_access_block(Bucket="northwind-datalake-prod", PublicAccessBlockConfiguration=BLOCK_ALL)
    # Public by intent or by accident: the marketing site, readable by anyone, no TLS policy.
    s3.create_bucket(Bucket="northwind-marketing-site")
    s3.put_bucket_policy(Bucket="northwind-marketing-site", Policy=_public_read("northwind-marketing-site"))
    # Audit logs in Europe: blocked and encrypted, but no TLS-only policy.
    eu = aws.client("s3", "eu-west-1")
    eu.create_bucket(Bucket="northwind-cloudtrail-logs",
                     CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    eu.put_public_access_block(Bucket="northwind-cloudtrail-logs", PublicAccessBlockConfiguration=BLOCK_ALL)
    eu.put_bucket_encryption(Bucket="northwind-cloudtrail-logs", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    # A one-off export nobody owns: nothing configured.
    s3.create_bucket(Bucket="northwind-tmp-export-2023")
