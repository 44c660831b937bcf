"""DynamoDB: the table collector against moto (configuration only, never items), and its checks."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from srm_nb.aws import is_read_only
from srm_nb.collect import load_collectors
from conftest import make_snapshot, schema_table
from test_data_protection_support import collect_moto, verdicts

KEY = {"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
       "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}], "BillingMode": "PAY_PER_REQUEST"}


@pytest.fixture(scope="module")
def seeded():
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        cmk = kms.create_key()["KeyMetadata"]["Arn"]
        ddb = boto3.client("dynamodb", region_name="us-east-1")
        ddb.create_table(TableName="orders", **KEY, DeletionProtectionEnabled=True,
                         SSESpecification={"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": cmk},
                         Tags=[{"Key": "backup", "Value": "daily"}])
        ddb.update_continuous_backups(TableName="orders",
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
        ddb.create_table(TableName="clicks", **KEY)
        return collect_moto("dynamodb", "kms"), cmk


def test_collector_reads_configuration_only(seeded):
    snap, cmk = seeded
    tables = snap.tables["dynamodb_tables"].set_index("table_name")
    assert tables.loc["orders", "sse_type"] == "KMS" and tables.loc["orders", "kms_key_arn"] == cmk
    assert tables.loc["clicks", "sse_type"] != "KMS"
    pitr = snap.tables["dynamodb_continuous_backups"].set_index("table_name")
    assert (pitr.loc["orders", "pitr_status"], pitr.loc["clicks", "pitr_status"]) == ("ENABLED", "DISABLED")
    tags = snap.tables["dynamodb_table_tags"].set_index("table_name")
    assert json.loads(tags.loc["orders", "tags_json"]) == {"backup": "daily"}
    ops = set(load_collectors()["dynamodb"].operations)
    assert ops.isdisjoint({"Scan", "Query", "GetItem", "BatchGetItem"})
    assert all(is_read_only("dynamodb", op) for op in ops)
    calls = snap.tables["calls"]
    assert set(calls.loc[calls["collector"] == "dynamodb", "operation"]) == ops


@pytest.mark.parametrize("check_id, expected", [
    ("dynamodb_table_pitr_enabled", {"orders": "PASS", "clicks": "FAIL"}),
    ("dynamodb_table_deletion_protection", {"orders": "PASS", "clicks": "FAIL"}),
    ("dynamodb_table_cmk_encryption", {"orders": "PASS", "clicks": "FAIL"}),
])
def test_checks_on_collected_tables(seeded, check_id, expected):
    assert verdicts(seeded[0], check_id) == expected


def _row(name, sse_type=None, key=None):
    return {"region": "us-east-1", "table_name": name, "arn": f"arn:aws:dynamodb:us-east-1:123456789012:table/{name}",
            "sse_type": sse_type, "kms_key_arn": key}


def test_aws_managed_key_fails_and_cross_account_key_passes():
    aws_key = "arn:aws:kms:us-east-1:123456789012:key/aws-managed"
    other = "arn:aws:kms:us-east-1:999999999999:key/central"
    keys = schema_table("kms_keys", [{"region": "us-east-1", "key_id": "aws-managed", "arn": aws_key, "key_manager": "AWS"}])
    rows = [_row("a", "KMS", aws_key), _row("c", "KMS", other)]
    snap = make_snapshot({"dynamodb_tables": schema_table("dynamodb_tables", rows), "kms_keys": keys})
    assert verdicts(snap, "dynamodb_table_cmk_encryption") == {"a": "FAIL", "c": "PASS"}


def test_pitr_status_missing_is_error():
    gap = {"table": "dynamodb_continuous_backups", "region": "us-east-1", "resource_id": "t", "service": "dynamodb",
           "operation": "DescribeContinuousBackups", "status": "denied", "error_code": "AccessDeniedException",
           "message": "x"}
    snap = make_snapshot({"dynamodb_tables": schema_table("dynamodb_tables", [_row("t")]),
                          "dynamodb_continuous_backups": schema_table("dynamodb_continuous_backups", [])}, gaps=[gap])
    assert verdicts(snap, "dynamodb_table_pitr_enabled") == {"t": "ERROR"}


def test_same_name_tables_in_two_regions_are_judged_each_with_its_own_settings():
    """A global table's replicas share the name: each region's PITR setting is its own."""
    from conftest import make_snapshot, schema_table
    from srm_nb.checks import load_catalog
    from srm_nb.checks.runner import run_check

    rows = [{"region": r, "table_name": "orders", "arn": f"arn:aws:dynamodb:{r}:111122223333:table/orders"}
            for r in ("us-east-1", "eu-west-1")]
    pitr = [{"region": "us-east-1", "table_name": "orders", "pitr_status": "ENABLED"},
            {"region": "eu-west-1", "table_name": "orders", "pitr_status": "DISABLED"}]
    s = make_snapshot({"dynamodb_tables": schema_table("dynamodb_tables", rows),
                       "dynamodb_continuous_backups": schema_table("dynamodb_continuous_backups", pitr)},
                      regions=["us-east-1", "eu-west-1"])
    r = run_check(load_catalog()["dynamodb_table_pitr_enabled"], s)
    assert sorted(zip(r["region"], r["status"])) == [("eu-west-1", "FAIL"), ("us-east-1", "PASS")]
