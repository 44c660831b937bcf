"""Demo CloudFront (global; its API answers in us-east-1). Distributions are told apart by comment.

- `northwind-web`: the marketing site bucket (demo/s3.py) through origin access control, with a
  failover origin; the API and an orders function URL (through origin access control) behind
  HTTPS; default root object, standard logging, the `northwind-edge-acl` web ACL and the API
  certificate (demo/acm.py) with SNI and TLSv1.2_2021.
- `northwind-legacy-cdn`, left from 2019: an S3 origin whose bucket was deleted, reached through
  a legacy origin access identity; an application origin over plain HTTP that still offers
  SSLv3; a reports function URL without origin access control; plain HTTP allowed; no root
  object, no logging, no WAF, the default certificate.
- `northwind-downloads`: HTTPS to its origin (match-viewer behind redirect-to-https), logged and
  behind the web ACL, but its viewer policy is still TLSv1.1_2016.
- `northwind-partner-portal`: serves its certificate from dedicated IP addresses for old clients.

moto 5.2.5 keeps neither an origin's S3OriginConfig nor its OriginAccessControlId: FAKES answers
ListDistributions and GetDistributionConfig with moto's own answer plus those two, as AWS
returns them, from S3_ORIGINS and ORIGIN_ACCESS_CONTROLS below.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from . import DEMO_ACCOUNT_ID, DemoAws
from .server import FakeRequest, FakeResponse

ORDER = 80  # after the certificates (demo/acm.py) and the marketing site bucket (demo/s3.py)
DOMAIN = "northwind-analytics.example"
# (distribution comment, origin id) -> the origin access identity of an S3 origin ("" for none).
S3_ORIGINS = {
    ("northwind-web", "marketing-site"): "",
    ("northwind-legacy-cdn", "static-2019"): "origin-access-identity/cloudfront/E2QWRUHAPOMQZL",
}
# (distribution comment, origin id) -> the name of the origin access control that signs for it.
ORIGIN_ACCESS_CONTROLS = {
    ("northwind-web", "marketing-site"): "northwind-s3",
    ("northwind-web", "orders-fn"): "northwind-lambda",
}
_FORWARD = {"MinTTL": 0, "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}}}


def _s3(origin_id: str, bucket: str) -> dict:
    return {"Id": origin_id, "DomainName": f"{bucket}.s3.us-east-1.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""}}


def _custom(origin_id: str, host: str, policy: str = "https-only", protocols=("TLSv1.2",)) -> dict:
    return {"Id": origin_id, "DomainName": host, "CustomOriginConfig": {
        "HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": policy,
        "OriginSslProtocols": {"Quantity": len(protocols), "Items": list(protocols)}}}


def _behavior(target: str, viewer: str, path: str | None = None) -> dict:
    return {**({"PathPattern": path} if path else {}), "TargetOriginId": target,
            "ViewerProtocolPolicy": viewer, **_FORWARD}


def _distribution(cf, comment: str, origins: list, default: dict, behaviors: list | None = None,
                  **extra) -> None:
    behaviors = behaviors or []
    cf.create_distribution(DistributionConfig={
        "CallerReference": comment, "Comment": comment, "Enabled": True,
        "Origins": {"Quantity": len(origins), "Items": origins}, "DefaultCacheBehavior": default,
        "CacheBehaviors": {"Quantity": len(behaviors), "Items": behaviors}, **extra})


def seed(aws: DemoAws) -> None:
    cf = aws.client("cloudfront", "us-east-1")
    for name, kind in (("northwind-s3", "s3"), ("northwind-lambda", "lambda")):
        cf.create_origin_access_control(OriginAccessControlConfig={
            "Name": name, "SigningProtocol": "sigv4", "SigningBehavior": "always",
            "OriginAccessControlOriginType": kind})
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "edge"}
    acl = aws.client("wafv2", "us-east-1").create_web_acl(
        Name="northwind-edge-acl", Scope="CLOUDFRONT", DefaultAction={"Allow": {}},
        VisibilityConfig=visibility, Rules=[])["Summary"]["ARN"]
    certificates = aws.client("acm", "us-east-1").list_certificates()["CertificateSummaryList"]
    cert = next(c["CertificateArn"] for c in certificates if c["DomainName"] == f"api.{DOMAIN}")

    def certificate(method: str, policy: str) -> dict:
        return {"ViewerCertificate": {"ACMCertificateArn": cert, "SSLSupportMethod": method,
                                      "MinimumProtocolVersion": policy}}

    logging = {"Logging": {"Enabled": True, "IncludeCookies": False,
                           "Bucket": "northwind-access-logs.s3.amazonaws.com", "Prefix": "cloudfront/"}}
    _distribution(
        cf, "northwind-web",
        [_s3("marketing-site", "northwind-marketing-site"), _custom("www-backup", f"www-backup.{DOMAIN}"),
         _custom("api", f"api.{DOMAIN}"), _custom("orders-fn", "r7x2k4orders.lambda-url.us-east-1.on.aws")],
        _behavior("marketing-site", "redirect-to-https"),
        [_behavior("site", "https-only", "/site/*"), _behavior("api", "https-only", "/api/*"),
         _behavior("orders-fn", "https-only", "/orders/*")],
        OriginGroups={"Quantity": 1, "Items": [{
            "Id": "site", "FailoverCriteria": {"StatusCodes": {"Quantity": 2, "Items": [500, 503]}},
            "Members": {"Quantity": 2, "Items": [{"OriginId": "marketing-site"}, {"OriginId": "www-backup"}]}}]},
        DefaultRootObject="index.html", WebACLId=acl, Aliases={"Quantity": 1, "Items": [f"www.{DOMAIN}"]},
        **logging, **certificate("sni-only", "TLSv1.2_2021"))
    _distribution(
        cf, "northwind-legacy-cdn",
        [_s3("static-2019", "northwind-static-2019"),
         _custom("legacy-app", f"legacy.{DOMAIN}", "http-only", ("SSLv3", "TLSv1")),
         _custom("reports-fn", "q9w8reports.lambda-url.us-east-1.on.aws")],
        _behavior("static-2019", "allow-all"),
        [_behavior("legacy-app", "allow-all", "/app/*"), _behavior("reports-fn", "https-only", "/reports/*")])
    _distribution(
        cf, "northwind-downloads", [_custom("downloads", f"downloads-origin.{DOMAIN}", "match-viewer")],
        _behavior("downloads", "redirect-to-https"), WebACLId=acl, **logging,
        Aliases={"Quantity": 1, "Items": [f"downloads.{DOMAIN}"]}, **certificate("sni-only", "TLSv1.1_2016"))
    _distribution(
        cf, "northwind-partner-portal", [_custom("portal", f"partner-origin.{DOMAIN}")],
        _behavior("portal", "https-only"), Aliases={"Quantity": 1, "Items": [f"partners.{DOMAIN}"]},
        **certificate("vip", "TLSv1"))


def _with_origin_access(req: FakeRequest) -> FakeResponse | None:
    """moto's answer, plus each story origin's S3OriginConfig and OriginAccessControlId."""
    from moto.cloudfront.models import cloudfront_backends

    status, _, body = req.forward()
    if not status.startswith("200"):
        return None
    controls = {c.name: c.id for c in cloudfront_backends[DEMO_ACCOUNT_ID]["aws"].origin_access_controls.values()}
    root = ET.fromstring(body)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    ET.register_namespace("", ns.strip("{}"))
    distributions = [root] if root.tag == f"{ns}DistributionConfig" else root.iter(f"{ns}DistributionSummary")
    for dist in distributions:
        comment = dist.findtext(f"{ns}Comment")
        for origin in dist.iter(f"{ns}Origin"):
            key = (comment, origin.findtext(f"{ns}Id"))
            if key in S3_ORIGINS:
                config = ET.SubElement(origin, f"{ns}S3OriginConfig")
                ET.SubElement(config, f"{ns}OriginAccessIdentity").text = S3_ORIGINS[key]
            if key in ORIGIN_ACCESS_CONTROLS:
                ET.SubElement(origin, f"{ns}OriginAccessControlId").text = controls[ORIGIN_ACCESS_CONTROLS[key]]
    return FakeResponse(ET.tostring(root, encoding="unicode"), content_type="text/xml")


FAKES = {("cloudfront", "ListDistributions"): _with_origin_access,
         ("cloudfront", "GetDistributionConfig"): _with_origin_access}
