"""ElastiCache: cache clusters (every node group member of a replication group is one too) and
replication groups (Redis OSS and Valkey).

A replication group carries no engine version: its member clusters do, so the checks read a
group's version through `elasticache_clusters.replication_group_id`. Yes/no settings are stored
as AWS gave them (None when absent), so a value AWS did not return is never read as "off".
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json


@collector(
    "elasticache",
    service="elasticache",
    scope=REGIONAL,
    operations=("DescribeCacheClusters", "DescribeReplicationGroups"),
    tables={
        "elasticache_clusters": ("region", "cache_cluster_id", "arn", "engine", "engine_version",
                                 "status", "replication_group_id", "cache_subnet_group_name",
                                 "auto_minor_version_upgrade", "snapshot_retention_limit",
                                 "transit_encryption_enabled", "at_rest_encryption_enabled",
                                 "auth_token_enabled", "security_group_ids_json"),
        "elasticache_replication_groups": ("region", "replication_group_id", "arn", "engine",
                                           "status", "member_clusters_json", "automatic_failover",
                                           "multi_az", "snapshot_retention_limit",
                                           "at_rest_encryption_enabled", "kms_key_id",
                                           "transit_encryption_enabled", "transit_encryption_mode",
                                           "auth_token_enabled", "user_group_ids_json"),
    },
)
def collect_elasticache(ctx: Ctx) -> None:
    """Cache clusters and replication groups: engine and version, subnet group, backups, minor
    version upgrades, failover, encryption at rest and in transit, AUTH and RBAC user groups."""
    clusters = ctx.paginate("DescribeCacheClusters", "CacheClusters", table="elasticache_clusters")
    ctx.add("elasticache_clusters", [{
        "cache_cluster_id": c["CacheClusterId"],
        "arn": c.get("ARN") or ctx.arn("elasticache", f"cluster:{c['CacheClusterId']}"),
        "engine": c.get("Engine"),
        "engine_version": c.get("EngineVersion"),
        "status": c.get("CacheClusterStatus"),
        "replication_group_id": c.get("ReplicationGroupId"),
        "cache_subnet_group_name": c.get("CacheSubnetGroupName"),
        "auto_minor_version_upgrade": c.get("AutoMinorVersionUpgrade"),
        "snapshot_retention_limit": c.get("SnapshotRetentionLimit"),
        "transit_encryption_enabled": c.get("TransitEncryptionEnabled"),
        "at_rest_encryption_enabled": c.get("AtRestEncryptionEnabled"),
        "auth_token_enabled": c.get("AuthTokenEnabled"),
        "security_group_ids_json": to_json([g.get("SecurityGroupId") for g in c.get("SecurityGroups") or []]),
    } for c in clusters or []])
    groups = ctx.paginate("DescribeReplicationGroups", "ReplicationGroups",
                          table="elasticache_replication_groups")
    ctx.add("elasticache_replication_groups", [{
        "replication_group_id": g["ReplicationGroupId"],
        "arn": g.get("ARN") or ctx.arn("elasticache", f"replicationgroup:{g['ReplicationGroupId']}"),
        "engine": g.get("Engine"),
        "status": g.get("Status"),
        "member_clusters_json": to_json(g.get("MemberClusters") or []),
        "automatic_failover": g.get("AutomaticFailover"),  # enabled | disabled | enabling | disabling
        "multi_az": g.get("MultiAZ"),
        "snapshot_retention_limit": g.get("SnapshotRetentionLimit"),
        "at_rest_encryption_enabled": g.get("AtRestEncryptionEnabled"),
        "kms_key_id": g.get("KmsKeyId"),
        "transit_encryption_enabled": g.get("TransitEncryptionEnabled"),
        "transit_encryption_mode": g.get("TransitEncryptionMode"),  # required | preferred
        "auth_token_enabled": g.get("AuthTokenEnabled"),
        "user_group_ids_json": to_json(g.get("UserGroupIds") or []),
    } for g in groups or []])
