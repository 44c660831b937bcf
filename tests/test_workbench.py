"""The analyst's API (`import srm_nb as srm`): finding runs under an outputs folder, opening one,
comparing two, and docs/api.md's examples run with doctest against the demo."""

from __future__ import annotations

import doctest
import json
import subprocess
import sys

import pandas as pd
import pytest

import srm_nb as srm
from conftest import ROOT
from srm_nb.assessment import SCORES_SCHEMA
from srm_nb.errors import UsageError
from srm_nb.history import Run, compare

ACCOUNT, OTHER = "111122223333", "444455556666"


def write_run(folder, account=ACCOUNT, *, schema=SCORES_SCHEMA, score=50.0, findings=None):
    """A run folder as `srm assess` leaves it, as far as finding runs reads it."""
    (folder / "snapshot").mkdir(parents=True)
    (folder / "snapshot" / "manifest.json").write_text("{}")
    (folder / "scores.json").write_text(json.dumps({
        "schema": schema, "tool_version": "0.0.9", "account_id": account, "label": "test",
        "assessed_at": f"at {folder.name}", "overall": {"score": score, "coverage": 100.0, "passed": 1,
                                                         "failed": 1, "errors": 0, "muted": 0},
        "by_area": [{"domain": "network", "score": score, "coverage": 100.0}]}))
    (findings if findings is not None else pd.DataFrame({"finding_uid": ["u1"]})).to_parquet(
        folder / "findings.parquet")
    return folder


@pytest.fixture
def outputs(tmp_path):
    """Two accounts' runs, a damaged run, an old one, a collect-only folder and a fleet folder."""
    root = tmp_path / "outputs"
    write_run(root / ACCOUNT / "20261101T000000Z", score=40)
    write_run(root / ACCOUNT / "20261201T000000Z", score=60)
    (root / ACCOUNT / "20261215T000000Z" / "snapshot").mkdir(parents=True)  # `srm collect` only
    (root / ACCOUNT / ".20261216T000000Z.partial-1a2b").mkdir()  # an interrupted run
    write_run(root / OTHER / "20261110T000000Z", OTHER, schema=1)  # written by an older srm-workbook
    damaged = write_run(root / OTHER / "20261120T000000Z", OTHER)
    (damaged / "scores.json").write_text('{"schema": ')
    fleet = root / "fleet" / "20261201T000000Z"  # the fleet issue's summaries: not an account
    fleet.mkdir(parents=True)
    (fleet / "fleet.json").write_text("{}")
    pd.DataFrame({"finding_uid": ["u1"]}).to_parquet(fleet / "fleet_findings.parquet")
    (root / "notes.txt").write_text("not a run")
    return root


def test_runs_lists_the_runs_newest_first_with_their_scores_and_problems(outputs):
    found = srm.runs(outputs)
    assert list(zip(found["account_id"], found["run_stamp"])) == [
        (ACCOUNT, "20261201T000000Z"), (OTHER, "20261120T000000Z"), (OTHER, "20261110T000000Z"),
        (ACCOUNT, "20261101T000000Z")]
    by_stamp = found.set_index("run_stamp")
    assert by_stamp["latest"].to_dict() == {"20261201T000000Z": True, "20261120T000000Z": True,
                                            "20261110T000000Z": False, "20261101T000000Z": False}
    assert by_stamp.loc["20261201T000000Z", "score"] == 60 and by_stamp.loc["20261201T000000Z", "label"] == "test"
    assert by_stamp.loc["20261101T000000Z", "problem"] == "" and by_stamp.loc["20261201T000000Z", "problem"] == ""
    assert "cannot be read" in by_stamp.loc["20261120T000000Z", "problem"]
    assert "scores schema 1" in by_stamp.loc["20261110T000000Z", "problem"]
    assert pd.isna(by_stamp.loc["20261120T000000Z", "score"])
    assert list(srm.runs(outputs, account=ACCOUNT)["run_stamp"]) == ["20261201T000000Z", "20261101T000000Z"]


def test_runs_accepts_an_account_folder_or_a_run_folder_and_a_missing_folder(outputs, tmp_path):
    assert len(srm.runs(outputs / ACCOUNT)) == 2
    one = srm.runs(outputs / ACCOUNT / "20261101T000000Z")
    assert list(one["account_id"]) == [ACCOUNT] and bool(one["latest"].iloc[0])
    missing = srm.runs(tmp_path / "nothing-here")
    assert missing.empty and "problem" in missing.columns


def test_open_run_explains_when_there_is_no_run_to_open(outputs, tmp_path):
    with pytest.raises(UsageError, match="no run to open .*scores schema 1"):
        srm.open_run(outputs / OTHER)
    with pytest.raises(UsageError, match="it holds none"):
        srm.open_run(tmp_path / "empty")


def changes_frame(*rows):
    return pd.DataFrame([{"finding_uid": uid, "check_id": "c1", "title": "C", "severity": sev, "domain": "network",
                          "region": "us-east-1", "resource_id": uid, "status": status, "muted": False}
                         for uid, status, sev in rows])


