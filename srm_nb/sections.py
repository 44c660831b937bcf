"""The report's sections, as HTML (or charts) for the notebook to display.

Sections present an Assessment that was computed once (`assessment.py`): they pick and order
what to show and hand it to a Jinja template under `templates/sections/`; they do not score,
diff or read the catalog. Autoescaping is on in every template, so everything that comes from
the account (names, tags, policy text, error messages: attacker-controlled) and everything the
tool owns is escaped by default.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

import pandas as pd

from . import charts
from .assessment import SEVERITY_ORDER, Assessment
from .errors import ReportError
from .history import change_counts
from .vocabulary import DOMAINS, PAPERS, STATUSES

# Per failing check, how many resources an area section lists; the rest are in findings.csv/xlsx.
# The PDF lists them in its appendix instead, each once, grouped by check.
RESOURCES_PER_CHECK = 25
# Above this many findings, the appendix lists every finding that needs attention (FAIL, ERROR,
# muted, MANUAL) and summarizes the rest per check, so a 10,000-finding report stays usable.
APPENDIX_FULL_LIMIT = 2000
DETAIL_CHARS = 300

STATUS_LABELS = {"PASS": "Met", "FAIL": "Gap", "ERROR": "Not evaluated", "MANUAL": "Review manually",
                 "NOT_APPLICABLE": "Not applicable", "MUTED": "Muted"}


class Html(str):
    """A string that Jupyter (and nbconvert) show as HTML."""

    def _repr_html_(self) -> str:
        return str(self)


class Chart:
    """A plotly figure with a fixed div id: JupyterLab renders it natively; nbconvert uses the
    HTML div, and the report template embeds plotly.js once for all charts."""

    def __init__(self, fig, div_id: str, screen_only: bool = False):
        self.fig, self.div_id, self.screen_only = fig, div_id, screen_only

    def _repr_mimebundle_(self, include=None, exclude=None):
        div = self.fig.to_html(full_html=False, include_plotlyjs=False, div_id=self.div_id,
                               config={"displaylogo": False, "responsive": True})
        if self.screen_only:
            div = f'<div class="srm-screen">{div}</div>'
        return {"application/vnd.plotly.v1+json": self.fig.to_plotly_json(), "text/html": div}


def fmt_score(v) -> str:
    return "n/a" if v is None or pd.isna(v) else f"{v:.0f}"


def _cell(v) -> str:
    return "" if v is None or (isinstance(v, float) and pd.isna(v)) else v


@lru_cache(maxsize=1)
def _env():
    import jinja2

    from .resources import templates

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(templates() / "sections")),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(score=fmt_score, score_color=charts.score_color, cell=_cell, css_string=css_string,
                       truncate_detail=lambda v: str(v)[:DETAIL_CHARS])
    env.globals.update(status_labels=STATUS_LABELS, areas_by_id=DOMAINS)
    return env


def css_string(value) -> "Markup":
    """`value` as a quoted CSS string: everything but letters, digits, spaces and a little
    punctuation becomes a CSS escape, so no quote, backslash or `</style>` survives."""
    from markupsafe import Markup

    safe = "".join(c if c.isalnum() and c.isascii() or c in " .,:()-_/@" else f"\\{ord(c):06x}"
                   for c in str(value))
    return Markup(f'"{safe}"')


def render(template: str, **context) -> Html:
    return Html(_env().get_template(template).render(**context))


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts, missing values as None (column by column: DataFrame.to_dict boxes every
    cell, seconds for the appendix of a large report)."""
    names = list(frame.columns)
    columns = [frame[c].astype(object).where(frame[c].notna(), None).tolist() for c in names]
    return [dict(zip(names, row)) for row in zip(*columns)]


def _sorted(f: pd.DataFrame) -> pd.DataFrame:
    return f.assign(_s=f["severity"].map(SEVERITY_ORDER)).sort_values(
        ["_s", "check_id", "region", "resource_id"]).drop(columns="_s")


# -- cover and summary --------------------------------------------------------------------------

