"""S3: the bucket and account collectors against moto, and every S3 check PASS and FAIL."""

from __future__ import annotations

import json

import boto3
import pandas as pd
import pytest
from moto import mock_aws

from conftest import make_snapshot, schema_table
from srm_nb.checks.catalog import load_catalog
from test_data_protection_support import collect_moto, details, verdicts

S3_COLLECTORS = ("s3_buckets", "s3_account_public_access_block")
BLOCK_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True,
             "RestrictPublicBuckets": True}


def _tls_only(bucket):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})


def _log_target_policy(bucket):
    doc = json.loads(_tls_only(bucket))
    doc["Statement"].insert(0, {"Effect": "Allow", "Principal": {"Service": "logging.s3.amazonaws.com"},
                                "Action": ["s3:PutObject"], "Resource": f"arn:aws:s3:::{bucket}/*"})
    return json.dumps(doc)


def _seed_good_and_bad():
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="good-logs", ObjectLockEnabledForBucket=True)
    s3.put_bucket_policy(Bucket="good-logs", Policy=_log_target_policy("good-logs"))
    s3.create_bucket(Bucket="good-data")
    s3.put_bucket_encryption(Bucket="good-data", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "arn:aws:kms:us-east-1:123456789012:key/k1"},
        "BucketKeyEnabled": True}]})
    s3.put_bucket_policy(Bucket="good-data", Policy=_tls_only("good-data"))
    s3.put_public_access_block(Bucket="good-data", PublicAccessBlockConfiguration=BLOCK_ALL)
    s3.put_bucket_versioning(Bucket="good-data", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_ownership_controls(Bucket="good-data", OwnershipControls={
        "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]})
    s3.put_bucket_logging(Bucket="good-data", BucketLoggingStatus={"LoggingEnabled": {
        "TargetBucket": "good-logs", "TargetPrefix": "data/"}})
    s3.put_bucket_lifecycle_configuration(Bucket="good-data", LifecycleConfiguration={"Rules": [
        {"ID": "old", "Status": "Enabled", "Filter": {"Prefix": ""}, "Expiration": {"Days": 365}},
        {"ID": "off", "Status": "Disabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}]})
    eu = boto3.client("s3", region_name="eu-west-1")
    eu.create_bucket(Bucket="bad-public", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    eu.put_bucket_acl(Bucket="bad-public", ACL="public-read")
    eu.put_bucket_policy(Bucket="bad-public", Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bad-public/*"}]}))
    eu.put_bucket_encryption(Bucket="bad-public", ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
    s3.create_bucket(Bucket="bad-partner")
    s3.put_bucket_acl(Bucket="bad-partner", ACL="authenticated-read")
    s3.put_bucket_versioning(Bucket="bad-partner", VersioningConfiguration={"Status": "Suspended"})


@pytest.fixture(scope="module")
def seeded():
    with mock_aws():
        _seed_good_and_bad()
        return collect_moto(*S3_COLLECTORS)


def test_collector_reads_every_bucket_setting(seeded):
    t = seeded.tables
    buckets = t["s3_buckets"].set_index("name")
    assert buckets.loc["bad-public", "region"] == "eu-west-1"
    assert buckets.loc["good-data", "arn"] == "arn:aws:s3:::good-data"
    enc = t["s3_bucket_encryption"].set_index("name")
    assert enc.loc["good-data", "sse_algorithm"] == "aws:kms"
    assert enc.loc["good-data", "kms_key_id"].endswith(":key/k1")
    assert enc.loc["bad-public", "region"] == "eu-west-1"
    assert enc["sse_algorithm"].isna().sum() == 2  # good-logs and bad-partner: none configured
    ver = t["s3_bucket_versioning"].set_index("name")
    assert ver.loc["good-data", "status"] == "Enabled"
    assert ver.loc["bad-partner", "status"] == "Suspended"
    assert pd.isna(ver.loc["bad-public", "status"])
    life = t["s3_bucket_lifecycle"].set_index("name")
    assert (life.loc["good-data", "rule_count"], life.loc["good-data", "enabled_rule_count"]) == (2, 1)
    assert life.loc["bad-public", "rule_count"] == 0
    lock = t["s3_bucket_object_lock"].set_index("name")
    assert bool(lock.loc["good-logs", "enabled"]) and not bool(lock.loc["good-data", "enabled"])
    grants = json.loads(t["s3_bucket_acls"].set_index("name").loc["bad-public", "grants_json"])
    assert any(g["Grantee"].get("URI", "").endswith("/AllUsers") for g in grants)
    assert t["gaps"].empty


def test_logging_table_contract_for_the_cloudtrail_bucket_check(seeded):
    """The logging engineer's CloudTrail-bucket check reads exactly these columns, one row per bucket."""
    logging = seeded.tables["s3_bucket_logging"]
    assert list(logging.columns) == ["region", "name", "target_bucket", "target_prefix"]
    assert sorted(logging["name"]) == sorted(seeded.tables["s3_buckets"]["name"])
    rows = logging.set_index("name")
    assert (rows.loc["good-data", "target_bucket"], rows.loc["good-data", "target_prefix"]) == ("good-logs", "data/")
    assert pd.isna(rows.loc["bad-public", "target_bucket"])


def test_account_public_access_block_absent_then_present():
    with mock_aws():
        assert collect_moto("s3_account_public_access_block").tables[
            "s3_account_public_access_block"].iloc[0]["configured"] == False  # noqa: E712
        boto3.client("s3control", region_name="us-east-1").put_public_access_block(
            AccountId="123456789012", PublicAccessBlockConfiguration=BLOCK_ALL)
        snap = collect_moto("s3_account_public_access_block")
    row = snap.tables["s3_account_public_access_block"].iloc[0]
    assert row["configured"] and row["restrict_public_buckets"] and row["account_id"] == "123456789012"
    assert verdicts(snap, "s3_account_public_access_blocked") == {"123456789012": "PASS"}


def test_asking_for_s3_collects_the_account_block_too():
    """`--services s3` must not leave the policy and ACL checks without the account-level Block
    Public Access they weigh (an S3 Control call): s3 brings s3control along."""
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="only-bucket")
        snap = collect_moto("s3")
    assert {"s3_buckets", "s3_account_public_access_block"} <= set(snap.tables)
    assert verdicts(snap, "s3_bucket_policy_not_public") == {"only-bucket": "PASS"}


def test_many_buckets_are_all_read_by_the_inner_pool():
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        for i in range(13):
            s3.create_bucket(Bucket=f"bulk-{i:02d}")
        snap = collect_moto("s3_buckets")
    for name in ("s3_buckets", "s3_bucket_acls", "s3_bucket_versioning", "s3_bucket_logging",
                 "s3_bucket_lifecycle", "s3_bucket_object_lock", "s3_bucket_policy_status",
                 "s3_bucket_ownership_controls"):
        assert sorted(snap.tables[name]["name"]) == [f"bulk-{i:02d}" for i in range(13)], name


@pytest.mark.parametrize("check_id, expected", [
    ("s3_bucket_default_encryption", {"good-data": "PASS", "bad-public": "PASS", "bad-partner": "FAIL"}),
    ("s3_bucket_kms_encryption", {"good-data": "PASS", "bad-public": "FAIL", "bad-partner": "FAIL"}),
    ("s3_bucket_public_access_blocked", {"good-data": "PASS", "bad-public": "FAIL"}),
    ("s3_bucket_policy_not_public", {"good-data": "PASS", "bad-public": "FAIL", "bad-partner": "PASS"}),
    ("s3_bucket_acl_not_public", {"good-data": "PASS", "bad-public": "FAIL", "bad-partner": "FAIL"}),
    ("s3_bucket_acls_disabled", {"good-data": "PASS", "bad-public": "FAIL"}),
    ("s3_bucket_tls_required", {"good-data": "PASS", "bad-public": "FAIL"}),
    ("s3_bucket_versioning_enabled", {"good-data": "PASS", "bad-partner": "FAIL", "bad-public": "FAIL"}),
    # good-data has a lifecycle configuration: S3.20 does not judge it. moto ignores MFADelete: PASS below
    ("s3_bucket_mfa_delete_enabled", {"good-data": None, "bad-public": "FAIL"}),
    ("s3_bucket_access_logging_enabled", {"good-data": "PASS", "bad-public": "FAIL"}),
    ("s3_bucket_object_lock_enabled", {"good-logs": "PASS", "good-data": "FAIL"}),
    ("s3_bucket_public_read_prohibited", {"good-data": "PASS", "bad-public": "FAIL", "bad-partner": "FAIL"}),
    ("s3_bucket_public_write_prohibited", {"good-data": "PASS", "bad-public": "PASS", "bad-partner": "PASS"}),
    ("s3_bucket_public_access_block_effective", {"good-data": "PASS", "bad-public": "FAIL"}),
    ("s3_bucket_lifecycle_configured", {"good-data": "PASS", "bad-public": "FAIL"}),
])
def test_checks_on_collected_buckets(seeded, check_id, expected):
    got = verdicts(seeded, check_id)
    assert {k: got.get(k) for k in expected} == expected


def test_account_block_absent_fails(seeded):
    assert verdicts(seeded, "s3_account_public_access_blocked") == {"123456789012": "FAIL"}


def test_acl_detail_names_who_gets_what(seeded):
    d = details(seeded, "s3_bucket_acl_not_public")
    assert "everyone: READ" in d["bad-public"]
    assert "any AWS account: READ" in d["bad-partner"]


# -- edge cases on hand-built tables ------------------------------------------------------------

def _buckets(*names, region="us-east-1"):
    return schema_table("s3_buckets", [{"region": region, "name": n, "arn": f"arn:aws:s3:::{n}"} for n in names])


EXPOSURE_TABLES = ("s3_bucket_policies", "s3_bucket_policy_status", "s3_bucket_acls", "s3_bucket_public_access_block",
                   "s3_account_public_access_block")


def _s3(names, gaps=(), **rows):
    """Buckets `names` with the tables public access is judged from (empty unless given)."""
    tables = {"s3_buckets": _buckets(*names)}
    tables.update({t: schema_table(t, rows.get(t, [])) for t in EXPOSURE_TABLES})
    tables.update({t: schema_table(t, r) for t, r in rows.items() if t not in EXPOSURE_TABLES})
    return make_snapshot(tables, gaps=list(gaps))


def _pab(name, **flags):
    return {"name": name, **{k: flags.get(k, False) for k in (
        "block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets")}}


def test_account_block_partly_on_fails_naming_the_missing_settings():
    pab = schema_table("s3_account_public_access_block", [{
        "region": "global", "account_id": "123456789012", "configured": True, "block_public_acls": True,
        "ignore_public_acls": True, "block_public_policy": True, "restrict_public_buckets": False}])
    snap = make_snapshot({"s3_account_public_access_block": pab})
    assert verdicts(snap, "s3_account_public_access_blocked") == {"123456789012": "FAIL"}
    assert "restrict_public_buckets off" in details(snap, "s3_account_public_access_blocked")["123456789012"]


def test_account_block_not_collected_is_error_never_pass():
    gap = {"table": "s3_account_public_access_block", "region": "global", "resource_id": "", "service": "s3control",
           "operation": "GetPublicAccessBlock", "status": "denied", "error_code": "AccessDenied", "message": "no"}
    snap = make_snapshot({"s3_account_public_access_block": schema_table("s3_account_public_access_block", [])}, gaps=[gap])
    assert set(verdicts(snap, "s3_account_public_access_blocked").values()) == {"ERROR"}


def test_policy_public_by_s3_policy_status_even_if_our_parser_disagrees():
    # A condition policyuniverse treats as limiting, but S3 itself reports the policy public.
    snap = _s3(("b1", "b2"), s3_bucket_policies=[{"name": "b1", "policy_json": None}, {"name": "b2", "policy_json": None}],
               s3_bucket_policy_status=[{"name": "b1", "is_public": True}, {"name": "b2", "is_public": False}])
    assert verdicts(snap, "s3_bucket_policy_not_public") == {"b1": "FAIL", "b2": "PASS"}
    # Unsure what it grants, both readings fail.
    assert verdicts(snap, "s3_bucket_public_read_prohibited") == {"b1": "FAIL", "b2": "PASS"}
    assert verdicts(snap, "s3_bucket_public_write_prohibited") == {"b1": "FAIL", "b2": "PASS"}


def test_policy_forms_public_and_restricted():
    public_list = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": ["s3:GetObject"],
                                  "Resource": "arn:aws:s3:::p/*"}]}
    org_only = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                               "Resource": "arn:aws:s3:::o/*",
                               "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]}
    snap = _s3(("p", "o"), s3_bucket_policies=[{"name": "p", "policy_json": json.dumps(public_list)},
                                               {"name": "o", "policy_json": json.dumps(org_only)}])
    assert verdicts(snap, "s3_bucket_policy_not_public") == {"p": "FAIL", "o": "PASS"}


def _public_policy(bucket, *actions):
    return json.dumps({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": list(actions),
                                      "Resource": [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]}]})


def test_public_read_and_write_are_told_apart():
    """S3.2 is public read, S3.3 public write: a policy that lets anyone GetObject fails S3.2
    only, one that lets anyone PutObject fails S3.3 only, s3:* fails both; ACL grants likewise."""
    acl = lambda name, *perms: {"name": name, "grants_json": json.dumps([  # noqa: E731
        {"Grantee": {"Type": "Group", "URI": "http://acs.amazonaws.com/groups/global/AllUsers"}, "Permission": p}
        for p in perms])}
    snap = _s3(("reader", "dropbox", "all", "acl-write", "private"), s3_bucket_policies=[
        {"name": "reader", "policy_json": _public_policy("reader", "s3:GetObject")},
        {"name": "dropbox", "policy_json": _public_policy("dropbox", "s3:PutObject")},
        {"name": "all", "policy_json": _public_policy("all", "s3:*")}],
        s3_bucket_acls=[acl("acl-write", "WRITE"), acl("private")])
    assert verdicts(snap, "s3_bucket_public_read_prohibited") == {
        "reader": "FAIL", "dropbox": "PASS", "all": "FAIL", "acl-write": "PASS", "private": "PASS"}
    assert verdicts(snap, "s3_bucket_public_write_prohibited") == {
        "reader": "PASS", "dropbox": "FAIL", "all": "FAIL", "acl-write": "FAIL", "private": "PASS"}
    assert "through its bucket policy" in details(snap, "s3_bucket_public_read_prohibited")["reader"]


def test_block_public_access_neutralizes_a_public_policy_or_acl():
    """S3 ignores a public policy under RestrictPublicBuckets and public ACL grants under
    IgnorePublicAcls, set on the bucket or the account: S3.2/S3.3 pass there (AWS Config
    s3-bucket-public-read-prohibited weighs Block Public Access first)."""
    public_acl = json.dumps([{"Grantee": {"URI": "http://acs.amazonaws.com/groups/global/AllUsers"},
                              "Permission": "READ"}])
    names = ("restricted", "acl-ignored", "exposed")
    rows = dict(
        s3_bucket_policies=[{"name": n, "policy_json": _public_policy(n, "s3:GetObject")} for n in names],
        s3_bucket_acls=[{"name": n, "grants_json": public_acl} for n in names],
        s3_bucket_public_access_block=[_pab("restricted", restrict_public_buckets=True, ignore_public_acls=True),
                                       _pab("acl-ignored", ignore_public_acls=True)])
    snap = _s3(names, **rows)
    assert verdicts(snap, "s3_bucket_public_read_prohibited") == {
        "restricted": "PASS", "acl-ignored": "FAIL", "exposed": "FAIL"}
    assert verdicts(snap, "s3_bucket_acl_not_public") == {"restricted": "PASS", "acl-ignored": "PASS", "exposed": "FAIL"}
    assert verdicts(snap, "s3_bucket_policy_not_public") == {
        "restricted": "PASS", "acl-ignored": "FAIL", "exposed": "FAIL"}
    account = [{"region": "global", "account_id": "123456789012", "configured": True, "block_public_acls": False,
                "ignore_public_acls": True, "block_public_policy": False, "restrict_public_buckets": True}]
    snap = _s3(names, **{**rows, "s3_account_public_access_block": account})
    assert set(verdicts(snap, "s3_bucket_public_read_prohibited").values()) == {"PASS"}
    assert set(verdicts(snap, "s3_bucket_public_write_prohibited").values()) == {"PASS"}


def test_block_public_access_effective_accepts_the_account_setting():
    """CIS accepts Block Public Access from the bucket's settings or the account's; FSBP S3.8
    asks for the bucket's own."""
    all_on = dict(block_public_acls=True, ignore_public_acls=True, block_public_policy=True, restrict_public_buckets=True)
    pab = [_pab("own", **all_on), _pab("partial", ignore_public_acls=True)]
    snap = _s3(("own", "partial", "none"), s3_bucket_public_access_block=pab)
    assert verdicts(snap, "s3_bucket_public_access_block_effective") == {"own": "PASS", "partial": "FAIL", "none": "FAIL"}
    account = [{"region": "global", "account_id": "123456789012", "configured": True, **all_on}]
    snap = _s3(("own", "partial", "none"), s3_bucket_public_access_block=pab, s3_account_public_access_block=account)
    assert verdicts(snap, "s3_bucket_public_access_block_effective") == {"own": "PASS", "partial": "PASS", "none": "PASS"}
    assert verdicts(snap, "s3_bucket_public_access_blocked") == {"own": "PASS", "partial": "FAIL", "none": "FAIL"}
    assert "account's settings" in details(snap, "s3_bucket_public_access_block_effective")["none"]
    catalog = load_catalog()
    assert set(catalog["s3_bucket_public_access_block_effective"].cis_ids) == {"7.0:3.1.4", "5.0:2.1.4"}
    assert catalog["s3_bucket_public_access_blocked"].cis_ids == () and \
        catalog["s3_bucket_public_access_blocked"].fsbp_ids == ("S3.8",)


def test_tls_policy_with_list_value_and_bucket_without_policy():
    deny = {"Statement": [{"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*",
                           "Condition": {"Bool": {"aws:SecureTransport": ["false"]}}}]}
    snap = make_snapshot({"s3_buckets": _buckets("t", "n"),
                          "s3_bucket_policies": schema_table("s3_bucket_policies", [
                              {"name": "t", "policy_json": json.dumps(deny)}, {"name": "n", "policy_json": None}])})
    assert verdicts(snap, "s3_bucket_tls_required") == {"t": "PASS", "n": "FAIL"}


def test_mfa_delete_pass_and_fail():
    """S3.20 produces no finding for a bucket with a lifecycle configuration (AWS does not allow
    MFA delete with one); an empty lifecycle answer is no configuration."""
    snap = make_snapshot({"s3_buckets": _buckets("m", "v", "s", "life", "no-rules"),
                          "s3_bucket_versioning": schema_table("s3_bucket_versioning", [
                              {"name": "m", "status": "Enabled", "mfa_delete": "Enabled"},
                              {"name": "v", "status": "Enabled", "mfa_delete": "Disabled"},
                              {"name": "s", "status": "Suspended", "mfa_delete": "Enabled"},
                              {"name": "life", "status": "Enabled", "mfa_delete": "Disabled"},
                              {"name": "no-rules", "status": "Enabled", "mfa_delete": "Disabled"}]),
                          "s3_bucket_lifecycle": schema_table("s3_bucket_lifecycle", [
                              {"name": "life", "rule_count": 1}, {"name": "no-rules", "rule_count": 0}])})
    assert verdicts(snap, "s3_bucket_mfa_delete_enabled") == {"m": "PASS", "v": "FAIL", "s": "FAIL", "no-rules": "FAIL"}


def test_object_lock_applies_to_every_bucket():
    """S3.15 covers every general purpose bucket, not only the ones that receive logs."""
    snap = make_snapshot({
        "s3_buckets": _buckets("trail-logs", "plain", "locked"),
        "s3_bucket_object_lock": schema_table("s3_bucket_object_lock", [{"name": "trail-logs", "enabled": False},
                                                                        {"name": "plain", "enabled": False},
                                                                        {"name": "locked", "enabled": True}]),
    })
    assert verdicts(snap, "s3_bucket_object_lock_enabled") == {"trail-logs": "FAIL", "plain": "FAIL", "locked": "PASS"}


def test_no_buckets_is_not_applicable():
    snap = _s3((), s3_bucket_versioning=[])
    assert set(verdicts(snap, "s3_bucket_acl_not_public").values()) == {"NOT_APPLICABLE"}
    assert set(verdicts(snap, "s3_bucket_versioning_enabled").values()) == {"NOT_APPLICABLE"}


def test_a_failed_acl_read_makes_that_bucket_error_not_pass():
    gap = {"table": "s3_bucket_acls", "region": "us-east-1", "resource_id": "secret", "service": "s3",
           "operation": "GetBucketAcl", "status": "denied", "error_code": "AccessDenied", "message": "denied"}
    snap = _s3(("secret", "open"), gaps=[gap], s3_bucket_acls=[{"name": "open", "grants_json": "[]"}])
    assert verdicts(snap, "s3_bucket_acl_not_public") == {"secret": "ERROR", "open": "PASS"}
    assert verdicts(snap, "s3_bucket_public_read_prohibited") == {"secret": "ERROR", "open": "PASS"}


def test_a_denied_setting_is_a_gap_for_that_bucket_and_table_only():
    """Through the real collector: ListBuckets gives the region (no GetBucketLocation), the ACL read
    is denied, every other setting is recorded."""
    from botocore.stub import Stubber

    from srm_nb.collect import load_collectors
    from srm_nb.collect.base import Ctx, Recorder

    collector = load_collectors()["s3_buckets"]
    client = boto3.client("s3", region_name="us-east-1")
    stub = Stubber(client)
    stub.add_response("list_buckets", {"Buckets": [{"Name": "eu-data", "BucketRegion": "eu-west-1"}]})
    stub.add_response("get_bucket_encryption", {"ServerSideEncryptionConfiguration": {"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]}})
    stub.add_client_error("get_bucket_policy", "NoSuchBucketPolicy", "none")
    stub.add_client_error("get_bucket_policy_status", "NoSuchBucketPolicy", "none")
    stub.add_client_error("get_public_access_block", "NoSuchPublicAccessBlockConfiguration", "none")
    stub.add_client_error("get_bucket_acl", "AccessDenied", "denied", http_status_code=403)
    stub.add_response("get_bucket_ownership_controls", {"OwnershipControls": {"Rules": [
        {"ObjectOwnership": "BucketOwnerPreferred"}]}})
    stub.add_response("get_bucket_versioning", {"Status": "Enabled", "MFADelete": "Disabled"})
    stub.add_response("get_bucket_logging", {})
    stub.add_client_error("get_object_lock_configuration", "ObjectLockConfigurationNotFoundError", "none")
    stub.add_client_error("get_bucket_lifecycle_configuration", "NoSuchLifecycleConfiguration", "none")
    recorder = Recorder(calls_per_service=1)  # one request at a time: a Stubber answers in order
    with stub:
        collector.func(Ctx(collector, "us-east-1", client, recorder, "123456789012", "aws", "global"))
        stub.assert_no_pending_responses()
    assert [(g["table"], g["resource_id"], g["status"]) for g in recorder.gaps] == [
        ("s3_bucket_acls", "eu-data", "denied")]
    assert "s3_bucket_acls" not in recorder.rows
    assert recorder.rows["s3_buckets"][0]["region"] == "eu-west-1"
    assert recorder.rows["s3_bucket_versioning"][0]["mfa_delete"] == "Disabled"
    assert recorder.rows["s3_bucket_ownership_controls"][0]["object_ownership"] == "BucketOwnerPreferred"
    assert recorder.rows["s3_bucket_public_access_block"][0]["block_public_acls"] is False
    assert recorder.rows["s3_bucket_logging"] == [{"name": "eu-data", "region": "eu-west-1",
                                                   "target_bucket": None, "target_prefix": None}]
