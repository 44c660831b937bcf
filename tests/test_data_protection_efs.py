"""EFS: the file-system collector against moto, and the encryption and backup checks (EFS.2, EFS.7)."""

from __future__ import annotations

import json

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


def test_automatic_backups_pass_and_fail(seeded):
    """EFS.7 reads the file system's own backup policy: no policy at all is automatic backups off."""
    snap, good, bad = seeded
    assert verdicts(snap, "efs_filesystem_automatic_backups_enabled") == {good: "PASS", bad: "FAIL"}
    assert "never turned on" in details(snap, "efs_filesystem_automatic_backups_enabled")[bad]


def _backup_tables(selections=(), protected=()):
    return {"backup_plans": schema_table("backup_plans", [{"region": "us-east-1", "plan_id": "p", "name": "daily",
                                                           "rule_count": 1}]),
            "backup_selections": schema_table("backup_selections", list(selections)),
            "backup_protected_resources": schema_table("backup_protected_resources", list(protected))}


def test_backup_pass_and_fail(seeded):
    snap, good, bad = seeded
    snap = make_snapshot({**{k: v for k, v in snap.tables.items() if k.startswith("efs_")}, **_backup_tables()})
    assert verdicts(snap, "efs_filesystem_backup_enabled") == {good: "PASS", bad: "FAIL"}
    assert "automatic backup policy" in details(snap, "efs_filesystem_backup_enabled")[good]
    assert "automatic backups off and is in no backup plan" in details(snap, "efs_filesystem_backup_enabled")[bad]


def test_a_file_system_in_a_backup_plan_passes_efs2_without_automatic_backups():
    """EFS.2 (efs-in-backup-plan) asks that the file system be in an AWS Backup plan: a selection
    of the account's own plan counts, as the automatic backup policy does."""
    arn = "arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/"
    fs = schema_table("efs_file_systems", [
        {"region": "us-east-1", "file_system_id": f, "arn": arn + f, "encrypted": True, "tags_json": "{}"}
        for f in ("fs-planned", "fs-alone")])
    sel = {"region": "us-east-1", "plan_id": "p", "selection_id": "s", "name": "shares",
           "resources_json": json.dumps([arn + "fs-planned"]), "not_resources_json": "[]",
           "list_of_tags_json": "[]", "conditions_json": "{}"}
    snap = make_snapshot({"efs_file_systems": fs, "efs_backup_policies": schema_table("efs_backup_policies", [
        {"region": "us-east-1", "file_system_id": f, "status": "DISABLED"} for f in ("fs-planned", "fs-alone")]),
        **_backup_tables(selections=[sel])})
    assert verdicts(snap, "efs_filesystem_backup_enabled") == {"fs-planned": "PASS", "fs-alone": "FAIL"}
    assert "selected by backup plan daily" in details(snap, "efs_filesystem_backup_enabled")["fs-planned"]


def test_backup_policy_denied_is_error():
    fs = schema_table("efs_file_systems", [{"region": "us-east-1", "file_system_id": "fs-1", "arn": "a", "encrypted": True}])
    gap = {"table": "efs_backup_policies", "region": "us-east-1", "resource_id": "fs-1", "service": "efs",
           "operation": "DescribeBackupPolicy", "status": "denied", "error_code": "AccessDeniedException", "message": "x"}
    snap = make_snapshot({"efs_file_systems": fs, "efs_backup_policies": schema_table("efs_backup_policies", []),
                          **_backup_tables()}, gaps=[gap])
    assert verdicts(snap, "efs_filesystem_backup_enabled") == {"fs-1": "ERROR"}
    assert verdicts(snap, "efs_filesystem_automatic_backups_enabled") == {"fs-1": "ERROR"}
