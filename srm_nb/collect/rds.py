"""RDS: database instances, clusters, and who may restore their manual snapshots.

DescribeDBInstances/DescribeDBClusters also list Aurora, Neptune and DocumentDB resources (they
share the RDS API). An instance that belongs to a cluster carries `db_cluster_identifier`: its
storage, backup, deletion protection and IAM authentication settings live on the cluster.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json


def _tags(resource: dict) -> str | None:
    return to_json({t["Key"]: t.get("Value") for t in resource.get("TagList", []) or []})


@collector(
    "rds",
    service="rds",
    scope=REGIONAL,
    operations=("DescribeDBInstances", "DescribeDBClusters"),
    tables={
        "rds_instances": ("region", "db_instance_id", "arn", "engine", "engine_version",
                          "storage_encrypted", "kms_key_id", "publicly_accessible",
                          "backup_retention_period", "multi_az", "auto_minor_version_upgrade",
                          "deletion_protection", "iam_auth_enabled", "db_cluster_identifier",
                          "status", "read_replica_source", "tags_json"),
        "rds_clusters": ("region", "db_cluster_id", "arn", "engine", "engine_version",
                         "storage_encrypted", "kms_key_id", "publicly_accessible",
                         "backup_retention_period", "multi_az", "auto_minor_version_upgrade",
                         "deletion_protection", "iam_auth_enabled", "status", "tags_json"),
    },
)
def collect_rds(ctx: Ctx) -> None:
    """Database instances and clusters: encryption, exposure, backup, availability, upgrades,
    deletion protection, IAM authentication."""
    dbs = ctx.paginate("DescribeDBInstances", "DBInstances", table="rds_instances")
    ctx.add("rds_instances", [{
        "db_instance_id": d["DBInstanceIdentifier"],
        "arn": d.get("DBInstanceArn"),
        "engine": d.get("Engine"),
        "engine_version": d.get("EngineVersion"),
        "storage_encrypted": bool(d.get("StorageEncrypted")),
        "kms_key_id": d.get("KmsKeyId"),
        "publicly_accessible": bool(d.get("PubliclyAccessible")),
        "backup_retention_period": d.get("BackupRetentionPeriod"),
        "multi_az": bool(d.get("MultiAZ")),
        "auto_minor_version_upgrade": bool(d.get("AutoMinorVersionUpgrade")),
        "deletion_protection": bool(d.get("DeletionProtection")),
        "iam_auth_enabled": bool(d.get("IAMDatabaseAuthenticationEnabled")),
        "db_cluster_identifier": d.get("DBClusterIdentifier"),
        "status": d.get("DBInstanceStatus"),
        "read_replica_source": d.get("ReadReplicaSourceDBInstanceIdentifier"),
        "tags_json": _tags(d),
    } for d in dbs or []])
    clusters = ctx.paginate("DescribeDBClusters", "DBClusters", table="rds_clusters")
    ctx.add("rds_clusters", [{
        "db_cluster_id": c["DBClusterIdentifier"],
        "arn": c.get("DBClusterArn"),
        "engine": c.get("Engine"),
        "engine_version": c.get("EngineVersion"),
        "storage_encrypted": bool(c.get("StorageEncrypted")),
        "kms_key_id": c.get("KmsKeyId"),
        "publicly_accessible": bool(c.get("PubliclyAccessible")),
        "backup_retention_period": c.get("BackupRetentionPeriod"),
        "multi_az": bool(c.get("MultiAZ")),
        "auto_minor_version_upgrade": c.get("AutoMinorVersionUpgrade"),  # Multi-AZ DB clusters only
        "deletion_protection": bool(c.get("DeletionProtection")),
        "iam_auth_enabled": bool(c.get("IAMDatabaseAuthenticationEnabled")),
        "status": c.get("Status"),
        "tags_json": _tags(c),
    } for c in clusters or []])


@collector(
    "rds_snapshots",
    service="rds",
    scope=REGIONAL,
    operations=("DescribeDBSnapshots", "DescribeDBSnapshotAttributes", "DescribeDBClusterSnapshots",
                "DescribeDBClusterSnapshotAttributes"),
    tables={
        "rds_snapshots": ("region", "snapshot_id", "arn", "kind", "source_id", "engine", "encrypted",
                          "create_time"),
        "rds_snapshot_attributes": ("region", "snapshot_id", "restore_accounts_json"),
    },
)
def collect_snapshots(ctx: Ctx) -> None:
    """Manual DB and cluster snapshots (automated ones cannot be shared) and the accounts allowed
    to restore each ("all" makes it public)."""
    kinds = (
        ("instance", "DescribeDBSnapshots", "DBSnapshots", "DBSnapshotIdentifier", "DBSnapshotArn",
         "DBInstanceIdentifier", "DescribeDBSnapshotAttributes", "DBSnapshotAttributesResult",
         "DBSnapshotAttributes"),
        ("cluster", "DescribeDBClusterSnapshots", "DBClusterSnapshots", "DBClusterSnapshotIdentifier",
         "DBClusterSnapshotArn", "DBClusterIdentifier", "DescribeDBClusterSnapshotAttributes",
         "DBClusterSnapshotAttributesResult", "DBClusterSnapshotAttributes"),
    )
    for kind, list_op, key, id_key, arn_key, source_key, attr_op, result_key, attrs_key in kinds:
        snaps = ctx.paginate(list_op, key, SnapshotType="manual",
                             table=("rds_snapshots", "rds_snapshot_attributes"))
        for snap in snaps or []:
            sid = snap[id_key]
            ctx.add("rds_snapshots", {
                "snapshot_id": sid, "arn": snap.get(arn_key), "kind": kind,
                "source_id": snap.get(source_key), "engine": snap.get("Engine"),
                "encrypted": bool(snap.get("Encrypted") if kind == "instance"
                                  else snap.get("StorageEncrypted")),
                "create_time": snap.get("SnapshotCreateTime"),
            })
            params = {id_key: sid}
            attrs = ctx.call(attr_op, table="rds_snapshot_attributes", resource_id=sid, **params)
            if attrs is None:
                continue
            restore = [v for a in attrs.get(result_key, {}).get(attrs_key, [])
                       if a.get("AttributeName") == "restore" for v in a.get("AttributeValues", [])]
            ctx.add("rds_snapshot_attributes", {"snapshot_id": sid, "restore_accounts_json": to_json(restore)})
