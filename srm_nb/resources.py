"""Files a run needs besides code: the report notebooks and the templates.

One source: the top-level `notebooks/` and `templates/` folders of the source tree, which are
also what users open in JupyterLab. A wheel carries them inside the package (pyproject.toml maps
them to `srm_nb/notebooks` and `srm_nb/templates`); a checkout or an editable install finds them
beside the package.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from .errors import ReportError


def resource_dir(name: str) -> Path:
    """`notebooks` or `templates`: inside the installed package, else beside it in the checkout."""
    packaged = Path(str(files(__package__))) / name
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / name
    if checkout.is_dir():
        return checkout
    raise ReportError(f"srm-workbook's {name}/ folder is missing from {packaged.parent}: the "
                      "installation is incomplete; reinstall srm-workbook")


def notebook(name: str) -> Path:
    path = resource_dir("notebooks") / name
    if not path.is_file():
        raise ReportError(f"the notebook {name} is missing from {path.parent}: reinstall srm-workbook")
    return path


def templates() -> Path:
    return resource_dir("templates")
