"""VPC checks on hand-built snapshots: network ACL rule order, IPv6, flow log states, peering
route scope, default VPC use."""

from __future__ import annotations

import json

from srm_nb.collect.vpc import flatten_acl_entries
from test_ec2_checks import REGION, run, snapshot


def entry(number, action, cidr="0.0.0.0/0", protocol="-1", ports=None, egress=False):
    e = {"RuleNumber": number, "RuleAction": action, "Protocol": protocol, "Egress": egress}
    e["Ipv6CidrBlock" if ":" in cidr else "CidrBlock"] = cidr
    if ports:
        e["PortRange"] = {"From": ports[0], "To": ports[1]}
    return e


ACL_CASES = {
    # first matching world rule decides, in rule-number order (not list order)
    "deny_first": ([entry(200, "allow"), entry(50, "deny", protocol="6", ports=(22, 22)),
                    entry(55, "deny", protocol="17", ports=(22, 22)), entry(60, "deny", protocol="6", ports=(3389, 3389)),
                    entry(65, "deny", protocol="17", ports=(3389, 3389)), entry(32767, "deny")], "PASS"),
    # TCP denied first, but UDP to 22 meets the allow-all rule: EC2.21 counts TCP or UDP.
    "udp_behind_tcp_deny": ([entry(200, "allow"), entry(50, "deny", protocol="6", ports=(22, 22)),
                             entry(60, "deny", protocol="6", ports=(3389, 3389)),
                             entry(65, "deny", protocol="17", ports=(3389, 3389)), entry(32767, "deny")], "FAIL"),
    "allow_first": ([entry(100, "allow"), entry(200, "deny", protocol="6", ports=(22, 22)),
                     entry(32767, "deny")], "FAIL"),
    "range_allows_rdp": ([entry(100, "allow", protocol="6", ports=(1024, 65535)), entry(32767, "deny")], "FAIL"),
    "https_only": ([entry(100, "allow", protocol="6", ports=(443, 443)), entry(32767, "deny")], "PASS"),
    "narrow_source": ([entry(100, "allow", cidr="203.0.113.0/24"), entry(32767, "deny")], "PASS"),
    "udp_only": ([entry(100, "allow", protocol="17", ports=(0, 65535)), entry(32767, "deny")], "FAIL"),
    "udp_elsewhere": ([entry(100, "allow", protocol="17", ports=(53, 53)), entry(32767, "deny")], "PASS"),
    "egress_only": ([entry(100, "allow", egress=True), entry(32767, "deny")], "PASS"),
    "ipv6_open": ([entry(32767, "deny"), entry(100, "allow", cidr="::/0", protocol="6", ports=(22, 22)),
                   entry(32768, "deny", cidr="::/0")], "FAIL"),
    "ipv6_denied": ([entry(90, "deny", cidr="::/0"), entry(100, "allow", cidr="::/0"),
                     entry(32767, "deny")], "PASS"),
    "no_entries": ([], "PASS"),
}


def acls(cases) -> dict:
    rows, entries = [], []
    for acl_id, acl_entries in cases.items():
        rows.append({"network_acl_id": acl_id, "vpc_id": "vpc-1", "arn": f"arn:aws:ec2:{REGION}:1:network-acl/{acl_id}"})
        entries += flatten_acl_entries(acl_id, acl_entries)
    return {"vpc_network_acls": rows, "vpc_network_acl_entries": entries}


def test_network_acl_rule_order_ports_and_families():
    s = snapshot(**acls({k: v[0] for k, v in ACL_CASES.items()}))
    assert run(s, "vpc_networkacl_admin_ports_restricted") == {k: v[1] for k, v in ACL_CASES.items()}


def test_network_acl_detail_names_port_family_and_rule():
    from srm_nb.checks.catalog import load_catalog
    from srm_nb.checks.runner import run_check

    s = snapshot(**acls({"acl-1": [entry(120, "allow", cidr="::/0", protocol="6", ports=(3389, 3389)),
                                   entry(100, "allow", protocol="6", ports=(22, 22))]}))
    detail = run_check(load_catalog()["vpc_networkacl_admin_ports_restricted"], s)["detail"].iloc[0]
    assert "22/ipv4 (rule 100)" in detail and "3389/ipv6 (rule 120)" in detail


def test_flow_logs_need_an_active_log_that_captures_rejects():
    s = snapshot(
        vpc_vpcs=[{"vpc_id": v, "is_default": False} for v in ("vpc-all", "vpc-reject", "vpc-accept",
                                                              "vpc-failed", "vpc-none")],
        vpc_flow_logs=[
            {"flow_log_id": "fl-1", "resource_id": "vpc-all", "traffic_type": "ALL", "flow_log_status": "ACTIVE"},
            {"flow_log_id": "fl-2", "resource_id": "vpc-reject", "traffic_type": "REJECT", "flow_log_status": "ACTIVE"},
            {"flow_log_id": "fl-3", "resource_id": "vpc-accept", "traffic_type": "ACCEPT", "flow_log_status": "ACTIVE"},
            {"flow_log_id": "fl-4", "resource_id": "vpc-failed", "traffic_type": "ALL", "flow_log_status": "FAILED"},
            {"flow_log_id": "fl-5", "resource_id": "subnet-1", "traffic_type": "ALL", "flow_log_status": "ACTIVE"},
        ])
    assert run(s, "vpc_flow_logs_enabled") == {"vpc-all": "PASS", "vpc-reject": "PASS", "vpc-accept": "FAIL",
                                               "vpc-failed": "FAIL", "vpc-none": "FAIL"}


