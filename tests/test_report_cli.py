"""`srm assess --snapshot` as a user runs it: the run folder, --previous, --mute, --quiet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import FIXTURE_SNAPSHOT, run_srm

pytestmark = pytest.mark.e2e


def report_of(proc) -> Path:
    assert proc.returncode in (0, 1), proc.stderr
    line = [x for x in proc.stdout.splitlines() if x.startswith("Report: ")][-1]
    return Path(line.removeprefix("Report: "))


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli-outputs")
    mutes = out / "mutes.yaml"
    mutes.write_text("mutes:\n  - check_id: iam_root_mfa_enabled\n    reason: Root is locked in the safe (TICKET-1)\n"
                     "    expires: 2999-12-31\n")
    engagement = out / "engagement.yaml"
    engagement.write_text(f"client: From the file\nassessor: {HOSTILE_ASSESSOR!r}\nengagement: 2026\n")
    # The first run asks for the PDF where no Chromium is (test_without_chromium_...).
    first = run_srm("assess", "--snapshot", str(FIXTURE_SNAPSHOT), "--output", str(out), "--quiet",
                    SRM_CHROMIUM=str(out / "no-such-browser"))
    second = run_srm("assess", "--snapshot", str(FIXTURE_SNAPSHOT), "--output", str(out), "--no-pdf",
                     "--mute", str(mutes), "--engagement-file", str(engagement), "--client", "Example & Co",
                     "--classification", "Client confidential")
    return out, first, second


# Engagement details are the user's own text: a formula in a spreadsheet, markup in HTML.
HOSTILE_ASSESSOR = '=HYPERLINK("http://x.invalid","<b>Jane</b>")'


def test_engagement_details_reach_the_report_scores_ocsf_and_xlsx(two_runs):
    from openpyxl import load_workbook

    _, first, second = two_runs
    folder = report_of(second).parent
    expected = {"client": "Example & Co", "assessor": HOSTILE_ASSESSOR, "engagement": "2026",
                "classification": "Client confidential"}
    assert json.loads((folder / "scores.json").read_text())["engagement"] == expected
    ocsf = json.loads((folder / "findings.ocsf.json").read_text())
    assert ocsf[0]["metadata"]["labels"] == [f"{k}:{v}" for k, v in expected.items()]
    summary = dict(load_workbook(folder / "findings.xlsx", read_only=True)["summary"]
                   .iter_rows(min_row=2, max_row=6, max_col=2, values_only=True))
    assert summary["client"] == "Example & Co" and summary["assessor"] == "'" + HOSTILE_ASSESSOR
    html = report_of(second).read_text()
    assert "Example &amp; Co" in html and "&lt;b&gt;Jane&lt;/b&gt;" in html and "<b>Jane</b>" not in html
    assert "<title>Shared Responsibility assessment · Example &amp; Co · Account " in html
    defaults = json.loads((report_of(first).parent / "scores.json").read_text())["engagement"]
    assert defaults == {"client": "", "assessor": "", "engagement": "", "classification": "Confidential"}


def test_an_unknown_engagement_detail_is_a_usage_error(tmp_path):
    bad = tmp_path / "engagement.yaml"
    bad.write_text("clinet: typo\n")
    proc = run_srm("assess", "--snapshot", str(FIXTURE_SNAPSHOT), "--output", str(tmp_path / "out"),
                   "--no-pdf", "--quiet", "--engagement-file", str(bad))
    assert proc.returncode == 2 and "unknown engagement detail(s) clinet" in proc.stderr
    assert not list((tmp_path / "out").glob("*/*"))


def test_run_folder_holds_the_report_and_every_export(two_runs):
    _, first, _ = two_runs
    folder = report_of(first).parent
    for name in ("report.html", "assessment.ipynb", "findings.csv", "findings.xlsx", "findings.ocsf.json",
                 "scores.json", "findings.parquet", "snapshot/manifest.json"):
        assert (folder / name).exists(), name
    assert not (folder / "report.pdf").exists()  # no Chromium


def test_quiet_prints_only_the_report_path(two_runs):
    _, first, _ = two_runs
    assert first.stdout.strip().startswith("Report: ")
    assert "Executing" not in first.stderr and "Score" not in first.stderr
    assert "Kernel is running" not in first.stderr  # the kernel's own startup chatter


def test_second_run_trends_against_the_first_and_mutes(two_runs):
    _, first, second = two_runs
    html = report_of(second).read_text()
    assert 'id="srm-trend"' in html
    assert "Since the run of" in html
    assert "Root is locked in the safe (TICKET-1)" in html
    scores = json.loads((report_of(second).parent / "scores.json").read_text())
    assert scores["overall"]["muted"] >= 1
    first_scores = json.loads((report_of(first).parent / "scores.json").read_text())
    assert first_scores["overall"]["muted"] == 0
    # not quiet: progress and the summary line are shown
    assert "Executing" in second.stderr and "muted" in second.stderr


def test_a_bad_mute_file_is_a_clear_usage_error_and_leaves_no_run(tmp_path):
    bad = tmp_path / "mutes.yaml"
    bad.write_text("mutes:\n  - check_id: iam_root_mfa_enabled\n")
    proc = run_srm("assess", "--snapshot", str(FIXTURE_SNAPSHOT), "--output", str(tmp_path / "out"),
                   "--no-pdf", "--quiet", "--mute", str(bad))
    assert proc.returncode == 2
    assert "needs a reason" in proc.stderr and "Traceback" not in proc.stderr
    assert not list((tmp_path / "out").glob("*/*"))


def test_previous_must_be_an_earlier_run_folder(tmp_path):
    proc = run_srm("assess", "--snapshot", str(FIXTURE_SNAPSHOT), "--output", str(tmp_path / "out"),
                   "--no-pdf", "--quiet", "--previous", str(tmp_path / "missing"))
    assert proc.returncode == 2 and "not a folder" in proc.stderr


def test_without_chromium_the_cli_says_so_and_still_writes_the_html(two_runs):
    _, first, _ = two_runs  # quiet, yet it says so
    assert first.returncode == 0, first.stderr
    assert "Chromium is not installed" in first.stderr
    folder = report_of(first).parent
    assert (folder / "report.html").exists() and not (folder / "report.pdf").exists()
