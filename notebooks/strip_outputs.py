"""Strip notebook outputs before committing (`make strip`), keeping tags such as `parameters`.

Cells marked `# NBVAL_CHECK_OUTPUT` keep their output: it is the reference nbval compares the
fresh run against (nbval skips cells without a stored execution). Everything else is cleared,
so diffs show code, not results, and no client data is ever committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

MARK = "# NBVAL_CHECK_OUTPUT"


def strip(path: Path) -> bool:
    nb = nbformat.read(path, as_version=4)
    before = nbformat.writes(nb)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("papermill", None)
        if cell.cell_type != "code":
            continue
        if MARK in cell.source:
            cell.execution_count = cell.execution_count or 1
            for out in cell.outputs:
                out.pop("execution_count", None) if out.get("output_type") == "stream" else None
        else:
            cell.outputs, cell.execution_count = [], None
    for key in ("papermill", "widgets"):
        nb.metadata.pop(key, None)
    after = nbformat.writes(nb)
    if after != before:
        path.write_text(after + ("" if after.endswith("\n") else "\n"), encoding="utf-8")
    return after != before


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or sorted(Path(__file__).parent.glob("*.ipynb"))
    for p in paths:
        print(f"{'stripped' if strip(p) else 'clean   '} {p}")
