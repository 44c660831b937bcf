"""API Gateway: REST APIs (v1) with their stages and custom domain names; HTTP and WebSocket APIs
(v2) with their stages, routes and integrations.

Stages, routes and integrations have no account-wide list form: each is read per API, a few APIs
at a time (`ctx.map`). A per-API read that fails is a gap for that API's id, which is how the
checks name the API's stages, routes and integrations ("<api id>/<stage>").

IAM authorizes both APIs by HTTP method on resource paths (apigateway:GET), not by operation
name: `collect.actions` maps every declared operation to it.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

API_WORKERS = 4
# A stage's execution logging when no method setting says otherwise.
LOGGING_OFF = "OFF"

REST_TABLES = ("apigateway_rest_apis", "apigateway_stages")


@collector(
    "apigateway",
    service="apigateway",
    scope=REGIONAL,
    operations=("GetRestApis", "GetStages", "GetDomainNames"),
    tables={
        "apigateway_rest_apis": ("region", "api_id", "name", "arn", "endpoint_types_json"),
        "apigateway_stages": ("region", "api_id", "api_name", "stage_name", "arn", "logging_level",
                              "method_settings_json", "access_log_destination", "tracing_enabled",
                              "web_acl_arn", "client_certificate_id", "cache_cluster_enabled"),
        "apigateway_domain_names": ("region", "domain_name", "arn", "security_policy",
                                    "endpoint_types_json", "certificate_arn"),
    },
)
def collect_rest_apis(ctx: Ctx) -> None:
    """REST APIs, each API's stages (logging, tracing, WAF, client certificate, cache), and the
    region's custom domain names with their TLS security policy."""
    apis = ctx.paginate("GetRestApis", "items", table=REST_TABLES, limit=500)
    ctx.add("apigateway_rest_apis", [{
        "api_id": a["id"],
        "name": a.get("name"),
        "arn": _arn(ctx, f"/restapis/{a['id']}"),
        "endpoint_types_json": to_json((a.get("endpointConfiguration") or {}).get("types", [])),
    } for a in apis or []])
    ctx.map(lambda api: _rest_stages(ctx, api), apis or [], workers=API_WORKERS)

    domains = ctx.paginate("GetDomainNames", "items", table="apigateway_domain_names", limit=500)
    ctx.add("apigateway_domain_names", [{
        "domain_name": d["domainName"],
        "arn": _arn(ctx, f"/domainnames/{d['domainName']}"),
        "security_policy": d.get("securityPolicy"),
        "endpoint_types_json": to_json((d.get("endpointConfiguration") or {}).get("types", [])),
        "certificate_arn": d.get("certificateArn") or d.get("regionalCertificateArn"),
    } for d in domains or []])


def _rest_stages(ctx: Ctx, api: dict) -> None:
    api_id = api["id"]
    got = ctx.call("GetStages", table="apigateway_stages", resource_id=api_id, restApiId=api_id)
    if got is None:
        return
    rows = []
    for st in got.get("item", []):
        settings = st.get("methodSettings") or {}
        rows.append({
            "api_id": api_id,
            "api_name": api.get("name"),
            "stage_name": st["stageName"],
            "arn": _arn(ctx, f"/restapis/{api_id}/stages/{st['stageName']}"),
            # "*/*" holds the stage-wide settings; other keys override one resource/method.
            "logging_level": (settings.get("*/*") or {}).get("loggingLevel") or LOGGING_OFF,
            "method_settings_json": to_json(settings),
            "access_log_destination": (st.get("accessLogSettings") or {}).get("destinationArn"),
            "tracing_enabled": bool(st.get("tracingEnabled", False)),
            "web_acl_arn": st.get("webAclArn"),
            "client_certificate_id": st.get("clientCertificateId"),
            "cache_cluster_enabled": bool(st.get("cacheClusterEnabled", False)),
        })
    ctx.add("apigateway_stages", rows)


V2_TABLES = ("apigatewayv2_apis", "apigatewayv2_stages", "apigatewayv2_routes", "apigatewayv2_integrations")


