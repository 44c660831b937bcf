"""Run a fleet: every account through `worker.assess_account`, N at a time in their own processes
(or one task each on a Dask cluster), then fleet.json, the fleet's findings and the portfolio.

Local pool: one fresh process per account (a forkserver child: no threads inherited, memory
returned when the account is done), at most `parallel` at once. Each account keeps its own
per-service request limits and retries, so one throttled account slows only itself.

Interrupts (Ctrl-C, SIGTERM through the CLI): every running worker is stopped, the run folders
of the accounts in flight are removed (their state files say so), finished accounts keep their
runs, and fleet.json says "interrupted". `--resume FLEET_FOLDER` then re-runs only the accounts
whose state is not "assessed" with a report on disk.
"""

from __future__ import annotations

import json
import sys
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .. import __version__
from ..errors import UsageError
from ..portfolio import FLEET_FILE
from .accounts import AccountSpec
from .worker import ASSESSED, FAILED, SKIPPED, assess_account, discard_unfinished, read_state

FLEET_SCHEMA = 1
NOT_RUN = "not_run"
# Imported once in the forkserver, so each account's fresh process starts warm (preload: the
# report's imports and the catalog).
_PRELOAD = ["srm_nb.fleet.worker", "srm_nb.collect.runner", "srm_nb.fleet.preload"]


@dataclass
class FleetResult:
    folder: Path
    accounts: list[dict]  # fleet.json's rows, in the fleet's order
    portfolio: Path | None = None
    pdf: Path | None = None
    pdf_problem: str = ""
    notes: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(a["status"] == status for a in self.accounts)


def fleet_folder(output_root: Path, resume: Path | None) -> Path:
    """A new OUTPUT/fleet/<stamp>/, or the interrupted one to resume."""
    from ..pipeline import new_run_folder

    if resume is None:
        return new_run_folder(output_root, "fleet")
    if not (Path(resume) / FLEET_FILE).is_file():
        raise UsageError(f"--resume {resume}: not a fleet folder (no {FLEET_FILE}); pass the folder an "
                         "earlier `srm fleet` printed, OUTPUT/fleet/<stamp>/")
    return Path(resume)


def run_fleet(accounts: list[AccountSpec], options: dict, *, output_root: Path, parallel: int = 4,
              dask_scheduler: str | None = None, resume: Path | None = None, quiet: bool = False,
              skipped: list[dict] = (), meta: dict | None = None) -> FleetResult:
    """Assess `accounts` (the filters already applied), then write the fleet's files and the
    portfolio. `options` are the single-account options every account gets (worker.py)."""
    folder = fleet_folder(Path(output_root), resume)
    options = {**options, "output_root": str(Path(output_root).resolve()), "fleet_folder": str(folder.resolve())}
    done: dict[str, dict] = {}
    if resume is not None:
        for spec in accounts:
            state = read_state(folder, spec.account_id) or {}
            run = state.get("run_folder")
            if state.get("status") == ASSESSED and run and (Path(run) / "report.html").is_file():
                done[spec.account_id] = state["summary"]
    todo = [s for s in accounts if s.account_id not in done]
    earlier = json.loads((folder / FLEET_FILE).read_text()) if resume is not None else {}
    meta = {**(meta or {}), "label": options.get("label") or "",
            "started_at": earlier.get("started_at") or datetime.now(timezone.utc).isoformat(timespec="seconds")}
    doc = _fleet_doc(folder, accounts, skipped, meta, options, done)
    _write(folder, doc)
    if not quiet:
        print(f"Fleet: {len(accounts)} account(s) to assess"
              + (f", {len(done)} already assessed (resumed)" if done else "")
              + (f", {len(skipped)} skipped (not ACTIVE)" if skipped else "")
              + f"; {'Dask cluster ' + dask_scheduler if dask_scheduler else f'{parallel} at a time'}",
              file=sys.stderr)
    progress = _Progress(len(todo), quiet)
    try:
        run = _run_dask if dask_scheduler else _run_local
        run([s.task() for s in todo], options, dask_scheduler or parallel,
            lambda summary: (done.__setitem__(summary["account_id"], summary), progress.done(summary)))
    except BaseException:
        doc = _fleet_doc(folder, accounts, skipped, meta, options, done, status="interrupted")
        _write(folder, doc)
        raise
    finally:
        progress.close()
    doc = _fleet_doc(folder, accounts, skipped, meta, options, done, status="complete")
    _write(folder, doc)
    result = FleetResult(folder=folder, accounts=doc["accounts"])
    _portfolio(result, doc, options, quiet)
    return result


