"""The report's sections, as HTML (or charts) for the notebook to display.

Everything that comes from the account (names, tags, policy text, error messages) is
attacker-controlled: it goes through `esc()` or pandas' escaping `to_html`, never raw. Text the
tool owns (titles, remediation from the catalog) is escaped too: it is cheap and keeps one rule.
"""

from __future__ import annotations

import html

import pandas as pd

from . import charts
from .assessment import Assessment
from .checks import CATALOG_VERSION, catalog_frame, load_catalog
from .vocabulary import DOMAINS, EFFORTS, SEVERITIES
from .errors import ReportError
from .matrix import selector_matches
from .mutes import mutes_frame
from .scoring import SEVERITY_WEIGHTS

SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}
EFFORT_ORDER = {e: i for i, e in enumerate(EFFORTS)}
# Per failing check, how many resources an area section lists; the rest are in findings.csv/xlsx.
RESOURCES_PER_CHECK = 25
# Above this many findings, the appendix lists every finding that needs attention (FAIL, ERROR,
# muted, MANUAL) and summarizes the rest per check, so a 10,000-finding report stays usable.
APPENDIX_FULL_LIMIT = 2000
DETAIL_CHARS = 300

STATUS_LABELS = {"PASS": "Met", "FAIL": "Gap", "ERROR": "Not evaluated", "MANUAL": "Review manually",
                 "NOT_APPLICABLE": "Not applicable", "MUTED": "Muted"}

# The seed's "common mistakes", each measured by the checks its selectors pick.
COMMON_MISTAKES = (
    ("Public S3 buckets", "Leaving S3 buckets public unintentionally.",
     ({"service": "s3", "id": ("*public*", "*acl*")},)),
    ("No MFA", "Not enabling MFA or enforcing strong IAM policies.",
     ({"service": "iam", "id": ("*mfa*",)},)),
    ("No backups", "Assuming backups are taken care of automatically for all services.",
     ({"domain": "backup"},)),
    ("CloudTrail or Config off", "Ignoring CloudTrail or Config for auditing.",
     ({"service": "cloudtrail", "id": ("*logging*", "*enabled*", "*multiregion*")},
      {"service": "config", "id": ("*recorder*", "*enabled*")})),
)


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
    return "n/a" if v is None or pd.isna(v) else f"{v:.0f}"


def _badge(status: str, muted: bool = False) -> str:
    key = "MUTED" if muted else status
    return f'<span class="srm-badge srm-{esc(key.lower())}">{esc(STATUS_LABELS.get(key, key))}</span>'


def _sev(severity: str) -> str:
    return f'<span class="srm-sev srm-sev-{esc(severity)}">{esc(severity)}</span>'


def _table(frame: pd.DataFrame, cls: str = "srm-findings") -> str:
    return frame.to_html(index=False, escape=True, classes=cls, border=0, na_rep="")


# -- cover and summary --------------------------------------------------------------------------

def cover(a: Assessment, account_label: str = "") -> Html:
    m = a.snapshot.manifest
    o = a.overall
    alias = m.get("account_alias") or ""
    rows = [
        ("Account", f"{m.get('account_id', '')}" + (f" ({alias})" if alias else "")),
        ("Label", account_label),
        ("Assessed", f"{m.get('started_at', '')} (UTC)"),
        ("Regions", ", ".join(m.get("regions", []))),
        ("Scanned as", m.get("caller_arn", "")),
        ("Coverage", f"{_fmt_score(o['coverage'])}% of the checks could be evaluated "
                     f"({o['errors']} finding(s) lacked the data they need)"),
        ("Services in use", ", ".join(a.matrix.services[k].name for k in a.services_in_use)),
        ("Tool", f"srm-workbook {m.get('tool_version', '')}, check catalog {CATALOG_VERSION} "
                 f"({len(load_catalog())} checks)"),
    ]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows if v)
    return Html(f'<table class="srm-cover">{body}</table>')


