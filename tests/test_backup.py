"""AWS Backup: the collector (moto lacks the selection and protected-resource reads: Stubber), and
the coverage, plan and vault checks, including how selections are evaluated."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.collect import load_collectors
from srm_nb.collect.base import Ctx, Recorder
from srm_nb.checks.backup import UNKNOWN, selects
from conftest import make_snapshot, schema_table
from test_data_protection_support import collect_moto, details, verdicts

ACCOUNT = "123456789012"
REGION = "us-east-1"
PLAN_ID = "11111111-2222-3333-4444-555555555555"
WHEN = datetime(2026, 10, 1, tzinfo=timezone.utc)


def _run_stubbed(configure) -> Recorder:
    collector = load_collectors()["backup"]
    client = boto3.client("backup", region_name=REGION)
    stub = Stubber(client)
    configure(stub)
    recorder = Recorder()
    with stub:
        collector.func(Ctx(collector, REGION, client, recorder, ACCOUNT, "aws", REGION))
        stub.assert_no_pending_responses()
    return recorder


def _plan_responses(stub):
    stub.add_response("list_backup_plans", {"BackupPlansList": [{
        "BackupPlanId": PLAN_ID, "BackupPlanArn": f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-plan:{PLAN_ID}",
        "BackupPlanName": "daily"}]})
    stub.add_response("get_backup_plan", {"BackupPlanId": PLAN_ID, "BackupPlan": {
        "BackupPlanName": "daily", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "v"}]}})


def test_collector_reads_plans_selections_vaults_and_protected_resources():
    def configure(stub):
        _plan_responses(stub)
        stub.add_response("list_backup_selections", {"BackupSelectionsList": [
            {"SelectionId": "sel-1", "SelectionName": "dbs", "BackupPlanId": PLAN_ID}]},
            {"BackupPlanId": PLAN_ID})
        stub.add_response("get_backup_selection", {"BackupPlanId": PLAN_ID, "SelectionId": "sel-1", "BackupSelection": {
            "SelectionName": "dbs", "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/backup",
            "Resources": ["arn:aws:rds:*:*:db:*"], "NotResources": ["arn:aws:rds:us-east-1:123456789012:db:scratch"],
            "Conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "prod"}]}}},
            {"BackupPlanId": PLAN_ID, "SelectionId": "sel-1"})
        stub.add_response("list_backup_vaults", {"BackupVaultList": [{
            "BackupVaultName": "v", "BackupVaultArn": f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:v",
            "EncryptionKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k", "Locked": True, "MinRetentionDays": 7,
            "NumberOfRecoveryPoints": 3}]})
        stub.add_response("list_protected_resources", {"Results": [{
            "ResourceArn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:orders", "ResourceType": "RDS", "LastBackupTime": WHEN}]})

    rec = _run_stubbed(configure)
    assert not rec.gaps
    assert rec.rows["backup_plans"][0]["rule_count"] == 1
    sel = rec.rows["backup_selections"][0]
    assert json.loads(sel["resources_json"]) == ["arn:aws:rds:*:*:db:*"]
    assert "aws:ResourceTag/env" in sel["conditions_json"]
    assert rec.rows["backup_vaults"][0]["locked"] is True
    assert rec.rows["backup_protected_resources"][0]["resource_type"] == "RDS"


def test_unreadable_selections_are_a_region_wide_gap():
    def configure(stub):
        _plan_responses(stub)
        stub.add_client_error("list_backup_selections", "AccessDeniedException", "denied")
        stub.add_response("list_backup_vaults", {"BackupVaultList": []})
        stub.add_response("list_protected_resources", {"Results": []})

    rec = _run_stubbed(configure)
    assert [(g["table"], g["resource_id"], g["status"]) for g in rec.gaps] == [("backup_selections", "", "denied")]


def test_moto_part_plans_and_vaults():
    """What moto implements (plans, vaults) through the real collector; the rest is a gap, not a crash."""
    with mock_aws():
        b = boto3.client("backup", region_name=REGION)
        b.create_backup_vault(BackupVaultName="v")
        b.create_backup_plan(BackupPlan={"BackupPlanName": "p", "Rules": [{"RuleName": "r", "TargetBackupVaultName": "v"}]})
        snap = collect_moto("backup")
    assert list(snap.tables["backup_plans"]["name"]) == ["p"]
    # moto raises for ListBackupSelections: recorded as gaps, so coverage checks say ERROR.
    assert "backup_selections" in set(snap.tables["gaps"]["table"])


# -- selection semantics ------------------------------------------------------------------------

DB = f"arn:aws:rds:{REGION}:{ACCOUNT}:db:orders"


@pytest.mark.parametrize("selection, tags, expected", [
    ({"resources": [DB]}, None, True),
    ({}, None, True),  # names nothing: AWS Backup selects every supported resource
    ({"conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "prod"}]}},
     {"env": "test"}, False),
    ({"resources": ["arn:aws:rds:*:*:db:*"]}, {}, True),
    ({"resources": ["*"], "not_resources": [DB]}, {}, False),
    ({"resources": ["arn:aws:dynamodb:*:*:table/*"]}, None, False),
    ({"resources": [], "list_of_tags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup",
                                         "ConditionValue": "daily"}]}, {"backup": "daily"}, True),
    ({"resources": [], "list_of_tags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup",
                                         "ConditionValue": "daily"}]}, {"backup": "weekly"}, False),
    ({"resources": [], "list_of_tags": [{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup",
                                         "ConditionValue": "daily"}]}, None, UNKNOWN),
    ({"resources": ["arn:aws:rds:*:*:db:*"],
      "conditions": {"StringEquals": [{"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "prod"}]}},
     {"env": "prod"}, True),
    ({"resources": ["arn:aws:rds:*:*:db:*"],
      "conditions": {"StringNotEquals": [{"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "dev"}]}},
     {"env": "dev"}, False),
    ({"resources": ["arn:aws:rds:*:*:db:*"],
      "conditions": {"StringLike": [{"ConditionKey": "aws:ResourceTag/env", "ConditionValue": "prod*"}]}},
     None, UNKNOWN),
])
def test_selection_semantics(selection, tags, expected):
    assert selects(selection, DB, tags) is expected


# -- checks on hand-built tables ----------------------------------------------------------------

def _plans(region=REGION, rules=1):
    return schema_table("backup_plans", [{"region": region, "plan_id": PLAN_ID, "name": "daily", "rule_count": rules}])


def _selection(region=REGION, **fields):
    row = {"region": region, "plan_id": PLAN_ID, "selection_id": "s", "name": "sel", "resources_json": "[]",
           "not_resources_json": "[]", "list_of_tags_json": "[]", "conditions_json": "{}"}
    row.update({f"{k}_json": json.dumps(v) for k, v in fields.items()})
    return row


def _data(dbs=(), tables=(), volumes=(), volume_tags=False, file_systems=(), detached=()):
    vol_rows = [{"region": r, "volume_id": v, "arn": f"arn:aws:ec2:{r}:{ACCOUNT}:volume/{v}", "state": "in-use"}
                for r, v in volumes]
    vol_rows += [{"region": r, "volume_id": v, "arn": f"arn:aws:ec2:{r}:{ACCOUNT}:volume/{v}", "state": "available"}
                 for r, v in detached]
    vols = schema_table("ec2_volumes", vol_rows)
    if volume_tags:
        vols["tags_json"] = [json.dumps([{"Key": "backup", "Value": "daily"}])] * len(vols)
    return {
        "rds_instances": schema_table("rds_instances", [{"region": r, "db_instance_id": d, "tags_json": json.dumps(t),
                                                         "arn": f"arn:aws:rds:{r}:{ACCOUNT}:db:{d}"} for r, d, t in dbs]),
        "rds_clusters": schema_table("rds_clusters", []),
        "dynamodb_tables": schema_table("dynamodb_tables", [
            {"region": r, "table_name": n, "arn": f"arn:aws:dynamodb:{r}:{ACCOUNT}:table/{n}"} for r, n in tables]),
        "dynamodb_table_tags": schema_table("dynamodb_table_tags", [{"region": r, "table_name": n, "tags_json": "{}"}
                                                                    for r, n in tables]),
        "ec2_volumes": vols,
        "efs_file_systems": schema_table("efs_file_systems", [
            {"region": r, "file_system_id": f, "arn": f"arn:aws:elasticfilesystem:{r}:{ACCOUNT}:file-system/{f}",
             "tags_json": "{}"} for r, f in file_systems]),
    }


def _snap(data, selections=(), protected=(), plans=None, gaps=None, vaults=()):
    return make_snapshot({**data, "backup_plans": _plans() if plans is None else plans,
                          "backup_vaults": schema_table("backup_vaults", [{"region": r, "name": n} for r, n in vaults]),
                          "backup_selections": schema_table("backup_selections", list(selections)),
                          "backup_protected_resources": schema_table("backup_protected_resources", list(protected))}, gaps=gaps)


def test_rds_coverage_by_arn_tags_recovery_point_and_none():
    data = _data(dbs=[(REGION, "by-arn", {}), (REGION, "by-tag", {"backup": "daily"}), (REGION, "recent", {}),
                      (REGION, "stale", {}), (REGION, "none", {}), ("eu-west-1", "elsewhere", {})])
    sels = [_selection(resources=[f"arn:aws:rds:{REGION}:{ACCOUNT}:db:by-arn", "arn:aws:rds:*:*:db:elsewhere"]),
            _selection(list_of_tags=[{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}])]
    protected = [{"region": REGION, "resource_arn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:recent",
                  "last_backup_time": "2026-10-30T05:00:00+00:00"},
                 {"region": REGION, "resource_arn": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:stale",
                  "last_backup_time": "2026-01-30T05:00:00+00:00"}]
    snap = _snap(data, sels, protected)
    assert verdicts(snap, "backup_rds_resource_protected") == {
        "by-arn": "PASS", "by-tag": "PASS", "recent": "PASS", "stale": "FAIL", "none": "FAIL",
        "elsewhere": "FAIL"}  # a plan protects its own region only
    assert "2026-01-30" in details(snap, "backup_rds_resource_protected")["stale"]


def test_ebs_tag_selection_without_tags_is_error_with_tags_is_judged():
    sels = [_selection(list_of_tags=[{"ConditionType": "STRINGEQUALS", "ConditionKey": "backup", "ConditionValue": "daily"}])]
    no_tags = _snap(_data(volumes=[(REGION, "vol-1")]), sels)
    assert verdicts(no_tags, "backup_ebs_volume_protected") == {"vol-1": "ERROR"}
    assert "tags were not collected" in details(no_tags, "backup_ebs_volume_protected")["vol-1"]
    with_tags = _snap(_data(volumes=[(REGION, "vol-1")], volume_tags=True), sels)
    assert verdicts(with_tags, "backup_ebs_volume_protected") == {"vol-1": "PASS"}
    no_selection = _snap(_data(volumes=[(REGION, "vol-1")]))
    assert verdicts(no_selection, "backup_ebs_volume_protected") == {"vol-1": "FAIL"}


def test_ebs_coverage_judges_volumes_in_use_only():
    """EC2.28 evaluates EBS volumes in the in-use state: a detached volume is not judged."""
    snap = _snap(_data(volumes=[(REGION, "vol-in-use")], detached=[(REGION, "vol-spare")]))
    assert verdicts(snap, "backup_ebs_volume_protected") == {"vol-in-use": "FAIL"}


def test_dynamodb_coverage_with_not_resources():
    data = _data(tables=[(REGION, "orders"), (REGION, "scratch")])
    sels = [_selection(resources=["arn:aws:dynamodb:*:*:table/*"],
                       not_resources=[f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/scratch"])]
    assert verdicts(_snap(data, sels), "backup_dynamodb_table_protected") == {"orders": "PASS", "scratch": "FAIL"}


def test_unreadable_selections_make_coverage_error():
    gap = {"table": "backup_selections", "region": REGION, "resource_id": "", "service": "backup",
           "operation": "ListBackupSelections", "status": "denied", "error_code": "AccessDeniedException", "message": "x"}
    snap = _snap(_data(tables=[(REGION, "orders")]), gaps=[gap])
    assert verdicts(snap, "backup_dynamodb_table_protected") == {"orders": "ERROR"}


def test_plan_exists_per_region_with_data():
    data = _data(dbs=[(REGION, "a", {})], tables=[("eu-west-1", "t")])
    got = verdicts(_snap(data), "backup_plan_exists")
    assert got == {f"{ACCOUNT}/{REGION}": "PASS", f"{ACCOUNT}/eu-west-1": "FAIL"}
    no_rules = verdicts(_snap(data, plans=_plans(rules=0)), "backup_plan_exists")
    assert no_rules[f"{ACCOUNT}/{REGION}"] == "FAIL"
    assert set(verdicts(_snap(_data()), "backup_plan_exists").values()) == {"NOT_APPLICABLE"}


def test_a_region_with_data_and_no_vault_or_plan_says_so():
    """The backup area says where no backup exists at all: what the region holds, and that it has
    neither a plan nor a vault; EFS file systems count as data to protect."""
    data = _data(file_systems=[("ap-southeast-2", "fs-1")], volumes=[("ap-southeast-2", "vol-1")])
    snap = _snap(data, vaults=[(REGION, "Default")])
    assert verdicts(snap, "backup_plan_exists") == {f"{ACCOUNT}/ap-southeast-2": "FAIL"}
    d = details(snap, "backup_plan_exists")[f"{ACCOUNT}/ap-southeast-2"]
    assert "1 attached EBS volume(s), 1 EFS file system(s)" in d and "no backup vault" in d
    with_vault = _snap(data, vaults=[("ap-southeast-2", "Default")])
    assert "no backup vault" not in details(with_vault, "backup_plan_exists")[f"{ACCOUNT}/ap-southeast-2"]


def _vault(name, locked, key):
    return {"region": REGION, "name": name, "arn": f"arn:aws:backup:{REGION}:{ACCOUNT}:backup-vault:{name}",
            "locked": locked, "encryption_key_arn": key, "min_retention_days": 7 if locked else None}


def test_vault_lock_and_customer_key():
    cmk = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/cmk"
    aws_key = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/awsbackup"
    keys = schema_table("kms_keys", [{"region": REGION, "key_id": "cmk", "arn": cmk, "key_manager": "CUSTOMER"},
                                     {"region": REGION, "key_id": "awsbackup", "arn": aws_key, "key_manager": "AWS"}])
    vaults = schema_table("backup_vaults", [_vault("locked", True, cmk), _vault("open", False, aws_key),
                                            _vault("central", False, "arn:aws:kms:us-east-1:999999999999:key/x")])
    snap = make_snapshot({"backup_vaults": vaults, "kms_keys": keys})
    assert verdicts(snap, "backup_vault_locked") == {"locked": "PASS", "open": "FAIL", "central": "FAIL"}
    assert verdicts(snap, "backup_vault_cmk_encrypted") == {"locked": "PASS", "open": "FAIL", "central": "PASS"}


def test_a_vault_key_that_was_not_read_is_no_verdict():
    """The account's key is not among the keys read (its DescribeKey failed): whether it is
    customer managed is unknown, not "no"."""
    unread = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/unread"
    snap = make_snapshot({"backup_vaults": schema_table("backup_vaults", [_vault("v", False, unread)]),
                          "kms_keys": schema_table("kms_keys", [])})
    assert verdicts(snap, "backup_vault_cmk_encrypted") == {"v": "ERROR"}


def test_a_plan_whose_rules_could_not_be_read_is_no_verdict_for_its_region():
    data = _data(dbs=[(REGION, "a", {})])
    got = verdicts(_snap(data, plans=_plans(rules=None)), "backup_plan_exists")
    assert got[f"{ACCOUNT}/{REGION}"] == "ERROR"
