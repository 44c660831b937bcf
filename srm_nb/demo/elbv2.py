"""Demo load balancers (us-east-1, in the northwind-prod VPC of demo/vpc.py).

- `northwind-web`: internet-facing ALB; HTTPS on 443 with ELBSecurityPolicy-TLS13-1-2-Res-2021-06,
  HTTP on 80 redirecting to HTTPS; drops invalid headers, deletion protection and access logs
  on; behind the `northwind-web-acl` WAF web ACL (demo/wafv2.py).
- `northwind-legacy-portal`: internet-facing ALB; plain HTTP on 80 forwarding to the targets,
  HTTPS on 443 still on ELBSecurityPolicy-2016-08 (TLS 1.0); desync mitigation lowered to monitor
  (a vendor's odd client once got blocked), other attributes at their defaults; no WAF.
- `northwind-internal-api`: internal ALB, HTTPS on the console's default policy
  ELBSecurityPolicy-TLS13-1-2-2021-06, which FSBP ELB.17 does not list (only TLS 1.3 or the
  restricted TLS 1.2 policies).
- `northwind-telemetry`: internet-facing NLB with a TLS listener on 8883.
HTTPS listeners present the ACM certificates of demo/acm.py (api.* for the current load
balancers, portal-legacy.* for the legacy portal); should that story change, a certificate is
requested here instead (moto checks that a listener's certificate exists).
"""

from __future__ import annotations

from . import DemoAws
from .vpc import find_subnet, find_vpc

ORDER = 60
CURRENT_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
CONSOLE_DEFAULT_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
LEGACY_POLICY = "ELBSecurityPolicy-2016-08"


def seed(aws: DemoAws) -> None:
    ec2 = aws.client("ec2", "us-east-1")
    elb = aws.client("elbv2", "us-east-1")
    acm = aws.client("acm", "us-east-1")
    vpc = find_vpc(ec2, "northwind-prod")
    public = [find_subnet(ec2, "prod-public-a"), find_subnet(ec2, "prod-public-b")]
    private = [find_subnet(ec2, "prod-private-a"), find_subnet(ec2, "prod-private-b")]
    cert = _certificate(acm, "api.northwind-analytics.example")
    legacy_cert = _certificate(acm, "portal-legacy.northwind-analytics.example")
    targets = elb.create_target_group(Name="northwind-web-targets", Protocol="HTTP", Port=8080,
                                      VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
    forward = [{"Type": "forward", "TargetGroupArn": targets}]

    def https(lb: str, policy: str, certificate: str = cert) -> None:
        elb.create_listener(LoadBalancerArn=lb, Protocol="HTTPS", Port=443, SslPolicy=policy,
                            Certificates=[{"CertificateArn": certificate}], DefaultActions=forward)

    web = _alb(elb, "northwind-web", public, "internet-facing")
    https(web, CURRENT_POLICY)
    elb.create_listener(LoadBalancerArn=web, Protocol="HTTP", Port=80, DefaultActions=[{
        "Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}}])
    elb.modify_load_balancer_attributes(LoadBalancerArn=web, Attributes=[
        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
        {"Key": "deletion_protection.enabled", "Value": "true"},
        {"Key": "access_logs.s3.enabled", "Value": "true"},
        {"Key": "access_logs.s3.bucket", "Value": "northwind-alb-logs"},
    ])

    legacy = _alb(elb, "northwind-legacy-portal", public, "internet-facing")
    elb.create_listener(LoadBalancerArn=legacy, Protocol="HTTP", Port=80, DefaultActions=forward)
    https(legacy, LEGACY_POLICY, legacy_cert)
    elb.modify_load_balancer_attributes(LoadBalancerArn=legacy, Attributes=[
        {"Key": "routing.http.desync_mitigation_mode", "Value": "monitor"}])

    internal = _alb(elb, "northwind-internal-api", private, "internal")
    https(internal, CONSOLE_DEFAULT_POLICY)
    elb.modify_load_balancer_attributes(LoadBalancerArn=internal, Attributes=[
        {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"}])

    nlb = elb.create_load_balancer(Name="northwind-telemetry", Subnets=public, Scheme="internet-facing",
                                   Type="network")["LoadBalancers"][0]["LoadBalancerArn"]
    tcp_targets = elb.create_target_group(Name="northwind-telemetry-targets", Protocol="TCP", Port=1883,
                                          VpcId=vpc)["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(LoadBalancerArn=nlb, Protocol="TLS", Port=8883, SslPolicy=CURRENT_POLICY,
                        Certificates=[{"CertificateArn": cert}],
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tcp_targets}])


def _certificate(acm, domain: str) -> str:
    for page in acm.get_paginator("list_certificates").paginate():
        for summary in page["CertificateSummaryList"]:
            if summary.get("DomainName") == domain:
                return summary["CertificateArn"]
    return acm.request_certificate(DomainName=domain, ValidationMethod="DNS")["CertificateArn"]


def _alb(elb, name: str, subnets: list[str], scheme: str) -> str:
    return elb.create_load_balancer(Name=name, Subnets=subnets, Scheme=scheme,
                                    Type="application")["LoadBalancers"][0]["LoadBalancerArn"]
