"""Plotly figures of the gaps. Each takes tables, returns a Figure; no I/O.

Only labels the tool controls (areas, severities, services, regions) go into the charts, never
resource names or tags: those are attacker-controlled and belong in escaped HTML tables.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from .vocabulary import DOMAINS, SEVERITIES

COLORS = {"PASS": "#2e7d32", "FAIL": "#c62828", "ERROR": "#ef6c00", "MUTED": "#9e9e9e"}
FONT = dict(family="-apple-system, Segoe UI, Roboto, Helvetica, Arial, sans-serif", size=12)
# Red -> amber -> green over 0..100, the same thresholds as score_color.
SCORE_SCALE = [[0.0, "#c62828"], [0.5, "#f9a825"], [0.8, "#9ccc65"], [1.0, "#2e7d32"]]


def score_color(score: float) -> str:
    if pd.isna(score):
        return "#9e9e9e"
    return "#c62828" if score < 50 else "#f9a825" if score < 80 else "#2e7d32"


# The tallest a chart may be and still print on one page under a section heading (A4 or Letter,
# at 96 dpi): charts are never split across pages, so a taller one leaves a page nearly empty.
PRINT_MAX_HEIGHT = 860


def _rows_height(base: int, per_row: int, rows: int) -> int:
    """A chart's height for `rows` rows: `per_row` pixels each, less when that would not print
    on one page (the rows get thinner, the chart stays whole)."""
    rows = max(rows, 1)
    return base + min(per_row, (PRINT_MAX_HEIGHT - base) // rows) * rows


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title=title, height=height, margin=dict(l=10, r=10, t=50, b=40),
                      template="plotly_white", font=FONT)
    return fig


def score_by_area(scores: pd.DataFrame) -> go.Figure:
    """Horizontal bars: score per responsibility area, coverage in the hover text."""
    s = scores.iloc[::-1]
    fig = go.Figure(go.Bar(
        x=s["score"].fillna(0), y=s["area"], orientation="h",
        marker_color=[score_color(v) for v in s["score"]],
        text=[("n/a" if pd.isna(v) else f"{v:.0f}") for v in s["score"]], textposition="auto",
        customdata=s[["coverage", "passed", "failed", "errors"]].to_numpy(),
        hovertemplate="%{y}<br>score %{x:.0f}/100<br>coverage %{customdata[0]:.0f}%"
                      "<br>%{customdata[1]} pass, %{customdata[2]} fail, %{customdata[3]} error<extra></extra>",
    ))
    fig.update_xaxes(range=[0, 100], title="score (0-100)")
    return _layout(fig, "Score by responsibility area", 80 + 38 * max(len(s), 1))


def severity_area_heatmap(findings: pd.DataFrame) -> go.Figure:
    """Failed findings counted by severity (rows) and responsibility area (columns)."""
    f = findings[findings["status"] == "FAIL"]
    areas = [d for d in DOMAINS if d in set(findings["domain"])]
    counts = (f.groupby(["severity", "domain"]).size().unstack(fill_value=0)
              .reindex(index=list(SEVERITIES), columns=areas, fill_value=0))
    fig = go.Figure(go.Heatmap(
        z=counts.to_numpy(), x=[DOMAINS[d] for d in areas], y=list(SEVERITIES),
        colorscale=[[0, "#ffffff"], [0.001, "#ffebee"], [1, "#b71c1c"]], showscale=False,
        text=counts.to_numpy(), texttemplate="%{text}", xgap=2, ygap=2,
        hovertemplate="%{y} / %{x}: %{z} failed<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Failed findings by severity and area", 330)


def _score_heatmap(frame: pd.DataFrame, row: str, rows: list[str], *, ygap: int, hover: str) -> go.Figure:
    """Score per `row` value (in `rows` order) and area, coverage in the hover text; `frame`
    holds `row`, domain, score and coverage."""
    areas = [d for d in DOMAINS if d in set(frame["domain"])]

    def grid(values: str) -> pd.DataFrame:
        return (frame.pivot_table(index=row, columns="domain", values=values, aggfunc="first")
                .reindex(index=rows, columns=areas))

    z = grid("score")
    text = z.map(lambda v: "" if pd.isna(v) else f"{v:.0f}")
    return go.Figure(go.Heatmap(
        z=z.to_numpy(), x=[DOMAINS[d] for d in areas], y=rows, zmin=0, zmax=100,
        colorscale=SCORE_SCALE, text=text.to_numpy(), texttemplate="%{text}",
        customdata=grid("coverage").to_numpy(), xgap=2, ygap=ygap, colorbar=dict(title="score"),
        hovertemplate=hover + "<br>score %{z:.0f}, coverage %{customdata:.0f}%<extra></extra>",
    ))


def service_area_heatmap(scores: pd.DataFrame) -> go.Figure:
    """Score per service (rows) and area (columns); `scores` is score_by(['service', 'domain'])."""
    services = sorted(set(scores["service"]))
    fig = _score_heatmap(scores, "service", services, ygap=2, hover="%{y} / %{x}")
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, "Score by service and area (blank: no checks)", _rows_height(120, 30, len(services)))


def findings_by_region(findings: pd.DataFrame, scores: pd.DataFrame | None = None) -> go.Figure:
    """Stacked bars of PASS / FAIL / ERROR / muted per region; with `scores` (score_by region),
    each region's score and coverage above its bar."""
    f = findings[findings["status"].isin(("PASS", "FAIL", "ERROR"))].copy()
    if "muted" in f.columns:
        f.loc[f["muted"].astype(bool), "status"] = "MUTED"
    counts = f.groupby(["region", "status"]).size().unstack(fill_value=0)
    regions = sorted(counts.index, key=lambda r: (r != "global", r))
    fig = go.Figure([
        go.Bar(name=status.title(), x=regions, y=counts.reindex(regions)[status] if status in counts else [0] * len(regions),
               marker_color=color, hovertemplate="%{x}: %{y} " + status.lower() + "<extra></extra>")
        for status, color in COLORS.items()
    ])
    fig.update_layout(barmode="stack", legend=dict(orientation="h", y=-0.2))
    fig.update_yaxes(title="findings")
    if scores is not None and len(regions):
        by = scores.set_index("region")
        totals = counts.reindex(regions).sum(axis=1)
        for region in regions:
            if region in by.index and not pd.isna(by.loc[region, "score"]):
                fig.add_annotation(x=region, y=totals[region], yshift=12, showarrow=False,
                                   text=f"score {by.loc[region, 'score']:.0f} · cov {by.loc[region, 'coverage']:.0f}%")
    return _layout(fig, "Findings by region (score and coverage above each bar)", 380)


