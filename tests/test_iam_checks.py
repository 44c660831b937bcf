"""IAM checks: PASS and FAIL for each, on hand-built tables (edge cases) and on moto data."""

from __future__ import annotations

import json

import boto3
import pandas as pd
import pytest
from moto import mock_aws

from conftest import make_snapshot, schema_table
from srm_nb.aws import AwsAccess
from srm_nb.checks.catalog import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect.runner import collect
from srm_nb.snapshot import Snapshot

ACCOUNT = "123456789012"
NOW = "2026-11-01T09:00:00+00:00"


def snap(gaps=(), **tables) -> Snapshot:
    """A snapshot from rows; unspecified columns are None, region defaults to global."""
    return make_snapshot({name: schema_table(name, rows, region="global") for name, rows in tables.items()},
                         gaps=list(gaps), started_at=NOW, regions=["us-east-1", "eu-west-1"])


def run(check_id: str, s: Snapshot) -> dict:
    r = run_check(load_catalog()[check_id], s)
    return dict(zip(r["resource_id"], r["status"]))


def detail(check_id: str, s: Snapshot) -> str:
    return " | ".join(run_check(load_catalog()[check_id], s)["detail"])


def summary(**kv):
    return [{"key": k, "value": v} for k, v in kv.items()]


def report_row(user, **kv):
    base = {"user": user, "arn": f"arn:aws:iam::{ACCOUNT}:user/{user}", "user_creation_time": "2024-01-01T00:00:00+00:00",
            "password_enabled": False, "mfa_active": False, "access_key_1_active": False, "access_key_2_active": False}
    if user == "<root_account>":
        base["arn"] = f"arn:aws:iam::{ACCOUNT}:root"
    return {**base, **kv}


def days_ago(n: int) -> str:
    return (pd.Timestamp(NOW) - pd.Timedelta(days=n)).isoformat()


# -- root ------------------------------------------------------------------------------------------

def test_root_mfa():
    with_pw = dict(AccountPasswordPresent=1, AccountAccessKeysPresent=0)
    assert run("iam_root_mfa_enabled", snap(iam_account_summary=summary(AccountMFAEnabled=1))) == {ACCOUNT: "PASS"}
    assert run("iam_root_mfa_enabled", snap(iam_account_summary=summary(AccountMFAEnabled=0, **with_pw))) \
        == {ACCOUNT: "FAIL"}
    assert run("iam_root_mfa_enabled", snap(iam_account_summary=[])) == {ACCOUNT: "ERROR"}


def test_root_without_credentials_passes_both_mfa_checks():
    """Centralized root access removes root's password and keys in member accounts: IAM.9, IAM.6
    and CIS ("AccountMFAEnabled 1 or AccountPasswordPresent 0") pass; a summary that does not say
    whether root has a password leaves a root without MFA unjudged (ERROR), never FAIL."""
    bare = summary(AccountMFAEnabled=0, AccountPasswordPresent=0, AccountAccessKeysPresent=0)
    for check in ("iam_root_mfa_enabled", "iam_root_hardware_mfa_enabled"):
        s = snap(iam_account_summary=bare, iam_mfa_devices=[])
        assert run(check, s) == {ACCOUNT: "PASS"}
        assert "no password and no access keys" in detail(check, s)
        keys = snap(iam_account_summary=summary(AccountMFAEnabled=0, AccountPasswordPresent=0,
                                                AccountAccessKeysPresent=1), iam_mfa_devices=[])
        assert run(check, keys) == {ACCOUNT: "FAIL"}
        unknown = snap(iam_account_summary=summary(AccountMFAEnabled=0, AccountAccessKeysPresent=0),
                       iam_mfa_devices=[])
        assert run(check, unknown) == {ACCOUNT: "ERROR"}


def test_root_hardware_mfa():
    root_virtual = [{"user_name": "<root_account>", "user_arn": f"arn:aws:iam::{ACCOUNT}:root",
                     "serial_number": f"arn:aws:iam::{ACCOUNT}:mfa/root-account-mfa-device"}]
    user_virtual = [{"user_name": "alice", "user_arn": f"arn:aws:iam::{ACCOUNT}:user/alice"}]
    on = summary(AccountMFAEnabled=1)
    assert run("iam_root_hardware_mfa_enabled", snap(iam_account_summary=on, iam_mfa_devices=user_virtual)) \
        == {ACCOUNT: "PASS"}
    assert run("iam_root_hardware_mfa_enabled", snap(iam_account_summary=on, iam_mfa_devices=root_virtual)) \
        == {ACCOUNT: "FAIL"}
    off = summary(AccountMFAEnabled=0, AccountPasswordPresent=1, AccountAccessKeysPresent=0)
    assert run("iam_root_hardware_mfa_enabled", snap(iam_account_summary=off, iam_mfa_devices=[])) == {ACCOUNT: "FAIL"}


