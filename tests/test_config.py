"""AWS Config: the collector against moto, and its checks PASS, FAIL and ERROR."""

from __future__ import annotations

import boto3
import pandas as pd
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from conftest import make_snapshot
from srm_nb.aws import AwsAccess
from srm_nb.checks import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect import load_collectors
from srm_nb.collect.runner import collect

ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"]
ROLE = f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"


def _access() -> AwsAccess:
    return AwsAccess(session=boto3.Session(region_name="us-east-1"))


def _seed() -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="config-history")
    us = boto3.client("config", region_name="us-east-1")
    us.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": ROLE,
        "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": True}})
    us.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-history"})
    us.start_configuration_recorder(ConfigurationRecorderName="default")
    eu = boto3.client("config", region_name="eu-west-1")
    eu.put_configuration_recorder(ConfigurationRecorder={
        "name": "partial", "roleARN": ROLE,
        "recordingGroup": {"allSupported": False, "includeGlobalResourceTypes": False,
                           "resourceTypes": ["AWS::EC2::Instance"]}})
    eu.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "config-history"})
    eu.start_configuration_recorder(ConfigurationRecorderName="partial")


@pytest.fixture(scope="module")
def snap():
    with mock_aws():
        _seed()
        return collect(_access(), REGIONS, services=["config"], quiet=True)


def _verdicts(s, check_id) -> dict:
    r = run_check(load_catalog()[check_id], s)
    return dict(zip(r["resource_id"], r["status"]))


def test_collected_tables(snap):
    assert snap.gaps.empty, snap.gaps.to_dict("records")
    rec = snap.table("config_recorders").set_index("region")
    assert rec.loc["us-east-1", "recording"] and rec.loc["us-east-1", "all_supported"]
    assert rec.loc["us-east-1", "include_global_resource_types"]
    assert rec.loc["eu-west-1", "recording"] and not rec.loc["eu-west-1", "all_supported"]
    assert "ap-southeast-2" not in rec.index
    assert set(snap.table("config_delivery_channels")["region"]) == {"us-east-1", "eu-west-1"}


def test_recorder_enabled_per_region(snap):
    assert _verdicts(snap, "config_recorder_enabled") == {
        f"{ACCOUNT}/us-east-1": "PASS", f"{ACCOUNT}/eu-west-1": "FAIL", f"{ACCOUNT}/ap-southeast-2": "FAIL"}
    r = run_check(load_catalog()["config_recorder_enabled"], snap).set_index("region")
    assert "only some resource types" in r.loc["eu-west-1", "detail"]
    assert "no configuration recorder" in r.loc["ap-southeast-2", "detail"]


def test_a_recorder_with_its_own_role_fails_config_1():
    """FSBP Config.1 asks for the service-linked role; a recorder with a role of its own fails."""
    from conftest import make_snapshot, schema_table

    rec = {"region": "us-east-1", "name": "default", "role_arn": f"arn:aws:iam::{ACCOUNT}:role/config",
           "recording": True, "all_supported": True, "last_status": "SUCCESS"}
    s = make_snapshot({"config_recorders": schema_table("config_recorders", [rec])}, regions=["us-east-1"],
                      account_id=ACCOUNT)
    r = run_check(load_catalog()["config_recorder_enabled"], s)
    assert r["status"].tolist() == ["FAIL"] and "AWSServiceRoleForConfig" in r["detail"].item()


def test_cis_reading_wants_the_last_recording_to_have_succeeded():
    """CIS reads the recorder status: recording true and lastStatus SUCCESS, whatever the role;
    FSBP Config.1 wants the service-linked role and does not read lastStatus."""
    from conftest import schema_table

    def rec(region, **kv):
        return {"region": region, "name": "default", "role_arn": f"arn:aws:iam::{ACCOUNT}:role/config",
                "recording": True, "all_supported": True, "last_status": "SUCCESS", **kv}
    rows = [rec("us-east-1"), rec("eu-west-1", last_status="FAILURE", last_error_code="NoSuchBucketException"),
            rec("ap-southeast-2", last_status=None)]
    s = make_snapshot({"config_recorders": schema_table("config_recorders", rows)}, regions=REGIONS,
                      account_id=ACCOUNT)
    assert _verdicts(s, "config_recorder_status_success") == {
        f"{ACCOUNT}/us-east-1": "PASS", f"{ACCOUNT}/eu-west-1": "FAIL", f"{ACCOUNT}/ap-southeast-2": "ERROR"}
    r = run_check(load_catalog()["config_recorder_status_success"], s).set_index("region")
    assert "FAILURE" in r.loc["eu-west-1", "detail"] and "NoSuchBucketException" in r.loc["eu-west-1", "detail"]
    assert set(_verdicts(s, "config_recorder_enabled").values()) == {"FAIL"}  # not the service-linked role
    catalog = load_catalog()
    assert catalog["config_recorder_enabled"].fsbp_ids == ("Config.1",) and not catalog["config_recorder_enabled"].cis_ids
    assert set(catalog["config_recorder_status_success"].cis_ids) == {"7.0:4.3", "5.0:3.3"}


