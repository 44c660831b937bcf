"""Demo S3: the data lake done right (KMS, TLS only, versioning, access logs, lifecycle), an access
log bucket under Object Lock, a marketing site left public by policy and ACL, a partner drop box
anyone can write to, a press kit whose public-read policy its Block Public Access neutralizes,
CloudTrail logs without TLS policy or Object Lock, and a forgotten export bucket. No
account-level Block Public Access: each bucket relies on its own settings.

moto accepts but ignores MFADelete, so no demo bucket has MFA delete (as in most accounts)."""

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


def _log_target(bucket: str) -> str:
    """TLS only, and the S3 logging service may write (first: moto reads the statements in order)."""
    tls = json.loads(_tls_only(bucket))
    tls["Statement"].insert(0, {
        "Sid": "S3ServerAccessLogs", "Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
        "Action": ["s3:PutObject"], "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}}})
    return json.dumps(tls)


def _public(bucket: str, action: str = "s3:GetObject") -> str:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Sid": "Public", "Effect": "Allow", "Principal": "*",
                       "Action": action, "Resource": f"arn:aws:s3:::{bucket}/*"}],
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
    s3.put_bucket_versioning(Bucket="northwind-datalake-prod", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_ownership_controls(Bucket="northwind-datalake-prod", OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_bucket_lifecycle_configuration(Bucket="northwind-datalake-prod", LifecycleConfiguration={"Rules": [{
        "ID": "expire-old-versions", "Status": "Enabled", "Filter": {"Prefix": ""},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 90}}]})
    # Access logs of the data lake, kept write-once (Object Lock) for a year.
    s3.create_bucket(Bucket="northwind-access-logs", ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket="northwind-access-logs", ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 365}}})
    s3.put_bucket_encryption(Bucket="northwind-access-logs", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.put_bucket_policy(Bucket="northwind-access-logs", Policy=_log_target("northwind-access-logs"))
    s3.put_public_access_block(Bucket="northwind-access-logs", PublicAccessBlockConfiguration=BLOCK_ALL)
    s3.put_bucket_lifecycle_configuration(Bucket="northwind-access-logs", LifecycleConfiguration={"Rules": [{
        "ID": "expire-after-400-days", "Status": "Enabled", "Filter": {"Prefix": ""},
        "Expiration": {"Days": 400}}]})
    s3.put_bucket_logging(Bucket="northwind-datalake-prod", BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": "northwind-access-logs", "TargetPrefix": "datalake/"}})
    # Public by intent or by accident: the marketing site, readable by anyone, no TLS policy.
    s3.create_bucket(Bucket="northwind-marketing-site")
    s3.put_bucket_policy(Bucket="northwind-marketing-site", Policy=_public("northwind-marketing-site"))
    s3.put_bucket_acl(Bucket="northwind-marketing-site", ACL="public-read")
    # Partners drop files without an account: anyone may write (FSBP S3.3), nobody may read.
    s3.create_bucket(Bucket="northwind-partner-dropbox")
    s3.put_bucket_policy(Bucket="northwind-partner-dropbox",
                         Policy=_public("northwind-partner-dropbox", "s3:PutObject"))
    # An old public-read policy, neutralized when someone turned Block Public Access on.
    s3.create_bucket(Bucket="northwind-press-kit")
    s3.put_bucket_policy(Bucket="northwind-press-kit", Policy=_public("northwind-press-kit"))
    s3.put_public_access_block(Bucket="northwind-press-kit", PublicAccessBlockConfiguration=BLOCK_ALL)
    # Audit logs in Europe: blocked and encrypted, but no TLS-only policy.
    eu = aws.client("s3", "eu-west-1")
    eu.create_bucket(Bucket="northwind-cloudtrail-logs",
                     CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    eu.put_public_access_block(Bucket="northwind-cloudtrail-logs", PublicAccessBlockConfiguration=BLOCK_ALL)
    eu.put_bucket_encryption(Bucket="northwind-cloudtrail-logs", ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    # A one-off export nobody owns: nothing configured.
    s3.create_bucket(Bucket="northwind-tmp-export-2023")
