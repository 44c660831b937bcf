"""Report sections on the fixture snapshot (no kernel): content, order, limits, and that a saved
assessment renders exactly as the one computed."""

from __future__ import annotations

import re
from html import unescape

import pandas as pd
import pytest
from markupsafe import escape

from srm_nb import sections as r
from srm_nb.assessment import Assessment, assess, build
from srm_nb.history import load_history
from srm_nb.sections import Html

SECTIONS = ("title_page", "summary", "matrix", "remediation_plan", "all_findings", "muted", "coverage",
            "changes", "catalog_appendix")


@pytest.fixture(scope="module")
def a():
    from conftest import FIXTURE_SNAPSHOT

    return assess(FIXTURE_SNAPSHOT, label="Client X")


def rebuilt(a, findings: pd.DataFrame, **kw) -> Assessment:
    """The assessment of other findings on the same snapshot (what a different account gives)."""
    return build(a.snapshot, findings.drop(columns=["muted", "mute_reason"], errors="ignore"), **kw)


def test_title_page_names_account_regions_identity_score_and_areas(a):
    html = r.title_page(a)
    for text in ("123456789012", "northwind-prod", "us-east-1", "Client X", "arn:aws:sts::", "coverage",
                 f"({len(a.catalog)} checks)", "/100 overall posture score", "Confidential"):
        assert text in html
    for area in a.scores["domain"]["area"]:
        assert area in html


def test_title_page_shows_engagement_details_escaped_in_html_and_css(a):
    from srm_nb.engagement import Engagement

    hostile = '</style><script>alert(1)</script>" & \\'
    b = rebuilt(a, a.findings, engagement=Engagement(client=hostile, assessor="Jane Doe, Example Ltd",
                                                     engagement="ENG-42", classification="Secret" + hostile))
    html = r.title_page(b, "letter")
    assert "<script>" not in html and "</style><script" not in html
    assert str(escape(hostile)) in html  # in the page, as text
    assert "Jane Doe, Example Ltd" in html and "ENG-42" in html
    assert "size: letter" in html
    # In the running footer (a CSS string) anything but plain characters is a six-digit CSS escape.
    style = html.split("</style>")[0]
    footer = re.search(r"@bottom-center \{ content: (\"[^\"]*\");", style).group(1)
    assert footer.startswith('"Secret')
    assert re.fullmatch(r'"(?:[A-Za-z0-9 .,:()_/@-]|\\[0-9a-f]{6})*"', footer), footer


def test_css_string_escapes_everything_that_could_end_the_string():
    for hostile in ('"', "\\", "</style>", "\n", "';}body{display:none}"):
        out = r.css_string(f"a{hostile}b")
        inner = out[1:-1]
        assert out.startswith('"') and out.endswith('"') and '"' not in inner and "<" not in inner
        assert ";" not in inner and "}" not in inner and "\n" not in inner


def test_summary_has_overall_score_areas_mistakes_and_top_risks(a):
    html = r.summary(a)
    assert "/100 overall posture score" in html
    for area in a.scores["domain"]["area"]:
        assert area in html
    assert "Common mistakes" in html and "Top risks" in html
    # The fixture has a public bucket and users without MFA: both are called out as found.
    assert re.search(r"Public S3 buckets: found", html)
    assert re.search(r"No MFA: found", html)
    # Top risks are the ten worst failing checks, in the model's order, named by what is wrong
    # ("Root user has no MFA"), not by the desired state the check's title states.
    risks = re.findall(r"<tr><td><span class=\"srm-sev[^>]*>\w+</span></td><td>([^<]*)</td>",
                       html.split("Top risks")[1])
    assert [unescape(t) for t in risks] == list(a.failing_checks["risk"].head(10))
    assert not set(a.failing_checks["title"].head(10)) & set(unescape(t) for t in risks)


def test_matrix_shows_services_in_use_with_measured_items(a):
    html = r.matrix(a)
    assert "Amazon S3" in html and "AWS IAM" in html
    assert "srm-badge srm-fail" in html  # at least one gap measured
    assert set(a.matrix["service_name"]) == set(a.services["in_use"])
    assert "AWS Lambda" in a.services["in_use"]  # the demo runs functions...
    # ...and an account without any does not show Lambda in its matrix.
    from srm_nb.snapshot import Snapshot

    tables = {name: df.iloc[0:0] if name.startswith("lambda_") else df
              for name, df in a.snapshot.tables.items()}
    no_lambda = assess(Snapshot(tables=tables, manifest=a.snapshot.manifest))
    assert "AWS Lambda" not in no_lambda.services["in_use"]
    assert "AWS Lambda" in no_lambda.services["not_in_use"]
    assert "Not in use in this snapshot, so not shown: " in r.matrix(no_lambda)


