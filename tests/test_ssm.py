"""Systems Manager: the collector through botocore's Stubber (moto 5.2.5 implements none of the
three operations), and the patching checks."""

from __future__ import annotations

from datetime import datetime, timezone

import boto3
import pytest
from botocore.stub import Stubber

from srm_nb.collect import load_collectors
from srm_nb.collect.base import REGISTRY, Ctx, Recorder
from srm_nb.collect.ssm import PATCH_STATE_BATCH
from test_ec2_checks import REGION, run, snapshot

WHEN = datetime(2026, 10, 30, 8, 0, tzinfo=timezone.utc)


def _ctx(client, recorder):
    return Ctx(REGISTRY["ssm"], REGION, client, recorder, "111122223333", "aws", REGION)


def _client():
    load_collectors()
    return boto3.client("ssm", region_name=REGION)


def _info(iid, ping="Online"):
    return {"InstanceId": iid, "PingStatus": ping, "LastPingDateTime": WHEN, "AgentVersion": "3.3.1",
            "IsLatestVersion": True, "PlatformType": "Linux", "PlatformName": "Amazon Linux",
            "PlatformVersion": "2023", "ResourceType": "EC2Instance", "ComputerName": f"{iid}.internal"}


def _state(iid, critical=0, failed=0):
    return {"InstanceId": iid, "PatchGroup": "web", "BaselineId": "pb-0123456789abcdef0",
            "OperationStartTime": WHEN, "OperationEndTime": WHEN, "Operation": "Scan",
            "InstalledCount": 100, "MissingCount": critical, "FailedCount": failed,
            "NotApplicableCount": 0, "CriticalNonCompliantCount": critical, "SecurityNonCompliantCount": 0,
            "OtherNonCompliantCount": 0}


def test_collector_reads_instances_patch_states_in_batches_and_summaries():
    client = _client()
    ids = [f"i-{n:017x}" for n in range(PATCH_STATE_BATCH + 2)]
    stub = Stubber(client)
    stub.add_response("describe_instance_information",
                      {"InstanceInformationList": [_info(i) for i in ids[:30]], "NextToken": "page2"}, {})
    stub.add_response("describe_instance_information",
                      {"InstanceInformationList": [_info(i) for i in ids[30:]]}, {"NextToken": "page2"})
    stub.add_response("describe_instance_patch_states", {"InstancePatchStates": [_state(ids[0], critical=2)]},
                      {"InstanceIds": ids[:PATCH_STATE_BATCH]})
    stub.add_response("describe_instance_patch_states", {"InstancePatchStates": [_state(ids[-1])]},
                      {"InstanceIds": ids[PATCH_STATE_BATCH:]})
    stub.add_response("list_compliance_summaries", {"ComplianceSummaryItems": [{
        "ComplianceType": "Patch",
        "CompliantSummary": {"CompliantCount": 51, "SeveritySummary": {}},
        "NonCompliantSummary": {"NonCompliantCount": 1, "SeveritySummary": {"CriticalCount": 2, "HighCount": 0}},
    }]}, {})
    recorder = Recorder()
    with stub:
        REGISTRY["ssm"].func(_ctx(client, recorder))
    stub.assert_no_pending_responses()
    assert not recorder.gaps
    assert len(recorder.rows["ssm_managed_instances"]) == len(ids)
    states = {r["instance_id"]: r for r in recorder.rows["ssm_patch_states"]}
    assert states[ids[0]]["critical_non_compliant_count"] == 2 and states[ids[-1]]["missing_count"] == 0
    summary = recorder.rows["ssm_compliance_summaries"][0]
    assert (summary["compliance_type"], summary["non_compliant_count"], summary["non_compliant_critical_count"]) == (
        "Patch", 1, 2)


def test_failed_patch_state_batch_is_a_gap_per_instance():
    client = _client()
    stub = Stubber(client)
    stub.add_response("describe_instance_information", {"InstanceInformationList": [_info("i-1"), _info("i-2")]}, {})
    stub.add_client_error("describe_instance_patch_states", "AccessDeniedException", "no",
                          expected_params={"InstanceIds": ["i-1", "i-2"]})
    stub.add_response("list_compliance_summaries", {"ComplianceSummaryItems": []}, {})
    recorder = Recorder()
    with stub:
        REGISTRY["ssm"].func(_ctx(client, recorder))
    assert sorted((g["table"], g["resource_id"], g["status"]) for g in recorder.gaps) == [
        ("ssm_patch_states", "i-1", "denied"), ("ssm_patch_states", "i-2", "denied")]
    assert len(recorder.rows["ssm_managed_instances"]) == 2