def title_page(a: Assessment, paper: str = "a4") -> Html:
    """Page 1: client, account, date, who assessed, the score and the score per area; with the
    print setup (paper size, running footer)."""
    m = a.snapshot.manifest
    e = a.context.get("engagement") or {}
    account, when = _account(a), _day(m.get("started_at", ""))
    rows = [
        ("Client", e.get("client", "")),
        ("Engagement", e.get("engagement", "")),
        ("Label", a.context.get("label") or ""),
        ("Assessed", f"{when} (collection started {m.get('started_at', '')} UTC)"),
        ("Assessor", e.get("assessor", "")),
        ("Scanned as", m.get("caller_arn", "")),
        ("Regions", ", ".join(m.get("regions", []))),
        ("Services in use", ", ".join(a.services.get("in_use", []))),
        ("Tool", f"srm-workbook {m.get('tool_version', '')}, check catalog "
                 f"{a.context.get('catalog_version', '')} ({len(a.catalog)} checks)"),
    ]
    return render("title_page.html.j2", rows=rows, account=account, overall=a.overall,
                  areas=_records(a.scores["domain"]), engagement={"classification": "", **e},
                  footer_left=running_line(a), paper=PAPERS[paper])


def running_line(a: Assessment) -> str:
    """Client, account and day: the PDF's running footer and the end of the document's title."""
    client = (a.context.get("engagement") or {}).get("client", "")
    when = _day(a.snapshot.manifest.get("started_at", ""))
    return " · ".join(x for x in (client, f"Account {_account(a)}", when) if x)


def document_title(a: Assessment) -> str:
    """The HTML page's title, which is the PDF's Title too (not nbconvert's "Notebook")."""
    return f"Shared Responsibility assessment · {running_line(a)}"


def _account(a: Assessment) -> str:
    m = a.snapshot.manifest
    alias = m.get("account_alias") or ""
    return f"{m.get('account_id', '')}" + (f" ({alias})" if alias else "")


def _day(iso: str) -> str:
    """'2026-12-04T05:09:49+00:00' as '4 December 2026' (as given when it is not a date)."""
    try:
        return datetime.fromisoformat(str(iso)).strftime("%-d %B %Y")
    except ValueError:
        return str(iso)


def summary(a: Assessment, top: int = 10) -> Html:
    return render("summary.html.j2", overall=a.overall, areas=_records(a.scores["domain"]),
                  mistakes=_records(a.common_mistakes), top_risks=_records(a.failing_checks.head(top)))


# -- the responsibility matrix --------------------------------------------------------------------

def matrix(a: Assessment) -> Html:
    """The seed's Service | AWS responsibility | Your responsibility table, measured live."""
    live = a.matrix
    models = a.services.get("models", {})
    services = [{"name": g["service_name"].iloc[0], "model": models.get(g["model"].iloc[0], g["model"].iloc[0]),
                 "aws": g["aws"].iloc[0], "rows": _records(g)}
                for _, g in live.groupby("service", sort=False)]
    status = live["status"].value_counts()
    counts = ", ".join(f"{status.get(s, 0)} {STATUS_LABELS[s].lower()}" for s in ("FAIL", "ERROR", "PASS", "MANUAL")
                       if status.get(s, 0))
    return render("matrix.html.j2", services=services, counts=counts,
                  not_in_use=a.services.get("not_in_use", []))


# -- charts ------------------------------------------------------------------------------------

def score_chart(a: Assessment) -> Chart:
    return Chart(charts.score_by_area(a.scores["domain"]), "srm-score-by-area")


def severity_heatmap(a: Assessment) -> Chart:
    return Chart(charts.severity_area_heatmap(a.active), "srm-severity-area")


def service_heatmap(a: Assessment) -> Chart:
    return Chart(charts.service_area_heatmap(a.scores["service_domain"]), "srm-service-area")


def region_chart(a: Assessment) -> Chart:
    return Chart(charts.findings_by_region(a.findings, a.scores["region"]), "srm-findings-by-region")


def trend(a: Assessment):
    """The score over the account's earlier runs and this one."""
    if a.context.get("previous_run") is None:
        return render("trend.html.j2", has_history=False, problems=a.context.get("history_problems") or [])
    return Chart(charts.trend(a.trend), "srm-trend")