def test_root_mfa_devices_not_collected_is_error_not_pass():
    s = snap(iam_account_summary=summary(AccountMFAEnabled=1),
             gaps=[{"table": "iam_mfa_devices", "region": "global", "resource_id": "", "service": "iam",
                    "operation": "ListVirtualMFADevices", "status": "denied", "error_code": "AccessDenied",
                    "message": "no"}], iam_mfa_devices=[])
    assert set(run("iam_root_hardware_mfa_enabled", s).values()) == {"ERROR"}


def test_root_access_keys():
    assert run("iam_root_access_keys_absent", snap(iam_account_summary=summary(AccountAccessKeysPresent=0))) \
        == {ACCOUNT: "PASS"}
    assert run("iam_root_access_keys_absent", snap(iam_account_summary=summary(AccountAccessKeysPresent=1))) \
        == {ACCOUNT: "FAIL"}
    # An account summary without the key is missing data: ERROR, never a verdict.
    assert run("iam_root_access_keys_absent", snap(iam_account_summary=[])) == {ACCOUNT: "ERROR"}


def test_root_not_used_recently():
    old = snap(iam_credential_report=[report_row("<root_account>", password_last_used=days_ago(200))])
    recent_pw = snap(iam_credential_report=[report_row("<root_account>", password_last_used=days_ago(3))])
    recent_key = snap(iam_credential_report=[report_row("<root_account>", access_key_2_last_used_date=days_ago(30))])
    assert run("iam_root_not_used_recently", old) == {ACCOUNT: "PASS"}
    assert run("iam_root_not_used_recently", recent_pw) == {ACCOUNT: "FAIL"}
    assert run("iam_root_not_used_recently", recent_key) == {ACCOUNT: "FAIL"}
    assert "access key 2" in detail("iam_root_not_used_recently", recent_key)
    # A report without a root row cannot prove anything.
    assert run("iam_root_not_used_recently", snap(iam_credential_report=[report_row("alice")])) == {ACCOUNT: "ERROR"}


# -- users -----------------------------------------------------------------------------------------

def test_console_mfa_uses_report_and_virtual_devices():
    s = snap(iam_credential_report=[
        report_row("<root_account>"),
        report_row("hw", password_enabled=True, mfa_active=True),
        report_row("virt", password_enabled="true", mfa_active="false"),
        report_row("none", password_enabled=True),
        report_row("api", password_enabled=False),
    ], iam_mfa_devices=[{"user_name": "virt", "user_arn": f"arn:aws:iam::{ACCOUNT}:user/virt"}])
    assert run("iam_user_console_mfa_enabled", s) == {"hw": "PASS", "virt": "PASS", "none": "FAIL"}


def test_access_key_rotation():
    s = snap(iam_access_keys=[
        {"user_name": "a", "access_key_id": "AKIA1", "status": "Active", "create_date": days_ago(10)},
        {"user_name": "b", "access_key_id": "AKIA2", "status": "Active", "create_date": days_ago(200)},
        {"user_name": "c", "access_key_id": "AKIA3", "status": "Inactive", "create_date": days_ago(900)},
    ])
    assert run("iam_access_key_rotated_90_days", s) == {"a/AKIA1": "PASS", "b/AKIA2": "FAIL"}


def test_unused_credentials():
    s = snap(iam_credential_report=[
        report_row("<root_account>", password_last_used=days_ago(400)),  # root is not judged here
        report_row("active", password_enabled=True, password_last_used=days_ago(5),
                   access_key_1_active=True, access_key_1_last_used_date=days_ago(2),
                   access_key_1_last_rotated=days_ago(300)),
        report_row("stale-pw", password_enabled=True, password_last_used=days_ago(60)),
        report_row("never-pw", password_enabled=True, password_last_changed=days_ago(100)),
        report_row("new-pw", password_enabled=True, password_last_changed=days_ago(3)),
        report_row("stale-key", access_key_2_active=True, access_key_2_last_rotated=days_ago(90)),
        report_row("disabled-key", access_key_1_active=False, access_key_1_last_rotated=days_ago(900)),
        report_row("exactly-45", password_enabled=True, password_last_used=days_ago(45)),
    ])
    assert run("iam_user_unused_credentials_disabled", s) == {
        "active": "PASS", "stale-pw": "FAIL", "never-pw": "FAIL", "new-pw": "PASS", "stale-key": "FAIL",
        "disabled-key": "PASS", "exactly-45": "FAIL"}  # "45 days or more"
    assert "access key 2" in detail("iam_user_unused_credentials_disabled", s)


