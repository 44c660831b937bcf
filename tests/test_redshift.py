"""Redshift: clusters, logging and parameters collected from moto (and through botocore's Stubber
where moto reports no Multi-AZ and no parameter values of its own), every check PASS and FAIL,
security group edge cases and gaps."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.collect import load_collectors
from srm_nb.collect.base import REGISTRY, Ctx, Recorder
from srm_nb.collect.ec2 import flatten_permissions
from test_data_protection_support import collect_moto, verdicts
from test_ec2_checks import REGION, run, snapshot

PASSWORD = "Demo-Passw0rd-1"


def _sg(ec2, name, cidr, port=5439, protocol="tcp"):
    group = ec2.create_security_group(GroupName=name, Description=name)["GroupId"]
    ec2.authorize_security_group_ingress(GroupId=group, IpPermissions=[{
        "IpProtocol": protocol, "FromPort": port, "ToPort": port, "IpRanges": [{"CidrIp": cidr}]}])
    return group


@pytest.fixture(scope="module")
def seeded():
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        rs = boto3.client("redshift", region_name=REGION)
        rs.create_cluster(ClusterIdentifier="good", NodeType="ra3.xlplus", ClusterType="multi-node",
                          NumberOfNodes=2, MasterUsername="warehouse_admin", MasterUserPassword=PASSWORD,
                          DBName="analytics", PubliclyAccessible=False, Encrypted=True,
                          AutomatedSnapshotRetentionPeriod=7, AllowVersionUpgrade=True, EnhancedVpcRouting=True,
                          VpcSecurityGroupIds=[_sg(ec2, "private-5439", "10.0.0.0/8")])
        rs.enable_logging(ClusterIdentifier="good", LogDestinationType="cloudwatch", LogExports=["connectionlog"])
        rs.create_cluster(ClusterIdentifier="bad", NodeType="dc2.large", ClusterType="single-node",
                          MasterUsername="awsuser", MasterUserPassword=PASSWORD, PubliclyAccessible=True,
                          Encrypted=False, AutomatedSnapshotRetentionPeriod=3, AllowVersionUpgrade=False,
                          VpcSecurityGroupIds=[_sg(ec2, "public-5439", "0.0.0.0/0")])
        rs.create_cluster(ClusterIdentifier="other-port", NodeType="dc2.large", ClusterType="single-node",
                          MasterUsername="ops", MasterUserPassword=PASSWORD, Port=5440,
                          VpcSecurityGroupIds=[_sg(ec2, "public-5439-only", "0.0.0.0/0")])
        return collect_moto("redshift", "ec2")


def test_collector_tables(seeded):
    clusters = seeded.tables["redshift_clusters"].set_index("cluster_id")
    assert clusters.loc["good", "db_name"] == "analytics" and clusters.loc["bad", "db_name"] == "dev"
    assert clusters.loc["other-port", "port"] == 5440
    logging = seeded.tables["redshift_logging"].set_index("cluster_id")
    assert bool(logging.loc["good", "logging_enabled"]) and not bool(logging.loc["bad", "logging_enabled"])
    params = seeded.tables["redshift_parameters"]
    assert set(params["name"]) == {"require_ssl", "enable_user_activity_logging"}
    assert list(params["parameter_group"].unique()) == ["default.redshift-1.0"]  # read once, used by all three
    calls = seeded.tables["calls"]
    assert (calls["operation"] == "DescribeClusterParameters").sum() == 1
    assert seeded.tables["gaps"].empty


@pytest.mark.parametrize("check_id, expected", [
    ("redshift_cluster_not_public", {"good": "PASS", "bad": "FAIL"}),
    ("redshift_cluster_require_ssl", {"good": "FAIL", "bad": "FAIL"}),  # moto: engine defaults
    ("redshift_cluster_automated_snapshots", {"good": "PASS", "bad": "FAIL"}),
    ("redshift_cluster_audit_logging", {"good": "PASS", "bad": "FAIL"}),
    ("redshift_cluster_version_upgrade", {"good": "PASS", "bad": "FAIL"}),
    ("redshift_cluster_enhanced_vpc_routing", {"good": "PASS", "bad": "FAIL"}),
    ("redshift_cluster_custom_admin_username", {"good": "PASS", "bad": "FAIL"}),
    ("redshift_cluster_custom_database_name", {"good": "PASS", "bad": "FAIL"}),
    ("redshift_cluster_encrypted", {"good": "PASS", "bad": "FAIL"}),
    ("redshift_cluster_port_restricted", {"good": "PASS", "bad": "FAIL", "other-port": "PASS"}),
    ("redshift_cluster_multi_az", {"bad": "FAIL"}),
])
def test_checks_on_collected_clusters(seeded, check_id, expected):
    got = verdicts(seeded, check_id)
    assert {k: got.get(k) for k in expected} == expected


def _stubbed(describe_clusters: dict, parameters: dict | None):
    """Run the collector for one cluster against Stubber answers (`parameters` None: the
    parameter read is denied); returns the Recorder."""
    load_collectors()
    client = boto3.client("redshift", region_name=REGION)
    stub = Stubber(client)
    stub.add_response("describe_clusters", describe_clusters, {})
    stub.add_response("describe_logging_status", {"LoggingEnabled": True, "LogDestinationType": "s3",
                                                  "BucketName": "audit-logs"}, {"ClusterIdentifier": "wh"})
    if parameters is None:
        stub.add_client_error("describe_cluster_parameters", "AccessDenied", "no",
                              expected_params={"ParameterGroupName": "secure"})
    else:
        stub.add_response("describe_cluster_parameters", parameters, {"ParameterGroupName": "secure"})
    recorder = Recorder(calls_per_service=1)  # one request at a time: a Stubber answers in order
    with stub:
        REGISTRY["redshift"].func(Ctx(REGISTRY["redshift"], REGION, client, recorder, "111122223333", "aws", REGION))
    stub.assert_no_pending_responses()
    return recorder


CLUSTER = {"Clusters": [{"ClusterIdentifier": "wh", "MultiAZ": "Enabled", "PubliclyAccessible": False,
                         "ClusterParameterGroups": [{"ParameterGroupName": "secure", "ParameterApplyStatus": "in-sync"}],
                         "Endpoint": {"Address": "wh.example", "Port": 5439}}]}


def test_multi_az_and_parameter_values_as_aws_reports_them():
    recorder = _stubbed(CLUSTER, {"Parameters": [
        {"ParameterName": "require_ssl", "ParameterValue": "true"},
        {"ParameterName": "enable_user_activity_logging", "ParameterValue": "true"},
        {"ParameterName": "datestyle", "ParameterValue": "ISO, MDY"}]})
    assert not recorder.gaps
    assert [r["name"] for r in recorder.rows["redshift_parameters"]] == ["require_ssl", "enable_user_activity_logging"]
    s = snapshot(**{t: recorder.rows[t] for t in ("redshift_clusters", "redshift_parameters")})
    assert recorder.rows["redshift_clusters"][0]["multi_az"] is True
    for check in ("redshift_cluster_require_ssl", "redshift_cluster_user_activity_logging", "redshift_cluster_multi_az"):
        assert run(s, check) == {"wh": "PASS"}, check


def test_unreadable_parameters_are_an_error_for_the_clusters_of_that_group():
    recorder = _stubbed(CLUSTER, None)
    assert [(g["table"], g["resource_id"], g["status"]) for g in recorder.gaps] == [
        ("redshift_parameters", "wh", "denied")]
    s = snapshot(gaps=recorder.gaps, **{t: recorder.rows.get(t, []) for t in
                                        ("redshift_clusters", "redshift_parameters", "redshift_logging")})
    assert run(s, "redshift_cluster_require_ssl") == {"wh": "ERROR"}
    assert run(s, "redshift_cluster_audit_logging") == {"wh": "PASS"}  # its own call succeeded


def _port_case(cluster_groups: list[str], rules: dict[str, list], port=5439):
    groups = [{"group_id": g, "group_name": g, "arn": g} for g in rules]
    flat = [r for g, perms in rules.items() for r in flatten_permissions(g, perms, "ingress")]
    cluster = {"cluster_id": "wh", "arn": "a", "port": port, "vpc_security_group_ids_json": json.dumps(cluster_groups)}
    return snapshot(redshift_clusters=[cluster], ec2_security_groups=groups, ec2_security_group_rules=flat)


@pytest.mark.parametrize("perms, expected", [
    ([{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}], "FAIL"),  # all traffic
    ([{"IpProtocol": "tcp", "FromPort": 5000, "ToPort": 6000, "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}], "FAIL"),
    ([{"IpProtocol": "tcp", "FromPort": 5439, "ToPort": 5439, "IpRanges": [{"CidrIp": "10.0.0.0/8"}]}], "PASS"),
    ([{"IpProtocol": "udp", "FromPort": 5439, "ToPort": 5439, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}], "PASS"),
    ([{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}], "PASS"),
])
def test_port_exposure_rule_forms(perms, expected):
    assert run(_port_case(["sg-1"], {"sg-1": perms}), "redshift_cluster_port_restricted") == {"wh": expected}


def test_a_security_group_that_was_not_read_leaves_the_verdict_unknown():
    open_rule = [{"IpProtocol": "tcp", "FromPort": 5439, "ToPort": 5439, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    assert run(_port_case(["sg-gone"], {"sg-1": []}), "redshift_cluster_port_restricted") == {"wh": "ERROR"}
    # another group already opens the port: FAIL whatever the unread one says
    assert run(_port_case(["sg-gone", "sg-1"], {"sg-1": open_rule}), "redshift_cluster_port_restricted") == {"wh": "FAIL"}


@pytest.mark.parametrize("missing", [None, float("nan")], ids=["None", "NaN"])
@pytest.mark.parametrize("check_id, column, known", [
    ("redshift_cluster_not_public", "publicly_accessible", (False, "PASS")),
    ("redshift_cluster_encrypted", "encrypted", (False, "FAIL")),
    ("redshift_cluster_version_upgrade", "allow_version_upgrade", (True, "PASS")),
    ("redshift_cluster_enhanced_vpc_routing", "enhanced_vpc_routing", (False, "FAIL")),
])
def test_a_missing_setting_is_an_error(check_id, column, known, missing):
    value, status = known
    s = snapshot(redshift_clusters=[{"cluster_id": "known", "arn": "a", column: value},
                                    {"cluster_id": "missing", "arn": "b", column: missing}])
    assert run(s, check_id) == {"known": status, "missing": "ERROR"}


def test_a_cluster_without_its_logging_status_is_an_error():
    s = snapshot(redshift_clusters=[{"cluster_id": "wh", "arn": "a"}, {"cluster_id": "old", "arn": "b"}],
                 redshift_logging=[{"cluster_id": "old", "logging_enabled": True, "log_destination_type": ""}])
    assert run(s, "redshift_cluster_audit_logging") == {"wh": "ERROR", "old": "PASS"}


# -- Redshift Serverless (moto 5.2.5 has no Redshift Serverless: botocore's Stubber answers) --------

def _workgroup(name, public, routing, ssl):
    return {"workgroupName": name, "workgroupArn": f"arn:aws:redshift-serverless:{REGION}:1:workgroup/{name}",
            "namespaceName": name, "status": "AVAILABLE", "publiclyAccessible": public,
            "enhancedVpcRouting": routing, "port": 5439,
            "configParameters": [{"parameterKey": "datestyle", "parameterValue": "ISO, MDY"},
                                 {"parameterKey": "require_ssl", "parameterValue": ssl}]}


def _namespace(name, admin, logs):
    return {"namespaceName": name, "namespaceArn": f"arn:aws:redshift-serverless:{REGION}:1:namespace/{name}",
            "status": "AVAILABLE", "adminUsername": admin, "logExports": logs}


def _serverless(namespaces: dict | None) -> Recorder:
    load_collectors()
    client = boto3.client("redshift-serverless", region_name=REGION)
    stub = Stubber(client)
    stub.add_response("list_workgroups", {"workgroups": [_workgroup("bi-wg", False, True, "true")],
                                          "nextToken": "p2"}, {})
    stub.add_response("list_workgroups", {"workgroups": [_workgroup("adhoc-wg", True, False, "false")]},
                      {"nextToken": "p2"})
    if namespaces is None:
        stub.add_client_error("list_namespaces", "AccessDeniedException", "no", expected_params={})
    else:
        stub.add_response("list_namespaces", namespaces, {})
    recorder = Recorder(calls_per_service=1)  # one request at a time: a Stubber answers in order
    with stub:
        REGISTRY["redshift_serverless"].func(Ctx(REGISTRY["redshift_serverless"], REGION, client, recorder,
                                                 "111122223333", "aws", REGION))
    stub.assert_no_pending_responses()
    return recorder


def _serverless_snapshot(recorder):
    return snapshot(gaps=recorder.gaps, **{t: recorder.rows.get(t, []) for t in
                                           ("redshift_serverless_workgroups", "redshift_serverless_namespaces")})


def test_serverless_workgroups_and_namespaces_pass_and_fail():
    recorder = _serverless({"namespaces": [_namespace("bi-ns", "bi_owner", ["connectionlog", "userlog"]),
                                           _namespace("adhoc-ns", "admin", ["useractivitylog"])]})
    assert not recorder.gaps
    s = _serverless_snapshot(recorder)
    for check in ("redshift_serverless_workgroup_not_public", "redshift_serverless_workgroup_enhanced_vpc_routing",
                  "redshift_serverless_workgroup_require_ssl", "redshift_serverless_namespace_custom_admin_username",
                  "redshift_serverless_namespace_logs_exported"):
        kind = "wg" if "workgroup" in check else "ns"
        assert run(s, check) == {f"bi-{kind}": "PASS", f"adhoc-{kind}": "FAIL"}, check


def test_a_denied_namespace_listing_leaves_the_workgroups_judged():
    recorder = _serverless(None)
    assert {g["table"] for g in recorder.gaps} == {"redshift_serverless_namespaces"}
    s = _serverless_snapshot(recorder)
    assert set(run(s, "redshift_serverless_namespace_logs_exported").values()) == {"ERROR"}
    assert run(s, "redshift_serverless_workgroup_not_public") == {"bi-wg": "PASS", "adhoc-wg": "FAIL"}
