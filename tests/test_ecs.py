"""ECS: the collector against moto (clusters, services, task sets, task definitions; secrets'
values never kept) and the task-definition, service and cluster checks on edge cases."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.checks import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect.runner import collect
from test_ec2_checks import REGION, run, snapshot

SECRET_VALUE = "wJalrXUtnFEMI-never-stored"
TASK_DEFINITION_CHECKS = ("ecs_taskdefinition_not_privileged", "ecs_taskdefinition_nonroot_user",
                          "ecs_taskdefinition_readonly_root_filesystem", "ecs_taskdefinition_no_environment_secrets",
                          "ecs_taskdefinition_logging_configured", "ecs_taskdefinition_no_host_pid",
                          "ecs_taskdefinition_no_host_network")


def _seed():
    ecs = boto3.client("ecs", region_name=REGION)
    ec2 = boto3.client("ec2", region_name=REGION)
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    group = ec2.describe_security_groups()["SecurityGroups"][0]["GroupId"]
    ecs.register_task_definition(family="api", networkMode="awsvpc", containerDefinitions=[{
        "name": "app", "image": "app:1", "memory": 256, "user": "1000", "readonlyRootFilesystem": True,
        "logConfiguration": {"logDriver": "awslogs"}, "environment": [{"name": "MODE", "value": "prod"}]}],
        volumes=[{"name": "data", "efsVolumeConfiguration": {"fileSystemId": "fs-1", "transitEncryption": "ENABLED"}}])
    ecs.register_task_definition(family="worker", networkMode="host", pidMode="host", containerDefinitions=[
        {"name": "main", "image": "w:1", "memory": 256, "privileged": True,
         "environment": [{"name": "AWS_SECRET_ACCESS_KEY", "value": SECRET_VALUE}]},
        {"name": "sidecar", "image": "s:1", "memory": 64, "user": "nobody", "readonlyRootFilesystem": True,
         "logConfiguration": {"logDriver": "awslogs"}}],
        volumes=[{"name": "plain", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}])
    ecs.create_cluster(clusterName="prod", settings=[{"name": "containerInsights", "value": "enhanced"}])
    ecs.create_cluster(clusterName="dev", settings=[{"name": "containerInsights", "value": "disabled"}])

    def network(public):
        return {"awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group],
                                        "assignPublicIp": "ENABLED" if public else "DISABLED"}}

    ecs.create_service(cluster="prod", serviceName="api", taskDefinition="api", desiredCount=1,
                       launchType="FARGATE", platformVersion="LATEST", networkConfiguration=network(False))
    ecs.create_service(cluster="dev", serviceName="api", taskDefinition="api", desiredCount=1,
                       launchType="FARGATE", platformVersion="1.3.0", networkConfiguration=network(True))
    ecs.create_service(cluster="dev", serviceName="canary", taskDefinition="api", desiredCount=1,
                       deploymentController={"type": "EXTERNAL"})
    return [ecs.create_task_set(cluster="dev", service="canary", taskDefinition="api", launchType="FARGATE",
                                networkConfiguration=network(public))["taskSet"]["id"] for public in (False, True)]


@mock_aws
def test_collected_resources_and_their_verdicts():
    private_set, public_set = _seed()
    s = collect(AwsAccess(session=boto3.Session(region_name=REGION)), [REGION], services=["ecs"], quiet=True)
    assert s.gaps.empty
    containers = s.table("ecs_containers").set_index("container_name")
    assert json.loads(containers.loc["main", "environment_names_json"]) == ["AWS_SECRET_ACCESS_KEY"]
    # The variable's value is a secret: no table holds it.
    assert not any(SECRET_VALUE in df.astype(str).to_csv() for df in s.tables.values())
    assert s.table("ecs_task_definitions").set_index("family").loc["worker", "pid_mode"] == "host"

    for check in TASK_DEFINITION_CHECKS + ("ecs_taskdefinition_efs_transit_encryption",):
        assert run(s, check) == {"api": "PASS", "worker": "FAIL"}, check
    assert run(s, "ecs_cluster_container_insights") == {"prod": "PASS", "dev": "FAIL"}
    assert run(s, "ecs_service_no_public_ip") == {"prod/api": "PASS", "dev/api": "FAIL", "dev/canary": "PASS"}
    assert run(s, "ecs_service_fargate_latest_platform") == {"prod/api": "PASS", "dev/api": "FAIL"}
    assert run(s, "ecs_taskset_no_public_ip") == {private_set: "PASS", public_set: "FAIL"}


def task_definitions(*tds, containers):
    rows = [{"family": f, "revision": 3, "arn": f"arn:aws:ecs:{REGION}:1:task-definition/{f}:3", "efs_volumes_json": "[]",
             **extra} for f, extra in tds]
    return rows, [{"revision": 3, "environment_names_json": "[]", **c} for c in containers]


@pytest.mark.parametrize("user, os_family, status", [
    ("1000", None, "PASS"), ("app:app", "LINUX", "PASS"), ("root", None, "FAIL"), ("0", None, "FAIL"),
    ("0:0", None, "FAIL"), ("ROOT:wheel", None, "FAIL"), (None, None, "FAIL"), ("", None, "FAIL"),
    ("ContainerUser", "WINDOWS_SERVER_2022_CORE", "PASS"),
    ("ContainerAdministrator", "WINDOWS_SERVER_2022_CORE", "FAIL"), (None, "WINDOWS_SERVER_2019_FULL", "FAIL"),
])
def test_non_root_user_forms_per_operating_system(user, os_family, status):
    tds, cs = task_definitions(("t", {"os_family": os_family}), containers=[{"family": "t", "container_name": "c", "user": user}])
    s = snapshot(ecs_task_definitions=tds, ecs_containers=cs)
    assert run(s, "ecs_taskdefinition_nonroot_user") == {"t": status}


def test_one_bad_container_fails_its_task_definition_and_is_named():
    tds, cs = task_definitions(("t", {}), containers=[
        {"family": "t", "container_name": "good", "privileged": False},
        {"family": "t", "container_name": "bad", "privileged": True},
        {"family": "t", "container_name": "default"}])  # left out: not privileged
    r = run_check(load_catalog()["ecs_taskdefinition_not_privileged"], snapshot(ecs_task_definitions=tds, ecs_containers=cs))
    assert r["status"].tolist() == ["FAIL"] and "privileged container(s) bad:" in r["detail"].item()


def test_environment_names_not_read_leave_the_verdict_unknown_unless_another_container_fails():
    unknown = {"family": "t", "container_name": "a", "environment_names_json": None}
    tds, cs = task_definitions(("t", {}), containers=[unknown])
    assert run(snapshot(ecs_task_definitions=tds, ecs_containers=cs), "ecs_taskdefinition_no_environment_secrets") == {"t": "ERROR"}
    tds, cs = task_definitions(("t", {}), containers=[unknown, {"family": "t", "container_name": "b",
                                                                "environment_names_json": '["ECS_ENGINE_AUTH_DATA"]'}])
    assert run(snapshot(ecs_task_definitions=tds, ecs_containers=cs), "ecs_taskdefinition_no_environment_secrets") == {"t": "FAIL"}


def test_efs_transit_encryption_applies_to_task_definitions_with_efs_volumes_only():
    tds, cs = task_definitions(
        ("none", {}), ("mixed", {"efs_volumes_json": json.dumps([{"volume": "a", "transit_encryption": "ENABLED"},
                                                                {"volume": "b", "transit_encryption": "DISABLED"}])}),
        containers=[])
    assert run(snapshot(ecs_task_definitions=tds, ecs_containers=cs), "ecs_taskdefinition_efs_transit_encryption") == {"mixed": "FAIL"}
    tds, cs = task_definitions(("none", {}), containers=[])
    assert set(run(snapshot(ecs_task_definitions=tds, ecs_containers=cs),
                   "ecs_taskdefinition_efs_transit_encryption").values()) == {"NOT_APPLICABLE"}


def test_a_family_whose_latest_revision_could_not_be_read_is_an_error():
    tds, cs = task_definitions(("ok", {"network_mode": "awsvpc"}), containers=[])
    s = snapshot(ecs_task_definitions=tds, ecs_containers=cs, gaps=[{
        "table": "ecs_task_definitions", "region": REGION, "resource_id": "hidden", "service": "ecs",
        "operation": "DescribeTaskDefinition", "status": "denied", "error_code": "AccessDeniedException"}])
    assert run(s, "ecs_taskdefinition_no_host_network") == {"ok": "PASS", "hidden": "ERROR"}


def service(name, **extra):
    return {"cluster_name": "c", "service_name": name, "arn": f"arn:aws:ecs:{REGION}:1:service/c/{name}", **extra}


def test_fargate_platform_versions():
    s = snapshot(ecs_services=[
        service("latest", launch_type="FARGATE", platform_version="LATEST"),
        service("pinned-current", launch_type="FARGATE", platform_version="1.4.0"),
        service("spot-old", capacity_providers_json='["FARGATE_SPOT"]', platform_version="1.3.0"),
        service("windows", launch_type="FARGATE", platform_family="WINDOWS_SERVER_2019_CORE", platform_version="1.0.0"),
        service("unknown", launch_type="FARGATE", platform_version=None),
        service("on-ec2", launch_type="EC2", platform_version=None)])
    assert run(s, "ecs_service_fargate_latest_platform") == {
        "c/latest": "PASS", "c/pinned-current": "PASS", "c/spot-old": "FAIL", "c/windows": "PASS", "c/unknown": "ERROR"}


def test_container_insights_values():
    s = snapshot(ecs_clusters=[{"cluster_name": n, "container_insights": v} for n, v in
                               (("on", "enabled"), ("enhanced", "enhanced"), ("off", "disabled"), ("unread", None))])
    assert run(s, "ecs_cluster_container_insights") == {"on": "PASS", "enhanced": "PASS", "off": "FAIL", "unread": "ERROR"}