def summary(a: Assessment) -> Html:
    o = a.overall
    scores = a.scores("domain")
    cards = "".join(
        f'<div class="srm-card" style="border-color:{charts.score_color(r.score)}">'
        f'<div class="srm-card-score">{_fmt_score(r.score)}</div><div>{esc(r.area)}</div>'
        f'<div class="srm-card-cov">coverage {_fmt_score(r.coverage)}% · {r.failed} failed</div></div>'
        for r in scores.itertuples()
    )
    muted = f", {o['muted']} muted" if o.get("muted") else ""
    return Html(
        f'<div class="srm-overall"><span class="srm-big" style="color:{charts.score_color(o["score"])}">'
        f'{_fmt_score(o["score"])}</span><span>/100 overall posture score, coverage '
        f'{_fmt_score(o["coverage"])}% · {o["passed"]} passed, {o["failed"]} failed, '
        f'{o["errors"]} could not be evaluated{muted}</span></div>'
        f'<div class="srm-cards">{cards}</div>'
        + common_mistakes(a) + top_risks(a)
    )


def _checks_matching(selectors) -> list[str]:
    return [c.id for c in load_catalog().values() if any(selector_matches(s, c) for s in selectors)]


def common_mistakes(a: Assessment) -> str:
    """The seed's common mistakes: called out when present, and said so when not seen."""
    f = a.active
    items = []
    for name, text, selectors in COMMON_MISTAKES:
        ids = _checks_matching(selectors)
        mine = f[f["check_id"].isin(ids)]
        failed = mine[mine["status"] == "FAIL"]
        if len(failed):
            worst = _failing_by_check(failed)
            what = "; ".join(worst["title"].head(3)) + ("; ..." if len(worst) > 3 else "")
            items.append(f'<li class="srm-mistake-present"><strong>{esc(name)}: found.</strong> '
                         f'{len(failed)} failing finding(s) from {len(worst)} check(s): {esc(what)}.</li>')
        elif (mine["status"] == "ERROR").any():
            items.append(f'<li class="srm-mistake-unknown"><strong>{esc(name)}: could not be checked</strong> '
                         f'(missing data, see the coverage appendix).</li>')
        elif (mine["status"] == "PASS").any():
            items.append(f'<li class="srm-mistake-absent">{esc(name)}: not found.</li>')
        else:
            items.append(f'<li class="srm-mistake-unknown">{esc(name)}: no check measures it in this '
                         f'assessment ({esc(text)})</li>')
    return f'<h3>Common mistakes</h3><ul class="srm-mistakes">{"".join(items)}</ul>'


def _failing_by_check(f: pd.DataFrame) -> pd.DataFrame:
    bad = f[f["status"] == "FAIL"]
    if bad.empty:
        return pd.DataFrame(columns=["check_id", "title", "severity", "domain", "effort", "resources",
                                     "remediation"])
    g = bad.groupby("check_id", sort=False).agg(
        title=("title", "first"), severity=("severity", "first"), domain=("domain", "first"),
        effort=("effort", "first"), resources=("resource_id", "size"),
        remediation=("remediation", "first")).reset_index()
    g["_s"] = g["severity"].map(SEVERITY_ORDER)
    g["_e"] = g["effort"].map(EFFORT_ORDER).fillna(1)
    return g.sort_values(["_s", "_e", "resources", "check_id"], ascending=[True, True, False, True]) \
            .drop(columns=["_s", "_e"]).reset_index(drop=True)


def top_risks(a: Assessment, n: int = 10) -> str:
    g = _failing_by_check(a.active).head(n)
    if g.empty:
        return "<h3>Top risks</h3><p class='srm-ok'>No failing checks.</p>"
    rows = "".join(
        f"<tr><td>{_sev(r.severity)}</td><td>{esc(r.title)}</td><td>{esc(DOMAINS.get(r.domain, r.domain))}</td>"
        f"<td class='srm-num'>{r.resources}</td></tr>" for r in g.itertuples())
    return ("<h3>Top risks</h3><table class='srm-findings'><thead><tr><th>severity</th><th>check</th>"
            f"<th>area</th><th>resources</th></tr></thead><tbody>{rows}</tbody></table>")


# -- the responsibility matrix --------------------------------------------------------------------

