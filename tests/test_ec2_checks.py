"""EC2 checks on hand-built snapshots: rule forms, port ranges, IPv4/IPv6, all-traffic rules,
empty tables, gaps."""

from __future__ import annotations

import pytest

from conftest import make_snapshot, schema_table
from srm_nb.checks.catalog import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect.ec2 import flatten_permissions
from srm_nb.snapshot import Snapshot

REGION = "us-east-1"


def snapshot(gaps: list[dict] | None = None, **tables) -> Snapshot:
    """A snapshot from rows given per table (every declared column, region us-east-1)."""
    return make_snapshot({name: schema_table(name, rows, region=REGION) for name, rows in tables.items()},
                         gaps=gaps, account_id="111122223333")


def run(s: Snapshot, check_id: str) -> dict:
    r = run_check(load_catalog()[check_id], s)
    return dict(zip(r["resource_id"], r["status"]))


def groups(**perms) -> Snapshot:
    """One security group per keyword, with the given ingress IpPermissions."""
    sgs, rules = [], []
    for gid, ingress in perms.items():
        sgs.append({"group_id": gid, "group_name": gid, "arn": f"arn:aws:ec2:{REGION}:1:security-group/{gid}"})
        rules += flatten_permissions(gid, ingress, "ingress")
    return snapshot(ec2_security_groups=sgs, ec2_security_group_rules=rules)


def v4(cidr="0.0.0.0/0"):
    return [{"CidrIp": cidr}]


