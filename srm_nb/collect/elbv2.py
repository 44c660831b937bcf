"""Elastic Load Balancing v2 (ALB, NLB, GWLB): load balancers, listeners, attributes, and the
TLS protocols of each predefined security policy."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json


@collector(
    "elbv2",
    service="elbv2",
    scope=REGIONAL,
    operations=("DescribeLoadBalancers", "DescribeListeners", "DescribeLoadBalancerAttributes",
                "DescribeSSLPolicies"),
    iam_prefix="elasticloadbalancing",
    tables={
        "elbv2_load_balancers": ("region", "name", "arn", "type", "scheme", "vpc_id", "dns_name",
                                 "state", "security_group_ids_json", "created_time"),
        "elbv2_listeners": ("region", "listener_id", "listener_arn", "load_balancer_name",
                            "load_balancer_arn", "load_balancer_type", "port", "protocol",
                            "ssl_policy", "default_actions_json"),
        "elbv2_load_balancer_attributes": ("region", "name", "arn", "type",
                                           "drop_invalid_header_fields", "deletion_protection",
                                           "access_logs_enabled", "attributes_json"),
        "elbv2_ssl_policies": ("region", "name", "ssl_protocols_json"),
    },
)
def collect_elbv2(ctx: Ctx) -> None:
    """Load balancers, then per load balancer its listeners and attributes; SSL policies."""
    lbs = ctx.paginate("DescribeLoadBalancers", "LoadBalancers",
                       table=("elbv2_load_balancers", "elbv2_listeners", "elbv2_load_balancer_attributes"))
    ctx.add("elbv2_load_balancers", [{
        "name": lb["LoadBalancerName"],
        "arn": lb["LoadBalancerArn"],
        "type": lb.get("Type"),
        "scheme": lb.get("Scheme"),
        "vpc_id": lb.get("VpcId"),
        "dns_name": lb.get("DNSName"),
        "state": (lb.get("State") or {}).get("Code"),
        "security_group_ids_json": to_json(lb.get("SecurityGroups", [])),
        "created_time": lb.get("CreatedTime"),
    } for lb in lbs or []])
    for lb in lbs or []:
        name, arn = lb["LoadBalancerName"], lb["LoadBalancerArn"]
        listeners = ctx.paginate("DescribeListeners", "Listeners", table="elbv2_listeners",
                                 resource_id=name, LoadBalancerArn=arn)
        ctx.add("elbv2_listeners", [{
            "listener_id": f"{name}:{li.get('Port')}",
            "listener_arn": li.get("ListenerArn"),
            "load_balancer_name": name,
            "load_balancer_arn": arn,
            "load_balancer_type": lb.get("Type"),
            "port": li.get("Port"),
            "protocol": li.get("Protocol"),
            "ssl_policy": li.get("SslPolicy"),
            "default_actions_json": to_json(li.get("DefaultActions", [])),
        } for li in listeners or []])
        attrs = ctx.call("DescribeLoadBalancerAttributes", table="elbv2_load_balancer_attributes",
                         resource_id=name, LoadBalancerArn=arn)
        if attrs is None:
            continue
        values = {a["Key"]: a.get("Value") for a in attrs.get("Attributes", [])}
        ctx.add("elbv2_load_balancer_attributes", {
            "name": name,
            "arn": arn,
            "type": lb.get("Type"),
            # An attribute AWS does not return is at its default, which is "false" for these.
            "drop_invalid_header_fields": values.get("routing.http.drop_invalid_header_fields.enabled") == "true",
            "deletion_protection": values.get("deletion_protection.enabled") == "true",
            "access_logs_enabled": values.get("access_logs.s3.enabled") == "true",
            "attributes_json": to_json(values),
        })
    policies = ctx.paginate("DescribeSSLPolicies", "SslPolicies", table="elbv2_ssl_policies")
    ctx.add("elbv2_ssl_policies", [{
        "name": p.get("Name"),
        "ssl_protocols_json": to_json(p.get("SslProtocols", [])),
    } for p in policies or []])
