"""Run the report notebook with papermill and turn it into a self-contained HTML file."""

from __future__ import annotations

import os
from pathlib import Path

from .errors import ReportError

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "assessment.ipynb"
TEMPLATES = ROOT / "templates"


def execute_notebook(output_nb: Path, parameters: dict, *, notebook: Path = NOTEBOOK,
                     progress: bool = True, kernel: str = "python3") -> Path:
    import papermill as pm

    try:
        pm.execute_notebook(str(notebook), str(output_nb), parameters=parameters,
                            progress_bar=progress, kernel_name=kernel, cwd=str(output_nb.parent))
    except pm.PapermillExecutionError as exc:
        raise ReportError(f"the report notebook failed in cell {exc.exec_count}: {exc.ename}: "
                          f"{exc.evalue}. The executed notebook is at {output_nb}") from exc
    return output_nb


def to_html(executed_nb: Path, html_path: Path) -> Path:
    """nbconvert with our template: no code, a table of contents, plotly.js embedded once."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(executed_nb, as_version=4)
    exporter = HTMLExporter(template_name="srm", extra_template_basedirs=[str(TEMPLATES)])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources={"plotly_js": plotly_js()})
    html_path.write_text(body, encoding="utf-8")
    return html_path


def plotly_js() -> str:
    """The plotly.js bundle shipped inside the plotly package (no CDN: reports work offline)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def jupyter_env() -> None:
    """Keep the kernel quiet and inside our venv."""
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