def test_failed_instance_listing_leaves_every_table_it_feeds_with_a_gap():
    client = _client()
    stub = Stubber(client)
    stub.add_client_error("describe_instance_information", "ThrottlingException", "slow", expected_params={})
    stub.add_response("list_compliance_summaries", {"ComplianceSummaryItems": []}, {})
    recorder = Recorder()
    with stub:
        REGISTRY["ssm"].func(_ctx(client, recorder))
    assert {g["table"] for g in recorder.gaps} == {"ssm_managed_instances", "ssm_patch_states"}


INSTANCES = [
    {"instance_id": "i-online", "state": "running", "name": "web"},
    {"instance_id": "i-lost", "state": "running", "name": "bastion"},
    {"instance_id": "i-none", "state": "running", "name": "legacy"},
    {"instance_id": "i-stopped", "state": "stopped", "name": "spare"},
]
MANAGED = [
    {"instance_id": "i-online", "ping_status": "Online", "computer_name": "web"},
    {"instance_id": "i-lost", "ping_status": "ConnectionLost", "computer_name": "bastion"},
    {"instance_id": "mi-0123456789abcdef0", "ping_status": "Online", "computer_name": "onprem"},
]


def test_running_instances_must_be_managed_and_online():
    s = snapshot(ec2_instances=INSTANCES, ssm_managed_instances=MANAGED)
    assert run(s, "ssm_instance_managed") == {"i-online": "PASS", "i-lost": "FAIL", "i-none": "FAIL"}


def test_patch_compliance_per_managed_instance():
    s = snapshot(ssm_managed_instances=MANAGED, ssm_patch_states=[
        {"instance_id": "i-online", "baseline_id": "pb-1", "operation": "Scan", "missing_count": 0,
         "failed_count": 0, "critical_non_compliant_count": 0, "security_non_compliant_count": 0},
        {"instance_id": "mi-0123456789abcdef0", "baseline_id": "pb-1", "operation": "Install",
         "missing_count": 1, "failed_count": 1, "critical_non_compliant_count": 0,
         "security_non_compliant_count": 0},
    ])
    # i-online misses nothing: compliant; the on-premises server had a failed install; the
    # bastion was never scanned.
    assert run(s, "ssm_instance_patch_compliant") == {
        "i-online": "PASS", "mi-0123456789abcdef0": "FAIL", "i-lost": "FAIL"}


@pytest.mark.parametrize("counts", [
    {"missing_count": 4, "other_non_compliant_count": 4},  # non-security updates still count (SSM.2)
    {"installed_pending_reboot_count": 1},  # installed, not in effect until the reboot
])
def test_any_missing_or_pending_patch_is_not_compliant(counts):
    state = {"instance_id": "i-online", "baseline_id": "pb-1", "operation": "Scan", "missing_count": 0,
             "failed_count": 0, "critical_non_compliant_count": 0, "security_non_compliant_count": 0, **counts}
    s = snapshot(ssm_managed_instances=MANAGED[:1], ssm_patch_states=[state])
    assert run(s, "ssm_instance_patch_compliant") == {"i-online": "FAIL"}


def test_critical_patches_missing_fail():
    s = snapshot(ssm_managed_instances=MANAGED[:1], ssm_patch_states=[
        {"instance_id": "i-online", "baseline_id": "pb-1", "operation": "Scan", "missing_count": 2,
         "failed_count": 0, "critical_non_compliant_count": 2, "security_non_compliant_count": 0}])
    assert run(s, "ssm_instance_patch_compliant") == {"i-online": "FAIL"}


def test_patch_state_gap_makes_that_instance_an_error():
    s = snapshot(ssm_managed_instances=MANAGED[:2], ssm_patch_states=[], gaps=[{
        "table": "ssm_patch_states", "region": REGION, "resource_id": "i-lost", "service": "ssm",
        "operation": "DescribeInstancePatchStates", "status": "denied", "error_code": "AccessDeniedException"}])
    verdicts = run(s, "ssm_instance_patch_compliant")
    assert verdicts == {"i-online": "FAIL", "i-lost": "ERROR"}


def test_association_compliance_summary():
    s = snapshot(ssm_compliance_summaries=[
        {"compliance_type": "Association", "compliant_count": 5, "non_compliant_count": 0},
        {"region": "eu-west-1", "compliance_type": "Association", "compliant_count": 1, "non_compliant_count": 2},
        {"compliance_type": "Patch", "compliant_count": 1, "non_compliant_count": 9},
    ])
    assert run(s, "ssm_association_compliant") == {"us-east-1/Association": "PASS",
                                                   "eu-west-1/Association": "FAIL"}
    none = snapshot(ssm_compliance_summaries=[])
    assert set(run(none, "ssm_association_compliant").values()) == {"NOT_APPLICABLE"}
