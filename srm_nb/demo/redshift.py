"""Demo Redshift (us-east-1): the analytics warehouse done right, and a marketing sandbox done
quickly.

- `northwind-warehouse`: private, encrypted with the data key, TLS required and user activity
  logged (parameter group `northwind-warehouse-tls`), audit logs to CloudWatch, 14 days of
  snapshots, version upgrades allowed, enhanced VPC routing, its own admin and database names,
  Multi-AZ, port 5439 open to the production VPC only.
- `marketing-sandbox`: public, unencrypted, default parameter group (TLS optional), no audit
  logs, 1 day of snapshots, upgrades refused, default names (awsuser / dev), one Availability
  Zone, port 5439 open to the whole internet.

moto 5.2.5 differs from AWS in two places this story needs, fixed here:
- it accepts MultiAZ on CreateCluster but never reports it: the warehouse's flag is set in moto's
  state (the server runs in this process), as demo/iam.py backdates users;
- it has no ModifyClusterParameterGroup and answers DescribeClusterParameters with the engine
  defaults for every group: FAKES answers it for `northwind-warehouse-tls` with the group's own
  values (moto's answer, with the story's values in place of the defaults).
"""

from __future__ import annotations

import re

from . import DEMO_ACCOUNT_ID, DemoAws
from .kms import DATA_KEY_ALIAS
from .server import FakeRequest, FakeResponse
from .vpc import find_vpc

ORDER = 58  # after KMS (the warehouse's key) and the VPC
REGION = "us-east-1"
SECURE_GROUP = "northwind-warehouse-tls"
SECURE_VALUES = {"require_ssl": "true", "enable_user_activity_logging": "true"}


def _security_group(ec2, name: str, vpc: str, cidr: str) -> str:
    group = ec2.create_security_group(GroupName=name, Description=f"Redshift clients ({cidr})",
                                      VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": "tcp", "FromPort": 5439, "ToPort": 5439, "IpRanges": [{"CidrIp": cidr}]}])
    return group


def seed(aws: DemoAws) -> None:
    rs = aws.client("redshift", REGION)
    ec2 = aws.client("ec2", REGION)
    prod = find_vpc(ec2, "northwind-prod")
    key = aws.client("kms", REGION).describe_key(KeyId=DATA_KEY_ALIAS)["KeyMetadata"]["Arn"]
    rs.create_cluster_parameter_group(ParameterGroupName=SECURE_GROUP, ParameterGroupFamily="redshift-1.0",
                                      Description="TLS required, user activity logged")
    rs.create_cluster(
        ClusterIdentifier="northwind-warehouse", NodeType="ra3.xlplus", ClusterType="multi-node",
        NumberOfNodes=2, MasterUsername="nw_admin", MasterUserPassword="Demo-Passw0rd-1",
        DBName="analytics", PubliclyAccessible=False, Encrypted=True, KmsKeyId=key,
        AutomatedSnapshotRetentionPeriod=14, AllowVersionUpgrade=True, EnhancedVpcRouting=True,
        ClusterParameterGroupName=SECURE_GROUP, MultiAZ=True,
        VpcSecurityGroupIds=[_security_group(ec2, "warehouse-clients", prod, "10.20.0.0/16")])
    rs.enable_logging(ClusterIdentifier="northwind-warehouse", LogDestinationType="cloudwatch",
                      LogExports=["connectionlog", "userlog", "useractivitylog"])
    rs.create_cluster(
        ClusterIdentifier="marketing-sandbox", NodeType="dc2.large", ClusterType="single-node",
        MasterUsername="awsuser", MasterUserPassword="Demo-Passw0rd-2", PubliclyAccessible=True,
        Encrypted=False, AutomatedSnapshotRetentionPeriod=1, AllowVersionUpgrade=False,
        EnhancedVpcRouting=False,
        VpcSecurityGroupIds=[_security_group(ec2, "marketing-sandbox-sql", prod, "0.0.0.0/0")])
    _multi_az_as_aws_reports("northwind-warehouse")


def _multi_az_as_aws_reports(cluster_id: str) -> None:
    from moto.redshift.models import redshift_backends

    redshift_backends[DEMO_ACCOUNT_ID][REGION].clusters[cluster_id].multi_az = "Enabled"


def _cluster_parameters(req: FakeRequest) -> FakeResponse | None:
    if req.params.get("ParameterGroupName") != SECURE_GROUP:
        return None
    status, _, body = req.forward()
    if not status.startswith("200"):
        return None
    xml = body.decode()
    for name, value in SECURE_VALUES.items():
        xml = re.sub(rf"(<ParameterName>{name}</ParameterName><ParameterValue>)[^<]*(</ParameterValue>)",
                     rf"\g<1>{value}\g<2>", xml)
    return FakeResponse(xml, content_type="text/xml")


FAKES = {("redshift", "DescribeClusterParameters"): _cluster_parameters}
