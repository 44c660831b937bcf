"""IAM collectors against moto (decorator mode): what lands in the snapshot tables."""

from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.checks.base import parse_json
from srm_nb.collect import load_collectors
from srm_nb.collect.runner import collect

ADMIN = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"}, "Action": "sts:AssumeRole"}]})


def _access() -> AwsAccess:
    return AwsAccess(session=boto3.Session(region_name="us-east-1"))


def _seed(iam) -> None:
    iam.create_group(GroupName="Admins")
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="Admins", UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Str0ng-Passw0rd!")
    dev = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]
    iam.enable_mfa_device(UserName="alice", SerialNumber=dev["SerialNumber"],
                          AuthenticationCode1="123456", AuthenticationCode2="654321")
    iam.create_user(UserName="bob")
    iam.put_user_policy(UserName="bob", PolicyName="quick-fix", PolicyDocument=ADMIN)
    iam.create_access_key(UserName="bob")
    iam.create_access_key(UserName="bob")
    arn = iam.create_policy(PolicyName="PowerAdmin", PolicyDocument=ADMIN)["Policy"]["Arn"]
    iam.put_group_policy(GroupName="Admins", PolicyName="g-inline", PolicyDocument=ADMIN)
    iam.create_role(RoleName="partner", AssumeRolePolicyDocument=TRUST)
    iam.attach_role_policy(RoleName="partner", PolicyArn=arn)


@mock_aws
def test_identity_tables_from_account_authorization_details():
    _seed(boto3.client("iam", region_name="us-east-1"))
    s = collect(_access(), ["us-east-1"], services=["iam_users", "iam_mfa_devices"], quiet=True)
    assert s.gaps.empty, s.gaps.to_dict("records")

    users = s.table("iam_users").set_index("user_name")
    assert set(users.index) == {"alice", "bob"}
    assert json.loads(users.loc["alice", "group_names"]) == ["Admins"]
    assert json.loads(users.loc["bob", "inline_policy_names"]) == ["quick-fix"]
    inline = json.loads(users.loc["bob", "inline_policies_json"])
    assert inline[0]["document"]["Statement"][0]["Action"] == "*"

    groups = s.table("iam_groups").set_index("group_name")
    assert json.loads(groups.loc["Admins", "inline_policies_json"])[0]["name"] == "g-inline"

    roles = s.table("iam_roles").set_index("role_name")
    trust = parse_json(roles["trust_policy_json"]).loc["partner"]
    assert trust["Statement"][0]["Principal"]["AWS"] == "arn:aws:iam::210987654321:root"
    assert json.loads(roles.loc["partner", "attached_policy_arns"]) == [
        "arn:aws:iam::123456789012:policy/PowerAdmin"]
    assert not roles.loc["partner", "service_linked"]

    policies = s.table("iam_policies").set_index("policy_name")
    assert list(policies.index) == ["PowerAdmin"]  # customer managed only
    assert int(policies.loc["PowerAdmin", "attachment_count"]) == 1
    assert json.loads(policies.loc["PowerAdmin", "document_json"])["Statement"][0]["Resource"] == "*"

    mfa = s.table("iam_mfa_devices")
    assert list(mfa["user_name"]) == ["alice"] and list(mfa["kind"]) == ["virtual"]
    keys = s.table("iam_access_keys")
    assert list(keys["user_name"]) == ["bob", "bob"] and set(keys["status"]) == {"Active"}

    # List forms, not per-user calls: one GetAccountAuthorizationDetails for all four lists.
    ops = s.calls["operation"].value_counts()
    assert ops["GetAccountAuthorizationDetails"] == 1
    details = s.calls[s.calls["operation"] == "GetAccountAuthorizationDetails"].iloc[0]
    assert json.loads(details["params"])["Filter"] == ["User", "Group", "Role", "LocalManagedPolicy"]
    assert "ListUsers" not in ops and "ListMFADevices" not in ops and "GetLoginProfile" not in ops
    assert ops["ListAccessKeys"] == 2  # one per user: AWS has no account-wide key list


@mock_aws
def test_account_collector_reads_summary_policy_and_credential_report():
    iam = boto3.client("iam", region_name="us-east-1")
    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Str0ng-Passw0rd!")
    iam.update_account_password_policy(MinimumPasswordLength=16, PasswordReusePrevention=24)
    s = collect(_access(), ["us-east-1"], services=["iam_account"], quiet=True)
    report = s.table("iam_credential_report").set_index("user")
    assert bool(report.loc["carol", "password_enabled"]) is True
    pol = s.table("iam_password_policy").iloc[0]
    assert pol["minimum_password_length"] == 16 and pol["password_reuse_prevention"] == 24
    assert "AccountMFAEnabled" in set(s.table("iam_account_summary")["key"])


@mock_aws
def test_no_password_policy_is_data_not_a_gap():
    s = collect(_access(), ["us-east-1"], services=["iam_account"], quiet=True)
    assert not bool(s.table("iam_password_policy")["exists"].iloc[0])
    assert s.gaps.empty


