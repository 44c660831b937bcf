"""Demo VPC: Northwind's production network done mostly right, an analytics VPC done less so.

us-east-1:
- `northwind-prod` (10.20.0.0/16): flow logs on (ALL traffic), public and private subnets, a
  private network ACL that denies SSH/RDP from the internet before allowing the rest, a default
  security group emptied of rules, and a narrow peering route (10.30.5.0/24) to analytics plus one
  covering the whole analytics VPC (left for review).
- `northwind-analytics` (10.30.0.0/16): no flow logs, a `dmz-legacy` network ACL that admits RDP
  from anywhere (its only subnet moved there, which leaves the VPC's default ACL guarding none),
  and a peering route for all of 10.0.0.0/8 back to prod (wider than prod).
Every region keeps its default VPC (without flow logs) and default network ACL (allow all).
"""

from __future__ import annotations

from . import DEMO_ACCOUNT_ID, DemoAws

ORDER = 40  # before ec2/elbv2/lambda, which place resources in these subnets

PROD_CIDR, ANALYTICS_CIDR = "10.20.0.0/16", "10.30.0.0/16"
SUBNETS = {  # name: (cidr, availability zone)
    "prod-public-a": ("10.20.0.0/24", "us-east-1a"),
    "prod-public-b": ("10.20.1.0/24", "us-east-1b"),
    "prod-private-a": ("10.20.10.0/24", "us-east-1a"),
    "prod-private-b": ("10.20.11.0/24", "us-east-1b"),
}


def _tags(kind: str, name: str) -> list[dict]:
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def find_vpc(ec2, name: str) -> str:
    return ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": [name]}])["Vpcs"][0]["VpcId"]


def find_subnet(ec2, name: str) -> str:
    return ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [name]}])["Subnets"][0]["SubnetId"]


def _main_route_table(ec2, vpc: str) -> str:
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]},
                                                {"Name": "association.main", "Values": ["true"]}])
    return tables["RouteTables"][0]["RouteTableId"]


def seed(aws: DemoAws) -> None:
    ec2 = aws.client("ec2", "us-east-1")
    prod = ec2.create_vpc(CidrBlock=PROD_CIDR, TagSpecifications=_tags("vpc", "northwind-prod"))["Vpc"]["VpcId"]
    analytics = ec2.create_vpc(CidrBlock=ANALYTICS_CIDR,
                               TagSpecifications=_tags("vpc", "northwind-analytics"))["Vpc"]["VpcId"]
    subnets = {name: ec2.create_subnet(VpcId=prod, CidrBlock=cidr, AvailabilityZone=az,
                                       TagSpecifications=_tags("subnet", name))["Subnet"]["SubnetId"]
               for name, (cidr, az) in SUBNETS.items()}
    dmz = ec2.create_subnet(VpcId=analytics, CidrBlock="10.30.0.0/24", AvailabilityZone="us-east-1a",
                            TagSpecifications=_tags("subnet", "analytics-dmz"))["Subnet"]["SubnetId"]

    ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[prod], TrafficType="ALL",
                         LogDestinationType="cloud-watch-logs", LogGroupName="/northwind/vpc-flow-logs",
                         DeliverLogsPermissionArn=f"arn:aws:iam::{DEMO_ACCOUNT_ID}:role/northwind-flow-logs")

    # Production's private subnets: deny remote administration from the internet (TCP and UDP),
    # then allow.
    private = ec2.create_network_acl(VpcId=prod, TagSpecifications=_tags("network-acl", "prod-private"))
    private_id = private["NetworkAcl"]["NetworkAclId"]
    for number, port, protocol in ((50, 22, "6"), (51, 22, "17"), (60, 3389, "6"), (61, 3389, "17")):
        ec2.create_network_acl_entry(NetworkAclId=private_id, RuleNumber=number, Protocol=protocol,
                                     RuleAction="deny", Egress=False, CidrBlock="0.0.0.0/0",
                                     PortRange={"From": port, "To": port})
    ec2.create_network_acl_entry(NetworkAclId=private_id, RuleNumber=100, Protocol="-1",
                                 RuleAction="allow", Egress=False, CidrBlock="0.0.0.0/0")
    ec2.create_network_acl_entry(NetworkAclId=private_id, RuleNumber=100, Protocol="-1",
                                 RuleAction="allow", Egress=True, CidrBlock="0.0.0.0/0")
    _associate(ec2, private_id, [subnets["prod-private-a"], subnets["prod-private-b"]])

    # Analytics' DMZ: someone opened RDP "temporarily".
    legacy = ec2.create_network_acl(VpcId=analytics, TagSpecifications=_tags("network-acl", "dmz-legacy"))
    legacy_id = legacy["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=legacy_id, RuleNumber=100, Protocol="6", RuleAction="allow",
                                 Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": 3389, "To": 3389})
    ec2.create_network_acl_entry(NetworkAclId=legacy_id, RuleNumber=110, Protocol="6", RuleAction="allow",
                                 Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": 443, "To": 443})
    _associate(ec2, legacy_id, [dmz])

    # The prod VPC's default security group is emptied; the default VPCs' keep AWS's rules.
    default_sg = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [prod]},
                                                       {"Name": "group-name", "Values": ["default"]}])
    group = default_sg["SecurityGroups"][0]
    if group.get("IpPermissionsEgress"):
        ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=group["IpPermissionsEgress"])
    if group.get("IpPermissions"):
        ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=group["IpPermissions"])

    pcx = ec2.create_vpc_peering_connection(VpcId=prod, PeerVpcId=analytics,
                                            TagSpecifications=_tags("vpc-peering-connection", "prod-analytics"))
    pcx_id = pcx["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx_id)
    # prod -> analytics: only the reporting subnet (least access).
    ec2.create_route(RouteTableId=_main_route_table(ec2, prod), DestinationCidrBlock="10.30.5.0/24",
                     VpcPeeringConnectionId=pcx_id)
    # A batch route table in prod covering the whole analytics VPC: a judgement call.
    batch = ec2.create_route_table(VpcId=prod, TagSpecifications=_tags("route-table", "prod-batch"))
    ec2.create_route(RouteTableId=batch["RouteTable"]["RouteTableId"], DestinationCidrBlock=ANALYTICS_CIDR,
                     VpcPeeringConnectionId=pcx_id)
    # analytics -> prod: all of 10/8, far wider than prod.
    ec2.create_route(RouteTableId=_main_route_table(ec2, analytics), DestinationCidrBlock="10.0.0.0/8",
                     VpcPeeringConnectionId=pcx_id)


def _associate(ec2, acl_id: str, subnet_ids: list[str]) -> None:
    """Move subnets from their current (default) ACL to `acl_id`."""
    acls = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": subnet_ids}])
    for acl in acls["NetworkAcls"]:
        for assoc in acl.get("Associations", []):
            if assoc.get("SubnetId") in subnet_ids:
                ec2.replace_network_acl_association(AssociationId=assoc["NetworkAclAssociationId"],
                                                    NetworkAclId=acl_id)
