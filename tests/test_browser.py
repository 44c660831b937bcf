"""The HTML report in headless Chromium: no JavaScript errors, nothing fetched from the network,
every chart actually drawn, the table of contents working; and the PDF printed by the browser."""

from __future__ import annotations

import re

import pytest

from srm_nb.render import find_browser

pytestmark = [pytest.mark.browser]

if find_browser() is None:  # CI installs it (.ci/run); a laptop without it skips, saying why
    pytest.skip("Chromium is not installed: apt-get install chromium (or set SRM_CHROMIUM)",
                allow_module_level=True)

EXPECTED_CHARTS = ("srm-score-by-area", "srm-severity-area", "srm-service-area", "srm-findings-by-region")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from conftest import FIXTURE_SNAPSHOT

    from srm_nb.pipeline import PrintOptions, assess_snapshot
    from srm_nb.snapshot import Snapshot

    return assess_snapshot(Snapshot.load(FIXTURE_SNAPSHOT), tmp_path_factory.mktemp("browser"),
                           quiet=True, previous=None, pdf=True, printing=PrintOptions(paper="letter"))


@pytest.fixture(scope="module")
def page(run):
    from cdp import Chromium

    with Chromium() as browser:
        p = browser.page()
        p.open(run.report.resolve().as_uri())
        yield p


def test_no_javascript_errors(page):
    assert not page.exceptions, page.exceptions
    assert not page.console_errors, page.console_errors
    assert not page.dialogs, page.dialogs


def test_report_works_offline(page):
    remote = [u for u in page.requests if not u.startswith(("file:", "data:", "about:"))]
    assert not remote, f"the report fetched {remote}"


def test_every_chart_is_drawn(page):
    plots = page.eval("Array.from(document.querySelectorAll('.js-plotly-plot')).map(el => "
                      "({id: el.id, traces: (el._fullData || []).length, "
                      "svg: el.querySelectorAll('svg.main-svg').length, "
                      "marks: el.querySelectorAll('.trace .point, .hm image, .trace path.js-line').length}))")
    by_id = {p["id"]: p for p in plots}
    for chart in EXPECTED_CHARTS:
        assert chart in by_id, f"{chart} missing; drawn: {sorted(by_id)}"
    for p in plots:
        assert p["traces"] >= 1 and p["svg"] >= 1 and p["marks"] >= 1, p
    assert page.eval("typeof Plotly") == "object"


def test_table_of_contents_links_to_sections(page):
    links = page.eval("Array.from(document.querySelectorAll('nav.srm-toc a')).map(a => a.getAttribute('href'))")
    assert len(links) >= 6
    missing = page.eval("Array.from(document.querySelectorAll('nav.srm-toc a'))"
                        ".filter(a => !document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))))"
                        ".map(a => a.textContent)")
    assert not missing, f"table of contents entries without a target: {missing}"


def test_no_code_is_shown(page):
    assert page.eval("document.querySelectorAll('.jp-CodeCell .jp-InputArea, .jp-InputPrompt, .jp-Editor').length") == 0
    assert not page.eval("document.body.innerText.includes('open_assessment(')")


def test_pdf_is_printed_by_the_browser(run):
    assert run.pdf is not None, run.pdf_problem
    data = run.pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.count(b"/Type /Page") + data.count(b"/Type/Page") >= 3  # more than a title page
    # US Letter, as asked (A4 would be 595 x 842 points).
    boxes = set(re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data))
    assert boxes == {(b"612", b"792")}, boxes
