"""The mute file: validated, applied by check/resource/uid, expiring, and out of every score."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from srm_nb.errors import UsageError
from srm_nb.mutes import apply_mutes, load_mutes, mutes_frame
from srm_nb.scoring import overall

TODAY = dt.date(2026, 11, 28)


def findings() -> pd.DataFrame:
    return pd.DataFrame({
        "finding_uid": ["u1", "u2", "u3"],
        "check_id": ["s3_bucket_tls_required", "s3_bucket_tls_required", "iam_root_mfa_enabled"],
        "resource_id": ["site", "lake", "123456789012"],
        "severity": ["medium", "medium", "critical"],
        "status": ["FAIL", "PASS", "FAIL"],
    })


def mute_file(tmp_path, text: str):
    p = tmp_path / "mutes.yaml"
    p.write_text(text)
    return p


def test_mutes_by_check_resource_and_uid(tmp_path):
    mutes = load_mutes(mute_file(tmp_path, """
mutes:
  - {check_id: s3_bucket_tls_required, resource_id: site, reason: public website, expires: 2027-01-31}
  - {finding_uid: u3, reason: break-glass account}
"""))
    out = apply_mutes(findings(), mutes, today=TODAY)
    assert out["muted"].tolist() == [True, False, True]
    assert out.loc[0, "mute_reason"] == "public website (until 2027-01-31)"
    assert out.loc[2, "mute_reason"] == "break-glass account"


def test_muted_findings_leave_the_score(tmp_path):
    f = findings()
    assert overall(f)["score"] < 100
    muted = apply_mutes(f, load_mutes(mute_file(tmp_path, """
mutes:
  - {check_id: iam_root_mfa_enabled, reason: r}
  - {check_id: s3_bucket_tls_required, resource_id: site, reason: r}
""")), today=TODAY)
    assert overall(muted)["score"] == 100
    assert overall(muted)["passed"] == 1


def test_expired_mutes_do_not_apply_and_are_listed(tmp_path):
    mutes = load_mutes(mute_file(tmp_path, "mutes:\n  - {check_id: iam_root_mfa_enabled, reason: r, expires: 2026-01-01}\n"))
    out = apply_mutes(findings(), mutes, today=TODAY)
    assert not out["muted"].any()
    table = mutes_frame(mutes, out, today=TODAY)
    assert table.loc[0, "state"] == "expired: not applied"


@pytest.mark.parametrize("text, message", [
    ("- just a list\n", "top-level `mutes:`"),
    ("mutes:\n  - {check_id: iam_root_mfa_enabled}\n", "needs a reason"),
    ("mutes:\n  - {reason: r}\n", "exactly one of check_id or finding_uid"),
    ("mutes:\n  - {check_id: a_b_c, finding_uid: u1, reason: r}\n", "exactly one"),
    ("mutes:\n  - {finding_uid: u1, resource_id: x, reason: r}\n", "resource_id narrows"),
    ("mutes:\n  - {check_id: iam_root_mfa_enabled, reason: r, expires: next week}\n", "expires must be a date"),
    ("mutes:\n  - {check_id: iam_root_mfa_enabled, reason: r, until: 2027-01-01}\n", "unknown field"),
    ("mutes:\n  - {check_id: no_such_check_id, reason: r}\n", "unknown check id"),
    ("mutes: [\n", "not valid YAML"),
])
def test_bad_mute_files_get_a_clear_error(tmp_path, text, message):
    with pytest.raises(UsageError, match=message):
        load_mutes(mute_file(tmp_path, text), known_checks={"iam_root_mfa_enabled", "s3_bucket_tls_required"})


def test_missing_mute_file_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError, match="cannot read the mute file"):
        load_mutes(tmp_path / "nope.yaml")
