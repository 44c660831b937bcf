"""CloudTrail: the collector against moto, and every check PASS and FAIL."""

from __future__ import annotations

import json

import boto3
import pandas as pd
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from conftest import make_snapshot
from srm_nb.aws import AwsAccess
from srm_nb.checks import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.checks.trails import logs_management_read_write, logs_s3_object_events, management_gap
from srm_nb.collect import load_collectors
from srm_nb.collect.runner import collect
from srm_nb.snapshot import Snapshot

ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "eu-west-1"]
S3_SERVICES = ["s3_buckets", "s3_account_public_access_block"]


def _access() -> AwsAccess:
    return AwsAccess(session=boto3.Session(region_name="us-east-1"))


def _seed_good_and_bad() -> None:
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="audit-logs")
    s3.create_bucket(Bucket="audit-access-logs")
    s3.put_bucket_acl(Bucket="audit-access-logs", ACL="log-delivery-write")
    s3.put_public_access_block(Bucket="audit-logs", PublicAccessBlockConfiguration={
        "BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
        "RestrictPublicBuckets": True})
    s3.put_bucket_logging(Bucket="audit-logs", BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": "audit-access-logs", "TargetPrefix": "audit/"}})
    s3.create_bucket(Bucket="legacy-logs")
    s3.put_bucket_policy(Bucket="legacy-logs", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::legacy-logs/*"}]}))
    key = boto3.client("kms", region_name="eu-west-1").create_key()["KeyMetadata"]["Arn"]
    boto3.client("logs", region_name="eu-west-1").create_log_group(logGroupName="audit")
    eu = boto3.client("cloudtrail", region_name="eu-west-1")
    eu.create_trail(Name="audit", S3BucketName="audit-logs", IsMultiRegionTrail=True,
                    EnableLogFileValidation=True, KmsKeyId=key,
                    CloudWatchLogsLogGroupArn=f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:audit:*",
                    CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/ct")
    eu.put_event_selectors(TrailName="audit", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True,
         "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}])
    eu.start_logging(Name="audit")
    us = boto3.client("cloudtrail", region_name="us-east-1")
    us.create_trail(Name="legacy", S3BucketName="legacy-logs")
    us.put_event_selectors(TrailName="legacy", EventSelectors=[
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])


def _seed_only_legacy() -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="legacy-logs")
    us = boto3.client("cloudtrail", region_name="us-east-1")
    us.create_trail(Name="legacy", S3BucketName="legacy-logs", IsMultiRegionTrail=True)
    us.put_event_selectors(TrailName="legacy", EventSelectors=[
        {"ReadWriteType": "WriteOnly", "IncludeManagementEvents": True}])
    us.start_logging(Name="legacy")


@pytest.fixture(scope="module")
def good_and_bad():
    with mock_aws():
        _seed_good_and_bad()
        return collect(_access(), REGIONS, services=["cloudtrail", *S3_SERVICES], quiet=True)


@pytest.fixture(scope="module")
def only_legacy():
    with mock_aws():
        _seed_only_legacy()
        return collect(_access(), REGIONS, services=["cloudtrail", *S3_SERVICES], quiet=True)


def _verdicts(s, check_id) -> dict:
    r = run_check(load_catalog()[check_id], s)
    return dict(zip(r["resource_id"], r["status"]))


def test_each_trail_once_from_its_home_region(good_and_bad):
    assert good_and_bad.gaps.empty, good_and_bad.gaps.to_dict("records")
    trails = good_and_bad.table("cloudtrail_trails").set_index("name")
    # the multi-region trail is listed in both regions (shadow) but reported once, by its home
    assert sorted(trails.index) == ["audit", "legacy"]
    assert trails.loc["audit", "region"] == "eu-west-1" and trails.loc["legacy", "region"] == "us-east-1"
    assert trails.loc["audit", "is_logging"] and not trails.loc["legacy", "is_logging"]
    assert trails.loc["audit", "cloudwatch_logs_log_group_arn"].endswith("log-group:audit:*")
    assert trails.loc["audit", "kms_key_id"].startswith("arn:aws:kms:eu-west-1")
    sel = good_and_bad.table("cloudtrail_event_selectors").set_index("trail_name")
    basic = json.loads(sel.loc["audit", "event_selectors_json"])
    assert basic[0]["DataResources"][0]["Type"] == "AWS::S3::Object"


def test_multiregion_logging(good_and_bad, only_legacy):
    assert _verdicts(good_and_bad, "cloudtrail_trail_multiregion_logging") == {ACCOUNT: "PASS"}
    r = run_check(load_catalog()["cloudtrail_trail_multiregion_logging"], only_legacy)
    assert list(r["status"]) == ["FAIL"] and "management events" in r["detail"].iloc[0]


def test_log_validation(good_and_bad):
    assert _verdicts(good_and_bad, "cloudtrail_trail_log_validation_enabled") == {"audit": "PASS", "legacy": "FAIL"}


def test_kms(good_and_bad):
    assert _verdicts(good_and_bad, "cloudtrail_trail_kms_encrypted") == {"audit": "PASS", "legacy": "FAIL"}


def test_cloudwatch_logs(good_and_bad):
    assert _verdicts(good_and_bad, "cloudtrail_trail_cloudwatch_logs_integrated") == {"audit": "PASS", "legacy": "FAIL"}


def test_bucket_access_logging(good_and_bad):
    assert _verdicts(good_and_bad, "cloudtrail_bucket_access_logging_enabled") == {
        "audit-logs": "PASS", "legacy-logs": "FAIL"}


def test_bucket_not_public(good_and_bad):
    assert _verdicts(good_and_bad, "cloudtrail_bucket_not_public") == {"audit-logs": "PASS", "legacy-logs": "FAIL"}


def test_s3_object_logging(good_and_bad, only_legacy):
    for check in ("cloudtrail_s3_object_write_logging", "cloudtrail_s3_object_read_logging"):
        assert _verdicts(good_and_bad, check) == {ACCOUNT: "PASS"}
        assert _verdicts(only_legacy, check) == {ACCOUNT: "FAIL"}


@mock_aws
def test_denied_event_selectors_is_an_error_for_that_trail():
    access = _access()
    col = load_collectors()["cloudtrail"]
    client = access.client("cloudtrail", "us-east-1", col.operations)
    arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/t1"
    with Stubber(client) as stub:
        stub.add_response("describe_trails", {"trailList": [{
            "Name": "t1", "TrailARN": arn, "HomeRegion": "us-east-1", "IsMultiRegionTrail": True,
            "S3BucketName": "b", "LogFileValidationEnabled": True}]})
        stub.add_response("get_trail_status", {"IsLogging": True})
        stub.add_client_error("get_event_selectors", "AccessDeniedException", "no", 400)
        s = collect(access, ["us-east-1"], services=["cloudtrail"], quiet=True)
    assert list(s.gaps["resource_id"]) == ["t1"] and list(s.gaps["status"]) == ["denied"]
    r = run_check(load_catalog()["cloudtrail_trail_multiregion_logging"], s)
    # not a FAIL on the data that could not be read: ERROR for the account and for the trail
    assert dict(zip(r["resource_id"], r["status"])) == {ACCOUNT: "ERROR", "t1": "ERROR"}
    # checks that do not need the selectors still judge the trail
    assert _verdicts(s, "cloudtrail_trail_log_validation_enabled") == {"t1": "PASS"}


# -- hand-built edge cases -------------------------------------------------------------------------

def test_management_selector_forms():
    assert logs_management_read_write([{"ReadWriteType": "All", "IncludeManagementEvents": True}], None)
    assert logs_management_read_write([{}], None)  # AWS defaults: All, management events on
    assert not logs_management_read_write([{"ReadWriteType": "WriteOnly"}], None)
    assert not logs_management_read_write([{"ReadWriteType": "All", "IncludeManagementEvents": False}], None)
    assert not logs_management_read_write([], [])
    mgmt = {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}
    assert logs_management_read_write(None, [mgmt])
    read_only = {"FieldSelectors": [*mgmt["FieldSelectors"], {"Field": "readOnly", "Equals": ["true"]}]}
    assert not logs_management_read_write(None, [read_only])


def _adv(*fields):
    return [{"Name": "s3", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
                                              {"Field": "resources.type", "Equals": ["AWS::S3::Object"]},
                                              *fields]}]


def test_s3_data_selector_forms():
    all_buckets = [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::"]}]
    assert logs_s3_object_events([{"ReadWriteType": "ReadOnly", "DataResources": all_buckets}], None, "read")
    assert not logs_s3_object_events([{"ReadWriteType": "ReadOnly", "DataResources": all_buckets}], None, "write")
    one = [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3:::payroll/"]}]
    assert not logs_s3_object_events([{"ReadWriteType": "All", "DataResources": one}], None, "write")
    assert logs_s3_object_events(None, _adv(), "read") and logs_s3_object_events(None, _adv(), "write")
    write_only = _adv({"Field": "readOnly", "Equals": ["false"]})
    assert logs_s3_object_events(None, write_only, "write") and not logs_s3_object_events(None, write_only, "read")
    not_read = _adv({"Field": "readOnly", "NotEquals": ["true"]})
    assert logs_s3_object_events(None, not_read, "write") and not logs_s3_object_events(None, not_read, "read")
    some = _adv({"Field": "resources.ARN", "StartsWith": ["arn:aws:s3:::payroll/"]})
    assert not logs_s3_object_events(None, some, "write")
    every = _adv({"Field": "resources.ARN", "StartsWith": ["arn:aws:s3"]})
    assert logs_s3_object_events(None, every, "write")
    only_puts = _adv({"Field": "eventName", "Equals": ["PutObject"]})
    assert not logs_s3_object_events(None, only_puts, "write")
    gov = [{"ReadWriteType": "All", "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws-us-gov:s3"]}]}]
    assert logs_s3_object_events(gov, None, "write", "aws-us-gov")


def _bucket_snap(trail_bucket: str, *, acl_grants=None, account_restrict=False) -> Snapshot:
    def table(**cols):
        return pd.DataFrame([cols])
    tables = {
        "cloudtrail_trails": table(region="us-east-1", name="t", arn="arn:t", s3_bucket_name=trail_bucket),
        "s3_buckets": table(region="us-east-1", name="logs", arn="arn:aws:s3:::logs", creation_date=None),
        "s3_bucket_logging": table(region="us-east-1", name="logs", target_bucket=None, target_prefix=None),
        "s3_bucket_policies": table(region="us-east-1", name="logs", policy_json=None).iloc[0:0],
        "s3_bucket_policy_status": table(region="us-east-1", name="logs", is_public=False).iloc[0:0],
        "s3_bucket_acls": table(region="us-east-1", name="logs", owner_id="o",
                                grants_json=json.dumps(acl_grants or [])),
        "s3_bucket_public_access_block": table(region="us-east-1", name="logs", block_public_acls=False,
                                               ignore_public_acls=False, block_public_policy=False,
                                               restrict_public_buckets=False).iloc[0:0],
        "s3_account_public_access_block": table(region="global", account_id=ACCOUNT, configured=True,
                                                block_public_acls=account_restrict,
                                                ignore_public_acls=account_restrict,
                                                block_public_policy=account_restrict,
                                                restrict_public_buckets=account_restrict),
    }
    return make_snapshot(tables)


ALL_USERS_READ = [{"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                   "Permission": "READ"}]


def test_public_acl_fails_unless_ignored_account_wide():
    assert _verdicts(_bucket_snap("logs", acl_grants=ALL_USERS_READ), "cloudtrail_bucket_not_public") == {"logs": "FAIL"}
    assert _verdicts(_bucket_snap("logs", acl_grants=ALL_USERS_READ, account_restrict=True),
                     "cloudtrail_bucket_not_public") == {"logs": "PASS"}


def test_bucket_of_another_account_is_error_not_pass():
    for check in ("cloudtrail_bucket_not_public", "cloudtrail_bucket_access_logging_enabled"):
        r = run_check(load_catalog()[check], _bucket_snap("central-org-logs"))
        assert list(r["status"]) == ["ERROR"] and "another account" in r["detail"].iloc[0]


@mock_aws
def test_denied_trail_status_is_an_error_not_a_fail():
    access = _access()
    client = access.client("cloudtrail", "us-east-1", load_collectors()["cloudtrail"].operations)
    arn = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/t1"
    with Stubber(client) as stub:
        stub.add_response("describe_trails", {"trailList": [{
            "Name": "t1", "TrailARN": arn, "HomeRegion": "us-east-1", "IsMultiRegionTrail": True}]})
        stub.add_client_error("get_trail_status", "AccessDeniedException", "no", 400)
        stub.add_response("get_event_selectors", {"TrailARN": arn, "EventSelectors": [
            {"ReadWriteType": "All", "IncludeManagementEvents": True}]})
        s = collect(access, ["us-east-1"], services=["cloudtrail"], quiet=True)
    r = run_check(load_catalog()["cloudtrail_trail_multiregion_logging"], s)
    assert dict(zip(r["resource_id"], r["status"])) == {ACCOUNT: "ERROR", "t1": "ERROR"}
    assert "logging status" in r.set_index("resource_id").loc[ACCOUNT, "detail"]


# -- management events every source, CloudWatch integration, trails seen away from home ------------

def test_excluded_management_event_sources_are_not_all_management_events():
    """CloudTrail.1 checks that ExcludeManagementEventSources is empty: a trail that leaves KMS or
    RDS Data API events out does not record all management events, nor does an advanced selector
    narrowed by eventSource."""
    no_kms = [{"ReadWriteType": "All", "IncludeManagementEvents": True, "ExcludeManagementEventSources": ["kms.amazonaws.com"]}]
    assert not logs_management_read_write(no_kms, None)
    assert management_gap(no_kms, None) == "excludes events of kms.amazonaws.com"
    assert logs_management_read_write([{"ReadWriteType": "All", "ExcludeManagementEventSources": []}], None)
    narrowed = {"FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
                                   {"Field": "eventSource", "NotEquals": ["rdsdata.amazonaws.com"]}]}
    assert not logs_management_read_write(None, [narrowed])
    assert "eventSource" in management_gap(None, [narrowed])


def _trail_snap(selectors, **trail) -> Snapshot:
    row = {"region": "eu-west-1", "name": "audit", "arn": "arn:aws:cloudtrail:eu-west-1:1:trail/audit",
           "is_multi_region": True, "is_logging": True, **trail}
    return make_snapshot({"cloudtrail_trails": pd.DataFrame([row]),
                          "cloudtrail_event_selectors": pd.DataFrame([{
                              "region": "eu-west-1", "trail_name": "audit", "trail_arn": row["arn"],
                              "event_selectors_json": json.dumps(selectors), "advanced_event_selectors_json": None}])})


def test_multiregion_trail_dropping_kms_events_fails_and_says_why():
    s = _trail_snap([{"ReadWriteType": "All", "IncludeManagementEvents": True,
                      "ExcludeManagementEventSources": ["kms.amazonaws.com"]}])
    r = run_check(load_catalog()["cloudtrail_trail_multiregion_logging"], s)
    assert list(r["status"]) == ["FAIL"] and "excludes events of kms.amazonaws.com" in r["detail"].iloc[0]


def test_cloudwatch_integration_needs_only_the_log_group():
    """CloudTrail.5 fails only when CloudWatchLogsLogGroupArn is empty: a stopped trail that still
    names its log group passes it (the stop is CloudTrail.1's finding)."""
    s = make_snapshot({"cloudtrail_trails": pd.DataFrame([
        {"region": "us-east-1", "name": "stopped", "arn": "a1", "is_logging": False,
         "cloudwatch_logs_log_group_arn": f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:g:*"},
        {"region": "us-east-1", "name": "none", "arn": "a2", "is_logging": True, "cloudwatch_logs_log_group_arn": None}])})
    assert _verdicts(s, "cloudtrail_trail_cloudwatch_logs_integrated") == {"stopped": "PASS", "none": "FAIL"}


def test_a_multi_region_trail_is_seen_from_a_region_other_than_its_home(aws_server):
    """A run limited to us-east-1 finds the multi-region trail homed in eu-west-1: reported once,
    by the first assessed region, its status and selectors read by ARN (the demo's fake answers
    the shadow trail's selectors, and AWS's default selector for a trail created without any)."""
    from srm_nb.demo import cloudtrail as demo_trail

    aws_server.fakes.handlers.update(demo_trail.FAKES)

    def client(service, region):
        return boto3.client(service, region_name=region, endpoint_url=aws_server.endpoint)

    client("s3", "us-east-1").create_bucket(Bucket="org-audit-logs")
    eu = client("cloudtrail", "eu-west-1")
    eu.create_trail(Name="org-audit", S3BucketName="org-audit-logs", IsMultiRegionTrail=True)
    eu.start_logging(Name="org-audit")  # created without event selectors: AWS's default applies
    access = AwsAccess(session=boto3.Session(region_name="us-east-1"), endpoint_url=aws_server.endpoint)
    s = collect(access, ["us-east-1", "ap-southeast-2"], services=["cloudtrail"], quiet=True)
    trails = s.table("cloudtrail_trails")
    assert list(trails["name"]) == ["org-audit"] and list(trails["region"]) == ["ap-southeast-2"]
    assert trails["home_region"].iloc[0] == "eu-west-1"
    assert json.loads(s.table("cloudtrail_event_selectors")["event_selectors_json"].iloc[0]) == \
        demo_trail.DEFAULT_SELECTORS
    assert _verdicts(s, "cloudtrail_trail_multiregion_logging") == {ACCOUNT: "PASS"}
