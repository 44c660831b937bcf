"""API Gateway: logging, WAF, backend authentication, tracing and cache encryption of REST API
stages; access and execution logging of HTTP and WebSocket stages; authorization on routes; TLS on
private integrations and custom domain names.

Stages, routes and integrations are named "<api id>/<stage, route key or integration id>"; API
names repeat across APIs and only the id is unique, so details name the API too.
"""

from __future__ import annotations

import pandas as pd

from .base import flag, parse_json, verdicts

LOGGING_ON = ("ERROR", "INFO")
LOGGING_OFF = "OFF"
# Security Hub APIGateway.11 passes these policies only (not customizable in the control).
RECOMMENDED_DOMAIN_POLICIES = (
    "SecurityPolicy_TLS13_1_3_2025_09", "SecurityPolicy_TLS13_1_3_FIPS_2025_09",
    "SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09", "SecurityPolicy_TLS13_2025_EDGE",
    "SecurityPolicy_TLS12_PFS_2025_EDGE",
)


def _is_set(series: pd.Series) -> pd.Series:
    """A text setting the collector leaves empty when nothing is configured."""
    return series.notna() & (series.astype(str).str.strip() != "")


def _known_in(series: pd.Series, allowed) -> pd.Series:
    """series.isin(allowed), NA where the value itself is missing (an ERROR, not a FAIL)."""
    return series.isin(allowed).astype("boolean").mask(series.isna())


def _rest_stages(s) -> pd.DataFrame:
    st = s.table("apigateway_stages").copy()
    st["stage_id"] = st["api_id"].astype(str) + "/" + st["stage_name"].astype(str)
    st["kind"] = "REST"
    return st


def _v2_stages(s) -> pd.DataFrame:
    st = s.table("apigatewayv2_stages").copy()
    st["stage_id"] = st["api_id"].astype(str) + "/" + st["stage_name"].astype(str)
    st["kind"] = st["protocol_type"].map({"HTTP": "HTTP", "WEBSOCKET": "WebSocket"}).fillna(st["protocol_type"])
    return st


_STAGE = "Stage {stage_name} of {kind} API {api_name} ({api_id})"


def _stage_verdicts(st: pd.DataFrame, ok: pd.Series, passed: str, failed: str) -> pd.DataFrame:
    """One verdict per stage; the details start by naming the stage and its API."""
    return verdicts(st, ok, resource_id="stage_id", pass_detail=f"{_STAGE} {passed}",
                    fail_detail=f"{_STAGE} {failed}")


def _logging_off_overrides(settings: pd.Series, level_key: str) -> pd.Series:
    """Per row, the methods (or routes) whose own setting turns execution logging OFF, as text;
    "" when none does. An override that does not set a level keeps the stage's. The stage-wide
    "*/*" entry of REST stages is judged separately."""
    def off(found):
        return ", ".join(sorted(k for k, v in (found or {}).items()
                                if k != "*/*" and (v or {}).get(level_key) == LOGGING_OFF))
    return parse_json(settings).map(off)


def _execution_logging(st: pd.DataFrame, level: str, overrides: str, level_key: str, what: str) -> pd.DataFrame:
    """Execution logging of stages: the stage's `level` is ERROR or INFO and no method (REST) or
    route (WebSocket) override in `overrides` turns it OFF."""
    st["level"] = st[level]
    st["off"] = _logging_off_overrides(st[overrides], level_key)
    st["why"] = ("has execution logging " + st["level"].astype(str)).where(
        ~st["level"].isin(LOGGING_ON), "has " + what + " " + st["off"] + " that turn execution logging off")
    ok = _known_in(st["level"], LOGGING_ON) & (st["off"] == "")
    return _stage_verdicts(st, ok, "logs execution at level {level}.",
                           "{why}: failed requests and authorizer decisions leave no trace.")


def apigateway_stage_execution_logging_enabled(s) -> pd.DataFrame:
    return _execution_logging(_rest_stages(s), "logging_level", "method_settings_json", "loggingLevel", "methods")


def apigateway_websocket_stage_execution_logging_enabled(s) -> pd.DataFrame:
    st = _v2_stages(s)
    return _execution_logging(st[st["protocol_type"] == "WEBSOCKET"].copy(), "default_logging_level",
                              "route_settings_json", "LoggingLevel", "routes")


def apigateway_stage_access_logging_enabled(s) -> pd.DataFrame:
    st = _rest_stages(s)
    return _stage_verdicts(st, _is_set(st["access_log_destination"]),
                           "writes access logs to {access_log_destination}.",
                           "has no access logging: who called the API is not recorded.")


