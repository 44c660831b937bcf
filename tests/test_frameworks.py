"""The CIS benchmark data files and their mapping to checks.

`test_every_automated_control_is_covered` is the strict rule of the issue ("every automated
control is implemented, or listed as manual with the reason"): it lists what is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from srm_nb.checks import benchmarks
from srm_nb.checks import catalog as cat
from srm_nb.checks.docs import REGENERATE, controls_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_both_benchmark_versions_load_newest_first():
    fws = cat.load_frameworks()
    assert list(fws)[:2] == ["cis-7.0", "cis-5.0"]
    assert len(fws["cis-7.0"].controls) == 70
    assert len(fws["cis-5.0"].controls) == 63
    for fw in fws.values():
        ids = [c.id for c in fw.controls]
        assert len(ids) == len(set(ids))
        assert all(c.assessment in ("automated", "manual") and c.level in (1, 2) for c in fw.controls)


def test_known_controls_are_where_the_benchmarks_put_them():
    v7 = {c.id: c for c in cat.load_frameworks()["cis-7.0"].controls}
    v5 = {c.id: c for c in cat.load_frameworks()["cis-5.0"].controls}
    # v7.0 moved IAM to section 2 and added the AWS Organizations group 2.1.x.
    assert "root" in v7["2.5"].title.lower() and "mfa" in v7["2.5"].title.lower()
    assert "root" in v5["1.4"].title.lower() and "mfa" in v5["1.4"].title.lower()
    assert v7["2.1.1"].section.endswith("AWS Organizations")
    assert "http" in v5["2.1.1"].title.lower() and "http" in v7["3.1.1"].title.lower()  # storage: 2 -> 3
    assert "imdsv2" in v7["6.7"].title.lower() and "imdsv2" in v5["5.7"].title.lower()
    assert "security hub" in v7["5.16"].title.lower() and "security hub" in v5["4.16"].title.lower()
    assert v5["1.10"].assessment == "manual" and v5["1.12"].assessment == "automated"
    assert v7["4.1"].assessment == "manual" and v7["4.2"].assessment == "automated"


def test_every_mapped_check_exists():
    unknown = cat.framework_problems()["unknown_checks"]
    assert not unknown, "framework files name checks that do not exist:\n" + "\n".join(unknown)


def test_every_automated_control_is_covered():
    uncovered = cat.framework_problems()["uncovered_automated"]
    if uncovered:
        pytest.fail(f"{len(uncovered)} automated CIS control(s) have no check and no manual_reason:\n  "
                    + "\n  ".join(uncovered))


def test_control_coverage_table():
    df = cat.controls_frame()
    assert set(df["framework"]) == {"cis-7.0", "cis-5.0"}
    assert set(df["coverage"]) <= {"check", "manual", "uncovered"}
    manual = df[df["coverage"] == "manual"]
    assert (manual["manual_reason"].str.len() > 20).all()


def write(tmp_path, body: str) -> Path:
    f = tmp_path / "cis_aws_9.0.yaml"
    f.write_text(body)
    return f


def test_malformed_framework_files_are_rejected(tmp_path):
    f = write(tmp_path, """
framework: cis
version: 9.0
title: Test
controls:
  - {id: "1.1", title: A, level: 1, assessment: automated, checks: []}
  - {id: "1.1", title: B, level: 3, assessment: sometimes, checks: [x]}
  - {id: "1.2", title: C, level: 1, assessment: manual, checks: []}
  - {id: "1.3", title: D, level: 1, assessment: manual, checks: [], colour: red}
  - {id: one, title: E}
""")
    fw, problems = benchmarks._load_framework(f)
    text = "\n".join(problems)
    assert "control 1.1: listed twice" in text
    assert "level must be 1 or 2" in text
    assert "assessment must be 'automated' or 'manual'" in text
    assert "checks must be a list of check ids" in text
    assert "control 1.2: a manual control that no check covers needs manual_reason" in text
    assert "unknown field(s) ['colour']" in text
    assert "id must look like '2.1.4'" in text


def test_framework_version_must_be_quoted_text(tmp_path):
    f = write(tmp_path, "framework: cis\nversion: 9\ntitle: T\ncontrols:\n"
                        "  - {id: '1.1', title: A, level: 1, assessment: automated, checks: []}\n")
    _, problems = benchmarks._load_framework(f)
    assert any("version must look like '7.0'" in p for p in problems)


def test_sections_name_the_most_specific_heading():
    assert benchmarks._section({"3": "Storage", "3.1": "S3"}, "3.1.4") == "Storage / S3"
    assert benchmarks._section({"3": "Storage"}, "3.2") == "Storage"


def test_controls_doc_is_up_to_date():
    committed = (ROOT / "docs" / "controls.md").read_text()
    assert committed == controls_markdown(), f"docs/controls.md is stale: run `{REGENERATE}`"


def test_controls_doc_has_an_fsbp_section_with_severities_and_deviations():
    from srm_nb.checks.fsbp import fsbp_severities

    doc = controls_markdown()
    fsbp = doc.split("## AWS Foundational Security Best Practices (FSBP)")[1]
    mapped = {f for c in cat.load_catalog().values() for f in c.fsbp_ids}
    for control in mapped:
        assert f"| {control} | {fsbp_severities()[control]} |" in fsbp, control
    acm1 = next(line for line in fsbp.splitlines() if line.startswith("| ACM.1 |"))
    assert "`acm_certificate_not_expired` is high: An expired certificate" in acm1
    assert "### IAM" in fsbp and "### S3" in fsbp
