"""Attacker-controlled strings (resource names, tags, error text, the account alias) through the
real pipeline: escaped in the HTML report, defused in CSV and XLSX, inert in a real browser."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from srm_nb.snapshot import Snapshot

SCRIPT_BUCKET = "<script>window.__pwned=1</script>"
FORMULA_USER = '=HYPERLINK("http://x","y")'
ALIAS = '<img src=x onerror="window.__pwned=2">'
TAG = "<script>alert(1)</script>"
RAW = (SCRIPT_BUCKET, ALIAS, TAG, "<img src=x")


def hostile_snapshot() -> Snapshot:
    from conftest import FIXTURE_SNAPSHOT

    s = Snapshot.load(FIXTURE_SNAPSHOT)
    swap = {"northwind-marketing-site": SCRIPT_BUCKET, "bob.analyst": FORMULA_USER}
    tables = {}
    for name, df in s.tables.items():
        df = df.copy()
        for col in df.columns:
            if df[col].dtype == object or pd.api.types.is_string_dtype(df[col]):
                for old, new in swap.items():
                    df[col] = df[col].map(lambda v, o=old, n=new: v.replace(o, n) if isinstance(v, str) else v)
        tables[name] = df
    # Denied per-resource calls whose error text carries a bucket tag's value (on every table, so
    # whichever checks run on this snapshot report them).
    gap = pd.DataFrame([{"table": name, "region": "us-east-1", "resource_id": "tagged-resource",
                         "service": "s3", "operation": "GetBucketTagging", "status": "denied",
                         "error_code": "AccessDenied", "message": f"tag owner={TAG} denied\x07\x1b[31m"}
                        for name in s.tables if name not in ("calls", "gaps")])
    tables["gaps"] = pd.concat([tables["gaps"], gap], ignore_index=True)
    manifest = {k: v for k, v in s.manifest.items() if k != "tables"}
    manifest["account_alias"] = ALIAS
    return Snapshot(tables=tables, manifest=manifest)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from srm_nb.pipeline import assess_snapshot

    result = assess_snapshot(hostile_snapshot(), tmp_path_factory.mktemp("hostile"), quiet=True,
                             previous=None, pdf=False)
    f = result.assessment.findings
    # The payloads really reach the findings, or this test would prove nothing.
    assert (f["resource_id"] == SCRIPT_BUCKET).any() and (f["resource_id"] == FORMULA_USER).any()
    assert f["detail"].str.contains(TAG, regex=False).any()
    return result


def test_html_escapes_every_payload(run):
    html = run.report.read_text()
    for raw in RAW:
        assert raw not in html, raw
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=" in html
    # Quotes are harmless in text content; the name is shown, not dropped.
    assert html.count("=HYPERLINK(") >= 1


def test_csv_defuses_formulas(run):
    with open(run.folder / "findings.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    cells = [v for row in rows for v in row.values()]
    assert not [c for c in cells if c and c[0] in "=+-@"], "a CSV cell would run as a formula"
    assert any(c == "'" + FORMULA_USER for c in cells)


def test_xlsx_holds_text_not_formulas(run):  # and control characters did not break the export
    from openpyxl import load_workbook

    wb = load_workbook(run.folder / "findings.xlsx")
    seen = False
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value}"
                if cell.value == "'" + FORMULA_USER:
                    seen = True
    assert seen


def test_payloads_stay_inert_in_a_real_browser(run):
    from cdp import Chromium
    from srm_nb.render import find_browser

    if find_browser() is None:
        pytest.skip("Chromium is not installed here (CI installs it: .ci/run); "
                    "static escaping is still checked by the other tests")
    with Chromium() as browser:
        page = browser.page()
        page.open(run.report.resolve().as_uri())
        assert not page.dialogs, f"a script ran and opened dialogs: {page.dialogs}"
        assert page.eval("typeof window.__pwned") == "undefined"
        assert page.eval("document.querySelectorAll('img[src=\"x\"]').length") == 0
        assert not page.exceptions, page.exceptions
        assert page.eval(f"document.body.innerText.includes({SCRIPT_BUCKET!r})")  # shown as text
