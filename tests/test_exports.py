"""Exports beside the report: CSV contract, XLSX sheets, OCSF Detection Findings, scores.json."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from srm_nb.assessment import assess, build
from srm_nb.exports import CSV_COLUMNS, XLSX_SHEETS, neutralize, write_exports
from srm_nb.mutes import Mute

CONTRACT = ["check_id", "title", "domain", "service", "severity", "status", "region", "resource_id",
            "resource_arn", "cis_ids", "fsbp_ids", "detail"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    from conftest import FIXTURE_SNAPSHOT

    a = assess(FIXTURE_SNAPSHOT)
    fail = a.findings[a.findings["status"] == "FAIL"].iloc[0]
    a = build(a.snapshot, a.findings.drop(columns=["muted", "mute_reason"]),
              mutes=[Mute(reason="accepted by the CISO", finding_uid=fail["finding_uid"])])
    folder = tmp_path_factory.mktemp("exports")
    a.save(folder)
    return a, {**write_exports(a, folder), "scores": folder / "scores.json"}, fail["finding_uid"]


def test_csv_keeps_the_column_contract_and_every_finding(exported):
    a, paths, _ = exported
    with open(paths["csv"], newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[: len(CONTRACT)] == CONTRACT
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert len(rows) == len(a.findings)
    assert sum(r["muted"] == "True" for r in rows) == 1


def test_xlsx_has_the_four_sheets_and_all_findings(exported):
    a, paths, _ = exported
    wb = load_workbook(paths["xlsx"], read_only=True)
    assert list(wb.sheetnames) == list(XLSX_SHEETS)
    findings = list(wb["findings"].iter_rows(values_only=True))
    assert list(findings[0]) == list(CSV_COLUMNS)
    assert len(findings) - 1 == len(a.findings)
    summary = {r[0]: r[1] for r in wb["summary"].iter_rows(values_only=True) if r and r[0]}
    assert summary["account_id"] == a.snapshot.account_id
    assert summary["overall_score"] == pytest.approx(round(a.overall["score"], 1))
    matrix_header = next(wb["matrix"].iter_rows(values_only=True))
    assert {"service", "item", "status", "score", "coverage"} <= set(matrix_header)
    coverage_header = next(wb["coverage"].iter_rows(values_only=True))
    assert {"service", "operation", "status", "calls"} <= set(coverage_header)


# The attributes OCSF 1.3 marks required for the Detection Finding class (and its base event),
# and the Cloud profile's `cloud`.
OCSF_REQUIRED = ("activity_id", "category_uid", "class_uid", "type_uid", "time", "severity_id",
                 "metadata", "finding_info", "cloud")


def test_ocsf_detection_findings_have_the_required_fields(exported):
    a, paths, muted_uid = exported
    data = json.loads(paths["ocsf"].read_text())
    assert isinstance(data, list) and len(data) == len(a.findings)
    for f in data:
        missing = [k for k in OCSF_REQUIRED if k not in f]
        assert not missing, missing
        assert f["class_uid"] == 2004 and f["category_uid"] == 2
        assert f["type_uid"] == f["class_uid"] * 100 + f["activity_id"]
        assert isinstance(f["time"], int) and f["time"] > 1_600_000_000_000  # epoch milliseconds
        assert f["severity_id"] in range(0, 7)
        assert f["metadata"]["product"]["name"] and f["metadata"]["version"].startswith("1.")
        assert f["finding_info"]["uid"] and f["finding_info"]["title"]
        assert f["cloud"]["provider"] == "AWS" and f["cloud"]["account"]["uid"] == a.snapshot.account_id
        assert f["resources"] and f["resources"][0]["uid"]
        assert f["status"] in ("New", "Suppressed") and f["status_code"] in ("PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "MANUAL")
    by_uid = {f["finding_info"]["uid"]: f for f in data}
    assert by_uid[muted_uid]["status_id"] == 3 and by_uid[muted_uid]["status"] == "Suppressed"
    critical = a.findings[a.findings["severity"] == "critical"]
    if len(critical):
        assert by_uid[critical.iloc[0]["finding_uid"]]["severity_id"] == 5


def test_scores_json_is_strict_json_with_the_scores(exported):
    a, paths, _ = exported

    def no_nan(name):
        raise AssertionError(f"scores.json holds {name}: not valid JSON")

    doc = json.loads(paths["scores"].read_text(), parse_constant=no_nan)
    assert doc["account_id"] == a.snapshot.account_id
    assert doc["overall"]["score"] == pytest.approx(a.overall["score"])
    assert doc["overall"]["muted"] == 1
    assert {r["domain"] for r in doc["by_area"]} == set(a.scores["domain"]["domain"])
    assert doc["by_service"] and doc["by_region"] and doc["by_service_area"] and doc["matrix"]
    assert doc["mutes"][0]["reason"] == "accepted by the CISO" and doc["mutes"][0]["findings"] == 1
    assert {m["mistake"] for m in doc["common_mistakes"]} >= {"Public S3 buckets", "No MFA"}
    assert len(doc["catalog"]) == len(a.catalog) and doc["previous_run"] is None


def test_neutralize_defuses_formulas_but_keeps_plain_text():
    f = pd.DataFrame({"a": ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "plain", None], "n": range(7)})
    out = neutralize(f)
    assert out["a"].tolist()[:5] == ["'=1+1", "'+cmd", "'-2", "'@SUM(A1)", "'\tx"]
    assert out["a"].iloc[5] == "plain" and pd.isna(out["a"].iloc[6])
    assert out["n"].tolist() == list(range(7))
