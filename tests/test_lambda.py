"""Lambda: the collector against moto (functions, policies) and Stubber (function URLs, which
moto 5.2.5 does not list), and the runtime, public-access, URL and VPC checks."""

from __future__ import annotations

import io
import json
import zipfile

import boto3
import pandas as pd
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.checks.awslambda import RUNTIME_DEPRECATION
from srm_nb.collect import load_collectors
from srm_nb.collect.base import REGISTRY, Ctx, Recorder
from srm_nb.collect.runner import collect
from test_ec2_checks import REGION, run, snapshot

ACCOUNT = "123456789012"


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(zipfile.ZipInfo("h.py", (2026, 1, 1, 0, 0, 0)), "def handler(e, c):\n    return 1\n")
    return buf.getvalue()


def _seed():
    role = boto3.client("iam", region_name=REGION).create_role(
        RoleName="exec", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}))["Role"]["Arn"]
    ec2 = boto3.client("ec2", region_name=REGION)
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    lam = boto3.client("lambda", region_name=REGION)
    for name, runtime, extra in (("current", "python3.13", {"VpcConfig": {"SubnetIds": [subnet], "SecurityGroupIds": []}}),
                                 ("old", "python3.8", {}), ("open", "nodejs22.x", {})):
        lam.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler="h.handler",
                            Code={"ZipFile": _zip()}, **extra)
    lam.add_permission(FunctionName="open", StatementId="anyone", Action="lambda:InvokeFunction", Principal="*")
    lam.add_permission(FunctionName="current", StatementId="s3", Action="lambda:InvokeFunction",
                       Principal="s3.amazonaws.com", SourceAccount=ACCOUNT)


@mock_aws
def test_collected_functions_and_policies_and_verdicts():
    _seed()
    s = collect(AwsAccess(session=boto3.Session(region_name=REGION)), [REGION], services=["lambda"], quiet=True)
    fns = s.table("lambda_functions").set_index("function_name")
    assert fns.loc["old", "runtime"] == "python3.8"
    assert json.loads(fns.loc["current", "subnet_ids_json"]) and pd.isna(fns.loc["old", "vpc_id"])
    policies = s.table("lambda_policies").set_index("function_name")
    assert pd.isna(policies.loc["old", "policy_json"])  # no policy: a fact, not a gap
    assert json.loads(policies.loc["open", "policy_json"])["Statement"][0]["Principal"] == "*"
    # moto 5.2.5 does not implement ListFunctionUrlConfigs: each function's URL data is a gap.
    assert set(s.gaps["table"]) == {"lambda_function_urls"}
    assert set(s.gaps["resource_id"]) == {"current", "old", "open"}

    s.manifest["started_at"] = "2026-11-01T09:00:00+00:00"
    assert run(s, "lambda_function_runtime_supported") == {"current": "PASS", "old": "FAIL", "open": "PASS"}
    assert run(s, "lambda_function_not_public") == {"current": "PASS", "old": "PASS", "open": "FAIL"}
    assert run(s, "lambda_function_in_vpc") == {"current": "PASS", "old": "FAIL", "open": "FAIL"}
    # No URL verdict can pass or fail on missing data.
    assert set(run(s, "lambda_function_url_auth_required").values()) == {"ERROR"}


def test_collector_reads_function_urls_and_missing_policies():
    load_collectors()
    client = boto3.client("lambda", region_name=REGION)
    arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:web"
    stub = Stubber(client)
    stub.add_response("list_functions", {"Functions": [{"FunctionName": "web", "FunctionArn": arn,
                                                        "Runtime": "python3.12", "PackageType": "Zip"}]}, {})
    stub.add_client_error("get_policy", "ResourceNotFoundException", "no policy", http_status_code=404,
                          expected_params={"FunctionName": "web"})
    stub.add_response("list_function_url_configs", {"FunctionUrlConfigs": [{
        "FunctionUrl": "https://abc.lambda-url.us-east-1.on.aws/", "FunctionArn": arn, "AuthType": "NONE",
        "CreationTime": "2026-01-01T00:00:00.000+0000", "LastModifiedTime": "2026-01-01T00:00:00.000+0000"}]},
        {"FunctionName": "web"})
    recorder = Recorder()
    with stub:
        REGISTRY["lambda"].func(Ctx(REGISTRY["lambda"], REGION, client, recorder, ACCOUNT, "aws", REGION))
    assert not recorder.gaps
    assert recorder.rows["lambda_policies"] == [{"function_name": "web", "arn": arn, "policy_json": None,
                                                 "region": REGION}]
    url = recorder.rows["lambda_function_urls"][0]
    assert (url["function_name"], url["auth_type"]) == ("web", "NONE")


