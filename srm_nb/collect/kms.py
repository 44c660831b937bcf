"""KMS: keys, who manages them, their rotation and their key policies.

DescribeKey is the only way to tell a customer-managed key from an AWS-managed one (KeyManager).
Rotation status and key policy are read for customer-managed keys only: AWS rotates its own keys
every year and their policies cannot be changed. Rotation is read only where KMS supports it
(symmetric encryption keys with KMS-generated material that are not pending deletion or import).
"""

from __future__ import annotations

from .base import REGIONAL, Ctx, collector, to_json

ROTATABLE_STATES = ("Enabled", "Disabled")


@collector(
    "kms",
    service="kms",
    scope=REGIONAL,
    operations=("ListKeys", "ListAliases", "DescribeKey", "GetKeyRotationStatus", "GetKeyPolicy"),
    tables={
        "kms_keys": ("region", "key_id", "arn", "key_manager", "key_state", "key_spec", "key_usage",
                     "origin", "multi_region", "creation_date", "deletion_date", "description",
                     "aliases_json"),
        "kms_key_rotation": ("region", "key_id", "rotation_enabled", "rotation_period_days"),
        "kms_key_policies": ("region", "key_id", "policy_json"),
    },
)
def collect_keys(ctx: Ctx) -> None:
    """Every key with its manager, state, spec and aliases; rotation and policy of customer keys."""
    keys = ctx.paginate("ListKeys", "Keys", table=("kms_keys", "kms_key_rotation", "kms_key_policies"))
    if not keys:
        return
    aliases = ctx.paginate("ListAliases", "Aliases", table="kms_keys") or []
    names: dict[str, list[str]] = {}
    for a in aliases:
        if a.get("TargetKeyId"):
            names.setdefault(a["TargetKeyId"], []).append(a["AliasName"])
    for k in keys:
        key_id = k["KeyId"]
        desc = ctx.call("DescribeKey", KeyId=key_id, table=("kms_keys", "kms_key_rotation", "kms_key_policies"),
                        resource_id=key_id)
        if desc is None:
            continue
        m = desc.get("KeyMetadata", {})
        ctx.add("kms_keys", {
            "key_id": key_id, "arn": m.get("Arn") or k.get("KeyArn"),
            "key_manager": m.get("KeyManager"), "key_state": m.get("KeyState"),
            "key_spec": m.get("KeySpec") or m.get("CustomerMasterKeySpec"),
            "key_usage": m.get("KeyUsage"), "origin": m.get("Origin"),
            "multi_region": bool(m.get("MultiRegion")), "creation_date": m.get("CreationDate"),
            "deletion_date": m.get("DeletionDate"), "description": m.get("Description"),
            "aliases_json": to_json(sorted(names.get(key_id, []))),
        })
        if m.get("KeyManager") != "CUSTOMER":
            continue
        if (m.get("KeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT" and m.get("Origin") == "AWS_KMS"
                and m.get("KeyState") in ROTATABLE_STATES):
            rot = ctx.call("GetKeyRotationStatus", KeyId=key_id, table="kms_key_rotation",
                           resource_id=key_id)
            if rot is not None:
                ctx.add("kms_key_rotation", {"key_id": key_id,
                                             "rotation_enabled": bool(rot.get("KeyRotationEnabled")),
                                             "rotation_period_days": rot.get("RotationPeriodInDays")})
        pol = ctx.call("GetKeyPolicy", KeyId=key_id, PolicyName="default", table="kms_key_policies",
                       resource_id=key_id)
        if pol is not None:
            ctx.add("kms_key_policies", {"key_id": key_id, "policy_json": pol.get("Policy")})