def matrix(a: Assessment) -> Html:
    """The seed's Service | AWS responsibility | Your responsibility table, measured live."""
    live = a.live_matrix()
    if live.empty:
        return Html("<p>No service the matrix knows is in use in this snapshot.</p>")
    rows = []
    for key, g in live.groupby("service", sort=False):
        first = g.iloc[0]
        items = "".join(
            f"<li>{_badge(r.status)} {esc(r.text)}"
            + (f" <span class='srm-dim'>score {_fmt_score(r.score)}, coverage {_fmt_score(r.coverage)}%"
               f" · {r.passed} met, {r.failed} gaps" + (f", {r.errors} not evaluated" if r.errors else "")
               + (f", {r.muted} muted" if r.muted else "") + "</span>" if r.checks else "")
            + (f"<div class='srm-dim'>Manual: {esc(r.manual)}</div>" if r.manual else "")
            + (f"<div class='srm-checks'>{esc(r.checks)}</div>" if r.checks else "")
            + "</li>"
            for r in g.itertuples())
        model = a.matrix.models.get(first.model, first.model)
        rows.append(f"<tr><th>{esc(first.service_name)}<div class='srm-dim'>{esc(model)}</div></th>"
                    f"<td>{esc(first.aws)}</td><td><ul class='srm-items'>{items}</ul></td></tr>")
    unused = [s.name for k, s in a.matrix.services.items() if k not in a.services_in_use]
    note = (f"<p class='srm-dim'>Not in use in this snapshot, so not shown: {esc(', '.join(unused))}.</p>"
            if unused else "")
    counts = live["status"].value_counts()
    head = ("<p>" + ", ".join(f"{counts.get(s, 0)} {STATUS_LABELS[s].lower()}" for s in
                              ("FAIL", "ERROR", "PASS", "MANUAL") if counts.get(s, 0)) +
            f" across {live['service'].nunique()} services in use.</p>")
    return Html(head + "<table class='srm-matrix'><thead><tr><th>Service</th><th>AWS responsibility</th>"
                "<th>Your responsibility, measured</th></tr></thead><tbody>" + "".join(rows)
                + "</tbody></table>" + note)


# -- charts ------------------------------------------------------------------------------------

def score_chart(a: Assessment) -> Chart:
    return Chart(charts.score_by_area(a.scores("domain")), "srm-score-by-area")


def severity_heatmap(a: Assessment) -> Chart:
    return Chart(charts.severity_area_heatmap(a.active), "srm-severity-area")


def service_heatmap(a: Assessment) -> Chart:
    return Chart(charts.service_area_heatmap(a.scores(["service", "domain"])), "srm-service-area")


def region_chart(a: Assessment) -> Chart:
    return Chart(charts.findings_by_region(a.findings, a.scores("region")), "srm-findings-by-region")


def trend_points(a: Assessment) -> pd.DataFrame:
    rows = []

    def add(when, overall: dict, areas: list[dict]):
        rows.append({"when": when, "series": "Overall", "score": overall.get("score"),
                     "coverage": overall.get("coverage")})
        for r in areas:
            rows.append({"when": when, "series": DOMAINS.get(r.get("domain"), r.get("domain")),
                         "score": r.get("score"), "coverage": r.get("coverage")})

    for run in a.history:
        add(run.when, run.scores.get("overall", {}), run.scores.get("by_area", []))
    add(a.snapshot.manifest.get("started_at", "now"), a.overall, a.scores("domain").to_dict("records"))
    out = pd.DataFrame(rows, columns=["when", "series", "score", "coverage"])
    out["score"] = pd.to_numeric(out["score"], errors="coerce")
    out["coverage"] = pd.to_numeric(out["coverage"], errors="coerce")
    return out


def trend(a: Assessment):
    """The score over earlier runs of the account, and what changed since the last one."""
    if not a.history:
        return Html("<p class='srm-dim'>No earlier run of this account was given: no trend yet. "
                    "The next run will compare with this one.</p>")
    return Chart(charts.trend(trend_points(a)), "srm-trend")


