"""Two runs of the demo account, the second with one resource fixed, one broken and one finding
muted, assessed by the real CLI: `srm diff` against the report's own "changes" section,
docs/queries.md's saved queries, and notebooks/explore.ipynb run in a real kernel over both."""

from __future__ import annotations

import io
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import srm_nb as srm
from conftest import ROOT, run_srm
from srm_nb.checks import load_catalog
from srm_nb.render import execute_notebook
from srm_nb.snapshot import Snapshot

pytestmark = pytest.mark.e2e
PAB_FLAGS = ["configured", "block_public_acls", "ignore_public_acls", "block_public_policy", "restrict_public_buckets"]


@pytest.fixture(scope="module")
def two_runs(demo_run, tmp_path_factory):
    """(outputs root, first run, second run, the KMS key whose rotation was turned off)."""
    work = tmp_path_factory.mktemp("two-runs")
    first = work / "outputs" / demo_run[0].parent.name / demo_run[0].name
    shutil.copytree(demo_run[0], first)
    demo = Snapshot.load(first / "snapshot")
    tables = dict(demo.tables)
    tables["s3_account_public_access_block"] = tables["s3_account_public_access_block"].assign(
        **dict.fromkeys(PAB_FLAGS, True))  # fixed: the account blocks public access to S3
    rotation = tables["kms_key_rotation"].copy()
    turned_off = rotation.loc[rotation["rotation_enabled"].astype(bool), "key_id"].iloc[0]
    rotation.loc[rotation["key_id"] == turned_off, "rotation_enabled"] = False  # broken
    tables["kms_key_rotation"] = rotation
    changed = Snapshot(tables=tables, manifest=dict(demo.manifest)).save(work / "changed")
    mutes = work / "accepted-risks.yaml"
    mutes.write_text("mutes:\n  - check_id: ec2_image_not_public\n    reason: Partner demo image, public on purpose\n")
    proc = run_srm("assess", "--snapshot", str(changed), "--output", str(work / "outputs"), "--mute", str(mutes),
                   "--no-pdf", "--quiet")
    assert proc.returncode == 0, proc.stderr
    second = Path(proc.stdout.strip().splitlines()[-1].removeprefix("Report: ")).parent
    return work / "outputs", first, second, turned_off


def test_srm_diff_is_the_reports_changes_section(two_runs):
    _, first, second, key = two_runs
    proc = run_srm("diff", str(first), str(second), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    got = pd.read_csv(io.StringIO(proc.stdout), dtype=str, keep_default_na=False)
    report = pd.read_parquet(second / "changes.parquet").astype(str)  # what the report's section shows
    pd.testing.assert_frame_equal(got, report, check_dtype=False)
    change = {(r.check_id, r.resource_id): r.change for r in got.itertuples()}
    assert change[("s3_account_public_access_blocked", first.parent.name)] == "fixed"
    assert change[("kms_key_rotation_enabled", key)] == "new"
    assert {c for (check, _), c in change.items() if check == "ec2_image_not_public"} == {"muted"}
    assert set(got["change"]) == {"new", "fixed", "muted", "still_failing"}


def test_srm_diff_text_json_and_the_gate_on_new_failures(two_runs):
    _, first, second, key = two_runs
    d = srm.diff(first, second)
    text = srm.workbench.diff_text(d)
    assert "New failures:" in text and key in text and "Fixed:" in text and "Muted since:" in text
    assert re.search(r"^Overall\s+\d", text, re.M) and "score_delta" in text
    doc = json.loads(srm.workbench.diff_text(d, "json"))
    assert doc["counts"] == d.counts and doc["counts"]["new"] == 1 and len(doc["scores"]) == len(d.scores)
    severity = load_catalog()["kms_key_rotation_enabled"].severity  # medium
    assert run_srm("diff", str(first), str(second), "--fail-on-new", severity).returncode == 1
    proc = run_srm("diff", str(first), str(second), "--fail-on-new", "critical")
    assert proc.returncode == 0 and "New failures:" in proc.stdout


def test_srm_diff_refuses_what_is_not_a_run(two_runs):
    root, first, _, _ = two_runs
    proc = run_srm("diff", str(first), str(root))
    assert proc.returncode == 2 and "no scores.json" in proc.stderr and "Traceback" not in proc.stderr


def test_every_saved_query_answers_over_the_two_runs(two_runs):
    root, _, second, key = two_runs
    text = (ROOT / "docs" / "queries.md").read_text()
    saved = re.findall(r"^## (.+?)\n.*?```sql\n(.*?)```", text, re.S | re.M)
    assert len(saved) >= 8
    answers = {title: srm.sql(sql, root) for title, sql in saved}
    assert all(len(a) for a in answers.values()), [t for t, a in answers.items() if a.empty]
    new = answers["New failures since each account's previous run"]
    assert list(new["resource_id"]) == [key]
    assert set(answers["Score and coverage of every account over time"]["run_stamp"]) == {second.name, two_runs[1].name}


def test_the_explore_notebook_runs_over_the_runs_in_a_real_kernel(two_runs, tmp_path):
    root, _, _, key = two_runs
    nb = execute_notebook(tmp_path / "explore.ipynb", {"outputs": str(root)},
                          notebook=ROOT / "notebooks" / "explore.ipynb", progress=False)
    printed = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "'new': 1, 'still_failing'" in printed and "findings: " in printed
    html = "".join(str(o.get("data", {}).get("text/html", "")) for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert key in html  # the diff's new failure, in an interactive table