def trend(points: pd.DataFrame) -> go.Figure:
    """Overall and per-area score over runs; `points`: when, series, score, coverage."""
    fig = go.Figure()
    for name, g in points.groupby("series", sort=False):
        overall = name == "Overall"
        fig.add_trace(go.Scatter(
            x=g["when"], y=g["score"], name=name, mode="lines+markers",
            line=dict(width=4 if overall else 1.5, color="#263238" if overall else None),
            visible=True if overall else "legendonly", customdata=g["coverage"],
            hovertemplate=f"{name}<br>%{{x}}: %{{y:.0f}}/100, coverage %{{customdata:.0f}}%<extra></extra>",
        ))
    fig.update_yaxes(range=[0, 100], title="score")
    fig.update_xaxes(type="category", title="run")
    return _layout(fig, "Score over time (click an area in the legend to show it)", 380)


def area_status(findings: pd.DataFrame, area_label: str) -> go.Figure:
    """One area: PASS / FAIL / ERROR per check, as horizontal stacked bars."""
    f = findings[findings["status"].isin(("PASS", "FAIL", "ERROR"))]
    counts = f.groupby(["title", "status"]).size().unstack(fill_value=0)
    titles = list(counts.index)[::-1]
    fig = go.Figure([
        go.Bar(name=status.title(), y=titles, x=counts.reindex(titles)[status], orientation="h",
               marker_color=COLORS[status], hovertemplate="%{y}: %{x} " + status.lower() + "<extra></extra>")
        for status in ("PASS", "FAIL", "ERROR") if status in counts
    ])
    height = 110 + 28 * max(len(titles), 1)
    # Legend just under the axis (in pixels, whatever the chart's height).
    fig.update_layout(barmode="stack", legend=dict(orientation="h", x=0, y=-36 / height, yanchor="top"))
    fig.update_yaxes(automargin=True)
    return _layout(fig, f"{area_label}: results per check", height).update_layout(margin=dict(b=70))