def test_unused_credentials_thresholds_by_framework():
    """IAM.8 allows 90 days where CIS and IAM.22 allow 45: a password unused for 60 days fails
    the 45-day check only; one unused for 90 days fails both."""
    s = snap(iam_credential_report=[
        report_row("sixty", password_enabled=True, password_last_used=days_ago(60)),
        report_row("ninety", password_enabled=True, password_last_used=days_ago(90)),
        report_row("fresh", access_key_1_active=True, access_key_1_last_used_date=days_ago(10),
                   access_key_1_last_rotated=days_ago(400)),
    ])
    assert run("iam_user_unused_credentials_disabled", s) == {"sixty": "FAIL", "ninety": "FAIL", "fresh": "PASS"}
    assert run("iam_user_credentials_unused_90_days", s) == {"sixty": "PASS", "ninety": "FAIL", "fresh": "PASS"}
    catalog = load_catalog()
    assert catalog["iam_user_credentials_unused_90_days"].fsbp_ids == ("IAM.8",)
    assert catalog["iam_user_unused_credentials_disabled"].fsbp_ids == ("IAM.22",)


def test_single_active_key():
    s = snap(iam_credential_report=[
        report_row("one", access_key_1_active=True),
        report_row("two", access_key_1_active=True, access_key_2_active=True),
        report_row("rotating", access_key_1_active=True, access_key_2_active=False),
    ])
    assert run("iam_user_single_active_access_key", s) == {"one": "PASS", "two": "FAIL", "rotating": "PASS"}


def test_no_unused_key_from_setup():
    """CIS v5.0 1.10's audit: a console user with an active access key never used fails, whenever
    the key was created; an API-only user, a used key or an inactive one does not."""
    created = days_ago(300)
    s = snap(iam_credential_report=[
        report_row("setup-key", password_enabled=True, user_creation_time=created,
                   access_key_1_active=True, access_key_1_last_rotated=created),
        report_row("used-key", password_enabled=True, user_creation_time=created,
                   access_key_1_active=True, access_key_1_last_rotated=created,
                   access_key_1_last_used_date=days_ago(1)),
        report_row("later-key", password_enabled=True, user_creation_time=created,
                   access_key_2_active=True, access_key_2_last_rotated=days_ago(100)),
        report_row("inactive-key", password_enabled=True, user_creation_time=created,
                   access_key_1_active=False, access_key_1_last_rotated=created),
        report_row("api-only", user_creation_time=created, access_key_1_active=True,
                   access_key_1_last_rotated=created),
    ])
    assert run("iam_user_no_unused_key_from_setup", s) == {
        "setup-key": "FAIL", "used-key": "PASS", "later-key": "FAIL", "inactive-key": "PASS"}


def test_console_users_without_keys():
    s = snap(iam_credential_report=[
        report_row("human", password_enabled=True, access_key_1_active=True),
        report_row("workload", access_key_2_active=True),
        report_row("console-only", password_enabled=True),
    ])
    assert run("iam_user_console_without_access_keys", s) == {"human": "FAIL", "workload": "PASS"}


# -- password policy -------------------------------------------------------------------------------

STRONG = {"exists": True, "minimum_password_length": 14, "require_symbols": True, "require_numbers": True,
          "require_uppercase": True, "require_lowercase": True, "password_reuse_prevention": 24}


@pytest.mark.parametrize("check", ["iam_password_policy_strong", "iam_password_policy_length_14",
                                   "iam_password_policy_reuse_24"])
def test_password_policy_checks(check):
    assert run(check, snap(iam_password_policy=[STRONG])) == {ACCOUNT: "PASS"}
    assert run(check, snap(iam_password_policy=[{"exists": False}])) == {ACCOUNT: "FAIL"}


def test_password_policy_weak_parts():
    weak = {**STRONG, "minimum_password_length": 8, "require_symbols": False, "password_reuse_prevention": None}
    s = snap(iam_password_policy=[weak])
    assert run("iam_password_policy_strong", s) == {ACCOUNT: "FAIL"}
    assert "a symbol" in detail("iam_password_policy_strong", s)
    assert run("iam_password_policy_length_14", s) == {ACCOUNT: "FAIL"}
    assert run("iam_password_policy_reuse_24", s) == {ACCOUNT: "FAIL"}
    assert run("iam_password_policy_strong", snap(iam_password_policy=[{**STRONG, "minimum_password_length": 8}])) \
        == {ACCOUNT: "PASS"}


