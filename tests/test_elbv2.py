"""ELBv2 collector against moto, and the encryption-in-transit and header checks."""

from __future__ import annotations

import json

import boto3
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.collect.runner import collect
from test_ec2_checks import REGION, run, snapshot


def _seed():
    ec2 = boto3.client("ec2", region_name=REGION)
    elb = boto3.client("elbv2", region_name=REGION)
    acm = boto3.client("acm", region_name=REGION)
    vpc = ec2.describe_vpcs()["Vpcs"][0]["VpcId"]
    subnets = [s["SubnetId"] for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Subnets"]][:2]
    cert = acm.request_certificate(DomainName="app.example.com")["CertificateArn"]
    tg = elb.create_target_group(Name="tg", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
    good = elb.create_load_balancer(Name="good", Subnets=subnets, Scheme="internet-facing")["LoadBalancers"][0]["LoadBalancerArn"]
    elb.create_listener(LoadBalancerArn=good, Protocol="HTTPS", Port=443, SslPolicy="ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                        Certificates=[{"CertificateArn": cert}], DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    elb.create_listener(LoadBalancerArn=good, Protocol="HTTP", Port=80, DefaultActions=[{
        "Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
    elb.modify_load_balancer_attributes(LoadBalancerArn=good, Attributes=[
        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
        {"Key": "deletion_protection.enabled", "Value": "true"}])
    bad = elb.create_load_balancer(Name="bad", Subnets=subnets, Scheme="internet-facing")["LoadBalancers"][0]["LoadBalancerArn"]
    elb.create_listener(LoadBalancerArn=bad, Protocol="HTTP", Port=80, DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    elb.modify_load_balancer_attributes(LoadBalancerArn=bad, Attributes=[
        {"Key": "routing.http.desync_mitigation_mode", "Value": "monitor"}])
    elb.create_listener(LoadBalancerArn=bad, Protocol="HTTPS", Port=443, SslPolicy="ELBSecurityPolicy-2016-08",
                        Certificates=[{"CertificateArn": cert}], DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])


@mock_aws
def test_collected_load_balancers_listeners_and_verdicts():
    _seed()
    s = collect(AwsAccess(session=boto3.Session(region_name=REGION)), [REGION], services=["elbv2"], quiet=True)
    assert s.gaps.empty, s.gaps.to_dict("records")
    lbs = s.table("elbv2_load_balancers").set_index("name")
    assert lbs.loc["good", "scheme"] == "internet-facing" and lbs.loc["good", "type"] == "application"
    listeners = s.table("elbv2_listeners").set_index("listener_id")
    assert listeners.loc["bad:443", "ssl_policy"] == "ELBSecurityPolicy-2016-08"
    assert json.loads(listeners.loc["good:80", "default_actions_json"])[0]["Type"] == "redirect"
    attrs = s.table("elbv2_load_balancer_attributes").set_index("name")
    assert bool(attrs.loc["good", "drop_invalid_header_fields"]) and not bool(attrs.loc["bad", "deletion_protection"])
    assert "ELBSecurityPolicy-2016-08" in set(s.table("elbv2_ssl_policies")["name"])

    assert run(s, "elbv2_listener_https_enforced") == {"good:443": "PASS", "good:80": "PASS",
                                                       "bad:80": "FAIL", "bad:443": "PASS"}
    assert run(s, "elbv2_listener_tls_policy_current") == {"good:443": "PASS", "bad:443": "FAIL"}
    assert run(s, "elbv2_loadbalancer_invalid_headers_dropped") == {"good": "PASS", "bad": "FAIL"}
    assert run(s, "elbv2_loadbalancer_deletion_protection_enabled") == {"good": "PASS", "bad": "FAIL"}
    assert run(s, "elbv2_loadbalancer_access_logs_enabled") == {"good": "FAIL", "bad": "FAIL"}
    assert run(s, "elbv2_loadbalancer_desync_mitigation") == {"good": "PASS", "bad": "FAIL"}


def listener(lid, protocol, policy=None, actions=None, lb_type="application"):
    return {"listener_id": lid, "listener_arn": f"arn:{lid}", "load_balancer_name": lid.split(":")[0],
            "load_balancer_type": lb_type, "protocol": protocol, "ssl_policy": policy,
            "default_actions_json": json.dumps(actions or [{"Type": "forward"}])}


def test_http_listeners_pass_only_with_a_redirect_to_https():
    s = snapshot(elbv2_listeners=[
        listener("a:80", "HTTP", actions=[{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS"}}]),
        listener("b:80", "HTTP", actions=[{"Type": "redirect", "RedirectConfig": {"Protocol": "HTTP", "Port": "8080"}}]),
        listener("c:80", "HTTP", actions=[{"Type": "fixed-response"}]),
        listener("d:443", "HTTPS", policy="ELBSecurityPolicy-TLS13-1-2-2021-06"),
        listener("nlb:1883", "TCP", lb_type="network"),  # not an ALB listener: not judged here
    ])
    assert run(s, "elbv2_listener_https_enforced") == {"a:80": "PASS", "b:80": "FAIL", "c:80": "FAIL", "d:443": "PASS"}


def test_tls_policy_must_be_one_elb17_recommends():
    """ELB.17 is an allow-list: TLS 1.3 or restricted TLS 1.2 policies; the console default
    TLS13-1-2-2021-06, the FS-1-2 and TLS-1-2 families all fail although they refuse TLS 1.0/1.1."""
    s = snapshot(
        elbv2_listeners=[
            listener("restricted:443", "HTTPS", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"),
            listener("tls13:443", "TLS", "ELBSecurityPolicy-TLS13-1-3-PQ-2025-09", lb_type="network"),
            listener("console-default:443", "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06"),
            listener("tls12-2017:443", "HTTPS", "ELBSecurityPolicy-TLS-1-2-2017-01"),
            listener("fs12:443", "HTTPS", "ELBSecurityPolicy-FS-1-2-Res-2020-10"),
            listener("legacy:443", "HTTPS", "ELBSecurityPolicy-TLS-1-1-2017-01"),
            listener("unknown:443", "HTTPS", "SomeFuturePolicy"),
            listener("plain:80", "HTTP"),
        ],
        elbv2_ssl_policies=[
            {"name": "ELBSecurityPolicy-TLS13-1-2-2021-06", "ssl_protocols_json": json.dumps(["TLSv1.3", "TLSv1.2"])},
            {"name": "ELBSecurityPolicy-TLS-1-1-2017-01", "ssl_protocols_json": json.dumps(["TLSv1.2", "TLSv1.1"])},
        ])
    assert run(s, "elbv2_listener_tls_policy_current") == {
        "restricted:443": "PASS", "tls13:443": "PASS", "console-default:443": "FAIL", "tls12-2017:443": "FAIL",
        "fs12:443": "FAIL", "legacy:443": "FAIL", "unknown:443": "FAIL"}


def test_listener_gap_for_one_load_balancer_is_an_error_row():
    s = snapshot(elbv2_listeners=[listener("a:443", "HTTPS", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06")],
                 elbv2_ssl_policies=[], gaps=[{
                     "table": "elbv2_listeners", "region": REGION, "resource_id": "b", "service": "elbv2",
                     "operation": "DescribeListeners", "status": "denied", "error_code": "AccessDenied"}])
    assert run(s, "elbv2_listener_tls_policy_current") == {"a:443": "PASS", "b": "ERROR"}


def test_header_check_applies_to_albs_only():
    s = snapshot(elbv2_load_balancers=[], elbv2_load_balancer_attributes=[
        {"name": "alb", "type": "application", "drop_invalid_header_fields": False, "deletion_protection": False},
        {"name": "nlb", "type": "network", "drop_invalid_header_fields": False, "deletion_protection": True},
    ])
    assert run(s, "elbv2_loadbalancer_invalid_headers_dropped") == {"alb": "FAIL"}
    assert run(s, "elbv2_loadbalancer_deletion_protection_enabled") == {"alb": "FAIL", "nlb": "PASS"}


def test_desync_mitigation_defensive_or_strictest_on_albs():
    """ELB.12: monitor fails; an attribute list without the mode is at AWS's default, defensive;
    a load balancer whose attributes were not read is an error, not a pass."""
    def lb(name, attrs, kind="application"):
        return {"name": name, "type": kind, "attributes_json": None if attrs is None else json.dumps(attrs)}
    mode = "routing.http.desync_mitigation_mode"
    s = snapshot(elbv2_load_balancers=[], elbv2_load_balancer_attributes=[
        lb("defensive", {mode: "defensive"}), lb("strictest", {mode: "strictest"}), lb("monitor", {mode: "monitor"}),
        lb("default", {"deletion_protection.enabled": "true"}), lb("unread", None),
        lb("nlb", {mode: "monitor"}, kind="network")])
    assert run(s, "elbv2_loadbalancer_desync_mitigation") == {
        "defensive": "PASS", "strictest": "PASS", "monitor": "FAIL", "default": "PASS", "unread": "ERROR"}
