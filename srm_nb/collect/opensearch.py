"""OpenSearch Service: domains of both engines (OpenSearch, and legacy Elasticsearch domains,
which the same API serves), with their encryption, network placement, access control, logging,
TLS policy, cluster layout and service software.

ListDomainNames has no details; DescribeDomains answers for up to five domains at a time. The
engine comes from EngineVersion ("OpenSearch_2.11", "Elasticsearch_7.10").
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

DESCRIBE_BATCH = 5  # DescribeDomains' limit on names per request


@collector(
    "opensearch",
    service="opensearch",
    scope=REGIONAL,
    operations=("ListDomainNames", "DescribeDomains"),
    tables={
        "opensearch_domains": ("region", "domain_name", "arn", "engine", "engine_version",
                               "encryption_at_rest", "kms_key_id", "node_to_node_encryption",
                               "vpc_id", "subnet_ids_json", "fine_grained_access_control",
                               "anonymous_auth_enabled", "audit_logs_enabled",
                               "application_logs_enabled", "enforce_https", "tls_security_policy",
                               "instance_count", "zone_awareness_enabled",
                               "dedicated_master_enabled", "dedicated_master_count",
                               "update_available", "update_status", "access_policies_json"),
    },
)
def collect_opensearch(ctx: Ctx) -> None:
    """Every domain's security configuration, described five domains per request."""
    names = ctx.paginate("ListDomainNames", "DomainNames", table="opensearch_domains")
    names = sorted(d["DomainName"] for d in names or [])
    batches = [tuple(names[i:i + DESCRIBE_BATCH]) for i in range(0, len(names), DESCRIBE_BATCH)]
    for batch in batches:
        found = ctx.call("DescribeDomains", table="opensearch_domains", resource_id=batch,
                         DomainNames=list(batch))
        if found is not None:
            ctx.add("opensearch_domains", [_row(d) for d in found.get("DomainStatusList", [])])


def _log_enabled(options: dict, kind: str) -> bool:
    """A log type is published when it is enabled and names its CloudWatch Logs group."""
    log = (options or {}).get(kind) or {}
    return bool(log.get("Enabled")) and bool(log.get("CloudWatchLogsLogGroupArn"))


def _row(d: dict) -> dict:
    version = d.get("EngineVersion") or ""
    vpc = d.get("VPCOptions") or {}
    cluster = d.get("ClusterConfig") or {}
    endpoint = d.get("DomainEndpointOptions") or {}
    security = d.get("AdvancedSecurityOptions") or {}
    software = d.get("ServiceSoftwareOptions") or {}
    logs = d.get("LogPublishingOptions") or {}
    return {
        "domain_name": d["DomainName"],
        "arn": d.get("ARN"),
        "engine": "Elasticsearch" if version.startswith("Elasticsearch") else "OpenSearch",
        "engine_version": version,
        "encryption_at_rest": (d.get("EncryptionAtRestOptions") or {}).get("Enabled"),
        "kms_key_id": (d.get("EncryptionAtRestOptions") or {}).get("KmsKeyId"),
        "node_to_node_encryption": (d.get("NodeToNodeEncryptionOptions") or {}).get("Enabled"),
        "vpc_id": vpc.get("VPCId"),
        "subnet_ids_json": to_json(vpc.get("SubnetIds") or []),
        "fine_grained_access_control": security.get("Enabled"),
        "anonymous_auth_enabled": security.get("AnonymousAuthEnabled"),
        "audit_logs_enabled": _log_enabled(logs, "AUDIT_LOGS"),
        "application_logs_enabled": _log_enabled(logs, "ES_APPLICATION_LOGS"),
        "enforce_https": endpoint.get("EnforceHTTPS"),
        "tls_security_policy": endpoint.get("TLSSecurityPolicy"),
        "instance_count": cluster.get("InstanceCount"),
        "zone_awareness_enabled": cluster.get("ZoneAwarenessEnabled"),
        "dedicated_master_enabled": cluster.get("DedicatedMasterEnabled"),
        "dedicated_master_count": cluster.get("DedicatedMasterCount"),
        "update_available": software.get("UpdateAvailable"),
        "update_status": software.get("UpdateStatus"),
        "access_policies_json": d.get("AccessPolicies") or None,
    }
