"""The printed report as a consultant hands it over, read back page by page with poppler's
`pdftotext`: the title page, the running footer on every page, no near-empty pages."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from srm_nb.pdf_pages import pdftotext, report_layout
from srm_nb.render import find_browser

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

if find_browser() is None or pdftotext() is None:  # CI installs both (.ci/run)
    pytest.skip("needs Chromium and poppler's pdftotext: apt-get install chromium poppler-utils",
                allow_module_level=True)


@pytest.fixture(scope="module")
def layout(demo_run):
    folder, _ = demo_run
    return report_layout(folder / "report.pdf", folder / "assessment.ipynb")


@pytest.fixture(scope="module")
def scores(demo_run):
    return json.loads((demo_run[0] / "scores.json").read_text())


def test_page_one_is_a_title_page_with_the_score(layout, scores):
    from conftest import DEMO_ASSESSOR, DEMO_ENGAGEMENT

    title = layout.pages[0].body
    o = scores["overall"]
    for text in ("Northwind Analytics (demo)", DEMO_ENGAGEMENT, DEMO_ASSESSOR, "123456789012",
                 "northwind-prod", "arn:aws:sts::123456789012:", f"{o['score']:.0f}",
                 "/100 overall posture score", f"coverage {o['coverage']:.0f}%"):
        assert text in title, text
    for area in scores["by_area"]:
        assert re.search(rf"{re.escape(area['area'])}\s+{area['score']:.0f}\b", title), area["area"]
    assert "Contents" not in title and "Contents" in layout.pages[1].body  # the contents follow it


def test_every_page_has_the_running_footer(layout, scores):
    from srm_nb.sections import _day

    day = _day(scores["assessed_at"])
    total = len(layout.pages)
    for page in layout.pages:
        for text in ("Account 123456789012 (northwind-prod)", day, "Confidential", f"Page {page.number} of {total}"):
            assert text in page.footer, (page.number, text, page.footer)


def test_sections_start_on_their_own_page_and_no_page_is_near_empty(layout):
    assert list(layout.starts) == [f"{n}. {t}" for n, t in enumerate(
        ("Executive summary", "Shared Responsibility matrix", "Responsibility areas", "Regions and trend",
         "Remediation plan", "Appendix"), 1)]
    assert not layout.sparse, layout.summary()


def test_the_print_lists_what_needs_attention_and_counts_the_passes(layout, demo_run):
    text = "\n".join(p.body for p in layout.pages[layout.starts["6. Appendix"] - 1:])
    assert "findings.csv and findings.xlsx hold every row" in text
    assert "Passed or not applicable, per check" in text


def test_the_screen_pass_skipped_while_printing_changes_nothing_on_paper(demo_run, tmp_path, monkeypatch):
    """The page opened at #srm-print skips its tables in Chromium's screen layout (a second
    faster); printed without that, every page reads the same."""
    from srm_nb import render

    folder, _ = demo_run
    monkeypatch.setattr(render, "PRINTING", "")
    plain = render.to_pdf(folder / "report.html", tmp_path / "plain.pdf")
    pages = [p.body + p.footer for p in report_layout(plain, folder / "assessment.ipynb").pages]
    assert pages == [p.body + p.footer for p in report_layout(folder / "report.pdf",
                                                              folder / "assessment.ipynb").pages]


def test_the_pdf_is_tagged_with_bookmarks_only_when_asked(demo_run, tmp_path):
    from srm_nb.render import to_pdf

    folder, _ = demo_run
    assert b"/StructTreeRoot" not in (folder / "report.pdf").read_bytes()
    tagged = to_pdf(folder / "report.html", tmp_path / "tagged.pdf", tagged=True).read_bytes()
    assert b"/StructTreeRoot" in tagged and b"/Outlines" in tagged
    bookmarks = re.findall(rb"/Title \(([^)]*)\)", tagged)  # the outline's entries, and the document's
    assert b"Executive summary" in bookmarks and b"Remediation plan" in bookmarks, bookmarks[:20]


def test_the_pdf_is_titled_after_the_account_not_notebook(demo_run):
    info = subprocess.run(["pdfinfo", str(demo_run[0] / "report.pdf")], capture_output=True, text=True).stdout
    assert "Title:           Shared Responsibility assessment · Northwind Analytics (demo) · Account " \
           "123456789012 (northwind-prod) · " in info, info
