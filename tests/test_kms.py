"""KMS: the key collector against moto, and every KMS check PASS and FAIL."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from conftest import make_snapshot, schema_table
from test_data_protection_support import collect_moto, details, verdicts

ADMIN = {"Sid": "Admins", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
         "Action": "kms:*", "Resource": "*"}


def _policy(*extra):
    return json.dumps({"Version": "2012-10-17", "Statement": [ADMIN, *extra]})


@pytest.fixture(scope="module")
def seeded():
    with mock_aws():
        kms = boto3.client("kms", region_name="us-east-1")
        ids = {}
        ids["rotated"] = kms.create_key(Policy=_policy())["KeyMetadata"]["KeyId"]
        kms.enable_key_rotation(KeyId=ids["rotated"])
        kms.create_alias(AliasName="alias/rotated", TargetKeyId=ids["rotated"])
        ids["unrotated"] = kms.create_key(Policy=_policy())["KeyMetadata"]["KeyId"]
        ids["public"] = kms.create_key(Policy=_policy({
            "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*"}))["KeyMetadata"]["KeyId"]
        ids["account_only"] = kms.create_key(Policy=_policy({
            "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "kms:Decrypt", "Resource": "*",
            "Condition": {"StringEquals": {"kms:CallerAccount": "123456789012"}}}))["KeyMetadata"]["KeyId"]
        ids["signing"] = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        ids["doomed"] = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.schedule_key_deletion(KeyId=ids["doomed"], PendingWindowInDays=7)
        ids["disabled"] = kms.create_key()["KeyMetadata"]["KeyId"]
        kms.disable_key(KeyId=ids["disabled"])
        return collect_moto("kms"), ids


def test_collector_tables(seeded):
    snap, ids = seeded
    keys = snap.tables["kms_keys"].set_index("key_id")
    assert keys.loc[ids["rotated"], "key_manager"] == "CUSTOMER"
    assert json.loads(keys.loc[ids["rotated"], "aliases_json"]) == ["alias/rotated"]
    assert keys.loc[ids["doomed"], "key_state"] == "PendingDeletion"
    rotation = snap.tables["kms_key_rotation"].set_index("key_id")
    # Rotation is asked only where KMS supports it: not for signing keys nor keys pending deletion.
    assert ids["signing"] not in rotation.index and ids["doomed"] not in rotation.index
    assert bool(rotation.loc[ids["rotated"], "rotation_enabled"]) is True
    assert ids["disabled"] in rotation.index
    policies = snap.tables["kms_key_policies"].set_index("key_id")
    assert "kms:CallerAccount" in policies.loc[ids["account_only"], "policy_json"]
    assert snap.tables["gaps"].empty


def test_rotation_pass_and_fail(seeded):
    snap, ids = seeded
    got = verdicts(snap, "kms_key_rotation_enabled")
    assert got[ids["rotated"]] == "PASS" and got[ids["unrotated"]] == "FAIL"
    assert ids["disabled"] not in got and ids["signing"] not in got  # enabled symmetric keys only
    assert "alias/rotated" in details(snap, "kms_key_rotation_enabled")[ids["rotated"]]


def test_key_policy_public_and_restricted(seeded):
    snap, ids = seeded
    got = verdicts(snap, "kms_key_policy_not_public")
    assert (got[ids["public"]], got[ids["account_only"]], got[ids["unrotated"]]) == ("FAIL", "PASS", "PASS")


def test_pending_deletion(seeded):
    snap, ids = seeded
    got = verdicts(snap, "kms_key_not_pending_deletion")
    assert (got[ids["doomed"]], got[ids["rotated"]]) == ("FAIL", "PASS")


def test_aws_managed_keys_are_not_judged():
    keys = schema_table("kms_keys", [{
        "region": "us-east-1", "key_id": "aws1", "arn": "arn:aws:kms:us-east-1:123456789012:key/aws1",
        "key_manager": "AWS", "key_state": "Enabled", "aliases_json": '["alias/aws/s3"]'}])
    snap = make_snapshot({"kms_keys": keys, "kms_key_rotation": schema_table("kms_key_rotation", []),
                          "kms_key_policies": schema_table("kms_key_policies", [])})
    for check in ("kms_key_rotation_enabled", "kms_key_policy_not_public", "kms_key_not_pending_deletion"):
        assert set(verdicts(snap, check).values()) == {"NOT_APPLICABLE"}, check


def test_rotation_status_denied_is_error():
    keys = schema_table("kms_keys", [{"region": "us-east-1", "key_id": "k1", "arn": "arn:aws:kms:us-east-1:123456789012:key/k1",
                                      "key_manager": "CUSTOMER", "key_state": "Enabled", "aliases_json": "[]"}])
    gap = {"table": "kms_key_rotation", "region": "us-east-1", "resource_id": "k1", "service": "kms",
           "operation": "GetKeyRotationStatus", "status": "denied", "error_code": "AccessDeniedException", "message": "x"}
    snap = make_snapshot({"kms_keys": keys, "kms_key_rotation": schema_table("kms_key_rotation", [])}, gaps=[gap])
    assert verdicts(snap, "kms_key_rotation_enabled") == {"k1": "ERROR"}
