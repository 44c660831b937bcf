"""OpenSearch Service: domains of both engines collected from moto (five per DescribeDomains),
service software through botocore's Stubber (moto omits it), every check PASS and FAIL."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.collect import load_collectors
from srm_nb.collect.base import REGISTRY, Ctx, Recorder
from test_data_protection_support import collect_moto, verdicts
from test_ec2_checks import REGION, run, snapshot

ACCOUNT = "123456789012"
LATEST_TLS = "Policy-Min-TLS-1-2-PFS-2023-10"


def _policy(principal, condition=None):
    st = {"Effect": "Allow", "Principal": principal, "Action": "es:*", "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [{**st, "Condition": condition} if condition else st]})


GOOD = {
    "EngineVersion": "OpenSearch_2.13",
    "ClusterConfig": {"InstanceType": "r6g.large.search", "InstanceCount": 3, "ZoneAwarenessEnabled": True,
                      "DedicatedMasterEnabled": True, "DedicatedMasterCount": 3,
                      "DedicatedMasterType": "m6g.large.search"},
    "VPCOptions": {"SubnetIds": ["subnet-1"], "SecurityGroupIds": ["sg-1"]},
    "EncryptionAtRestOptions": {"Enabled": True}, "NodeToNodeEncryptionOptions": {"Enabled": True},
    "DomainEndpointOptions": {"EnforceHTTPS": True, "TLSSecurityPolicy": LATEST_TLS},
    "AdvancedSecurityOptions": {"Enabled": True, "InternalUserDatabaseEnabled": False,
                                "MasterUserOptions": {"MasterUserARN": f"arn:aws:iam::{ACCOUNT}:role/admin"}},
    "LogPublishingOptions": {
        "AUDIT_LOGS": {"Enabled": True, "CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:1:log-group:a"},
        "ES_APPLICATION_LOGS": {"Enabled": True, "CloudWatchLogsLogGroupArn": "arn:aws:logs:us-east-1:1:log-group:e"}},
    "AccessPolicies": _policy({"AWS": f"arn:aws:iam::{ACCOUNT}:role/app"}),
}


@pytest.fixture(scope="module")
def seeded():
    with mock_aws():
        es = boto3.client("opensearch", region_name=REGION)
        es.create_domain(DomainName="good", **GOOD)
        es.create_domain(DomainName="legacy", EngineVersion="Elasticsearch_7.10",
                         ClusterConfig={"InstanceType": "t3.small.search", "InstanceCount": 1},
                         DomainEndpointOptions={"EnforceHTTPS": False,
                                                "TLSSecurityPolicy": "Policy-Min-TLS-1-0-2019-07"},
                         AccessPolicies=_policy("*"))
        es.create_domain(DomainName="ip-limited", EngineVersion="OpenSearch_2.11",
                         DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": "Policy-Min-TLS-1-2-2019-07"},
                         AccessPolicies=_policy({"AWS": "*"}, {"IpAddress": {"aws:SourceIp": ["203.0.113.0/24"]}}))
        es.create_domain(DomainName="fgac-public", EngineVersion="OpenSearch_2.11",
                         EncryptionAtRestOptions={"Enabled": True}, NodeToNodeEncryptionOptions={"Enabled": True},
                         DomainEndpointOptions={"EnforceHTTPS": True, "TLSSecurityPolicy": LATEST_TLS},
                         AdvancedSecurityOptions={"Enabled": True, "InternalUserDatabaseEnabled": True,
                                                  "MasterUserOptions": {"MasterUserName": "admin",
                                                                        "MasterUserPassword": "Demo-Passw0rd-1"}},
                         AccessPolicies=_policy({"AWS": "*"}))
        for name in ("extra-1", "extra-2"):  # six domains: two DescribeDomains requests
            es.create_domain(DomainName=name, EngineVersion="OpenSearch_2.11")
        return collect_moto("opensearch")


def test_collector_tables_and_batches(seeded):
    d = seeded.tables["opensearch_domains"].set_index("domain_name")
    assert len(d) == 6
    assert d.loc["legacy", "engine"] == "Elasticsearch" and d.loc["good", "engine"] == "OpenSearch"
    assert json.loads(d.loc["good", "subnet_ids_json"]) == ["subnet-1"]
    assert bool(d.loc["good", "audit_logs_enabled"]) and not bool(d.loc["legacy", "application_logs_enabled"])
    assert d.loc["good", "dedicated_master_count"] == 3
    calls = seeded.tables["calls"]
    described = calls[calls["operation"] == "DescribeDomains"]["resource_id"].tolist()
    assert sorted(described) == ["extra-1,extra-2,fgac-public,good,ip-limited", "legacy"]
    assert seeded.tables["gaps"].empty


@pytest.mark.parametrize("check_id, expected", [
    ("opensearch_domain_encrypted_at_rest", {"good": "PASS", "legacy": "FAIL"}),
    ("opensearch_domain_in_vpc", {"good": "PASS", "legacy": "FAIL", "ip-limited": "FAIL"}),
    ("opensearch_domain_access_policy_not_public", {"good": "PASS", "ip-limited": "PASS", "fgac-public": "PASS",
                                                    "legacy": "FAIL"}),
    ("opensearch_domain_node_to_node_encryption", {"good": "PASS", "legacy": "FAIL"}),
    ("opensearch_domain_error_logging", {"good": "PASS", "legacy": "FAIL"}),
    ("opensearch_domain_audit_logging", {"good": "PASS", "legacy": "FAIL"}),
    ("opensearch_domain_fine_grained_access_control", {"good": "PASS", "fgac-public": "PASS", "legacy": "FAIL"}),
    ("opensearch_domain_tls_policy", {"good": "PASS", "fgac-public": "PASS", "ip-limited": "FAIL", "legacy": "FAIL"}),
    ("opensearch_domain_data_nodes_fault_tolerant", {"good": "PASS", "legacy": "FAIL"}),
    ("opensearch_domain_dedicated_master_nodes", {"good": "PASS", "legacy": "FAIL"}),
    # moto reports no ServiceSoftwareOptions: unknown, never a PASS
    ("opensearch_domain_software_updated", {"good": "ERROR", "legacy": "ERROR"}),
])
def test_checks_on_collected_domains(seeded, check_id, expected):
    got = verdicts(seeded, check_id)
    assert {k: got.get(k) for k in expected} == expected


def _collect_stubbed(names: list[str], describe: dict | None) -> Recorder:
    load_collectors()
    client = boto3.client("opensearch", region_name=REGION)
    stub = Stubber(client)
    stub.add_response("list_domain_names", {"DomainNames": [{"DomainName": n, "EngineType": "OpenSearch"}
                                                            for n in names]}, {})
    if describe is None:
        stub.add_client_error("describe_domains", "AccessDeniedException", "no",
                              expected_params={"DomainNames": sorted(names)})
    else:
        stub.add_response("describe_domains", describe, {"DomainNames": sorted(names)})
    recorder = Recorder()
    with stub:
        REGISTRY["opensearch"].func(Ctx(REGISTRY["opensearch"], REGION, client, recorder, ACCOUNT, "aws", REGION))
    stub.assert_no_pending_responses()
    return recorder


def _status(name, available, status):
    return {"DomainName": name, "ARN": f"arn:aws:es:{REGION}:{ACCOUNT}:domain/{name}", "DomainId": name,
            "EngineVersion": "OpenSearch_2.13", "ClusterConfig": {},
            "ServiceSoftwareOptions": {"CurrentVersion": "OpenSearch_2_13_R20250610", "UpdateAvailable": available,
                                       "UpdateStatus": status}}


def test_service_software_as_aws_reports_it():
    recorder = _collect_stubbed(["current", "behind"], {"DomainStatusList": [
        _status("current", False, "COMPLETED"), _status("behind", True, "ELIGIBLE")]})
    assert not recorder.gaps
    s = snapshot(opensearch_domains=recorder.rows["opensearch_domains"])
    assert run(s, "opensearch_domain_software_updated") == {"current": "PASS", "behind": "FAIL"}


def test_a_denied_batch_is_an_error_for_each_of_its_domains():
    recorder = _collect_stubbed(["logs", "search"], None)
    assert sorted((g["resource_id"], g["status"]) for g in recorder.gaps) == [("logs", "denied"), ("search", "denied")]
    s = snapshot(gaps=recorder.gaps, opensearch_domains=[])
    assert run(s, "opensearch_domain_in_vpc") == {"logs": "ERROR", "search": "ERROR"}


def test_anonymous_access_under_fine_grained_control_is_still_open():
    row = {"domain_name": "d", "arn": "a", "engine": "OpenSearch", "subnet_ids_json": "[]",
           "access_policies_json": _policy("*"), "fine_grained_access_control": True}
    s = snapshot(opensearch_domains=[{**row, "anonymous_auth_enabled": True}])
    assert run(s, "opensearch_domain_access_policy_not_public") == {"d": "FAIL"}
    s = snapshot(opensearch_domains=[{**row, "anonymous_auth_enabled": False}])
    assert run(s, "opensearch_domain_access_policy_not_public") == {"d": "PASS"}


def test_dedicated_masters_not_read_are_unknown():
    row = {"domain_name": "d", "arn": "a", "engine": "OpenSearch", "subnet_ids_json": "[]"}
    s = snapshot(opensearch_domains=[{**row, "dedicated_master_enabled": None, "dedicated_master_count": 3}])
    assert run(s, "opensearch_domain_dedicated_master_nodes") == {"d": "ERROR"}
    s = snapshot(opensearch_domains=[{**row, "dedicated_master_enabled": False, "dedicated_master_count": 3}])
    assert run(s, "opensearch_domain_dedicated_master_nodes") == {"d": "FAIL"}
