"""WAFv2: the collector through Stubber (moto 5.2.5 lacks ListResourcesForWebACL) and the
"internet-facing ALBs have a web ACL" check."""

from __future__ import annotations

import boto3
from botocore.stub import Stubber

from srm_nb.collect import load_collectors
from srm_nb.collect.base import REGISTRY, Ctx, Recorder
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

    recorder = _run_collector(setup)
    assert not recorder.gaps
    assert [r["name"] for r in recorder.rows["wafv2_web_acls"]] == ["web", "api"]
    assert recorder.rows["wafv2_web_acl_resources"] == [
        {"web_acl_name": "web", "web_acl_arn": ACL1, "resource_arn": ALB, "region": REGION}]


def test_failed_association_listing_is_a_region_gap():
    def setup(stub):
        stub.add_response("list_web_acls", {"WebACLs": [_acl("web", ACL1)]}, {"Scope": "REGIONAL", "Limit": 100})
        stub.add_client_error("list_resources_for_web_acl", "WAFInternalErrorException", "oops",
                              expected_params={"WebACLArn": ACL1, "ResourceType": "APPLICATION_LOAD_BALANCER"})

    recorder = _run_collector(setup)
    assert [(g["table"], g["resource_id"], g["error_code"]) for g in recorder.gaps] == [
        ("wafv2_web_acl_resources", "", "WAFInternalErrorException")]


def test_failed_acl_listing_is_a_gap_in_both_tables():
    def setup(stub):
        stub.add_client_error("list_web_acls", "AccessDeniedException", "no",
                              expected_params={"Scope": "REGIONAL", "Limit": 100})

    recorder = _run_collector(setup)
    assert {g["table"] for g in recorder.gaps} == {"wafv2_web_acls", "wafv2_web_acl_resources"}


LBS = [
    {"name": "web", "arn": ALB, "type": "application", "scheme": "internet-facing"},
    {"name": "portal", "arn": ALB.replace("/web/", "/portal/"), "type": "application", "scheme": "internet-facing"},
    {"name": "internal", "arn": ALB.replace("/web/", "/internal/"), "type": "application", "scheme": "internal"},
    {"name": "nlb", "arn": ALB.replace("/app/", "/net/"), "type": "network", "scheme": "internet-facing"},
]


def test_internet_facing_albs_need_a_web_acl():
    s = snapshot(elbv2_load_balancers=LBS, wafv2_web_acls=[{"name": "web", "arn": ACL1}],
                 wafv2_web_acl_resources=[{"web_acl_name": "web", "web_acl_arn": ACL1, "resource_arn": ALB}])
    assert run(s, "elbv2_loadbalancer_waf_attached") == {"web": "PASS", "portal": "FAIL"}


def test_waf_association_gap_turns_the_region_into_errors():
    s = snapshot(elbv2_load_balancers=LBS, wafv2_web_acls=[{"name": "web", "arn": ACL1}],
                 wafv2_web_acl_resources=[], gaps=[{
                     "table": "wafv2_web_acl_resources", "region": REGION, "service": "wafv2",
                     "operation": "ListResourcesForWebACL", "status": "error", "error_code": "WAFInternalErrorException"}])
    assert run(s, "elbv2_loadbalancer_waf_attached") == {"web": "ERROR", "portal": "ERROR"}


def test_no_public_albs_is_not_applicable():
    s = snapshot(elbv2_load_balancers=LBS[2:], wafv2_web_acls=[], wafv2_web_acl_resources=[])
    assert set(run(s, "elbv2_loadbalancer_waf_attached").values()) == {"NOT_APPLICABLE"}
