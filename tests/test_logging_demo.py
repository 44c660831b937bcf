"""The demo account's logging, monitoring and threat-detection story, as the real `srm demo` sees it."""

from __future__ import annotations

import pytest

from conftest import verdicts_of

pytestmark = pytest.mark.e2e

ACCOUNT = "123456789012"
EU, US, AP = (f"{ACCOUNT}/{r}" for r in ("eu-west-1", "us-east-1", "ap-southeast-2"))

EXPECTED = {
    "cloudtrail_trail_multiregion_logging": {ACCOUNT: "PASS"},
    "cloudtrail_trail_log_validation_enabled": {"northwind-audit": "FAIL", "northwind-app-audit": "PASS"},
    "cloudtrail_trail_kms_encrypted": {"northwind-audit": "FAIL", "northwind-app-audit": "PASS"},
    "cloudtrail_trail_cloudwatch_logs_integrated": {"northwind-audit": "PASS", "northwind-app-audit": "FAIL"},
    "cloudtrail_bucket_not_public": {"northwind-cloudtrail-logs": "PASS", "northwind-app-audit-logs": "PASS"},
    "cloudtrail_bucket_access_logging_enabled": {"northwind-app-audit-logs": "FAIL"},
    "cloudtrail_s3_object_write_logging": {ACCOUNT: "PASS"},
    "cloudtrail_s3_object_read_logging": {ACCOUNT: "FAIL"},
    "config_recorder_enabled": {US: "PASS", EU: "FAIL", AP: "FAIL"},
    "config_recorder_global_resources": {ACCOUNT: "PASS"},
    "config_delivery_channel_configured": {US: "PASS", EU: "FAIL", AP: "FAIL"},
    "guardduty_detector_enabled": {"us-east-1": "PASS", "eu-west-1": "FAIL", "ap-southeast-2": "FAIL"},
    "securityhub_hub_enabled": {US: "PASS", EU: "FAIL", AP: "FAIL"},
    "securityhub_standard_fsbp_enabled": {US: "PASS", EU: "FAIL", AP: "FAIL"},
    "securityhub_standard_cis_enabled": {US: "FAIL", EU: "FAIL", AP: "FAIL"},
    # the monitoring chain in eu-west-1: complete for three controls, broken at each link elsewhere
    "cloudwatch_alarm_root_account_usage": {ACCOUNT: "PASS"},
    "cloudwatch_alarm_unauthorized_api_calls": {ACCOUNT: "PASS"},
    "cloudwatch_alarm_cloudtrail_config_changes": {ACCOUNT: "PASS"},
    "cloudwatch_alarm_console_signin_without_mfa": {ACCOUNT: "FAIL"},  # filter counts every sign-in
    "cloudwatch_alarm_iam_policy_changes": {ACCOUNT: "FAIL"},  # filter without alarm
    "cloudwatch_alarm_security_group_changes": {ACCOUNT: "FAIL"},  # topic without subscriber
    "cloudwatch_alarm_vpc_changes": {ACCOUNT: "FAIL"},  # no filter
}


@pytest.mark.parametrize("check_id", sorted(EXPECTED))
def test_demo_verdicts(demo_findings, check_id):
    got = verdicts_of(demo_findings, check_id)
    expected = EXPECTED[check_id]
    assert {k: got.get(k) for k in expected} == expected


def test_broken_links_are_named(demo_findings):
    detail = dict(zip(demo_findings["check_id"], demo_findings["detail"]))
    assert "no alarm watches" in detail["cloudwatch_alarm_iam_policy_changes"]
    assert "northwind-ops-pager" in detail["cloudwatch_alarm_security_group_changes"]
    assert "No metric filter" in detail["cloudwatch_alarm_console_signin_without_mfa"]


def test_monitoring_findings_sit_in_the_log_group_region(demo_findings):
    f = demo_findings[demo_findings["check_id"].str.startswith("cloudwatch_alarm_")]
    assert len(f) == 15 and set(f["region"]) == {"eu-west-1"}
