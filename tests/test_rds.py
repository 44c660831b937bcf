"""RDS: instances, clusters and snapshots collected from moto, and every RDS check PASS and FAIL."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from conftest import make_snapshot, schema_table
from test_data_protection_support import collect_moto, verdicts

DB = {"DBInstanceClass": "db.t3.small", "MasterUsername": "admin", "MasterUserPassword": "password-123",
      "AllocatedStorage": 20}


@pytest.fixture(scope="module")
def seeded():
    with mock_aws():
        rds = boto3.client("rds", region_name="us-east-1")
        rds.create_db_instance(DBInstanceIdentifier="good", Engine="postgres", StorageEncrypted=True,
                               PubliclyAccessible=False, BackupRetentionPeriod=7, MultiAZ=True,
                               DeletionProtection=True, AutoMinorVersionUpgrade=True,
                               EnableIAMDatabaseAuthentication=True, Tags=[{"Key": "backup", "Value": "daily"}], **DB)
        rds.create_db_instance(DBInstanceIdentifier="bad", Engine="mysql", StorageEncrypted=False,
                               PubliclyAccessible=True, BackupRetentionPeriod=1, MultiAZ=False,
                               AutoMinorVersionUpgrade=False, **DB)
        rds.create_db_instance(DBInstanceIdentifier="oracle", Engine="oracle-ee", BackupRetentionPeriod=7, **DB)
        rds.create_db_cluster(DBClusterIdentifier="good-cluster", Engine="aurora-postgresql", MasterUsername="a",
                              MasterUserPassword="password-123", StorageEncrypted=True, DeletionProtection=True,
                              BackupRetentionPeriod=14, EnableIAMDatabaseAuthentication=True)
        rds.create_db_cluster(DBClusterIdentifier="bad-cluster", Engine="aurora-mysql", MasterUsername="a",
                              MasterUserPassword="password-123", StorageEncrypted=False, BackupRetentionPeriod=1)
        rds.create_db_instance(DBInstanceIdentifier="good-cluster-1", Engine="aurora-postgresql",
                               DBClusterIdentifier="good-cluster", DBInstanceClass="db.r6g.large")
        rds.create_db_snapshot(DBSnapshotIdentifier="private-snap", DBInstanceIdentifier="good")
        rds.create_db_snapshot(DBSnapshotIdentifier="public-snap", DBInstanceIdentifier="bad")
        rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="public-snap", AttributeName="restore",
                                         ValuesToAdd=["all"])
        rds.create_db_snapshot(DBSnapshotIdentifier="shared-snap", DBInstanceIdentifier="good")
        rds.modify_db_snapshot_attribute(DBSnapshotIdentifier="shared-snap", AttributeName="restore",
                                         ValuesToAdd=["210987654321"])
        rds.create_db_cluster_snapshot(DBClusterSnapshotIdentifier="cluster-snap", DBClusterIdentifier="bad-cluster")
        rds.modify_db_cluster_snapshot_attribute(DBClusterSnapshotIdentifier="cluster-snap",
                                                 AttributeName="restore", ValuesToAdd=["all"])
        return collect_moto("rds", "rds_snapshots")


def test_collector_tables(seeded):
    dbs = seeded.tables["rds_instances"].set_index("db_instance_id")
    assert dbs.loc["good-cluster-1", "db_cluster_identifier"] == "good-cluster"
    assert json.loads(dbs.loc["good", "tags_json"]) == {"backup": "daily"}
    assert bool(dbs.loc["good", "iam_auth_enabled"]) and not bool(dbs.loc["bad", "auto_minor_version_upgrade"])
    clusters = seeded.tables["rds_clusters"].set_index("db_cluster_id")
    assert clusters.loc["good-cluster", "engine"] == "aurora-postgresql"
    assert bool(clusters.loc["good-cluster", "deletion_protection"])
    snaps = seeded.tables["rds_snapshots"].set_index("snapshot_id")
    assert snaps.loc["cluster-snap", "kind"] == "cluster" and snaps.loc["public-snap", "source_id"] == "bad"
    attrs = seeded.tables["rds_snapshot_attributes"].set_index("snapshot_id")
    assert json.loads(attrs.loc["public-snap", "restore_accounts_json"]) == ["all"]
    assert json.loads(attrs.loc["private-snap", "restore_accounts_json"]) == []
    assert seeded.tables["gaps"].empty


@pytest.mark.parametrize("check_id, expected", [
    ("rds_instance_storage_encrypted", {"good": "PASS", "bad": "FAIL"}),
    ("rds_instance_not_public", {"good": "PASS", "bad": "FAIL"}),
    ("rds_instance_backup_retention", {"good": "PASS", "bad": "FAIL", "good-cluster-1": None}),
    ("rds_instance_multi_az", {"good": "PASS", "bad": "FAIL", "good-cluster-1": None}),
    ("rds_instance_auto_minor_version_upgrade", {"good": "PASS", "bad": "FAIL"}),
    ("rds_instance_deletion_protection", {"good": "PASS", "bad": "FAIL", "good-cluster-1": None}),
    ("rds_instance_iam_authentication", {"good": "PASS", "bad": "FAIL", "oracle": None, "good-cluster-1": None}),
    ("rds_snapshot_not_public", {"private-snap": "PASS", "shared-snap": "PASS", "public-snap": "FAIL",
                                 "cluster-snap": "FAIL"}),
    ("rds_snapshot_encrypted", {"private-snap": "PASS", "public-snap": "FAIL", "cluster-snap": "FAIL"}),
    ("rds_cluster_storage_encrypted", {"good-cluster": "PASS", "bad-cluster": "FAIL"}),
    ("rds_cluster_backup_retention", {"good-cluster": "PASS", "bad-cluster": "FAIL"}),
    ("rds_cluster_deletion_protection", {"good-cluster": "PASS", "bad-cluster": "FAIL"}),
    ("rds_cluster_iam_authentication", {"good-cluster": "PASS", "bad-cluster": "FAIL"}),
])
def test_checks_on_collected_databases(seeded, check_id, expected):
    got = verdicts(seeded, check_id)
    assert {k: got.get(k) for k in expected} == expected


def _cluster(cid, multi_az):
    return {"region": "us-east-1", "db_cluster_id": cid, "arn": f"arn:aws:rds:us-east-1:123456789012:cluster:{cid}",
            "engine": "aurora-mysql", "multi_az": multi_az}


def test_cluster_multi_az_pass_and_fail():
    snap = make_snapshot({"rds_clusters": schema_table("rds_clusters", [_cluster("spread", True), _cluster("single", False)])})
    assert verdicts(snap, "rds_cluster_multi_az") == {"spread": "PASS", "single": "FAIL"}


def test_read_replica_is_not_judged_on_backup_retention():
    rows = [{"region": "us-east-1", "db_instance_id": "replica", "arn": "a", "backup_retention_period": 0,
             "read_replica_source": "primary"},
            {"region": "us-east-1", "db_instance_id": "primary", "arn": "b", "backup_retention_period": 7}]
    snap = make_snapshot({"rds_instances": schema_table("rds_instances", rows)})
    assert verdicts(snap, "rds_instance_backup_retention") == {"primary": "PASS"}


def test_snapshot_attribute_denied_is_error_for_that_snapshot():
    snaps = schema_table("rds_snapshots", [{"region": "us-east-1", "snapshot_id": "s1", "arn": "a", "source_id": "db"},
                                           {"region": "us-east-1", "snapshot_id": "s2", "arn": "b", "source_id": "db"}])
    attrs = schema_table("rds_snapshot_attributes", [{"region": "us-east-1", "snapshot_id": "s2", "restore_accounts_json": "[]"}])
    gap = {"table": "rds_snapshot_attributes", "region": "us-east-1", "resource_id": "s1", "service": "rds",
           "operation": "DescribeDBSnapshotAttributes", "status": "denied", "error_code": "AccessDenied", "message": "x"}
    snap = make_snapshot({"rds_snapshots": snaps, "rds_snapshot_attributes": attrs}, gaps=[gap])
    assert verdicts(snap, "rds_snapshot_not_public") == {"s1": "ERROR", "s2": "PASS"}


def test_no_clusters_is_not_applicable():
    snap = make_snapshot({"rds_clusters": schema_table("rds_clusters", [])})
    assert set(verdicts(snap, "rds_cluster_storage_encrypted").values()) == {"NOT_APPLICABLE"}


def test_a_snapshot_copied_to_another_region_keeps_its_own_sharing():
    """A copy in another region may keep the snapshot's name: each is judged by its own
    attributes, not by the other region's."""
    from srm_nb.checks import load_catalog
    from srm_nb.checks.runner import run_check

    snaps = [{"region": r, "snapshot_id": "nightly", "source_id": "db",
              "arn": f"arn:aws:rds:{r}:111122223333:snapshot:nightly"} for r in ("us-east-1", "eu-west-1")]
    attrs = [{"region": "us-east-1", "snapshot_id": "nightly", "restore_accounts_json": json.dumps([])},
             {"region": "eu-west-1", "snapshot_id": "nightly", "restore_accounts_json": json.dumps(["all"])}]
    s = make_snapshot({"rds_snapshots": schema_table("rds_snapshots", snaps),
                       "rds_snapshot_attributes": schema_table("rds_snapshot_attributes", attrs)},
                      regions=["us-east-1", "eu-west-1"])
    r = run_check(load_catalog()["rds_snapshot_not_public"], s)
    assert sorted(zip(r["region"], r["status"])) == [("eu-west-1", "FAIL"), ("us-east-1", "PASS")]