def changes(a: Assessment) -> Html:
    """What changed since the previous run, and the earlier runs that could not be read."""
    previous = a.context.get("previous_run")
    problems = a.context.get("history_problems") or []
    note = render("trend.html.j2", has_history=True, problems=problems) if problems else ""
    if previous is None:
        return Html(note)
    counts, groups, delta = {}, {}, ""
    if a.changes is not None:
        c = a.changes
        counts = change_counts(c)
        groups = {k: _records(_sorted(c[c["change"] == k]).head(200)) for k in ("new", "fixed")}
        before = (previous.get("overall") or {}).get("score")
        if before is not None and not pd.isna(a.overall["score"]):
            delta = f"Overall score {before:.0f} then, {a.overall['score']:.0f} now."
    columns = [("severity", "severity"), ("title", "title"), ("region", "region"), ("resource_id", "resource_id")]
    return Html(note + render("changes.html.j2", previous=previous, changes=a.changes, counts=counts,
                              groups=groups, delta=delta, columns=columns))


# -- one section per area --------------------------------------------------------------------------

def area_header(a: Assessment, domain: str) -> Html:
    s = a.scores["domain"]
    row = s[s["domain"] == domain]
    return render("area_header.html.j2", domain=domain, area=DOMAINS[domain],
                  row=None if row.empty else _records(row)[0])


def area_chart(a: Assessment, domain: str):
    f = a.active[a.active["domain"] == domain]
    if not f["status"].isin(("PASS", "FAIL", "ERROR")).any():
        return Html("")
    # Not printed: one bar per check grows taller than a page in the larger areas; the PDF
    # lists the failing checks below and counts the passes in the appendix.
    return Chart(charts.area_status(f, DOMAINS[domain]), f"srm-area-{domain}", screen_only=True)


def area_findings(a: Assessment, domain: str) -> Html:
    """The area's failing checks, worst first, each with its remediation once and its resources."""
    active = a.active[a.active["domain"] == domain]
    fails = active[active["status"] == "FAIL"]
    order = a.failing_checks[a.failing_checks["domain"] == domain]
    # One pass over the area's failures (a frame per check cost more than the page's HTML).
    by_check: dict[str, list[dict]] = {}
    for row in _records(_sorted(fails)[["check_id", "region", "resource_id", "detail", "cis_ids", "fsbp_ids"]]):
        by_check.setdefault(row["check_id"], []).append(row)
    checks = []
    for c in _records(order):
        mine = by_check[c["check_id"]]
        ids = " ".join(x for x in (mine[0]["cis_ids"] or "", mine[0]["fsbp_ids"] or "") if x)
        checks.append({**c, "ids": ids, "rows": mine[:RESOURCES_PER_CHECK],
                       "more": max(len(mine) - RESOURCES_PER_CHECK, 0)})
    errors = (active[active["status"] == "ERROR"].groupby("title").size().rename("findings").reset_index())
    muted = int(a.findings.loc[a.findings["domain"] == domain, "muted"].sum())
    return render("area_findings.html.j2", checks=checks, errors=_records(errors), muted=muted)


# -- remediation plan --------------------------------------------------------------------------------

def remediation_plan(a: Assessment) -> Html:
    """Failing checks ordered by severity, then effort (quick wins first), then reach."""
    return render("plan.html.j2", checks=_records(a.failing_checks))


# -- appendices --------------------------------------------------------------------------------------

