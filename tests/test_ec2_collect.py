"""EC2 and VPC collectors against moto (decorator mode), and the common check verdicts on what
they collect."""

from __future__ import annotations

import json

import boto3
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.checks.catalog import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect import load_collectors
from srm_nb.collect.base import Ctx, Recorder
from srm_nb.collect.runner import collect

AMI = "ami-12c6146b"
REGION = "us-east-1"


def _access() -> AwsAccess:
    return AwsAccess(session=boto3.Session(region_name=REGION))


def _name(kind, name):
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def _verdicts(s, check_id, key="resource_id"):
    r = run_check(load_catalog()[check_id], s)
    return dict(zip(r[key], r["status"])), r


def _seed_ec2(ec2):
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    ssh = ec2.create_security_group(GroupName="ssh-world", Description="d", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=ssh, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    tight = ec2.create_security_group(GroupName="tight", Description="d", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=tight, IpPermissions=[
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
         "UserIdGroupPairs": [{"GroupId": ssh}]}])
    v6 = ec2.create_security_group(GroupName="rdp-v6", Description="d", VpcId=vpc)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=v6, IpPermissions=[
        {"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}])
    good = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, MetadataOptions={"HttpTokens": "required"},
                             TagSpecifications=_name("instance", "good"),
                             SecurityGroupIds=[tight])["Instances"][0]["InstanceId"]
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, MetadataOptions={"HttpTokens": "optional"},
                      TagSpecifications=_name("instance", "old"))
    enc = ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, Encrypted=True,
                            TagSpecifications=_name("volume", "enc"))["VolumeId"]
    plain = ec2.create_volume(AvailabilityZone="us-east-1a", Size=20, Encrypted=False,
                              TagSpecifications=_name("volume", "plain"))["VolumeId"]
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=30, Encrypted=False,
                      TagSpecifications=_name("volume", "spare"))  # detached: EC2.3 does not judge it
    for volume, device in ((enc, "/dev/sdf"), (plain, "/dev/sdg")):
        ec2.attach_volume(VolumeId=volume, InstanceId=good, Device=device)
    ec2.create_snapshot(VolumeId=enc, TagSpecifications=_name("snapshot", "private-enc"))
    public = ec2.create_snapshot(VolumeId=plain, TagSpecifications=_name("snapshot", "public-plain"))["SnapshotId"]
    ec2.modify_snapshot_attribute(SnapshotId=public, Attribute="createVolumePermission",
                                  OperationType="add", GroupNames=["all"])
    return {"ssh": ssh, "tight": tight, "v6": v6, "public_snapshot": public}


@mock_aws
def test_ec2_tables_and_verdicts():
    ec2 = boto3.client("ec2", region_name=REGION)
    ids = _seed_ec2(ec2)
    inst = ec2.describe_instances()["Reservations"][0]["Instances"][0]["InstanceId"]
    img = ec2.create_image(InstanceId=inst, Name="shared-image")["ImageId"]
    ec2.modify_image_attribute(ImageId=img, LaunchPermission={"Add": [{"Group": "all"}]})
    ec2.create_image(InstanceId=inst, Name="private-image")

    s = collect(_access(), [REGION], services=["ec2"], quiet=True)
    assert s.gaps.empty, s.gaps.to_dict("records")

    instances = s.table("ec2_instances").set_index("name")
    assert instances.loc["good", "http_tokens"] == "required"
    assert instances.loc["old", "http_endpoint"] == "enabled"
    rules = s.table("ec2_security_group_rules")
    ssh_rules = rules[rules["group_id"] == ids["ssh"]]
    assert set(zip(ssh_rules["direction"], ssh_rules["source_type"], ssh_rules["source"])) >= {
        ("ingress", "ipv4", "0.0.0.0/0"), ("ingress", "ipv6", "::/0"), ("egress", "ipv4", "0.0.0.0/0")}
    tight_sources = set(rules.loc[(rules["group_id"] == ids["tight"]) & (rules["direction"] == "ingress"), "source_type"])
    assert tight_sources == {"ipv4", "security_group"}
    assert set(s.table("ec2_volumes").columns) >= {"region", "volume_id", "arn", "encrypted", "kms_key_id",
                                                   "state", "size_gib", "attached_instance_ids"}
    # Only the account's own snapshots (moto also lists its built-in AMIs' snapshots, owned elsewhere).
    snaps = s.table("ec2_snapshots")
    assert {"private-enc", "public-plain"} <= set(snaps["name"])
    assert (snaps["arn"].str.startswith("arn:aws:ec2:us-east-1::snapshot/")).all()
    perms = s.table("ec2_snapshot_permissions").set_index("snapshot_id")
    assert bool(perms.loc[ids["public_snapshot"], "public"])
    images = s.table("ec2_images").set_index("name")
    assert bool(images.loc["shared-image", "public"]) and not bool(images.loc["private-image", "public"])

    by_id, _ = _verdicts(s, "ec2_securitygroup_admin_ports_restricted")
    assert by_id[ids["ssh"]] == "FAIL" and by_id[ids["tight"]] == "PASS" and by_id[ids["v6"]] == "PASS"
    by_id, _ = _verdicts(s, "ec2_securitygroup_admin_ports_ipv6_restricted")
    assert by_id[ids["v6"]] == "FAIL" and by_id[ids["ssh"]] == "PASS"
    by_id, _ = _verdicts(s, "ec2_instance_imdsv2_required")
    names = dict(zip(s.table("ec2_instances")["instance_id"], s.table("ec2_instances")["name"]))
    assert {names[i]: v for i, v in by_id.items()} == {"good": "PASS", "old": "FAIL"}
    by_id, _ = _verdicts(s, "ec2_snapshot_not_public")
    snap_names = dict(zip(snaps["snapshot_id"], snaps["name"]))
    named = {snap_names[i]: v for i, v in by_id.items() if isinstance(snap_names.get(i), str)}
    assert named == {"private-enc": "PASS", "public-plain": "FAIL"}
    by_id, _ = _verdicts(s, "ec2_snapshot_encrypted")
    assert {snap_names[i]: v for i, v in by_id.items() if isinstance(snap_names.get(i), str)} == {
        "private-enc": "PASS", "public-plain": "FAIL"}
    by_id, _ = _verdicts(s, "ec2_image_not_public")
    assert by_id[img] == "FAIL" and list(by_id.values()).count("PASS") == 1
    by_id, _ = _verdicts(s, "ec2_volume_encrypted")
    vol_names = dict(zip(s.table("ec2_volumes")["volume_id"], s.table("ec2_volumes")["name"]))
    assert {vol_names[i]: v for i, v in by_id.items() if isinstance(vol_names.get(i), str)} == {
        "enc": "PASS", "plain": "FAIL"}
    by_id, _ = _verdicts(s, "ec2_ebs_default_encryption_enabled")
    assert by_id == {REGION: "FAIL"}
    by_id, _ = _verdicts(s, "ec2_securitygroup_default_restricts_all")
    assert set(by_id.values()) == {"FAIL"}  # AWS's default group allows all egress


