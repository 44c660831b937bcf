"""CloudFront: the collector against moto (custom origins) and Stubber (paging, S3 origin access,
which moto drops, and a failed configuration read), and each check both ways on hand-built
tables."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.collect import load_collectors
from srm_nb.collect.base import GLOBAL, REGISTRY, Ctx, Recorder
from srm_nb.collect.runner import collect
from test_ec2_checks import run, snapshot

ACCOUNT = "111122223333"
FORWARD = {"MinTTL": 0, "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}}


@mock_aws
def test_collector_against_moto_custom_origins_behaviors_groups_and_config():
    cf = boto3.client("cloudfront", region_name="us-east-1")
    origin = {"Id": "app", "DomainName": "app.example.com", "CustomOriginConfig": {
        "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "match-viewer",
        "OriginSslProtocols": {"Quantity": 2, "Items": ["SSLv3", "TLSv1.2"]}}}
    dist = cf.create_distribution(DistributionConfig={
        "CallerReference": "r", "Comment": "shop", "Enabled": True, "DefaultRootObject": "index.html",
        "Origins": {"Quantity": 2, "Items": [origin, {**origin, "Id": "spare"}]},
        "OriginGroups": {"Quantity": 1, "Items": [{"Id": "g", "FailoverCriteria": {"StatusCodes": {"Quantity": 1, "Items": [500]}},
                                                   "Members": {"Quantity": 2, "Items": [{"OriginId": "app"}, {"OriginId": "spare"}]}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "app", "ViewerProtocolPolicy": "redirect-to-https", **FORWARD},
        "CacheBehaviors": {"Quantity": 1, "Items": [{"PathPattern": "/old/*", "TargetOriginId": "g",
                                                     "ViewerProtocolPolicy": "allow-all", **FORWARD}]},
        "Logging": {"Enabled": True, "IncludeCookies": False, "Bucket": "logs.s3.amazonaws.com", "Prefix": ""}})["Distribution"]
    s = collect(AwsAccess(session=boto3.Session(region_name="us-east-1")), ["us-east-1"], services=["cloudfront"],
                quiet=True)
    assert s.gaps.empty, s.gaps
    d = s.table("cloudfront_distributions").iloc[0]
    assert (d["id"], d["region"], d["comment"]) == (dist["Id"], GLOBAL, "shop")
    origins = s.table("cloudfront_origins").set_index("origin_id")
    assert origins.loc["app", "origin_protocol_policy"] == "match-viewer" and bool(origins.loc["app", "custom_origin"])
    assert json.loads(origins.loc["app", "origin_ssl_protocols_json"]) == ["SSLv3", "TLSv1.2"]
    behaviors = dict(zip(s.table("cloudfront_cache_behaviors")["path_pattern"],
                         s.table("cloudfront_cache_behaviors")["viewer_protocol_policy"]))
    assert behaviors == {"(default)": "redirect-to-https", "/old/*": "allow-all"}
    config = s.table("cloudfront_distribution_configs").iloc[0]
    assert config["default_root_object"] == "index.html" and bool(config["logging_enabled"])
    # An allow-all behavior through the origin group reaches match-viewer origins over HTTP.
    assert run(s, "cloudfront_distribution_origin_https") == {dist["Id"]: "FAIL"}
    assert run(s, "cloudfront_distribution_origin_no_sslv3") == {dist["Id"]: "FAIL"}
    assert run(s, "cloudfront_distribution_origin_failover") == {dist["Id"]: "PASS"}


def _summary(dist_id: str, origins: list, **extra) -> dict:
    return {"Id": dist_id, "ARN": f"arn:aws:cloudfront::{ACCOUNT}:distribution/{dist_id}", "Status": "Deployed",
            "LastModifiedTime": "2026-01-01T00:00:00Z", "DomainName": f"{dist_id.lower()}.cloudfront.net",
            "Aliases": {"Quantity": 0}, "Origins": {"Quantity": len(origins), "Items": origins},
            "DefaultCacheBehavior": {"TargetOriginId": origins[0]["Id"], "ViewerProtocolPolicy": "https-only"},
            "CacheBehaviors": {"Quantity": 0}, "CustomErrorResponses": {"Quantity": 0}, "Comment": dist_id,
            "PriceClass": "PriceClass_All", "Enabled": True,
            "ViewerCertificate": {"CloudFrontDefaultCertificate": True}, "Restrictions": {
                "GeoRestriction": {"RestrictionType": "none", "Quantity": 0}},
            "WebACLId": "", "HttpVersion": "http2", "IsIPV6Enabled": True, "Staging": False, **extra}


S3_OAC = {"Id": "site", "DomainName": "site.s3.us-east-1.amazonaws.com",
          "S3OriginConfig": {"OriginAccessIdentity": ""}, "OriginAccessControlId": "E1OAC"}
S3_OAI = {"Id": "old", "DomainName": "old.s3.amazonaws.com",
          "S3OriginConfig": {"OriginAccessIdentity": "origin-access-identity/cloudfront/E2OAI"}}


def _run_collector(setup) -> Recorder:
    load_collectors()
    client = boto3.client("cloudfront", region_name="us-east-1")
    recorder = Recorder(calls_per_service=1)  # one request at a time: a Stubber answers in order
    with Stubber(client) as stub:
        setup(stub)
        REGISTRY["cloudfront"].func(Ctx(REGISTRY["cloudfront"], "us-east-1", client, recorder, ACCOUNT, "aws", GLOBAL))
        stub.assert_no_pending_responses()
    return recorder


def _page(items, next_marker=None):
    return {"DistributionList": {"Marker": "", "MaxItems": 100, "IsTruncated": bool(next_marker),
                                 "Quantity": len(items), "Items": items, **({"NextMarker": next_marker} if next_marker else {})}}


def test_collector_pages_by_marker_and_reads_s3_origin_access_as_aws_returns_it():
    def setup(stub):
        stub.add_response("list_distributions", _page([_summary("EONE", [S3_OAC])], "m2"), {"MaxItems": "100"})
        stub.add_response("list_distributions", _page([_summary("ETWO", [S3_OAI])]), {"MaxItems": "100", "Marker": "m2"})
        stub.add_response("get_distribution_config", {"DistributionConfig": {
            "CallerReference": "r", "Comment": "", "Enabled": True, "Origins": {"Quantity": 1, "Items": [S3_OAC]},
            "DefaultCacheBehavior": {"TargetOriginId": "site", "ViewerProtocolPolicy": "https-only"},
            "DefaultRootObject": "index.html"}, "ETag": "x"}, {"Id": "EONE"})
        stub.add_client_error("get_distribution_config", "AccessDenied", "no", http_status_code=403,
                              expected_params={"Id": "ETWO"})

    recorder = _run_collector(setup)
    origins = {o["origin_id"]: o for o in recorder.rows["cloudfront_origins"]}
    assert origins["site"]["s3_origin"] and origins["site"]["origin_access_control_id"] == "E1OAC"
    assert origins["old"]["origin_access_identity"].endswith("E2OAI") and not origins["old"]["origin_access_control_id"]
    assert [c["distribution_id"] for c in recorder.rows["cloudfront_distribution_configs"]] == ["EONE"]
    assert [(g["table"], g["resource_id"], g["status"]) for g in recorder.gaps] == [
        ("cloudfront_distribution_configs", "ETWO", "denied")]


def test_failed_listing_is_a_gap_in_every_table():
    recorder = _run_collector(lambda stub: stub.add_client_error("list_distributions", "AccessDenied", "no",
                                                                 http_status_code=403, expected_params={"MaxItems": "100"}))
    assert {g["table"] for g in recorder.gaps} == set(REGISTRY["cloudfront"].tables)


def dist(dist_id, **extra):
    return {"id": dist_id, "arn": f"arn:aws:cloudfront::{ACCOUNT}:distribution/{dist_id}", "comment": dist_id,
            "region": GLOBAL, **extra}


def origin(dist_id, origin_id, domain, **extra):
    return {"distribution_id": dist_id, "origin_id": origin_id, "domain_name": domain, "s3_origin": False,
            "custom_origin": False, "region": GLOBAL, **extra}


def cf_snapshot(dists, origins=(), behaviors=(), groups=(), configs=(), buckets=(), gaps=None):
    return snapshot(cloudfront_distributions=list(dists), cloudfront_origins=list(origins),
                    cloudfront_cache_behaviors=list(behaviors), cloudfront_origin_groups=list(groups),
                    cloudfront_distribution_configs=list(configs),
                    s3_buckets=[{"name": b, "region": "us-east-1"} for b in buckets], gaps=gaps)


def test_default_root_object_for_s3_origins_only():
    s = cf_snapshot([dist("S3ROOT"), dist("S3BARE"), dist("CUSTOM"), dist("NOCONFIG")],
                    [origin(d, "o", "b.s3.amazonaws.com", s3_origin=True) for d in ("S3ROOT", "S3BARE", "NOCONFIG")]
                    + [origin("CUSTOM", "o", "app.example.com", custom_origin=True)],
                    configs=[{"distribution_id": "S3ROOT", "default_root_object": "index.html"},
                             {"distribution_id": "S3BARE", "default_root_object": None},
                             {"distribution_id": "CUSTOM", "default_root_object": None}])
    assert run(s, "cloudfront_distribution_default_root_object") == {"S3ROOT": "PASS", "S3BARE": "FAIL",
                                                                      "NOCONFIG": "ERROR"}


def test_viewer_https_fails_on_any_allow_all_behavior():
    behavior = {"region": GLOBAL, "target_origin_id": "o"}
    s = cf_snapshot([dist("GOOD"), dist("BAD")], behaviors=[
        {**behavior, "distribution_id": "GOOD", "path_pattern": "(default)", "viewer_protocol_policy": "redirect-to-https"},
        {**behavior, "distribution_id": "GOOD", "path_pattern": "/api/*", "viewer_protocol_policy": "https-only"},
        {**behavior, "distribution_id": "BAD", "path_pattern": "(default)", "viewer_protocol_policy": "https-only"},
        {**behavior, "distribution_id": "BAD", "path_pattern": "/img/*", "viewer_protocol_policy": "allow-all"}])
    assert run(s, "cloudfront_distribution_https_required") == {"GOOD": "PASS", "BAD": "FAIL"}


def test_failover_needs_a_group_of_two():
    s = cf_snapshot([dist("TWO"), dist("ONE"), dist("NONE")], groups=[
        {"distribution_id": "TWO", "group_id": "g", "member_origin_ids_json": '["a", "b"]', "region": GLOBAL},
        {"distribution_id": "ONE", "group_id": "g", "member_origin_ids_json": '["a"]', "region": GLOBAL}])
    assert run(s, "cloudfront_distribution_origin_failover") == {"TWO": "PASS", "ONE": "FAIL", "NONE": "FAIL"}


def test_logging_and_waf():
    s = cf_snapshot([dist("ON", web_acl_id="arn:aws:wafv2:us-east-1:1:global/webacl/w/1"), dist("OFF"), dist("UNREAD")],
                    configs=[{"distribution_id": "ON", "logging_enabled": True, "logging_bucket": "l.s3.amazonaws.com"},
                             {"distribution_id": "OFF", "logging_enabled": False}],
                    gaps=[{"table": "cloudfront_distribution_configs", "region": GLOBAL, "resource_id": "UNREAD",
                           "service": "cloudfront", "operation": "GetDistributionConfig", "status": "denied",
                           "error_code": "AccessDenied"}])
    assert run(s, "cloudfront_distribution_logging_enabled") == {"ON": "PASS", "OFF": "FAIL", "UNREAD": "ERROR"}
    assert run(s, "cloudfront_distribution_waf_enabled") == {"ON": "PASS", "OFF": "FAIL", "UNREAD": "FAIL"}


def test_certificates_sni_and_tls_policy():
    acm = "arn:aws:acm:us-east-1:1:certificate/c"
    s = cf_snapshot([
        dist("DEFAULT", ssl_support_method="sni-only", minimum_protocol_version="TLSv1"),
        dist("MODERN", acm_certificate_arn=acm, ssl_support_method="sni-only", minimum_protocol_version="TLSv1.2_2021"),
        dist("OLDTLS", iam_certificate_id="ASCA1", ssl_support_method="sni-only", minimum_protocol_version="TLSv1.1_2016"),
        dist("VIP", acm_certificate_arn=acm, ssl_support_method="vip", minimum_protocol_version="TLSv1")])
    assert run(s, "cloudfront_distribution_custom_certificate") == {"DEFAULT": "FAIL", "MODERN": "PASS",
                                                                     "OLDTLS": "PASS", "VIP": "PASS"}
    assert run(s, "cloudfront_distribution_sni_enabled") == {"MODERN": "PASS", "OLDTLS": "PASS", "VIP": "FAIL"}
    # Legacy-client (vip) and default-certificate distributions are outside CloudFront.15.
    assert run(s, "cloudfront_distribution_tls_policy_recommended") == {"MODERN": "PASS", "OLDTLS": "FAIL"}


def test_custom_origin_protocols():
    custom = {"custom_origin": True, "origin_ssl_protocols_json": '["TLSv1.2"]'}
    behavior = {"region": GLOBAL, "path_pattern": "(default)"}
    s = cf_snapshot(
        [dist("HTTPS"), dist("HTTPONLY"), dist("MATCHPLAIN"), dist("MATCHSAFE"), dist("SSL3"), dist("S3")],
        [origin("HTTPS", "o", "a.example.com", origin_protocol_policy="https-only", **custom),
         origin("HTTPONLY", "o", "a.example.com", origin_protocol_policy="http-only", **custom),
         origin("MATCHPLAIN", "o", "a.example.com", origin_protocol_policy="match-viewer", **custom),
         origin("MATCHSAFE", "o", "a.example.com", origin_protocol_policy="match-viewer", **custom),
         origin("SSL3", "o", "a.example.com", origin_protocol_policy="https-only", custom_origin=True,
                origin_ssl_protocols_json='["SSLv3", "TLSv1.2"]'),
         origin("S3", "o", "b.s3.amazonaws.com", s3_origin=True)],
        behaviors=[{**behavior, "distribution_id": "MATCHPLAIN", "target_origin_id": "o", "viewer_protocol_policy": "allow-all"},
                   {**behavior, "distribution_id": "MATCHSAFE", "target_origin_id": "o",
                    "viewer_protocol_policy": "redirect-to-https"}])
    assert run(s, "cloudfront_distribution_origin_https") == {
        "HTTPS": "PASS", "HTTPONLY": "FAIL", "MATCHPLAIN": "FAIL", "MATCHSAFE": "PASS", "SSL3": "PASS"}
    assert run(s, "cloudfront_distribution_origin_no_sslv3") == {
        "HTTPS": "PASS", "HTTPONLY": "PASS", "MATCHPLAIN": "PASS", "MATCHSAFE": "PASS", "SSL3": "FAIL"}


@pytest.mark.parametrize("domain, owned", [
    ("site.s3.amazonaws.com", True), ("site.s3.eu-west-1.amazonaws.com", True),
    ("site.s3-eu-west-1.amazonaws.com", True), ("my.dotted.site.s3.us-east-1.amazonaws.com", True),
    ("gone.s3.amazonaws.com", False),
])
def test_s3_origin_bucket_must_be_one_of_the_account(domain, owned):
    bucket = domain.split(".s3")[0]
    s = cf_snapshot([dist("D")], [origin("D", "o", domain, s3_origin=True)],
                    buckets=[bucket] if owned else ["site"])
    assert run(s, "cloudfront_distribution_s3_origin_exists") == {"D": "PASS" if owned else "FAIL"}


def test_s3_listing_gap_makes_the_existence_verdict_an_error():
    s = cf_snapshot([dist("D")], [origin("D", "o", "site.s3.amazonaws.com", s3_origin=True)], buckets=["site"],
                    gaps=[{"table": "s3_buckets", "region": GLOBAL, "service": "s3", "operation": "ListBuckets",
                           "status": "denied", "error_code": "AccessDenied"}])
    assert run(s, "cloudfront_distribution_s3_origin_exists") == {"D": "ERROR"}


def test_origin_access_control_for_s3_and_lambda_url_origins():
    s = cf_snapshot(
        [dist("OAC"), dist("OAI"), dist("OPEN"), dist("FNOAC"), dist("FNOPEN")],
        [origin("OAC", "s", "b.s3.amazonaws.com", s3_origin=True, origin_access_control_id="E1"),
         origin("OAI", "s", "b.s3.amazonaws.com", s3_origin=True, origin_access_identity="origin-access-identity/cloudfront/E2"),
         origin("OPEN", "s", "b.s3.amazonaws.com", s3_origin=True),
         origin("FNOAC", "f", "abc.lambda-url.us-east-1.on.aws", custom_origin=True, origin_access_control_id="E3"),
         origin("FNOPEN", "f", "abc.lambda-url.eu-west-1.on.aws", custom_origin=True)])
    s3 = run(s, "cloudfront_distribution_s3_origin_access_control")
    assert s3 == {"OAC": "PASS", "OAI": "FAIL", "OPEN": "FAIL"}
    assert run(s, "cloudfront_distribution_lambda_url_origin_access_control") == {"FNOAC": "PASS", "FNOPEN": "FAIL"}
