"""Report sections on the fixture snapshot (no kernel): content, order, limits, trend."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from srm_nb import sections as r
from srm_nb.assessment import Assessment, PreviousRun, latest_run, load_history, write_scores
from srm_nb.errors import UsageError


@pytest.fixture(scope="module")
def a():
    from conftest import FIXTURE_SNAPSHOT

    return Assessment.from_snapshot(FIXTURE_SNAPSHOT)


def test_cover_names_account_regions_identity_and_coverage(a):
    html = r.cover(a, "Client X")
    for text in ("123456789012", "northwind-prod", "us-east-1", "Client X", "arn:aws:sts::", "Coverage"):
        assert text in html


def test_summary_has_overall_score_areas_mistakes_and_top_risks(a):
    html = r.summary(a)
    assert "/100 overall posture score" in html
    for area in a.scores("domain")["area"]:
        assert r.esc(area) in html
    assert "Common mistakes" in html and "Top risks" in html
    # The fixture has a public bucket and users without MFA: both are called out as found.
    assert re.search(r"Public S3 buckets: found", html)
    assert re.search(r"No MFA: found", html)


def test_matrix_shows_services_in_use_with_measured_items(a):
    html = r.matrix(a)
    assert "Amazon S3" in html and "AWS IAM" in html
    assert "srm-badge srm-fail" in html  # at least one gap measured
    live = a.live_matrix()
    assert set(live["service"]) == set(a.services_in_use)
    assert "lambda" in a.services_in_use  # the demo runs functions...
    # ...and an account without any does not show Lambda in its matrix.
    from srm_nb.snapshot import Snapshot

    tables = {name: df.iloc[0:0] if name.startswith("lambda_") else df
              for name, df in a.snapshot.tables.items()}
    no_lambda = Assessment.from_snapshot(Snapshot(tables=tables, manifest=a.snapshot.manifest))
    assert "lambda" not in no_lambda.services_in_use


def test_remediation_plan_orders_by_severity_then_effort(a):
    html = r.remediation_plan(a)
    sev = re.findall(r"srm-sev-(\w+)", html)
    order = ["critical", "high", "medium", "low", "informational"]
    assert sev == sorted(sev, key=order.index)
    plan = r._failing_by_check(a.active)
    for _, g in plan.groupby("severity"):
        efforts = g["effort"].map({"low": 0, "medium": 1, "high": 2}).tolist()
        assert efforts == sorted(efforts)


def big_assessment(a, n: int) -> Assessment:
    """`n` findings: the fixture's, repeated over made-up resources."""
    base = a.findings
    reps = -(-n // len(base))
    f = pd.concat([base.assign(resource_id=base["resource_id"] + f"-{i}") for i in range(reps)],
                  ignore_index=True).head(n)
    f["finding_uid"] = [f"uid{i}" for i in range(len(f))]
    return Assessment(snapshot=a.snapshot, findings=f.drop(columns=["muted", "mute_reason"]))


def test_appendix_lists_everything_that_needs_attention_and_counts_the_rest(a):
    big = big_assessment(a, 5000)
    html = r.all_findings(big, limit=1000)
    attention = int((~big.findings["status"].isin(["PASS", "NOT_APPLICABLE"])).sum())
    assert attention > 1000
    assert html.count("<tr><td class='sev-") == 1000  # the worst first, up to the limit
    assert f"the 1000 most severe of the {attention}" in html
    assert "findings.csv and findings.xlsx hold every row" in html
    severities = re.findall(r"<tr><td class='sev-(\w+)'", html)
    order = ["critical", "high", "medium", "low", "informational"]
    assert severities == sorted(severities, key=order.index)
    small = r.all_findings(a)
    assert small.count("<tr><td class='sev-") == len(a.findings)


def test_area_sections_list_a_bounded_number_of_resources_per_check(a):
    big = big_assessment(a, 5000)
    domain = big.findings.loc[big.findings["status"] == "FAIL", "domain"].iloc[0]
    html = r.area_findings(big, domain)
    assert "more: see findings.csv" in html
    blocks = html.split("<div class='srm-check'>")[1:]
    for block in blocks:
        assert block.count("<tr><td>") <= r.RESOURCES_PER_CHECK


def test_area_header_and_chart_for_every_area(a):
    for domain in a.scores("domain")["domain"]:
        assert "/100" in r.area_header(a, domain)
        bundle = r.area_chart(a, domain)._repr_mimebundle_()
        assert f'id="srm-area-{domain}"' in bundle["text/html"]


def test_trend_and_changes_from_an_earlier_run(a, tmp_path):
    account = tmp_path / a.snapshot.account_id
    old, older = account / "20261101T000000Z", account / "20261001T000000Z"
    for folder in (older, old):
        folder.mkdir(parents=True)
        write_scores(a, folder / "scores.json")
    # the earlier run had one more failure, now fixed, and lacked one failure that is new now
    prev = a.findings.copy()
    fails = prev.index[prev["status"] == "FAIL"]
    passes = prev.index[prev["status"] == "PASS"]
    prev.loc[fails[0], "status"] = "PASS"
    prev.loc[passes[0], "status"] = "FAIL"
    prev.to_parquet(old / "findings.parquet")
    history = load_history(old, a.snapshot.account_id)
    assert [h.folder for h in history] == [older, old]
    b = Assessment(snapshot=a.snapshot, findings=a.findings, history=history)
    points = r.trend_points(b)
    assert points[points["series"] == "Overall"].shape[0] == 3
    assert "srm-trend" in r.trend(b)._repr_mimebundle_()["text/html"]
    changes = r.changes(b)
    assert "1 new failing finding(s), 1 fixed" in changes
    assert latest_run(tmp_path, a.snapshot.account_id) == old
    assert latest_run(tmp_path, a.snapshot.account_id, before="20261015T000000Z") == older


def test_trend_refuses_another_accounts_run(a, tmp_path):
    folder = tmp_path / "999999999999" / "20261101T000000Z"
    folder.mkdir(parents=True)
    (folder / "scores.json").write_text(json.dumps({"account_id": "999999999999", "overall": {}}))
    with pytest.raises(UsageError, match="same account"):
        load_history(folder, a.snapshot.account_id)
    with pytest.raises(UsageError, match="not an earlier run"):
        load_history(tmp_path, a.snapshot.account_id)


def test_without_history_the_trend_says_so(a):
    assert "No earlier run" in r.trend(a)
    assert r.changes(a) == ""


def test_integrity_line_is_clean(a):
    assert r.integrity(a).startswith("Integrity: every finding")


def test_integrity_raises_on_a_broken_invariant(a):
    from srm_nb.errors import ReportError

    broken = Assessment(snapshot=a.snapshot, findings=pd.concat([a.findings, a.findings.iloc[:1]]))
    with pytest.raises(ReportError, match="duplicate finding uids"):
        r.integrity(broken)


def test_methodology_documents_the_model():
    html = r.methodology()
    assert "ERROR" in html and "coverage" in html and "critical 10" in html


def test_previous_run_type_has_a_when():
    run = PreviousRun(folder=__import__("pathlib").Path("/x/20260101T000000Z"), scores={"assessed_at": "2026-01-01"})
    assert run.when == "2026-01-01"


@pytest.mark.parametrize("status", ["PASS", "NOT_APPLICABLE", None])
def test_every_section_renders_when_nothing_fails_or_nothing_is_scorable(a, status):
    f = a.findings.iloc[0:0] if status is None else a.findings.assign(status=status)
    b = Assessment(snapshot=a.snapshot, findings=f)
    for html in (r.cover(b), r.summary(b), r.matrix(b), r.remediation_plan(b), r.all_findings(b),
                 r.coverage(b), r.integrity(b)):
        assert isinstance(html, str)
    for chart in (r.score_chart(b), r.severity_heatmap(b), r.service_heatmap(b), r.region_chart(b)):
        assert "text/html" in chart._repr_mimebundle_()
    for domain in r.DOMAINS:
        r.area_header(b, domain), r.area_findings(b, domain)
    expected = "n/a" if status != "PASS" else "100"
    assert f">{expected}</span><span>/100 overall" in r.summary(b)


def test_region_chart_shows_each_regions_score(a):
    html = r.region_chart(a)._repr_mimebundle_()["text/html"]
    for row in a.scores("region").dropna(subset=["score"]).itertuples():
        assert f"score {row.score:.0f} \\u00b7 cov {row.coverage:.0f}%" in html  # JSON-escaped middle dot
