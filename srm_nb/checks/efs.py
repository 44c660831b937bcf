"""EFS: shared file systems encrypted at rest and backed up."""

from __future__ import annotations

import pandas as pd

from .base import flag, verdicts


def _named(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    df["label"] = df["file_system_id"].astype(str).where(
        df["name"].isna(), df["file_system_id"].astype(str) + " (" + df["name"].astype(str) + ")")
    return df


def efs_filesystem_encrypted(s) -> pd.DataFrame:
    fs = _named(s.table("efs_file_systems"))
    return verdicts(fs, flag(fs["encrypted"]), resource_id="file_system_id",
                    pass_detail="File system {label} is encrypted at rest.",
                    fail_detail="File system {label} is not encrypted at rest (encryption is chosen at creation).")


def efs_filesystem_backup_enabled(s) -> pd.DataFrame:
    fs = _named(s.table("efs_file_systems")).merge(
        s.table("efs_backup_policies")[["file_system_id", "status"]], on="file_system_id", how="inner")
    fs["state_text"] = fs["status"].fillna("never enabled")
    return verdicts(fs, fs["status"] == "ENABLED", resource_id="file_system_id",
                    pass_detail="File system {label} is backed up daily by its automatic backup policy.",
                    fail_detail="File system {label} has automatic backups {state_text}.")
