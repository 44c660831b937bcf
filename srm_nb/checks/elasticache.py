"""ElastiCache: backups, minor version upgrades, failover, encryption at rest and in transit,
authentication (AUTH before Redis OSS 6, RBAC user groups from 6 on) and subnet groups.

Two resource kinds, as in Security Hub: cache clusters (standalone clusters and every member of a
replication group) and replication groups (Redis OSS and Valkey). A replication group's engine
version is its member clusters' (the lowest, while an upgrade is under way): AWS reports it on
the members only.
"""

from __future__ import annotations

import pandas as pd

from .base import flag, parse_json, verdicts

KEY_VALUE_ENGINES = ("redis", "valkey")  # memcached has no backups, AUTH tokens or RBAC
MIN_BACKUP_DAYS = 1  # Security Hub's default for ElastiCache.1 (snapshotRetentionPeriod)
RBAC_FROM_MAJOR = 6  # Redis OSS 6.0 brought ACLs (RBAC); earlier versions only have AUTH


def _text(series: pd.Series) -> pd.Series:
    """Lower-case text, NA where the value is missing (so comparisons stay NA, not False)."""
    return series.astype("string").str.strip().str.lower()


def _major(versions: pd.Series) -> pd.Series:
    """Major engine version ("5.0.6" -> 5); NA when unknown."""
    return pd.to_numeric(versions.astype("string").str.extract(r"^(\d+)", expand=False),
                         errors="coerce").astype("Float64")


def _key_value_clusters(s) -> pd.DataFrame:
    c = s.table("elasticache_clusters")
    return c[_text(c["engine"]).isin(KEY_VALUE_ENGINES).fillna(False)].copy()


def _groups(s) -> pd.DataFrame:
    """Replication groups with `version_major` (from their member clusters) and `engine_name`
    (groups only exist for Redis OSS and Valkey; an engine AWS did not state is Redis OSS)."""
    g = s.table("elasticache_replication_groups").copy()
    c = s.table("elasticache_clusters")
    members = c[c["replication_group_id"].notna()]
    lowest = (members.assign(major=_major(members["engine_version"]))
              .groupby(["region", "replication_group_id"])["major"].min())
    keys = pd.MultiIndex.from_frame(g[["region", "replication_group_id"]])
    g["version_major"] = pd.Series(lowest.reindex(keys).to_numpy(), index=g.index, dtype="Float64")
    g["engine_name"] = _text(g["engine"]).fillna("redis")
    return g


def elasticache_cluster_backup_enabled(s) -> pd.DataFrame:
    """Standalone clusters only: a replication group's backups are the group's setting."""
    c = _key_value_clusters(s)
    c = c[c["replication_group_id"].isna()]
    days = pd.to_numeric(c["snapshot_retention_limit"], errors="coerce").astype("Float64")
    return verdicts(c, days >= MIN_BACKUP_DAYS, resource_id="cache_cluster_id",
                    pass_detail="Cache cluster {cache_cluster_id} ({engine}) keeps automatic backups for {snapshot_retention_limit} day(s).",
                    fail_detail="Cache cluster {cache_cluster_id} ({engine}) has no automatic backups (retention {snapshot_retention_limit} days): a node failure or a bad write loses the data.")


def elasticache_replication_group_backup_enabled(s) -> pd.DataFrame:
    g = _groups(s)
    days = pd.to_numeric(g["snapshot_retention_limit"], errors="coerce").astype("Float64")
    return verdicts(g, days >= MIN_BACKUP_DAYS, resource_id="replication_group_id",
                    pass_detail="Replication group {replication_group_id} keeps automatic backups for {snapshot_retention_limit} day(s).",
                    fail_detail="Replication group {replication_group_id} has no automatic backups (retention {snapshot_retention_limit} days): a bad write or a lost group cannot be restored.")


def elasticache_cluster_auto_minor_version_upgrade(s) -> pd.DataFrame:
    c = _key_value_clusters(s)
    return verdicts(c, flag(c["auto_minor_version_upgrade"]), resource_id="cache_cluster_id",
                    pass_detail="Cache cluster {cache_cluster_id} ({engine} {engine_version}) receives minor version upgrades automatically.",
                    fail_detail="Cache cluster {cache_cluster_id} ({engine} {engine_version}) does not upgrade minor versions automatically: engine security fixes wait for someone to apply them.")


