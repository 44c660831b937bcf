"""Verdict semantics of the check runner, on hand-built snapshot tables.

The runner, not the checks, guarantees: no PASS on missing data (missing tables, collection gaps,
NA values), one finding per (check, region, resource) with a stable uid, ERROR naming the failed
call, NOT_APPLICABLE saying why, MANUAL with the reason, and a check bug never stopping the run.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from conftest import make_snapshot
from srm_nb.checks import runner
from srm_nb.checks.base import (ERROR, FAIL, MANUAL, NOT_APPLICABLE, PASS, RESULT_COLUMNS,
                                account_finding, per_region, verdicts)
from srm_nb.checks.catalog import Check, load_catalog
from srm_nb.checks.runner import FINDING_COLUMNS, PreparedGaps, finding_uid, run_check, run_checks
from srm_nb.errors import UsageError
from srm_nb.snapshot import Snapshot

ACCOUNT = "111122223333"
REGIONS = ["us-east-1", "eu-west-1"]


def snap(tables: dict | None = None, gaps: list[dict] | None = None, regions=REGIONS) -> Snapshot:
    return make_snapshot(tables, gaps=gaps, account_id=ACCOUNT, regions=list(regions))


def gap(table, region="us-east-1", resource_id="", status="denied", code="AccessDenied",
        operation="GetWidgetPolicy", service="widgets", message="User is not authorized"):
    return {"table": table, "region": region, "resource_id": resource_id, "service": service,
            "operation": operation, "status": status, "error_code": code, "message": message}


def make_check(func=None, cid="widgets_widget_locked", manual=False, manual_reason="", not_applicable=""):
    return Check(id=cid, title="Widgets are locked", risk="Widgets are unlocked", domain="network", service="widgets", severity="high",
                 resource_type="AWS::Widgets::Widget", rationale="r", remediation_console="c",
                 remediation_cli="aws widgets lock", cis_ids=("7.0:9.9", "5.0:8.8"), fsbp_ids=("Widgets.1",),
                 manual=manual, manual_reason=manual_reason, not_applicable=not_applicable, func=func)


WIDGETS = pd.DataFrame({
    "widget_id": ["w-1", "w-2", "w-3"],
    "region": ["us-east-1", "us-east-1", "eu-west-1"],
    "arn": ["arn:aws:widgets:us-east-1:1:w-1", "arn:aws:widgets:us-east-1:1:w-2", "arn:aws:widgets:eu-west-1:1:w-3"],
    "locked": [True, False, True],
})


def widgets_locked(s):
    w = s.table("widgets")
    return verdicts(w, w["locked"], resource_id="widget_id",
                    pass_detail="Widget {widget_id} is locked.", fail_detail="Widget {widget_id} is unlocked.")


def statuses(df) -> dict:
    return dict(zip(df["resource_id"], df["status"]))


# -- PASS / FAIL on complete data ------------------------------------------------------------------


def test_a_checks_rows_are_normalised_blank_and_missing_cells_included():
    """Blank or missing region: global; resource id: the account, with its ARN; detail: ""; any
    other value (a list, a number) as its text. Missing template values read "none"."""
    def odd_rows(s):
        return pd.DataFrame({"status": [PASS, FAIL, FAIL, PASS],
                             "region": ["", None, float("nan"), "eu-west-1"],
                             "resource_id": [None, "", "w-1", 7],
                             "resource_arn": [None, None, pd.NA, "arn:x"],
                             "detail": [None, ["a", "b"], pd.NA, 1.5]})

    r = run_check(make_check(odd_rows), snap())
    own = f"arn:aws:iam::{ACCOUNT}:root"
    assert r.to_dict("list") == {
        "status": [PASS, FAIL, FAIL, PASS], "region": ["global"] * 3 + ["eu-west-1"],
        "resource_id": [ACCOUNT, ACCOUNT, "w-1", "7"], "resource_arn": [own, own, "", "arn:x"],
        "detail": ["", "['a', 'b']", "", "1.5"]}
    widgets = WIDGETS.assign(widget_id=["w-1", None, pd.NA], locked=[True, False, None])
    details = run_check(make_check(widgets_locked), snap({"widgets": widgets}))["detail"].tolist()
    assert details[:2] == ["Widget w-1 is locked.", "Widget none is unlocked."]
    assert details[2].startswith("Could not determine the verdict for none")


def test_pass_and_fail_one_row_per_resource():
    r = run_check(make_check(widgets_locked), snap({"widgets": WIDGETS}))
    assert list(r.columns) == list(RESULT_COLUMNS)
    assert statuses(r) == {"w-1": PASS, "w-2": FAIL, "w-3": PASS}
    assert r.loc[r["resource_id"] == "w-2", "detail"].item() == "Widget w-2 is unlocked."
    assert r.loc[r["resource_id"] == "w-3", "region"].item() == "eu-west-1"
    assert r.loc[r["resource_id"] == "w-1", "resource_arn"].item().startswith("arn:aws:widgets:")


# -- missing data ----------------------------------------------------------------------------------


def test_missing_table_is_one_error_naming_it():
    r = run_check(make_check(widgets_locked), snap({}))
    assert r["status"].tolist() == [ERROR]
    assert "'widgets'" in r["detail"].item() and "not in this snapshot" in r["detail"].item()
    assert r["resource_id"].item() == ACCOUNT
    assert r["resource_arn"].item() == f"arn:aws:iam::{ACCOUNT}:root"


def test_resource_gap_turns_only_that_resource_into_error_and_names_the_call():
    s = snap({"widgets": WIDGETS}, [gap("widgets", resource_id="w-1")])
    r = run_check(make_check(widgets_locked), s)
    assert statuses(r) == {"w-1": ERROR, "w-2": FAIL, "w-3": PASS}
    detail = r.loc[r["resource_id"] == "w-1", "detail"].item()
    assert "widgets:GetWidgetPolicy was denied (AccessDenied)" in detail
    # What the partial data suggested is not repeated: missing data reads as "not configured".
    assert "PASS" not in detail and "FAIL" not in detail and "locked" not in detail


def test_gap_downgrades_fail_too():
    s = snap({"widgets": WIDGETS}, [gap("widgets", resource_id="w-2", status="error", code="InternalError")])
    r = run_check(make_check(widgets_locked), s)
    assert statuses(r)["w-2"] == ERROR
    assert "failed (InternalError)" in r.loc[r["resource_id"] == "w-2", "detail"].item()


def test_gap_for_a_resource_the_check_did_not_report_adds_an_error_row():
    s = snap({"widgets": WIDGETS}, [gap("widgets", resource_id="w-9", region="eu-west-1")])
    r = run_check(make_check(widgets_locked), s)
    assert statuses(r) == {"w-1": PASS, "w-2": FAIL, "w-3": PASS, "w-9": ERROR}
    row = r[r["resource_id"] == "w-9"].iloc[0]
    assert row["region"] == "eu-west-1" and "w-9" in row["detail"] and "User is not authorized" in row["detail"]


def test_regional_listing_gap_errors_that_region_only():
    s = snap({"widgets": WIDGETS}, [gap("widgets", region="us-east-1", operation="ListWidgets")])
    r = run_check(make_check(widgets_locked), s)
    assert statuses(r) == {"w-1": ERROR, "w-2": ERROR, "w-3": PASS}


def test_regional_gap_where_nothing_was_listed_gets_a_region_error_row():
    only_eu = WIDGETS[WIDGETS["region"] == "eu-west-1"]
    s = snap({"widgets": only_eu}, [gap("widgets", region="us-east-1", operation="ListWidgets")])
    r = run_check(make_check(widgets_locked), s)
    assert statuses(r) == {"w-3": PASS, f"{ACCOUNT}/us-east-1": ERROR}
    row = r[r["status"] == ERROR].iloc[0]
    assert row["region"] == "us-east-1" and "region us-east-1" in row["detail"]
    assert "ListWidgets was denied" in row["detail"]


def test_global_gap_errors_everything_and_explains_an_empty_result():
    s = snap({"widgets": WIDGETS}, [gap("widgets", region="global", operation="ListWidgets")])
    assert set(run_check(make_check(widgets_locked), s)["status"]) == {ERROR}
    s = snap({"widgets": WIDGETS.iloc[0:0]}, [gap("widgets", region="global", operation="ListWidgets")])
    r = run_check(make_check(widgets_locked), s)
    assert r["status"].tolist() == [ERROR]  # not NOT_APPLICABLE: the emptiness is explained by the gap
    assert r["resource_id"].item() == ACCOUNT and "the account" in r["detail"].item()


def test_account_level_verdict_is_downgraded_by_a_gap_in_any_region():
    def any_locked(s):
        w = s.table("widgets")
        return account_finding(s, PASS if w["locked"].any() else FAIL, "Some widget is locked.")

    s = snap({"widgets": WIDGETS}, [gap("widgets", region="eu-west-1", operation="ListWidgets")])
    r = run_check(make_check(any_locked), s)
    assert r["status"].tolist() == [ERROR]
    assert "eu-west-1" not in r["region"].tolist()  # the account-level row explains the gap itself


def test_gap_downgrades_a_not_applicable_the_check_returned_itself():
    def none_here(s):
        s.table("widgets")
        return account_finding(s, NOT_APPLICABLE, "No widgets in this account.")

    s = snap({"widgets": WIDGETS.iloc[0:0]}, [gap("widgets", region="global", operation="ListWidgets")])
    r = run_check(make_check(none_here), s)
    assert r["status"].tolist() == [ERROR] and "ListWidgets was denied" in r["detail"].item()


def test_gaps_of_tables_the_check_did_not_read_are_ignored():
    s = snap({"widgets": WIDGETS, "gadgets": pd.DataFrame()}, [gap("gadgets", resource_id="w-1")])
    assert statuses(run_check(make_check(widgets_locked), s)) == {"w-1": PASS, "w-2": FAIL, "w-3": PASS}


def test_na_verdict_is_error_never_pass_or_fail():
    w = WIDGETS.assign(locked=pd.array([True, None, False], dtype="boolean"))
    r = run_check(make_check(widgets_locked), snap({"widgets": w}))
    assert statuses(r) == {"w-1": PASS, "w-2": ERROR, "w-3": FAIL}
    assert "w-2" in r.loc[r["resource_id"] == "w-2", "detail"].item()


def test_unknown_mask_marks_rows_the_check_could_not_judge():
    def check(s):
        w = s.table("widgets")
        return verdicts(w, w["locked"], resource_id="widget_id", pass_detail="ok {widget_id}",
                        fail_detail="bad {widget_id}", unknown=w["widget_id"] == "w-3",
                        unknown_detail="Policy of {widget_id} unreadable.")

    r = run_check(make_check(check), snap({"widgets": WIDGETS}))
    assert statuses(r) == {"w-1": PASS, "w-2": FAIL, "w-3": ERROR}
    assert r.loc[r["resource_id"] == "w-3", "detail"].item() == "Policy of w-3 unreadable."


def test_no_check_in_the_catalog_passes_without_data():
    """Every real check, on a snapshot with no tables at all: not one PASS."""
    s = snap({})
    for check in load_catalog().values():
        r = run_check(check, s)
        assert PASS not in set(r["status"]), (check.id, r.to_dict("records"))


def test_no_check_in_the_catalog_passes_when_every_listing_was_denied(fixture_snapshot):
    """Every real check, on the fixture's tables emptied and every listing denied: not one PASS."""
    tables = {n: t.iloc[0:0] for n, t in fixture_snapshot.tables.items() if n not in ("gaps", "calls")}
    s = snap(tables, [gap(n, region="global", operation="List") for n in tables])
    gaps = PreparedGaps(s)  # once, as run_checks does: per check it was most of this test
    for check in load_catalog().values():
        r = run_check(check, s, gaps)
        assert PASS not in set(r["status"]), (check.id, r.to_dict("records"))


