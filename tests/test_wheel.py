"""srm-workbook installed like any tool: a wheel built from this tree, installed with its
dependencies into a fresh venv outside the checkout, and run from an unrelated folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import FIXTURE_SNAPSHOT, ROOT, cli_env

pytestmark = pytest.mark.e2e


def _pip(venv: Path, *args: str) -> None:
    # This venv's pip installs into the fresh one (`--python`), so the fresh venv needs no pip.
    # --no-compile: byte-compiling every file of every dependency took most of the install; the
    # few modules the tests import compile as they load.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                    "--quiet", "--no-compile", *args], check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"),
                    str(ROOT)], check=True, capture_output=True, text=True)
    wheel = next((work / "dist").glob("srm_workbook-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], check=True)
    _pip(work / "venv", str(wheel))
    elsewhere = work / "elsewhere"  # not the checkout: nothing can be found beside the sources
    elsewhere.mkdir()
    return work / "venv", wheel, elsewhere


def srm(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in cli_env().items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(venv / "bin" / "srm"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def test_the_wheel_carries_the_notebooks_and_templates_and_no_tests(installed):
    _, wheel, _ = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert "srm_nb/notebooks/assessment.ipynb" in names and "srm_nb/notebooks/explore.ipynb" in names
    assert "srm_nb/templates/srm/index.html.j2" in names and "srm_nb/templates/srm/conf.json" in names
    assert {n for n in names if n.startswith("srm_nb/templates/sections/")} == {
        f"srm_nb/templates/sections/{p.name}" for p in (ROOT / "templates" / "sections").iterdir()}
    assert "srm_nb/data/srm_matrix.yaml" in names and "srm_nb/checks/frameworks/cis_aws_7.0.yaml" in names
    assert not any(n.startswith(("tests/", "notebooks/", "templates/")) for n in names)
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Provides-Extra: demo" in meta and "moto" in meta.split("Provides-Extra: demo")[1]


def test_the_installed_tool_runs_from_any_folder(installed, tmp_path):
    venv, _, elsewhere = installed
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import srm_nb; print(srm_nb.__file__)"],
                           cwd=elsewhere, capture_output=True, text=True, env={"PATH": os.environ["PATH"]})
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr  # not the checkout's copy
    from srm_nb import __version__

    version = srm(venv, elsewhere, "--version")
    assert version.returncode == 0 and __version__ in version.stdout
    checks = srm(venv, elsewhere, "checks", "--format", "json")
    assert checks.returncode == 0, checks.stderr
    from srm_nb.checks import load_catalog

    assert len(json.loads(checks.stdout)) == len(load_catalog())
    policy = srm(venv, elsewhere, "policy")
    assert policy.returncode == 0 and json.loads(policy.stdout)["Statement"][0]["Effect"] == "Allow"

    proc = srm(venv, elsewhere, "assess", "--snapshot", str(FIXTURE_SNAPSHOT), "--output", str(tmp_path),
               "--no-pdf", "--quiet")
    assert proc.returncode == 0, proc.stderr
    report = Path(proc.stdout.splitlines()[0].removeprefix("Report: "))
    html = report.read_text()
    for section in ("Executive summary", "Shared Responsibility matrix", "Responsibility areas",
                    "Remediation plan", "Collection coverage", "/100 overall posture score"):
        assert section in html, section
    assert (report.parent / "findings.csv").is_file() and (report.parent / "scores.json").is_file()
    rows = srm(venv, elsewhere, "sql", "SELECT count(*) AS n FROM findings", "--outputs", str(tmp_path),
               "--format", "json")  # DuckDB came with the wheel's dependencies
    assert rows.returncode == 0, rows.stderr
    assert json.loads(rows.stdout) == [{"n": len(pd.read_csv(report.parent / "findings.csv"))}]


def test_the_demo_needs_its_extra_and_runs_once_installed(installed, tmp_path):
    venv, wheel, elsewhere = installed
    proc = srm(venv, elsewhere, "demo", "--no-pdf", "--output", str(tmp_path))
    assert proc.returncode == 2 and "srm-workbook[demo]" in proc.stderr and "Traceback" not in proc.stderr
    _pip(venv, f"{wheel}[demo]")
    proc = srm(venv, elsewhere, "demo", "--no-pdf", "--quiet", "--output", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    report = Path(proc.stdout.splitlines()[0].removeprefix("Report: "))
    assert report.is_file() and "Northwind Analytics" in report.read_text()
