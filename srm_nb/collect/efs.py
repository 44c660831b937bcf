"""EFS: file systems, their encryption at rest and their automatic backup policy."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json


@collector(
    "efs",
    service="efs",
    scope=REGIONAL,
    operations=("DescribeFileSystems", "DescribeBackupPolicy"),
    tables={
        "efs_file_systems": ("region", "file_system_id", "arn", "name", "encrypted", "kms_key_id",
                             "state", "tags_json"),
        "efs_backup_policies": ("region", "file_system_id", "status"),
    },
)
def collect_file_systems(ctx: Ctx) -> None:
    """Every file system with its encryption, and whether AWS Backup's automatic policy is on."""
    systems = ctx.paginate("DescribeFileSystems", "FileSystems",
                           table=("efs_file_systems", "efs_backup_policies"))
    for fs in systems or []:
        fid = fs["FileSystemId"]
        ctx.add("efs_file_systems", {
            "file_system_id": fid, "arn": fs.get("FileSystemArn"), "name": fs.get("Name"),
            "encrypted": bool(fs.get("Encrypted")), "kms_key_id": fs.get("KmsKeyId"),
            "state": fs.get("LifeCycleState"),
            "tags_json": to_json({t["Key"]: t.get("Value") for t in fs.get("Tags", [])}),
        })
        # No policy (PolicyNotFound) means automatic backups were never turned on.
        policy = ctx.call("DescribeBackupPolicy", FileSystemId=fid, table="efs_backup_policies",
                          resource_id=fid, absent=("PolicyNotFound",))
        if policy is not None:
            ctx.add("efs_backup_policies", {"file_system_id": fid,
                                            "status": (policy.get("BackupPolicy") or {}).get("Status")})