def test_denied_policy_read_is_a_gap_for_that_function():
    load_collectors()
    client = boto3.client("lambda", region_name=REGION)
    stub = Stubber(client)
    stub.add_response("list_functions", {"Functions": [{"FunctionName": "web", "FunctionArn": "arn:x"}]}, {})
    stub.add_client_error("get_policy", "AccessDeniedException", "no", http_status_code=403,
                          expected_params={"FunctionName": "web"})
    stub.add_response("list_function_url_configs", {"FunctionUrlConfigs": []}, {"FunctionName": "web"})
    recorder = Recorder()
    with stub:
        REGISTRY["lambda"].func(Ctx(REGISTRY["lambda"], REGION, client, recorder, ACCOUNT, "aws", REGION))
    assert [(g["table"], g["resource_id"], g["status"]) for g in recorder.gaps] == [
        ("lambda_policies", "web", "denied")]


def fn(name, runtime="python3.13", **extra):
    return {"function_name": name, "arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}",
            "runtime": runtime, "subnet_ids_json": "[]", **extra}


@pytest.mark.parametrize("runtime, status", [
    ("python3.13", "PASS"),
    ("python3.9", "FAIL"),  # deprecated 2025-12-15, before the snapshot (2026-11-10)
    ("dotnet8", "FAIL"),  # deprecated on the snapshot's very day
    ("nodejs22.x", "PASS"),
    ("python3.14", "PASS"),  # newer than the table: no deprecation announced
    ("go1.x", "FAIL"),
])
def test_runtime_deprecation_against_the_snapshot_date(runtime, status):
    s = snapshot(lambda_functions=[fn("f", runtime)])
    s.manifest["started_at"] = "2026-11-10T12:00:00+00:00"
    assert run(s, "lambda_function_runtime_supported") == {"f": status}


def test_container_image_functions_have_no_runtime_to_judge():
    s = snapshot(lambda_functions=[fn("img", None, package_type="Image")])
    assert set(run(s, "lambda_function_runtime_supported").values()) == {"NOT_APPLICABLE"}


def test_deprecation_table_is_well_formed():
    assert all(name == name.strip().lower() for name in RUNTIME_DEPRECATION)
    assert RUNTIME_DEPRECATION["python3.8"].isoformat() == "2024-10-14"


def _policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def test_public_resource_policy_forms():
    allow = {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}
    s = snapshot(
        lambda_functions=[fn(n) for n in ("star", "aws-star", "conditioned", "service", "account", "none",
                                          "service-unscoped", "service-star-arn")],
        lambda_policies=[
            {"function_name": "star", "policy_json": _policy({**allow, "Principal": "*"})},
            {"function_name": "aws-star", "policy_json": _policy({**allow, "Principal": {"AWS": "*"}})},
            {"function_name": "conditioned", "policy_json": _policy({
                **allow, "Principal": "*", "Condition": {"StringEquals": {"AWS:SourceAccount": ACCOUNT}}})},
            {"function_name": "service", "policy_json": _policy({**allow, "Principal": {"Service": "s3.amazonaws.com"},
                                                                 "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::b"}}})},
            {"function_name": "account", "policy_json": _policy({**allow, "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}})},
            {"function_name": "none", "policy_json": None},
            # Lambda.1: S3 (any service) allowed with no source condition can be triggered by
            # anyone's bucket; a wildcard source is no condition.
            {"function_name": "service-unscoped", "policy_json": _policy({
                **allow, "Principal": {"Service": "s3.amazonaws.com"}})},
            {"function_name": "service-star-arn", "policy_json": _policy({
                **allow, "Principal": {"Service": "s3.amazonaws.com"}, "Condition": {"ArnLike": {"AWS:SourceArn": "*"}}})},
        ])
    assert run(s, "lambda_function_not_public") == {"star": "FAIL", "aws-star": "FAIL", "conditioned": "PASS",
                                                    "service": "PASS", "account": "PASS", "none": "PASS",
                                                    "service-unscoped": "FAIL", "service-star-arn": "FAIL"}


def test_function_urls_require_iam_auth():
    s = snapshot(lambda_functions=[fn("a"), fn("b"), fn("c")], lambda_function_urls=[
        {"function_name": "a", "function_arn": "arn:a", "function_url": "https://a", "auth_type": "AWS_IAM"},
        {"function_name": "b", "function_arn": "arn:b", "function_url": "https://b", "auth_type": "NONE"},
        {"function_name": "a", "function_arn": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:a:live",
         "function_url": "https://a-live", "auth_type": "NONE"}])
    assert run(s, "lambda_function_url_auth_required") == {"a": "PASS", "b": "FAIL", "a:live": "FAIL"}
    none = snapshot(lambda_functions=[fn("a")], lambda_function_urls=[])
    assert set(run(none, "lambda_function_url_auth_required").values()) == {"NOT_APPLICABLE"}


def test_vpc_attachment_by_vpc_id_or_subnets():
    s = snapshot(lambda_functions=[fn("vpc", vpc_id="vpc-1", subnet_ids_json='["subnet-1"]'),
                                   fn("subnets-only", subnet_ids_json='["subnet-1"]'), fn("none")])
    assert run(s, "lambda_function_in_vpc") == {"vpc": "PASS", "subnets-only": "PASS", "none": "FAIL"}
