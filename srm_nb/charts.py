"""Plotly figures of the gaps. Each takes tables, returns a Figure; no I/O."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

COLORS = {"PASS": "#2e7d32", "FAIL": "#c62828", "ERROR": "#ef6c00"}


def score_color(score: float) -> str:
    if pd.isna(score):
        return "#9e9e9e"
    return "#c62828" if score < 50 else "#f9a825" if score < 80 else "#2e7d32"


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
    fig.update_layout(title="Score by responsibility area", xaxis=dict(range=[0, 100], title="score"),
                      height=80 + 38 * len(s), margin=dict(l=10, r=10, t=50, b=40), template="plotly_white")
    return fig