def all_findings(a: Assessment, limit: int = APPENDIX_FULL_LIMIT, print_all: bool = False) -> Html:
    """Every finding, compact, up to `limit` rows. Past that, PASS and NOT_APPLICABLE findings
    are counted per check instead of listed, and the findings that need attention are listed
    worst first up to `limit` (a 10,000-row table is unusable in a browser and in print, and
    slow to convert). The PDF counts the passes per check in any case, unless `print_all`.
    findings.csv and findings.xlsx always hold every row."""
    f = _sorted(a.findings)
    quiet = f["status"].isin(("PASS", "NOT_APPLICABLE")) & ~f["muted"]
    attention, n_quiet = int((~quiet).sum()), int(quiet.sum())
    listed = len(f) <= limit  # the HTML lists every finding, the quiet ones too
    hide_in_print = listed and not print_all and quiet.any()  # then the PDF counts them instead
    note = None if listed else {"total": len(f), "shown": min(attention, limit), "attention": attention,
                                "quiet": n_quiet}
    summary_rows = []
    if quiet.any() and (hide_in_print or not listed):
        summary_rows = _records(f[quiet].groupby(["check_id", "status"]).size().rename("findings").reset_index())
    if not listed:
        f, quiet = f[~quiet].head(limit), quiet[~quiet].head(limit)
    rows = f[["severity", "status", "check_id", "title", "region", "resource_id", "detail"]].assign(
        state=f["status"].where(~f["muted"], "MUTED"), screen=quiet & hide_in_print)
    # One group per check (the rows are sorted by check within each severity); a group whose
    # rows are all hidden in print is hidden with them.
    by_check: dict[str, list[dict]] = {}
    for row in _records(rows):
        by_check.setdefault(row["check_id"], []).append(row)
    groups = [{"check_id": check, "severity": g[0]["severity"], "title": g[0]["title"],
               "screen": all(r["screen"] for r in g), "rows": g} for check, g in by_check.items()]
    return render("all_findings.html.j2", groups=groups, note=note, summary=summary_rows,
                  hide_in_print=hide_in_print, attention=attention, quiet=n_quiet)


def muted(a: Assessment) -> Html:
    m = a.findings[a.findings["muted"]]
    return render("muted.html.j2", mutes=_records(a.mutes),
                  rows=_records(_sorted(m)[["severity", "status", "check_id", "region", "resource_id",
                                            "mute_reason"]]))


def coverage(a: Assessment) -> Html:
    calls = a.snapshot.calls
    bad = calls[calls["status"] != "ok"]
    by_status = [f"{n} {str(s).replace('_', ' ')}" for s, n in bad["status"].value_counts().items()]
    bad_calls = (bad.groupby(["service", "operation", "status", "error_code"]).size()
                 .rename("calls").reset_index().sort_values(["status", "service", "operation"]))
    gaps = a.snapshot.gaps
    gap_rows = (gaps.groupby(["table", "status", "error_code"])
                .agg(regions=("region", "nunique"), resources=("resource_id", "size")).reset_index()
                if not gaps.empty else pd.DataFrame())
    return render("coverage.html.j2", calls=len(calls), failed=len(bad), by_status=by_status,
                  overall=a.overall, notes=a.snapshot.manifest.get("notes", []),
                  bad_calls=_records(bad_calls), gaps=_records(gap_rows))


def methodology() -> Html:
    from . import scoring

    weights = ", ".join(f"{k} {v}" for k, v in scoring.SEVERITY_WEIGHTS.items())
    return render("methodology.html.j2", model=scoring.__doc__.strip(), weights=weights)


def catalog_appendix(a: Assessment) -> Html:
    return render("catalog.html.j2", version=a.context.get("catalog_version", ""), checks=_records(a.catalog))


def integrity(a: Assessment) -> str:
    """Invariants the report relies on, as one line. A broken invariant is our bug, and a report
    showing it must not be handed over: it raises, which fails the notebook (and nbval)."""
    f = a.findings
    problems = []
    unknown = sorted(set(f["status"]) - set(STATUSES))
    if unknown:
        problems.append(f"unknown status {unknown}")
    if f["finding_uid"].duplicated().any():
        problems.append("duplicate finding uids")
    if not set(f["domain"]) <= set(DOMAINS):
        problems.append(f"unknown areas {sorted(set(f['domain']) - set(DOMAINS))}")
    scores = pd.concat([a.scores["domain"]["score"], a.scores["service"]["score"],
                        pd.Series([a.overall["score"]], dtype=float)]).dropna()
    if not scores.between(0, 100).all():
        problems.append("a score outside 0-100")
    if (f["muted"] & (f["mute_reason"] == "")).any():
        problems.append("a muted finding without a reason")
    if problems:
        raise ReportError("report integrity check failed: " + "; ".join(problems))
    return ("Integrity: every finding has a known status, a unique uid and a known area; "
            "every score is within 0-100; every muted finding has a reason.")
