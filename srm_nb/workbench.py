"""The analyst's API (`import srm_nb as srm`): the runs under an outputs folder, one run opened
with its findings, scores and snapshot, a snapshot assessed outside any run, and what changed
between two runs.

Runs are where `srm assess` writes them: <outputs>/<account-id>/<UTC stamp>/ with scores.json,
findings.parquet and snapshot/. A folder without scores.json is not a run (`srm collect` only),
and <outputs>/fleet/ holds fleet summaries, not account runs: both are skipped.
"""

from __future__ import annotations

import fnmatch
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .assessment import SCORES_SCHEMA, Assessment
from .assessment import assess as _assess
from .errors import UsageError
from .history import FINDINGS_FILE, SCORES_FILE, Run, RunDiff, compare, latest_run, read_run
from .snapshot import MANIFEST, Snapshot
from .textformat import frame_text
from .vocabulary import FAIL

FLEET_FOLDER = "fleet"
RUN_COLUMNS = ("account_id", "run_stamp", "assessed_at", "label", "score", "coverage", "passed", "failed",
               "errors", "muted", "latest", "path", "problem")
SCORE_COLUMNS = ("account_id", "run_stamp", "latest", "scope", "domain", "area", "service", "region", "score",
                 "coverage", "checks", "passed", "failed", "errors")
# scores.json lists, by the `scope` they get in the scores table.
SCORE_SCOPES = {"area": "by_area", "service": "by_service", "region": "by_region"}


# -- finding runs ---------------------------------------------------------------------------------

def run_folders(root: str | Path) -> list[Path]:
    """The run folders under `root`: an outputs root, one account's folder, or a run folder.
    Paths are absolute and normalized, symbolic links kept (a linked run stays in its layout)."""
    root = Path(os.path.abspath(root))
    if (root / SCORES_FILE).is_file():
        return [root]
    children = _subfolders(root)
    if any((c / SCORES_FILE).is_file() for c in children):  # one account's folder
        return [c for c in children if (c / SCORES_FILE).is_file()]
    return [run for account in children if account.name != FLEET_FOLDER
            for run in _subfolders(account) if (run / SCORES_FILE).is_file()]


