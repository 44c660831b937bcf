"""The scoring model on hand-built findings: every rule of the documented model is pinned."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from srm_nb.scoring import SEVERITY_WEIGHTS, overall, score_by


def findings(*rows) -> pd.DataFrame:
    """rows: (check_id, severity, status, domain, region[, muted])"""
    out = []
    for r in rows:
        cid, sev, status, domain, region, *rest = r
        out.append({"check_id": cid, "severity": sev, "status": status, "domain": domain,
                    "region": region, "service": cid.split("_")[0], "muted": bool(rest and rest[0])})
    return pd.DataFrame(out)


def test_error_never_counts_as_a_pass_and_lowers_coverage():
    f = findings(("s3_a_b", "high", "PASS", "x", "r"), ("s3_a_b", "high", "ERROR", "x", "r"))
    o = overall(f)
    assert o["score"] == pytest.approx(50.0)
    assert o["coverage"] == pytest.approx(50.0)
    assert (o["passed"], o["failed"], o["errors"]) == (1, 0, 1)


def test_all_error_scores_zero_with_zero_coverage():
    o = overall(findings(("s3_a_b", "high", "ERROR", "x", "r")))
    assert o["score"] == 0 and o["coverage"] == 0


def test_not_applicable_manual_and_muted_are_left_out():
    f = findings(("s3_a_b", "high", "PASS", "x", "r"), ("s3_c_d", "critical", "NOT_APPLICABLE", "x", "r"),
                 ("s3_e_f", "critical", "MANUAL", "x", "r"), ("s3_g_h", "critical", "FAIL", "x", "r", True))
    o = overall(f)
    assert o["score"] == 100 and o["coverage"] == 100 and o["checks"] == 1


def test_nothing_scorable_is_nan_not_zero_or_hundred():
    o = overall(findings(("s3_a_b", "high", "NOT_APPLICABLE", "x", "r")))
    assert math.isnan(o["score"]) and math.isnan(o["coverage"])
    assert score_by(findings(("s3_a_b", "high", "MANUAL", "x", "r")), "domain").empty


def test_severity_weights_per_check():
    # A failed critical check and a passed low check: 1 * 100 / (10 + 1).
    f = findings(("iam_a_b", "critical", "FAIL", "x", "r"), ("iam_c_d", "low", "PASS", "x", "r"))
    assert overall(f)["score"] == pytest.approx(100 * SEVERITY_WEIGHTS["low"]
                                                / (SEVERITY_WEIGHTS["critical"] + SEVERITY_WEIGHTS["low"]))


def test_many_resources_of_one_check_do_not_drown_the_others():
    # 99 passing buckets and a failing critical account check: the critical failure still weighs
    # its full weight (per-check weighting), instead of 1% of the findings.
    rows = [("s3_a_b", "critical", "PASS", "x", "r")] * 99 + [("iam_root_mfa", "critical", "FAIL", "x", "r")]
    assert overall(findings(*rows))["score"] == pytest.approx(50.0)
    # and one failing bucket out of 100 costs that check 1% of its weight
    rows = [("s3_a_b", "high", "PASS", "x", "r")] * 99 + [("s3_a_b", "high", "FAIL", "x", "r")]
    assert overall(findings(*rows))["score"] == pytest.approx(99.0)


def test_scores_by_area_service_and_region():
    f = findings(("s3_a_b", "high", "PASS", "data", "us-east-1"), ("s3_a_b", "high", "FAIL", "data", "eu-west-1"),
                 ("iam_c_d", "medium", "FAIL", "identity", "global"))
    by_area = score_by(f, "domain").set_index("domain")
    assert by_area.loc["data", "score"] == pytest.approx(50.0)
    assert by_area.loc["identity", "score"] == 0
    by_region = score_by(f, "region").set_index("region")
    assert by_region.loc["us-east-1", "score"] == 100 and by_region.loc["eu-west-1", "score"] == 0
    by_service = score_by(f, "service").set_index("service")
    assert set(by_service.index) == {"s3", "iam"}
    assert by_service.loc["s3", "checks"] == 1
    two = score_by(f, ["service", "domain"])
    assert len(two) == 2 and {"score", "coverage"} <= set(two.columns)


def test_scores_are_within_bounds_for_random_mixes():
    import random

    rnd = random.Random(7)
    statuses = ["PASS", "FAIL", "ERROR", "NOT_APPLICABLE", "MANUAL"]
    rows = [(f"svc_c{rnd.randrange(20)}_x", rnd.choice(list(SEVERITY_WEIGHTS)), rnd.choice(statuses),
             rnd.choice("abc"), rnd.choice(["r1", "r2"]), rnd.random() < 0.1) for _ in range(500)]
    s = score_by(findings(*rows), "domain")
    assert s["score"].between(0, 100).all() and s["coverage"].between(0, 100).all()


def test_coverage_is_the_share_of_checks_evaluated():
    # check A: evaluated on 1 of 2 resources (0.5); check B: fully evaluated (1.0) -> 75%,
    # even though B has many more findings.
    rows = [("s3_a_b", "high", "PASS", "x", "r"), ("s3_a_b", "high", "ERROR", "x", "r")]
    rows += [("iam_c_d", "low", "FAIL", "x", "r")] * 8
    assert overall(findings(*rows))["coverage"] == pytest.approx(75.0)
