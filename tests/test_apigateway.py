"""API Gateway: the REST and HTTP/WebSocket collectors against moto (Stubber for what moto drops:
client certificates), and each check both ways on hand-built tables."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.collect import load_collectors
from srm_nb.collect.base import REGISTRY, Ctx, Recorder
from srm_nb.collect.runner import collect
from test_ec2_checks import REGION, run, snapshot

LOGS = "arn:aws:logs:us-east-1:111122223333:log-group:api"


@pytest.fixture(scope="module")
def collected():
    with mock_aws():
        rest = boto3.client("apigateway", region_name=REGION)
        api_id = rest.create_rest_api(name="orders")["id"]
        root = rest.get_resources(restApiId=api_id)["items"][0]["id"]
        rest.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
        rest.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK")
        rest.create_deployment(restApiId=api_id, stageName="prod")
        rest.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
            {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
            {"op": "replace", "path": "/tracingEnabled", "value": "true"},
            {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": LOGS}])
        rest.create_deployment(restApiId=api_id, stageName="dev")
        rest.create_domain_name(domainName="api.example.com", securityPolicy="TLS_1_2",
                                regionalCertificateArn="arn:aws:acm:us-east-1:111122223333:certificate/x",
                                endpointConfiguration={"types": ["REGIONAL"]})
        v2 = boto3.client("apigatewayv2", region_name=REGION)
        http = v2.create_api(Name="mobile", ProtocolType="HTTP")["ApiId"]
        v2.create_route(ApiId=http, RouteKey="GET /open")
        v2.create_route(ApiId=http, RouteKey="GET /iam", AuthorizationType="AWS_IAM")
        v2.create_stage(ApiId=http, StageName="$default", AccessLogSettings={"DestinationArn": LOGS, "Format": "x"})
        v2.create_integration(ApiId=http, IntegrationType="HTTP_PROXY", IntegrationMethod="ANY",
                              ConnectionType="VPC_LINK", ConnectionId="link", PayloadFormatVersion="1.0",
                              IntegrationUri="arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/x/1/2",
                              TlsConfig={"ServerNameToVerify": "backend.example.com"})
        ws = v2.create_api(Name="live", ProtocolType="WEBSOCKET", RouteSelectionExpression="$request.body.action")["ApiId"]
        v2.create_route(ApiId=ws, RouteKey="$connect")
        v2.create_route(ApiId=ws, RouteKey="$default")
        v2.create_stage(ApiId=ws, StageName="prod", DefaultRouteSettings={"LoggingLevel": "INFO"})
        snap = collect(AwsAccess(session=boto3.Session(region_name=REGION)), [REGION],
                       services=["apigateway", "apigatewayv2"], quiet=True)
    return snap, api_id, http, ws


def test_collected_rest_stages_domains_and_v2_details(collected):
    s, api_id, http, ws = collected
    assert s.gaps.empty, s.gaps
    stages = s.table("apigateway_stages").set_index("stage_name")
    assert (stages.loc["prod", "logging_level"], stages.loc["dev", "logging_level"]) == ("ERROR", "OFF")
    assert stages.loc["prod", "access_log_destination"] == LOGS and bool(stages.loc["prod", "tracing_enabled"])
    assert stages.loc["prod", "arn"] == f"arn:aws:apigateway:{REGION}::/restapis/{api_id}/stages/prod"
    assert s.table("apigateway_domain_names").set_index("domain_name").loc["api.example.com", "security_policy"] == "TLS_1_2"
    routes = s.table("apigatewayv2_routes").set_index("route_key")
    assert routes.loc["GET /iam", "authorization_type"] == "AWS_IAM" and routes.loc["$connect", "protocol_type"] == "WEBSOCKET"
    integ = s.table("apigatewayv2_integrations").iloc[0]
    assert integ["connection_type"] == "VPC_LINK" and json.loads(integ["tls_config_json"])["ServerNameToVerify"]
    v2_stages = s.table("apigatewayv2_stages").set_index("api_id")
    assert v2_stages.loc[ws, "default_logging_level"] == "INFO" and v2_stages.loc[http, "access_log_destination"] == LOGS


def test_verdicts_on_collected_apis(collected):
    s, api_id, http, ws = collected
    assert run(s, "apigateway_stage_execution_logging_enabled") == {f"{api_id}/prod": "PASS", f"{api_id}/dev": "FAIL"}
    assert run(s, "apigateway_stage_access_logging_enabled") == {f"{api_id}/prod": "PASS", f"{api_id}/dev": "FAIL"}
    assert run(s, "apigateway_stage_xray_tracing_enabled") == {f"{api_id}/prod": "PASS", f"{api_id}/dev": "FAIL"}
    assert run(s, "apigateway_route_authorization_configured") == {
        f"{http}/GET /open": "FAIL", f"{http}/GET /iam": "PASS", f"{ws}/$connect": "FAIL"}  # $default not judged
    assert run(s, "apigateway_v2_stage_access_logging_enabled") == {f"{http}/$default": "PASS", f"{ws}/prod": "FAIL"}
    assert run(s, "apigateway_websocket_stage_execution_logging_enabled") == {f"{ws}/prod": "PASS"}
    assert set(run(s, "apigateway_integration_private_tls_enabled").values()) == {"PASS"}
    assert run(s, "apigateway_domain_security_policy_recommended") == {"api.example.com": "FAIL"}


def _stub_rest(stub, stages):
    stub.add_response("get_rest_apis", {"items": [{"id": "a1", "name": "orders"}]}, {"limit": 500})
    stages(stub)
    stub.add_response("get_domain_names", {"items": []}, {"limit": 500})


def _run_rest(stages) -> Recorder:
    load_collectors()
    client = boto3.client("apigateway", region_name=REGION)
    recorder = Recorder(calls_per_service=1)  # one request at a time: a Stubber answers in order
    with Stubber(client) as stub:
        _stub_rest(stub, stages)
        REGISTRY["apigateway"].func(Ctx(REGISTRY["apigateway"], REGION, client, recorder, "111122223333", "aws", REGION))
        stub.assert_no_pending_responses()
    return recorder


def test_collector_reads_client_certificate_waf_and_cache_as_aws_returns_them():
    recorder = _run_rest(lambda stub: stub.add_response("get_stages", {"item": [{
        "stageName": "prod", "clientCertificateId": "cert1", "cacheClusterEnabled": True,
        "webAclArn": "arn:aws:wafv2:us-east-1:111122223333:regional/webacl/w/1",
        "methodSettings": {"*/*": {"loggingLevel": "INFO", "cachingEnabled": True, "cacheDataEncrypted": True}}}]},
        {"restApiId": "a1"}))
    assert not recorder.gaps
    row = recorder.rows["apigateway_stages"][0]
    assert (row["client_certificate_id"], row["cache_cluster_enabled"], row["tracing_enabled"]) == ("cert1", True, False)
    assert row["web_acl_arn"].endswith("/w/1") and row["logging_level"] == "INFO"


def test_denied_stage_read_is_an_error_for_that_api():
    recorder = _run_rest(lambda stub: stub.add_client_error(
        "get_stages", "AccessDeniedException", "no", http_status_code=403, expected_params={"restApiId": "a1"}))
    assert [(g["table"], g["resource_id"], g["status"]) for g in recorder.gaps] == [("apigateway_stages", "a1", "denied")]
    s = snapshot(apigateway_rest_apis=[{"api_id": "a1", "name": "orders"}], apigateway_stages=[],
                 gaps=[{**recorder.gaps[0], "region": REGION}])
    assert run(s, "apigateway_stage_waf_attached") == {"a1": "ERROR"}


def stage(name, **settings):
    row = {"api_id": "a1", "api_name": "orders", "stage_name": name, "logging_level": "OFF",
           "method_settings_json": "{}", "tracing_enabled": False, "cache_cluster_enabled": False,
           "arn": f"arn:aws:apigateway:{REGION}::/restapis/a1/stages/{name}"}
    return {**row, **settings}


def test_execution_logging_levels_and_method_overrides():
    off_override = json.dumps({"*/*": {"loggingLevel": "INFO"}, "orders/GET": {"loggingLevel": "OFF"}})
    throttle_only = json.dumps({"*/*": {"loggingLevel": "INFO"}, "orders/GET": {"throttlingRateLimit": 10}})
    s = snapshot(apigateway_stages=[
        stage("info", logging_level="INFO"), stage("error", logging_level="ERROR"), stage("off"),
        stage("override", logging_level="INFO", method_settings_json=off_override),
        stage("throttled", logging_level="INFO", method_settings_json=throttle_only),
        stage("unknown", logging_level=None)])
    assert run(s, "apigateway_stage_execution_logging_enabled") == {
        "a1/info": "PASS", "a1/error": "PASS", "a1/off": "FAIL", "a1/override": "FAIL", "a1/throttled": "PASS",
        "a1/unknown": "ERROR"}


def test_stage_settings_present_or_not():
    s = snapshot(apigateway_stages=[
        stage("good", client_certificate_id="c1", web_acl_arn="arn:acl", access_log_destination=LOGS),
        stage("bare", client_certificate_id="", web_acl_arn=None)])
    for check in ("apigateway_stage_client_certificate_configured", "apigateway_stage_waf_attached",
                  "apigateway_stage_access_logging_enabled"):
        assert run(s, check) == {"a1/good": "PASS", "a1/bare": "FAIL"}, check


def test_cache_encryption_judges_caching_methods_of_cached_stages_only():
    encrypted = json.dumps({"*/*": {"cachingEnabled": True, "cacheDataEncrypted": True}})
    plain_method = json.dumps({"*/*": {"cachingEnabled": True, "cacheDataEncrypted": True},
                               "orders/GET": {"cachingEnabled": True, "cacheDataEncrypted": False}})
    not_caching = json.dumps({"*/*": {"cachingEnabled": False, "cacheDataEncrypted": False}})
    s = snapshot(apigateway_stages=[
        stage("encrypted", cache_cluster_enabled=True, method_settings_json=encrypted),
        stage("plain", cache_cluster_enabled=True, method_settings_json=plain_method),
        stage("idle", cache_cluster_enabled=True, method_settings_json=not_caching),
        stage("nocache", method_settings_json=plain_method)])
    assert run(s, "apigateway_stage_cache_encrypted") == {"a1/encrypted": "PASS", "a1/plain": "FAIL", "a1/idle": "PASS"}
    none = snapshot(apigateway_stages=[stage("nocache")])
    assert set(run(none, "apigateway_stage_cache_encrypted").values()) == {"NOT_APPLICABLE"}


def v2_stage(api, name, protocol="WEBSOCKET", **settings):
    return {"api_id": api, "api_name": api, "protocol_type": protocol, "stage_name": name,
            "default_logging_level": "OFF", "route_settings_json": "{}", **settings}


def test_websocket_execution_logging_with_route_overrides_and_http_apis_out_of_scope():
    s = snapshot(apigatewayv2_stages=[
        v2_stage("w", "on", default_logging_level="ERROR"), v2_stage("w", "off"),
        v2_stage("w", "override", default_logging_level="INFO",
                 route_settings_json=json.dumps({"sendMessage": {"LoggingLevel": "OFF"}})),
        v2_stage("h", "$default", protocol="HTTP")])
    assert run(s, "apigateway_websocket_stage_execution_logging_enabled") == {
        "w/on": "PASS", "w/off": "FAIL", "w/override": "FAIL"}


def test_route_authorization_http_routes_and_websocket_connect():
    route = {"api_name": "x", "arn": "arn:r"}
    s = snapshot(apigatewayv2_routes=[
        {**route, "api_id": "h", "protocol_type": "HTTP", "route_key": "GET /a", "authorization_type": "JWT"},
        {**route, "api_id": "h", "protocol_type": "HTTP", "route_key": "$default", "authorization_type": "NONE"},
        {**route, "api_id": "w", "protocol_type": "WEBSOCKET", "route_key": "$connect", "authorization_type": "CUSTOM"},
        {**route, "api_id": "w", "protocol_type": "WEBSOCKET", "route_key": "$disconnect", "authorization_type": "NONE"}])
    assert run(s, "apigateway_route_authorization_configured") == {"h/GET /a": "PASS", "h/$default": "FAIL",
                                                                   "w/$connect": "PASS"}


def test_private_integrations_need_tls_public_ones_are_out_of_scope():
    integ = {"api_id": "h", "api_name": "x", "integration_uri": "arn:listener"}
    s = snapshot(apigatewayv2_integrations=[
        {**integ, "integration_id": "tls", "connection_type": "VPC_LINK", "tls_config_json": '{"ServerNameToVerify": "b"}'},
        {**integ, "integration_id": "plain", "connection_type": "VPC_LINK", "tls_config_json": None},
        {**integ, "integration_id": "lambda", "connection_type": "INTERNET", "tls_config_json": None}])
    assert run(s, "apigateway_integration_private_tls_enabled") == {"h/tls": "PASS", "h/plain": "FAIL"}


def test_v2_access_logging():
    s = snapshot(apigatewayv2_stages=[v2_stage("h", "$default", "HTTP", access_log_destination=LOGS),
                                      v2_stage("h", "dev", "HTTP")])
    assert run(s, "apigateway_v2_stage_access_logging_enabled") == {"h/$default": "PASS", "h/dev": "FAIL"}


@pytest.mark.parametrize("policy, status", [
    ("SecurityPolicy_TLS13_1_3_2025_09", "PASS"), ("SecurityPolicy_TLS13_2025_EDGE", "PASS"),
    ("SecurityPolicy_TLS12_PFS_2025_EDGE", "PASS"), ("TLS_1_2", "FAIL"), ("TLS_1_0", "FAIL"),
    ("SecurityPolicy_TLS13_1_2_2021_06", "FAIL"),  # accepted by API Gateway, not recommended by APIGateway.11
])
def test_domain_security_policies(policy, status):
    s = snapshot(apigateway_domain_names=[{"domain_name": "api.example.com", "security_policy": policy}])
    assert run(s, "apigateway_domain_security_policy_recommended") == {"api.example.com": status}


def test_policy_grants_both_api_gateway_collectors_by_http_method():
    """API Gateway authorizes apigateway:GET on resource paths; there is no apigateway:GetStages."""
    from srm_nb.policy import required_actions, session_actions

    actions = set(required_actions(["apigateway", "apigatewayv2"])) - set(session_actions())
    assert actions == {"apigateway:GET"}
