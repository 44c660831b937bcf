"""ElastiCache: clusters and replication groups collected from moto, every check PASS and FAIL,
and the edge cases on hand-built tables (versions not read, Valkey, regions, missing values)."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from srm_nb.checks.catalog import load_catalog
from srm_nb.checks.runner import run_check
from test_data_protection_support import collect_moto, verdicts
from test_ec2_checks import run, snapshot

NODE = {"CacheNodeType": "cache.t4g.small"}


def _group(ec, gid, engine, version, members=1, subnet="private", upgrades=True, **settings):
    """A replication group and its member clusters, as AWS lists them (moto creates no members)."""
    ec.create_replication_group(ReplicationGroupId=gid, ReplicationGroupDescription=gid, Engine=engine,
                                EngineVersion=version, NumCacheClusters=members, **NODE, **settings)
    for n in range(1, members + 1):
        ec.create_cache_cluster(CacheClusterId=f"{gid}-{n:03d}", ReplicationGroupId=gid, Engine=engine,
                                EngineVersion=version, NumCacheNodes=1, CacheSubnetGroupName=subnet,
                                AutoMinorVersionUpgrade=upgrades, **NODE)


@pytest.fixture(scope="module")
def seeded():
    with mock_aws():
        ec = boto3.client("elasticache", region_name="us-east-1")
        _group(ec, "good-rg", "redis", "7.1", members=2, AutomaticFailoverEnabled=True,
               AtRestEncryptionEnabled=True, TransitEncryptionEnabled=True, TransitEncryptionMode="required",
               UserGroupIds=["app-users"], SnapshotRetentionLimit=5)
        _group(ec, "old-rg", "redis", "5.0.6", subnet="default", upgrades=False, AutomaticFailoverEnabled=False,
               AtRestEncryptionEnabled=False, TransitEncryptionEnabled=False, SnapshotRetentionLimit=0)
        _group(ec, "old-auth-rg", "redis", "5.0.6", AutomaticFailoverEnabled=True, AtRestEncryptionEnabled=True,
               TransitEncryptionEnabled=True, AuthToken="a-demo-token-of-16+chars", SnapshotRetentionLimit=1)
        _group(ec, "preferred-rg", "redis", "6.2", AutomaticFailoverEnabled=True, AtRestEncryptionEnabled=True,
               TransitEncryptionEnabled=True, TransitEncryptionMode="preferred",
               AuthToken="another-token-of-16+chars", SnapshotRetentionLimit=1)
        ec.create_cache_cluster(CacheClusterId="backed-up", Engine="redis", EngineVersion="7.1", NumCacheNodes=1,
                                CacheSubnetGroupName="private", AutoMinorVersionUpgrade=True,
                                SnapshotRetentionLimit=3, **NODE)
        ec.create_cache_cluster(CacheClusterId="no-backup", Engine="redis", EngineVersion="7.1", NumCacheNodes=1,
                                CacheSubnetGroupName="private", AutoMinorVersionUpgrade=False,
                                SnapshotRetentionLimit=0, **NODE)
        ec.create_cache_cluster(CacheClusterId="memcached", Engine="memcached", EngineVersion="1.6.22",
                                NumCacheNodes=2, CacheSubnetGroupName="default", **NODE)
        return collect_moto("elasticache")


def test_collector_tables(seeded):
    clusters = seeded.tables["elasticache_clusters"].set_index("cache_cluster_id")
    assert clusters.loc["good-rg-002", "replication_group_id"] == "good-rg"
    assert clusters.loc["old-rg-001", "engine_version"] == "5.0.6"
    assert clusters.loc["memcached", "cache_subnet_group_name"] == "default"
    assert not bool(clusters.loc["no-backup", "auto_minor_version_upgrade"])
    groups = seeded.tables["elasticache_replication_groups"].set_index("replication_group_id")
    assert json.loads(groups.loc["good-rg", "user_group_ids_json"]) == ["app-users"]
    assert groups.loc["preferred-rg", "transit_encryption_mode"] == "preferred"
    assert groups.loc["old-rg", "automatic_failover"] == "disabled"
    assert bool(groups.loc["old-auth-rg", "auth_token_enabled"])
    assert seeded.tables["gaps"].empty


@pytest.mark.parametrize("check_id, expected", [
    ("elasticache_cluster_backup_enabled", {"backed-up": "PASS", "no-backup": "FAIL", "memcached": None,
                                            "good-rg-001": None}),
    ("elasticache_replication_group_backup_enabled", {"good-rg": "PASS", "old-auth-rg": "PASS", "old-rg": "FAIL"}),
    ("elasticache_cluster_auto_minor_version_upgrade", {"good-rg-001": "PASS", "old-rg-001": "FAIL",
                                                        "no-backup": "FAIL", "memcached": None}),
    ("elasticache_cluster_custom_subnet_group", {"good-rg-001": "PASS", "old-rg-001": "FAIL", "memcached": "FAIL"}),
    ("elasticache_replication_group_automatic_failover", {"good-rg": "PASS", "old-rg": "FAIL"}),
    ("elasticache_replication_group_encrypted_at_rest", {"good-rg": "PASS", "old-rg": "FAIL"}),
    ("elasticache_replication_group_encrypted_in_transit", {"good-rg": "PASS", "old-auth-rg": "PASS",
                                                            "preferred-rg": "FAIL", "old-rg": "FAIL"}),
    ("elasticache_replication_group_auth_enabled", {"old-auth-rg": "PASS", "old-rg": "FAIL", "good-rg": None,
                                                    "preferred-rg": None}),
    ("elasticache_replication_group_rbac_enabled", {"good-rg": "PASS", "preferred-rg": "FAIL", "old-rg": None}),
])
def test_checks_on_collected_caches(seeded, check_id, expected):
    got = verdicts(seeded, check_id)
    assert {k: got.get(k) for k in expected} == expected


def _rg(gid, region="us-east-1", **values):
    return {"region": region, "replication_group_id": gid, "arn": f"arn:aws:elasticache:{region}:1:replicationgroup:{gid}",
            "engine": "redis", "user_group_ids_json": "[]", **values}


def _member(gid, version, region="us-east-1"):
    return {"region": region, "cache_cluster_id": f"{gid}-001", "arn": "a", "engine": "redis",
            "engine_version": version, "replication_group_id": gid}


def test_a_group_whose_version_was_not_read_is_judged_only_when_auth_decides():
    """No member cluster was read: an AUTH token passes ElastiCache.6 whatever the version; without
    one, neither ElastiCache.6 nor RBAC can tell whether they apply."""
    s = snapshot(elasticache_replication_groups=[_rg("with-token", auth_token_enabled=True),
                                                 _rg("no-token", auth_token_enabled=False)],
                 elasticache_clusters=[])
    assert run(s, "elasticache_replication_group_auth_enabled") == {"with-token": "PASS", "no-token": "ERROR"}
    assert run(s, "elasticache_replication_group_rbac_enabled") == {"with-token": "ERROR", "no-token": "ERROR"}


def test_valkey_groups_are_judged_on_rbac_only():
    s = snapshot(elasticache_replication_groups=[_rg("valkey-rbac", engine="valkey", user_group_ids_json='["ug"]'),
                                                 _rg("valkey-open", engine="valkey", auth_token_enabled=False)],
                 elasticache_clusters=[])
    assert run(s, "elasticache_replication_group_rbac_enabled") == {"valkey-rbac": "PASS", "valkey-open": "FAIL"}
    assert set(run(s, "elasticache_replication_group_auth_enabled").values()) == {"NOT_APPLICABLE"}


def test_a_group_takes_the_version_of_its_own_region_and_its_oldest_member():
    """The same group id in two regions: each is judged by its own members; during an upgrade
    the oldest member decides."""
    s = snapshot(elasticache_replication_groups=[_rg("cache", auth_token_enabled=False),
                                                 _rg("cache", region="eu-west-1", auth_token_enabled=False)],
                 elasticache_clusters=[_member("cache", "7.1"), _member("cache", "5.0.6", region="eu-west-1"),
                                       {**_member("cache", "6.2", region="eu-west-1"), "cache_cluster_id": "cache-002"}])
    assert _by_region(s, "elasticache_replication_group_auth_enabled") == [("eu-west-1", "FAIL")]
    assert _by_region(s, "elasticache_replication_group_rbac_enabled") == [("us-east-1", "FAIL")]


def _by_region(s, check_id):
    r = run_check(load_catalog()[check_id], s)
    return sorted(zip(r["region"], r["status"]))


def test_a_missing_upgrade_setting_is_an_error_not_a_failure():
    s = snapshot(elasticache_clusters=[{"cache_cluster_id": "c", "arn": "a", "engine": "redis",
                                        "auto_minor_version_upgrade": None}])
    assert run(s, "elasticache_cluster_auto_minor_version_upgrade") == {"c": "ERROR"}


def test_a_failed_listing_is_an_error_for_the_region():
    gap = {"table": "elasticache_replication_groups", "region": "us-east-1", "resource_id": "",
           "service": "elasticache", "operation": "DescribeReplicationGroups", "status": "denied",
           "error_code": "AccessDenied", "message": "no"}
    s = snapshot(gaps=[gap], elasticache_replication_groups=[], elasticache_clusters=[])
    assert set(run(s, "elasticache_replication_group_encrypted_at_rest").values()) == {"ERROR"}
