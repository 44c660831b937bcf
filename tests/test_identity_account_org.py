"""Organizations membership and the security alternate contact, against moto."""

from __future__ import annotations

import boto3
from moto import mock_aws

from srm_nb.aws import AwsAccess
from srm_nb.checks.catalog import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect.runner import collect

ACCOUNT = "123456789012"


def run(check_id, services):
    s = collect(AwsAccess(session=boto3.Session(region_name="us-east-1")), ["us-east-1"],
                services=services, quiet=True)
    r = run_check(load_catalog()[check_id], s)
    return s, dict(zip(r["resource_id"], r["status"])), " ".join(r["detail"])


@mock_aws
def test_standalone_account_is_data_and_fails():
    s, got, _ = run("organizations_account_member", ["organizations"])
    assert s.gaps.empty  # AWSOrganizationsNotInUseException is a fact, not a failure
    assert not bool(s.table("organizations_organization")["in_organization"].iloc[0])
    assert got == {ACCOUNT: "FAIL"}


@mock_aws
def test_account_in_organization_passes():
    boto3.client("organizations", region_name="us-east-1").create_organization(FeatureSet="ALL")
    s, got, detail = run("organizations_account_member", ["organizations"])
    org = s.table("organizations_organization").iloc[0]
    assert org["organization_id"].startswith("o-") and org["feature_set"] == "ALL"
    assert got == {ACCOUNT: "PASS"}
    assert "management account" in detail


@mock_aws
def test_security_contact_missing_fails():
    boto3.client("account", region_name="us-east-1").put_alternate_contact(
        AlternateContactType="BILLING", Name="Finance", EmailAddress="f@example.com",
        PhoneNumber="+1-555-0100", Title="AP")
    s, got, _ = run("account_security_contact_registered", ["account"])
    assert s.gaps.empty  # ResourceNotFoundException for SECURITY/OPERATIONS is data
    table = s.table("account_alternate_contacts").set_index("contact_type")
    assert bool(table.loc["BILLING", "registered"]) and not bool(table.loc["SECURITY", "registered"])
    assert got == {ACCOUNT: "FAIL"}


@mock_aws
def test_security_contact_registered_passes():
    boto3.client("account", region_name="us-east-1").put_alternate_contact(
        AlternateContactType="SECURITY", Name="SecOps", EmailAddress="sec@example.com",
        PhoneNumber="+1-555-0101", Title="Security")
    _, got, detail = run("account_security_contact_registered", ["account"])
    assert got == {ACCOUNT: "PASS"} and "sec@example.com" in detail
