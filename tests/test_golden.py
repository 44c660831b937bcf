"""No result changes unnoticed: the fixture snapshot's findings, exactly as
tests/fixtures/golden/fixture.csv holds them (the demo's: tests/test_e2e_demo.py)."""

from __future__ import annotations

import golden


def test_fixture_snapshot_findings_match_the_golden_file():
    golden.assert_same(golden.fixture_rows(), "fixture")


def test_a_changed_finding_is_named():
    import pandas as pd
    import pytest

    want = golden.read("fixture")
    got = want.copy()
    got.loc[0, "status"] = "PASS" if got.loc[0, "status"] != "PASS" else "FAIL"
    with pytest.raises(AssertionError, match=got.loc[0, "check_id"]) as info:
        golden.assert_same(pd.concat([got, got.head(1)]).reset_index(drop=True), "fixture")
    assert "tests/golden.py" in str(info.value)
