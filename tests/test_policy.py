"""`srm policy`: derived from the collectors' declarations, with IAM's own action names, and
enough (and only enough) for a real least-privilege collection."""

from __future__ import annotations

import json

import boto3
import pytest
from collect_framework_support import checks_reading, enforce_iam, server_process
from conftest import run_srm

from srm_nb.aws import AwsAccess
from srm_nb.collect import REGISTRY, collector
from srm_nb.collect import load_collectors
from srm_nb.collect.actions import IAM_ACTIONS, iam_actions_for, iam_prefix
from srm_nb.policy import least_privilege_policy, required_actions, unknown_actions

# The framework's own collectors for the enforced runs; moto's IAM enforcement names actions by
# the request's signing name, which is the IAM prefix for these services. (GuardDuty is left
# out: moto 5.2.5 rejects the signature of its body-less REST GETs under enforcement.)
ENFORCED = ["iam", "s3", "ec2", "cloudtrail", "rds"]
# moto 5.2.5 authorizes the bucket sub-resources it does not map (?encryption,
# ?publicAccessBlock, ?object-lock) as s3:ListBucket; real S3 uses the actions the policy grants.
MOTO_S3_EXTRA = "s3:ListBucket"
REGIONS = ["us-east-1", "eu-west-1"]


@pytest.mark.parametrize("service, operation, action", [
    ("s3", "ListBuckets", "s3:ListAllMyBuckets"),
    ("s3", "GetBucketEncryption", "s3:GetEncryptionConfiguration"),
    ("s3", "GetPublicAccessBlock", "s3:GetBucketPublicAccessBlock"),
    ("s3", "GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration"),
    ("s3", "GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration"),
    ("s3", "GetBucketPolicy", "s3:GetBucketPolicy"),
    ("s3control", "GetPublicAccessBlock", "s3:GetAccountPublicAccessBlock"),
    ("accessanalyzer", "ListAnalyzers", "access-analyzer:ListAnalyzers"),
    ("elbv2", "DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancers"),
    ("cloudwatch", "DescribeAlarms", "cloudwatch:DescribeAlarms"),
    ("logs", "DescribeMetricFilters", "logs:DescribeMetricFilters"),
    ("apigateway", "GetRestApis", "apigateway:GET"),
    ("iam", "GenerateCredentialReport", "iam:GenerateCredentialReport"),
    ("ec2", "DescribeInstances", "ec2:DescribeInstances"),
])
def test_operation_to_iam_action(service, operation, action):
    assert iam_actions_for(service, operation) == (action,)


def test_prefixes():
    assert iam_prefix("elbv2") == "elasticloadbalancing"
    assert iam_prefix("cloudwatch") == "cloudwatch"  # signs as "monitoring"
    assert iam_prefix("guardduty") == "guardduty"


def test_iam_action_exceptions_are_all_in_use():
    """Each exception maps an operation some collector declares, to an action the default rule
    would get wrong: no entry is kept for an operation nothing calls."""
    declared = {(c.service, op) for c in load_collectors().values() for op in c.operations}
    assert set(IAM_ACTIONS) <= declared, sorted(set(IAM_ACTIONS) - declared)
    for (service, operation), actions in IAM_ACTIONS.items():
        assert actions != (f"{iam_prefix(service)}:{operation}",), (service, operation)


def test_every_derived_action_is_a_real_iam_action():
    actions = required_actions()
    assert unknown_actions(actions) == []
    assert "s3:ListAllMyBuckets" in actions and "s3:ListBuckets" not in actions
    assert unknown_actions(["s3:ListBuckets", "ec2:DescribeInstances"]) == ["s3:ListBuckets"]


def test_policy_follows_declarations():
    """Registering a collector adds exactly its actions: nothing is hand-kept."""
    before = set(required_actions())
    assert "kafka:ListClustersV2" not in before

    @collector("test_policy_probe", service="kafka", scope="regional",
               operations=("ListClustersV2",), tables={"test_policy_probe": ("region",)})
    def probe(ctx):  # pragma: no cover - never run
        pass

    try:
        assert set(required_actions()) - before == {"kafka:ListClustersV2"}
    finally:
        del REGISTRY["test_policy_probe"]


def test_cli_prints_the_policy():
    proc = run_srm("policy")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc == least_privilege_policy()
    actions = [a for st in doc["Statement"] for a in st["Action"]]
    assert all(st["Effect"] == "Allow" and st["Resource"] == "*" for st in doc["Statement"])
    assert "sts:GetCallerIdentity" in actions and "ec2:DescribeRegions" in actions
    assert not [a for a in actions if "*" in a]


