"""A collected yes/no value that is missing (None, NaN, pd.NA) makes its verdict ERROR, never a
PASS or FAIL guessed from the absence; the same value present decides as usual."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import ACCOUNT_ID, make_snapshot, schema_table
from srm_nb.checks.base import flag
from srm_nb.checks.catalog import load_catalog
from srm_nb.checks.runner import run_check

MISSING = [None, float("nan"), pd.NA]


def run(check_id: str, tables: dict, **manifest) -> dict:
    s = make_snapshot({name: schema_table(name, rows, region="us-east-1") for name, rows in tables.items()},
                      **manifest)
    r = run_check(load_catalog()[check_id], s)
    return dict(zip(r["resource_id"], r["status"]))


# -- flag() ----------------------------------------------------------------------------------------

def test_flag_reads_bools_text_and_numbers():
    values = pd.Series([True, False, "true", "FALSE", " True ", 1, 0, 1.0, np.True_, np.False_], dtype=object)
    assert flag(values).tolist() == [True, False, True, False, True, True, False, True, True, False]
    assert flag(pd.Series([True, False])).dtype == "boolean"


@pytest.mark.parametrize("missing", MISSING + ["", "maybe", 2])
def test_flag_is_na_for_missing_or_unreadable_values(missing):
    out = flag(pd.Series([True, missing], dtype=object))
    assert out.dtype == "boolean" and out[0] and pd.isna(out[1])


def test_flag_keeps_the_index():
    assert list(flag(pd.Series([True, None], index=[7, 3])).index) == [7, 3]


def test_text_false_is_false_not_true():
    # Parquet stores a mixed column as text: "False" must stay False (bool("False") is True).
    rows = [{"db_instance_id": "db-1", "storage_encrypted": "False"},
            {"db_instance_id": "db-2", "storage_encrypted": "True"}]
    assert run("rds_instance_storage_encrypted", {"rds_instances": rows}) == {"db-1": "FAIL", "db-2": "PASS"}


# -- one resource known, one missing, for checks of several services -----------------------------

CASES = {
    "efs_filesystem_encrypted": lambda m: {"efs_file_systems": [
        {"file_system_id": "known", "encrypted": True}, {"file_system_id": "missing", "encrypted": m}]},
    "rds_instance_not_public": lambda m: {"rds_instances": [
        {"db_instance_id": "known", "publicly_accessible": True},
        {"db_instance_id": "missing", "publicly_accessible": m}]},
    "rds_cluster_deletion_protection": lambda m: {"rds_clusters": [
        {"db_cluster_id": "known", "deletion_protection": False},
        {"db_cluster_id": "missing", "deletion_protection": m}]},
    "ec2_volume_encrypted": lambda m: {"ec2_volumes": [
        {"volume_id": "known", "encrypted": False, "state": "in-use"},
        {"volume_id": "missing", "encrypted": m, "state": "in-use"}]},
    "ec2_image_not_public": lambda m: {"ec2_images": [
        {"image_id": "known", "public": False}, {"image_id": "missing", "public": m}]},
    "dynamodb_table_deletion_protection": lambda m: {"dynamodb_tables": [
        {"table_name": "known", "deletion_protection": True}, {"table_name": "missing", "deletion_protection": m}]},
    "elbv2_loadbalancer_access_logs_enabled": lambda m: {"elbv2_load_balancers": [], "elbv2_load_balancer_attributes": [
        {"name": "known", "type": "application", "access_logs_enabled": False},
        {"name": "missing", "type": "application", "access_logs_enabled": m}]},
    "kms_key_rotation_enabled": lambda m: {
        "kms_keys": [{"key_id": k, "key_manager": "CUSTOMER", "key_state": "Enabled"} for k in ("known", "missing")],
        "kms_key_rotation": [{"key_id": "known", "rotation_enabled": True},
                             {"key_id": "missing", "rotation_enabled": m}]},
    "secretsmanager_secret_rotation_enabled": lambda m: {"secretsmanager_secrets": [
        {"name": "known", "rotation_enabled": False}, {"name": "missing", "rotation_enabled": m}]},
    "backup_vault_locked": lambda m: {"backup_vaults": [
        {"name": "known", "locked": True}, {"name": "missing", "locked": m}]},
    "cloudtrail_trail_log_validation_enabled": lambda m: {"cloudtrail_trails": [
        {"name": "known", "log_file_validation": False}, {"name": "missing", "log_file_validation": m}]},
    "vpc_default_vpc_unused": lambda m: {"vpc_network_interfaces": [], "vpc_vpcs": [
        {"vpc_id": "known", "is_default": True}, {"vpc_id": "missing", "is_default": m}]},
    "iam_user_console_mfa_enabled": lambda m: {"iam_mfa_devices": [], "iam_credential_report": [
        {"user": "known", "arn": "arn:aws:iam::1:user/known", "password_enabled": True, "mfa_active": False},
        {"user": "missing", "arn": "arn:aws:iam::1:user/missing", "password_enabled": m, "mfa_active": True}]},
    "iam_user_single_active_access_key": lambda m: {"iam_credential_report": [
        {"user": "known", "access_key_1_active": True, "access_key_2_active": False},
        {"user": "missing", "access_key_1_active": True, "access_key_2_active": m}]},
}
EXPECTED = {"efs_filesystem_encrypted": "PASS", "rds_instance_not_public": "FAIL",
            "rds_cluster_deletion_protection": "FAIL", "ec2_volume_encrypted": "FAIL",
            "ec2_image_not_public": "PASS", "dynamodb_table_deletion_protection": "PASS",
            "elbv2_loadbalancer_access_logs_enabled": "FAIL", "kms_key_rotation_enabled": "PASS",
            "secretsmanager_secret_rotation_enabled": "FAIL", "backup_vault_locked": "PASS",
            "cloudtrail_trail_log_validation_enabled": "FAIL",
            "vpc_default_vpc_unused": "PASS", "iam_user_console_mfa_enabled": "FAIL",
            "iam_user_single_active_access_key": "PASS"}


@pytest.mark.parametrize("missing", MISSING, ids=["None", "NaN", "NA"])
@pytest.mark.parametrize("check_id", sorted(CASES))
def test_missing_flag_is_error(check_id, missing):
    assert run(check_id, CASES[check_id](missing)) == {"known": EXPECTED[check_id], "missing": "ERROR"}


@pytest.mark.parametrize("missing", MISSING, ids=["None", "NaN", "NA"])
def test_missing_regional_setting_is_error(missing):
    ebs = [{"region": "us-east-1", "enabled": True}, {"region": "eu-west-1", "enabled": missing}]
    assert run("ec2_ebs_default_encryption_enabled", {"ec2_ebs_encryption_default": ebs},
               regions=["us-east-1", "eu-west-1"]) == {"us-east-1": "PASS", "eu-west-1": "ERROR"}


def test_missing_value_in_a_row_is_error_but_no_row_is_not_configured():
    # S3 settings tables: a bucket with a row whose flag is missing cannot be judged; a bucket
    # with no row has nothing configured (the collector records every bucket it could read).
    buckets = [{"name": n, "arn": f"arn:aws:s3:::{n}"} for n in ("locked", "unknown", "unset")]
    tables = {"s3_buckets": buckets,
              "s3_bucket_logging": [{"name": "app", "target_bucket": n} for n in ("locked", "unknown", "unset")],
              "s3_bucket_object_lock": [{"name": "locked", "enabled": True}, {"name": "unknown", "enabled": None}]}
    assert run("s3_bucket_object_lock_enabled", tables) == {"locked": "PASS", "unknown": "ERROR", "unset": "FAIL"}


# -- account-level findings ------------------------------------------------------------------------

@pytest.mark.parametrize("missing", MISSING, ids=["None", "NaN", "NA"])
def test_missing_account_flags_are_error(missing):
    org = {"organizations_organization": [{"region": "global", "in_organization": missing}]}
    assert run("organizations_account_member", org) == {ACCOUNT_ID: "ERROR"}
    contacts = {"account_alternate_contacts": [{"region": "global", "contact_type": "SECURITY", "registered": missing}]}
    assert run("account_security_contact_registered", contacts) == {ACCOUNT_ID: "ERROR"}
    policy = {"iam_password_policy": [{"region": "global", "exists": True, "minimum_password_length": 14,
                                       "require_symbols": True, "require_numbers": True, "require_uppercase": True,
                                       "require_lowercase": missing}]}
    assert run("iam_password_policy_strong", policy) == {ACCOUNT_ID: "ERROR"}
    assert run("iam_password_policy_length_14", {"iam_password_policy": [
        {"region": "global", "exists": missing, "minimum_password_length": 14}]}) == {ACCOUNT_ID: "ERROR"}


def test_present_account_flags_still_decide():
    assert run("organizations_account_member", {"organizations_organization": [
        {"region": "global", "in_organization": False}]}) == {ACCOUNT_ID: "FAIL"}
    assert run("account_security_contact_registered", {"account_alternate_contacts": [
        {"region": "global", "contact_type": "SECURITY", "registered": "true", "email_address": "sec@example.com"},
    ]}) == {ACCOUNT_ID: "PASS"}
    # a requirement known to be off is a FAIL even when another one is missing
    policy = {"iam_password_policy": [{"region": "global", "exists": True, "minimum_password_length": 14,
                                       "require_symbols": False, "require_numbers": None, "require_uppercase": True,
                                       "require_lowercase": True}]}
    assert run("iam_password_policy_strong", policy) == {ACCOUNT_ID: "FAIL"}


@pytest.mark.parametrize("missing", MISSING, ids=["None", "NaN", "NA"])
def test_missing_config_recording_status_is_error(missing):
    recorders = [{"name": "default", "all_supported": True, "include_global_resource_types": True,
                  "recording": missing}]
    assert run("config_recorder_enabled", {"config_recorders": recorders}) == {f"{ACCOUNT_ID}/us-east-1": "ERROR"}
    assert run("config_recorder_global_resources", {"config_recorders": recorders}) == {ACCOUNT_ID: "ERROR"}


def test_nacl_entry_of_unknown_direction_is_error():
    acls = [{"network_acl_id": n, "vpc_id": "vpc-1"} for n in ("acl-open", "acl-unknown")]
    entry = {"rule_number": 100, "protocol": "-1", "rule_action": "allow", "cidr": "0.0.0.0/0", "family": "ipv4"}
    entries = [{**entry, "network_acl_id": "acl-open", "egress": False},
               {**entry, "network_acl_id": "acl-unknown", "egress": None}]
    tables = {"vpc_network_acls": acls, "vpc_network_acl_entries": entries}
    assert run("vpc_networkacl_admin_ports_restricted", tables) == {"acl-open": "FAIL", "acl-unknown": "ERROR"}
