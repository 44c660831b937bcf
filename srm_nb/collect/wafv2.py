"""AWS WAF (v2): regional web ACLs and the load balancers each one protects."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

ACL_TABLES = ("wafv2_web_acls", "wafv2_web_acl_resources")


def list_by_marker(ctx: Ctx, operation: str, key: str, *, table, **params) -> list | None:
    """WAFv2 list calls page with NextMarker but boto3 has no paginator for them: loop here,
    and return None (gap recorded) when any page fails, never a partial list."""
    items: list = []
    marker = None
    while True:
        page = ctx.call(operation, table=table, **params, **({"NextMarker": marker} if marker else {}))
        if page is None:
            return None
        items.extend(page.get(key, []))
        marker = page.get("NextMarker")
        if not marker or not page.get(key):
            return items


@collector(
    "wafv2",
    service="wafv2",
    scope=REGIONAL,
    operations=("ListWebACLs", "ListResourcesForWebACL", "GetWebACL", "ListLoggingConfigurations"),
    tables={
        "wafv2_web_acls": ("region", "name", "id", "arn", "description"),
        "wafv2_web_acl_resources": ("region", "web_acl_name", "web_acl_arn", "resource_arn"),
        "wafv2_web_acl_details": ("region", "name", "arn", "default_action", "rule_count", "rules_json"),
        "wafv2_logging_configurations": ("region", "web_acl_arn", "destinations_json"),
    },
)
def collect_wafv2(ctx: Ctx) -> None:
    """Regional web ACLs, their rules, their associated Application Load Balancers, and which
    ones log."""
    acls = list_by_marker(ctx, "ListWebACLs", "WebACLs", table=ACL_TABLES + ("wafv2_web_acl_details",),
                          Scope="REGIONAL", Limit=100)
    ctx.add("wafv2_web_acls", [{
        "name": a.get("Name"),
        "id": a.get("Id"),
        "arn": a.get("ARN"),
        "description": a.get("Description"),
    } for a in acls or []])
    for a in acls or []:
        # Any load balancer of the region might be behind this ACL: when the call fails, the whole
        # region's association data is incomplete, not one resource's (no resource_id).
        found = ctx.call("ListResourcesForWebACL", table="wafv2_web_acl_resources",
                         WebACLArn=a["ARN"], ResourceType="APPLICATION_LOAD_BALANCER")
        if found is None:
            continue
        ctx.add("wafv2_web_acl_resources", [{
            "web_acl_name": a.get("Name"),
            "web_acl_arn": a["ARN"],
            "resource_arn": arn,
        } for arn in found.get("ResourceArns", [])])
    for a in acls or []:
        got = ctx.call("GetWebACL", table="wafv2_web_acl_details", resource_id=a.get("Name", ""),
                       Name=a["Name"], Scope="REGIONAL", Id=a["Id"])
        if got is None:
            continue
        acl = got.get("WebACL", {})
        rules = acl.get("Rules", [])
        ctx.add("wafv2_web_acl_details", {
            "name": a["Name"],
            "arn": a["ARN"],
            "default_action": next(iter(acl.get("DefaultAction") or {}), None),
            "rule_count": len(rules),
            "rules_json": to_json([{"Name": r.get("Name"), "Priority": r.get("Priority"),
                                    "Statement": r.get("Statement")} for r in rules]),
        })
    logging = list_by_marker(ctx, "ListLoggingConfigurations", "LoggingConfigurations",
                             table="wafv2_logging_configurations", Scope="REGIONAL", Limit=100)
    ctx.add("wafv2_logging_configurations", [{
        "web_acl_arn": c.get("ResourceArn"),
        "destinations_json": to_json(c.get("LogDestinationConfigs", [])),
    } for c in logging or []])
