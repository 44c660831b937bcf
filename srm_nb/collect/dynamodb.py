"""DynamoDB: tables, their encryption, point-in-time recovery and tags.

Only table configuration is read: never Scan, Query or GetItem (the read-only guard refuses them).
DynamoDB always encrypts at rest; DescribeTable shows an SSEDescription only when the table uses a
KMS key (AWS-managed or customer-managed) instead of the DynamoDB-owned default key.
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

TABLES = ("dynamodb_tables", "dynamodb_continuous_backups", "dynamodb_table_tags")


@collector(
    "dynamodb",
    service="dynamodb",
    scope=REGIONAL,
    operations=("ListTables", "DescribeTable", "DescribeContinuousBackups", "ListTagsOfResource"),
    tables={
        "dynamodb_tables": ("region", "table_name", "arn", "status", "sse_status", "sse_type",
                            "kms_key_arn", "deletion_protection", "billing_mode", "creation_date"),
        "dynamodb_continuous_backups": ("region", "table_name", "pitr_status",
                                        "recovery_period_days"),
        "dynamodb_table_tags": ("region", "table_name", "tags_json"),
    },
)
def collect_tables(ctx: Ctx) -> None:
    """Every table: encryption key type, deletion protection, PITR status and tags."""
    names = ctx.paginate("ListTables", "TableNames", table=TABLES)
    for name in names or []:
        desc = ctx.call("DescribeTable", TableName=name, table=TABLES, resource_id=name)
        if desc is None:
            continue
        t = desc.get("Table", {})
        sse = t.get("SSEDescription") or {}
        arn = t.get("TableArn") or ctx.arn("dynamodb", f"table/{name}")
        ctx.add("dynamodb_tables", {
            "table_name": name, "arn": arn, "status": t.get("TableStatus"),
            "sse_status": sse.get("Status"), "sse_type": sse.get("SSEType"),
            "kms_key_arn": sse.get("KMSMasterKeyArn"),
            "deletion_protection": bool(t.get("DeletionProtectionEnabled")),
            "billing_mode": (t.get("BillingModeSummary") or {}).get("BillingMode", "PROVISIONED"),
            "creation_date": t.get("CreationDateTime"),
        })
        cb = ctx.call("DescribeContinuousBackups", TableName=name,
                      table="dynamodb_continuous_backups", resource_id=name)
        if cb is not None:
            pitr = cb.get("ContinuousBackupsDescription", {}).get("PointInTimeRecoveryDescription", {})
            ctx.add("dynamodb_continuous_backups", {
                "table_name": name, "pitr_status": pitr.get("PointInTimeRecoveryStatus"),
                "recovery_period_days": pitr.get("RecoveryPeriodInDays")})
        tags = ctx.paginate("ListTagsOfResource", "Tags", ResourceArn=arn, table="dynamodb_table_tags",
                            resource_id=name)
        if tags is not None:
            ctx.add("dynamodb_table_tags", {"table_name": name,
                                            "tags_json": to_json({t["Key"]: t.get("Value") for t in tags})})
