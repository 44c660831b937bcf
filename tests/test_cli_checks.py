"""`srm checks`, run as a user would: the real CLI in a subprocess."""

from __future__ import annotations

import csv
import io
import json

from conftest import run_srm

from srm_nb.checks.catalog import CATALOG_COLUMNS, load_catalog


def test_table_lists_every_check():
    proc = run_srm("checks")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.splitlines()[0].split() == ["check_id", "severity", "domain", "service", "cis_ids",
                                           "fsbp_ids", "title"]
    catalog = load_catalog()
    for cid in catalog:
        assert cid in out
    assert out.rstrip().endswith(f"{len(catalog)} checks")


def test_csv_has_a_header_and_one_row_per_check():
    proc = run_srm("checks", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.reader(io.StringIO(proc.stdout)))
    assert rows[0] == list(CATALOG_COLUMNS)
    body = [dict(zip(rows[0], r)) for r in rows[1:]]
    assert sorted(r["check_id"] for r in body) == sorted(load_catalog())
    root = next(r for r in body if r["check_id"] == "iam_root_mfa_enabled")
    assert "7.0:2.5" in root["cis_ids"].split() and "5.0:1.4" in root["cis_ids"].split()
    assert "IAM.9" in root["fsbp_ids"].split()


def test_filters_combine():
    proc = run_srm("checks", "--format", "csv", "--service", "iam", "--severity", "critical")
    assert proc.returncode == 0, proc.stderr
    body = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert body and {r["service"] for r in body} == {"iam"} and {r["severity"] for r in body} == {"critical"}
    proc = run_srm("checks", "--format", "csv", "--area", "logging")
    assert {r["domain"] for r in csv.DictReader(io.StringIO(proc.stdout))} == {"logging"}


def test_framework_filter_by_version():
    v5 = list(csv.DictReader(io.StringIO(run_srm("checks", "--format", "csv", "--framework", "cis-5.0").stdout)))
    assert v5 and all(any(x.startswith("5.0:") for x in r["cis_ids"].split()) for r in v5)
    table = run_srm("checks", "--framework", "cis-7.0").stdout
    header, _, *lines = table.splitlines()
    rows = [ln for ln in lines if ln.strip() and not ln.endswith("checks") and not ln.endswith("check")]
    assert rows and "5.0:" not in "\n".join(rows)  # only the asked-for version's ids are shown
    fsbp = json.loads(run_srm("checks", "--format", "json", "--framework", "fsbp").stdout)
    assert fsbp and all(r["fsbp_ids"] for r in fsbp)


def test_bad_filter_value_is_a_usage_error():
    proc = run_srm("checks", "--framework", "pci")
    assert proc.returncode == 2
    assert "unknown framework 'pci'" in proc.stderr and "cis-7.0" in proc.stderr
    proc = run_srm("checks", "--domain", "networking")
    assert proc.returncode == 2 and "identity_access" in proc.stderr


def test_listing_the_catalog_imports_neither_pandas_nor_the_checks():
    """What keeps `srm checks` quick: the metadata alone, without pandas or the check modules."""
    import subprocess
    import sys

    code = ("import sys; from srm_nb.cli import main; main(['checks', '--format', 'csv']); "
            "sys.stderr.write(' '.join(m for m in ('pandas', 'srm_nb.checks.iam', 'boto3') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.startswith("check_id,"), proc.stderr
    assert proc.stderr == ""
