"""Secrets Manager: which secrets exist and how they are rotated. Never their values."""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector


@collector(
    "secretsmanager",
    service="secretsmanager",
    scope=REGIONAL,
    operations=("ListSecrets",),
    tables={
        "secretsmanager_secrets": ("region", "name", "arn", "rotation_enabled", "rotation_days",
                                   "rotation_lambda_arn", "last_rotated_date", "last_changed_date",
                                   "last_accessed_date", "created_date", "next_rotation_date",
                                   "kms_key_id", "owning_service"),
    },
)
def collect_secrets(ctx: Ctx) -> None:
    """Every secret (not those scheduled for deletion) with its rotation settings and dates."""
    secrets = ctx.paginate("ListSecrets", "SecretList", table="secretsmanager_secrets")
    ctx.add("secretsmanager_secrets", [{
        "name": s["Name"],
        "arn": s.get("ARN"),
        "rotation_enabled": bool(s.get("RotationEnabled")),
        "rotation_days": (s.get("RotationRules") or {}).get("AutomaticallyAfterDays"),
        "rotation_lambda_arn": s.get("RotationLambdaARN"),
        "last_rotated_date": s.get("LastRotatedDate"),
        "last_changed_date": s.get("LastChangedDate"),
        "last_accessed_date": s.get("LastAccessedDate"),
        "created_date": s.get("CreatedDate"),
        "next_rotation_date": s.get("NextRotationDate"),
        "kms_key_id": s.get("KmsKeyId"),
        "owning_service": s.get("OwningService"),
    } for s in secrets or []])