def test_the_demo_fake_reports_success_for_a_recording_recorder(aws_server):
    """moto reports lastStatus PENDING forever; the demo's fake answers SUCCESS for a recorder that
    is recording, as AWS does once it delivers."""
    from srm_nb.demo import config as demo_config

    aws_server.fakes.handlers.update(demo_config.FAKES)
    cfg = boto3.client("config", region_name="us-east-1", endpoint_url=aws_server.endpoint)
    boto3.client("s3", region_name="us-east-1", endpoint_url=aws_server.endpoint).create_bucket(Bucket="cfg-history")
    cfg.put_configuration_recorder(ConfigurationRecorder={"name": "default", "roleARN": ROLE,
                                                          "recordingGroup": {"allSupported": True}})
    cfg.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": "cfg-history"})
    cfg.start_configuration_recorder(ConfigurationRecorderName="default")
    access = AwsAccess(session=boto3.Session(region_name="us-east-1"), endpoint_url=aws_server.endpoint)
    s = collect(access, ["us-east-1"], services=["config"], quiet=True)
    assert s.table("config_recorders")["last_status"].tolist() == ["SUCCESS"]
    assert _verdicts(s, "config_recorder_status_success") == {f"{ACCOUNT}/us-east-1": "PASS"}


def test_delivery_channel_per_region(snap):
    assert _verdicts(snap, "config_delivery_channel_configured") == {
        f"{ACCOUNT}/us-east-1": "PASS", f"{ACCOUNT}/eu-west-1": "PASS", f"{ACCOUNT}/ap-southeast-2": "FAIL"}


def test_global_resources_pass(snap):
    assert _verdicts(snap, "config_recorder_global_resources") == {ACCOUNT: "PASS"}


@mock_aws
def test_stopped_recorder_and_no_global_types_fail():
    eu = boto3.client("config", region_name="eu-west-1")
    eu.put_configuration_recorder(ConfigurationRecorder={
        "name": "default", "roleARN": ROLE, "recordingGroup": {"allSupported": True,
                                                             "includeGlobalResourceTypes": True}})
    s = collect(_access(), ["eu-west-1"], services=["config"], quiet=True)
    r = run_check(load_catalog()["config_recorder_enabled"], s)
    assert list(r["status"]) == ["FAIL"] and "stopped" in r["detail"].iloc[0]
    assert _verdicts(s, "config_recorder_global_resources") == {ACCOUNT: "FAIL"}


def test_service_linked_recorder_does_not_count():
    rec = pd.DataFrame([{
        "region": "us-east-1", "name": "AWSConfigurationRecorderForX", "arn": "arn", "role_arn": ROLE,
        "service_principal": "securityhub.amazonaws.com", "all_supported": True,
        "include_global_resource_types": True, "recording_strategy": "ALL_SUPPORTED_RESOURCE_TYPES",
        "resource_types_json": "[]", "exclusions_json": "[]", "recording": True, "last_status": "SUCCESS",
        "last_error_code": None}])
    s = make_snapshot({"config_recorders": rec})
    assert _verdicts(s, "config_recorder_enabled") == {f"{ACCOUNT}/us-east-1": "FAIL"}


@mock_aws
def test_denied_listing_is_error_not_fail():
    access = _access()
    client = access.client("config", "eu-west-1", load_collectors()["config"].operations)
    with Stubber(client) as stub:
        stub.add_client_error("describe_configuration_recorders", "AccessDeniedException", "no", 400)
        stub.add_client_error("describe_delivery_channels", "AccessDeniedException", "no", 400)
        s = collect(access, ["eu-west-1"], services=["config"], quiet=True)
    assert set(s.gaps["table"]) == {"config_recorders", "config_delivery_channels"}
    for check in ("config_recorder_enabled", "config_delivery_channel_configured"):
        assert _verdicts(s, check) == {f"{ACCOUNT}/eu-west-1": "ERROR"}
