"""From a snapshot to a run folder: outputs/<account-id>/<UTC timestamp>/ holding report.html,
report.pdf (when Chromium is installed), the executed notebook, the exports and the snapshot."""

from __future__ import annotations

import json
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .assessment import Assessment, assess
from .engagement import Engagement
from .errors import ReportError, UsageError
from .exports import write_exports
from .history import latest_run
from .render import execute_notebook, find_browser, report_kernel, to_html, to_pdf
from .snapshot import Snapshot


@dataclass
class RunResult:
    folder: Path
    assessment: Assessment
    pdf: Path | None = None
    pdf_problem: str = ""  # why there is no PDF, when there is none
    exports: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)  # phase -> seconds (see Phases)

    @property
    def report(self) -> Path:
        return self.folder / "report.html"


class Phases:
    """Wall seconds of each phase of a run (collection's own are in the snapshot manifest)."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0) + time.perf_counter() - start, 3)


def write_timings(result: RunResult, collect: dict | None) -> Path:
    """timings.json in the run folder: the collection's timings (None for a snapshot assessed
    offline) and the report phases'."""
    doc = {"collect": collect, "phases": result.timings}
    path = result.folder / "timings.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return path


def ready_to_report() -> None:
    """What the report phase imports and loads, done ahead: while the account is being
    collected (`srm assess`), or once in the fleet's forkserver for every account's process."""
    import nbconvert  # noqa: F401
    import papermill  # noqa: F401

    from .checks import load_catalog

    load_catalog()


def new_run_folder(output_root: Path, account_id: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(output_root) / (account_id or "unknown-account") / stamp
    n = 1
    while folder.exists():  # two runs in the same second
        n += 1
        folder = folder.with_name(f"{stamp}-{n}")
    folder.mkdir(parents=True)
    return folder


@dataclass(frozen=True)
class PrintOptions:
    paper: str = "a4"  # a key of vocabulary.PAPERS
    appendix: str = "summary"  # "full": the PDF's appendix lists the passed findings too
    tagged: bool = False  # a tagged PDF with bookmarks (render.to_pdf)


def assess_snapshot(snapshot: Snapshot, output_root: Path, *, label: str = "", quiet: bool = False,
                    previous: str | Path | None = "auto", mute_file: str | Path | None = None,
                    pdf: bool = True, engagement: Engagement | None = None,
                    printing: PrintOptions = PrintOptions(), folder: Path | None = None) -> RunResult:
    """Save the snapshot (if new) into a run folder, check it, export, and render the report.

    `previous`: an earlier run folder for the trend; "auto" picks the latest earlier run of the
    same account under `output_root`; None or "" means no trend.
    `folder`: an empty run folder already made with `new_run_folder` (a fleet records it first).
    """
    if mute_file and not Path(mute_file).is_file():
        raise UsageError(f"mute file {mute_file} does not exist")
    if previous and previous != "auto" and not Path(previous).is_dir():
        raise UsageError(f"--previous {previous} is not a folder: pass an earlier run folder, "
                         "outputs/<account-id>/<timestamp>/")
    folder = folder or new_run_folder(output_root, snapshot.account_id)
    if previous == "auto":
        previous = latest_run(output_root, snapshot.account_id, before=folder.name)
    try:
        return _assess_into(folder, snapshot, label=label, quiet=quiet, previous=previous,
                            mute_file=mute_file, pdf=pdf, engagement=engagement, printing=printing)
    except (UsageError, KeyboardInterrupt):
        shutil.rmtree(folder, ignore_errors=True)  # bad input or interrupted: leave no half run
        raise


def _assess_into(folder: Path, snapshot: Snapshot, *, label, quiet, previous, mute_file, pdf, engagement,
                 printing) -> RunResult:
    phase = Phases()
    # The report's kernel boots while the checks run; the exports are written while it runs
    # the notebook (a process of its own: the two really run side by side).
    with report_kernel(folder) as kernel, ThreadPoolExecutor(1, thread_name_prefix="srm-exports") as pool:
        with phase("snapshot"):
            if snapshot.path is None:
                snapshot.save(folder / "snapshot")
            else:  # a copy keeps the run folder self-contained (the notebook can be re-run from it)
                shutil.copytree(snapshot.path, folder / "snapshot")
                snapshot = Snapshot.load(folder / "snapshot")
        with phase("checks"):
            a = assess(snapshot, mute_file=mute_file, previous_run=previous, label=label, engagement=engagement)
        with phase("save"):
            a.save(folder)  # computed once: the notebook and later runs read it back

        def exports_beside():  # papermill changes the working directory meanwhile: absolute paths
            with phase("exports"):
                return {**write_exports(a, folder.resolve()), "scores": folder / "scores.json"}

        exporting = pool.submit(exports_beside)
        if not quiet:
            trend = f"; trend from {previous}" if previous else ""
            print(f"{len(a.findings)} findings{trend}; rendering the report...", file=sys.stderr)
            for problem in a.context.get("history_problems") or []:
                print(f"note: earlier run {problem}", file=sys.stderr)
        with phase("notebook"):
            executed = execute_notebook(folder / "assessment.ipynb",
                                        {"run_folder": str(folder.resolve()), "paper": printing.paper,
                                         "pdf_appendix": printing.appendix}, progress=not quiet,
                                        kernel=kernel)
        exports = exporting.result()
    with phase("html"):
        from .sections import document_title

        html = to_html(executed, folder / "report.html", title=document_title(a))
    result = RunResult(folder=folder, assessment=a, exports=exports, timings=phase.seconds)
    if not pdf:
        result.pdf_problem = "PDF not requested (--no-pdf)"
    elif find_browser() is None:
        result.pdf_problem = ("no PDF: Chromium is not installed (Debian: apt-get install chromium, "
                              "or set SRM_CHROMIUM to a Chrome/Chromium binary)")
    else:
        try:
            with phase("pdf"):
                result.pdf = to_pdf(html, folder / "report.pdf", paper=printing.paper, tagged=printing.tagged)
        except ReportError as exc:  # the HTML report stands on its own
            result.pdf_problem = f"no PDF: {exc}"
    return result
