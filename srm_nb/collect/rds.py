"""RDS: database instances."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector


@collector(
    "rds",
    service="rds",
    scope=REGIONAL,
    operations=("DescribeDBInstances",),
    tables={
        "rds_instances": ("region", "db_instance_id", "arn", "engine", "engine_version",
                          "storage_encrypted", "kms_key_id", "publicly_accessible",
                          "backup_retention_period", "multi_az", "auto_minor_version_upgrade",
                          "deletion_protection", "iam_auth_enabled"),
    },
)
def collect_rds(ctx: Ctx) -> None:
    """Database instances and their encryption, exposure, backup and upgrade settings."""
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
    } for d in dbs or []])
