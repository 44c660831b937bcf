"""CIS monitoring checks: trail -> log group -> metric filter -> alarm -> SNS topic -> subscriber.

The common cases are seeded into moto and collected by the real collectors; the edge cases
(pending subscriptions, metric-math alarms, disabled actions, other accounts, gaps) use hand-built
tables.
"""

from __future__ import annotations

import json

import boto3
import pandas as pd
import pytest
import yaml
from moto import mock_aws

from conftest import make_snapshot
from srm_nb.aws import AwsAccess
from srm_nb.checks import load_catalog, monitoring
from srm_nb.checks.monitoring import MONITORS
from srm_nb.checks.runner import run_check
from srm_nb.collect.runner import collect
from srm_nb.snapshot import Snapshot

ACCOUNT = "123456789012"
REGION = "eu-west-1"
GROUP = "org-trail"
GROUP_ARN = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{GROUP}:*"
TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:security-alerts"
SERVICES = ["cloudtrail", "logs_metric_filters", "cloudwatch_alarms", "sns_subscriptions"]
YAML = yaml.safe_load(open(monitoring.__file__.replace(".py", ".yaml")))


def _pattern(key: str) -> str:
    return YAML[f"cloudwatch_alarm_{key}"]["remediation"]["cli"].split("--filter-pattern '")[1].split("' &&")[0]


def _seed(subscribe: bool) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="org-trail-logs")
    boto3.client("logs", region_name=REGION).create_log_group(logGroupName=GROUP)
    ct = boto3.client("cloudtrail", region_name=REGION)
    ct.create_trail(Name="org-trail", S3BucketName="org-trail-logs", IsMultiRegionTrail=True,
                    CloudWatchLogsLogGroupArn=GROUP_ARN,
                    CloudWatchLogsRoleArn=f"arn:aws:iam::{ACCOUNT}:role/ct-logs")
    ct.put_event_selectors(TrailName="org-trail", EventSelectors=[
        {"ReadWriteType": "All", "IncludeManagementEvents": True}])
    ct.start_logging(Name="org-trail")
    sns = boto3.client("sns", region_name=REGION)
    topic = sns.create_topic(Name="security-alerts")["TopicArn"]
    if subscribe:
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="secops@example.com")
    logs = boto3.client("logs", region_name=REGION)
    cw = boto3.client("cloudwatch", region_name=REGION)
    for key in MONITORS:
        logs.put_metric_filter(logGroupName=GROUP, filterName=key, filterPattern=_pattern(key),
                               metricTransformations=[{"metricName": key, "metricNamespace": "CIS",
                                                       "metricValue": "1"}])
        cw.put_metric_alarm(AlarmName=f"cis-{key}", MetricName=key, Namespace="CIS", Statistic="Sum",
                            Period=300, EvaluationPeriods=1, Threshold=1,
                            ComparisonOperator="GreaterThanOrEqualToThreshold", AlarmActions=[topic])


def _collected(subscribe: bool) -> Snapshot:
    with mock_aws():
        _seed(subscribe)
        access = AwsAccess(session=boto3.Session(region_name="us-east-1"))
        return collect(access, ["us-east-1", REGION], services=SERVICES, quiet=True)


@pytest.fixture(scope="module")
def subscribed():
    return _collected(subscribe=True)


@pytest.fixture(scope="module")
def unsubscribed():
    return _collected(subscribe=False)


def _run(s: Snapshot, key: str) -> pd.DataFrame:
    return run_check(load_catalog()[f"cloudwatch_alarm_{key}"], s)


def test_collected_tables(subscribed):
    assert subscribed.gaps.empty, subscribed.gaps.to_dict("records")
    filters = subscribed.table("logs_metric_filters")
    assert set(filters["filter_name"]) == set(MONITORS)
    assert set(filters["log_group_name"]) == {GROUP} and set(filters["region"]) == {REGION}
    alarms = subscribed.table("cloudwatch_metric_alarms")
    assert json.loads(alarms["alarm_actions_json"].iloc[0]) == [TOPIC]
    assert alarms["actions_enabled"].all()
    subs = subscribed.table("sns_subscriptions")
    assert subs[["topic_arn", "protocol", "confirmed"]].to_dict("records") == [
        {"topic_arn": TOPIC, "protocol": "email", "confirmed": True}]


@pytest.mark.parametrize("key", sorted(MONITORS))
def test_complete_chain_passes(subscribed, key):
    r = _run(subscribed, key)
    assert list(r["status"]) == ["PASS"], r["detail"].tolist()
    assert r["region"].iloc[0] == REGION and r["resource_id"].iloc[0] == ACCOUNT
    assert "security-alerts" in r["detail"].iloc[0]