def _row(spec: AccountSpec, summary: dict | None, folder: Path) -> dict:
    from ..portfolio import report_link

    row = {"account_id": spec.account_id, "name": spec.name, "status": NOT_RUN, "reason": "",
           "tags": list(spec.tags), "ou": spec.ou}
    if summary:
        row.update(summary)
        if summary.get("run_folder"):
            row["report"] = report_link(folder, summary["run_folder"])
    return row


def _fleet_doc(folder: Path, accounts, skipped, meta, options, done, status: str = "running") -> dict:
    return {
        "schema": FLEET_SCHEMA, "tool_version": __version__, "status": status, **meta,
        "updated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "options": {k: options.get(k) for k in ("regions", "services", "pdf", "label", "engagement",
                                                "endpoint_url", "session_name")},
        "accounts": [_row(s, done.get(s.account_id), folder) for s in accounts]
                    + [{**s, "status": SKIPPED, "tags": [], "ou": ""} for s in skipped],
    }


def _write(folder: Path, doc: dict) -> None:
    import os

    tmp = folder / f".{FLEET_FILE}.tmp"
    tmp.write_text(json.dumps(doc, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, folder / FLEET_FILE)


# -- local process pool -------------------------------------------------------------------------

def _child(task: dict, options: dict, conn) -> None:
    """A worker process: one account. SIGTERM (the fleet stopping) unwinds like Ctrl-C, so the
    worker removes its unfinished run folder before it goes."""
    import signal

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    try:
        conn.send(assess_account(task, options))
    except KeyboardInterrupt:
        sys.exit(130)
    finally:
        conn.close()


def _run_local(tasks: list[dict], options: dict, parallel: int, on_done) -> None:
    import multiprocessing as mp
    from multiprocessing.connection import wait

    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(_PRELOAD)
    pending = deque(tasks)
    running: dict = {}  # process -> (connection, task)
    try:
        while pending or running:
            while pending and len(running) < max(1, parallel):
                task = pending.popleft()
                recv, send = ctx.Pipe(duplex=False)
                proc = ctx.Process(target=_child, args=(task, options, send),
                                   name=f"srm-account-{task['account_id']}", daemon=False)
                proc.start()
                send.close()
                running[proc] = (recv, task)
            ready = set(wait([p.sentinel for p in running] + [c for c, _ in running.values()]))
            for proc, (conn, task) in list(running.items()):
                if conn not in ready and proc.sentinel not in ready:
                    continue
                summary = None
                try:
                    summary = conn.recv() if conn.poll() else None
                except EOFError:
                    pass
                proc.join()
                del running[proc]
                conn.close()
                if summary is None:
                    discard_unfinished(options["fleet_folder"], task["account_id"])
                    summary = _lost(task, f"its worker process ended without a result (exit {proc.exitcode})")
                on_done(summary)
    except BaseException:
        _stop(running, options)
        raise


def _stop(running: dict, options: dict) -> None:
    for proc in running:
        proc.terminate()
    for proc, (conn, task) in running.items():
        proc.join(timeout=30)
        if proc.is_alive():
            proc.kill()
            proc.join()
        discard_unfinished(options["fleet_folder"], task["account_id"])


def _lost(task: dict, reason: str) -> dict:
    return {"account_id": task["account_id"], "name": task.get("name", ""), "status": FAILED,
            "reason": reason}


# -- Dask ---------------------------------------------------------------------------------------

def _run_dask(tasks: list[dict], options: dict, scheduler: str, on_done) -> None:
    """One task per account on an existing cluster. A task that fails (or whose worker is lost
    too often) is a failed account; its state file lets `--resume` run it again."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - a dependency, but say what to install
        raise UsageError("--dask-scheduler needs the `distributed` package: pip install distributed") from exc
    try:
        client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise UsageError(f"--dask-scheduler {scheduler}: cannot reach the scheduler ({exc})") from exc
    futures = {}
    try:
        for task in tasks:
            fut = client.submit(assess_account, task, options, key=f"srm-account-{task['account_id']}-"
                                f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}", pure=False, retries=0)
            futures[fut] = task
        for fut in as_completed(futures):
            task = futures[fut]
            try:
                summary = fut.result()
            except Exception as exc:  # the task raised, or its worker was lost too many times
                discard_unfinished(options["fleet_folder"], task["account_id"])
                summary = _lost(task, f"the Dask task failed: {type(exc).__name__}: {exc}")
            on_done(summary)
    except BaseException:
        client.cancel(list(futures), force=True)
        raise
    finally:
        client.close()


# -- progress and the portfolio -------------------------------------------------------------------

class _Progress:
    """One bar for the accounts and a line per finished account; nothing when quiet."""

    def __init__(self, total: int, quiet: bool):
        from tqdm import tqdm

        self.bar = None if quiet else tqdm(total=total, desc="accounts", unit="account", file=sys.stderr,
                                           dynamic_ncols=True)

    def done(self, s: dict) -> None:
        if self.bar is None:
            return
        from ..sections import fmt_score

        if s["status"] == ASSESSED:
            line = (f"{s['account_id']} {s.get('name') or ''}: score {fmt_score(s.get('score'))}, coverage "
                    f"{fmt_score(s.get('coverage'))}%, {s.get('failed', 0)} failed ({s.get('seconds', '?')} s)")
        else:
            line = f"{s['account_id']} {s.get('name') or ''}: NOT ASSESSED: {s.get('reason', '')}"
        self.bar.write(line, file=sys.stderr)
        self.bar.update()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _portfolio(result: FleetResult, doc: dict, options: dict, quiet: bool) -> None:
    from ..portfolio import build_portfolio, latest_fleet, write_fleet_findings
    from ..portfolio_sections import document_title
    from ..render import execute_notebook, find_browser, to_html, to_pdf

    folder = result.folder
    write_fleet_findings(doc, folder)
    previous = options.get("previous_fleet")
    if previous == "auto":
        previous = latest_fleet(Path(options["output_root"]), before=folder.name)
    options = {**options, "previous_fleet": previous}
    p = build_portfolio(folder, label=options.get("label") or "", previous=previous)
    p.save(folder)
    if not quiet:
        print("Rendering the portfolio...", file=sys.stderr)
    executed = execute_notebook(folder / "portfolio.ipynb",
                                {"fleet_folder": str(folder.resolve()), "label": options.get("label") or "",
                                 "previous_fleet": str(options.get("previous_fleet") or ""),
                                 "paper": options.get("paper") or "a4"},
                                notebook="portfolio.ipynb", progress=not quiet)
    result.portfolio = to_html(executed, folder / "portfolio.html", title=document_title(p))
    if not options.get("pdf"):
        result.pdf_problem = "PDF not requested (--no-pdf)"
    elif find_browser() is None:
        result.pdf_problem = "no PDF: Chromium is not installed (Debian: apt-get install chromium)"
    else:
        from ..errors import ReportError

        try:
            result.pdf = to_pdf(result.portfolio, folder / "portfolio.pdf", paper=options.get("paper") or "a4",
                                tagged=bool(options.get("pdf_tagged")))
        except ReportError as exc:
            result.pdf_problem = f"no PDF: {exc}"
