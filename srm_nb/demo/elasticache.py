"""Demo ElastiCache (us-east-1): Northwind's caches, from the well-run session store to a
forgotten leaderboard.

Replication groups:
- `sessions-cache` (Redis OSS 7.1): private subnets, encrypted at rest and in transit (required),
  RBAC user group, automatic failover, 7 days of backups. Everything right.
- `catalog-cache` (Redis OSS 5.0.6): too old for RBAC, but with an AUTH token and TLS.
- `clickstream-buffer` (Redis OSS 6.2): TLS still in "preferred" mode (plaintext accepted) and a
  shared AUTH token instead of RBAC users.
- `legacy-leaderboard` (Redis OSS 4.0.10): default subnet group, no encryption, no AUTH, no
  failover, no backups, no automatic minor upgrades.
Standalone clusters: `feature-flags` (Redis OSS, no backups), `rate-limiter` (Redis OSS, minor
upgrades off) and `pricing-memcached` (Memcached, default subnet group).

AWS lists each member of a replication group as a cache cluster (`<group>-001`...), which is where
a group's engine version is read; moto 5.2.5 does not, so the members are created here as the
cache clusters AWS would show.
"""

from __future__ import annotations

from . import DemoAws
from .vpc import find_subnet

REGION = "us-east-1"
NODE = "cache.t4g.small"
PRIVATE_GROUP = "northwind-cache-private"

# group id: (engine, version, members, create_replication_group settings)
GROUPS = {
    "sessions-cache": ("redis", "7.1", 2, {
        "AutomaticFailoverEnabled": True, "MultiAZEnabled": True, "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True, "TransitEncryptionMode": "required",
        "UserGroupIds": ["northwind-app-users"], "SnapshotRetentionLimit": 7,
        "CacheSubnetGroupName": PRIVATE_GROUP, "AutoMinorVersionUpgrade": True}),
    "catalog-cache": ("redis", "5.0.6", 2, {
        "AutomaticFailoverEnabled": True, "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True, "AuthToken": "catalog-demo-token-0001",
        "SnapshotRetentionLimit": 1, "CacheSubnetGroupName": PRIVATE_GROUP,
        "AutoMinorVersionUpgrade": True}),
    "clickstream-buffer": ("redis", "6.2", 2, {
        "AutomaticFailoverEnabled": True, "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True, "TransitEncryptionMode": "preferred",
        "AuthToken": "clickstream-demo-token-01", "SnapshotRetentionLimit": 3,
        "CacheSubnetGroupName": PRIVATE_GROUP, "AutoMinorVersionUpgrade": True}),
    "legacy-leaderboard": ("redis", "4.0.10", 1, {
        "AutomaticFailoverEnabled": False, "AtRestEncryptionEnabled": False,
        "TransitEncryptionEnabled": False, "SnapshotRetentionLimit": 0,
        "CacheSubnetGroupName": "default", "AutoMinorVersionUpgrade": False}),
}
# cluster id: (engine, version, subnet group, automatic minor upgrades, backup retention days)
STANDALONE = {
    "feature-flags": ("redis", "7.1", PRIVATE_GROUP, True, 0),
    "rate-limiter": ("redis", "7.1", PRIVATE_GROUP, False, 2),
    "pricing-memcached": ("memcached", "1.6.22", "default", True, 0),
}


def seed(aws: DemoAws) -> None:
    ec = aws.client("elasticache", REGION)
    ec2 = aws.client("ec2", REGION)
    ec.create_cache_subnet_group(
        CacheSubnetGroupName=PRIVATE_GROUP, CacheSubnetGroupDescription="Private cache subnets",
        SubnetIds=[find_subnet(ec2, "prod-private-a"), find_subnet(ec2, "prod-private-b")])
    for group, (engine, version, members, settings) in GROUPS.items():
        ec.create_replication_group(ReplicationGroupId=group, ReplicationGroupDescription=group,
                                    Engine=engine, EngineVersion=version, CacheNodeType=NODE,
                                    NumCacheClusters=members, **settings)
        for n in range(1, members + 1):
            ec.create_cache_cluster(
                CacheClusterId=f"{group}-{n:03d}", ReplicationGroupId=group, Engine=engine,
                EngineVersion=version, CacheNodeType=NODE, NumCacheNodes=1,
                CacheSubnetGroupName=settings["CacheSubnetGroupName"],
                AutoMinorVersionUpgrade=settings["AutoMinorVersionUpgrade"],
                TransitEncryptionEnabled=settings["TransitEncryptionEnabled"])
    for cluster, (engine, version, subnets, upgrades, days) in STANDALONE.items():
        ec.create_cache_cluster(CacheClusterId=cluster, Engine=engine, EngineVersion=version,
                                CacheNodeType=NODE, NumCacheNodes=1, CacheSubnetGroupName=subnets,
                                AutoMinorVersionUpgrade=upgrades, SnapshotRetentionLimit=days)