@collector(
    "apigatewayv2",
    service="apigatewayv2",
    scope=REGIONAL,
    operations=("GetApis", "GetStages", "GetRoutes", "GetIntegrations"),
    tables={
        "apigatewayv2_apis": ("region", "api_id", "name", "arn", "protocol_type", "api_endpoint"),
        "apigatewayv2_stages": ("region", "api_id", "api_name", "protocol_type", "stage_name", "arn",
                                "access_log_destination", "default_logging_level", "route_settings_json"),
        "apigatewayv2_routes": ("region", "api_id", "api_name", "protocol_type", "route_id", "route_key",
                                "arn", "authorization_type", "authorizer_id"),
        "apigatewayv2_integrations": ("region", "api_id", "api_name", "integration_id", "arn",
                                      "integration_type", "connection_type", "integration_uri",
                                      "tls_config_json"),
    },
)
def collect_v2_apis(ctx: Ctx) -> None:
    """HTTP and WebSocket APIs, and per API its stages (access and execution logging), routes
    (authorization type) and integrations (TLS on private integrations)."""
    apis = ctx.paginate("GetApis", "Items", table=V2_TABLES)
    ctx.add("apigatewayv2_apis", [{
        "api_id": a["ApiId"],
        "name": a.get("Name"),
        "arn": _arn(ctx, f"/apis/{a['ApiId']}"),
        "protocol_type": a.get("ProtocolType"),
        "api_endpoint": a.get("ApiEndpoint"),
    } for a in apis or []])
    ctx.map(lambda api: _v2_details(ctx, api), apis or [], workers=API_WORKERS)


def _v2_details(ctx: Ctx, api: dict) -> None:
    api_id = api["ApiId"]
    of_api = {"api_id": api_id, "api_name": api.get("Name")}
    protocol = api.get("ProtocolType")

    stages = ctx.paginate("GetStages", "Items", table="apigatewayv2_stages", resource_id=api_id, ApiId=api_id)
    ctx.add("apigatewayv2_stages", [{
        **of_api,
        "protocol_type": protocol,
        "stage_name": st["StageName"],
        "arn": _arn(ctx, f"/apis/{api_id}/stages/{st['StageName']}"),
        "access_log_destination": (st.get("AccessLogSettings") or {}).get("DestinationArn"),
        # Execution logging exists for WebSocket APIs only; HTTP APIs log through access logs.
        "default_logging_level": (st.get("DefaultRouteSettings") or {}).get("LoggingLevel") or LOGGING_OFF,
        "route_settings_json": to_json(st.get("RouteSettings") or {}),
    } for st in stages or []])

    routes = ctx.paginate("GetRoutes", "Items", table="apigatewayv2_routes", resource_id=api_id, ApiId=api_id)
    ctx.add("apigatewayv2_routes", [{
        **of_api,
        "protocol_type": protocol,
        "route_id": r["RouteId"],
        "route_key": r.get("RouteKey"),
        "arn": _arn(ctx, f"/apis/{api_id}/routes/{r['RouteId']}"),
        "authorization_type": r.get("AuthorizationType") or "NONE",
        "authorizer_id": r.get("AuthorizerId"),
    } for r in routes or []])

    integrations = ctx.paginate("GetIntegrations", "Items", table="apigatewayv2_integrations",
                                resource_id=api_id, ApiId=api_id)
    ctx.add("apigatewayv2_integrations", [{
        **of_api,
        "integration_id": i["IntegrationId"],
        "arn": _arn(ctx, f"/apis/{api_id}/integrations/{i['IntegrationId']}"),
        "integration_type": i.get("IntegrationType"),
        "connection_type": i.get("ConnectionType") or "INTERNET",
        "integration_uri": i.get("IntegrationUri"),
        "tls_config_json": to_json(i.get("TlsConfig")),
    } for i in integrations or []])


def _arn(ctx: Ctx, path: str) -> str:
    """API Gateway resources are named by path, with no account in the ARN."""
    return ctx.arn("apigateway", path, account="")
