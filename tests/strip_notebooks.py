"""Strip notebook outputs before committing (`make strip`), keeping tags such as `parameters`;
tests/test_packaging.py fails when a committed notebook still holds outputs.

Every output is cleared, so diffs show code, not results, and no client data is ever committed.
nbval runs the stripped notebook against the fixture snapshot: a cell that raises fails the test,
and the report's integrity cell raises when an invariant does not hold.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"

def strip(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    for key in ("papermill", "widgets"):
        nb.metadata.pop(key, None)
    after = nbformat.writes(nb)
    if after != before:
        path.write_text(after + ("" if after.endswith("\n") else "\n"), encoding="utf-8")
    return after != before


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or sorted(NOTEBOOKS.glob("*.ipynb"))
    for p in paths:
        print(f"{'stripped' if strip(p) else 'clean   '} {p}")
