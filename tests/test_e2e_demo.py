"""The real `srm demo` in a subprocess: seed, collect over HTTP, check, render, and inspect."""

from __future__ import annotations

import csv
import re
import pytest

pytestmark = pytest.mark.e2e

# Known demo resources and the verdict each must get: (check, resource_id) -> status.
EXPECTED = {
    ("iam_root_mfa_enabled", "123456789012"): "FAIL",
    ("iam_user_console_mfa_enabled", "alice.admin"): "PASS",
    ("iam_user_console_mfa_enabled", "bob.analyst"): "FAIL",
    ("iam_password_policy_strong", "123456789012"): "FAIL",
    ("s3_bucket_policy_not_public", "northwind-marketing-site"): "FAIL",
    ("s3_bucket_policy_not_public", "northwind-datalake-prod"): "PASS",
    ("s3_bucket_tls_required", "northwind-datalake-prod"): "PASS",
    ("s3_bucket_tls_required", "northwind-tmp-export-2023"): "FAIL",
    ("s3_bucket_public_access_blocked", "northwind-cloudtrail-logs"): "PASS",
    ("rds_instance_storage_encrypted", "orders-prod"): "PASS",
    ("rds_instance_storage_encrypted", "reporting-legacy"): "FAIL",
    ("rds_instance_not_public", "reporting-legacy"): "FAIL",
    ("rds_instance_backup_retention", "orders-prod"): "PASS",
    ("cloudtrail_trail_multiregion_logging", "123456789012"): "PASS",
    ("cloudtrail_trail_log_validation_enabled", "northwind-audit"): "FAIL",
    ("guardduty_detector_enabled", "us-east-1"): "PASS",
    ("guardduty_detector_enabled", "eu-west-1"): "FAIL",
    ("ec2_ebs_default_encryption_enabled", "us-east-1"): "PASS",
    ("ec2_ebs_default_encryption_enabled", "ap-southeast-2"): "FAIL",
}


def test_run_folder_layout(demo_run):
    folder, _ = demo_run
    assert folder.parent.name == "123456789012"
    assert re.fullmatch(r"\d{8}T\d{6}Z(-\d+)?", folder.name)
    for name in ("report.html", "assessment.ipynb", "findings.csv", "snapshot/manifest.json",
                 "findings.xlsx", "findings.ocsf.json", "scores.json"):
        assert (folder / name).exists(), name
    from srm_nb.render import find_browser

    if find_browser() is not None:  # the PDF needs Chromium; without it the CLI says so
        assert (folder / "report.pdf").read_bytes().startswith(b"%PDF-")


def test_quiet_mode_prints_only_the_report_path(demo_run):
    _, proc = demo_run
    assert proc.stdout.strip().startswith("Report: ")
    assert "collect:" not in proc.stderr  # no progress bar


def test_findings_csv_contract_and_verdicts(demo_run):
    folder, _ = demo_run
    with open(folder / "findings.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    contract = ["check_id", "title", "domain", "service", "severity", "status", "region",
                "resource_id", "resource_arn", "cis_ids", "fsbp_ids", "detail"]
    assert list(rows[0])[: len(contract)] == contract
    got = {(r["check_id"], r["resource_id"]): r["status"] for r in rows}
    wrong = {k: (got.get(k), v) for k, v in EXPECTED.items() if got.get(k) != v}
    assert not wrong, f"(got, expected) per finding: {wrong}"
    assert len({r["domain"] for r in rows}) >= 5


def test_old_access_key_fails_and_recent_passes(demo_run):
    folder, _ = demo_run
    with open(folder / "findings.csv", newline="") as fh:
        keys = {r["resource_id"].split("/")[0]: r["status"] for r in csv.DictReader(fh)
                if r["check_id"] == "iam_access_key_rotated_90_days"}
    assert keys == {"ci-deploy": "FAIL", "data-loader": "PASS", "old.contractor": "FAIL"}


def test_report_html_is_self_contained_and_has_sections(demo_run):
    folder, _ = demo_run
    html = (folder / "report.html").read_text()
    assert 'class="srm-title"' in html and "/100 overall posture score" in html  # the title page
    for section in ("Executive summary", "Shared Responsibility matrix", "Responsibility areas",
                    "Remediation plan", "Appendix"):
        assert f">{section}<" in html, section
    assert html.count("Plotly.newPlot") >= 1
    # plotly.js is embedded exactly once, and nothing is fetched from a CDN.
    assert html.count("plotly.js v") == 1  # the bundle's banner
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=[\"']https?:", html)
    # No code cells leak into the report.
    assert "open_assessment(" not in html
    assert "northwind-marketing-site" in html


def test_demo_findings_match_the_golden_file(demo_findings):
    """No result changes unnoticed: every finding of the demo (moto's ids and the dates masked),
    as tests/fixtures/golden/demo.csv holds it."""
    import golden

    golden.assert_same(golden.demo_rows(demo_findings), "demo")
