"""RDS: database encryption, exposure, backups, availability, upgrades and snapshots.

An instance that belongs to a cluster (Aurora, Neptune, DocumentDB) takes its backup, deletion
protection, IAM authentication and availability settings from the cluster: those instance checks
skip it and the cluster checks judge the cluster instead.
"""

from __future__ import annotations

import pandas as pd

from .base import flag, parse_json, regional_merge, verdicts

MIN_RETENTION_DAYS = 7
# Engines that support IAM database authentication.
IAM_AUTH_ENGINES = ("mysql", "mariadb", "postgres", "aurora", "aurora-mysql", "aurora-postgresql")


def _standalone(s) -> pd.DataFrame:
    dbs = s.table("rds_instances")
    return dbs[dbs["db_cluster_identifier"].isna()].copy()


def rds_instance_storage_encrypted(s) -> pd.DataFrame:
    dbs = s.table("rds_instances")
    return verdicts(dbs, flag(dbs["storage_encrypted"]), resource_id="db_instance_id",
                    pass_detail="Database {db_instance_id} encrypts its storage.",
                    fail_detail="Database {db_instance_id} ({engine}) stores data unencrypted.")


def rds_instance_not_public(s) -> pd.DataFrame:
    dbs = s.table("rds_instances")
    return verdicts(dbs, ~flag(dbs["publicly_accessible"]), resource_id="db_instance_id",
                    pass_detail="Database {db_instance_id} is not publicly accessible.",
                    fail_detail="Database {db_instance_id} is publicly accessible from the internet.")


def rds_instance_backup_retention(s) -> pd.DataFrame:
    """Read replicas are skipped: their source's backups protect the data."""
    dbs = _standalone(s)
    dbs = dbs[dbs["read_replica_source"].isna()]
    days = pd.to_numeric(dbs["backup_retention_period"], errors="coerce").fillna(0)
    return verdicts(dbs, days >= MIN_RETENTION_DAYS, resource_id="db_instance_id",
                    pass_detail="Database {db_instance_id} keeps automated backups for {backup_retention_period} days.",
                    fail_detail="Database {db_instance_id} keeps automated backups for {backup_retention_period} days (fewer than 7).")


def rds_instance_multi_az(s) -> pd.DataFrame:
    dbs = _standalone(s)
    return verdicts(dbs, flag(dbs["multi_az"]), resource_id="db_instance_id",
                    pass_detail="Database {db_instance_id} has a standby in another Availability Zone.",
                    fail_detail="Database {db_instance_id} runs in a single Availability Zone: an AZ outage stops it.")


def rds_instance_auto_minor_version_upgrade(s) -> pd.DataFrame:
    dbs = s.table("rds_instances")
    return verdicts(dbs, flag(dbs["auto_minor_version_upgrade"]), resource_id="db_instance_id",
                    pass_detail="Database {db_instance_id} ({engine} {engine_version}) receives minor version upgrades automatically.",
                    fail_detail="Database {db_instance_id} ({engine} {engine_version}) does not upgrade minor versions automatically: security patches wait for someone to apply them.")


def rds_instance_deletion_protection(s) -> pd.DataFrame:
    dbs = _standalone(s)
    return verdicts(dbs, flag(dbs["deletion_protection"]), resource_id="db_instance_id",
                    pass_detail="Database {db_instance_id} has deletion protection.",
                    fail_detail="Database {db_instance_id} can be deleted by one API call (no deletion protection).")


def rds_instance_iam_authentication(s) -> pd.DataFrame:
    dbs = _standalone(s)
    dbs = dbs[dbs["engine"].isin(IAM_AUTH_ENGINES)]
    return verdicts(dbs, flag(dbs["iam_auth_enabled"]), resource_id="db_instance_id",
                    pass_detail="Database {db_instance_id} accepts IAM authentication.",
                    fail_detail="Database {db_instance_id} ({engine}) accepts only database passwords, not IAM authentication.")


def rds_snapshot_not_public(s) -> pd.DataFrame:
    snaps = regional_merge(s.table("rds_snapshots"), s.table("rds_snapshot_attributes"), "snapshot_id",
                           ["restore_accounts_json"], how="inner")
    accounts = parse_json(snaps["restore_accounts_json"]).map(lambda a: a or [])
    public = accounts.map(lambda a: "all" in a)
    snaps["shared_with"] = accounts.map(lambda a: ", ".join(a) if a else "no other account")
    return verdicts(snaps, ~public, resource_id="snapshot_id",
                    pass_detail="Snapshot {snapshot_id} of {source_id} is not public (shared with {shared_with}).",
                    fail_detail="Snapshot {snapshot_id} of {source_id} is public: any AWS account can restore it and read the data.")


def rds_snapshot_encrypted(s) -> pd.DataFrame:
    snaps = s.table("rds_snapshots")
    return verdicts(snaps, flag(snaps["encrypted"]), resource_id="snapshot_id",
                    pass_detail="Snapshot {snapshot_id} of {source_id} is encrypted.",
                    fail_detail="Snapshot {snapshot_id} of {source_id} is not encrypted.")


def rds_cluster_storage_encrypted(s) -> pd.DataFrame:
    c = s.table("rds_clusters")
    return verdicts(c, flag(c["storage_encrypted"]), resource_id="db_cluster_id",
                    pass_detail="Cluster {db_cluster_id} encrypts its storage.",
                    fail_detail="Cluster {db_cluster_id} ({engine}) stores data unencrypted.")


def rds_cluster_backup_retention(s) -> pd.DataFrame:
    c = s.table("rds_clusters")
    days = pd.to_numeric(c["backup_retention_period"], errors="coerce").fillna(0)
    return verdicts(c, days >= MIN_RETENTION_DAYS, resource_id="db_cluster_id",
                    pass_detail="Cluster {db_cluster_id} keeps automated backups for {backup_retention_period} days.",
                    fail_detail="Cluster {db_cluster_id} keeps automated backups for {backup_retention_period} days (fewer than 7).")


def rds_cluster_deletion_protection(s) -> pd.DataFrame:
    c = s.table("rds_clusters")
    return verdicts(c, flag(c["deletion_protection"]), resource_id="db_cluster_id",
                    pass_detail="Cluster {db_cluster_id} has deletion protection.",
                    fail_detail="Cluster {db_cluster_id} can be deleted by one API call (no deletion protection).")


def rds_cluster_multi_az(s) -> pd.DataFrame:
    c = s.table("rds_clusters")
    return verdicts(c, flag(c["multi_az"]), resource_id="db_cluster_id",
                    pass_detail="Cluster {db_cluster_id} has instances in several Availability Zones.",
                    fail_detail="Cluster {db_cluster_id} has all its instances in one Availability Zone.")


def rds_cluster_iam_authentication(s) -> pd.DataFrame:
    c = s.table("rds_clusters")
    c = c[c["engine"].isin(IAM_AUTH_ENGINES)]
    return verdicts(c, flag(c["iam_auth_enabled"]), resource_id="db_cluster_id",
                    pass_detail="Cluster {db_cluster_id} accepts IAM authentication.",
                    fail_detail="Cluster {db_cluster_id} ({engine}) accepts only database passwords, not IAM authentication.")
