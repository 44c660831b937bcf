"""Earlier runs: reading them, the trend over them, and the diff between two runs."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from srm_nb.errors import UsageError
from srm_nb.history import (CHANGES, History, Run, change_counts, diff, latest_run, load_history,
                            score_delta, trend_points)


def findings(*rows) -> pd.DataFrame:
    """(uid, status, severity[, muted]) rows of one check."""
    out = []
    for row in rows:
        uid, status, severity, *muted = row
        out.append({"finding_uid": uid, "check_id": "c1", "title": "Check one", "severity": severity,
                    "domain": "network", "region": "us-east-1", "resource_id": f"r-{uid}",
                    "status": status, "muted": bool(muted and muted[0])})
    return pd.DataFrame(out)


def test_diff_names_every_kind_of_change():
    before = findings(("a", "FAIL", "high"), ("b", "FAIL", "high"), ("c", "FAIL", "low"), ("d", "FAIL", "high"),
                      ("e", "FAIL", "high"), ("f", "PASS", "high"), ("g", "FAIL", "high"), ("h", "PASS", "high"))
    after = findings(("a", "FAIL", "critical"), ("b", "PASS", "high"), ("c", "ERROR", "low"),
                     ("e", "FAIL", "high", True), ("f", "FAIL", "high"), ("g", "FAIL", "high"),
                     ("h", "PASS", "high"), ("i", "FAIL", "medium"))
    d = diff(before, after).set_index("finding_uid")
    assert d["change"].to_dict() == {"a": "still_failing", "b": "fixed", "c": "not_evaluated", "d": "gone",
                                     "e": "muted", "f": "new", "g": "still_failing", "i": "new"}
    assert (d.loc["a", "severity"], d.loc["a", "severity_before"]) == ("critical", "high")
    assert d.loc["d", "resource_id"] == "r-d" and d.loc["d", "status_after"] == ""  # gone: before's data
    assert d.loc["i", "status_before"] == "" and d.loc["i", "severity_before"] == ""
    assert list(d["change"]) == sorted(d["change"], key=list(CHANGES).index)  # grouped, in CHANGES order
    assert change_counts(diff(before, after)) == {"new": 2, "still_failing": 2, "fixed": 1,
                                                  "not_evaluated": 1, "muted": 1, "gone": 1}


def test_diff_of_a_run_with_itself_is_only_still_failing():
    f = findings(("a", "FAIL", "high"), ("b", "PASS", "low"))
    assert diff(f, f)["change"].tolist() == ["still_failing"]
    assert diff(f.iloc[0:0], f.iloc[0:0]).empty


def test_score_delta_per_area_and_overall():
    before = {"overall": {"score": 50.0, "coverage": 90.0},
              "by_area": [{"domain": "network", "score": 40.0, "coverage": 80.0}]}
    after = {"overall": {"score": 60.0, "coverage": 100.0},
             "by_area": [{"domain": "network", "score": 70.0, "coverage": 100.0},
                         {"domain": "backup", "score": 10.0, "coverage": 50.0}]}
    d = score_delta(before, after).set_index("domain")
    assert d.loc["overall", "score_delta"] == 10 and d.loc["network", "score_delta"] == 30
    assert d.loc["network", "coverage_delta"] == 20 and d.loc["network", "area"] == "Network and firewall"
    assert pd.isna(d.loc["backup", "score_delta"]) and d.loc["backup", "score_after"] == 10
    assert list(d.index) == ["overall", "network", "backup"]  # the report's area order


def write_run(folder, account="123456789012", score=50.0, findings_frame=None):
    folder.mkdir(parents=True)
    (folder / "scores.json").write_text(json.dumps({
        "account_id": account, "assessed_at": f"at-{folder.name}", "overall": {"score": score, "coverage": 100},
        "by_area": [{"domain": "network", "score": score, "coverage": 100}]}))
    if findings_frame is not None:
        findings_frame.to_parquet(folder / "findings.parquet")


def test_history_reads_earlier_runs_and_says_which_it_could_not(tmp_path):
    acct = tmp_path / "123456789012"
    write_run(acct / "20260101T000000Z", score=10)
    (acct / "20260115T000000Z").mkdir()  # `srm collect` only: not a run, not a problem
    (acct / "20260120T000000Z").mkdir()
    (acct / "20260120T000000Z" / "scores.json").write_text("[1, 2")  # damaged
    write_run(acct / "20260201T000000Z", account="999999999999")  # another account: left out
    write_run(acct / "20260301T000000Z", score=30, findings_frame=findings(("a", "FAIL", "high")))
    h = load_history(acct / "20260301T000000Z", "123456789012")
    assert [r.folder.name for r in h.runs] == ["20260101T000000Z", "20260301T000000Z"]
    assert len(h.problems) == 1 and h.problems[0].startswith("20260120T000000Z: ")
    assert h.previous.findings is not None and h.previous.problem == ""
    points = trend_points(h, "now", {"score": 40, "coverage": 100}, [{"domain": "network", "score": 40}])
    overall = points[points["series"] == "Overall"]
    assert overall["when"].tolist() == ["at-20260101T000000Z", "at-20260301T000000Z", "now"]
    assert overall["score"].tolist() == [10, 30, 40]
    assert set(points["series"]) == {"Overall", "Network and firewall"}


def test_the_previous_run_must_be_a_readable_run_of_the_same_account(tmp_path):
    write_run(tmp_path / "999999999999" / "20261101T000000Z", account="999999999999")
    with pytest.raises(UsageError, match="same account"):
        load_history(tmp_path / "999999999999" / "20261101T000000Z", "123456789012")
    with pytest.raises(UsageError, match="not an earlier run"):
        load_history(tmp_path, "123456789012")
    bad = tmp_path / "123456789012" / "20261101T000000Z"
    bad.mkdir(parents=True)
    (bad / "scores.json").write_text("nope")
    with pytest.raises(UsageError, match="the run is damaged"):
        load_history(bad, "123456789012")
    assert load_history(None, "123456789012").runs == []


def test_a_previous_run_without_readable_findings_is_a_problem_not_an_error(tmp_path):
    folder = tmp_path / "123456789012" / "20261101T000000Z"
    write_run(folder)
    (folder / "findings.parquet").write_bytes(b"not parquet")
    h = load_history(folder, "123456789012")
    assert h.previous.findings is None and "cannot be read" in h.previous.problem
    assert "what changed since it cannot be shown" in h.problems[-1]


def test_latest_run_picks_the_newest_earlier_run_with_scores(tmp_path):
    acct = tmp_path / "123456789012"
    write_run(acct / "20261001T000000Z")
    write_run(acct / "20261101T000000Z")
    (acct / "20261201T000000Z").mkdir()  # no scores: an unfinished or collect-only folder
    assert latest_run(tmp_path, "123456789012") == acct / "20261101T000000Z"
    assert latest_run(tmp_path, "123456789012", before="20261015T000000Z") == acct / "20261001T000000Z"
    assert latest_run(tmp_path, "000000000000") is None


def test_runs_of_one_snapshot_get_distinct_trend_labels():
    h = History(runs=[Run(folder=__import__("pathlib").Path("/x/a"), scores={"assessed_at": "T", "overall": {}})])
    points = trend_points(h, "T", {"score": 1}, [])
    assert points["when"].tolist() == ["T", "T (2)"]
