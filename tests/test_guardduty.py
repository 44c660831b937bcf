"""GuardDuty: enabled in every region, and the protection plans of each detector."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.checks import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect import load_collectors
from srm_nb.collect.runner import collect
from test_ec2_checks import run, snapshot

PLANS = {  # check -> (feature, agent management) that passes it
    "guardduty_detector_s3_protection": ("S3_DATA_EVENTS", None),
    "guardduty_detector_eks_audit_logs": ("EKS_AUDIT_LOGS", None),
    "guardduty_detector_malware_protection": ("EBS_MALWARE_PROTECTION", None),
    "guardduty_detector_rds_protection": ("RDS_LOGIN_EVENTS", None),
    "guardduty_detector_lambda_protection": ("LAMBDA_NETWORK_LOGS", None),
    "guardduty_detector_runtime_monitoring": ("RUNTIME_MONITORING", None),
    "guardduty_detector_eks_runtime_monitoring": ("RUNTIME_MONITORING", "EKS_ADDON_MANAGEMENT"),
    "guardduty_detector_ecs_runtime_monitoring": ("RUNTIME_MONITORING", "ECS_FARGATE_AGENT_MANAGEMENT"),
    "guardduty_detector_ec2_runtime_monitoring": ("RUNTIME_MONITORING", "EC2_AGENT_MANAGEMENT"),
}


@mock_aws
def test_detector_enabled_per_region_and_its_features_collected():
    boto3.client("guardduty", region_name="us-east-1").create_detector(Enable=True, Features=[
        {"Name": "S3_DATA_EVENTS", "Status": "ENABLED"},
        {"Name": "RUNTIME_MONITORING", "Status": "ENABLED", "AdditionalConfiguration": [
            {"Name": "EKS_ADDON_MANAGEMENT", "Status": "ENABLED"},
            {"Name": "EC2_AGENT_MANAGEMENT", "Status": "DISABLED"}]}])
    boto3.client("guardduty", region_name="ap-southeast-2").create_detector(Enable=False)
    s = collect(AwsAccess(session=boto3.Session(region_name="us-east-1")),
                ["us-east-1", "eu-west-1", "ap-southeast-2"], services=["guardduty"], quiet=True)
    assert s.gaps.empty
    r = run_check(load_catalog()["guardduty_detector_enabled"], s)
    assert dict(zip(r["region"], r["status"])) == {"us-east-1": "PASS", "eu-west-1": "FAIL",
                                                   "ap-southeast-2": "FAIL"}
    feats = s.table("guardduty_features")
    assert sorted(zip(feats["feature"], feats["status"])) == [("RUNTIME_MONITORING", "ENABLED"),
                                                              ("S3_DATA_EVENTS", "ENABLED")]
    # Plans are judged on the enabled detector only: the suspended one is the region's finding.
    assert set(run(s, "guardduty_detector_s3_protection").values()) == {"PASS"}
    assert set(run(s, "guardduty_detector_rds_protection").values()) == {"FAIL"}
    assert set(run(s, "guardduty_detector_eks_runtime_monitoring").values()) == {"PASS"}
    assert set(run(s, "guardduty_detector_ec2_runtime_monitoring").values()) == {"FAIL"}


@mock_aws
def test_a_detector_whose_state_could_not_be_read_leaves_its_region_unknown():
    """ListDetectors answered, GetDetector was denied: GuardDuty may well be on there (the
    region is ERROR, not FAIL, and gets no separate row for the detector id), and so are its
    plans."""
    from botocore.stub import Stubber

    did = boto3.client("guardduty", region_name="us-east-1").create_detector(Enable=True)["DetectorId"]
    access = AwsAccess(session=boto3.Session(region_name="us-east-1"))
    collector = load_collectors()["guardduty"]
    client = access.client("guardduty", "us-east-1", collector.operations)
    with Stubber(client) as stub:
        stub.add_response("list_detectors", {"DetectorIds": [did]})
        stub.add_client_error("get_detector", "AccessDeniedException", "no", 403)
        s = collect(access, ["us-east-1"], services=["guardduty"], quiet=True)
    assert sorted(s.gaps[["table", "resource_id", "status"]].itertuples(index=False, name=None)) == [
        ("guardduty_detectors", "", "denied"), ("guardduty_features", "", "denied")]
    r = run_check(load_catalog()["guardduty_detector_enabled"], s)
    assert r["status"].tolist() == ["ERROR"]
    assert "guardduty:GetDetector was denied" in r["detail"].item()
    plan = run_check(load_catalog()["guardduty_detector_s3_protection"], s)
    assert plan["status"].tolist() == ["ERROR"]


def detectors(**features_by_detector):
    """A snapshot with one enabled detector per keyword and its features: {name: (status, agents)}."""
    dets = [{"detector_id": d, "status": "ENABLED", "arn": f"arn:aws:guardduty:us-east-1:1:detector/{d}"}
            for d in features_by_detector]
    feats = [{"detector_id": d, "feature": name, "status": status,
              "agents_json": json.dumps(agents or {})}
             for d, fs in features_by_detector.items() for name, (status, agents) in fs.items()]
    return snapshot(guardduty_detectors=dets, guardduty_features=feats)


@pytest.mark.parametrize("check_id", sorted(PLANS))
def test_each_plan_passes_only_with_its_feature_and_agent_enabled(check_id):
    feature, agent = PLANS[check_id]
    agents_on = {agent: "ENABLED"} if agent else None
    agents_off = {agent: "DISABLED"} if agent else None
    s = detectors(
        on={feature: ("ENABLED", agents_on)},
        off={feature: ("DISABLED", agents_on)},
        unlisted={},  # GetDetector does not list the feature: it is not configured
        **({"no_agent": {feature: ("ENABLED", agents_off)}} if agent else {}))
    expected = {"on": "PASS", "off": "FAIL", "unlisted": "FAIL"}
    if agent:
        expected["no_agent"] = "FAIL"
    assert run(s, check_id) == expected


def test_legacy_eks_runtime_monitoring_counts_for_eks_only():
    s = detectors(legacy={"EKS_RUNTIME_MONITORING": ("ENABLED", {"EKS_ADDON_MANAGEMENT": "ENABLED"})})
    assert run(s, "guardduty_detector_eks_runtime_monitoring") == {"legacy": "PASS"}
    assert run(s, "guardduty_detector_runtime_monitoring") == {"legacy": "FAIL"}


def test_suspended_detectors_and_regions_without_one_get_no_plan_finding():
    s = snapshot(guardduty_detectors=[{"detector_id": "d1", "status": "DISABLED"}],
                 guardduty_features=[{"detector_id": "d1", "feature": "S3_DATA_EVENTS", "status": "ENABLED",
                                      "agents_json": "{}"}])
    assert set(run(s, "guardduty_detector_s3_protection").values()) == {"NOT_APPLICABLE"}
