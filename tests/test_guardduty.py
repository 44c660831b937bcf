"""GuardDuty: enabled in every region."""

from __future__ import annotations

import boto3
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.checks import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect import load_collectors
from srm_nb.collect.runner import collect


@mock_aws
def test_detector_enabled_per_region():
    boto3.client("guardduty", region_name="us-east-1").create_detector(Enable=True)
    boto3.client("guardduty", region_name="ap-southeast-2").create_detector(Enable=False)
    s = collect(AwsAccess(session=boto3.Session(region_name="us-east-1")),
                ["us-east-1", "eu-west-1", "ap-southeast-2"], services=["guardduty"], quiet=True)
    assert s.gaps.empty
    r = run_check(load_catalog()["guardduty_detector_enabled"], s)
    assert dict(zip(r["region"], r["status"])) == {"us-east-1": "PASS", "eu-west-1": "FAIL",
                                                   "ap-southeast-2": "FAIL"}


@mock_aws
def test_a_detector_whose_state_could_not_be_read_leaves_its_region_unknown():
    """ListDetectors answered, GetDetector was denied: GuardDuty may well be on there (the
    region is ERROR, not FAIL, and gets no separate row for the detector id)."""
    from botocore.stub import Stubber

    did = boto3.client("guardduty", region_name="us-east-1").create_detector(Enable=True)["DetectorId"]
    access = AwsAccess(session=boto3.Session(region_name="us-east-1"))
    collector = load_collectors()["guardduty"]
    client = access.client("guardduty", "us-east-1", collector.operations)
    with Stubber(client) as stub:
        stub.add_response("list_detectors", {"DetectorIds": [did]})
        stub.add_client_error("get_detector", "AccessDeniedException", "no", 403)
        s = collect(access, ["us-east-1"], services=["guardduty"], quiet=True)
    assert s.gaps[["table", "resource_id", "status"]].to_dict("records") == [
        {"table": "guardduty_detectors", "resource_id": "", "status": "denied"}]
    r = run_check(load_catalog()["guardduty_detector_enabled"], s)
    assert r["status"].tolist() == ["ERROR"]
    assert "guardduty:GetDetector was denied" in r["detail"].item()