@pytest.mark.parametrize("key", sorted(MONITORS))
def test_alarm_nobody_receives_fails(unsubscribed, key):
    r = _run(unsubscribed, key)
    assert list(r["status"]) == ["FAIL"]
    assert "no confirmed subscriber" in r["detail"].iloc[0]


# -- hand-built tables for the edge cases --------------------------------------------------------

def _tables(**override) -> dict[str, pd.DataFrame]:
    key = "root_account_usage"
    tables = {
        "cloudtrail_trails": pd.DataFrame([{
            "region": REGION, "name": "org-trail", "arn": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/org-trail",
            "home_region": REGION, "is_multi_region": True, "log_file_validation": True, "kms_key_id": None,
            "s3_bucket_name": "logs", "s3_key_prefix": None, "is_organization_trail": False,
            "include_global_service_events": True, "cloudwatch_logs_log_group_arn": GROUP_ARN,
            "cloudwatch_logs_role_arn": None, "is_logging": True, "latest_delivery_error": None,
            "latest_cloudwatch_logs_delivery_error": None}]),
        "cloudtrail_event_selectors": pd.DataFrame([{
            "region": REGION, "trail_name": "org-trail",
            "trail_arn": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/org-trail",
            "event_selectors_json": json.dumps([{"ReadWriteType": "All", "IncludeManagementEvents": True}]),
            "advanced_event_selectors_json": None}]),
        "logs_metric_filters": pd.DataFrame([{
            "region": REGION, "filter_name": "root", "log_group_name": GROUP, "filter_pattern": _pattern(key),
            "metric_name": "RootUsage", "metric_namespace": "CIS"}]),
        "cloudwatch_metric_alarms": pd.DataFrame([{
            "region": REGION, "alarm_name": "root-alarm", "alarm_arn": "arn:alarm", "metric_name": "RootUsage",
            "namespace": "CIS", "metrics_json": "[]", "statistic": "Sum",
            "comparison_operator": "GreaterThanOrEqualToThreshold", "threshold": 1.0, "actions_enabled": True,
            "alarm_actions_json": json.dumps([TOPIC]), "state_value": "OK"}]),
        "sns_subscriptions": pd.DataFrame([{
            "region": REGION, "topic_arn": TOPIC, "subscription_arn": f"{TOPIC}:0b1c", "protocol": "email",
            "endpoint": "secops@example.com", "owner": ACCOUNT, "confirmed": True}]),
    }
    tables.update(override)
    return tables


def _snap(gaps=None, **override) -> Snapshot:
    return make_snapshot(_tables(**override), gaps=gaps, regions=["us-east-1", REGION])


def _root(s: Snapshot) -> tuple[str, str]:
    r = _run(s, "root_account_usage")
    assert len(r) == 1, r.to_dict("records")
    return r["status"].iloc[0], r["detail"].iloc[0]


def _edit(name: str, **values) -> pd.DataFrame:
    df = _tables()[name].copy()
    for col, value in values.items():
        df[col] = [value] * len(df)
    return df


def test_hand_built_baseline_passes():
    assert _root(_snap())[0] == "PASS"


def test_pending_subscription_is_nobody():
    subs = _edit("sns_subscriptions", subscription_arn="PendingConfirmation", confirmed=False)
    status, detail = _root(_snap(sns_subscriptions=subs))
    assert status == "FAIL" and "no confirmed subscriber" in detail


def test_subscriber_on_another_topic_does_not_count():
    subs = _edit("sns_subscriptions", topic_arn=f"arn:aws:sns:{REGION}:{ACCOUNT}:other")
    assert _root(_snap(sns_subscriptions=subs))[0] == "FAIL"


def test_alarm_with_actions_disabled_fails():
    status, detail = _root(_snap(cloudwatch_metric_alarms=_edit("cloudwatch_metric_alarms", actions_enabled=False)))
    assert status == "FAIL" and "actions disabled" in detail


@pytest.mark.parametrize("table,column", [("cloudwatch_metric_alarms", "actions_enabled"),
                                          ("sns_subscriptions", "confirmed")])
def test_missing_alarm_or_subscription_flag_is_error_not_pass(table, column):
    status, detail = _root(_snap(**{table: _edit(table, **{column: None})}))
    assert status == "ERROR" and "missing from the snapshot" in detail


def test_missing_trail_flag_is_error_not_fail():
    status, detail = _root(_snap(cloudtrail_trails=_edit("cloudtrail_trails", is_multi_region=None)))
    assert status == "ERROR" and "multi-region setting" in detail


