"""EFS: the file-system collector against moto, and the encryption and backup checks."""

from __future__ import annotations

import boto3
import pandas as pd
import pytest
from moto import mock_aws

from conftest import make_snapshot, schema_table
from test_data_protection_support import collect_moto, details, verdicts


@pytest.fixture(scope="module")
def seeded():
    with mock_aws():
        efs = boto3.client("efs", region_name="us-east-1")
        good = efs.create_file_system(CreationToken="good", Encrypted=True, Backup=True,
                                      Tags=[{"Key": "Name", "Value": "shared"}])["FileSystemId"]
        bad = efs.create_file_system(CreationToken="bad")["FileSystemId"]
        return collect_moto("efs"), good, bad


def test_collector_tables(seeded):
    snap, good, bad = seeded
    fs = snap.tables["efs_file_systems"].set_index("file_system_id")
    assert bool(fs.loc[good, "encrypted"]) and fs.loc[good, "name"] == "shared"
    assert not bool(fs.loc[bad, "encrypted"])
    policies = snap.tables["efs_backup_policies"].set_index("file_system_id")
    assert policies.loc[good, "status"] == "ENABLED"
    assert pd.isna(policies.loc[bad, "status"])  # PolicyNotFound: never enabled, not a failure
    assert snap.tables["gaps"].empty


def test_encrypted_pass_and_fail(seeded):
    snap, good, bad = seeded
    assert verdicts(snap, "efs_filesystem_encrypted") == {good: "PASS", bad: "FAIL"}
    assert "(shared)" in details(snap, "efs_filesystem_encrypted")[good]


def test_backup_pass_and_fail(seeded):
    snap, good, bad = seeded
    assert verdicts(snap, "efs_filesystem_backup_enabled") == {good: "PASS", bad: "FAIL"}
    assert "never enabled" in details(snap, "efs_filesystem_backup_enabled")[bad]


def test_backup_policy_denied_is_error():
    fs = schema_table("efs_file_systems", [{"region": "us-east-1", "file_system_id": "fs-1", "arn": "a", "encrypted": True}])
    gap = {"table": "efs_backup_policies", "region": "us-east-1", "resource_id": "fs-1", "service": "efs",
           "operation": "DescribeBackupPolicy", "status": "denied", "error_code": "AccessDeniedException", "message": "x"}
    snap = make_snapshot({"efs_file_systems": fs, "efs_backup_policies": schema_table("efs_backup_policies", [])}, gaps=[gap])
    assert verdicts(snap, "efs_filesystem_backup_enabled") == {"fs-1": "ERROR"}