def test_flow_logs_listing_gap_is_an_error():
    s = snapshot(vpc_vpcs=[{"vpc_id": "vpc-1", "is_default": True}], vpc_flow_logs=[], gaps=[{
        "table": "vpc_flow_logs", "region": REGION, "service": "ec2", "operation": "DescribeFlowLogs",
        "status": "denied", "error_code": "UnauthorizedOperation"}])
    assert run(s, "vpc_flow_logs_enabled") == {"vpc-1": "ERROR"}


def test_default_vpc_in_use():
    s = snapshot(
        vpc_vpcs=[{"vpc_id": "vpc-d1", "is_default": True}, {"vpc_id": "vpc-d2", "is_default": True},
                  {"vpc_id": "vpc-prod", "is_default": False}],
        vpc_network_interfaces=[{"interface_id": "eni-1", "vpc_id": "vpc-d1"},
                                {"interface_id": "eni-2", "vpc_id": "vpc-prod"}])
    assert run(s, "vpc_default_vpc_unused") == {"vpc-d1": "FAIL", "vpc-d2": "PASS"}
    none = snapshot(vpc_vpcs=[{"vpc_id": "vpc-prod", "is_default": False}], vpc_network_interfaces=[])
    assert set(run(none, "vpc_default_vpc_unused").values()) == {"NOT_APPLICABLE"}


def peering_snapshot(routes):
    return snapshot(
        vpc_routes=[{"route_table_id": rtb, "vpc_id": vpc, "destination": dest,
                     "target_type": "VpcPeeringConnectionId" if target.startswith("pcx") else "GatewayId",
                     "target_id": target} for rtb, vpc, dest, target in routes],
        vpc_peering_connections=[{
            "peering_id": "pcx-1", "arn": "arn:aws:ec2:us-east-1:1:vpc-peering-connection/pcx-1",
            "requester_vpc_id": "vpc-a", "requester_cidrs_json": json.dumps(["10.1.0.0/16", "2600:1f18::/56"]),
            "accepter_vpc_id": "vpc-b", "accepter_cidrs_json": json.dumps(["10.2.0.0/16"])}])


def test_peering_route_scope():
    s = peering_snapshot([
        ("rtb-a", "vpc-a", "10.2.3.0/24", "pcx-1"),  # part of the peer: least access
        ("rtb-a", "vpc-a", "10.2.0.0/16", "pcx-1"),  # the whole peer VPC
        ("rtb-b", "vpc-b", "10.0.0.0/8", "pcx-1"),  # wider than the peer (10.1.0.0/16)
        ("rtb-b", "vpc-b", "2600:1f18::/64", "pcx-1"),  # part of the peer's IPv6 block
        ("rtb-b", "vpc-b", "pl-0123", "pcx-1"),  # prefix list: cannot judge
        ("rtb-a", "vpc-a", "10.9.0.0/16", "pcx-gone"),  # peering not listed: cannot judge
        ("rtb-a", "vpc-a", "0.0.0.0/0", "igw-1"),  # not a peering route
    ])
    assert run(s, "vpc_peering_routes_least_access") == {
        "rtb-a:10.2.3.0/24": "PASS", "rtb-a:10.2.0.0/16": "FAIL", "rtb-b:10.0.0.0/8": "FAIL",
        "rtb-b:2600:1f18::/64": "PASS", "rtb-b:pl-0123": "ERROR", "rtb-a:10.9.0.0/16": "ERROR"}


def test_no_peering_routes_is_not_applicable():
    s = peering_snapshot([("rtb-a", "vpc-a", "0.0.0.0/0", "igw-1")])
    assert set(run(s, "vpc_peering_routes_least_access").values()) == {"NOT_APPLICABLE"}


def test_network_acl_in_use():
    """EC2.16 (vpc-network-acl-unused-check): an ACL associated with no subnet fails, a VPC's
    default ACL included; unreadable associations are an error."""
    def acl(acl_id, subnets, default=False):
        return {"network_acl_id": acl_id, "vpc_id": "vpc-1", "is_default": default,
                "subnet_ids_json": None if subnets is None else json.dumps(subnets)}
    s = snapshot(vpc_network_acls=[acl("acl-used", ["subnet-1", "subnet-2"]), acl("acl-spare", []),
                                   acl("acl-default", [], default=True), acl("acl-unread", None)])
    assert run(s, "vpc_networkacl_in_use") == {"acl-used": "PASS", "acl-spare": "FAIL", "acl-default": "FAIL",
                                               "acl-unread": "ERROR"}
