"""The demo account's containers and vulnerability-management story, as the real `srm demo`
sees it: ECR, ECS, EKS, Amazon Inspector and GuardDuty's protection plans."""

from __future__ import annotations

import json

import pytest

from conftest import verdicts_of
from srm_nb.snapshot import Snapshot

pytestmark = pytest.mark.e2e

GOOD_REPO, BAD_REPO = "northwind/orders-api", "legacy/report-renderer"
REGIONS = {"us-east-1": "PASS", "eu-west-1": "FAIL", "ap-southeast-2": "FAIL"}

EXPECTED = {
    **{c: {GOOD_REPO: "PASS", BAD_REPO: "FAIL"} for c in (
        "ecr_repository_scan_enabled", "ecr_repository_tag_immutable", "ecr_repository_lifecycle_policy",
        "ecr_repository_policy_not_public", "ecr_repository_cmk_encryption")},
    **{c: {"orders-api": "PASS", "legacy-worker": "FAIL"} for c in (
        "ecs_taskdefinition_not_privileged", "ecs_taskdefinition_nonroot_user",
        "ecs_taskdefinition_readonly_root_filesystem", "ecs_taskdefinition_no_environment_secrets",
        "ecs_taskdefinition_logging_configured", "ecs_taskdefinition_no_host_pid",
        "ecs_taskdefinition_no_host_network", "ecs_taskdefinition_efs_transit_encryption")},
    "ecs_cluster_container_insights": {"northwind-prod": "PASS", "batch-legacy": "FAIL"},
    "ecs_service_no_public_ip": {"northwind-prod/orders-api": "PASS", "northwind-prod/report-export": "FAIL",
                                 "batch-legacy/canary": "PASS"},
    "ecs_service_fargate_latest_platform": {"northwind-prod/orders-api": "PASS",
                                            "northwind-prod/report-export": "FAIL"},
    **{c: {"northwind-analytics": "PASS", "data-science-sandbox": "FAIL"} for c in (
        "eks_cluster_endpoint_not_public", "eks_cluster_audit_logging", "eks_cluster_secrets_encrypted",
        "eks_cluster_supported_version")},
    **{c: REGIONS for c in ("inspector_ec2_scanning_enabled", "inspector_ecr_scanning_enabled",
                            "inspector_lambda_scanning_enabled", "inspector_lambda_code_scanning_enabled")},
}

# GuardDuty's detector id is generated: its plans are found by their one finding.
PLANS = {
    "guardduty_detector_s3_protection": "PASS", "guardduty_detector_eks_audit_logs": "PASS",
    "guardduty_detector_malware_protection": "PASS", "guardduty_detector_rds_protection": "FAIL",
    "guardduty_detector_lambda_protection": "FAIL", "guardduty_detector_runtime_monitoring": "PASS",
    "guardduty_detector_eks_runtime_monitoring": "PASS", "guardduty_detector_ecs_runtime_monitoring": "PASS",
    "guardduty_detector_ec2_runtime_monitoring": "FAIL",
}


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_demo_resource_verdicts(demo_findings, check_id):
    assert verdicts_of(demo_findings, check_id) == EXPECTED[check_id]


@pytest.mark.parametrize("check_id", sorted(PLANS))
def test_demo_protection_plans(demo_findings, check_id):
    f = demo_findings[demo_findings["check_id"] == check_id]
    assert list(zip(f["region"], f["status"])) == [("us-east-1", PLANS[check_id])]


def test_the_canary_task_sets_one_private_one_public(demo_findings):
    f = demo_findings[demo_findings["check_id"] == "ecs_taskset_no_public_ip"]
    assert sorted(f["status"]) == ["FAIL", "PASS"]
    assert f["detail"].str.contains("of service batch-legacy/canary").all()


def test_the_demo_shows_every_container_service_in_the_matrix(demo_run):
    matrix = json.loads((demo_run[0] / "scores.json").read_text())["matrix"]
    assert {"ecr", "ecs", "eks", "inspector"} <= {row["service"] for row in matrix}


def test_no_container_check_errors_in_the_demo(demo_findings):
    mine = demo_findings[demo_findings["service"].isin(["ecr", "ecs", "eks", "inspector", "guardduty"])]
    assert mine[mine["status"] == "ERROR"].empty, mine[mine["status"] == "ERROR"][["check_id", "detail"]]


def test_task_definitions_environment_values_never_reach_the_snapshot(demo_run):
    snap = Snapshot.load(demo_run[0] / "snapshot")
    assert not [name for name, df in snap.tables.items()
                if "demo-fake-secret-never-collected" in df.astype(str).to_csv()]
    assert "AWS_SECRET_ACCESS_KEY" in snap.table("ecs_containers").to_csv()  # the name is kept
