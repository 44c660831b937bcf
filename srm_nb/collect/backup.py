"""AWS Backup: plans and their rules, resource selections, vaults, and protected resources.

A selection names resources by ARN pattern (Resources / NotResources) and by tags (ListOfTags,
Conditions); the checks evaluate them against the data resources of the same region.
ListProtectedResources lists the resources AWS Backup has at least one recovery point for.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

PLAN_TABLES = ("backup_plans", "backup_selections")


@collector(
    "backup",
    service="backup",
    scope=REGIONAL,
    operations=("ListBackupPlans", "GetBackupPlan", "ListBackupSelections", "GetBackupSelection",
                "ListBackupVaults", "ListProtectedResources"),
    tables={
        "backup_plans": ("region", "plan_id", "arn", "name", "rule_count", "rules_json"),
        "backup_selections": ("region", "plan_id", "selection_id", "name", "iam_role_arn",
                              "resources_json", "not_resources_json", "list_of_tags_json",
                              "conditions_json"),
        "backup_vaults": ("region", "name", "arn", "encryption_key_arn", "locked",
                          "min_retention_days", "max_retention_days", "recovery_points"),
        "backup_protected_resources": ("region", "resource_arn", "resource_type",
                                       "last_backup_time"),
    },
)
def collect_backup(ctx: Ctx) -> None:
    """Backup plans with rules and selections, vaults with lock settings, protected resources."""
    plans = ctx.paginate("ListBackupPlans", "BackupPlansList", table=PLAN_TABLES)
    for p in plans or []:
        pid = p["BackupPlanId"]
        plan = ctx.call("GetBackupPlan", BackupPlanId=pid, table=PLAN_TABLES, resource_id=pid)
        rules = (plan or {}).get("BackupPlan", {}).get("Rules", [])
        ctx.add("backup_plans", {"plan_id": pid, "arn": p.get("BackupPlanArn"),
                                 "name": p.get("BackupPlanName"),
                                 "rule_count": None if plan is None else len(rules),
                                 "rules_json": None if plan is None else to_json(rules)})
        # A selection we cannot read could cover any resource of the region: region-wide gap.
        selections = ctx.paginate("ListBackupSelections", "BackupSelectionsList", BackupPlanId=pid,
                                  table="backup_selections")
        for sel in selections or []:
            sid = sel["SelectionId"]
            got = ctx.call("GetBackupSelection", BackupPlanId=pid, SelectionId=sid,
                           table="backup_selections")
            if got is None:
                continue
            s = got.get("BackupSelection", {})
            ctx.add("backup_selections", {
                "plan_id": pid, "selection_id": sid, "name": s.get("SelectionName"),
                "iam_role_arn": s.get("IamRoleArn"),
                "resources_json": to_json(s.get("Resources", [])),
                "not_resources_json": to_json(s.get("NotResources", [])),
                "list_of_tags_json": to_json(s.get("ListOfTags", [])),
                "conditions_json": to_json(s.get("Conditions", {})),
            })
    vaults = ctx.paginate("ListBackupVaults", "BackupVaultList", table="backup_vaults")
    ctx.add("backup_vaults", [{
        "name": v["BackupVaultName"], "arn": v.get("BackupVaultArn"),
        "encryption_key_arn": v.get("EncryptionKeyArn"), "locked": bool(v.get("Locked")),
        "min_retention_days": v.get("MinRetentionDays"), "max_retention_days": v.get("MaxRetentionDays"),
        "recovery_points": v.get("NumberOfRecoveryPoints"),
    } for v in vaults or []])
    protected = ctx.paginate("ListProtectedResources", "Results", table="backup_protected_resources")
    ctx.add("backup_protected_resources", [{
        "resource_arn": r["ResourceArn"], "resource_type": r.get("ResourceType"),
        "last_backup_time": r.get("LastBackupTime"),
    } for r in protected or []])