def _user_with_policy(endpoint: str, name: str, policy: dict) -> boto3.Session:
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=endpoint)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="srm", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return boto3.Session(aws_access_key_id=key["AccessKeyId"],
                         aws_secret_access_key=key["SecretAccessKey"], region_name="us-east-1")


def _without(policy: dict, removed: set[str]) -> dict:
    doc = json.loads(json.dumps(policy))
    for st in doc["Statement"]:
        st["Action"] = [a for a in st["Action"] if a not in removed]
    return doc


@pytest.mark.e2e
def test_least_privilege_collection_under_enforced_iam():
    """moto in its own process with IAM enforced: the derived policy is enough (no call denied);
    without some of its actions, exactly those calls are denied, recorded as such, and the
    checks that needed that data report ERROR, never PASS."""
    from srm_nb.checks.runner import run_checks
    from srm_nb.collect.runner import collect

    policy = least_privilege_policy(ENFORCED)
    assert MOTO_S3_EXTRA not in policy["Statement"][0]["Action"]
    policy["Statement"].append({"Effect": "Allow", "Action": [MOTO_S3_EXTRA], "Resource": "*"})
    removed = {"s3:GetBucketPolicy", "ec2:DescribeVolumes"}
    # The story's parts these services read (a VPC for the instances, keys for the volumes).
    with server_process("--demo", "--only", "iam,s3,ec2,cloudtrail,rds,vpc,kms") as endpoint:
        full = _user_with_policy(endpoint, "srm-auditor", policy)
        partial = _user_with_policy(endpoint, "srm-partial", _without(policy, removed))
        admin_denied = boto3.client("iam", region_name="us-east-1", endpoint_url=endpoint)
        enforce_iam(endpoint)

        # Enforcement is on: the seeding credentials are unknown to IAM now.
        with pytest.raises(Exception, match="InvalidClientTokenId|security token"):
            admin_denied.list_users()

        good = collect(AwsAccess(session=full, endpoint_url=endpoint), REGIONS, services=ENFORCED,
                       quiet=True)
        bad = collect(AwsAccess(session=partial, endpoint_url=endpoint), REGIONS,
                      services=ENFORCED, quiet=True)

    calls = good.calls
    assert set(calls["collector"]) >= {"iam_account", "iam_users", "s3_buckets", "ec2"}
    assert not (calls["status"] == "denied").any(), calls[calls["status"] == "denied"]
    assert len(good.table("s3_buckets")) > 0 and len(good.table("ec2_volumes")) > 0

    denied = bad.calls[bad.calls["status"] == "denied"]
    assert set(denied["operation"]) == {"GetBucketPolicy", "DescribeVolumes"}
    assert set(bad.gaps["table"]) >= {"s3_bucket_policies", "ec2_volumes"}
    assert set(bad.calls.loc[bad.calls["status"] != "denied", "status"]) <= {"ok", "error"}

    findings = run_checks(bad)
    for table in ("s3_bucket_policies", "ec2_volumes"):
        ids = checks_reading(good, table)
        assert ids, table
        hit = findings[findings["check_id"].isin(ids)]
        assert len(hit) and not (hit["status"] == "PASS").any(), hit[["check_id", "status"]]
        assert (hit["status"] == "ERROR").any()
        errors = hit.loc[hit["status"] == "ERROR", "detail"]
        # Errors name the denial (a check may also read a table this run did not collect).
        assert errors.str.contains("denied").any()
        assert (errors.str.contains("denied") | errors.str.contains("is not in this snapshot")).all(), errors
        good_hit = run_checks(good, ids)
        assert good_hit["status"].isin(["PASS", "FAIL"]).any()


def test_the_fleet_callers_policy_reads_the_organization_and_assumes_the_named_role_only():
    from srm_nb.fleet.organization import OPERATIONS

    proc = run_srm("policy", "--fleet", "audit/SrmAudit")
    assert proc.returncode == 0, proc.stderr
    read, assume = json.loads(proc.stdout)["Statement"]
    assert read["Action"] == sorted(f"organizations:{op}" for op in OPERATIONS)
    assert not unknown_actions(read["Action"])
    assert assume == {"Sid": "SrmFleetAssumeAuditRole", "Effect": "Allow", "Action": "sts:AssumeRole",
                      "Resource": "arn:*:iam::*:role/audit/SrmAudit"}

    bad = run_srm("policy", "--fleet", "Srm Audit*")
    assert bad.returncode == 2 and "not an IAM role name" in bad.stderr and not bad.stdout
