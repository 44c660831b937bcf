"""ECR: the collector against moto (repositories, registry scanning, policies) and Stubber
(partial failures), the five repository checks on edge cases, and the guard on image reads."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.aws import AwsAccess, is_read_only
from srm_nb.collect import load_collectors
from srm_nb.collect.base import REGISTRY, Ctx, Recorder
from srm_nb.collect.runner import collect
from srm_nb.errors import ReadOnlyViolation
from test_ec2_checks import REGION, run, snapshot

ACCOUNT = "123456789012"
LIFECYCLE = json.dumps({"rules": [{"rulePriority": 1, "selection": {
    "tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 7},
    "action": {"type": "expire"}}]})


def _policy(principal) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": principal, "Action": "ecr:BatchGetImage"}]})


@mock_aws
def test_collected_repositories_and_their_verdicts():
    key = boto3.client("kms", region_name=REGION).create_key()["KeyMetadata"]["Arn"]
    ecr = boto3.client("ecr", region_name=REGION)
    ecr.create_repository(repositoryName="app/web", imageTagMutability="IMMUTABLE",
                          encryptionConfiguration={"encryptionType": "KMS", "kmsKey": key})
    ecr.put_lifecycle_policy(repositoryName="app/web", lifecyclePolicyText=LIFECYCLE)
    ecr.set_repository_policy(repositoryName="app/web", policyText=_policy({"AWS": f"arn:aws:iam::{ACCOUNT}:root"}))
    ecr.create_repository(repositoryName="tools/legacy")
    ecr.set_repository_policy(repositoryName="tools/legacy", policyText=_policy("*"))
    ecr.put_registry_scanning_configuration(scanType="ENHANCED", rules=[{
        "scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "app/*", "filterType": "WILDCARD"}]}])
    s = collect(AwsAccess(session=boto3.Session(region_name=REGION)), [REGION], services=["ecr", "kms"], quiet=True)
    assert s.gaps.empty
    assert s.table("ecr_registry_scanning")["scan_type"].tolist() == ["ENHANCED"]
    scanning = s.table("ecr_repository_scanning").set_index("repository_name")
    assert scanning.loc["app/web", "scan_frequency"] == "SCAN_ON_PUSH"
    assert s.table("ecr_lifecycle_policies").set_index("repository_name")["policy_text"].notna().to_dict() == {
        "app/web": True, "tools/legacy": False}  # no lifecycle policy is a fact, not a gap
    for check in ("ecr_repository_scan_enabled", "ecr_repository_tag_immutable", "ecr_repository_lifecycle_policy",
                  "ecr_repository_policy_not_public", "ecr_repository_cmk_encryption"):
        assert run(s, check) == {"app/web": "PASS", "tools/legacy": "FAIL"}, check


def _ctx(client, recorder):
    load_collectors()
    return Ctx(REGISTRY["ecr"], REGION, client, recorder, ACCOUNT, "aws", REGION)


def test_partial_failures_are_gaps_of_the_repositories_concerned(monkeypatch):
    client = boto3.client("ecr", region_name=REGION)
    stub = Stubber(client)
    stub.add_response("get_registry_scanning_configuration",
                      {"registryId": ACCOUNT, "scanningConfiguration": {"scanType": "BASIC", "rules": []}})
    stub.add_response("describe_repositories", {"repositories": [
        {"repositoryName": n, "repositoryArn": f"arn:aws:ecr:{REGION}:{ACCOUNT}:repository/{n}"} for n in ("web", "old")]})
    stub.add_response("batch_get_repository_scanning_configuration", {
        "scanningConfigurations": [{"repositoryName": "web", "scanFrequency": "SCAN_ON_PUSH", "scanOnPush": True}],
        "failures": [{"repositoryName": "old", "failureCode": "REPOSITORY_NOT_FOUND", "failureReason": "gone"}]},
        {"repositoryNames": ["web", "old"]})
    stub.add_client_error("get_lifecycle_policy", "AccessDeniedException", "no", 403, expected_params={"repositoryName": "web"})
    stub.add_client_error("get_repository_policy", "RepositoryPolicyNotFoundException", "none", 400,
                          expected_params={"repositoryName": "web"})
    stub.add_client_error("get_lifecycle_policy", "LifecyclePolicyNotFoundException", "none", 400,
                          expected_params={"repositoryName": "old"})
    stub.add_client_error("get_repository_policy", "RepositoryPolicyNotFoundException", "none", 400,
                          expected_params={"repositoryName": "old"})
    recorder = Recorder(calls_per_service=1)  # one request at a time: a Stubber answers in order
    monkeypatch.setattr("srm_nb.collect.ecr.REPOSITORY_WORKERS", 1)  # Stubber answers in order
    with stub:
        REGISTRY["ecr"].func(_ctx(client, recorder))
    assert sorted((g["table"], g["resource_id"], g["status"]) for g in recorder.gaps) == [
        ("ecr_lifecycle_policies", "web", "denied"), ("ecr_repository_scanning", "old", "error")]
    assert recorder.rows["ecr_lifecycle_policies"] == [{"repository_name": "old", "policy_text": None, "region": REGION}]


def repo(name, **extra):
    return {"repository_name": name, "arn": f"arn:aws:ecr:{REGION}:111122223333:repository/{name}", **extra}


@pytest.mark.parametrize("scan_type, frequency, legacy, status", [
    ("ENHANCED", "CONTINUOUS_SCAN", False, "PASS"),
    ("ENHANCED", "SCAN_ON_PUSH", False, "PASS"),
    ("BASIC", "SCAN_ON_PUSH", True, "PASS"),
    ("BASIC", "MANUAL", True, "PASS"),  # basic mode honours the repository's own scan-on-push flag
    ("ENHANCED", "MANUAL", True, "FAIL"),  # enhanced mode ignores it: no rule matches, no scan
    ("BASIC", "MANUAL", False, "FAIL"),
    ("BASIC", None, False, "ERROR"),  # what applies to the repository was not read
])
def test_scan_frequency_forms(scan_type, frequency, legacy, status):
    s = snapshot(ecr_repositories=[repo("r", scan_on_push=legacy)],
                 ecr_registry_scanning=[{"registry_id": "111122223333", "scan_type": scan_type}],
                 ecr_repository_scanning=[] if frequency is None else [{"repository_name": "r", "scan_frequency": frequency}])
    assert run(s, "ecr_repository_scan_enabled") == {"r": status}


def test_tag_mutability_with_exclusions():
    s = snapshot(ecr_repositories=[repo("i", image_tag_mutability="IMMUTABLE_WITH_EXCLUSION"),
                                   repo("m", image_tag_mutability="MUTABLE_WITH_EXCLUSION"),
                                   repo("u", image_tag_mutability=None)])
    assert run(s, "ecr_repository_tag_immutable") == {"i": "PASS", "m": "FAIL", "u": "ERROR"}


def test_customer_managed_key_forms():
    own = "arn:aws:kms:us-east-1:111122223333:key/"
    s = snapshot(
        ecr_repositories=[repo("cmk", encryption_type="KMS", kms_key=own + "c"),
                          repo("aws-managed", encryption_type="KMS", kms_key=own + "a"),
                          repo("other-account", encryption_type="KMS", kms_key="arn:aws:kms:us-east-1:444455556666:key/x"),
                          repo("unread-key", encryption_type="KMS", kms_key=own + "gone"),
                          repo("aes", encryption_type="AES256")],
        kms_keys=[{"key_id": "c", "arn": own + "c", "key_manager": "CUSTOMER"},
                  {"key_id": "a", "arn": own + "a", "key_manager": "AWS"}])
    assert run(s, "ecr_repository_cmk_encryption") == {"cmk": "PASS", "aws-managed": "FAIL", "other-account": "PASS",
                                                       "unread-key": "ERROR", "aes": "FAIL"}


def test_repository_policy_forms():
    conditioned = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]})
    s = snapshot(ecr_repositories=[repo(n) for n in ("open", "org", "none")],
                 ecr_repository_policies=[{"repository_name": "open", "policy_json": _policy({"AWS": "*"})},
                                          {"repository_name": "org", "policy_json": conditioned},
                                          {"repository_name": "none", "policy_json": None}])
    assert run(s, "ecr_repository_policy_not_public") == {"open": "FAIL", "org": "PASS", "none": "PASS"}


@pytest.mark.parametrize("service, operation", [
    ("ecr", "BatchGetImage"), ("ecr", "GetDownloadUrlForLayer"), ("ecr", "GetAuthorizationToken"),
    ("ecr-public", "GetAuthorizationToken"), ("inspector2", "BatchGetCodeSnippet"), ("inspector2", "GetCisScanReport"),
])
def test_image_layers_registry_tokens_and_code_are_never_read(service, operation):
    assert not is_read_only(service, operation)


@mock_aws
def test_the_ecr_client_refuses_an_image_read_before_sending():
    boto3.client("ecr", region_name=REGION).create_repository(repositoryName="app")
    access = AwsAccess(session=boto3.Session(region_name=REGION))
    client = access.client("ecr", REGION, load_collectors()["ecr"].operations)
    with pytest.raises(ReadOnlyViolation, match="only reads configuration"):
        client.batch_get_image(repositoryName="app", imageIds=[{"imageTag": "latest"}])
    assert client.describe_repositories()["repositories"][0]["repositoryName"] == "app"