ADMIN_CASES = {
    "ssh": ([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": v4()}], "FAIL"),
    "range": ([{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 1000, "IpRanges": v4()}], "FAIL"),
    "all_traffic": ([{"IpProtocol": "-1", "IpRanges": v4()}], "FAIL"),
    "numeric_tcp": ([{"IpProtocol": "6", "FromPort": 3389, "ToPort": 3389, "IpRanges": v4()}], "FAIL"),
    "rdp_udp": ([{"IpProtocol": "udp", "FromPort": 3389, "ToPort": 3389, "IpRanges": v4()}], "FAIL"),
    "https_only": ([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": v4()}], "PASS"),
    "ssh_private": ([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": v4("10.0.0.0/8")}], "PASS"),
    "icmp_all": ([{"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": v4()}], "PASS"),
    "from_group": ([{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-x"}]}], "PASS"),
    "prefix_list": ([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                      "PrefixListIds": [{"PrefixListId": "pl-123"}]}], "PASS"),
    "ipv6_only": ([{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                    "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}], "PASS"),
    "no_rules": ([], "PASS"),
}


def test_admin_ports_ipv4_rule_forms():
    s = groups(**{k: v[0] for k, v in ADMIN_CASES.items()})
    assert run(s, "ec2_securitygroup_admin_ports_restricted") == {k: v[1] for k, v in ADMIN_CASES.items()}


def test_admin_ports_ipv6_is_judged_separately():
    s = groups(
        v6_ssh=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
        v6_all=[{"IpProtocol": "-1", "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
        v6_narrow=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "Ipv6Ranges": [{"CidrIpv6": "2001:db8::/32"}]}],
        v4_ssh=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": v4()}],
    )
    assert run(s, "ec2_securitygroup_admin_ports_ipv6_restricted") == {
        "v6_ssh": "FAIL", "v6_all": "FAIL", "v6_narrow": "PASS", "v4_ssh": "PASS"}


def test_ssh_and_rdp_checks_count_either_address_family():
    """FSBP EC2.13 (22) and EC2.14 (3389) fail a 0.0.0.0/0 or ::/0 source; each only its port."""
    v6 = [{"CidrIpv6": "::/0"}]
    s = groups(
        v4_ssh=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": v4()}],
        v6_ssh=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "Ipv6Ranges": v6}],
        v6_rdp=[{"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "Ipv6Ranges": v6}],
        v4_all=[{"IpProtocol": "-1", "IpRanges": v4()}],
        narrow=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 3389, "IpRanges": v4("10.0.0.0/8")}],
    )
    assert run(s, "ec2_securitygroup_ssh_restricted") == {
        "v4_ssh": "FAIL", "v6_ssh": "FAIL", "v6_rdp": "PASS", "v4_all": "FAIL", "narrow": "PASS"}
    assert run(s, "ec2_securitygroup_rdp_restricted") == {
        "v4_ssh": "PASS", "v6_ssh": "PASS", "v6_rdp": "FAIL", "v4_all": "FAIL", "narrow": "PASS"}
    fsbp = {c: load_catalog()[c].fsbp_ids for c in ("ec2_securitygroup_ssh_restricted",
                                                    "ec2_securitygroup_rdp_restricted",
                                                    "ec2_securitygroup_admin_ports_restricted")}
    assert fsbp == {"ec2_securitygroup_ssh_restricted": ("EC2.13",),
                    "ec2_securitygroup_rdp_restricted": ("EC2.14",),
                    "ec2_securitygroup_admin_ports_restricted": ("EC2.53",)}


def test_high_risk_ports_are_ec2_19s_list():
    """EC2.19's own ports, either address family; our extra database ports are not under EC2.19."""
    s = groups(
        kibana=[{"IpProtocol": "tcp", "FromPort": 5601, "ToPort": 5601, "IpRanges": v4()}],
        telnet_v6=[{"IpProtocol": "tcp", "FromPort": 23, "ToPort": 23, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
        redis=[{"IpProtocol": "tcp", "FromPort": 6379, "ToPort": 6379, "IpRanges": v4()}],
        https=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": v4()}],
    )
    assert run(s, "ec2_securitygroup_high_risk_ports_restricted") == {
        "kibana": "FAIL", "telnet_v6": "FAIL", "redis": "PASS", "https": "PASS"}
    assert run(s, "ec2_securitygroup_database_ports_restricted")["redis"] == "FAIL"
    catalog = load_catalog()
    assert [c for c in catalog.values() if "EC2.19" in c.fsbp_ids] == [
        catalog["ec2_securitygroup_high_risk_ports_restricted"]]


def test_exposure_detail_names_every_open_port():
    s = groups(wide=[{"IpProtocol": "tcp", "FromPort": 20, "ToPort": 3400, "IpRanges": v4()}])
    r = run_check(load_catalog()["ec2_securitygroup_admin_ports_restricted"], s)
    assert "22,3389" in r["detail"].iloc[0]
    r = run_check(load_catalog()["ec2_securitygroup_database_ports_restricted"], s)
    assert r["status"].iloc[0] == "FAIL" and "1433,1521,3306" in r["detail"].iloc[0]


def test_cifs_and_database_ports_cover_both_families():
    s = groups(
        smb6=[{"IpProtocol": "tcp", "FromPort": 445, "ToPort": 445, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
        pg=[{"IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "IpRanges": v4()}],
        app=[{"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "IpRanges": v4()}],
    )
    assert run(s, "ec2_securitygroup_cifs_restricted") == {"smb6": "FAIL", "pg": "PASS", "app": "PASS"}
    assert run(s, "ec2_securitygroup_database_ports_restricted") == {"smb6": "PASS", "pg": "FAIL", "app": "PASS"}


def test_default_security_group_must_have_no_rules():
    rules = (flatten_permissions("sg-open", [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-open"}]}], "ingress")
             + flatten_permissions("sg-egress", [{"IpProtocol": "-1", "IpRanges": v4()}], "egress"))
    s = snapshot(ec2_security_groups=[
        {"group_id": "sg-open", "group_name": "default", "vpc_id": "vpc-1"},
        {"group_id": "sg-egress", "group_name": "default", "vpc_id": "vpc-2"},
        {"group_id": "sg-empty", "group_name": "default", "vpc_id": "vpc-3"},
        {"group_id": "sg-web", "group_name": "web", "vpc_id": "vpc-1"},
    ], ec2_security_group_rules=rules)
    assert run(s, "ec2_securitygroup_default_restricts_all") == {
        "sg-open": "FAIL", "sg-egress": "FAIL", "sg-empty": "PASS"}


def test_security_group_checks_without_groups_are_not_applicable_and_gaps_are_errors():
    empty = snapshot(ec2_security_groups=[], ec2_security_group_rules=[])
    assert set(run(empty, "ec2_securitygroup_admin_ports_restricted").values()) == {"NOT_APPLICABLE"}
    denied = snapshot(ec2_security_groups=[], ec2_security_group_rules=[], gaps=[{
        "table": "ec2_security_group_rules", "region": REGION, "service": "ec2",
        "operation": "DescribeSecurityGroups", "status": "denied", "error_code": "UnauthorizedOperation"}])
    assert set(run(denied, "ec2_securitygroup_admin_ports_restricted").values()) == {"ERROR"}
    assert set(run(denied, "ec2_securitygroup_default_restricts_all").values()) == {"ERROR"}


def test_missing_rules_table_is_an_error_not_a_pass():
    s = snapshot(ec2_security_groups=[{"group_id": "sg-1", "group_name": "x"}])
    assert set(run(s, "ec2_securitygroup_admin_ports_restricted").values()) == {"ERROR"}


def test_instances_imds_and_public_ip():
    s = snapshot(ec2_instances=[
        {"instance_id": "i-v2", "state": "running", "http_tokens": "required", "http_endpoint": "enabled"},
        {"instance_id": "i-off", "state": "stopped", "http_tokens": "optional", "http_endpoint": "disabled"},
        {"instance_id": "i-v1", "state": "running", "http_tokens": "optional", "http_endpoint": "enabled",
         "public_ip": "54.1.2.3"},
        {"instance_id": "i-gone", "state": "terminated", "http_tokens": "optional", "public_ip": "54.9.9.9"},
    ])
    # EC2.8 passes on HttpTokens=required only: an endpoint switched off with optional tokens
    # fails, and says why.
    assert run(s, "ec2_instance_imdsv2_required") == {"i-v2": "PASS", "i-off": "FAIL", "i-v1": "FAIL"}
    r = run_check(load_catalog()["ec2_instance_imdsv2_required"], s).set_index("resource_id")
    assert "now disabled metadata endpoint" in r.loc["i-off", "detail"]
    assert run(s, "ec2_instance_no_public_ip") == {"i-v2": "PASS", "i-off": "PASS", "i-v1": "FAIL"}


def test_snapshot_without_permission_data_is_an_error():
    s = snapshot(
        ec2_snapshots=[{"snapshot_id": "snap-a", "encrypted": True}, {"snapshot_id": "snap-b", "encrypted": False}],
        ec2_snapshot_permissions=[{"snapshot_id": "snap-a", "public": False}],
        gaps=[{"table": "ec2_snapshot_permissions", "region": REGION, "resource_id": "snap-b", "service": "ec2",
               "operation": "DescribeSnapshotAttribute", "status": "denied", "error_code": "UnauthorizedOperation"}],
    )
    assert run(s, "ec2_snapshot_not_public") == {"snap-a": "PASS", "snap-b": "ERROR"}
    assert run(s, "ec2_snapshot_encrypted") == {"snap-a": "PASS", "snap-b": "FAIL"}


@pytest.mark.parametrize("created, status", [
    ("2026-10-01T00:00:00.000Z", "PASS"),
    ("2026-05-06T00:00:00.000Z", "PASS"),  # 179 days before the snapshot
    ("2025-01-01T00:00:00.000Z", "FAIL"),
    (None, "ERROR"),  # no date: no verdict
])
def test_image_age_is_measured_from_the_snapshot_date(created, status):
    s = snapshot(ec2_images=[{"image_id": "ami-1", "name": "golden", "public": False, "creation_date": created}])
    assert run(s, "ec2_image_recent") == {"ami-1": status}


def test_image_public_flag():
    s = snapshot(ec2_images=[{"image_id": "ami-1", "public": True}, {"image_id": "ami-2", "public": False}])
    assert run(s, "ec2_image_not_public") == {"ami-1": "FAIL", "ami-2": "PASS"}


def test_ebs_default_encryption_per_region():
    s = snapshot(ec2_ebs_encryption_default=[{"enabled": True}, {"region": "eu-west-1", "enabled": False}])
    s.manifest["regions"] = [REGION, "eu-west-1"]
    assert run(s, "ec2_ebs_default_encryption_enabled") == {REGION: "PASS", "eu-west-1": "FAIL"}


def test_every_area_check_handles_empty_tables():
    """No resources anywhere: each check says NOT_APPLICABLE (or judges the region), never
    crashes into a 'check failed' ERROR."""
    from srm_nb.collect import load_collectors
    from srm_nb.collect.base import REGISTRY

    load_collectors()
    mine = ("ec2", "vpc", "ssm", "elbv2", "wafv2", "lambda")
    s = snapshot(**{t: [] for name in mine for t in REGISTRY[name].tables})
    files = {"ec2.yaml", "vpc.yaml", "ssm.yaml", "elbv2.yaml", "wafv2.yaml", "awslambda.yaml"}
    for check in load_catalog().values():
        if check.source not in files:
            continue
        r = run_check(check, s)
        expected = {"FAIL"} if check.id == "ec2_ebs_default_encryption_enabled" else {"NOT_APPLICABLE"}
        assert set(r["status"]) == expected, (check.id, r["detail"].tolist())


def test_default_group_without_any_rule_rows():
    s = snapshot(ec2_security_groups=[{"group_id": "sg-1", "group_name": "default", "vpc_id": "vpc-1"}],
                 ec2_security_group_rules=[])
    assert run(s, "ec2_securitygroup_default_restricts_all") == {"sg-1": "PASS"}
    assert run(s, "ec2_securitygroup_admin_ports_restricted") == {"sg-1": "PASS"}


def test_all_traffic_from_the_internet_says_all_ports():
    """A rule admitting every protocol, or a full TCP/UDP port range, from 0.0.0.0/0 or ::/0 opens
    all ports to the internet; a wide range short of that, or all traffic from a private range,
    does not."""
    s = groups(
        everything=[{"IpProtocol": "-1", "IpRanges": v4()}],
        every_tcp_v6=[{"IpProtocol": "tcp", "FromPort": 0, "ToPort": 65535, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
        wide=[{"IpProtocol": "tcp", "FromPort": 1024, "ToPort": 65535, "IpRanges": v4()}],
        internal=[{"IpProtocol": "-1", "IpRanges": v4("10.0.0.0/8")}],
        web=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": v4()}])
    assert run(s, "ec2_securitygroup_all_traffic_restricted") == {
        "everything": "FAIL", "every_tcp_v6": "FAIL", "wide": "PASS", "internal": "PASS", "web": "PASS"}
    r = run_check(load_catalog()["ec2_securitygroup_all_traffic_restricted"], s).set_index("resource_id")
    assert "all ports to the internet: all traffic from 0.0.0.0/0" in r.loc["everything", "detail"]
    assert "tcp 0-65535 from ::/0" in r.loc["every_tcp_v6", "detail"]


def test_ec2_18_allows_only_tcp_80_and_443_from_the_internet():
    """EC2.18 (vpc-sg-open-only-to-authorized-ports): TCP 80 and 443 may be open to everyone;
    any other TCP port, any UDP port or all traffic from 0.0.0.0/0 or ::/0 fails."""
    s = groups(
        web=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": v4()},
             {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}],
        range_80_443=[{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 443, "IpRanges": v4()}],
        dns=[{"IpProtocol": "udp", "FromPort": 53, "ToPort": 53, "IpRanges": v4()}],
        alt_http=[{"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "IpRanges": v4()}],
        everything=[{"IpProtocol": "-1", "IpRanges": v4()}],
        icmp=[{"IpProtocol": "icmp", "FromPort": -1, "ToPort": -1, "IpRanges": v4()}],
        private=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": v4("10.0.0.0/8")}])
    assert run(s, "ec2_securitygroup_authorized_ports_only") == {
        "web": "PASS", "range_80_443": "FAIL", "dns": "FAIL", "alt_http": "FAIL", "everything": "FAIL",
        "icmp": "PASS", "private": "PASS"}
    r = run_check(load_catalog()["ec2_securitygroup_authorized_ports_only"], s).set_index("resource_id")
    assert "udp 53 from 0.0.0.0/0" in r.loc["dns", "detail"]


def test_volume_encryption_judges_attached_volumes_only():
    """EC2.3: "If the EBS volume is not attached, then it is not subject to this check"."""
    s = snapshot(ec2_volumes=[{"volume_id": "vol-attached", "state": "in-use", "encrypted": False, "size_gib": 8},
                              {"volume_id": "vol-spare", "state": "available", "encrypted": False, "size_gib": 8},
                              {"volume_id": "vol-ok", "state": "in-use", "encrypted": True, "size_gib": 8}])
    assert run(s, "ec2_volume_encrypted") == {"vol-attached": "FAIL", "vol-ok": "PASS"}
