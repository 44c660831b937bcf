"""Demo EC2: a web tier, a bastion open to the world, a legacy box, EBS settings, and more.

us-east-1 (default VPC): `web-tier` (HTTPS from anywhere: fine), `bastion-ssh` (SSH from
anywhere), `reporting-db` (MySQL from anywhere); instances `web-1` (IMDSv2) and `bastion`
(IMDSv1), both with public IPs; web-1 gets AWS access from the `web-app` role, the bastion from
an instance profile someone created without a role. In the `northwind-prod` VPC (demo/vpc.py):
`app-1` in a private subnet, IMDSv2, no public IP. Volumes: an encrypted `web-1-data` attached to
web-1 (instance root volumes are unencrypted, as moto makes them) and an unencrypted, detached
`legacy-reports` (not subject to EC2.3); snapshots: `web-1-data-nightly` (encrypted, private) and
`legacy-reports-export` (unencrypted, shared publicly). AMIs: `northwind-web-golden` (private,
recent), `northwind-base-2025` (private, built March 2025) and `northwind-partner-demo` (public);
each AMI brings its own (unencrypted) root snapshot, as on AWS. EBS encryption by default on in
us-east-1 only.
eu-west-1: `legacy-rdp` (RDP from ::/0) and the Windows host `legacy-win-01` behind it, and
`vendor-debug`, all traffic from anywhere, opened for a vendor's troubleshooting and never closed.

moto dates every AMI "now": `northwind-base-2025` is backdated in moto's own state (the server
runs in this process), as demo/iam.py does for users.
"""

from __future__ import annotations

import json
from datetime import datetime

from . import DEMO_ACCOUNT_ID, DemoAws
from .vpc import find_subnet, find_vpc

ORDER = 50
AMI = "ami-12c6146b"  # one of moto's built-in AMIs
OLD_AMI_DATE = datetime(2025, 3, 2, 10, 0, 0)  # naive UTC, as moto keeps it


def _tags(kind: str, name: str) -> list[dict]:
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def _instance(ec2, name: str, tokens: str, **kwargs) -> str:
    return ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, MetadataOptions={"HttpTokens": tokens},
                             TagSpecifications=_tags("instance", name), **kwargs)["Instances"][0]["InstanceId"]


def seed(aws: DemoAws) -> None:
    ec2 = aws.client("ec2", "us-east-1")
    vpc = ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"][0]["VpcId"]
    web = ec2.create_security_group(GroupName="web-tier", Description="HTTPS from the internet",
                                    VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=web, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    bastion = ec2.create_security_group(GroupName="bastion-ssh", Description="SSH for admins",
                                        VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=bastion, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    db = ec2.create_security_group(GroupName="reporting-db", Description="MySQL for the BI vendor",
                                   VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=db, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 3306, "ToPort": 3306, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])
    _instance_profiles(aws)
    web_1 = _instance(ec2, "web-1", "required", InstanceType="t3.small", SecurityGroupIds=[web],
                      IamInstanceProfile={"Name": "web-app"})
    _instance(ec2, "bastion", "optional", InstanceType="t3.micro", SecurityGroupIds=[bastion],
              IamInstanceProfile={"Name": "bastion-legacy"})

    prod = find_vpc(ec2, "northwind-prod")
    app = ec2.create_security_group(GroupName="app-tier", Description="App servers, from the VPC only",
                                    VpcId=prod)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=app, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": [{"CidrIp": "10.20.0.0/16"}]}])
    _instance(ec2, "app-1", "required", InstanceType="t3.medium", SecurityGroupIds=[app],
              SubnetId=find_subnet(ec2, "prod-private-a"))

    good = ec2.create_volume(AvailabilityZone="us-east-1a", Size=100, Encrypted=True,
                             TagSpecifications=_tags("volume", "web-1-data"))["VolumeId"]
    legacy = ec2.create_volume(AvailabilityZone="us-east-1a", Size=500, Encrypted=False,
                               TagSpecifications=_tags("volume", "legacy-reports"))["VolumeId"]
    ec2.attach_volume(VolumeId=good, InstanceId=web_1, Device="/dev/sdf")
    ec2.create_snapshot(VolumeId=good, Description="nightly",
                        TagSpecifications=_tags("snapshot", "web-1-data-nightly"))
    export = ec2.create_snapshot(VolumeId=legacy, Description="export for the auditors",
                                 TagSpecifications=_tags("snapshot", "legacy-reports-export"))["SnapshotId"]
    ec2.modify_snapshot_attribute(SnapshotId=export, Attribute="createVolumePermission",
                                  OperationType="add", GroupNames=["all"])
    ec2.enable_ebs_encryption_by_default()

    ec2.create_image(InstanceId=web_1, Name="northwind-web-golden")
    old = ec2.create_image(InstanceId=web_1, Name="northwind-base-2025")["ImageId"]
    shared = ec2.create_image(InstanceId=web_1, Name="northwind-partner-demo")["ImageId"]
    ec2.modify_image_attribute(ImageId=shared, LaunchPermission={"Add": [{"Group": "all"}]})
    _backdate_image("us-east-1", old, OLD_AMI_DATE)

    # Europe: a legacy Windows host reachable over RDP.
    eu = aws.client("ec2", "eu-west-1")
    eu_vpc = eu.describe_vpcs()["Vpcs"][0]["VpcId"]
    rdp = eu.create_security_group(GroupName="legacy-rdp", Description="RDP", VpcId=eu_vpc)["GroupId"]
    eu.authorize_security_group_ingress(GroupId=rdp, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    _instance(eu, "legacy-win-01", "optional", InstanceType="t3.large", SecurityGroupIds=[rdp])
    debug = eu.create_security_group(GroupName="vendor-debug", Description="Vendor troubleshooting",
                                     VpcId=eu_vpc)["GroupId"]
    eu.authorize_security_group_ingress(GroupId=debug, IpPermissions=[{
        "IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])


def _instance_profiles(aws: DemoAws) -> None:
    """web-app holds a role; bastion-legacy was created for the bastion and never given one."""
    iam = aws.client("iam")
    iam.create_role(RoleName="web-app", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                               "Principal": {"Service": "ec2.amazonaws.com"}}]}))
    iam.create_instance_profile(InstanceProfileName="web-app")
    iam.add_role_to_instance_profile(InstanceProfileName="web-app", RoleName="web-app")
    iam.create_instance_profile(InstanceProfileName="bastion-legacy")


def _backdate_image(region: str, image_id: str, when: datetime) -> None:
    from moto.ec2.models import ec2_backends

    ec2_backends[DEMO_ACCOUNT_ID][region].amis[image_id].creation_date = when