def changes(a: Assessment) -> Html:
    if not a.history or a.history[-1].findings is None:
        return Html("")
    prev = a.history[-1].findings
    was_failing = set(prev.loc[prev["status"] == "FAIL", "finding_uid"])
    now = a.active
    now_failing = now[now["status"] == "FAIL"]
    new = now_failing[~now_failing["finding_uid"].isin(was_failing)]
    fixed_uids = was_failing - set(now_failing["finding_uid"])
    fixed = prev[prev["finding_uid"].isin(fixed_uids) & prev["finding_uid"].isin(set(now["finding_uid"]))]
    prev_score = a.history[-1].scores.get("overall", {}).get("score")
    delta = ("" if prev_score is None or pd.isna(a.overall["score"])
             else f" Overall score {prev_score:.0f} then, {a.overall['score']:.0f} now.")
    out = (f"<p>Since the run of {esc(a.history[-1].when)}: {len(new)} new failing finding(s), "
           f"{len(fixed)} fixed.{esc(delta)}</p>")
    cols = ["severity", "title", "region", "resource_id"]
    if len(new):
        out += "<h4>New failures</h4>" + _table(_sorted(new)[cols].head(200))
    if len(fixed):
        out += "<h4>Fixed</h4>" + _table(_sorted(fixed)[cols].head(200))
    return Html(out)


# -- one section per area --------------------------------------------------------------------------

def _sorted(f: pd.DataFrame) -> pd.DataFrame:
    return f.assign(_s=f["severity"].map(SEVERITY_ORDER)).sort_values(
        ["_s", "check_id", "region", "resource_id"]).drop(columns="_s")


def _check_block(check_id: str, f: pd.DataFrame) -> str:
    first = f.iloc[0]
    fails = f[f["status"] == "FAIL"]
    shown = fails.head(RESOURCES_PER_CHECK)
    rows = "".join(f"<tr><td>{esc(r.region)}</td><td>{esc(r.resource_id)}</td>"
                   f"<td>{esc(str(r.detail)[:DETAIL_CHARS])}</td></tr>" for r in shown.itertuples())
    more = (f"<p class='srm-dim'>and {len(fails) - len(shown)} more: see findings.csv or findings.xlsx.</p>"
            if len(fails) > len(shown) else "")
    check = load_catalog().get(check_id)
    console = check.remediation_console if check else str(first["remediation"])
    cli = check.remediation_cli if check else ""
    ids = " ".join(x for x in (str(first.get("cis_ids", "")), str(first.get("fsbp_ids", ""))) if x)
    return (f"<div class='srm-check'><h4>{_sev(first['severity'])} {esc(first['title'])} "
            f"<span class='srm-dim'>({len(fails)} resource(s), effort {esc(first['effort'])})</span></h4>"
            f"<p class='srm-dim'>{esc(check_id)} {esc(ids)}</p>"
            f"<p><strong>Fix:</strong> {esc(console)}</p>"
            + (f"<pre class='srm-cli'>{esc(cli)}</pre>" if cli else "")
            + f"<table class='srm-findings'><thead><tr><th>region</th><th>resource</th><th>detail</th></tr>"
            f"</thead><tbody>{rows}</tbody></table>{more}</div>")


def area_header(a: Assessment, domain: str) -> Html:
    s = a.scores("domain")
    row = s[s["domain"] == domain]
    if row.empty:
        return Html(f"<h3 id='area-{esc(domain)}'>{esc(DOMAINS[domain])}: n/a</h3>"
                    "<p class='srm-dim'>No evaluable check in this area for this account.</p>")
    r = row.iloc[0]
    return Html(f"<h3 id='area-{esc(domain)}'>{esc(DOMAINS[domain])}: {_fmt_score(r['score'])}/100</h3>"
                f"<p>Coverage {_fmt_score(r['coverage'])}% · {r['checks']} checks · {r['passed']} passed, "
                f"{r['failed']} failed, {r['errors']} could not be evaluated.</p>")


def area_chart(a: Assessment, domain: str):
    f = a.active[a.active["domain"] == domain]
    if not f["status"].isin(("PASS", "FAIL", "ERROR")).any():
        return Html("")
    return Chart(charts.area_status(f, DOMAINS[domain]), f"srm-area-{domain}")


