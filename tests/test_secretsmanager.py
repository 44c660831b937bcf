"""Secrets Manager: the secret collector (never values) and the rotation checks."""

from __future__ import annotations

import boto3
import pytest
from moto import mock_aws

from srm_nb.collect import load_collectors
from conftest import make_snapshot, schema_table
from test_data_protection_support import collect_moto, details, verdicts


@pytest.fixture(scope="module")
def seeded():
    with mock_aws():
        sm = boto3.client("secretsmanager", region_name="us-east-1")
        sm.create_secret(Name="rotated", SecretString="s3cr3t-value")
        sm.rotate_secret(SecretId="rotated", RotationRules={"AutomaticallyAfterDays": 30}, RotateImmediately=False)
        sm.create_secret(Name="static", SecretString="s3cr3t-value")
        snap = collect_moto("secretsmanager")
    return snap


def test_collector_never_reads_values(seeded):
    secrets = seeded.tables["secretsmanager_secrets"].set_index("name")
    assert bool(secrets.loc["rotated", "rotation_enabled"]) and secrets.loc["rotated", "rotation_days"] == 30
    assert not bool(secrets.loc["static", "rotation_enabled"])
    assert "s3cr3t-value" not in seeded.tables["secretsmanager_secrets"].to_csv()
    assert load_collectors()["secretsmanager"].operations == {"ListSecrets"}


def test_rotation_enabled_pass_and_fail(seeded):
    assert verdicts(seeded, "secretsmanager_secret_rotation_enabled") == {"rotated": "PASS", "static": "FAIL"}


def test_recently_created_secrets_are_within_90_days(seeded):
    assert verdicts(seeded, "secretsmanager_secret_rotated_90_days") == {"rotated": "PASS", "static": "PASS"}


def _secret(name, rotated=None, created="2025-01-01T00:00:00+00:00"):
    return {"region": "us-east-1", "name": name, "arn": f"arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}",
            "rotation_enabled": rotated is not None, "last_rotated_date": rotated, "created_date": created}


def test_age_counts_from_last_rotation_or_creation():
    snap = make_snapshot({"secretsmanager_secrets": schema_table("secretsmanager_secrets", [
        _secret("fresh", rotated="2026-10-15T00:00:00+00:00"),
        _secret("stale-rotation", rotated="2026-05-01T00:00:00+00:00"),
        _secret("never", created="2025-06-01T00:00:00+00:00"),
        _secret("new", created="2026-10-30T00:00:00+00:00"),
    ])})  # the run started 2026-11-01
    assert verdicts(snap, "secretsmanager_secret_rotated_90_days") == {
        "fresh": "PASS", "stale-rotation": "FAIL", "never": "FAIL", "new": "PASS"}
    assert "created and never rotated" in details(snap, "secretsmanager_secret_rotated_90_days")["never"]


def test_listing_denied_is_error_not_pass():
    gap = {"table": "secretsmanager_secrets", "region": "us-east-1", "resource_id": "", "service": "secretsmanager",
           "operation": "ListSecrets", "status": "denied", "error_code": "AccessDeniedException", "message": "x"}
    snap = make_snapshot({"secretsmanager_secrets": schema_table("secretsmanager_secrets", [])}, gaps=[gap])
    assert set(verdicts(snap, "secretsmanager_secret_rotation_enabled").values()) == {"ERROR"}


def test_unused_counts_from_last_access_or_creation():
    rows = [_secret("read-yesterday"), _secret("read-long-ago"), _secret("never-read-old"),
            _secret("never-read-new", created="2026-10-20T00:00:00+00:00")]
    rows[0]["last_accessed_date"] = "2026-10-31T00:00:00+00:00"
    rows[1]["last_accessed_date"] = "2026-03-01T00:00:00+00:00"
    snap = make_snapshot({"secretsmanager_secrets": schema_table("secretsmanager_secrets", rows)})
    assert verdicts(snap, "secretsmanager_secret_unused_90_days") == {
        "read-yesterday": "PASS", "read-long-ago": "FAIL", "never-read-old": "FAIL", "never-read-new": "PASS"}
