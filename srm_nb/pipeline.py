"""From a snapshot to a run folder: outputs/<account-id>/<UTC timestamp>/ holding report.html,
the executed notebook, findings.csv and the snapshot."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from .assessment import FINDINGS_FILE, Assessment
from .exports import write_findings_csv
from .render import execute_notebook, to_html
from .snapshot import Snapshot


@dataclass
class RunResult:
    folder: Path
    assessment: Assessment

    @property
    def report(self) -> Path:
        return self.folder / "report.html"


def new_run_folder(output_root: Path, account_id: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    folder = Path(output_root) / (account_id or "unknown-account") / stamp
    n = 1
    while folder.exists():  # two runs in the same second
        n += 1
        folder = folder.with_name(f"{stamp}-{n}")
    folder.mkdir(parents=True)
    return folder


def assess_snapshot(snapshot: Snapshot, output_root: Path, *, label: str = "",
                    quiet: bool = False) -> RunResult:
    """Save the snapshot (if new) into a run folder, check it, export, and render the report."""
    folder = new_run_folder(output_root, snapshot.account_id)
    if snapshot.path is None:
        snapshot.save(folder / "snapshot")
    else:
        (folder / "snapshot.txt").write_text(str(snapshot.path.resolve()) + "\n")
    a = Assessment.from_snapshot(snapshot)
    a.findings.to_parquet(folder / FINDINGS_FILE, index=False)
    write_findings_csv(a.findings, folder / "findings.csv")
    if not quiet:
        print(f"{len(a.findings)} findings; rendering the report...", file=sys.stderr)
    executed = execute_notebook(
        folder / "assessment.ipynb",
        {"snapshot_path": str(snapshot.path.resolve()), "account_label": label,
         "output_dir": str(folder.resolve())},
        progress=not quiet,
    )
    to_html(executed, folder / "report.html")
    return RunResult(folder=folder, assessment=a)
