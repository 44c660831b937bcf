"""A bigger Northwind for benchmarks: the demo account plus `factor` copies of its people and its
servers, each copy configured like the original it copies, so the scaled account keeps the demo's
shape (good and bad side by side) at benchmark sizes. Factor 20 gives about 3,000 findings.

One copy (suffix `-x<NNN>`) holds:
- IAM: the five demo users (`alice.admin-x001`...), with their groups, console passwords, MFA,
  access keys, inline policy, ages and last uses;
- S3: a well-run data lake bucket, a public site bucket and a forgotten bare bucket, in
  us-east-1 and eu-west-1 by turns;
- EC2, in us-east-1 and eu-west-1: a web tier (HTTPS from anywhere) and a bastion group (SSH
  from anywhere), `web-1-x001` (IMDSv2, patched, managed by SSM) and `bastion-x001` (IMDSv1,
  SSM agent lost), an encrypted and an unencrypted volume.

The SSM fakes (demo/ssm.py) answer for a copy as for its original (`original_name`).
"""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from botocore.config import Config

from . import DEMO_ACCOUNT_ID, DemoAws
from .iam import USERS, backdate_user, create_user
from .s3 import BLOCK_ALL

REGIONS = ("us-east-1", "eu-west-1")
AMI = "ami-12c6146b"  # one of moto's built-in AMIs
_COPY = re.compile(r"-x\d{3,}$")


def copy_name(name: str, n: int) -> str:
    return f"{name}-x{n:03d}"


def original_name(name: str) -> str:
    """The demo resource a copy copies (`web-1-x007` -> `web-1`); other names as they are."""
    return _COPY.sub("", name)


def seed_copies(endpoint: str, factor: int, workers: int = 4) -> None:
    """Add `factor` copies to a seeded demo account (the demo server runs in this process)."""
    if factor <= 0:
        return
    from .kms import aws_managed_keys_as_aws_does

    aws = _RetryingAws(endpoint)
    # The first copy alone: its encrypted volumes make moto create each region's aws/ebs key,
    # which concurrent first volumes would each create (up to 4 such keys seen in eu-west-1, a
    # different number every run, and so a different count of findings).
    _copy(aws, 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:  # moto takes writes concurrently
        list(pool.map(lambda n: _copy(aws, n), range(2, factor + 1)))
    aws_managed_keys_as_aws_does()
    _backdate(factor)


class _RetryingAws(DemoAws):
    """moto occasionally answers a burst of concurrent writes with a 500: retry those."""

    def client(self, service: str, region: str = "us-east-1"):
        import boto3

        return boto3.client(service, region_name=region, endpoint_url=self.endpoint,
                            aws_access_key_id="demo", aws_secret_access_key="demo",
                            config=Config(retries={"mode": "standard", "total_max_attempts": 10}))


def _copy(aws: DemoAws, n: int) -> None:
    _users(aws, n)
    _buckets(aws, n)
    for region in REGIONS:
        _servers(aws, region, n)


def _users(aws: DemoAws, n: int) -> None:
    iam = aws.client("iam")
    for name, spec in USERS.items():
        create_user(iam, copy_name(name, n), spec)


def _buckets(aws: DemoAws, n: int) -> None:
    region = REGIONS[n % len(REGIONS)]
    s3 = aws.client("s3", region)
    where = {} if region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": region}}
    lake, site, bare = (copy_name(b, n) for b in ("northwind-datalake-prod", "northwind-marketing-site",
                                                  "northwind-tmp-export-2023"))
    s3.create_bucket(Bucket=lake, **where)
    s3.put_bucket_encryption(Bucket=lake, ServerSideEncryptionConfiguration={
        "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]})
    s3.put_bucket_policy(Bucket=lake, Policy=_statement(lake, {
        "Sid": "DenyPlainHttp", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{lake}", f"arn:aws:s3:::{lake}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}))
    s3.put_public_access_block(Bucket=lake, PublicAccessBlockConfiguration=BLOCK_ALL)
    s3.put_bucket_versioning(Bucket=lake, VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_ownership_controls(Bucket=lake, OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_bucket_lifecycle_configuration(Bucket=lake, LifecycleConfiguration={"Rules": [{
        "ID": "expire-old-versions", "Status": "Enabled", "Filter": {"Prefix": ""},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 90}}]})
    s3.create_bucket(Bucket=site, **where)
    s3.put_bucket_policy(Bucket=site, Policy=_statement(site, {
        "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{site}/*"}))
    s3.put_bucket_acl(Bucket=site, ACL="public-read")
    s3.create_bucket(Bucket=bare, **where)


def _statement(bucket: str, statement: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _servers(aws: DemoAws, region: str, n: int) -> None:
    ec2 = aws.client("ec2", region)
    groups = {}
    for name, port in (("web-tier", 443), ("bastion-ssh", 22)):
        gid = ec2.create_security_group(GroupName=copy_name(name, n), Description=name)["GroupId"]
        ec2.authorize_security_group_ingress(GroupId=gid, IpPermissions=[{
            "IpProtocol": "tcp", "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
        groups[name] = gid
    for name, tokens, group in (("web-1", "required", "web-tier"), ("bastion", "optional", "bastion-ssh")):
        ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType="t3.micro",
                          MetadataOptions={"HttpTokens": tokens}, SecurityGroupIds=[groups[group]],
                          TagSpecifications=_tags("instance", copy_name(name, n)))
    for name, encrypted in (("web-1-data", True), ("legacy-reports", False)):
        ec2.create_volume(AvailabilityZone=f"{region}a", Size=100, Encrypted=encrypted,
                          TagSpecifications=_tags("volume", copy_name(name, n)))


def _tags(kind: str, name: str) -> list[dict]:
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def _backdate(factor: int) -> None:
    """The copies' users and keys get their originals' ages and last uses."""
    from moto.iam.models import iam_backends

    backend = iam_backends[DEMO_ACCOUNT_ID]["aws"]
    for n in range(1, factor + 1):
        for name, spec in USERS.items():
            backdate_user(backend.users[copy_name(name, n)], spec)
