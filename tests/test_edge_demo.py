"""The demo's edge and messaging story (API Gateway, CloudFront, SQS, SNS topics) through the real
`srm demo` run. API and distribution ids are moto's random ones: those findings are found by the
name their detail gives."""

from __future__ import annotations

import pytest

from conftest import verdicts_of

pytestmark = pytest.mark.e2e

AREA_FILES = {"apigateway.yaml", "cloudfront.yaml", "sqs.yaml", "sns.yaml"}


def named(findings, check_id: str, text: str) -> set[str]:
    f = findings[(findings["check_id"] == check_id) & findings["detail"].str.contains(text, regex=False)]
    return set(f["status"])


NAMED = [
    ("apigateway_stage_execution_logging_enabled", "Stage prod of REST API northwind-orders-api", "PASS"),
    ("apigateway_stage_execution_logging_enabled", "Stage sandbox of REST API northwind-orders-api", "FAIL"),
    ("apigateway_stage_client_certificate_configured", "Stage prod of REST API", "PASS"),  # the fake's certificate
    ("apigateway_stage_waf_attached", "Stage prod of REST API", "PASS"),
    ("apigateway_stage_waf_attached", "Stage sandbox of REST API", "FAIL"),
    ("apigateway_stage_cache_encrypted", "Stage sandbox of REST API", "FAIL"),
    ("apigateway_route_authorization_configured", "Route GET /status of API northwind-mobile", "FAIL"),
    ("apigateway_route_authorization_configured", "Route $connect of API northwind-live", "PASS"),
    ("apigateway_v2_stage_access_logging_enabled", "Stage $default of HTTP API northwind-mobile", "PASS"),
    ("apigateway_websocket_stage_execution_logging_enabled", "Stage dev of WebSocket API northwind-live", "FAIL"),
    ("cloudfront_distribution_s3_origin_access_control", "(northwind-web)", "PASS"),
    ("cloudfront_distribution_s3_origin_access_control", "(northwind-legacy-cdn)", "FAIL"),  # legacy OAI
    ("cloudfront_distribution_s3_origin_exists", "(northwind-web)", "PASS"),
    ("cloudfront_distribution_s3_origin_exists", "(northwind-legacy-cdn)", "FAIL"),
    ("cloudfront_distribution_https_required", "(northwind-legacy-cdn)", "FAIL"),
    ("cloudfront_distribution_origin_https", "(northwind-downloads)", "PASS"),  # match-viewer behind HTTPS
    ("cloudfront_distribution_origin_no_sslv3", "(northwind-legacy-cdn)", "FAIL"),
    ("cloudfront_distribution_custom_certificate", "(northwind-legacy-cdn)", "FAIL"),
    ("cloudfront_distribution_sni_enabled", "(northwind-partner-portal)", "FAIL"),
    ("cloudfront_distribution_tls_policy_recommended", "(northwind-web)", "PASS"),
    ("cloudfront_distribution_tls_policy_recommended", "(northwind-downloads)", "FAIL"),
    ("cloudfront_distribution_lambda_url_origin_access_control", "(northwind-web)", "PASS"),
    ("cloudfront_distribution_lambda_url_origin_access_control", "(northwind-legacy-cdn)", "FAIL"),
    ("cloudfront_distribution_origin_failover", "(northwind-web)", "PASS"),
    ("cloudfront_distribution_logging_enabled", "(northwind-legacy-cdn)", "FAIL"),
]


@pytest.mark.parametrize("check_id, text, status", NAMED)
def test_named_demo_resources(demo_findings, check_id, text, status):
    assert named(demo_findings, check_id, text) == {status}


BY_ID = {
    "apigateway_domain_security_policy_recommended": {"api.northwind-analytics.example": "PASS",
                                                      "legacy-api.northwind-analytics.example": "FAIL"},
    "sqs_queue_encrypted": {"northwind-order-events": "PASS", "northwind-legacy-import": "FAIL",
                            "northwind-gdpr-requests": "PASS"},
    "sqs_queue_policy_not_public": {"northwind-order-events": "PASS", "northwind-legacy-import": "FAIL"},
    "sns_topic_encrypted": {"northwind-order-events": "PASS", "northwind-partner-webhooks": "FAIL",
                            "northwind-security-alerts": "FAIL"},
    "sns_topic_policy_not_public": {"northwind-order-events": "PASS", "northwind-security-alerts": "PASS",
                                    "northwind-partner-webhooks": "FAIL"},  # wildcard condition: public
    "sns_topic_data_protection_enabled": {"northwind-order-events": "PASS", "northwind-partner-webhooks": "FAIL"},
}


@pytest.mark.parametrize("check_id", sorted(BY_ID))
def test_demo_resources_by_id(demo_findings, check_id):
    got = verdicts_of(demo_findings, check_id)
    assert {k: got.get(k) for k in BY_ID[check_id]} == BY_ID[check_id]


def test_area_checks_pass_and_fail_in_the_demo(demo_findings):
    """Every edge and messaging check has a good and a bad demo resource, and none is left
    without a verdict (ERROR: a fake or collector gap; NOT_APPLICABLE: a story element missing)."""
    from srm_nb.checks.catalog import load_catalog

    area = {c.id for c in load_catalog().values() if c.source in AREA_FILES}
    assert len(area) == 29
    mine = demo_findings[demo_findings["check_id"].isin(area)]
    bad = mine[~mine["status"].isin(["PASS", "FAIL"])]
    assert bad.empty, bad[["check_id", "status", "resource_id", "detail"]].to_dict("records")
    seen = mine.groupby("check_id")["status"].agg(set)
    assert {c for c in area if seen.get(c, set()) != {"PASS", "FAIL"}} == set()


def test_the_demo_matrix_shows_the_new_services(demo_run):
    html = (demo_run[0] / "report.html").read_text()
    for name in ("Amazon API Gateway", "Amazon CloudFront", "Amazon SQS", "Amazon SNS"):
        assert name in html, name
