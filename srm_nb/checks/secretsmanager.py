"""Secrets Manager: are secrets rotated, and recently."""

from __future__ import annotations

import pandas as pd

from .base import assessed_at, flag, verdicts

MAX_AGE_DAYS = 90


def secretsmanager_secret_rotation_enabled(s) -> pd.DataFrame:
    df = s.table("secretsmanager_secrets").copy()
    df["days"] = pd.to_numeric(df["rotation_days"], errors="coerce").astype("Int64")
    return verdicts(df, flag(df["rotation_enabled"]), resource_id="name",
                    pass_detail="Secret {name} rotates automatically every {days} days.",
                    fail_detail="Secret {name} has no automatic rotation: the same credential stays valid until someone changes it.")


def secretsmanager_secret_rotated_90_days(s) -> pd.DataFrame:
    """Age of the current value: since the last rotation, or since creation if never rotated."""
    df = s.table("secretsmanager_secrets").copy()
    now = assessed_at(s)
    rotated = pd.to_datetime(df["last_rotated_date"], utc=True, errors="coerce")
    created = pd.to_datetime(df["created_date"], utc=True, errors="coerce")
    df["since"] = rotated.where(rotated.notna(), created)
    df["age_days"] = (now - df["since"]).dt.days
    df["what"] = pd.Series("last rotated", index=df.index).where(rotated.notna(), "created and never rotated")
    return verdicts(df, df["age_days"] <= MAX_AGE_DAYS, resource_id="name",
                    pass_detail="Secret {name} was {what} {age_days} days ago.",
                    fail_detail=f"Secret {{name}} was {{what}} {{age_days}} days ago (more than {MAX_AGE_DAYS}).")


def secretsmanager_secret_unused_90_days(s) -> pd.DataFrame:
    """Last access (a date, kept by Secrets Manager to the day), or creation if never accessed."""
    df = s.table("secretsmanager_secrets").copy()
    now = assessed_at(s)
    accessed = pd.to_datetime(df["last_accessed_date"], utc=True, errors="coerce")
    created = pd.to_datetime(df["created_date"], utc=True, errors="coerce")
    df["idle_days"] = (now - accessed.where(accessed.notna(), created)).dt.days
    df["what"] = pd.Series("last read", index=df.index).where(accessed.notna(), "created and never read")
    return verdicts(df, df["idle_days"] <= MAX_AGE_DAYS, resource_id="name",
                    pass_detail="Secret {name} was {what} {idle_days} days ago.",
                    fail_detail=f"Secret {{name}} was {{what}} {{idle_days}} days ago (more than {MAX_AGE_DAYS}): "
                                "if nothing uses it, delete it; a forgotten credential is never rotated or revoked.")