def _subfolders(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:  # missing or unreadable: no runs there
        return []


def run_index(root: str | Path) -> pd.DataFrame:
    """One row per run folder (account_id, run_stamp, latest, path), read from the folder names
    alone; `latest` marks each account's newest run."""
    folders = run_folders(root)
    out = pd.DataFrame({"account_id": [f.parent.name for f in folders],
                        "run_stamp": [f.name for f in folders],
                        "path": [str(f) for f in folders]}, columns=["account_id", "run_stamp", "path"])
    newest = out.groupby("account_id")["run_stamp"].transform("max")
    out.insert(2, "latest", (out["run_stamp"] == newest).astype(bool))
    return out


def runs(outputs_root: str | Path = "outputs", account: str | None = None) -> pd.DataFrame:
    """The runs under an outputs folder, newest first: account, stamp, score, coverage, counts,
    `latest` (the account's newest run), path, and `problem` (why the run cannot be opened; empty
    when it can)."""
    return summaries(outputs_root, account)[0]


def summaries(outputs_root: str | Path, account: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The runs table and the scores table (overall, per area, service and region, per run), from
    one reading of every run's scores.json."""
    index = run_index(outputs_root)
    if account:
        index = index[index["account_id"] == str(account)]
    index = index.sort_values(["run_stamp", "account_id"], ascending=[False, True]).reset_index(drop=True)
    run_rows, score_rows = [], []
    for row in index.to_dict(orient="records"):
        doc, problem = _read_summary(Path(row["path"]))
        overall = doc.get("overall") or {}
        run_rows.append({**row, "assessed_at": doc.get("assessed_at", ""), "label": doc.get("label", ""),
                         **{k: overall.get(k) for k in ("score", "coverage", "passed", "failed", "errors",
                                                        "muted")},
                         "problem": problem})
        keys = {k: row[k] for k in ("account_id", "run_stamp", "latest")}
        if overall:
            score_rows.append({**keys, "scope": "overall", **overall})
        for scope, key in SCORE_SCOPES.items():
            score_rows += [{**keys, "scope": scope, **r} for r in doc.get(key) or [] if isinstance(r, dict)]
    tables = pd.DataFrame(run_rows, columns=list(RUN_COLUMNS)), pd.DataFrame(score_rows, columns=list(SCORE_COLUMNS))
    for table in tables:  # NaN, not None, where a run has no score
        table[["score", "coverage"]] = table[["score", "coverage"]].apply(pd.to_numeric, errors="coerce").astype(float)
    return tables


def _read_summary(folder: Path) -> tuple[dict, str]:
    """A run's scores.json and why the run cannot be opened ("" when it can)."""
    try:
        doc = json.loads((folder / SCORES_FILE).read_text())
    except (OSError, ValueError) as exc:
        return {}, f"{SCORES_FILE} cannot be read ({type(exc).__name__})"
    if not isinstance(doc, dict):
        return {}, f"{SCORES_FILE} is not a scores document"
    if doc.get("schema") != SCORES_SCHEMA:
        return doc, (f"written by srm-workbook {doc.get('tool_version', '?')} (scores schema "
                     f"{doc.get('schema')}): assess its snapshot again")
    if not (folder / FINDINGS_FILE).is_file():
        return doc, f"it has no {FINDINGS_FILE}"
    if not (folder / "snapshot" / MANIFEST).is_file():
        return doc, "it has no snapshot/"
    return doc, ""


# -- one run --------------------------------------------------------------------------------------

@dataclass
class AssessedRun:
    """An assessment as an analyst reads it: from a run folder (`open_run`), or computed here from
    a snapshot outside any run (`assess`, `folder` None). `assessment` holds everything the report
    shows; the properties are its most used parts."""

    assessment: Assessment
    folder: Path | None = None

    @property
    def findings(self) -> pd.DataFrame:
        return self.assessment.findings

    @property
    def scores(self) -> pd.DataFrame:
        """Score and coverage per responsibility area (the report's first chart)."""
        return self.assessment.scores["domain"]

    @property
    def overall(self) -> dict:
        return self.assessment.overall

    @property
    def snapshot(self) -> Snapshot:
        return self.assessment.snapshot

    @property
    def matrix(self) -> pd.DataFrame:
        return self.assessment.matrix

    @property
    def manifest(self) -> dict:
        return self.snapshot.manifest

    @property
    def account_id(self) -> str:
        return self.snapshot.account_id or (self.folder.parent.name if self.folder else "")

    @property
    def stamp(self) -> str:
        return self.folder.name if self.folder else str(self.manifest.get("started_at", ""))

    @property
    def previous(self) -> AssessedRun | None:
        """The account's run before this one in the same outputs folder, if any."""
        if self.folder is None:
            return None
        earlier = latest_run(self.folder.parent.parent, self.folder.parent.name, before=self.folder.name)
        return open_run(earlier) if earlier else None

    def failing(self, *check_ids: str) -> pd.DataFrame:
        """Failing findings that are not muted, of the checks matching any of these patterns
        (`"*public*"`, `"iam_access_key_rotated_90_days"`); of every check without one."""
        f = self.assessment.active
        f = f[f["status"] == FAIL]
        if check_ids:
            f = f[f["check_id"].map(lambda c: any(fnmatch.fnmatchcase(c, p) for p in check_ids))]
        return f

    def resource(self, resource_id: str) -> dict[str, pd.DataFrame]:
        """Everything about one resource: its findings, then every snapshot table's rows holding
        its id or ARN in a column (the API calls made for it included)."""
        f = self.findings
        mine = f[(f["resource_id"] == resource_id) | (f["resource_arn"] == resource_id)]
        keys = {resource_id, *mine["resource_arn"].dropna()} - {""}
        out = {"findings": mine}
        for name, table in sorted(self.snapshot.tables.items()):
            rows = table[table.isin(keys).any(axis=1)] if len(table) else table
            if len(rows):
                out[name] = rows
        return out

    def as_history(self) -> Run:
        """This run as history.compare reads one."""
        return Run(folder=self.folder or Path(str(self.snapshot.path or "(assessed in memory)")),
                   scores=self.assessment.summary(), findings=self.findings)

    def __repr__(self) -> str:
        o = self.overall
        score = "n/a" if pd.isna(o.get("score")) else f"{o['score']:.0f}"
        where = str(self.folder) if self.folder else "assessed in memory"
        return (f"<AssessedRun {self.account_id} {self.stamp}: score {score}/100, {len(self.findings)} "
                f"findings ({o.get('failed', 0)} failed, {o.get('errors', 0)} errors); {where}>")


def open_run(path: str | Path) -> AssessedRun:
    """A run folder `srm assess` wrote; given an outputs root or an account's folder, its newest
    run that can be opened."""
    path = Path(path)
    if not (path / SCORES_FILE).is_file():
        found = runs(path)
        ready = found[found["problem"] == ""]
        if ready.empty:
            why = "; ".join(f"{r.path}: {r.problem}" for r in found.itertuples()) or "it holds none"
            raise UsageError(f"no run to open under {path} ({why}): run `srm demo` or `srm assess`")
        path = Path(ready["path"].iloc[0])
    return AssessedRun(Assessment.load(path), folder=Path(os.path.abspath(path)))


def load_snapshot(path: str | Path) -> Snapshot:
    """A snapshot folder (`srm collect`'s, or a run's snapshot/), verified on load."""
    return Snapshot.load(path)


def assess(snapshot: Snapshot | str | Path, mute_file: str | Path | None = None) -> AssessedRun:
    """Run the checks on a snapshot outside any run folder (nothing is written)."""
    return AssessedRun(_assess(snapshot, mute_file=mute_file))


# -- two runs -------------------------------------------------------------------------------------

def diff(run_a: AssessedRun | str | Path, run_b: AssessedRun | str | Path) -> RunDiff:
    """What changed from run_a to run_b: findings new, fixed, still failing (`.changes`, with
    `.counts`, `.severity_changed`, `.new_failures(severity)`) and the score delta per area
    (`.scores`). The report's "changes" section is the same comparison."""
    return compare(*(r.as_history() if isinstance(r, AssessedRun) else read_run(Path(r))
                     for r in (run_a, run_b)))


DIFF_LISTED = {"new": "New failures", "fixed": "Fixed", "not_evaluated": "No longer evaluated (data missing now)",
               "gone": "Gone (resource removed or out of scope)", "muted": "Muted since"}
DIFF_COLUMNS_SHOWN = ["severity", "check_id", "region", "resource_id"]


def diff_text(d: RunDiff, fmt: str = "table") -> str:
    """`srm diff`'s output: every changed finding as CSV or JSON (with the score delta in JSON),
    or a summary with the score delta and the changed findings as text."""
    if fmt == "csv":
        return frame_text(d.changes, "csv")
    if fmt == "json":
        doc = {"before": str(d.before.folder), "after": str(d.after.folder), "counts": d.counts,
               "scores": json.loads(d.scores.to_json(orient="records")),
               "changes": json.loads(d.changes.to_json(orient="records"))}
        return json.dumps(doc, indent=2) + "\n"
    counts = d.counts
    lines = [f"From {d.before.folder}", f"  to {d.after.folder}",
             "Findings: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
             + f"; {len(d.severity_changed)} changed severity.", "", "Score and coverage per area:",
             frame_text(d.scores.drop(columns="domain").round(1), "table")]
    for key, heading in DIFF_LISTED.items():
        rows = d.changes[d.changes["change"] == key]
        if len(rows):
            lines += [f"{heading}:", frame_text(rows[DIFF_COLUMNS_SHOWN], "table")]
    if len(d.severity_changed):
        lines += ["Severity changed:", frame_text(d.severity_changed[["severity_before", *DIFF_COLUMNS_SHOWN]],
                                                  "table")]
    return "\n".join(lines)