# -- NOT_APPLICABLE and MANUAL -------------------------------------------------------------------


def test_empty_result_without_gap_is_not_applicable_saying_why():
    r = run_check(make_check(widgets_locked), snap({"widgets": WIDGETS.iloc[0:0]}))
    assert r["status"].tolist() == [NOT_APPLICABLE]
    assert "No AWS::Widgets::Widget resources" in r["detail"].item()
    assert "us-east-1, eu-west-1" in r["detail"].item()
    r = run_check(make_check(widgets_locked, not_applicable="The account has no widgets."),
                  snap({"widgets": WIDGETS.iloc[0:0]}))
    assert r["detail"].item().startswith("The account has no widgets")


def test_manual_check_yields_manual_with_reason():
    r = run_check(make_check(None, manual=True, manual_reason="Read the contract."), snap({}))
    assert r["status"].tolist() == [MANUAL]
    assert "Read the contract." in r["detail"].item()


# -- check bugs ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bad, says", [
    (lambda s: 1 / 0, "ZeroDivisionError"),
    (lambda s: "not a frame", "not a DataFrame"),
    (lambda s: pd.DataFrame({"status": [PASS]}), "column"),
    (lambda s: pd.DataFrame({c: ["x"] for c in RESULT_COLUMNS}), "unknown status"),
])
def test_a_broken_check_is_one_error_not_a_crash(bad, says):
    r = run_check(make_check(bad), snap({"widgets": WIDGETS}))
    assert r["status"].tolist() == [ERROR]
    assert says in r["detail"].item()


