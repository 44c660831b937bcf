"""CloudFront: distributions, their origins, cache behaviors and origin groups, and the settings
only the full configuration holds (default root object, standard logging).

CloudFront is global: its API answers in the partition's home region and the rows are "global".
ListDistributions answers most of each distribution's configuration; GetDistributionConfig is
read per distribution for the rest, a few at a time.
"""

from __future__ import annotations

from .base import GLOBAL, Ctx, collector, to_json

DISTRIBUTION_WORKERS = 4
LIST_TABLES = ("cloudfront_distributions", "cloudfront_origins", "cloudfront_cache_behaviors",
               "cloudfront_origin_groups", "cloudfront_distribution_configs")
DEFAULT_BEHAVIOR = "(default)"  # the path pattern we give the default cache behavior


@collector(
    "cloudfront",
    service="cloudfront",
    scope=GLOBAL,
    operations=("ListDistributions", "GetDistributionConfig"),
    tables={
        "cloudfront_distributions": ("region", "id", "arn", "domain_name", "comment", "enabled",
                                     "aliases_json", "web_acl_id", "acm_certificate_arn",
                                     "iam_certificate_id", "ssl_support_method", "minimum_protocol_version"),
        "cloudfront_origins": ("region", "distribution_id", "origin_id", "domain_name", "s3_origin",
                               "origin_access_identity", "origin_access_control_id", "custom_origin",
                               "origin_protocol_policy", "origin_ssl_protocols_json"),
        "cloudfront_cache_behaviors": ("region", "distribution_id", "path_pattern", "target_origin_id",
                                       "viewer_protocol_policy"),
        "cloudfront_origin_groups": ("region", "distribution_id", "group_id", "member_origin_ids_json"),
        "cloudfront_distribution_configs": ("region", "distribution_id", "default_root_object",
                                            "logging_enabled", "logging_bucket"),
    },
)
def collect_distributions(ctx: Ctx) -> None:
    """Every distribution with its viewer certificate and WAF, origins (S3 access, protocols),
    cache behaviors (viewer protocol), origin groups, default root object and logging."""
    summaries = _list_distributions(ctx)
    if summaries is None:
        return
    for d in summaries:
        _add_summary(ctx, d)
    ctx.map(lambda d: _add_config(ctx, d["Id"]), summaries, workers=DISTRIBUTION_WORKERS)


def _list_distributions(ctx: Ctx) -> list | None:
    """boto3's paginator for ListDistributions nests its items (DistributionList.Items), which
    `ctx.paginate` does not read: page by Marker here; None (gap recorded) if any page fails."""
    found: list = []
    marker = None
    while True:
        page = ctx.call("ListDistributions", table=LIST_TABLES, MaxItems="100",
                        **({"Marker": marker} if marker else {}))
        if page is None:
            return None
        listing = page.get("DistributionList") or {}
        found.extend(listing.get("Items") or [])
        marker = listing.get("NextMarker")
        if not listing.get("IsTruncated") or not marker:
            return found


def _items(container: dict | None) -> list:
    """CloudFront wraps every list as {"Quantity": n, "Items": [...]}."""
    return list((container or {}).get("Items") or [])


def _add_summary(ctx: Ctx, d: dict) -> None:
    dist_id = d["Id"]
    cert = d.get("ViewerCertificate") or {}
    ctx.add("cloudfront_distributions", {
        "id": dist_id,
        "arn": d.get("ARN") or ctx.arn("cloudfront", f"distribution/{dist_id}", region=GLOBAL),
        "domain_name": d.get("DomainName"),
        "comment": d.get("Comment"),
        "enabled": bool(d.get("Enabled", False)),
        "aliases_json": to_json(_items(d.get("Aliases"))),
        "web_acl_id": d.get("WebACLId") or None,
        "acm_certificate_arn": cert.get("ACMCertificateArn") or None,
        "iam_certificate_id": cert.get("IAMCertificateId") or None,
        "ssl_support_method": cert.get("SSLSupportMethod"),
        "minimum_protocol_version": cert.get("MinimumProtocolVersion"),
    })
    origins = []
    for o in _items(d.get("Origins")):
        s3, custom = o.get("S3OriginConfig"), o.get("CustomOriginConfig")
        origins.append({
            "distribution_id": dist_id,
            "origin_id": o.get("Id"),
            "domain_name": o.get("DomainName"),
            "s3_origin": s3 is not None,
            "origin_access_identity": (s3 or {}).get("OriginAccessIdentity") or None,
            "origin_access_control_id": o.get("OriginAccessControlId") or None,
            "custom_origin": custom is not None,
            "origin_protocol_policy": (custom or {}).get("OriginProtocolPolicy"),
            "origin_ssl_protocols_json": to_json(_items((custom or {}).get("OriginSslProtocols")))
            if custom is not None else None,
        })
    ctx.add("cloudfront_origins", origins)
    default = d.get("DefaultCacheBehavior") or {}
    behaviors = [{**default, "PathPattern": DEFAULT_BEHAVIOR}] if default else []
    ctx.add("cloudfront_cache_behaviors", [{
        "distribution_id": dist_id,
        "path_pattern": b.get("PathPattern"),
        "target_origin_id": b.get("TargetOriginId"),
        "viewer_protocol_policy": b.get("ViewerProtocolPolicy"),
    } for b in behaviors + _items(d.get("CacheBehaviors"))])
    ctx.add("cloudfront_origin_groups", [{
        "distribution_id": dist_id,
        "group_id": g.get("Id"),
        "member_origin_ids_json": to_json([m.get("OriginId") for m in _items(g.get("Members"))]),
    } for g in _items(d.get("OriginGroups"))])


def _add_config(ctx: Ctx, dist_id: str) -> None:
    got = ctx.call("GetDistributionConfig", table="cloudfront_distribution_configs",
                   resource_id=dist_id, Id=dist_id)
    if got is None:
        return
    config = got.get("DistributionConfig") or {}
    logging = config.get("Logging") or {}
    ctx.add("cloudfront_distribution_configs", {
        "distribution_id": dist_id,
        "default_root_object": config.get("DefaultRootObject") or None,
        # Standard logging (legacy), the only kind the distribution's configuration shows.
        "logging_enabled": bool(logging.get("Enabled", False)),
        "logging_bucket": logging.get("Bucket") or None,
    })
