"""Demo API Gateway (us-east-1).

REST APIs:
- `northwind-orders-api`, stage `prod`: execution logging INFO, access logs, X-Ray tracing, the
  `northwind-web-acl` web ACL (demo/wafv2.py), a client certificate for its backend and an
  encrypted cache. Stage `sandbox`: logging OFF, no access logs, no tracing, no WAF, no client
  certificate, and a cache that keeps responses unencrypted.
- Custom domains: `api.northwind-analytics.example` on SecurityPolicy_TLS13_1_3_2025_09;
  `legacy-api.northwind-analytics.example` still on TLS_1_0.
HTTP and WebSocket APIs:
- `northwind-mobile` (HTTP): access-logged `$default` stage; `GET /orders` needs IAM auth,
  `GET /status` none; a private integration with TLS to the internal ALB, one without.
- `northwind-live` (WebSocket): stage `prod` logs errors, stage `dev` logs nothing and neither
  has access logs; `$connect` requires IAM auth.

moto 5.2.5 has no client certificates (GenerateClientCertificate) and drops a stage's
clientCertificateId: FAKES answers GetStages of REST APIs with moto's own answer plus the client
certificate of the stages listed in CLIENT_CERTIFICATES, as AWS returns it.
"""

from __future__ import annotations

import json

from . import DEMO_ACCOUNT_ID, DemoAws
from .server import FakeRequest, FakeResponse

ORDER = 80  # after the web ACL (demo/wafv2.py) that protects the prod stage
REGION = "us-east-1"
ORDERS_API = "northwind-orders-api"
# (REST API name, stage) -> the client certificate id its backend checks.
CLIENT_CERTIFICATES = {(ORDERS_API, "prod"): "nwcert2026a"}
LOGS = f"arn:aws:logs:{REGION}:{DEMO_ACCOUNT_ID}:log-group"
INTERNAL_LISTENER = (f"arn:aws:elasticloadbalancing:{REGION}:{DEMO_ACCOUNT_ID}:"
                     "listener/app/northwind-internal-api/50dc6c495c0c9188/0467ef3c8400ae65")


def seed(aws: DemoAws) -> None:
    _rest_api(aws)
    _domains(aws.client("apigateway", REGION))
    v2 = aws.client("apigatewayv2", REGION)
    _http_api(v2)
    _websocket_api(v2)


def _rest_api(aws: DemoAws) -> None:
    api = aws.client("apigateway", REGION)
    api_id = api.create_rest_api(name=ORDERS_API, description="Orders for partners and the web shop",
                                 endpointConfiguration={"types": ["REGIONAL"]})["id"]
    root = api.get_resources(restApiId=api_id)["items"][0]["id"]
    api.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="AWS_IAM")
    api.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="HTTP_PROXY",
                        integrationHttpMethod="GET", uri="https://orders.internal.northwind-analytics.example/")
    for stage in ("prod", "sandbox"):
        api.create_deployment(restApiId=api_id, stageName=stage)

    def patch(stage: str, **ops: str) -> None:
        api.update_stage(restApiId=api_id, stageName=stage, patchOperations=[
            {"op": "replace", "path": path, "value": value} for path, value in ops.items()])

    patch("prod", **{"/*/*/logging/loglevel": "INFO", "/tracingEnabled": "true", "/cacheClusterEnabled": "true",
                     "/*/*/caching/enabled": "true", "/*/*/caching/dataEncrypted": "true",
                     "/accessLogSettings/destinationArn": f"{LOGS}:/northwind/apigateway/orders-access",
                     "/accessLogSettings/format": "$context.requestId $context.identity.sourceIp $context.status"})
    patch("sandbox", **{"/cacheClusterEnabled": "true", "/*/*/caching/enabled": "true",
                        "/*/*/caching/dataEncrypted": "false"})
    waf = aws.client("wafv2", REGION)
    acl = next(a for a in waf.list_web_acls(Scope="REGIONAL")["WebACLs"] if a["Name"] == "northwind-web-acl")
    waf.associate_web_acl(WebACLArn=acl["ARN"],
                          ResourceArn=f"arn:aws:apigateway:{REGION}::/restapis/{api_id}/stages/prod")


def _domains(api) -> None:
    cert = f"arn:aws:acm:{REGION}:{DEMO_ACCOUNT_ID}:certificate/8f5e2c1a-northwind-api"
    for name, policy in (("api.northwind-analytics.example", "SecurityPolicy_TLS13_1_3_2025_09"),
                         ("legacy-api.northwind-analytics.example", "TLS_1_0")):
        api.create_domain_name(domainName=name, regionalCertificateArn=cert, securityPolicy=policy,
                               endpointConfiguration={"types": ["REGIONAL"]})


def _http_api(v2) -> None:
    api_id = v2.create_api(Name="northwind-mobile", ProtocolType="HTTP")["ApiId"]
    v2.create_route(ApiId=api_id, RouteKey="GET /orders", AuthorizationType="AWS_IAM")
    v2.create_route(ApiId=api_id, RouteKey="GET /status")
    v2.create_stage(ApiId=api_id, StageName="$default", AutoDeploy=True, AccessLogSettings={
        "DestinationArn": f"{LOGS}:/northwind/apigateway/mobile-access", "Format": "$context.requestId"})
    private = {"IntegrationType": "HTTP_PROXY", "IntegrationMethod": "ANY", "ConnectionType": "VPC_LINK",
               "ConnectionId": "nwlink1", "IntegrationUri": INTERNAL_LISTENER, "PayloadFormatVersion": "1.0"}
    v2.create_integration(ApiId=api_id, Description="orders service", **private,
                          TlsConfig={"ServerNameToVerify": "orders.internal.northwind-analytics.example"})
    v2.create_integration(ApiId=api_id, Description="status page", **private)


def _websocket_api(v2) -> None:
    api_id = v2.create_api(Name="northwind-live", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
    v2.create_route(ApiId=api_id, RouteKey="$connect", AuthorizationType="AWS_IAM")
    v2.create_route(ApiId=api_id, RouteKey="$default")
    v2.create_stage(ApiId=api_id, StageName="prod", DefaultRouteSettings={"LoggingLevel": "ERROR"})
    v2.create_stage(ApiId=api_id, StageName="dev")


def _stages_with_client_certificates(req: FakeRequest) -> FakeResponse | None:
    """moto's GetStages answer for a REST API, plus the client certificates of the story."""
    if not req.path.startswith("/restapis/"):
        return None  # apigatewayv2's GetStages: moto answers it
    from moto.apigateway.models import apigateway_backends

    status, _, body = req.forward()
    if not status.startswith("200"):
        return None
    api = apigateway_backends[DEMO_ACCOUNT_ID][req.region].apis.get(req.params.get("restapi_id", ""))
    answer = json.loads(body)
    for stage in answer.get("item", []):
        cert = CLIENT_CERTIFICATES.get((getattr(api, "name", None), stage.get("stageName")))
        if cert:
            stage["clientCertificateId"] = cert
    return FakeResponse(answer, content_type="application/json")


FAKES = {("apigateway", "GetStages"): _stages_with_client_certificates}
