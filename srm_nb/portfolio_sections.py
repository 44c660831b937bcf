"""The portfolio's sections: they present a Portfolio computed once (`portfolio.py`) through the
same autoescaped templates, charts and report template as an account's report."""

from __future__ import annotations

from . import charts
from .portfolio import SEVERE_TOP, SYSTEMIC_TOP, Portfolio
from .sections import Chart, Html, _day, _records, render
from .vocabulary import PAPERS


def title_page(p: Portfolio, paper: str = "a4") -> Html:
    c = p.cover
    e = c.get("engagement") or {}
    scope = (f"Organization {c['organization_id']}" if c.get("organization_id") else "Accounts file")
    when = _day(c.get("started_at", ""))
    rows = [
        ("Client", e.get("client", "")),
        ("Engagement", e.get("engagement", "")),
        ("Label", c.get("label", "")),
        ("Scope", scope + (f" (management account {c['management_account_id']})"
                           if c.get("management_account_id") else "")),
        ("Accounts", f"{c['accounts']} in scope: {c['assessed']} assessed, {c['failed']} could not be "
                     f"assessed, {c['skipped']} skipped (not active)"
                     + (f", {c['not_run']} not run (interrupted)" if c.get("not_run") else "")),
        ("Assessed", f"{when} (fleet started {c.get('started_at', '')} UTC)"),
        ("Assessor", e.get("assessor", "")),
        ("Regions", ", ".join(c.get("regions") or [])),
    ]
    return render("portfolio_title.html.j2", rows=rows, scope=scope, cover=c, areas=_records(p.areas),
                  engagement={"classification": "Confidential", **e}, footer_left=running_line(p),
                  paper=PAPERS[paper])


def running_line(p: Portfolio) -> str:
    """Client, fleet size and day: the PDF's running footer and the end of the document's title."""
    c = p.cover
    client = (c.get("engagement") or {}).get("client", "")
    return " · ".join(x for x in (client, f"Portfolio, {c['accounts']} accounts", _day(c.get("started_at", "")))
                      if x)


def document_title(p: Portfolio) -> str:
    return f"Shared Responsibility portfolio · {running_line(p)}"


def accounts(p: Portfolio) -> Html:
    """Every assessed account, worst first, with coverage beside its score and a link to its report."""
    return render("portfolio_accounts.html.j2", rows=_records(p.accounts))


def score_chart(p: Portfolio) -> Chart:
    return Chart(charts.account_scores(p.accounts), "srm-fleet-scores")


def heatmap(p: Portfolio) -> Chart | Html:
    if p.heatmap.empty:
        return Html("")
    return Chart(charts.account_area_heatmap(p.heatmap, list(p.accounts["account_id"])), "srm-fleet-heatmap")


def systemic(p: Portfolio) -> Html:
    return render("portfolio_systemic.html.j2", rows=_records(p.systemic), top=SYSTEMIC_TOP,
                  assessed=p.cover["assessed"])


def mistakes(p: Portfolio) -> Html:
    return render("portfolio_mistakes.html.j2", rows=_records(p.mistakes), assessed=p.cover["assessed"])


def cis(p: Portfolio) -> Html:
    return render("portfolio_cis.html.j2", rows=_records(p.cis))


def severe(p: Portfolio) -> Html:
    return render("portfolio_severe.html.j2", rows=_records(p.severe), top=SEVERE_TOP)


def not_assessed(p: Portfolio) -> Html:
    return render("portfolio_not_assessed.html.j2", rows=_records(p.not_assessed))


def trend(p: Portfolio) -> Html:
    return render("portfolio_trend.html.j2", rows=_records(p.trend), previous=p.cover.get("previous_fleet"),
                  previous_at=p.cover.get("previous_at"))


def methodology() -> Html:
    from . import portfolio

    return render("portfolio_method.html.j2", model=portfolio.__doc__.strip())