def test_missing_column_is_reported_as_schema_mismatch():
    def check(s):
        w = s.table("widgets")
        return verdicts(w, w["colour"] == "red", resource_id="widget_id", pass_detail="", fail_detail="")

    r = run_check(make_check(check), snap({"widgets": WIDGETS}))
    assert r["status"].tolist() == [ERROR]
    assert "column 'colour' is not in table(s) widgets" in r["detail"].item()


# -- the whole run ---------------------------------------------------------------------------------


@pytest.fixture
def fake_catalog(monkeypatch):
    def install(*checks):
        monkeypatch.setattr(runner, "load_catalog", lambda: {c.id: c for c in checks})
    return install


def test_run_checks_adds_metadata_and_survives_a_broken_check(fake_catalog):
    fake_catalog(make_check(widgets_locked),
                 make_check(lambda s: 1 / 0, cid="widgets_widget_broken"),
                 make_check(None, cid="widgets_contract_reviewed", manual=True, manual_reason="Read it."))
    f = run_checks(snap({"widgets": WIDGETS}))
    assert list(f.columns) == list(FINDING_COLUMNS)
    assert len(f) == 5 and f["finding_uid"].is_unique
    locked = f[f["check_id"] == "widgets_widget_locked"]
    assert set(locked["cis_ids"]) == {"7.0:9.9 5.0:8.8"} and set(locked["fsbp_ids"]) == {"Widgets.1"}
    assert set(f["account_id"]) == {ACCOUNT}
    assert f.loc[f["check_id"] == "widgets_widget_broken", "status"].tolist() == [ERROR]
    assert f.loc[f["check_id"] == "widgets_contract_reviewed", "status"].tolist() == [MANUAL]
    assert f["severity"].eq("high").all() and f["remediation"].str.contains("aws widgets lock").all()


