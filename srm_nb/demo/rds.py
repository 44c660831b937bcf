"""Demo RDS: the orders database done right, a reporting replica exposed to the internet, an
Aurora analytics cluster, and a snapshot of the reporting database shared with everyone."""

from __future__ import annotations

from . import DemoAws


def seed(aws: DemoAws) -> None:
    rds = aws.client("rds", "us-east-1")
    rds.create_db_instance(DBInstanceIdentifier="orders-prod", Engine="postgres",
                           DBInstanceClass="db.t3.medium", MasterUsername="app",
                           MasterUserPassword="demo-password-1", AllocatedStorage=50,
                           StorageEncrypted=True, PubliclyAccessible=False, BackupRetentionPeriod=14,
                           MultiAZ=True, DeletionProtection=True, AutoMinorVersionUpgrade=True,
                           EnableIAMDatabaseAuthentication=True,
                           Tags=[{"Key": "app", "Value": "orders"}])
    rds.create_db_instance(DBInstanceIdentifier="reporting-legacy", Engine="mysql",
                           DBInstanceClass="db.t3.small", MasterUsername="admin",
                           MasterUserPassword="demo-password-2", AllocatedStorage=20,
                           StorageEncrypted=False, PubliclyAccessible=True, BackupRetentionPeriod=1,
                           AutoMinorVersionUpgrade=False)
    # Analytics on Aurora: encrypted and protected, but with a short backup window; tagged for the
    # daily backup plan.
    rds.create_db_cluster(DBClusterIdentifier="analytics-aurora", Engine="aurora-postgresql",
                          MasterUsername="analyst", MasterUserPassword="demo-password-3",
                          StorageEncrypted=True, DeletionProtection=True, BackupRetentionPeriod=3,
                          EnableIAMDatabaseAuthentication=False,
                          Tags=[{"Key": "backup", "Value": "daily"}])
    # A pre-migration snapshot kept private, and an "export for the auditors" shared with everyone.
    rds.create_db_snapshot(DBSnapshotIdentifier="orders-prod-pre-migration",
                           DBInstanceIdentifier="orders-prod")
    rds.create_db_snapshot(DBSnapshotIdentifier="reporting-legacy-export",
                           DBInstanceIdentifier="reporting-legacy")
    rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="reporting-legacy-export",
                                     AttributeName="restore", ValuesToAdd=["all"])
