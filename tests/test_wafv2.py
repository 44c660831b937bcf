"""WAFv2: the collector through Stubber (moto 5.2.5 lacks ListResourcesForWebACL) and the
"internet-facing ALBs have a web ACL" check."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from srm_nb.aws import AwsAccess

from srm_nb.collect import load_collectors
from srm_nb.collect.base import REGISTRY, Ctx, Recorder
from srm_nb.collect.runner import collect
from test_ec2_checks import REGION, run, snapshot

ACL1 = f"arn:aws:wafv2:{REGION}:111122223333:regional/webacl/web/11111111-1111-1111-1111-111111111111"
ACL2 = f"arn:aws:wafv2:{REGION}:111122223333:regional/webacl/api/22222222-2222-2222-2222-222222222222"
ALB = f"arn:aws:elasticloadbalancing:{REGION}:111122223333:loadbalancer/app/web/0123456789abcdef"


def _run_collector(stub_setup):
    load_collectors()
    client = boto3.client("wafv2", region_name=REGION)
    stub = Stubber(client)
    stub_setup(stub)
    recorder = Recorder()
    with stub:
        REGISTRY["wafv2"].func(Ctx(REGISTRY["wafv2"], REGION, client, recorder, "111122223333", "aws", REGION))
    stub.assert_no_pending_responses()
    return recorder


RULE = {"Name": "common", "Priority": 0, "OverrideAction": {"None": {}},
        "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": "AWSManagedRulesCommonRuleSet"}},
        "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "c"}}


def _detail(name, arn, rules):
    return {"Name": name, "Id": arn.rsplit("/", 1)[1], "ARN": arn, "DefaultAction": {"Allow": {}}, "Rules": rules,
            "VisibilityConfig": {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": name}}


def _acl(name, arn):
    return {"Name": name, "Id": arn.rsplit("/", 1)[1], "ARN": arn, "Description": f"{name} tier", "LockToken": "t"}


def test_collector_pages_web_acls_and_reads_associations():
    def setup(stub):
        stub.add_response("list_web_acls", {"WebACLs": [_acl("web", ACL1)], "NextMarker": "m2"},
                          {"Scope": "REGIONAL", "Limit": 100})
        stub.add_response("list_web_acls", {"WebACLs": [_acl("api", ACL2)]},
                          {"Scope": "REGIONAL", "Limit": 100, "NextMarker": "m2"})
        stub.add_response("list_resources_for_web_acl", {"ResourceArns": [ALB]},
                          {"WebACLArn": ACL1, "ResourceType": "APPLICATION_LOAD_BALANCER"})
        stub.add_response("list_resources_for_web_acl", {"ResourceArns": []},
                          {"WebACLArn": ACL2, "ResourceType": "APPLICATION_LOAD_BALANCER"})
        for name, arn, rules in (("web", ACL1, [RULE]), ("api", ACL2, [])):
            stub.add_response("get_web_acl", {"WebACL": _detail(name, arn, rules), "LockToken": "t"},
                              {"Name": name, "Scope": "REGIONAL", "Id": arn.rsplit("/", 1)[1]})
        stub.add_response("list_logging_configurations", {"LoggingConfigurations": [{
            "ResourceArn": ACL1, "LogDestinationConfigs": ["arn:aws:logs:us-east-1:111122223333:log-group:aws-waf-logs-web"]}]},
            {"Scope": "REGIONAL", "Limit": 100})

    recorder = _run_collector(setup)
    assert not recorder.gaps
    assert [r["name"] for r in recorder.rows["wafv2_web_acls"]] == ["web", "api"]
    assert recorder.rows["wafv2_web_acl_resources"] == [
        {"web_acl_name": "web", "web_acl_arn": ACL1, "resource_arn": ALB, "region": REGION}]
    details = {r["name"]: r for r in recorder.rows["wafv2_web_acl_details"]}
    assert (details["web"]["rule_count"], details["web"]["default_action"]) == (1, "Allow")
    assert details["api"]["rule_count"] == 0
    assert [r["web_acl_arn"] for r in recorder.rows["wafv2_logging_configurations"]] == [ACL1]


def test_failed_association_listing_is_a_region_gap():
    def setup(stub):
        stub.add_response("list_web_acls", {"WebACLs": [_acl("web", ACL1)]}, {"Scope": "REGIONAL", "Limit": 100})
        stub.add_client_error("list_resources_for_web_acl", "WAFInternalErrorException", "oops",
                              expected_params={"WebACLArn": ACL1, "ResourceType": "APPLICATION_LOAD_BALANCER"})
        stub.add_client_error("get_web_acl", "AccessDeniedException", "no",
                              expected_params={"Name": "web", "Scope": "REGIONAL", "Id": ACL1.rsplit("/", 1)[1]})
        stub.add_response("list_logging_configurations", {"LoggingConfigurations": []},
                          {"Scope": "REGIONAL", "Limit": 100})

    recorder = _run_collector(setup)
    assert [(g["table"], g["resource_id"], g["error_code"]) for g in recorder.gaps] == [
        ("wafv2_web_acl_resources", "", "WAFInternalErrorException"),
        ("wafv2_web_acl_details", "web", "AccessDeniedException")]


def test_failed_acl_listing_is_a_gap_in_both_tables():
    def setup(stub):
        stub.add_client_error("list_web_acls", "AccessDeniedException", "no",
                              expected_params={"Scope": "REGIONAL", "Limit": 100})
        stub.add_response("list_logging_configurations", {"LoggingConfigurations": []},
                          {"Scope": "REGIONAL", "Limit": 100})

    recorder = _run_collector(setup)
    assert {g["table"] for g in recorder.gaps} == {"wafv2_web_acls", "wafv2_web_acl_resources",
                                                   "wafv2_web_acl_details"}


LBS = [
    {"name": "web", "arn": ALB, "type": "application", "scheme": "internet-facing"},
    {"name": "portal", "arn": ALB.replace("/web/", "/portal/"), "type": "application", "scheme": "internet-facing"},
    {"name": "internal", "arn": ALB.replace("/web/", "/internal/"), "type": "application", "scheme": "internal"},
    {"name": "nlb", "arn": ALB.replace("/app/", "/net/"), "type": "network", "scheme": "internet-facing"},
]


def test_every_alb_needs_a_web_acl_internal_ones_too():
    """ELB.16 judges every Application Load Balancer; network load balancers are out of scope."""
    s = snapshot(elbv2_load_balancers=LBS, wafv2_web_acls=[{"name": "web", "arn": ACL1}],
                 wafv2_web_acl_resources=[{"web_acl_name": "web", "web_acl_arn": ACL1, "resource_arn": ALB}])
    assert run(s, "elbv2_loadbalancer_waf_attached") == {"web": "PASS", "portal": "FAIL", "internal": "FAIL"}


def test_waf_association_gap_turns_the_region_into_errors():
    s = snapshot(elbv2_load_balancers=LBS, wafv2_web_acls=[{"name": "web", "arn": ACL1}],
                 wafv2_web_acl_resources=[], gaps=[{
                     "table": "wafv2_web_acl_resources", "region": REGION, "service": "wafv2",
                     "operation": "ListResourcesForWebACL", "status": "error", "error_code": "WAFInternalErrorException"}])
    assert run(s, "elbv2_loadbalancer_waf_attached") == {"web": "ERROR", "portal": "ERROR", "internal": "ERROR"}


def test_no_albs_is_not_applicable():
    s = snapshot(elbv2_load_balancers=LBS[3:], wafv2_web_acls=[], wafv2_web_acl_resources=[])
    assert set(run(s, "elbv2_loadbalancer_waf_attached").values()) == {"NOT_APPLICABLE"}


def test_web_acls_need_rules_and_logging():
    s = snapshot(
        wafv2_web_acls=[{"name": "web", "arn": ACL1}, {"name": "api", "arn": ACL2}],
        wafv2_web_acl_details=[{"name": "web", "arn": ACL1, "default_action": "Allow", "rule_count": 3},
                               {"name": "api", "arn": ACL2, "default_action": "Allow", "rule_count": 0}],
        wafv2_logging_configurations=[{"web_acl_arn": ACL1, "destinations_json": "[]"}])
    assert run(s, "wafv2_webacl_rules_present") == {"web": "PASS", "api": "FAIL"}
    assert run(s, "wafv2_webacl_logging_enabled") == {"web": "PASS", "api": "FAIL"}


def test_web_acl_detail_gap_is_an_error_for_that_acl():
    s = snapshot(wafv2_web_acls=[{"name": "web", "arn": ACL1}, {"name": "api", "arn": ACL2}],
                 wafv2_web_acl_details=[{"name": "web", "arn": ACL1, "default_action": "Block", "rule_count": 1}],
                 gaps=[{"table": "wafv2_web_acl_details", "region": REGION, "resource_id": "api", "service": "wafv2",
                        "operation": "GetWebACL", "status": "denied", "error_code": "AccessDeniedException"}])
    assert run(s, "wafv2_webacl_rules_present") == {"web": "PASS", "api": "ERROR"}


def test_collector_against_moto_server_reads_rules_and_logging_and_marks_the_missing_operation(aws_server):
    """moto answers ListWebACLs, GetWebACL and ListLoggingConfigurations in the real shapes; it
    lacks ListResourcesForWebACL, which must become a region gap (so ALB verdicts are ERROR),
    never an empty association list. (Server mode: in decorator mode moto raises a Python error
    for the missing operation instead of answering with an HTTP error.)"""
    session = boto3.Session(region_name=REGION, aws_access_key_id="testing", aws_secret_access_key="testing")
    waf = session.client("wafv2", endpoint_url=aws_server.endpoint)
    vis = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "m"}
    arn = waf.create_web_acl(Name="web", Scope="REGIONAL", DefaultAction={"Block": {}}, VisibilityConfig=vis,
                             Rules=[{**RULE, "VisibilityConfig": vis}])["Summary"]["ARN"]
    waf.create_web_acl(Name="empty", Scope="REGIONAL", DefaultAction={"Allow": {}}, VisibilityConfig=vis)
    session.client("logs", endpoint_url=aws_server.endpoint).create_log_group(logGroupName="aws-waf-logs-web")
    waf.put_logging_configuration(LoggingConfiguration={
        "ResourceArn": arn, "LogDestinationConfigs": [f"arn:aws:logs:{REGION}:123456789012:log-group:aws-waf-logs-web"]})

    s = collect(AwsAccess(session=session, endpoint_url=aws_server.endpoint), [REGION], services=["wafv2"],
                quiet=True)
    details = s.table("wafv2_web_acl_details").set_index("name")
    assert (details.loc["web", "rule_count"], details.loc["web", "default_action"]) == (1, "Block")
    assert details.loc["empty", "rule_count"] == 0
    assert list(s.table("wafv2_logging_configurations")["web_acl_arn"]) == [arn]
    assert set(zip(s.gaps["table"], s.gaps["operation"], s.gaps["resource_id"])) == {
        ("wafv2_web_acl_resources", "ListResourcesForWebACL", "")}
    assert run(s, "wafv2_webacl_rules_present") == {"web": "PASS", "empty": "FAIL"}
    assert run(s, "wafv2_webacl_logging_enabled") == {"web": "PASS", "empty": "FAIL"}