@mock_aws
def test_snapshot_permission_failure_is_a_gap_for_that_snapshot_only():
    """A denied DescribeSnapshotAttribute leaves that snapshot's public verdict ERROR; the
    listing and its encryption verdict stay."""
    ec2 = boto3.client("ec2", region_name=REGION)
    vol = ec2.create_volume(AvailabilityZone="us-east-1a", Size=10, Encrypted=True)["VolumeId"]
    snap = ec2.create_snapshot(VolumeId=vol)["SnapshotId"]
    load_collectors()
    from srm_nb.collect.base import REGISTRY

    client = _access().client("ec2", REGION, REGISTRY["ec2"].operations)
    listed = client.describe_snapshots(OwnerIds=["self"])["Snapshots"]
    listed = [x for x in listed if x["SnapshotId"] == snap]
    stub = Stubber(client)
    stub.add_response("describe_snapshots", {"Snapshots": listed}, {"OwnerIds": ["self"]})
    stub.add_client_error("describe_snapshot_attribute", "UnauthorizedOperation", "denied")
    recorder = Recorder()
    ctx = Ctx(REGISTRY["ec2"], REGION, client, recorder, "123456789012", "aws", REGION)
    with stub:
        from srm_nb.collect.ec2 import _snapshots

        _snapshots(ctx)
    assert [g["resource_id"] for g in recorder.gaps] == [snap]
    assert recorder.gaps[0]["table"] == "ec2_snapshot_permissions"
    assert recorder.rows["ec2_snapshots"][0]["snapshot_id"] == snap
    assert "ec2_snapshot_permissions" not in recorder.rows


def _seed_vpc(ec2):
    prod = ec2.create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=_name("vpc", "prod"))["Vpc"]["VpcId"]
    other = ec2.create_vpc(CidrBlock="10.30.0.0/16", TagSpecifications=_name("vpc", "other"))["Vpc"]["VpcId"]
    ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[prod], TrafficType="REJECT",
                         LogDestinationType="cloud-watch-logs", LogGroupName="flow",
                         DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow")
    ec2.create_flow_logs(ResourceType="VPC", ResourceIds=[other], TrafficType="ACCEPT",
                         LogDestinationType="cloud-watch-logs", LogGroupName="flow-accept",
                         DeliverLogsPermissionArn="arn:aws:iam::123456789012:role/flow")
    acl = ec2.create_network_acl(VpcId=prod, TagSpecifications=_name("network-acl", "guarded"))["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=10, Protocol="6", RuleAction="deny", Egress=False,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 0, "To": 1024})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=20, Protocol="6", RuleAction="deny", Egress=False,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 3389, "To": 3389})
    for number, ports in ((11, (0, 1024)), (21, (3389, 3389))):  # UDP counts too (EC2.21)
        ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=number, Protocol="17", RuleAction="deny",
                                     Egress=False, CidrBlock="0.0.0.0/0", PortRange={"From": ports[0], "To": ports[1]})
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="-1", RuleAction="allow",
                                 Egress=False, CidrBlock="0.0.0.0/0")
    pcx = ec2.create_vpc_peering_connection(VpcId=prod, PeerVpcId=other)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)
    rtb = ec2.create_route_table(VpcId=prod)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=rtb, DestinationCidrBlock="10.30.1.0/24", VpcPeeringConnectionId=pcx)
    back = ec2.create_route_table(VpcId=other)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=back, DestinationCidrBlock="10.0.0.0/8", VpcPeeringConnectionId=pcx)
    return {"prod": prod, "other": other, "acl": acl, "pcx": pcx, "rtb": rtb, "back": back}


