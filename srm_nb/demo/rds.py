"""Demo RDS: the orders database done right, and a reporting replica exposed to the internet."""

from __future__ import annotations

from . import DemoAws


def seed(aws: DemoAws) -> None:
    rds = aws.client("rds", "us-east-1")
    rds.create_db_instance(DBInstanceIdentifier="orders-prod", Engine="postgres",
                           DBInstanceClass="db.t3.medium", MasterUsername="app",
                           MasterUserPassword="demo-password-1", AllocatedStorage=50,
                           StorageEncrypted=True, PubliclyAccessible=False, BackupRetentionPeriod=14,
                           MultiAZ=True, DeletionProtection=True)
    rds.create_db_instance(DBInstanceIdentifier="reporting-legacy", Engine="mysql",
                           DBInstanceClass="db.t3.small", MasterUsername="admin",
                           MasterUserPassword="demo-password-2", AllocatedStorage=20,
                           StorageEncrypted=False, PubliclyAccessible=True, BackupRetentionPeriod=1)
