"""Trusted Advisor through the Support API: moto lacks the summaries, so a Stubber answers."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.checks.catalog import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect import load_collectors
from srm_nb.collect.runner import collect

CHECKS = [
    {"id": "7DAFEmoDos", "name": "MFA on Root Account", "category": "security", "description": "d", "metadata": []},
    {"id": "12Fnkpl8Y5", "name": "Exposed Access Keys", "category": "security", "description": "d", "metadata": []},
    {"id": "Pfx0RwqBli", "name": "Amazon S3 Bucket Permissions", "category": "security", "description": "d", "metadata": []},
    {"id": "N420c450f2", "name": "CloudFront Alternate Domain Names", "category": "performance", "description": "d", "metadata": []},
    {"id": "xSqX82fQu", "name": "ELB Security Groups", "category": "security", "description": "d", "metadata": []},
]


def summary(check_id, status, flagged=0):
    return {"checkId": check_id, "timestamp": "2026-11-01T00:00:00Z", "status": status,
            "hasFlaggedResources": flagged > 0,
            "resourcesSummary": {"resourcesProcessed": 5, "resourcesFlagged": flagged,
                                 "resourcesIgnored": 0, "resourcesSuppressed": 0},
            "categorySpecificSummary": {}}


def collect_with(setup):
    access = AwsAccess(session=boto3.Session(region_name="us-east-1"))
    client = access.client("support", "us-east-1", load_collectors()["trustedadvisor"].operations)
    with Stubber(client) as stub:
        setup(stub)
        s = collect(access, ["us-east-1"], services=["trustedadvisor"], quiet=True)
        stub.assert_no_pending_responses()
    return s


def findings(s):
    return run_check(load_catalog()["trustedadvisor_security_check_ok"], s)


@mock_aws
def test_security_checks_red_yellow_fail_green_passes():
    def setup(stub):
        stub.add_response("describe_trusted_advisor_checks", {"checks": CHECKS}, {"language": "en"})
        stub.add_response("describe_trusted_advisor_check_summaries", {"summaries": [
            summary("7DAFEmoDos", "error", 1), summary("12Fnkpl8Y5", "ok"),
            summary("Pfx0RwqBli", "warning", 3), summary("xSqX82fQu", "not_available")]},
            {"checkIds": ["7DAFEmoDos", "12Fnkpl8Y5", "Pfx0RwqBli", "xSqX82fQu"]})

    s = collect_with(setup)
    table = s.table("trustedadvisor_checks")
    assert set(table["category"]) == {"security"}  # the performance check is not kept
    f = findings(s)
    assert dict(zip(f["resource_id"], f["status"])) == {
        "7DAFEmoDos": "FAIL", "12Fnkpl8Y5": "PASS", "Pfx0RwqBli": "FAIL"}  # not_available: no verdict
    assert "yellow: 3 resource(s)" in " ".join(f["detail"])


@mock_aws
def test_basic_support_is_a_not_subscribed_error_never_a_pass():
    def setup(stub):
        stub.add_client_error("describe_trusted_advisor_checks", "SubscriptionRequiredException",
                              "AWS Premium Support Subscription is required to use this service.", 400)

    s = collect_with(setup)
    gap = s.gaps.iloc[0]
    assert gap["status"] == "not_subscribed" and gap["table"] == "trustedadvisor_checks"
    f = findings(s)
    assert list(f["status"]) == ["ERROR"]
    assert "Business/Enterprise support required" in f["detail"].iloc[0]


@mock_aws
def test_summaries_failure_is_a_gap():
    def setup(stub):
        stub.add_response("describe_trusted_advisor_checks", {"checks": CHECKS}, {"language": "en"})
        stub.add_client_error("describe_trusted_advisor_check_summaries", "AccessDeniedException", "no", 403)

    s = collect_with(setup)
    assert s.gaps.iloc[0]["operation"] == "DescribeTrustedAdvisorCheckSummaries"
    assert set(findings(s)["status"]) == {"ERROR"}
