"""Security Hub: "not enabled" is a fact (FAIL); access denied is a gap (ERROR).

moto 5.2.5 has no GetEnabledStandards: the collector is exercised with botocore's Stubber."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.checks import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect import load_collectors
from srm_nb.collect.runner import collect

ACCOUNT = "123456789012"
FSBP = "arn:aws:securityhub:{r}::standards/aws-foundational-security-best-practices/v/1.0.0"
CIS = "arn:aws:securityhub:{r}::standards/cis-aws-foundations-benchmark/v/5.0.0"
CHECKS = ("securityhub_hub_enabled", "securityhub_standard_fsbp_enabled", "securityhub_standard_cis_enabled")


def _sub(region: str, arn: str, status: str = "READY") -> dict:
    return {"StandardsSubscriptionArn": f"arn:aws:securityhub:{region}:{ACCOUNT}:subscription/x",
            "StandardsArn": arn.format(r=region), "StandardsInput": {}, "StandardsStatus": status}


def _collect(answers: dict):
    """answers: region -> ("hub", [subscriptions]) | ("off",) | ("denied",)."""
    access = AwsAccess(session=boto3.Session(region_name="us-east-1"))
    ops = load_collectors()["securityhub"].operations
    stubs = []
    for region, answer in answers.items():
        stub = Stubber(access.client("securityhub", region, ops))
        if answer[0] == "hub":
            stub.add_response("describe_hub", {"HubArn": f"arn:aws:securityhub:{region}:{ACCOUNT}:hub/default",
                                               "SubscribedAt": "2025-01-01T00:00:00Z"})
            stub.add_response("get_enabled_standards", {"StandardsSubscriptions": answer[1]})
        elif answer[0] == "off":
            stub.add_client_error("describe_hub", "InvalidAccessException",
                                  f"Account {ACCOUNT} is not subscribed to AWS Security Hub", 401)
        else:
            stub.add_client_error("describe_hub", "AccessDeniedException", "not allowed", 403)
        stub.activate()
        stubs.append(stub)
    try:
        return collect(access, list(answers), services=["securityhub"], quiet=True)
    finally:
        for stub in stubs:
            stub.assert_no_pending_responses()
            stub.deactivate()


def _verdicts(s, check_id) -> dict:
    r = run_check(load_catalog()[check_id], s)
    return dict(zip(r["region"], r["status"]))


@mock_aws
def test_hub_on_with_both_standards_passes_and_off_fails():
    s = _collect({"us-east-1": ("hub", [_sub("us-east-1", FSBP), _sub("us-east-1", CIS)]),
                  "eu-west-1": ("off",)})
    assert s.gaps.empty, s.gaps.to_dict("records")  # "not subscribed" is data, not a gap
    assert list(s.table("securityhub_hubs")["region"]) == ["us-east-1"]
    assert len(s.table("securityhub_standards")) == 2
    for check in CHECKS:
        assert _verdicts(s, check) == {"us-east-1": "PASS", "eu-west-1": "FAIL"}, check
    detail = run_check(load_catalog()["securityhub_standard_cis_enabled"], s).set_index("region")["detail"]
    assert "Security Hub itself is not enabled" in detail["eu-west-1"]
    assert "cis-aws-foundations-benchmark/v/5.0.0" in detail["us-east-1"]


@mock_aws
def test_missing_or_failed_standard_fails():
    s = _collect({"us-east-1": ("hub", [_sub("us-east-1", FSBP), _sub("us-east-1", CIS, "FAILED")])})
    assert _verdicts(s, "securityhub_standard_fsbp_enabled") == {"us-east-1": "PASS"}
    assert _verdicts(s, "securityhub_standard_cis_enabled") == {"us-east-1": "FAIL"}
    s = _collect({"us-east-1": ("hub", [])})
    assert _verdicts(s, "securityhub_hub_enabled") == {"us-east-1": "PASS"}
    assert _verdicts(s, "securityhub_standard_fsbp_enabled") == {"us-east-1": "FAIL"}


@mock_aws
def test_legacy_cis_ruleset_arn_counts():
    s = _collect({"us-east-1": ("hub", [_sub("us-east-1", "arn:aws:securityhub:::ruleset/cis-aws-foundations-benchmark/v/1.2.0")])})
    assert _verdicts(s, "securityhub_standard_cis_enabled") == {"us-east-1": "PASS"}


@mock_aws
def test_access_denied_is_error_not_fail():
    s = _collect({"us-east-1": ("hub", [_sub("us-east-1", FSBP)]), "eu-west-1": ("denied",)})
    assert set(s.gaps["status"]) == {"denied"} and set(s.gaps["region"]) == {"eu-west-1"}
    assert set(s.gaps["table"]) == {"securityhub_hubs", "securityhub_standards"}
    for check in CHECKS:
        v = _verdicts(s, check)
        assert v["eu-west-1"] == "ERROR", check


@mock_aws
def test_moto_describe_hub_not_enabled_is_no_row():
    # moto's real DescribeHub answer for a region without a hub
    s = collect(AwsAccess(session=boto3.Session(region_name="us-east-1")), ["us-east-1"],
                services=["securityhub"], quiet=True)
    assert s.gaps.empty and s.table("securityhub_hubs").empty
    assert _verdicts(s, "securityhub_hub_enabled") == {"us-east-1": "FAIL"}


@pytest.mark.e2e
def test_demo_fake_answers_get_enabled_standards(aws_server):
    from srm_nb.demo.securityhub import FAKES

    for key, handler in FAKES.items():
        aws_server.fakes.register(*key, handler)
    sh = boto3.client("securityhub", region_name="us-east-1", endpoint_url=aws_server.endpoint)
    sh.enable_security_hub(EnableDefaultStandards=False)
    s = collect(AwsAccess(session=boto3.Session(region_name="us-east-1"), endpoint_url=aws_server.endpoint),
                ["us-east-1"], services=["securityhub"], quiet=True)
    assert ("securityhub", "GetEnabledStandards") in aws_server.fakes.answered
    std = s.table("securityhub_standards")
    assert list(std["status"]) == ["READY"] and "foundational" in std["standards_arn"].iloc[0]
