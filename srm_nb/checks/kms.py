"""KMS: the keys that protect the data: rotation, who may use them, and pending deletions."""

from __future__ import annotations

import pandas as pd

from .base import flag, parse_json, verdicts
from .policy import is_public_policy


def customer_managed(s, key_arns: pd.Series) -> pd.Series:
    """For each key ARN: True for a customer managed key (a key of another account can only be
    one: AWS managed keys are never shared), False for an AWS managed key or none (None: the
    service's own key), NA when the key is this account's but was not read (its DescribeKey or
    the listing failed): which it is then depends on what is missing, so no verdict."""
    keys = s.table("kms_keys")
    arns = key_arns.astype(object)
    manager = arns.map(dict(zip(keys["arn"], keys["key_manager"])))  # NaN: not among the keys read
    out = manager.eq("CUSTOMER").astype("boolean").where(manager.notna())
    out[arns.isna()] = False
    out[arns.notna() & ~arns.astype(str).str.contains(f":{s.account_id}:", regex=False)] = True
    return out


def _customer_keys(s) -> pd.DataFrame:
    keys = s.table("kms_keys")
    keys = keys[keys["key_manager"] == "CUSTOMER"].copy()
    aliases = parse_json(keys["aliases_json"]).map(lambda a: ", ".join(a or []))
    keys["label"] = keys["key_id"].astype(str).where(aliases == "", keys["key_id"].astype(str) + " (" + aliases + ")")
    return keys


def kms_key_rotation_enabled(s) -> pd.DataFrame:
    """Enabled customer-managed symmetric keys with KMS-made material: the keys KMS can rotate."""
    keys = _customer_keys(s)
    keys = keys[keys["key_state"] == "Enabled"]
    df = keys.merge(s.table("kms_key_rotation")[["key_id", "rotation_enabled", "rotation_period_days"]],
                    on="key_id", how="inner")
    # KMS reports the period since 2024; before, rotation was always yearly.
    df["period"] = pd.to_numeric(df["rotation_period_days"], errors="coerce").fillna(365).astype(int)
    return verdicts(df, flag(df["rotation_enabled"]), resource_id="key_id",
                    pass_detail="Key {label} rotates its material automatically (every {period} days).",
                    fail_detail="Key {label} does not rotate its key material.")


def kms_key_policy_not_public(s) -> pd.DataFrame:
    df = _customer_keys(s).merge(s.table("kms_key_policies")[["key_id", "policy_json"]],
                                 on="key_id", how="inner")
    public = parse_json(df["policy_json"]).map(lambda p: bool(p) and is_public_policy(p))
    return verdicts(df, ~public, resource_id="key_id",
                    pass_detail="Key {label} has a key policy that does not open it to everyone.",
                    fail_detail="Key {label} has a key policy that lets anyone (Principal '*' without a limiting condition) use or manage it.")


def kms_key_not_pending_deletion(s) -> pd.DataFrame:
    df = _customer_keys(s)
    df["deletion_day"] = pd.to_datetime(df["deletion_date"], utc=True, errors="coerce").dt.strftime("%Y-%m-%d")
    pending = df["key_state"].isin(["PendingDeletion", "PendingReplicaDeletion"])
    return verdicts(df, ~pending, resource_id="key_id",
                    pass_detail="Key {label} is not scheduled for deletion ({key_state}).",
                    fail_detail="Key {label} is scheduled for deletion on {deletion_day}: data encrypted "
                                "under it becomes unrecoverable then. Confirm nothing still uses it.")
