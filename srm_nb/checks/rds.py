"""RDS: database encryption, exposure and backups."""

from __future__ import annotations

import pandas as pd

from .base import verdicts


def rds_instance_storage_encrypted(s) -> pd.DataFrame:
    dbs = s.table("rds_instances")
    return verdicts(dbs, dbs["storage_encrypted"].astype(bool), resource_id="db_instance_id",
                    pass_detail="Database {db_instance_id} encrypts its storage.",
                    fail_detail="Database {db_instance_id} ({engine}) stores data unencrypted.")


def rds_instance_not_public(s) -> pd.DataFrame:
    dbs = s.table("rds_instances")
    return verdicts(dbs, ~dbs["publicly_accessible"].astype(bool), resource_id="db_instance_id",
                    pass_detail="Database {db_instance_id} is not publicly accessible.",
                    fail_detail="Database {db_instance_id} is publicly accessible from the internet.")


def rds_instance_backup_retention(s) -> pd.DataFrame:
    dbs = s.table("rds_instances").copy()
    days = pd.to_numeric(dbs["backup_retention_period"], errors="coerce").fillna(0)
    return verdicts(dbs, days >= 7, resource_id="db_instance_id",
                    pass_detail="Database {db_instance_id} keeps automated backups for {backup_retention_period} days.",
                    fail_detail="Database {db_instance_id} keeps automated backups for {backup_retention_period} days (fewer than 7).")