def test_remediation_plan_orders_by_severity_then_effort(a):
    html = r.remediation_plan(a)
    sev = re.findall(r"srm-sev-(\w+)", html)
    order = ["critical", "high", "medium", "low", "informational"]
    assert sev == sorted(sev, key=order.index) and len(sev) == len(a.failing_checks)
    for _, g in a.failing_checks.groupby("severity"):
        efforts = g["effort"].map({"low": 0, "medium": 1, "high": 2}).tolist()
        assert efforts == sorted(efforts)
    # Remediation comes from the findings (carried from the catalog when the checks ran).
    for row in a.failing_checks.itertuples():
        assert str(escape(row.remediation_console)) in html and str(escape(row.remediation_cli)) in html


def big_assessment(a, n: int) -> Assessment:
    """`n` findings: the fixture's, repeated over made-up resources."""
    base = a.findings
    reps = -(-n // len(base))
    f = pd.concat([base.assign(resource_id=base["resource_id"] + f"-{i}") for i in range(reps)],
                  ignore_index=True).head(n)
    f["finding_uid"] = [f"uid{i}" for i in range(len(f))]
    return rebuilt(a, f)


def test_appendix_lists_everything_that_needs_attention_and_counts_the_rest(a):
    big = big_assessment(a, 5000)
    html = r.all_findings(big, limit=1000)
    attention = int((~big.findings["status"].isin(["PASS", "NOT_APPLICABLE"])).sum())
    assert attention > 1000
    assert html.count("<tr><td class='st-") == 1000  # the worst first, up to the limit
    assert f"the 1000 most severe of the {attention}" in html
    assert "findings.csv and findings.xlsx hold every row" in html
    severities = re.findall(r'<tr class="srm-group"><th colspan="4"><span class="sev-(\w+)"', html)
    order = ["critical", "high", "medium", "low", "informational"]
    assert severities and severities == sorted(severities, key=order.index)
    small = r.all_findings(a)
    assert small.count("<tr><td class='st-") + small.count("<tr class=\"srm-screen\"><td class='st-") == len(a.findings)


def test_printed_appendix_lists_what_needs_attention_and_counts_passes_unless_full(a):
    html = r.all_findings(a)
    quiet = a.findings["status"].isin(["PASS", "NOT_APPLICABLE"]) & ~a.findings["muted"]
    # Every passed row is on screen only; the print shows the per-check count of passes instead.
    assert html.count("<tr class=\"srm-screen\"><td class='st-") == int(quiet.sum())
    assert '<div class="srm-print"><h4>Passed or not applicable, per check</h4>' in html
    assert f"the {int(quiet.sum())} passed or not applicable are counted per check" in html
    full = r.all_findings(a, print_all=True)
    assert "srm-screen" not in full and "srm-print" not in full


def test_area_sections_list_a_bounded_number_of_resources_per_check(a):
    big = big_assessment(a, 5000)
    domain = big.findings.loc[big.findings["status"] == "FAIL", "domain"].iloc[0]
    html = r.area_findings(big, domain)
    assert "more: see findings.csv" in html
    blocks = html.split("<div class=\"srm-check\">")[1:]
    assert blocks
    for block in blocks:
        assert 0 < block.count("<tr><td>") <= r.RESOURCES_PER_CHECK


def test_area_header_and_chart_for_every_area(a):
    for domain in a.scores["domain"]["domain"]:
        assert "/100" in r.area_header(a, domain)
        bundle = r.area_chart(a, domain)._repr_mimebundle_()
        assert f'id="srm-area-{domain}"' in bundle["text/html"]


def test_without_history_the_trend_says_so(a):
    assert "No earlier run" in r.trend(a)
    assert r.changes(a) == ""


def test_integrity_line_is_clean(a):
    assert r.integrity(a).startswith("Integrity: every finding")


def test_integrity_raises_on_a_broken_invariant(a):
    from srm_nb.errors import ReportError

    broken = rebuilt(a, pd.concat([a.findings, a.findings.iloc[:1]]))
    with pytest.raises(ReportError, match="duplicate finding uids"):
        r.integrity(broken)


def test_methodology_documents_the_model():
    html = r.methodology()
    assert "ERROR" in html and "coverage" in html and "critical 10" in html


@pytest.mark.parametrize("status", ["PASS", "NOT_APPLICABLE", None])
def test_every_section_renders_when_nothing_fails_or_nothing_is_scorable(a, status):
    f = a.findings.iloc[0:0] if status is None else a.findings.assign(status=status)
    b = rebuilt(a, f)
    for name in SECTIONS:
        html = getattr(r, name)(b)
        assert type(html) is Html and "StrictUndefined" not in html
    assert "<table" in r.title_page(b) and "Common mistakes" in r.summary(b)
    assert ("Nothing to remediate" in r.remediation_plan(b)) and ("No failing checks" in r.summary(b))
    for chart in (r.score_chart(b), r.severity_heatmap(b), r.service_heatmap(b), r.region_chart(b)):
        assert "<div id=\"srm-" in chart._repr_mimebundle_()["text/html"]
    for domain in r.DOMAINS:
        assert "<h3 id=\"area-" in r.area_header(b, domain)
        assert "No failing findings" in r.area_findings(b, domain)
    expected = "n/a" if status != "PASS" else "100"
    assert f">{expected}</span><span>/100 overall" in r.summary(b)


def test_region_chart_shows_each_regions_score(a):
    html = r.region_chart(a)._repr_mimebundle_()["text/html"]
    for row in a.scores["region"].dropna(subset=["score"]).itertuples():
        assert f"score {row.score:.0f} \\u00b7 cov {row.coverage:.0f}%" in html  # JSON-escaped middle dot


def test_a_saved_assessment_renders_exactly_as_computed(a, tmp_path):
    """The notebook reads the run folder: every section must be identical to the computed one."""
    import shutil

    from conftest import FIXTURE_SNAPSHOT

    shutil.copytree(FIXTURE_SNAPSHOT, tmp_path / "snapshot")
    a.save(tmp_path)
    loaded = Assessment.load(tmp_path)
    for name in SECTIONS:
        assert getattr(r, name)(loaded) == getattr(r, name)(a), name
    for domain in r.DOMAINS:
        assert r.area_findings(loaded, domain) == r.area_findings(a, domain)
        assert r.area_header(loaded, domain) == r.area_header(a, domain)
    for chart in ("score_chart", "severity_heatmap", "service_heatmap", "region_chart"):
        assert (getattr(r, chart)(loaded)._repr_mimebundle_()["text/html"]
                == getattr(r, chart)(a)._repr_mimebundle_()["text/html"]), chart
    assert loaded.overall == pytest.approx(a.overall)


def test_the_report_with_history_shows_trend_changes_and_unreadable_runs(a, tmp_path):
    account = tmp_path / a.snapshot.account_id
    older, damaged, old = (account / s for s in ("20261001T000000Z", "20261015T000000Z", "20261101T000000Z"))
    for folder in (older, damaged, old):
        (folder / "snapshot").mkdir(parents=True)
        a.save(folder)
    (damaged / "scores.json").write_text("{not json")
    prev = a.findings.copy()
    fails, passes = prev.index[prev["status"] == "FAIL"], prev.index[prev["status"] == "PASS"]
    prev.loc[fails[0], "status"] = "PASS"  # failing now, not before: new
    prev.loc[passes[0], "status"] = "FAIL"  # failing before, passing now: fixed
    prev.to_parquet(old / "findings.parquet")
    b = build(a.snapshot, a.findings.drop(columns=["muted", "mute_reason"]),
              history=load_history(old, a.snapshot.account_id))
    assert b.trend["when"].nunique() == 3 and (b.trend["series"] == "Overall").sum() == 3
    assert "srm-trend" in r.trend(b)._repr_mimebundle_()["text/html"]
    html = r.changes(b)
    assert "1 new failing finding(s), 1 fixed" in html
    assert "Earlier runs left out of the trend: 20261015T000000Z" in html
    # The previous run's findings are damaged: the report says what it cannot show.
    (old / "findings.parquet").write_bytes(b"PAR1 broken")
    c = build(a.snapshot, a.findings.drop(columns=["muted", "mute_reason"]),
              history=load_history(old, a.snapshot.account_id))
    assert c.changes is None
    html = r.changes(c)
    assert "cannot be shown" in html and "findings.parquet cannot be read" in html


def test_failures_are_listed_by_their_risk_everywhere(a):
    """Top risks, common mistakes, the area sections and the remediation plan name a failing check
    by its risk ("Root user has no MFA"), never by its title (the desired state)."""
    worst = a.failing_checks.iloc[0]
    assert worst["risk"] != worst["title"]
    summary, plan = r.summary(a), r.remediation_plan(a)
    area = r.area_findings(a, worst["domain"])
    for html in (summary, plan, area):
        assert str(escape(worst["risk"])) in html
    assert f"<td>{escape(worst['title'])}" not in plan
    found = a.common_mistakes[a.common_mistakes["state"] == "found"]
    examples = {e for ex in found["examples"] for e in ex}
    assert examples and examples <= set(a.failing_checks["risk"])


@pytest.mark.parametrize("services", [1, 3, 60])
def test_the_service_heatmap_always_prints_on_one_page(services):
    from srm_nb import charts

    scores = pd.DataFrame([{"service": f"svc{i:02d}", "domain": "network", "score": 50.0, "coverage": 100.0}
                           for i in range(services)])
    height = charts.service_area_heatmap(scores).layout.height
    assert height <= charts.PRINT_MAX_HEIGHT
    if services <= 20:
        assert height == 120 + 30 * services  # room enough: full-height rows
    else:
        assert (height - 120) / services >= 12  # thinner rows, still legible
