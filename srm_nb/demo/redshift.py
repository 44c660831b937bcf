"""Demo Redshift (us-east-1): the analytics warehouse done right, and a marketing sandbox done
quickly.

- `northwind-warehouse`: private, encrypted with the data key, TLS required and user activity
  logged (parameter group `northwind-warehouse-tls`), audit logs to CloudWatch, 14 days of
  snapshots, version upgrades allowed, enhanced VPC routing, its own admin and database names,
  Multi-AZ, port 5439 open to the production VPC only.
- `marketing-sandbox`: public, unencrypted, default parameter group (TLS optional), no audit
  logs, 1 day of snapshots, upgrades refused, default names (awsuser / dev), one Availability
  Zone, port 5439 open to the whole internet.
- Redshift Serverless: the `northwind-bi` workgroup and namespace done right; `adhoc-analysis`,
  public, without enhanced VPC routing or TLS, with the default admin name and only the user
  activity log exported.

moto 5.2.5 differs from AWS in three places this story needs, fixed here:
- it accepts MultiAZ on CreateCluster but never reports it: the warehouse's flag is set in moto's
  state (the server runs in this process), as demo/iam.py backdates users;
- it has no ModifyClusterParameterGroup and answers DescribeClusterParameters with the engine
  defaults for every group: FAKES answers it for `northwind-warehouse-tls` with the group's own
  values (moto's answer, with the story's values in place of the defaults);
- it has no Redshift Serverless: FAKES answers ListWorkgroups and ListNamespaces with the story's
  workgroups and namespaces in us-east-1 (none elsewhere), in the real API's JSON shapes.
"""

from __future__ import annotations

import re
import uuid

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


# Redshift Serverless: name -> (public, enhanced VPC routing, require_ssl, admin, exported logs)
SERVERLESS = {
    "northwind-bi": (False, True, "true", "bi_owner", ["connectionlog", "userlog", "useractivitylog"]),
    "adhoc-analysis": (True, False, "false", "admin", ["useractivitylog"]),
}
CREATED = 1735725600  # 2025-01-01 10:00 UTC, as the JSON protocol's epoch seconds


def _serverless_arn(kind: str, name: str) -> str:
    return f"arn:aws:redshift-serverless:{REGION}:{DEMO_ACCOUNT_ID}:{kind}/{uuid.uuid5(uuid.NAMESPACE_DNS, name)}"


def _workgroups(req: FakeRequest) -> FakeResponse:
    found = [] if req.region != REGION else [{
        "workgroupName": name, "workgroupArn": _serverless_arn("workgroup", name),
        "workgroupId": str(uuid.uuid5(uuid.NAMESPACE_DNS, name)), "namespaceName": name,
        "status": "AVAILABLE", "publiclyAccessible": public, "enhancedVpcRouting": routing, "port": 5439,
        "baseCapacity": 8, "creationDate": CREATED,
        "configParameters": [{"parameterKey": "require_ssl", "parameterValue": ssl},
                             {"parameterKey": "enable_user_activity_logging", "parameterValue": "true"}],
    } for name, (public, routing, ssl, _, _) in SERVERLESS.items()]
    return FakeResponse({"workgroups": found})


def _namespaces(req: FakeRequest) -> FakeResponse:
    found = [] if req.region != REGION else [{
        "namespaceName": name, "namespaceArn": _serverless_arn("namespace", name),
        "namespaceId": str(uuid.uuid5(uuid.NAMESPACE_URL, name)), "status": "AVAILABLE",
        "adminUsername": admin, "dbName": "dev", "logExports": logs, "creationDate": CREATED,
        "kmsKeyId": "AWS_OWNED_KMS_KEY",
    } for name, (_, _, _, admin, logs) in SERVERLESS.items()]
    return FakeResponse({"namespaces": found})


FAKES = {("redshift", "DescribeClusterParameters"): _cluster_parameters,
         ("redshift-serverless", "ListWorkgroups"): _workgroups,
         ("redshift-serverless", "ListNamespaces"): _namespaces}