def test_finding_uid_is_stable_and_depends_on_check_region_and_resource(fake_catalog):
    fake_catalog(make_check(widgets_locked))
    a = run_checks(snap({"widgets": WIDGETS}))
    b = run_checks(snap({"widgets": WIDGETS.iloc[::-1].reset_index(drop=True)}))
    assert dict(zip(a["resource_id"], a["finding_uid"])) == dict(zip(b["resource_id"], b["finding_uid"]))
    uid = finding_uid(pd.Series(["c"]), pd.Series(["us-east-1"]), pd.Series(["r"])).item()
    assert uid != finding_uid(pd.Series(["c"]), pd.Series(["eu-west-1"]), pd.Series(["r"])).item()
    assert len(uid) == 20 and uid == finding_uid(pd.Series(["c"]), pd.Series(["us-east-1"]), pd.Series(["r"])).item()


def test_duplicate_rows_for_one_resource_keep_the_fail(fake_catalog):
    def twice(s):
        w = s.table("widgets").iloc[[0, 0]].reset_index(drop=True)
        return verdicts(w, pd.Series([True, False]), resource_id="widget_id", pass_detail="p", fail_detail="f")

    fake_catalog(make_check(twice))
    f = run_checks(snap({"widgets": WIDGETS}))
    assert f["status"].tolist() == [FAIL]


def test_unknown_check_id_is_a_usage_error(fake_catalog):
    fake_catalog(make_check(widgets_locked))
    with pytest.raises(UsageError, match="nope_check_id"):
        run_checks(snap({}), ["nope_check_id"])


def test_per_region_gives_one_finding_per_assessed_region():
    s = snap({})
    r = per_region(s, {"eu-west-1"}, pass_detail="on in {region}", fail_detail="off in {region}")
    assert statuses(r) == {"us-east-1": FAIL, "eu-west-1": PASS}
    assert r.loc[r["resource_id"] == "eu-west-1", "detail"].item() == "on in eu-west-1"