@mock_aws
def test_root_virtual_mfa_and_server_certificates_via_stubber():
    """moto cannot assign a device to root nor date certificates: a Stubber gives AWS's shapes."""
    from datetime import datetime, timezone

    access = _access()
    collectors = load_collectors()
    mfa_client = access.client("iam", "us-east-1", collectors["iam_mfa_devices"].operations)
    cert_client = access.client("iam", "us-east-1", collectors["iam_server_certificates"].operations)
    with Stubber(mfa_client) as mfa_stub, Stubber(cert_client) as cert_stub:
        mfa_stub.add_response("list_virtual_mfa_devices", {"VirtualMFADevices": [{
            "SerialNumber": "arn:aws:iam::123456789012:mfa/root-account-mfa-device",
            "User": {"Path": "/", "UserName": "root", "UserId": "123456789012root",
                     "Arn": "arn:aws:iam::123456789012:root",
                     "CreateDate": datetime(2019, 3, 4, tzinfo=timezone.utc)},
            "EnableDate": datetime(2020, 1, 1, tzinfo=timezone.utc)}], "IsTruncated": False})
        cert_stub.add_response("list_server_certificates", {"ServerCertificateMetadataList": [{
            "Path": "/", "ServerCertificateName": "old", "ServerCertificateId": "ASCAEXAMPLE0000000001",
            "Arn": "arn:aws:iam::123456789012:server-certificate/old",
            "UploadDate": datetime(2023, 1, 1, tzinfo=timezone.utc),
            "Expiration": datetime(2024, 1, 1, tzinfo=timezone.utc)}], "IsTruncated": False})
        s = collect(access, ["us-east-1"], services=["iam_mfa_devices", "iam_server_certificates"],
                    quiet=True)
    mfa = s.table("iam_mfa_devices").iloc[0]
    assert mfa["user_name"] == "<root_account>" and mfa["user_arn"].endswith(":root")
    cert = s.table("iam_server_certificates").iloc[0]
    assert cert["name"] == "old" and str(cert["expiration"]).startswith("2024-01-01")


@mock_aws
def test_denied_authorization_details_is_a_gap_for_its_tables():
    access = _access()
    collector = load_collectors()["iam_users"]
    client = access.client("iam", "us-east-1", collector.operations)
    with Stubber(client) as stub:
        stub.add_client_error("get_account_authorization_details", "AccessDenied", "no", 403)
        s = collect(access, ["us-east-1"], services=["iam"], quiet=True)
    gaps = s.gaps
    # Every list the call answers is missing, and the keys listed per user with it; the MFA
    # devices and certificates come from their own collectors and are still there.
    assert set(gaps["table"]) == {"iam_users", "iam_groups", "iam_roles", "iam_policies",
                                  "iam_access_keys"}
    assert set(gaps["status"]) == {"denied"}
    assert {"iam_mfa_devices", "iam_server_certificates"} <= set(s.tables)


@pytest.mark.parametrize("name", ["iam_users", "iam_mfa_devices", "iam_server_certificates",
                                  "iam_account"])
def test_collectors_declare_only_reads(name):
    from srm_nb.aws import is_read_only

    c = load_collectors()[name]
    assert all(is_read_only("iam", op) for op in c.operations)


@mock_aws
def test_authorization_details_lists_are_merged_across_pages():
    """Each page of the one call may carry any of the four lists: all pages are read, and a list
    is whole only when every page came back."""
    access = _access()
    collector = load_collectors()["iam_users"]
    client = access.client("iam", "us-east-1", collector.operations)
    user = {"UserName": "a", "UserId": "AIDAEXAMPLE000000001", "Arn": "arn:aws:iam::123456789012:user/a",
            "Path": "/", "CreateDate": "2024-01-01T00:00:00Z"}
    role = {"RoleName": "r", "RoleId": "AROAEXAMPLE000000001", "Arn": "arn:aws:iam::123456789012:role/r",
            "Path": "/", "CreateDate": "2024-01-01T00:00:00Z"}
    with Stubber(client) as stub:
        stub.add_response("get_account_authorization_details",
                          {"UserDetailList": [user], "IsTruncated": True, "Marker": "m1"})
        stub.add_response("get_account_authorization_details",
                          {"RoleDetailList": [role], "IsTruncated": False},
                          expected_params={"Filter": ["User", "Group", "Role", "LocalManagedPolicy"],
                                           "Marker": "m1"})
        stub.add_response("list_access_keys", {"AccessKeyMetadata": [], "IsTruncated": False})
        s = collect(access, ["us-east-1"], services=["iam_users"], quiet=True)
    assert s.gaps.empty, s.gaps.to_dict("records")
    assert list(s.table("iam_users")["user_name"]) == ["a"]
    assert list(s.table("iam_roles")["role_name"]) == ["r"]
    assert s.table("iam_groups").empty and s.table("iam_policies").empty