def test_alarm_on_another_metric_fails():
    status, detail = _root(_snap(cloudwatch_metric_alarms=_edit("cloudwatch_metric_alarms", metric_name="Other")))
    assert status == "FAIL" and "no alarm watches" in detail


def test_metric_math_alarm_counts():
    alarms = _edit("cloudwatch_metric_alarms", metric_name=None, namespace=None, metrics_json=json.dumps([
        {"Id": "m1", "MetricStat": {"Metric": {"Namespace": "CIS", "MetricName": "RootUsage"},
                                    "Period": 300, "Stat": "Sum"}, "ReturnData": False},
        {"Id": "e1", "Expression": "m1 * 1", "ReturnData": True}]))
    assert _root(_snap(cloudwatch_metric_alarms=alarms))[0] == "PASS"


def test_filter_on_another_log_group_does_not_count():
    filters = _edit("logs_metric_filters", log_group_name="app-logs")
    status, detail = _root(_snap(logs_metric_filters=filters))
    assert status == "FAIL" and "No metric filter" in detail


def test_filter_in_another_region_does_not_count():
    assert _root(_snap(logs_metric_filters=_edit("logs_metric_filters", region="us-east-1")))[0] == "FAIL"


def test_single_region_or_stopped_trail_does_not_count():
    assert _root(_snap(cloudtrail_trails=_edit("cloudtrail_trails", is_multi_region=False)))[0] == "FAIL"
    assert _root(_snap(cloudtrail_trails=_edit("cloudtrail_trails", is_logging=False)))[0] == "FAIL"


def test_trail_without_write_management_events_does_not_count():
    sel = _edit("cloudtrail_event_selectors",
                event_selectors_json=json.dumps([{"ReadWriteType": "ReadOnly", "IncludeManagementEvents": True}]))
    assert _root(_snap(cloudtrail_event_selectors=sel))[0] == "FAIL"


def test_trail_dropping_kms_events_cannot_alarm_on_key_deletion():
    """A trail with ExcludeManagementEventSources [kms.amazonaws.com] never delivers DisableKey or
    ScheduleKeyDeletion to its log group: the CMK alarm fails, however good its filter and alarm."""
    key = "cmk_disable_or_deletion"
    tables = _tables(logs_metric_filters=_edit("logs_metric_filters", filter_pattern=_pattern(key)))
    assert _run(_snap(**tables), key)["status"].iloc[0] == "PASS"
    sel = _edit("cloudtrail_event_selectors", event_selectors_json=json.dumps([{
        "ReadWriteType": "All", "IncludeManagementEvents": True, "ExcludeManagementEventSources": ["kms.amazonaws.com"]}]))
    r = _run(_snap(**{**tables, "cloudtrail_event_selectors": sel}), key)
    assert r["status"].iloc[0] == "FAIL" and "excludes events of kms.amazonaws.com" in r["detail"].iloc[0]


def test_trail_without_log_group_fails():
    status, detail = _root(_snap(cloudtrail_trails=_edit("cloudtrail_trails", cloudwatch_logs_log_group_arn=None)))
    assert status == "FAIL" and "CloudWatch Logs" in detail


def test_log_group_in_another_account_is_named():
    other = GROUP_ARN.replace(ACCOUNT, "999988887777")
    status, detail = _root(_snap(cloudtrail_trails=_edit("cloudtrail_trails", cloudwatch_logs_log_group_arn=other)))
    assert status == "ERROR" and "another account" in detail


def test_log_group_in_an_unassessed_region_is_error():
    s = make_snapshot(_tables(), regions=["us-east-1"])
    status, detail = _root(s)
    assert status == "ERROR" and "unassessed region" in detail


def test_empty_tables_fail_never_pass():
    empty = {name: df.iloc[0:0] for name, df in _tables().items()}
    status, detail = _root(_snap(**empty))
    assert status == "FAIL" and "no multi-region trail" in detail


def test_listing_gap_in_the_chain_region_is_error():
    gaps = pd.DataFrame([{"table": "cloudwatch_metric_alarms", "region": REGION, "resource_id": "",
                          "service": "cloudwatch", "operation": "DescribeAlarms", "status": "denied",
                          "error_code": "AccessDenied", "message": "not allowed"}])
    r = _run(_snap(cloudwatch_metric_alarms=_tables()["cloudwatch_metric_alarms"].iloc[0:0], gaps=gaps),
             "root_account_usage")
    assert set(r["status"]) == {"ERROR"}


