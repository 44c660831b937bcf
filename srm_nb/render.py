"""Run the report notebook with papermill, turn it into a self-contained HTML file, and print
that HTML to PDF with a real browser engine (headless Chromium) when one is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path

from .errors import ReportError
from .resources import notebook as packaged_notebook
from .resources import templates
from .vocabulary import PAPERS

REPORT_NOTEBOOK = "assessment.ipynb"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
PDF_TIMEOUT = 180
PRINTING = "#srm-print"  # the fragment that tells the report's page it is being printed (to_html)


# What the report notebook imports, imported by its kernel as it boots (report_kernel).
WARM_UP = "import srm_nb.sections, srm_nb.assessment"


@contextmanager
def report_kernel(cwd: Path):
    """A kernel for the report notebook, started now to run it later (`execute_notebook(...,
    kernel=)`): it boots and imports what the report needs while the caller checks and saves.
    Shut down on the way out, whatever happened."""
    from jupyter_core.utils import run_sync

    jupyter_env()
    km = _report_kernel_manager()()
    run_sync(km.start_kernel)(cwd=str(cwd), extra_arguments=[f"--IPKernelApp.exec_lines={WARM_UP}"])
    try:
        yield km
    finally:
        if run_sync(km.is_alive)():
            run_sync(km.shutdown_kernel)(now=True)
        run_sync(km.cleanup_resources)()


def execute_notebook(output_nb: Path, parameters: dict, *, notebook: str | Path = REPORT_NOTEBOOK,
                     progress: bool = True, kernel=None):
    """Run a notebook with papermill into `output_nb`: one of the package's, by name, or a path.
    Returns the executed notebook (a NotebookNode, as written to `output_nb`).
    `kernel`: one `report_kernel()` started (else papermill starts one and stops it after)."""
    import papermill as pm

    source = Path(notebook) if Path(notebook).is_absolute() else packaged_notebook(str(notebook))
    jupyter_env()
    started = {"km": kernel} if kernel is not None else {}
    try:
        return pm.execute_notebook(str(source), str(output_nb), parameters=parameters,
                                   progress_bar=progress, cwd=str(output_nb.parent),
                                   # one write at the end (or on error): papermill otherwise
                                   # rewrites the whole notebook twice per cell, seconds for a
                                   # 10,000-finding report
                                   request_save_on_cell_execute=False,
                                   kernel_manager_class=_report_kernel_manager(), **started)
    except pm.PapermillExecutionError as exc:
        raise ReportError(f"the report notebook failed in cell {exc.exec_count}: {exc.ename}: "
                          f"{exc.evalue}. The executed notebook is at {output_nb}") from exc


def _report_kernel_manager():
    """The kernel is this very Python (`sys.executable`, which has srm-workbook installed), not
    whatever a "python3" kernelspec on the machine points to: after `pipx install`, a user-level
    Jupyter kernelspec would otherwise run the report in an interpreter without the package.
    The kernel process's own stderr (ipykernel's startup warnings) is dropped; a failing cell
    still comes back through the kernel protocol as a PapermillExecutionError."""
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ReportKernelManager(AsyncKernelManager):
        @property
        def kernel_spec(self):
            if self._kernel_spec is None:  # "python" is replaced by sys.executable at launch
                self._kernel_spec = KernelSpec(
                    argv=["python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                    display_name="srm-workbook", language="python", name="python3")
            return self._kernel_spec

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_launch_kernel(kernel_cmd, **kw)

    return ReportKernelManager


def to_html(executed_nb, html_path: Path, title: str = "") -> Path:
    """nbconvert with our template: no code, a table of contents, plotly.js embedded once.
    `executed_nb`: the executed notebook as `execute_notebook` returns it (not read and
    validated again), or its path. `title`: the page's (and so the PDF's) title."""
    import nbformat

    nb = nbformat.read(executed_nb, as_version=4) if isinstance(executed_nb, (str, Path)) else executed_nb
    if title:
        nb.metadata["title"] = title  # escaped by the lab template
    # The notebook keeps plotly's JSON for JupyterLab; the HTML only needs the div beside it.
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/html" in data:
                data.pop("application/vnd.plotly.v1+json", None)
    exporter = _report_exporter()(template_name="srm", extra_template_basedirs=[str(templates())])
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources={"plotly_js": plotly_js(), "printing": PRINTING})
    html_path.write_text(body, encoding="utf-8")
    return html_path


# The cells' wrappers, which HTMLExporter makes focusable (tabindex) for keyboard readers.
_FOCUSABLE = re.compile(r'(<div class="[^"]*\b(?:jp-Cell-inputWrapper|jp-OutputArea-output)\b[^"]*")')


def _report_exporter():
    """nbconvert's HTMLExporter without its last step, which parses the whole page again with
    BeautifulSoup to give images an alt text and cells a tabindex: most of the conversion's time
    on a large report. The report has no images; the tabindex is added to the wrappers' tags."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb, resources=None, **kw):
            # HTMLExporter.from_notebook_node (nbconvert 7), up to the BeautifulSoup pass.
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            self.register_filter("highlight_code", self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            html, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _FOCUSABLE.sub(r'\1 tabindex="0"', html), resources

    return ReportExporter


def plotly_js() -> str:
    """The plotly.js bundle shipped inside the plotly package (no CDN: reports work offline)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def find_browser() -> str | None:
    """A Chromium-family browser on PATH ($SRM_CHROMIUM wins), or None."""
    wanted = os.environ.get("SRM_CHROMIUM")
    if wanted:
        return shutil.which(wanted) or (wanted if Path(wanted).is_file() else None)
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def browser_command(browser: str, profile_dir: str, *extra: str) -> list[str]:
    """Headless, offline, throwaway profile: nothing phones home, nothing persists."""
    return [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-extensions", "--disable-dev-shm-usage", f"--user-data-dir={profile_dir}", *extra]


def to_pdf(html_path: Path, pdf_path: Path, browser: str | None = None, paper: str = "a4",
           tagged: bool = False) -> Path:
    """Print the HTML report to PDF with headless Chromium. The report's print styles set the
    paper size and the running footer; `paper` only sets the width the charts are drawn to.
    `tagged`: a tagged PDF (a structure tree for screen readers) with bookmarks from the headings.
    Off by default: on a 3,700-finding report the tags made the PDF 11 MB instead of 0.8 MB and
    the print 2.4 s slower, and Chromium's peak memory 400 MiB instead of 230."""
    browser = browser or find_browser()
    if browser is None:
        raise ReportError("no Chromium found for the PDF: install it (Debian: apt-get install chromium) "
                          "or set SRM_CHROMIUM; the HTML report was written")
    with tempfile.TemporaryDirectory(prefix="srm-chromium-") as profile:
        # Lay the page out at the printable width, so the (responsive) charts are drawn to fit.
        tagging = ["--generate-pdf-document-outline"] if tagged else ["--disable-pdf-tagging"]
        cmd = browser_command(browser, profile, "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
                              f"--window-size={PAPERS[paper]['width_px']},1000", *tagging,
                              "--virtual-time-budget=15000", f"--print-to-pdf={pdf_path}",
                              Path(html_path).resolve().as_uri() + PRINTING)
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            raise ReportError(f"Chromium did not finish printing the PDF in {PDF_TIMEOUT} s; "
                              "the HTML report was written") from exc
    if not pdf_path.exists() or pdf_path.stat().st_size == 0:
        tail = (proc.stderr or "").strip().splitlines()[-3:]
        raise ReportError(f"Chromium did not write the PDF (exit {proc.returncode}): {' | '.join(tail)}")
    return pdf_path


def jupyter_env() -> None:
    """Keep the kernel quiet and inside our venv."""
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