def apigateway_v2_stage_access_logging_enabled(s) -> pd.DataFrame:
    st = _v2_stages(s)
    return _stage_verdicts(st, _is_set(st["access_log_destination"]),
                           "writes access logs to {access_log_destination}.",
                           "has no access logging: who called the API is not recorded.")


def apigateway_stage_client_certificate_configured(s) -> pd.DataFrame:
    st = _rest_stages(s)
    return _stage_verdicts(st, _is_set(st["client_certificate_id"]),
                           "presents client certificate {client_certificate_id} to its backend.",
                           "presents no client certificate: its backend cannot tell API Gateway's "
                           "requests from others.")


def apigateway_stage_xray_tracing_enabled(s) -> pd.DataFrame:
    st = _rest_stages(s)
    return _stage_verdicts(st, flag(st["tracing_enabled"]), "has X-Ray active tracing on.",
                           "has X-Ray tracing off.")


def apigateway_stage_waf_attached(s) -> pd.DataFrame:
    st = _rest_stages(s)
    return _stage_verdicts(st, _is_set(st["web_acl_arn"]), "is protected by web ACL {web_acl_arn}.",
                           "has no AWS WAF web ACL: nothing filters injection attempts or floods before "
                           "they reach the backend.")


def apigateway_stage_cache_encrypted(s) -> pd.DataFrame:
    st = _rest_stages(s)
    cache = flag(st["cache_cluster_enabled"])
    st = st[cache.fillna(True).to_numpy()].copy()  # stages with a cache (or unknown)

    def plain(settings):
        return ", ".join(sorted(k for k, v in (settings or {}).items()
                                if (v or {}).get("cachingEnabled") and not (v or {}).get("cacheDataEncrypted")))
    st["plain"] = parse_json(st["method_settings_json"]).map(plain)
    ok = (st["plain"] == "").astype("boolean").mask(flag(st["cache_cluster_enabled"]).isna())
    return _stage_verdicts(st, ok, "encrypts every cached response.",
                           "caches the responses of methods {plain} unencrypted (*/* stands for every method).")


def apigateway_route_authorization_configured(s) -> pd.DataFrame:
    routes = s.table("apigatewayv2_routes").copy()
    # WebSocket APIs authorize the connection only: $connect is the one route that can have an
    # authorizer, and the messages of an authorized connection are judged by it.
    ws = routes["protocol_type"] == "WEBSOCKET"
    routes = routes[~ws | (routes["route_key"] == "$connect")].copy()
    routes["route_ref"] = routes["api_id"].astype(str) + "/" + routes["route_key"].astype(str)
    ok = routes["authorization_type"].notna() & (routes["authorization_type"].astype(str) != "NONE")
    return verdicts(routes, ok.astype("boolean").mask(routes["authorization_type"].isna()),
                    resource_id="route_ref",
                    pass_detail="Route {route_key} of API {api_name} ({api_id}) requires {authorization_type} "
                                "authorization.",
                    fail_detail="Route {route_key} of API {api_name} ({api_id}) has authorization type NONE: "
                                "anyone who can reach the endpoint can call it.")


def apigateway_integration_private_tls_enabled(s) -> pd.DataFrame:
    integ = s.table("apigatewayv2_integrations")
    integ = integ[integ["connection_type"] == "VPC_LINK"].copy()
    integ["integration_ref"] = integ["api_id"].astype(str) + "/" + integ["integration_id"].astype(str)
    has_tls = integ["tls_config_json"].notna() & ~integ["tls_config_json"].astype(str).isin(["", "null"])
    return verdicts(integ, has_tls, resource_id="integration_ref",
                    pass_detail="Private integration {integration_id} of API {api_name} ({api_id}) reaches "
                                "{integration_uri} over HTTPS.",
                    fail_detail="Private integration {integration_id} of API {api_name} ({api_id}) has no TLS "
                                "configuration: requests travel to {integration_uri} over plain HTTP.")


def apigateway_domain_security_policy_recommended(s) -> pd.DataFrame:
    d = s.table("apigateway_domain_names").copy()
    return verdicts(d, _known_in(d["security_policy"], RECOMMENDED_DOMAIN_POLICIES), resource_id="domain_name",
                    pass_detail="Custom domain {domain_name} uses security policy {security_policy}.",
                    fail_detail="Custom domain {domain_name} uses security policy {security_policy}, not one "
                                "of the current recommended policies (TLS 1.3, or TLS 1.2 with forward "
                                "secrecy only).")
