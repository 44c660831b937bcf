"""srm-workbook installed like any tool: a wheel built from this tree, installed with its
dependencies into a fresh venv outside the checkout, and run from an unrelated folder
(conftest's `installed_tool`, whose demo run is the session's `demo_run`)."""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT

pytestmark = pytest.mark.e2e


def test_the_wheel_carries_the_notebooks_and_templates_and_no_tests(installed_tool):
    wheel = installed_tool["wheel"]
    names = zipfile.ZipFile(wheel).namelist()
    assert "srm_nb/notebooks/assessment.ipynb" in names and "srm_nb/notebooks/explore.ipynb" in names
    assert "srm_nb/templates/srm/index.html.j2" in names and "srm_nb/templates/srm/conf.json" in names
    assert {n for n in names if n.startswith("srm_nb/templates/sections/")} == {
        f"srm_nb/templates/sections/{p.name}" for p in (ROOT / "templates" / "sections").iterdir()}
    assert "srm_nb/data/srm_matrix.yaml" in names and "srm_nb/checks/frameworks/cis_aws_7.0.yaml" in names
    assert not any(n.startswith(("tests/", "notebooks/", "templates/")) for n in names)
    meta = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "Provides-Extra: demo" in meta and "moto" in meta.split("Provides-Extra: demo")[1]


def test_the_installed_tool_runs_from_any_folder(installed_tool):
    venv = Path(installed_tool["venv"])
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import srm_nb; print(srm_nb.__file__)"],
                           cwd=installed_tool["elsewhere"], capture_output=True, text=True,
                           env={"PATH": os.environ["PATH"]})
    assert where.stdout.startswith(str(venv)), where.stdout + where.stderr  # not the checkout's copy
    from srm_nb import __version__
    from srm_nb.checks import load_catalog

    # Run before the demo extra was installed: the wheel's own dependencies did all this.
    ran = {name: subprocess.CompletedProcess(**r) for name, r in installed_tool["without_extra"].items()}
    assert ran["version"].returncode == 0 and __version__ in ran["version"].stdout
    assert ran["checks"].returncode == 0, ran["checks"].stderr
    assert len(json.loads(ran["checks"].stdout)) == len(load_catalog())
    assert ran["policy"].returncode == 0 and json.loads(ran["policy"].stdout)["Statement"][0]["Effect"] == "Allow"
    assert ran["assess"].returncode == 0, ran["assess"].stderr
    report = Path(ran["assess"].stdout.splitlines()[0].removeprefix("Report: "))
    html = report.read_text()
    for section in ("Executive summary", "Shared Responsibility matrix", "Responsibility areas",
                    "Remediation plan", "Collection coverage", "/100 overall posture score"):
        assert section in html, section
    assert (report.parent / "findings.csv").is_file() and (report.parent / "scores.json").is_file()
    rows = ran["sql"]  # DuckDB came with the wheel's dependencies
    assert rows.returncode == 0, rows.stderr
    assert json.loads(rows.stdout) == [{"n": len(pd.read_csv(report.parent / "findings.csv"))}]


def test_the_demo_needs_its_extra_and_runs_once_installed(installed_tool, demo_run):
    bare = installed_tool["without_extra"]["demo"]  # tried before the extra was installed
    assert bare["returncode"] == 2 and "srm-workbook[demo]" in bare["stderr"], bare
    assert "Traceback" not in bare["stderr"]
    folder, proc = demo_run  # then the session's demo run, by this installed tool
    assert proc.args[0] == str(Path(installed_tool["venv"]) / "bin" / "srm")
    assert "Northwind Analytics" in (folder / "report.html").read_text()