@mock_aws
def test_vpc_tables_and_verdicts():
    ec2 = boto3.client("ec2", region_name=REGION)
    ids = _seed_vpc(ec2)
    ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1)  # lands in the default VPC

    s = collect(_access(), [REGION], services=["vpc"], quiet=True)
    assert s.gaps.empty, s.gaps.to_dict("records")
    vpcs = s.table("vpc_vpcs").set_index("vpc_id")
    assert vpcs.loc[ids["prod"], "name"] == "prod" and not vpcs.loc[ids["prod"], "is_default"]
    entries = s.table("vpc_network_acl_entries")
    guarded = entries[entries["network_acl_id"] == ids["acl"]].set_index("rule_number")
    assert guarded.loc[10, "rule_action"] == "deny" and guarded.loc[10, "to_port"] == 1024
    routes = s.table("vpc_routes")
    peer_routes = routes[routes["target_type"] == "VpcPeeringConnectionId"]
    assert set(peer_routes["destination"]) == {"10.30.1.0/24", "10.0.0.0/8"}
    peering = s.table("vpc_peering_connections").set_index("peering_id")
    assert json.loads(peering.loc[ids["pcx"], "accepter_cidrs_json"]) == ["10.30.0.0/16"]
    assert s.table("vpc_network_interfaces")["attached_instance_id"].notna().any()

    by_id, _ = _verdicts(s, "vpc_flow_logs_enabled")
    assert by_id[ids["prod"]] == "PASS"
    assert by_id[ids["other"]] == "FAIL"  # ACCEPT-only logs miss the rejected probes
    by_id, _ = _verdicts(s, "vpc_networkacl_admin_ports_restricted")
    assert by_id[ids["acl"]] == "PASS"
    default_acls = s.table("vpc_network_acls").query("is_default")["network_acl_id"]
    assert {by_id[a] for a in default_acls} == {"FAIL"}  # AWS's default ACLs allow everything
    by_id, _ = _verdicts(s, "vpc_peering_routes_least_access")
    assert by_id == {f"{ids['rtb']}:10.30.1.0/24": "PASS", f"{ids['back']}:10.0.0.0/8": "FAIL"}
    by_id, _ = _verdicts(s, "vpc_default_vpc_unused")
    default_vpc = vpcs.index[vpcs["is_default"]][0]
    assert by_id == {default_vpc: "FAIL"}


@mock_aws
def test_vpc_listing_denied_is_a_region_gap():
    load_collectors()
    from srm_nb.collect.base import REGISTRY

    client = _access().client("ec2", REGION, REGISTRY["vpc"].operations)
    stub = Stubber(client)
    stub.add_client_error("describe_vpcs", "UnauthorizedOperation", "denied")
    for op, key in (("describe_flow_logs", "FlowLogs"), ("describe_network_acls", "NetworkAcls"),
                    ("describe_route_tables", "RouteTables"),
                    ("describe_vpc_peering_connections", "VpcPeeringConnections"),
                    ("describe_network_interfaces", "NetworkInterfaces")):
        stub.add_response(op, {key: []})
    recorder = Recorder()
    with stub:
        REGISTRY["vpc"].func(Ctx(REGISTRY["vpc"], REGION, client, recorder, "123456789012", "aws", REGION))
    assert [(g["table"], g["resource_id"], g["status"]) for g in recorder.gaps] == [
        ("vpc_vpcs", "", "denied")]


@mock_aws
def test_failed_security_group_listing_marks_the_groups_and_their_rules():
    """The flattened rule table comes from the same call: a failed listing is a gap in both, so
    no security group check can pass on an empty rule table."""
    from srm_nb.collect.base import REGISTRY
    from srm_nb.collect.ec2 import _security_groups

    load_collectors()
    client = _access().client("ec2", REGION, REGISTRY["ec2"].operations)
    stub = Stubber(client)
    stub.add_client_error("describe_security_groups", "RequestLimitExceeded", "slow down")
    recorder = Recorder()
    with stub:
        _security_groups(Ctx(REGISTRY["ec2"], REGION, client, recorder, "123456789012", "aws", REGION))
    assert {(g["table"], g["status"]) for g in recorder.gaps} == {
        ("ec2_security_groups", "throttled"), ("ec2_security_group_rules", "throttled")}