def test_uncollected_table_is_error():
    tables = _tables()
    del tables["sns_subscriptions"]
    s = make_snapshot(tables, regions=[REGION])
    r = _run(s, "root_account_usage")
    assert list(r["status"]) == ["ERROR"] and "sns_subscriptions" in r["detail"].iloc[0]


def test_one_complete_chain_is_enough():
    # A second, broken filter next to a complete one does not turn the verdict into FAIL.
    filters = pd.concat([_tables()["logs_metric_filters"], _edit("logs_metric_filters", filter_name="broken",
                                                                   filter_pattern="{ $.x = ")])
    assert _root(_snap(logs_metric_filters=filters))[0] == "PASS"


def test_unreadable_event_selectors_are_error_not_fail():
    gaps = pd.DataFrame([{"table": "cloudtrail_event_selectors", "region": REGION, "resource_id": "org-trail",
                          "service": "cloudtrail", "operation": "GetEventSelectors", "status": "denied",
                          "error_code": "AccessDeniedException", "message": "no"}])
    s = _snap(cloudtrail_event_selectors=_tables()["cloudtrail_event_selectors"].iloc[0:0], gaps=gaps)
    r = _run(s, "root_account_usage")
    assert set(r["status"]) == {"ERROR"}


def test_topic_in_another_account_is_error_not_fail():
    elsewhere = "arn:aws:sns:eu-west-1:999988887777:central-alerts"
    alarms = _edit("cloudwatch_metric_alarms", alarm_actions_json=json.dumps([elsewhere]))
    status, detail = _root(_snap(cloudwatch_metric_alarms=alarms))
    assert status == "ERROR" and "another account" in detail


# -- collectors: pages and AWS shapes moto does not produce ------------------------------------------

@mock_aws
def test_collectors_follow_every_page_and_read_pending_subscriptions():
    from botocore.stub import Stubber

    from srm_nb.collect import load_collectors

    access = AwsAccess(session=boto3.Session(region_name="us-east-1"))
    cols = load_collectors()
    logs = access.client("logs", REGION, cols["logs_metric_filters"].operations)
    sns = access.client("sns", REGION, cols["sns_subscriptions"].operations)
    with Stubber(logs) as logs_stub, Stubber(sns) as sns_stub:
        for i, token in enumerate(("page-2", None)):
            page = {"metricFilters": [{"filterName": f"f{i}", "logGroupName": GROUP, "filterPattern": "{ $.a = 1 }",
                                       "metricTransformations": [{"metricName": f"m{i}", "metricNamespace": "CIS",
                                                                  "metricValue": "1"}]}]}
            if token:
                page["nextToken"] = token
            logs_stub.add_response("describe_metric_filters", page)
        sns_stub.add_response("list_subscriptions", {"NextToken": "t2", "Subscriptions": [{
            "SubscriptionArn": "PendingConfirmation", "Owner": ACCOUNT, "Protocol": "email",
            "Endpoint": "new-hire@example.com", "TopicArn": TOPIC}]})
        sns_stub.add_response("list_subscriptions", {"Subscriptions": [{
            "SubscriptionArn": f"{TOPIC}:5f1e", "Owner": ACCOUNT, "Protocol": "sqs",
            "Endpoint": f"arn:aws:sqs:{REGION}:{ACCOUNT}:alerts", "TopicArn": TOPIC}]})
        s = collect(access, [REGION], services=["logs_metric_filters", "sns_subscriptions"], quiet=True)
    assert list(s.table("logs_metric_filters")["filter_name"]) == ["f0", "f1"]
    subs = s.table("sns_subscriptions").set_index("protocol")
    assert not subs.loc["email", "confirmed"] and subs.loc["sqs", "confirmed"]
    assert len(s.calls[s.calls["operation"] == "ListSubscriptions"]) == 2


@mock_aws
def test_denied_alarm_listing_is_a_region_gap():
    from botocore.stub import Stubber

    from srm_nb.collect import load_collectors

    access = AwsAccess(session=boto3.Session(region_name="us-east-1"))
    cw = access.client("cloudwatch", REGION, load_collectors()["cloudwatch_alarms"].operations)
    with Stubber(cw) as stub:
        stub.add_client_error("describe_alarms", "AccessDenied", "no", 403)
        s = collect(access, [REGION], services=["cloudwatch_alarms"], quiet=True)
    gap = s.gaps.iloc[0]
    assert (gap["table"], gap["region"], gap["resource_id"], gap["status"]) == (
        "cloudwatch_metric_alarms", REGION, "", "denied")
