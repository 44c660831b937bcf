"""The two ways to install must agree: pyproject.toml (pip) and environment.yml (conda)."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def _name(req: str) -> str:
    return re.split(r"[\s<>=!~\[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    wanted |= {_name(r) for r in project["optional-dependencies"]["test"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip = set(), set()
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip |= {_name(d) for d in dep.get("pip", []) if not d.startswith("-e")}
        else:
            conda.add(_name(dep))
    conda.discard("python")
    conda.discard("pip")
    assert wanted == conda | pip, (
        f"only in pyproject: {sorted(wanted - conda - pip)}; only in environment.yml: {sorted((conda | pip) - wanted)}"
    )


def test_cli_version_and_help():
    from conftest import run_srm

    from srm_nb import __version__

    proc = run_srm("--version")
    assert proc.returncode == 0 and __version__ in proc.stdout
    proc = run_srm("assess", "--help")
    assert proc.returncode == 0 and "examples:" in proc.stdout and "--regions" in proc.stdout