def test_real_catalog_on_fixture_snapshot_has_one_finding_per_resource(fixture_snapshot):
    f = run_checks(fixture_snapshot)
    assert f["finding_uid"].is_unique
    assert not f.duplicated(["check_id", "region", "resource_id"]).any()
    assert f["status"].isin([PASS, FAIL, ERROR, NOT_APPLICABLE, MANUAL]).all()
    assert (f["detail"].str.len() > 0).all() and (f["resource_id"].str.len() > 0).all()
    assert set(f["check_id"]) == set(load_catalog())


def test_verdicts_with_duplicate_index_labels_stay_in_row_order():
    w = pd.concat([WIDGETS, WIDGETS.iloc[[1]]])  # label 1 twice
    w = w.assign(widget_id=["w-1", "w-2", "w-3", "w-4"])
    r = verdicts(w, w["locked"], resource_id="widget_id", pass_detail="p {widget_id}", fail_detail="f {widget_id}")
    assert r["status"].tolist() == [PASS, FAIL, PASS, FAIL]
    assert r["detail"].tolist() == ["p w-1", "f w-2", "p w-3", "f w-4"]


def test_reading_through_s_tables_is_tracked_too():
    def sneaky(s):
        w = s.tables["widgets"]
        return verdicts(w, w["locked"], resource_id="widget_id", pass_detail="p", fail_detail="f")

    s = snap({"widgets": WIDGETS}, [gap("widgets", resource_id="w-1")])
    assert statuses(run_check(make_check(sneaky), s))["w-1"] == ERROR
    assert run_check(make_check(sneaky), snap({}))["status"].tolist() == [ERROR]


# -- gaps and a check's scope ----------------------------------------------------------------------


def test_a_gap_of_another_service_adds_no_row():
    """A KMS key whose details failed is not one of a widget check's resources."""
    s = snap({"widgets": WIDGETS}, [gap("widgets", resource_id="key-1", service="kms")])
    r = run_check(make_check(widgets_locked), s)
    assert statuses(r) == {"w-1": PASS, "w-2": FAIL, "w-3": PASS}


def _locked_only(s):
    """About the locked widgets only; the widget list says which are locked."""
    listed = s.table("widget_list")
    w = s.table("widgets")
    w = w[w["widget_id"].isin(listed.loc[listed["locked"], "widget_id"])]
    return verdicts(w, w["locked"], resource_id="widget_id",
                    pass_detail="Widget {widget_id} is locked.", fail_detail="Widget {widget_id} is unlocked.")


SCOPED = replace(make_check(_locked_only), scope_from=("widget_list",))
SCOPE_TABLES = {"widgets": WIDGETS, "widget_list": WIDGETS[["widget_id", "region", "locked"]]}


def test_a_narrow_scope_check_adds_no_row_for_resources_outside_it():
    """w-2's details failed, but what decides the scope (the widget list) was read: w-2 is not
    locked, so not in scope, and gets no row."""
    s = snap(SCOPE_TABLES, [gap("widgets", resource_id="w-2")])
    assert statuses(run_check(SCOPED, s)) == {"w-1": PASS, "w-3": PASS}


def test_a_narrow_scope_check_says_once_per_region_when_its_scope_could_not_be_read():
    s = snap(SCOPE_TABLES, [gap("widget_list", resource_id="w-8"), gap("widget_list", resource_id="w-9")])
    r = run_check(SCOPED, s)
    extra = r[~r["resource_id"].isin(["w-1", "w-3"])]
    assert extra["status"].tolist() == [ERROR]
    assert "Could not tell which resources this check applies to in region us-east-1" in extra["detail"].item()
    assert "w-8, w-9" in extra["detail"].item()


def test_a_region_whose_scope_and_listing_both_failed_gets_one_error():
    s = snap(SCOPE_TABLES, [gap("widget_list", region="ap-southeast-2"),
                            gap("widget_list", region="ap-southeast-2", resource_id="w-9")],
             regions=[*REGIONS, "ap-southeast-2"])
    r = run_check(SCOPED, s)
    assert not r.duplicated(["region", "resource_id"]).any()
    assert r.loc[r["region"] == "ap-southeast-2", "status"].tolist() == [ERROR]
