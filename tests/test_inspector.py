"""Amazon Inspector: the account's scan types per region, against moto and Stubber."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.collect import load_collectors
from srm_nb.collect.base import REGISTRY, Ctx, Recorder
from srm_nb.collect.runner import collect
from test_ec2_checks import REGION, run, snapshot

ACCOUNT = "123456789012"
CHECKS = {"inspector_ec2_scanning_enabled": "ec2", "inspector_ecr_scanning_enabled": "ecr",
          "inspector_lambda_scanning_enabled": "lambda", "inspector_lambda_code_scanning_enabled": "lambda_code"}


@mock_aws
def test_scan_types_per_region():
    boto3.client("inspector2", region_name="us-east-1").enable(accountIds=[ACCOUNT], resourceTypes=["EC2", "ECR"])
    boto3.client("inspector2", region_name="eu-west-1").enable(accountIds=[ACCOUNT], resourceTypes=["LAMBDA", "LAMBDA_CODE"])
    s = collect(AwsAccess(session=boto3.Session(region_name=REGION)), ["us-east-1", "eu-west-1", "ap-southeast-2"],
                services=["inspector2"], quiet=True)
    assert s.gaps.empty
    assert run(s, "inspector_ec2_scanning_enabled") == {"us-east-1": "PASS", "eu-west-1": "FAIL", "ap-southeast-2": "FAIL"}
    assert run(s, "inspector_ecr_scanning_enabled") == {"us-east-1": "PASS", "eu-west-1": "FAIL", "ap-southeast-2": "FAIL"}
    assert run(s, "inspector_lambda_scanning_enabled") == {"us-east-1": "FAIL", "eu-west-1": "PASS", "ap-southeast-2": "FAIL"}
    assert run(s, "inspector_lambda_code_scanning_enabled") == {"us-east-1": "FAIL", "eu-west-1": "PASS",
                                                                "ap-southeast-2": "FAIL"}


def _collect(response) -> Recorder:
    load_collectors()
    client = boto3.client("inspector2", region_name=REGION)
    recorder = Recorder()
    with Stubber(client) as stub:
        stub.add_response("batch_get_account_status", response, {"accountIds": [ACCOUNT]})
        REGISTRY["inspector"].func(Ctx(REGISTRY["inspector"], REGION, client, recorder, ACCOUNT, "aws", REGION))
    return recorder


def test_an_account_inspector_could_not_answer_for_is_a_gap():
    recorder = _collect({"accounts": [], "failedAccounts": [
        {"accountId": ACCOUNT, "errorCode": "ACCESS_DENIED", "errorMessage": "not allowed"}]})
    assert [(g["table"], g["error_code"]) for g in recorder.gaps] == [("inspector_account_status", "ACCESS_DENIED")]
    assert "inspector_account_status" not in recorder.rows


def test_a_scan_type_missing_from_the_answer_is_unknown_not_disabled():
    def state(status):
        return {"status": status, "errorCode": "ALREADY_ENABLED", "errorMessage": "none"}

    # Lambda code scanning is an optional member of the answer (regions without it omit it).
    recorder = _collect({"accounts": [{"accountId": ACCOUNT, "state": state("ENABLED"), "resourceState": {
        "ec2": state("ENABLED"), "ecr": state("DISABLED"), "lambda": state("SUSPENDED")}}],
        "failedAccounts": []})
    row = recorder.rows["inspector_account_status"][0]
    assert (row["ec2"], row["ecr"], row["lambda"], row["lambda_code"]) == ("ENABLED", "DISABLED", "SUSPENDED", None)
    s = snapshot(inspector_account_status=[{k: v for k, v in row.items() if k != "region"}])
    assert run(s, "inspector_lambda_code_scanning_enabled") == {"us-east-1": "ERROR"}
    assert run(s, "inspector_lambda_scanning_enabled") == {"us-east-1": "FAIL"}


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_a_region_whose_status_was_not_read_is_an_error(check_id):
    s = snapshot(inspector_account_status=[], gaps=[{
        "table": "inspector_account_status", "region": REGION, "service": "inspector2",
        "operation": "BatchGetAccountStatus", "status": "denied", "error_code": "AccessDeniedException"}])
    assert run(s, check_id) == {REGION: "ERROR"}
