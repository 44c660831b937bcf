"""EFS: shared file systems encrypted at rest and backed up."""

from __future__ import annotations

import pandas as pd

from .backup import coverage
from .base import ERROR, PASS, flag, verdicts


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


def efs_filesystem_automatic_backups_enabled(s) -> pd.DataFrame:
    """EFS.7 (AWS Config efs-automatic-backups-enabled): the file system's own backup policy is
    ENABLED. A file system whose policy could not be read has no row in efs_backup_policies."""
    fs = _named(s.table("efs_file_systems")).merge(
        s.table("efs_backup_policies")[["file_system_id", "status"]], on="file_system_id", how="left",
        indicator=True)
    fs["status"] = fs["status"].fillna("never turned on").where(fs["_merge"] == "both")
    return verdicts(fs, (fs["status"] == "ENABLED").where(fs["status"].notna()), resource_id="file_system_id",
                    pass_detail="File system {label} has automatic backups on (daily, AWS Backup).",
                    fail_detail="File system {label} has automatic backups off ({status}).")


def efs_filesystem_backup_enabled(s) -> pd.DataFrame:
    """EFS.2 (AWS Config efs-in-backup-plan): the file system is in an AWS Backup plan. EFS
    automatic backups are one (AWS's aws/efs/automatic-backup-plan); a selection of the account's
    own plans, or a recent recovery point, is another."""
    fs = _named(s.table("efs_file_systems")).merge(
        s.table("efs_backup_policies")[["file_system_id", "status"]], on="file_system_id", how="left")
    covered = coverage(s, "efs")
    by_id = covered.set_index("rid") if not covered.empty else pd.DataFrame(columns=["status", "why"])
    fs["plan"] = fs["file_system_id"].map(by_id["status"])
    automatic = fs["status"] == "ENABLED"
    fs["why"] = fs["file_system_id"].map(by_id["why"]).fillna("in no backup plan").where(
        ~automatic, "backed up daily by its EFS automatic backup policy")
    return verdicts(fs, automatic | (fs["plan"] == PASS), resource_id="file_system_id",
                    unknown=~automatic & (fs["plan"] == ERROR),
                    unknown_detail="Could not evaluate file system {file_system_id}: {why}.",
                    pass_detail="File system {label} is {why}.",
                    fail_detail="File system {label} has automatic backups off and is {why}.")
