"""The portfolio model and its sections on the committed fixture fleet (no kernel, no AWS)."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import ROOT
from srm_nb import portfolio_sections as s
from srm_nb.portfolio import Portfolio, build_portfolio

FIXTURE = ROOT / "tests" / "fixtures" / "fleet"


@pytest.fixture(scope="module")
def p():
    return build_portfolio(FIXTURE, label="Q4 review", previous=FIXTURE / "earlier")


def test_cover_counts_accounts_by_status_and_scores_the_fleet_as_the_mean_of_its_accounts(p):
    c = p.cover
    assert (c["accounts"], c["assessed"], c["failed"], c["skipped"]) == (5, 3, 1, 1)
    assert c["organization_id"] == "o-fixture0001" and c["label"] == "Q4 review"
    assert c["score"] == pytest.approx(p.accounts["score"].mean())
    assert set(p.areas["area"]) <= set(__import__("srm_nb.vocabulary").vocabulary.DOMAINS.values())


def test_accounts_are_ranked_worst_first_with_relative_report_links(p):
    a = p.accounts
    assert list(a["score"]) == sorted(a["score"]) and list(a["rank"]) == [1, 2, 3]
    assert a.iloc[0]["account_id"] == "222222222222"  # the worse variant
    assert all(not link.startswith("/") for link in a["report"])


def test_systemic_gaps_count_the_accounts_a_check_fails_in(p):
    top = p.systemic.iloc[0]
    findings = pd.read_parquet(FIXTURE / "fleet_findings.parquet")
    failing = findings[(findings["check_id"] == top["check_id"]) & (findings["status"] == "FAIL")]
    assert top["accounts_failing"] == failing["account_id"].nunique()
    assert list(p.systemic["accounts_failing"]) == sorted(p.systemic["accounts_failing"], reverse=True)


def test_common_mistakes_cis_severe_not_assessed_and_trend(p):
    assert set(p.mistakes["mistake"]) == {"Public S3 buckets", "No MFA", "No backups", "CloudTrail or Config off"}
    assert (p.mistakes[["found", "unknown", "not_found", "not_measured"]].sum(axis=1) == 3).all()
    cis = p.cis.set_index("account_id")
    assert cis.loc["222222222222", "pass_rate"] < cis.loc["333333333333", "pass_rate"]
    assert (cis["passed"] + cis["failed"] + cis["unknown"] == cis["controls"]).all()
    assert set(p.severe["severity"]) <= {"critical", "high"} and len(p.severe) <= 50
    assert dict(zip(p.not_assessed["account_id"], p.not_assessed["status"])) == {
        "444444444444": "failed", "555555555555": "skipped"}
    t = p.trend.set_index("account_id")
    assert t.loc["111111111111", "delta"] == pytest.approx(-5)


def test_saved_portfolio_renders_as_computed(p, tmp_path):
    p.save(tmp_path)
    loaded = Portfolio.load(tmp_path)
    for section in ("title_page", "accounts", "systemic", "mistakes", "cis", "severe", "not_assessed", "trend"):
        assert getattr(s, section)(loaded) == getattr(s, section)(p), section


def test_account_names_are_escaped_and_charts_carry_account_ids_only(p):
    html = s.not_assessed(p)
    assert "acquired &lt;b&gt;co&lt;/b&gt;" in html and "<b>co</b>" not in html
    fig = s.heatmap(p).fig
    assert set(fig.data[0].y) == set(p.accounts["account_id"])
    assert "Fixture Corp" in s.title_page(p) and "2 account(s)" not in s.title_page(p)
