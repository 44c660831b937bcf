"""DynamoDB: point-in-time recovery, deletion protection and the key that encrypts each table."""

from __future__ import annotations

import pandas as pd

from .base import flag, regional_merge, verdicts
from .kms import customer_managed


def dynamodb_table_pitr_enabled(s) -> pd.DataFrame:
    df = regional_merge(s.table("dynamodb_tables"), s.table("dynamodb_continuous_backups"), "table_name",
                        ["pitr_status", "recovery_period_days"], how="inner")
    return verdicts(df, df["pitr_status"] == "ENABLED", resource_id="table_name",
                    pass_detail="Table {table_name} can be restored to any second of the recovery period (point-in-time recovery on).",
                    fail_detail="Table {table_name} has point-in-time recovery {pitr_status}: a bad write or delete cannot be rolled back.")


def dynamodb_table_deletion_protection(s) -> pd.DataFrame:
    df = s.table("dynamodb_tables")
    return verdicts(df, flag(df["deletion_protection"]), resource_id="table_name",
                    pass_detail="Table {table_name} has deletion protection.",
                    fail_detail="Table {table_name} can be deleted by one API call (no deletion protection).")


def dynamodb_table_cmk_encryption(s) -> pd.DataFrame:
    """DynamoDB always encrypts; the question is whose key. SSEType KMS with a key ARN that is
    a customer managed key in the kms_keys table passes; the DynamoDB-owned key (no SSE
    description) and the AWS managed key aws/dynamodb do not."""
    df = s.table("dynamodb_tables").copy()
    kms = df["sse_type"] == "KMS"
    ok = customer_managed(s, df["kms_key_arn"].where(kms)).where(kms, False)
    df["key"] = df["kms_key_arn"].where(df["kms_key_arn"].notna(), "the DynamoDB-owned key")
    return verdicts(df, ok, resource_id="table_name",
                    pass_detail="Table {table_name} is encrypted with the customer managed key {key}.",
                    fail_detail="Table {table_name} is encrypted with {key}, not a customer managed key: you cannot "
                                "restrict or audit who decrypts it through a key policy.",
                    unknown_detail="Could not tell whether table {table_name}'s key {key} is customer managed: "
                                   "the key was not read (see the coverage gaps).")
