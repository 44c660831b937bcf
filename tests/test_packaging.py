"""The two ways to install must agree: pyproject.toml (pip) and environment.yml (conda)."""

from __future__ import annotations

import json
import re
import tomllib

import pytest
import yaml

from conftest import ROOT


def _name(req: str) -> str:
    return re.split(r"[\s<>=!~\[;]", req.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        wanted |= {_name(r) for r in extra}
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


@pytest.mark.parametrize("notebook", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_are_committed_without_outputs_and_keep_their_parameters_tag(notebook, tmp_path):
    import shutil

    from strip_notebooks import strip

    copy = tmp_path / notebook.name
    shutil.copy(notebook, copy)
    assert not strip(copy), f"{notebook.name} holds outputs or run metadata: run `make strip`"
    nb = json.loads(notebook.read_text())
    assert sum("parameters" in c.get("metadata", {}).get("tags", []) for c in nb["cells"]) == 1
