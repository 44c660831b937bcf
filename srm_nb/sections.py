"""The report's sections, as HTML for the notebook to display.

Everything that comes from the account (names, tags, policy text, error messages) is
attacker-controlled: it goes through `esc()` or pandas' escaping `to_html`, never raw.
"""

from __future__ import annotations

import html
import json

import pandas as pd

from . import charts
from .assessment import Assessment
from .checks import CATALOG_VERSION
from .checks.base import DOMAINS
from .scoring import SEVERITY_WEIGHTS

SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITY_WEIGHTS)}


def esc(value) -> str:
    return html.escape("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))


class Html(str):
    """A string that Jupyter (and nbconvert) show as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


class Chart:
    """A plotly figure with a fixed div id: JupyterLab renders it natively; nbconvert uses the
    HTML div, and the report template embeds plotly.js once for all charts."""

    def __init__(self, fig, div_id: str):
        self.fig, self.div_id = fig, div_id

    def _repr_mimebundle_(self, include=None, exclude=None):
        div = self.fig.to_html(full_html=False, include_plotlyjs=False, div_id=self.div_id,
                               config={"displaylogo": False, "responsive": True})
        return {"application/vnd.plotly.v1+json": self.fig.to_plotly_json(), "text/html": div}


def _fmt_score(v) -> str:
    return "n/a" if pd.isna(v) else f"{v:.0f}"


def cover(a: Assessment, account_label: str = "") -> Html:
    m = a.snapshot.manifest
    o = a.overall
    rows = [
        ("Account", f"{m.get('account_id', '')} {('(' + m['account_alias'] + ')') if m.get('account_alias') else ''}"),
        ("Label", account_label),
        ("Assessed", m.get("started_at", "")),
        ("Regions", ", ".join(m.get("regions", []))),
        ("Scanned as", m.get("caller_arn", "")),
        ("Coverage", f"{_fmt_score(o['coverage'])}% of evaluable checks had the data they need"),
        ("Tool", f"srm-workbook {m.get('tool_version', '')}, catalog {CATALOG_VERSION}"),
    ]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows if v)
    return Html(f'<table class="srm-cover">{body}</table>')


def summary(a: Assessment) -> Html:
    o = a.overall
    scores = a.scores("domain")
    cards = "".join(
        f'<div class="srm-card" style="border-color:{charts.score_color(r.score)}">'
        f'<div class="srm-card-score">{_fmt_score(r.score)}</div><div>{esc(r.area)}</div>'
        f'<div class="srm-card-cov">coverage {_fmt_score(r.coverage)}%</div></div>'
        for r in scores.itertuples()
    )
    return Html(
        f'<div class="srm-overall"><span class="srm-big" style="color:{charts.score_color(o["score"])}">'
        f'{_fmt_score(o["score"])}</span><span>/100 overall posture score · {o["passed"]} passed, '
        f'{o["failed"]} failed, {o["errors"]} could not be evaluated</span></div>'
        f'<div class="srm-cards">{cards}</div>'
    )


def score_chart(a: Assessment) -> Chart:
    return Chart(charts.score_by_area(a.scores("domain")), "srm-score-by-area")


def failing_table(findings: pd.DataFrame) -> Html:
    bad = findings[findings["status"].isin(("FAIL", "ERROR"))].copy()
    if bad.empty:
        return Html("<p class='srm-ok'>No failing findings.</p>")
    bad["_sev"] = bad["severity"].map(SEVERITY_ORDER)
    bad = bad.sort_values(["_sev", "check_id", "region", "resource_id"])
    cols = ["severity", "status", "title", "region", "resource_id", "detail", "remediation"]
    return Html(bad[cols].to_html(index=False, escape=True, classes="srm-findings", border=0))


def area_section(a: Assessment, domain: str) -> Html:
    f = a.findings[a.findings["domain"] == domain]
    s = a.scores("domain")
    row = s[s["domain"] == domain]
    score = _fmt_score(row["score"].iloc[0]) if len(row) else "n/a"
    return Html(f"<h3 id='area-{esc(domain)}'>{esc(DOMAINS[domain])}: {score}/100</h3>"
                + failing_table(f))


def all_findings(a: Assessment) -> Html:
    cols = ["check_id", "severity", "status", "region", "resource_id", "detail"]
    return Html(a.findings[cols].to_html(index=False, escape=True, classes="srm-findings", border=0))


def coverage(a: Assessment) -> Html:
    calls = a.snapshot.calls
    bad = calls[calls["status"] != "ok"]
    m = a.snapshot.manifest
    notes = "".join(f"<li>{esc(n)}</li>" for n in m.get("notes", []))
    head = (f"<p>{len(calls)} API calls, {len(bad)} did not succeed.</p>"
            + (f"<ul>{notes}</ul>" if notes else ""))
    if bad.empty:
        return Html(head)
    table = (bad.groupby(["service", "operation", "status", "error_code"]).size()
             .rename("calls").reset_index())
    return Html(head + table.to_html(index=False, escape=True, classes="srm-findings", border=0))


def methodology() -> Html:
    from . import scoring

    weights = ", ".join(f"{k} {v}" for k, v in SEVERITY_WEIGHTS.items())
    return Html(f"<pre class='srm-method'>{esc(scoring.__doc__.strip())}</pre>"
                f"<p>Severity weights: {esc(weights)}.</p>")


def as_json(obj) -> str:
    return json.dumps(obj, indent=2, default=str)
