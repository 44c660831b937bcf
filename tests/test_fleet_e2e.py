"""`srm fleet` and `srm accounts` through the real CLI against a demo Organization on moto: one
shared fleet run (discovery, a denied role, a closed account, the caller's own account, findings
in the right account only, the portfolio), an accounts file with a role chain and an external
id, the filters, and the accounts file's validation."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import run_srm

pytestmark = pytest.mark.e2e

MEMBERS = {name: spec for name, spec in __import__("srm_nb.demo.fleet", fromlist=["MEMBERS"]).MEMBERS.items()
           if name in ("northwind-shop", "northwind-payments", "northwind-acquired", "northwind-legacy")}
XID = "xid-7f3a9c-never-written"
SMALL = ("--services", "s3", "--regions", "us-east-1", "--no-pdf", "--parallel", "2")


@pytest.fixture(scope="module")
def org():
    from srm_nb.demo.fleet import organization_server

    with organization_server(MEMBERS) as (server, seeded):
        yield server, seeded


@pytest.fixture(scope="module")
def fleet(org, tmp_path_factory):
    server, seeded = org
    out = tmp_path_factory.mktemp("fleet-outputs")
    # The calling (management) account is left to the Dask test: one account run less here.
    proc = run_srm("fleet", "--organization", "--role-name", "SrmAudit", "--endpoint-url", server.endpoint,
                   "--output", str(out), "--client", "Northwind <Holdings>", "--exclude", seeded.accounts[
                       "northwind-holdings"], *SMALL)
    portfolio = Path(proc.stdout.strip().splitlines()[-1].removeprefix("Portfolio: "))
    doc = json.loads((portfolio.parent / "fleet.json").read_text())
    return proc, portfolio, {a["account_id"]: a for a in doc["accounts"]}, seeded.accounts


def test_one_denied_account_does_not_stop_the_fleet(fleet):
    proc, portfolio, accounts, ids = fleet
    assert proc.returncode == 9, proc.stderr
    denied = accounts[ids["northwind-acquired"]]
    assert denied["status"] == "failed" and "AccessDenied" in denied["reason"]
    assert f"account {ids['northwind-acquired']} could not be assessed" in proc.stderr
    for name in ("northwind-shop", "northwind-payments"):
        a = accounts[ids[name]]
        assert a["status"] == "assessed", a
        assert (Path(a["run_folder"]) / "report.html").is_file()
        assert Path(a["run_folder"]).parent.name == ids[name]  # OUTPUT/<account-id>/<stamp>/


def test_organization_discovery_skips_closed_accounts_and_knows_ou_and_tags(fleet):
    proc, _, accounts, ids = fleet
    legacy = accounts[ids["northwind-legacy"]]
    assert legacy["status"] == "skipped" and "SUSPENDED" in legacy["reason"]
    shop = accounts[ids["northwind-shop"]]
    assert shop["ou"] == "/Root/Workloads" and "env:prod" in shop["tags"]
    assert "role arn:aws:iam::" in shop["access"]


def test_findings_land_in_their_own_account_only(fleet):
    _, portfolio, _, ids = fleet
    f = pd.read_csv(portfolio.parent / "fleet_findings.csv", dtype=str, keep_default_na=False)
    public = f[(f["check_id"] == "s3_bucket_policy_not_public") & (f["status"] == "FAIL")]
    assert set(public["account_id"]) == {ids["northwind-payments"]}
    assert public["resource_id"].str.contains("northwind-payments-public").all()
    from srm_nb.exports import CSV_COLUMNS

    assert list(f.columns[:len(CSV_COLUMNS)]) == list(CSV_COLUMNS) and "account_name" in f.columns
    for account_id, own in f.groupby("account_id"):  # each account's rows are its own run's
        assert own["resource_id"].str.contains(account_id).any()


def test_portfolio_links_every_report_relatively_and_names_the_failed_account(fleet):
    _, portfolio, accounts, ids = fleet
    html = portfolio.read_text()
    for a in accounts.values():
        if a["status"] == "assessed":
            assert f'href="{a["report"]}"' in html and not a["report"].startswith("/")
            assert (portfolio.parent / a["report"]).resolve().is_file()
    assert ids["northwind-acquired"] in html and "AccessDenied" in html
    assert "Northwind &lt;Holdings&gt;" in html and "Northwind <Holdings>" not in html
    assert "<title>Shared Responsibility portfolio · Northwind &lt;Holdings&gt; · Portfolio, 4 accounts · " in html


def test_accounts_prints_the_filtered_organization_as_an_accounts_file(org):
    server, seeded = org
    proc = run_srm("accounts", "--organization", "--role-name", "SrmAudit", "--endpoint-url", server.endpoint,
                   "--ou", "/Root/Workloads", "--tag", "env:prod", "--exclude", seeded.accounts["northwind-shop"])
    assert proc.returncode == 0, proc.stderr
    doc = yaml.safe_load(proc.stdout)
    assert doc["role"] == "SrmAudit"
    assert [a["account_id"] for a in doc["accounts"]] == [seeded.accounts["northwind-payments"]]
    assert "ou:/Root/Workloads" in doc["accounts"][0]["tags"]


def test_accounts_file_with_a_role_chain_and_an_external_id(org, tmp_path):
    from srm_nb.demo import DemoAws
    from srm_nb.demo.fleet import MANAGEMENT, _audit_role

    server, seeded = org
    shop, payments = seeded.accounts["northwind-shop"], seeded.accounts["northwind-payments"]
    hub = DemoAws(server.endpoint, MANAGEMENT).client("iam")
    hub.create_role(RoleName="AuditHub", AssumeRolePolicyDocument=json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"AWS": MANAGEMENT}, "Action": "sts:AssumeRole"}]}))
    for account in (shop, payments):
        _audit_role(DemoAws(server.endpoint, account), MANAGEMENT, XID, name="SrmAuditX")
    (tmp_path / "accounts.yaml").write_text(
        f"client: Example Corp\nrole: [arn:aws:iam::{MANAGEMENT}:role/AuditHub, SrmAuditX]\n"
        f"external_id: {XID}\naccounts:\n  - account_id: '{shop}'\n    name: shop\n"
        f"  - account_id: '{payments}'\n    external_id: wrong-id\n")
    out = tmp_path / "out"
    proc = run_srm("fleet", "--accounts", str(tmp_path / "accounts.yaml"), "--endpoint-url", server.endpoint,
                   "--output", str(out), *SMALL)
    assert proc.returncode == 9, proc.stderr
    doc = json.loads(next(out.glob("fleet/*/fleet.json")).read_text())
    status = {a["account_id"]: a for a in doc["accounts"]}
    assert status[shop]["status"] == "assessed"
    assert status[shop]["access"] == f"role arn:aws:iam::{MANAGEMENT}:role/AuditHub -> arn:aws:iam::{shop}:role/SrmAuditX"
    assert status[payments]["status"] == "failed" and "AccessDenied" in status[payments]["reason"]
    scores = json.loads(next(out.glob(f"{shop}/*/scores.json")).read_text())
    assert scores["engagement"]["client"] == "Example Corp"
    for path in out.rglob("*"):  # the external id is never written down, nor printed
        if path.is_file():
            assert XID.encode() not in path.read_bytes(), path
    assert XID not in proc.stdout + proc.stderr


@pytest.mark.parametrize("text, line, message", [
    ("accounts:\n  - account_id: '111122223333'\n    nmae: x\n", 3, "unknown key 'nmae'"),
    ("accounts:\n  - account_id: '111122223333'\n  - account_id: 12345\n", 3, "is not 12 digits"),
    ("accounts:\n  - account_id: '111122223333'\n  - account_id: '111122223333'\n", 3, "listed twice (also at line 2)"),
    ("accounts:\n  - account_id: '111122223333'\n    role: arn:aws:iam::999988887777:role/X\n", 3,
     "is in account 999988887777, not in 111122223333"),
    ("accounts:\n  - account_id: '111122223333'\n    role: [Hub, SrmAudit]\n", 3, "every role but the last"),
    ("clinet: x\naccounts:\n  - account_id: '111122223333'\n", 1, "unknown key 'clinet'"),
])
def test_a_bad_accounts_file_is_a_usage_error_naming_the_line(tmp_path, text, line, message):
    (tmp_path / "a.yaml").write_text(text)
    proc = run_srm("fleet", "--accounts", str(tmp_path / "a.yaml"), "--output", str(tmp_path / "out"))
    assert proc.returncode == 2, proc.stderr
    assert f"line {line}: " in proc.stderr and message in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_a_member_account_collected_with_every_collector_has_no_error_gap(org):
    """`srm demo --organization` collects every service in its members: whatever moto cannot
    answer there is faked as an account without that feature, so nothing shows as an error."""
    from srm_nb.aws import make_access
    from srm_nb.collect.runner import collect

    server, seeded = org
    member = seeded.accounts["northwind-shop"]
    access = make_access(role_arn=f"arn:aws:iam::{member}:role/SrmAudit", endpoint_url=server.endpoint)
    snap = collect(access, ["us-east-1"], quiet=True)
    assert snap.account_id == member
    gaps = snap.gaps[snap.gaps["status"] != "not_subscribed"]  # Basic support: no Trusted Advisor
    assert gaps.empty, gaps[["service", "operation", "status", "error_code"]].to_string()
