"""Demo WAF (us-east-1): `northwind-web-acl` (AWS managed common rule set, logging to CloudWatch
Logs) in front of the `northwind-web` ALB (demo/elbv2.py); `northwind-legacy-portal` has none.
`northwind-staging-acl` was created and forgotten: no rules, no logs, protects nothing.

moto 5.2.5 stores associations (AssociateWebACL) but does not implement ListResourcesForWebACL,
which the collector reads: FAKES answers it from moto's own web ACL state, in the real API's
JSON shape.
"""

from __future__ import annotations

from . import DEMO_ACCOUNT_ID, DemoAws
from .server import FakeRequest, FakeResponse

ORDER = 70  # after the load balancers it protects

RESOURCE_TYPE_MARKERS = {  # ListResourcesForWebACL ResourceType -> what its ARNs contain
    "APPLICATION_LOAD_BALANCER": ":loadbalancer/app/",
    "API_GATEWAY": ":apigateway:",
    "APPSYNC": ":appsync:",
    "COGNITO_USER_POOL": ":userpool/",
    "APP_RUNNER_SERVICE": ":apprunner:",
    "VERIFIED_ACCESS_INSTANCE": ":verified-access-instance/",
}


def seed(aws: DemoAws) -> None:
    waf = aws.client("wafv2", "us-east-1")
    elb = aws.client("elbv2", "us-east-1")
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True,
                  "MetricName": "northwind-web-acl"}
    acl = waf.create_web_acl(
        Name="northwind-web-acl", Scope="REGIONAL", DefaultAction={"Allow": {}},
        Description="Public web tier", VisibilityConfig=visibility,
        Rules=[{
            "Name": "aws-common", "Priority": 0, "OverrideAction": {"None": {}},
            "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS",
                                                        "Name": "AWSManagedRulesCommonRuleSet"}},
            "VisibilityConfig": {**visibility, "MetricName": "aws-common"},
        }],
    )["Summary"]
    logs = aws.client("logs", "us-east-1")
    logs.create_log_group(logGroupName="aws-waf-logs-northwind-web")
    waf.put_logging_configuration(LoggingConfiguration={
        "ResourceArn": acl["ARN"],
        "LogDestinationConfigs": [f"arn:aws:logs:us-east-1:{DEMO_ACCOUNT_ID}:log-group:aws-waf-logs-northwind-web"]})
    waf.create_web_acl(Name="northwind-staging-acl", Scope="REGIONAL", DefaultAction={"Allow": {}},
                       VisibilityConfig={**visibility, "MetricName": "northwind-staging-acl"}, Rules=[])
    web = elb.describe_load_balancers(Names=["northwind-web"])["LoadBalancers"][0]["LoadBalancerArn"]
    waf.associate_web_acl(WebACLArn=acl["ARN"], ResourceArn=web)


def _resources_for_web_acl(req: FakeRequest) -> FakeResponse:
    from moto.wafv2.models import wafv2_backends

    backend = wafv2_backends[DEMO_ACCOUNT_ID][req.region]
    acl = backend.wacls.get(req.params.get("WebACLArn", ""))
    if acl is None:
        return FakeResponse({"__type": "WAFNonexistentItemException",
                             "Message": "AWS WAF couldn't perform the operation because your resource doesn't exist."},
                            status=400)
    marker = RESOURCE_TYPE_MARKERS.get(req.params.get("ResourceType") or "APPLICATION_LOAD_BALANCER", "")
    return FakeResponse({"ResourceArns": [arn for arn in acl.associated_resources if marker in arn]})


FAKES = {("wafv2", "ListResourcesForWebACL"): _resources_for_web_acl}