def test_compare_names_new_failures_by_severity_and_severity_changes():
    before = Run(folder=ROOT, scores={"account_id": ACCOUNT, "overall": {"score": 50.0, "coverage": 90.0}},
                 findings=changes_frame(("a", "FAIL", "low"), ("b", "FAIL", "high")))
    after = Run(folder=ROOT, scores={"account_id": ACCOUNT, "overall": {"score": 40.0, "coverage": 100.0}},
                findings=changes_frame(("a", "FAIL", "high"), ("b", "PASS", "high"), ("c", "FAIL", "medium"),
                                       ("d", "FAIL", "critical")))
    d = compare(before, after)
    assert d.counts == {"new": 2, "still_failing": 1, "fixed": 1, "not_evaluated": 0, "muted": 0, "gone": 0}
    assert list(d.severity_changed["finding_uid"]) == ["a"]
    assert set(d.new_failures("high")["finding_uid"]) == {"d"}
    assert set(d.new_failures("medium")["finding_uid"]) == {"c", "d"}
    assert d.scores.set_index("domain").loc["overall", "score_delta"] == -10


def test_diff_refuses_runs_of_two_accounts_and_runs_without_findings(tmp_path):
    a = write_run(tmp_path / ACCOUNT / "20261101T000000Z")
    b = write_run(tmp_path / OTHER / "20261101T000000Z", OTHER)
    with pytest.raises(UsageError, match="different accounts"):
        srm.diff(a, b)
    c = write_run(tmp_path / ACCOUNT / "20261201T000000Z")
    (c / "findings.parquet").unlink()
    with pytest.raises(UsageError, match="has no findings.parquet"):
        srm.diff(a, c)
    with pytest.raises(UsageError, match="no scores.json"):
        srm.diff(a, tmp_path)


def test_the_api_is_six_names_loaded_on_first_use():
    assert {"runs", "open_run", "load_snapshot", "assess", "diff", "sql"} <= set(srm.__all__)
    assert all(callable(getattr(srm, name)) for name in srm.__all__ if not name.isupper() and name[0] != "_")
    with pytest.raises(AttributeError):
        srm.no_such_name  # noqa: B018
    # The CLI imports the package for every command: that alone must not load pandas or DuckDB.
    code = "import sys, srm_nb; print(sorted({'pandas', 'duckdb'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_opened_run_reads_what_assess_saved(demo_run, tmp_path):
    folder = tmp_path / "outputs" / "123456789012" / "20261101T000000Z"
    folder.parent.mkdir(parents=True)
    folder.symlink_to(demo_run[0])  # a linked run keeps its place in the layout
    later = folder.with_name("20261201T000000Z")
    later.symlink_to(demo_run[0])
    run = srm.open_run(tmp_path / "outputs")
    assert run.folder == later and run.previous.folder == folder and run.previous.previous is None
    saved = pd.read_parquet(demo_run[0] / "findings.parquet")
    assert len(run.findings) == len(saved) and run.overall["failed"] == int((saved["status"] == "FAIL").sum())
    failing = run.failing("*public*", "iam_access_key_rotated_90_days")
    assert len(failing) and (failing["status"] == "FAIL").all() and not failing["muted"].any()
    assert failing["check_id"].str.contains("public|iam_access_key_rotated_90_days").all()
    assert len(run.failing()) == int(((saved["status"] == "FAIL") & ~saved["muted"]).sum())

    about = run.resource("northwind-marketing-site")
    assert (about["findings"]["resource_id"] == "northwind-marketing-site").all() and len(about["findings"]) > 3
    assert {"s3_buckets", "s3_bucket_policies", "calls"} <= set(about)
    for name, rows in about.items():
        assert len(rows) and rows.isin({"northwind-marketing-site", *about["findings"]["resource_arn"]}).any(axis=1).all()
    assert repr(run).startswith("<AssessedRun 123456789012 20261201T000000Z: score ")


def test_the_api_documentation_examples_run(demo_run, tmp_path, monkeypatch):
    run = tmp_path / "outputs" / demo_run[0].parent.name / demo_run[0].name
    run.parent.mkdir(parents=True)
    run.symlink_to(demo_run[0])
    monkeypatch.chdir(tmp_path)  # the examples say "outputs", as after `make demo`
    result = doctest.testfile(str(ROOT / "docs" / "api.md"), module_relative=False, verbose=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 25 and result.failed == 0


def test_the_drilldown_chart_counts_failures_by_area_service_region_severity_and_names_no_resource():
    from srm_nb.charts import findings_drilldown

    f = pd.DataFrame({"status": ["FAIL", "FAIL", "FAIL", "PASS", "FAIL"], "muted": [False, False, False, False, True],
                      "domain": ["network", "network", "logging", "network", "network"],
                      "service": ["ec2", "ec2", "cloudtrail", "ec2", "ec2"],
                      "region": ["us-east-1", "eu-west-1", "us-east-1", "us-east-1", "us-east-1"],
                      "severity": ["high", "high", "low", "high", "critical"],
                      "resource_id": ["<script>x</script>"] * 5})
    chart = findings_drilldown(f).data[0]
    nodes = dict(zip(chart.ids, chart.values))
    assert nodes["Network and firewall"] == 2 and nodes["Network and firewall / ec2 / eu-west-1 / high"] == 1
    assert nodes["Logging and audit / cloudtrail"] == 1 and not any("critical" in i for i in chart.ids)  # muted
    assert dict(zip(chart.ids, chart.parents))["Network and firewall / ec2"] == "Network and firewall"
    assert not any("script" in str(v) for v in (*chart.ids, *chart.labels))
    assert len(findings_drilldown(f.iloc[0:0]).data[0].ids) == 0