def elasticache_cluster_custom_subnet_group(s) -> pd.DataFrame:
    c = s.table("elasticache_clusters")
    group = _text(c["cache_subnet_group_name"])
    return verdicts(c, group != "default", resource_id="cache_cluster_id",
                    pass_detail="Cache cluster {cache_cluster_id} runs in subnet group {cache_subnet_group_name}.",
                    fail_detail="Cache cluster {cache_cluster_id} ({engine}) runs in the default subnet group, which spans the default VPC's subnets.")


def elasticache_replication_group_automatic_failover(s) -> pd.DataFrame:
    g = _groups(s)
    return verdicts(g, _text(g["automatic_failover"]) == "enabled", resource_id="replication_group_id",
                    pass_detail="Replication group {replication_group_id} fails over to a replica automatically.",
                    fail_detail="Replication group {replication_group_id} has automatic failover {automatic_failover}: losing the primary stops writes until someone intervenes.")


def elasticache_replication_group_encrypted_at_rest(s) -> pd.DataFrame:
    g = _groups(s)
    return verdicts(g, flag(g["at_rest_encryption_enabled"]), resource_id="replication_group_id",
                    pass_detail="Replication group {replication_group_id} encrypts its data at rest.",
                    fail_detail="Replication group {replication_group_id} stores its data and backups unencrypted.")


def elasticache_replication_group_encrypted_in_transit(s) -> pd.DataFrame:
    """"preferred" mode (a migration step) still accepts plaintext connections: not encrypted."""
    g = _groups(s)
    enabled = flag(g["transit_encryption_enabled"])
    preferred = (_text(g["transit_encryption_mode"]) == "preferred").fillna(False)
    g["why"] = pd.Series("in-transit encryption is off", index=g.index).where(
        ~enabled.fillna(False), "TLS is only preferred, so plaintext connections are still accepted")
    return verdicts(g, enabled & ~preferred, resource_id="replication_group_id",
                    pass_detail="Replication group {replication_group_id} requires TLS for every connection.",
                    fail_detail="Replication group {replication_group_id} accepts unencrypted connections: {why}.")


def elasticache_replication_group_auth_enabled(s) -> pd.DataFrame:
    """FSBP ElastiCache.6 judges groups before Redis OSS 6 only (later ones have RBAC, judged by
    the check below). A group with an AUTH token passes whatever its version."""
    g = _groups(s)
    g = g[(g["engine_name"] == "redis") & ~(g["version_major"] >= RBAC_FROM_MAJOR).fillna(False)]
    auth = flag(g["auth_token_enabled"])
    return verdicts(g, auth, resource_id="replication_group_id",
                    unknown=g["version_major"].isna() & ~auth.fillna(False),
                    unknown_detail="Could not tell whether {replication_group_id} needs Redis OSS AUTH: the engine version of its nodes was not read.",
                    pass_detail="Replication group {replication_group_id} requires a Redis OSS AUTH token.",
                    fail_detail="Replication group {replication_group_id} (Redis OSS before 6.0) has no AUTH token: anyone who reaches its port can run every command.")


def elasticache_replication_group_rbac_enabled(s) -> pd.DataFrame:
    """From Redis OSS 6 (and on Valkey), users and their permissions come from RBAC user groups,
    as the AWS Config rule elasticache-rbac-auth-enabled expects; a shared AUTH token does not
    tell one client from another."""
    g = _groups(s)
    recent = (g["engine_name"] == "valkey") | (g["version_major"] >= RBAC_FROM_MAJOR).fillna(False)
    unknown_version = (g["engine_name"] == "redis") & g["version_major"].isna()
    g = g[recent | unknown_version].copy()
    has_groups = parse_json(g["user_group_ids_json"]).map(lambda ids: bool(ids)).astype(bool)
    g["now"] = flag(g["auth_token_enabled"]).map({True: "a single shared AUTH token", False: "no authentication at all"}).fillna("an authentication setting that was not read")
    return verdicts(g, has_groups, resource_id="replication_group_id",
                    unknown=unknown_version[g.index] & ~has_groups,
                    unknown_detail="Could not tell whether {replication_group_id} supports RBAC: the engine version of its nodes was not read.",
                    pass_detail="Replication group {replication_group_id} authenticates clients with RBAC user groups.",
                    fail_detail="Replication group {replication_group_id} ({engine_name}) has no RBAC user group: it relies on {now}.")