def area_findings(a: Assessment, domain: str) -> Html:
    """The area's failing checks, worst first, each with its remediation once and its resources."""
    f = a.findings[a.findings["domain"] == domain]
    active = f[~f["muted"]]
    order = _failing_by_check(active)
    blocks = [_check_block(cid, active[active["check_id"] == cid]) for cid in order["check_id"]]
    errors = active[active["status"] == "ERROR"]
    out = "".join(blocks) if blocks else "<p class='srm-ok'>No failing findings.</p>"
    if len(errors):
        e = errors.groupby("title").size().rename("findings").reset_index()
        out += ("<h4>Could not be evaluated</h4><p class='srm-dim'>These checks lacked data (see the "
                "coverage appendix); they count against the score.</p>" + _table(e))
    n_muted = int(f["muted"].sum())
    if n_muted:
        out += f"<p class='srm-dim'>{n_muted} muted finding(s) in this area: see the muted findings appendix.</p>"
    return Html(out)


# -- remediation plan --------------------------------------------------------------------------------

def _remediation_html(check_id: str, fallback: str) -> str:
    check = load_catalog().get(check_id)
    if check is None:
        return esc(fallback)
    cli = f"<code class='srm-cli'>{esc(check.remediation_cli)}</code>" if check.remediation_cli else ""
    return esc(check.remediation_console) + cli


def remediation_plan(a: Assessment) -> Html:
    """Failing checks ordered by severity, then effort (quick wins first), then reach."""
    g = _failing_by_check(a.active)
    if g.empty:
        return Html("<p class='srm-ok'>Nothing to remediate.</p>")
    rows = "".join(
        f"<tr><td class='srm-num'>{i}</td><td>{_sev(r.severity)}</td><td>{esc(r.effort)}</td>"
        f"<td>{esc(r.title)}<div class='srm-dim'>{esc(r.check_id)} · {esc(DOMAINS.get(r.domain, r.domain))}</div></td>"
        f"<td class='srm-num'>{r.resources}</td><td>{_remediation_html(r.check_id, r.remediation)}</td></tr>"
        for i, r in enumerate(g.itertuples(), 1))
    return Html("<table class='srm-findings srm-plan'><thead><tr><th>#</th><th>severity</th><th>effort</th>"
                "<th>check</th><th>resources</th><th>remediation</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>")


# -- appendices --------------------------------------------------------------------------------------

def all_findings(a: Assessment, limit: int = APPENDIX_FULL_LIMIT) -> Html:
    """Every finding, compact, up to `limit` rows. Past that, PASS and NOT_APPLICABLE findings
    are counted per check instead of listed, and the findings that need attention are listed
    worst first up to `limit` (a 10,000-row table is unusable in a browser and in print, and
    slow to convert). findings.csv and findings.xlsx always hold every row."""
    f = _sorted(a.findings)
    note = ""
    if len(f) > limit:
        quiet = f["status"].isin(("PASS", "NOT_APPLICABLE")) & ~f["muted"]
        summary_rows = (f[quiet].groupby(["check_id", "status"]).size().rename("findings").reset_index())
        attention = int((~quiet).sum())
        shown = min(attention, limit)
        note = (f"<p class='srm-note'>{len(f)} findings. Listed: the {shown} most severe of the {attention} "
                f"that need attention{'' if shown == attention else ' (the rest are in the exports)'}; the "
                f"{int(quiet.sum())} passed or not applicable are counted per check below the list. "
                "findings.csv and findings.xlsx hold every row.</p>")
        f = f[~quiet].head(limit)
    rows = "".join(
        # compact rows (classes, not badges): a big account must stay a readable size
        f"<tr><td class='sev-{esc(r.severity)}'>{esc(r.severity)}</td>"
        f"<td class='st-{'MUTED' if r.muted else esc(r.status)}'>{esc(STATUS_LABELS.get('MUTED' if r.muted else r.status))}</td>"
        f"<td>{esc(r.check_id)}</td>"
        f"<td>{esc(r.region)}</td><td>{esc(r.resource_id)}</td><td>{esc(str(r.detail)[:DETAIL_CHARS])}</td></tr>"
        for r in f.itertuples())
    out = (note + "<table class='srm-findings srm-all'><thead><tr><th>severity</th><th>status</th>"
           "<th>check</th><th>region</th><th>resource</th><th>detail</th></tr></thead>"
           f"<tbody>{rows}</tbody></table>")
    if note:
        out += "<h4>Passed or not applicable, per check</h4>" + _table(summary_rows)
    return Html(out)