# -- policies --------------------------------------------------------------------------------------

def pdoc(*sts):
    return json.dumps({"Version": "2012-10-17", "Statement": list(sts)})


ADMIN = pdoc({"Effect": "Allow", "Action": "*", "Resource": "*"})
READ = pdoc({"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"})
S3_ALL = pdoc({"Effect": "Allow", "Action": "s3:*", "Resource": "*"})


def test_customer_policy_full_admin_attached_or_not():
    """IAM.1 judges every customer managed policy, attached or not, except permissions
    boundaries (excludePermissionBoundaryPolicy)."""
    s = snap(iam_policies=[
        {"policy_name": "PowerAdmin", "arn": "arn:aws:iam::1:policy/PowerAdmin", "attachment_count": 2, "document_json": ADMIN},
        {"policy_name": "Reader", "arn": "arn:aws:iam::1:policy/Reader", "attachment_count": 1, "document_json": READ},
        {"policy_name": "Unused", "arn": "arn:aws:iam::1:policy/Unused", "attachment_count": 0, "document_json": ADMIN},
        {"policy_name": "Boundary", "arn": "arn:aws:iam::1:policy/Boundary", "attachment_count": 0, "document_json": ADMIN},
        {"policy_name": "StarStar", "arn": "arn:aws:iam::1:policy/StarStar", "attachment_count": 1,
         "document_json": pdoc({"Effect": "allow", "Action": ["*:*"], "Resource": ["*"]})},
    ], iam_users=[{"user_name": "dev", "permissions_boundary_arn": "arn:aws:iam::1:policy/Boundary"}], iam_roles=[])
    assert run("iam_policy_no_full_admin", s) == {"PowerAdmin": "FAIL", "Reader": "PASS", "Unused": "FAIL",
                                                  "StarStar": "FAIL"}
    assert "not attached to anyone yet" in detail("iam_policy_no_full_admin", s)


def test_attached_full_admin_includes_aws_managed_administrator_access():
    """CIS lists attached policies (list-policies --only-attached), AWS managed ones included:
    AdministratorAccess on a role fails; an unattached customer '*:*' policy is not CIS's business."""
    admin_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    pols = [{"policy_name": "Unused", "arn": "arn:aws:iam::1:policy/Unused", "attachment_count": 0, "document_json": ADMIN},
            {"policy_name": "Reader", "arn": "arn:aws:iam::1:policy/Reader", "attachment_count": 1, "document_json": READ}]
    clean = snap(iam_policies=pols, **identity_tables(
        roles=[{"role_name": "ops", "arn": "r", "attached_policy_arns": "[]", "inline_policies_json": "[]"}]))
    assert run("iam_attached_policy_no_full_admin", clean) == {"Reader": "PASS"}
    held = snap(iam_policies=pols, **identity_tables(
        roles=[{"role_name": "ops", "arn": "r", "attached_policy_arns": json.dumps([admin_arn]),
                "inline_policies_json": "[]"}],
        groups=[{"group_name": "admins", "arn": "g", "attached_policy_arns": json.dumps([admin_arn]),
                 "inline_policies_json": "[]"}]))
    assert run("iam_attached_policy_no_full_admin", held) == {"Reader": "PASS", "AdministratorAccess": "FAIL"}
    assert "group admins, role ops" in detail("iam_attached_policy_no_full_admin", held)
    catalog = load_catalog()
    assert "IAM.1" in catalog["iam_policy_no_full_admin"].fsbp_ids and not catalog["iam_policy_no_full_admin"].cis_ids
    assert set(catalog["iam_attached_policy_no_full_admin"].cis_ids) == {"7.0:2.14", "5.0:1.15"}


def test_customer_policy_service_wildcard():
    s = snap(iam_policies=[
        {"policy_name": "S3All", "arn": "a1", "attachment_count": 1, "document_json": S3_ALL},
        {"policy_name": "S3AllUnused", "arn": "a3", "attachment_count": 0, "document_json": S3_ALL},
        {"policy_name": "Reader", "arn": "a2", "attachment_count": 1, "document_json": READ},
    ], iam_users=[], iam_roles=[])
    assert run("iam_policy_no_service_wildcard", s) == {"S3All": "FAIL", "S3AllUnused": "FAIL", "Reader": "PASS"}


KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def decrypt(resource, action="kms:Decrypt", **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


KMS_CASES = {  # policy name: (document, verdict) -- KMS.1 and KMS.2 read documents alike
    "DecryptAll": (pdoc(decrypt("*")), "FAIL"),
    "ReEncryptEveryKey": (pdoc(decrypt("arn:aws:kms:*:123456789012:key/*", "kms:ReEncrypt*")), "FAIL"),
    "KmsStar": (pdoc(decrypt(["arn:aws:kms:*"], "kms:*")), "FAIL"),
    "Admin": (ADMIN, "FAIL"),
    "EverythingButS3": (pdoc({"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}), "FAIL"),
    "EveryKeyButOne": (pdoc({"Effect": "Allow", "Action": "kms:Decrypt", "NotResource": KEY}), "FAIL"),
    "OnlyWithCondition": (pdoc(decrypt("*", Condition={"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}})),
                          "FAIL"),
    "DeniedWhenConditional": (pdoc(decrypt("*"), {"Effect": "Deny", "Action": "kms:*", "Resource": "*",
                                                  "Condition": {"Bool": {"aws:SecureTransport": "false"}}}), "FAIL"),
    "NamedKey": (pdoc(decrypt(KEY), decrypt(KEY, "kms:ReEncryptFrom")), "PASS"),
    "Aliases": (pdoc(decrypt("arn:aws:kms:us-east-1:123456789012:alias/*")), "PASS"),
    "EncryptOnly": (pdoc(decrypt("*", ["kms:Encrypt", "kms:GenerateDataKey"])), "PASS"),
    "DeniedEverywhere": (pdoc(decrypt("*", "kms:*"), {"Effect": "Deny", "Action": ["kms:Decrypt", "kms:ReEncrypt*"],
                                                      "Resource": "*"}), "PASS"),
    "Reader": (READ, "PASS"),
}


def test_customer_policy_kms_decryption_on_every_key():
    """KMS.1: customer managed policies, attached or not (boundaries excepted), may not allow
    kms:Decrypt or kms:ReEncryptFrom on every key; wildcards in Action and Resource count."""
    pols = [{"policy_name": n, "arn": f"arn:aws:iam::1:policy/{n}", "attachment_count": 0, "document_json": d}
            for n, (d, _) in KMS_CASES.items()]
    pols.append({"policy_name": "Boundary", "arn": "arn:aws:iam::1:policy/Boundary", "attachment_count": 0,
                 "document_json": pdoc(decrypt("*"))})
    pols.append({"policy_name": "Unread", "arn": "arn:aws:iam::1:policy/Unread", "attachment_count": 1,
                 "document_json": None})
    s = snap(iam_policies=pols, iam_users=[{"user_name": "dev", "permissions_boundary_arn": "arn:aws:iam::1:policy/Boundary"}],
             iam_roles=[])
    assert run("iam_policy_no_kms_decrypt_all_keys", s) == {**{n: v for n, (_, v) in KMS_CASES.items()},
                                                            "Unread": "ERROR"}
    assert "allows kms:ReEncryptFrom on every KMS key" in detail("iam_policy_no_kms_decrypt_all_keys", s)


def test_inline_policy_kms_decryption_on_every_key():
    """KMS.2: the inline policies of users, groups and roles."""
    s = snap(**identity_tables(
        users=[{"user_name": "bob", "arn": "u1", "attached_policy_arns": "[]",
                "inline_policies_json": inline(("decrypt", KMS_CASES["DecryptAll"][0]))}],
        groups=[{"group_name": "ops", "arn": "g1", "attached_policy_arns": "[]", "inline_policies_json": inline(("read", READ))}],
        roles=[{"role_name": "etl", "arn": "r1", "attached_policy_arns": "[]",
                "inline_policies_json": inline(("key", KMS_CASES["NamedKey"][0]), ("all", ADMIN))}],
    ))
    assert run("iam_inline_policy_no_kms_decrypt_all_keys", s) == {
        "user/bob/decrypt": "FAIL", "group/ops/read": "PASS", "role/etl/key": "PASS", "role/etl/all": "FAIL"}
    assert "kms:Decrypt, kms:ReEncryptFrom on every KMS key" in detail("iam_inline_policy_no_kms_decrypt_all_keys", s)


def inline(*pairs):
    return json.dumps([{"name": n, "document": json.loads(d)} for n, d in pairs])


def identity_tables(users=(), groups=(), roles=()):
    return dict(iam_users=list(users), iam_groups=list(groups), iam_roles=list(roles))


def test_inline_full_admin_across_users_groups_roles():
    s = snap(**identity_tables(
        users=[{"user_name": "bob", "arn": "u1", "attached_policy_arns": "[]", "inline_policies_json": inline(("quick-fix", ADMIN))},
               {"user_name": "amy", "arn": "u2", "attached_policy_arns": "[]", "inline_policies_json": "[]"}],
        groups=[{"group_name": "ops", "arn": "g1", "attached_policy_arns": "[]", "inline_policies_json": inline(("read", READ))}],
        roles=[{"role_name": "etl", "arn": "r1", "attached_policy_arns": "[]", "inline_policies_json": inline(("all", ADMIN), ("read", READ))}],
    ))
    assert run("iam_inline_policy_no_full_admin", s) == {
        "user/bob/quick-fix": "FAIL", "group/ops/read": "PASS", "role/etl/all": "FAIL", "role/etl/read": "PASS"}


def test_inline_admin_not_applicable_without_inline_policies():
    s = snap(**identity_tables(users=[{"user_name": "amy", "arn": "u2", "attached_policy_arns": "[]",
                                       "inline_policies_json": "[]"}]))
    assert run("iam_inline_policy_no_full_admin", s) == {ACCOUNT: "NOT_APPLICABLE"}


def test_users_only_through_groups():
    s = snap(iam_users=[
        {"user_name": "grouped", "attached_policy_arns": "[]", "inline_policies_json": "[]"},
        {"user_name": "attached", "attached_policy_arns": json.dumps(["arn:aws:iam::aws:policy/ReadOnlyAccess"]),
         "inline_policies_json": "[]"},
        {"user_name": "inline", "attached_policy_arns": "[]", "inline_policies_json": inline(("x", READ))},
    ])
    assert run("iam_user_no_direct_policies", s) == {"grouped": "PASS", "attached": "FAIL", "inline": "FAIL"}


def test_support_role():
    support = {"role_name": "aws-support", "arn": "r",
               "attached_policy_arns": json.dumps(["arn:aws:iam::aws:policy/AWSSupportAccess"])}
    other = {"role_name": "etl", "arn": "r2", "attached_policy_arns": json.dumps(["arn:aws:iam::aws:policy/ReadOnlyAccess"])}
    assert run("iam_support_role_exists", snap(iam_roles=[support, other])) == {ACCOUNT: "PASS"}
    assert run("iam_support_role_exists", snap(iam_roles=[other])) == {ACCOUNT: "FAIL"}
    assert run("iam_support_role_exists", snap(iam_roles=[])) == {ACCOUNT: "FAIL"}
    # A look-alike customer policy named AWSSupportAccess does not count.
    fake = {**other, "attached_policy_arns": json.dumps([f"arn:aws:iam::{ACCOUNT}:policy/MyAWSSupportAccess"])}
    assert run("iam_support_role_exists", snap(iam_roles=[fake])) == {ACCOUNT: "FAIL"}
    # Nor one named exactly like it: only the AWS managed policy (account "aws") grants Support.
    same_name = {**other, "attached_policy_arns": json.dumps([f"arn:aws:iam::{ACCOUNT}:policy/AWSSupportAccess"])}
    assert run("iam_support_role_exists", snap(iam_roles=[same_name])) == {ACCOUNT: "FAIL"}
    gov = {**other, "attached_policy_arns": json.dumps(["arn:aws-us-gov:iam::aws:policy/AWSSupportAccess"])}
    assert run("iam_support_role_exists", snap(iam_roles=[gov])) == {ACCOUNT: "PASS"}


def test_support_access_on_a_user_or_a_group_with_members_passes_iam18_only():
    """IAM.18 (iam-policy-in-use, policyUsageType ANY) accepts a user, a group with members or a
    role; CIS asks for a role (PolicyRoles). A group nobody belongs to does not count."""
    sup = json.dumps(["arn:aws:iam::aws:policy/AWSSupportAccess"])
    user = identity_tables(users=[{"user_name": "oncall", "arn": "u", "attached_policy_arns": sup,
                                   "inline_policies_json": "[]", "group_names": "[]"}])
    assert run("iam_support_access_attached", snap(**user)) == {ACCOUNT: "PASS"}
    assert run("iam_support_role_exists", snap(**user)) == {ACCOUNT: "FAIL"}
    group = {"group_name": "support", "arn": "g", "attached_policy_arns": sup, "inline_policies_json": "[]"}
    member = {"user_name": "ann", "arn": "u", "attached_policy_arns": "[]", "inline_policies_json": "[]",
              "group_names": json.dumps(["support"])}
    loner = {**member, "group_names": "[]"}
    assert run("iam_support_access_attached", snap(**identity_tables(users=[member], groups=[group]))) == {ACCOUNT: "PASS"}
    assert run("iam_support_access_attached", snap(**identity_tables(users=[loner], groups=[group]))) == {ACCOUNT: "FAIL"}
    assert load_catalog()["iam_support_access_attached"].fsbp_ids == ("IAM.18",)
    assert load_catalog()["iam_support_role_exists"].fsbp_ids == ()


def test_cloudshell_full_access():
    cs = json.dumps(["arn:aws:iam::aws:policy/AWSCloudShellFullAccess"])
    clean = identity_tables(users=[{"user_name": "a", "arn": "u", "attached_policy_arns": "[]", "inline_policies_json": "[]"}])
    assert run("iam_cloudshell_full_access_not_attached", snap(**clean)) == {ACCOUNT: "PASS"}
    bad = identity_tables(
        users=[{"user_name": "a", "arn": "u", "attached_policy_arns": "[]", "inline_policies_json": "[]"}],
        groups=[{"group_name": "devs", "arn": "g", "attached_policy_arns": cs, "inline_policies_json": "[]"}])
    assert run("iam_cloudshell_full_access_not_attached", snap(**bad)) == {"group/devs": "FAIL"}


# -- roles -----------------------------------------------------------------------------------------

def role(name, principal, condition=None):
    st = {"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"}
    if condition:
        st["Condition"] = condition
    return {"role_name": name, "arn": f"arn:aws:iam::{ACCOUNT}:role/{name}", "trust_policy_json": pdoc(st),
            "attached_policy_arns": "[]", "inline_policies_json": "[]"}


ROLES = [
    role("open", {"AWS": "*"}),
    role("open-root-wildcard", {"AWS": "arn:aws:iam::*:root"}),
    role("org-pinned", "*", {"StringEquals": {"aws:PrincipalOrgID": "o-abc"}}),
    role("service", {"Service": "lambda.amazonaws.com"}),
    role("partner", {"AWS": "arn:aws:iam::210987654321:root"}),
    role("auditor", {"AWS": "444455556666"}, {"StringEquals": {"sts:ExternalId": "x"}}),
    role("same-account", {"AWS": f"arn:aws:iam::{ACCOUNT}:role/admin"}),
    role("anyone-with-the-id", {"AWS": "*"}, {"StringEquals": {"sts:ExternalId": "northwind-7f3a"}}),
]


def test_role_trust_not_public():
    got = run("iam_role_trust_not_public", snap(iam_roles=ROLES))
    assert got == {"open": "FAIL", "open-root-wildcard": "FAIL", "org-pinned": "PASS", "service": "PASS",
                   "partner": "PASS", "auditor": "PASS", "same-account": "PASS",
                   "anyone-with-the-id": "FAIL"}  # an external id is not a secret


def test_cross_account_external_id():
    assert run("iam_role_cross_account_external_id", snap(iam_roles=ROLES)) == {"partner": "FAIL", "auditor": "PASS"}
    assert run("iam_role_cross_account_external_id", snap(iam_roles=ROLES[2:4])) == {ACCOUNT: "NOT_APPLICABLE"}


# -- certificates ----------------------------------------------------------------------------------

def test_server_certificates():
    s = snap(iam_server_certificates=[
        {"name": "expired", "arn": "c1", "expiration": days_ago(10)},
        {"name": "valid", "arn": "c2", "expiration": days_ago(-100)},
        {"name": "undated", "arn": "c3", "expiration": None},
    ])
    assert run("iam_server_certificate_not_expired", s) == {"expired": "FAIL", "valid": "PASS", "undated": "ERROR"}
    assert run("iam_server_certificate_not_expired", snap(iam_server_certificates=[])) == {ACCOUNT: "NOT_APPLICABLE"}


# -- through moto and the real collectors ------------------------------------------------------------

@mock_aws
def test_checks_on_moto_data_through_the_collectors():
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_group(GroupName="Admins")
    for name, console, mfa in (("alice", True, True), ("bob", True, False)):
        iam.create_user(UserName=name)
        if console:
            iam.create_login_profile(UserName=name, Password="Str0ng-Passw0rd!")
        if mfa:
            dev = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]
            iam.enable_mfa_device(UserName=name, SerialNumber=dev["SerialNumber"],
                                  AuthenticationCode1="123456", AuthenticationCode2="654321")
    iam.add_user_to_group(GroupName="Admins", UserName="alice")
    iam.put_user_policy(UserName="bob", PolicyName="quick-fix", PolicyDocument=ADMIN)
    iam.create_access_key(UserName="bob")
    iam.create_access_key(UserName="bob")
    iam.create_role(RoleName="open", AssumeRolePolicyDocument=ROLES[0]["trust_policy_json"])
    iam.create_role(RoleName="partner", AssumeRolePolicyDocument=ROLES[4]["trust_policy_json"])
    arn = iam.create_policy(PolicyName="PowerAdmin", PolicyDocument=ADMIN)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="partner", PolicyArn=arn)
    iam.update_account_password_policy(MinimumPasswordLength=14, PasswordReusePrevention=24)
    iam.create_policy(PolicyName="Unattached", PolicyDocument=S3_ALL)
    iam.create_instance_profile(InstanceProfileName="empty")
    iam.create_instance_profile(InstanceProfileName="etl")
    iam.add_role_to_instance_profile(InstanceProfileName="etl", RoleName="partner")
    s = collect(AwsAccess(session=boto3.Session(region_name="us-east-1")), ["us-east-1"],
                services=["iam"], quiet=True)
    assert run("iam_user_console_mfa_enabled", s) == {"alice": "PASS", "bob": "FAIL"}
    assert run("iam_user_no_direct_policies", s) == {"alice": "PASS", "bob": "FAIL"}
    assert run("iam_inline_policy_no_full_admin", s) == {"user/bob/quick-fix": "FAIL"}
    assert run("iam_user_single_active_access_key", s) == {"alice": "PASS", "bob": "FAIL"}
    assert run("iam_role_trust_not_public", s) == {"open": "FAIL", "partner": "PASS"}
    assert run("iam_role_cross_account_external_id", s) == {"partner": "FAIL"}
    assert run("iam_policy_no_full_admin", s) == {"PowerAdmin": "FAIL", "Unattached": "PASS"}
    assert run("iam_policy_no_service_wildcard", s) == {"PowerAdmin": "PASS", "Unattached": "FAIL"}
    assert run("iam_password_policy_length_14", s) == {ACCOUNT: "PASS"}
    assert run("iam_password_policy_reuse_24", s) == {ACCOUNT: "PASS"}
    # moto's root has no MFA, and moto's summary does not say whether root has a password.
    assert run("iam_root_mfa_enabled", s) == {ACCOUNT: "ERROR"}
    roles = s.table("iam_roles").set_index("role_name")
    assert json.loads(roles.loc["partner", "instance_profile_arns"]) == [
        f"arn:aws:iam::{ACCOUNT}:instance-profile/etl"]
    assert json.loads(roles.loc["open", "instance_profile_arns"]) == []


def test_identity_tables_not_collected_is_error():
    s = snap(iam_users=[])  # no iam_groups / iam_roles: their collector did not run
    assert set(run("iam_inline_policy_no_full_admin", s).values()) == {"ERROR"}


def test_instance_role_attached():
    """CIS: an instance profile that holds no role ("No roles attached to instance profile")
    fails like no profile at all."""
    profile = "arn:aws:iam::123456789012:instance-profile/"
    s = snap(ec2_instances=[
        {"instance_id": "i-role", "region": "us-east-1", "arn": "a1", "state": "running",
         "instance_profile_arn": profile + "web"},
        {"instance_id": "i-empty", "region": "us-east-1", "arn": "a4", "state": "running",
         "instance_profile_arn": profile + "empty"},
        {"instance_id": "i-none", "region": "us-east-1", "arn": "a2", "state": "stopped", "instance_profile_arn": None},
        {"instance_id": "i-gone", "region": "us-east-1", "arn": "a3", "state": "terminated", "instance_profile_arn": None},
    ], iam_roles=[{"role_name": "web", "instance_profile_arns": json.dumps([profile + "web"])},
                  {"role_name": "idle", "instance_profile_arns": "[]"}])
    assert run("iam_instance_role_attached", s) == {"i-role": "PASS", "i-empty": "FAIL", "i-none": "FAIL"}
    assert "holds no IAM role" in detail("iam_instance_role_attached", s)
    assert run("iam_instance_role_attached", snap(ec2_instances=[], iam_roles=[])) == {ACCOUNT: "NOT_APPLICABLE"}
    # Which profiles hold a role could not be read: the instances with a profile cannot be judged.
    unread = snap(ec2_instances=[{"instance_id": "i-role", "region": "us-east-1", "arn": "a1", "state": "running",
                                  "instance_profile_arn": profile + "web"}], iam_roles=[],
                  gaps=[{"table": "iam_roles", "region": "global", "resource_id": "", "service": "iam",
                         "operation": "GetAccountAuthorizationDetails", "status": "denied",
                         "error_code": "AccessDenied", "message": "no"}])
    assert set(run("iam_instance_role_attached", unread).values()) == {"ERROR"}
