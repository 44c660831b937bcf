"""Access Analyzer: moto has no ListAnalyzers, so the collector is tested with a Stubber."""

from __future__ import annotations

from datetime import datetime, timezone

import boto3
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.checks.catalog import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect import load_collectors
from srm_nb.collect.runner import collect

REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]


def analyzer(region, kind="ACCOUNT", status="ACTIVE", name="external"):
    return {"arn": f"arn:aws:access-analyzer:{region}:123456789012:analyzer/{name}", "name": name,
            "type": kind, "createdAt": datetime(2025, 1, 1, tzinfo=timezone.utc), "status": status}


def collect_with(per_region: dict):
    access = AwsAccess(session=boto3.Session(region_name="us-east-1"))
    ops = load_collectors()["accessanalyzer"].operations
    stubs = []
    for region, answer in per_region.items():
        stub = Stubber(access.client("accessanalyzer", region, ops))
        if isinstance(answer, str):
            stub.add_client_error("list_analyzers", answer, "nope", 403)
        else:
            stub.add_response("list_analyzers", {"analyzers": answer})
        stub.activate()
        stubs.append(stub)
    s = collect(access, list(per_region), services=["accessanalyzer"], quiet=True)
    for stub in stubs:
        stub.assert_no_pending_responses()
    return s


def verdicts(s):
    r = run_check(load_catalog()["accessanalyzer_enabled_all_regions"], s)
    return dict(zip(r["resource_id"], r["status"]))


@mock_aws
def test_analyzers_collected_and_judged_per_region():
    s = collect_with({
        "us-east-1": [analyzer("us-east-1")],
        "eu-west-1": [analyzer("eu-west-1", kind="ACCOUNT_UNUSED_ACCESS", name="unused"),
                      analyzer("eu-west-1", status="DISABLED")],
        "ap-southeast-2": [analyzer("ap-southeast-2", kind="ORGANIZATION")],
    })
    table = s.table("accessanalyzer_analyzers")
    assert sorted(table["region"].unique()) == sorted(REGIONS)
    assert set(table["type"]) == {"ACCOUNT", "ACCOUNT_UNUSED_ACCESS", "ORGANIZATION"}
    # Only an active external-access analyzer counts; an unused-access one does not.
    assert verdicts(s) == {"us-east-1": "PASS", "eu-west-1": "FAIL", "ap-southeast-2": "PASS"}


@mock_aws
def test_no_analyzer_fails_and_denied_region_is_error():
    s = collect_with({"us-east-1": [], "eu-west-1": "AccessDeniedException"})
    got = verdicts(s)
    assert got["us-east-1"] == "FAIL"
    assert got["eu-west-1"] == "ERROR"
    assert s.gaps.iloc[0]["status"] == "denied"


def test_policy_action_uses_the_access_analyzer_prefix():
    assert load_collectors()["accessanalyzer"].iam_actions == ["access-analyzer:ListAnalyzers"]
