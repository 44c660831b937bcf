"""FSBP coverage data (srm_nb/data/fsbp_not_covered.yaml): validated at load, consistent with the
catalog, and counted per service in docs/controls.md."""

from __future__ import annotations

import pytest

from srm_nb.checks.catalog import load_catalog
from srm_nb.checks.docs import controls_markdown
from srm_nb.checks.fsbp import (
    CONTROL_ID,
    REASONS,
    FsbpGaps,
    Gap,
    coverage,
    fsbp_gap_problems,
    load_fsbp_gaps,
)
from srm_nb.errors import CatalogError


def test_gap_file_agrees_with_the_catalog():
    """No listed control is mapped by a check, every 'outside FSBP' control is."""
    assert fsbp_gap_problems(load_catalog()) == []


def test_every_listed_id_is_a_security_hub_id_with_a_known_reason():
    gaps = load_fsbp_gaps()
    assert gaps.not_covered and gaps.outside
    assert all(CONTROL_ID.match(c) for c in [*gaps.not_covered, *gaps.outside])
    assert {g.reason for g in gaps.not_covered.values()} <= set(REASONS)
    assert all(g.title and g.detail for g in gaps.not_covered.values())


def test_disagreements_are_named():
    catalog = load_catalog()
    gaps = FsbpGaps(not_covered={"IAM.1": Gap("IAM.1", "t", "not_collected", "d")}, outside={"Widgets.7": "CIS"})
    problems = fsbp_gap_problems(catalog, gaps)
    assert any(p.startswith("IAM.1 is listed as not covered, but iam_policy_no_full_admin") for p in problems)
    assert any(p.startswith("Widgets.7 is listed as outside FSBP, but no check maps it") for p in problems)


@pytest.mark.parametrize("text, says", [
    ("not_covered:\n  IAM-1: {title: t, reason: not_collected, detail: d}\n", "'IAM-1' must look like 'Service.N'"),
    ("not_covered:\n  EC2.99: {title: t, reason: forgotten, detail: d}\n", "reason 'forgotten' is not one of"),
    ("not_covered:\n  EC2.99: {title: t, reason: not_collected}\n", "EC2.99: missing detail"),
    ("not_covered:\n  EC2.99: {title: t, reason: retired, detail: d, why: x}\n", "unknown field 'why'"),
    ("outside_fsbp: {EC2.99: CIS}\nnot_covered:\n  EC2.99: {title: t, reason: retired, detail: d}\n",
     "EC2.99 is both outside FSBP and an FSBP control not covered"),
    ("outside_fsbp: {EC2.98: ''}\n", "EC2.98: name the standards"),
    ("covered: {}\n", "unknown key 'covered'"),
    ("not_covered:\n  EC2.99: {title: t, reason: retired, detail: d}\n  EC2.99: {title: t, reason: retired, detail: d}\n",
     "'EC2.99' appears twice"),
])
def test_malformed_gap_files_are_rejected(tmp_path, text, says):
    path = tmp_path / "gaps.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError, match=says):
        load_fsbp_gaps(path)


def test_coverage_counts_fsbp_controls_only_and_leaves_retired_ones_out():
    by_service = {s.service: s for s in coverage(load_catalog())}
    kms = by_service["KMS"]
    assert "KMS.4" in kms.outside and "KMS.4" not in kms.covered  # CIS/NIST/PCI, not FSBP
    assert {"KMS.1", "KMS.2", "KMS.3", "KMS.5"} <= set(kms.covered)
    ecs = by_service["ECS"]
    assert [g.id for g in ecs.retired] == ["ECS.1"] and ecs.total == len(ecs.covered) + len(ecs.missing)
    backup = by_service["Backup"]  # a service with FSBP controls and none covered still shows
    assert backup.covered == () and [g.id for g in backup.missing] == ["Backup.1"]


def test_controls_doc_gives_fsbp_coverage_by_service_with_reasons():
    doc = controls_markdown().split("## AWS Foundational Security Best Practices (FSBP)")[1]
    services = coverage(load_catalog())
    covered, total = sum(len(s.covered) for s in services), sum(s.total for s in services)
    assert f"**{covered} of {total} FSBP controls covered by a check**" in doc
    for s in services:
        assert f"| {s.service} | {s.total} | {len(s.covered)} | {len(s.missing)} | {len(s.outside)} |" in doc
    assert "| Backup.1 | Backup recovery points are encrypted at rest | Not collected yet: " in doc
    assert "| ECS.1 | " in doc and "Retired by Security Hub: " in doc
    ec2_13 = next(line for line in doc.splitlines() if line.startswith("| EC2.13 |"))
    assert ec2_13.endswith("| not FSBP: CIS 1.2, NIST SP 800-53, PCI DSS |")