def muted(a: Assessment) -> Html:
    if not a.mutes:
        return Html("<p class='srm-dim'>No mute file was given.</p>")
    table = mutes_frame(a.mutes, a.findings)
    m = a.findings[a.findings["muted"]]
    out = "<h4>Mute file</h4>" + _table(table)
    if len(m):
        out += ("<h4>Muted findings (excluded from scores)</h4>"
                + _table(_sorted(m)[["severity", "status", "check_id", "region", "resource_id", "mute_reason"]]))
    return Html(out)


def coverage(a: Assessment) -> Html:
    calls = a.snapshot.calls
    bad = calls[calls["status"] != "ok"]
    m = a.snapshot.manifest
    notes = "".join(f"<li>{esc(n)}</li>" for n in m.get("notes", []))
    by_status = bad["status"].value_counts()
    parts = ", ".join(f"{n} {esc(s).replace('_', ' ')}" for s, n in by_status.items())
    o = a.overall
    head = (f"<p>{len(calls)} API calls, {len(bad)} did not succeed{(': ' + parts) if parts else ''}. "
            f"Coverage {_fmt_score(o['coverage'])}%: {o['errors']} finding(s) could not be evaluated.</p>"
            + (f"<ul>{notes}</ul>" if notes else ""))
    out = head
    if not bad.empty:
        table = (bad.groupby(["service", "operation", "status", "error_code"]).size()
                 .rename("calls").reset_index().sort_values(["status", "service", "operation"]))
        out += "<h4>Denied, failed and not-subscribed calls</h4>" + _table(table)
    gaps = a.snapshot.gaps
    if not gaps.empty:
        g = (gaps.groupby(["table", "status", "error_code"]).agg(regions=("region", "nunique"),
                                                                  resources=("resource_id", "size"))
             .reset_index())
        out += "<h4>Data missing from the snapshot</h4>" + _table(g)
    return Html(out)


def methodology() -> Html:
    from . import scoring

    weights = ", ".join(f"{k} {v}" for k, v in SEVERITY_WEIGHTS.items())
    return Html(f"<pre class='srm-method'>{esc(scoring.__doc__.strip())}</pre>"
                f"<p>Severity weights: {esc(weights)}.</p>"
                "<p>The responsibility matrix lists, for each AWS service the account uses (it has "
                "resources of that service, or the service is an account foundation such as IAM or "
                "CloudTrail), what AWS secures and what the customer secures. Each customer item is "
                "measured by the checks linked to it: <em>Gap</em> when one fails, <em>Not evaluated</em> "
                "when data was missing and nothing failed, <em>Met</em> when everything evaluated passed, "
                "<em>Review manually</em> when no automated check measures it. Muted findings do not "
                "decide an item's status and are excluded from every score.</p>")


def catalog_appendix() -> Html:
    df = catalog_frame()
    cols = ["check_id", "severity", "domain", "service", "cis_ids", "fsbp_ids", "title"]
    return Html(f"<p>Check catalog version {esc(CATALOG_VERSION)}: {len(df)} checks.</p>"
                + _table(df[cols].sort_values(["domain", "check_id"])))


def integrity(a: Assessment) -> str:
    """Invariants the report relies on, as one line. A broken invariant is our bug, and a report
    showing it must not be handed over: it raises, which fails the notebook (and nbval)."""
    from .vocabulary import STATUSES

    f = a.findings
    problems = []
    unknown = sorted(set(f["status"]) - set(STATUSES))
    if unknown:
        problems.append(f"unknown status {unknown}")
    if f["finding_uid"].duplicated().any():
        problems.append("duplicate finding uids")
    if not set(f["domain"]) <= set(DOMAINS):
        problems.append(f"unknown areas {sorted(set(f['domain']) - set(DOMAINS))}")
    scores = pd.concat([a.scores("domain")["score"], a.scores("service")["score"],
                        pd.Series([a.overall["score"]])]).dropna()
    if not scores.between(0, 100).all():
        problems.append("a score outside 0-100")
    if (f["muted"] & (f["mute_reason"] == "")).any():
        problems.append("a muted finding without a reason")
    if problems:
        raise ReportError("report integrity check failed: " + "; ".join(problems))
    return ("Integrity: every finding has a known status, a unique uid and a known area; "
            "every score is within 0-100; every muted finding has a reason.")