DRILLDOWN_LEVELS = ("area", "service", "region", "severity")


def findings_drilldown(findings: pd.DataFrame) -> go.Figure:
    """Failing findings (not muted) by area, then service, region and severity: click a sector to
    drill down, the centre to come back up."""
    f = findings[findings["status"] == "FAIL"]
    if "muted" in f.columns:
        f = f[~f["muted"].astype(bool)]
    f = f.assign(area=f["domain"].map(DOMAINS).fillna(f["domain"]))
    levels = []
    for depth in range(1, len(DRILLDOWN_LEVELS) + 1):
        keys = list(DRILLDOWN_LEVELS[:depth])
        g = f.groupby(keys).size().rename("failed").reset_index()
        path = g[keys].astype(str)
        g["id"] = path.agg(" / ".join, axis=1) if len(g) else pd.Series(dtype=str)
        g["parent"] = path[keys[:-1]].agg(" / ".join, axis=1) if depth > 1 and len(g) else ""
        g["label"] = path[keys[-1]]
        levels.append(g[["id", "parent", "label", "failed"]])
    nodes = pd.concat(levels, ignore_index=True)
    fig = go.Figure(go.Sunburst(
        ids=nodes["id"], parents=nodes["parent"], labels=nodes["label"], values=nodes["failed"],
        branchvalues="total", hovertemplate="%{id}: %{value} failed<extra></extra>",
    ))
    return _layout(fig, "Failed findings by area, service, region and severity (click to drill down)", 560)


# -- the fleet's portfolio (account ids only: account names are the user's text, in tables) ---------

def account_area_heatmap(heatmap: pd.DataFrame, order: list[str]) -> go.Figure:
    """Score per account (rows, in `order`) and area (columns); `heatmap`: account_id, domain,
    score, coverage."""
    fig = _score_heatmap(heatmap, "account_id", order, ygap=1, hover="account %{y} / %{x}")
    fig.update_yaxes(autorange="reversed", type="category", dtick=1)
    return _layout(fig, "Score by account and area (worst accounts first; blank: no checks)",
                   140 + 18 * max(len(order), 1))


def account_scores(accounts: pd.DataFrame) -> go.Figure:
    """One bar per account, its score; coverage in the hover text. `accounts`: the ranking."""
    a = accounts.iloc[::-1]
    fig = go.Figure(go.Bar(
        x=a["score"].fillna(0), y=a["account_id"], orientation="h",
        marker_color=[score_color(v) for v in a["score"]],
        text=[("n/a" if pd.isna(v) else f"{v:.0f}") for v in a["score"]], textposition="auto",
        customdata=a[["coverage"]].to_numpy(),
        hovertemplate="account %{y}<br>score %{x:.0f}/100<br>coverage %{customdata[0]:.0f}%<extra></extra>",
    ))
    fig.update_xaxes(range=[0, 100], title="score (0-100)")
    fig.update_yaxes(type="category", dtick=1)
    return _layout(fig, "Score by account", 100 + 22 * max(len(a), 1))
