"""An account's earlier runs: reading them, the score trend over them, and what changed.

Runs live in `<outputs>/<account-id>/<UTC stamp>/`; folder names sort in time order. A run is
read from its `scores.json` (its summary) and `findings.parquet`. A run that cannot be read is
never dropped silently: `History.problems` says which and why, and the report prints it.

What changed between two runs is one table (`diff`), matched by the stable finding uid, used by
the report's "changes" section and by `compare` (`srm diff`, `srm.diff`), which adds the score
and coverage delta per area.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import UsageError
from .vocabulary import DOMAINS, FAIL, PASS, SEVERITIES

SCORES_FILE = "scores.json"
FINDINGS_FILE = "findings.parquet"
CHANGES_FILE = "changes.parquet"

# A finding's change between two runs (failing means FAIL and not muted):
CHANGES = {
    "new": "failing now, not failing before",
    "still_failing": "failing in both runs",
    "fixed": "failing before, passing now",
    "not_evaluated": "failing before, could not be evaluated now",
    "muted": "failing before, muted now (an accepted risk)",
    "gone": "failing before, not assessed now (resource removed or out of scope)",
}
DIFF_COLUMNS = ("finding_uid", "change", "check_id", "title", "severity", "severity_before",
                "domain", "region", "resource_id", "status_before", "status_after")
TREND_COLUMNS = ("when", "series", "score", "coverage")


@dataclass
class Run:
    """An earlier run as the trend and the diff read it."""

    folder: Path
    scores: dict
    findings: pd.DataFrame | None = None
    problem: str = ""  # why its findings could not be read, when they could not

    @property
    def when(self) -> str:
        return str(self.scores.get("assessed_at") or self.scores.get("generated_at") or self.folder.name)


@dataclass
class History:
    """The earlier runs an assessment compares with, oldest first, and those left out."""

    runs: list[Run] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def previous(self) -> Run | None:
        return self.runs[-1] if self.runs else None


def read_run(folder: Path) -> Run:
    """A run folder's summary and findings. Raises UsageError when its scores.json is missing or
    unreadable; unreadable findings are recorded in `problem`."""
    scores_file = Path(folder) / SCORES_FILE
    try:
        scores = json.loads(scores_file.read_text())
    except FileNotFoundError as exc:
        raise UsageError(f"{folder} is not an earlier run: it has no {SCORES_FILE} (pass a run "
                         "folder srm wrote, outputs/<account-id>/<timestamp>/)") from exc
    except (OSError, ValueError) as exc:
        raise UsageError(f"{scores_file} cannot be read ({exc}): the run is damaged") from exc
    if not isinstance(scores, dict):
        raise UsageError(f"{scores_file} is not a scores document: the run is damaged")
    run = Run(folder=Path(folder), scores=scores)
    findings_file = run.folder / FINDINGS_FILE
    if not findings_file.is_file():
        run.problem = f"it has no {FINDINGS_FILE}"
    else:
        try:
            run.findings = pd.read_parquet(findings_file)
        except Exception as exc:  # pyarrow raises several types for damaged files
            run.problem = f"its {FINDINGS_FILE} cannot be read ({type(exc).__name__})"
    return run


def load_history(previous_run: str | Path | None, account_id: str) -> History:
    """The given earlier run and every readable run of the same account before it, oldest first.

    The given run must be readable and of the same account (UsageError otherwise); older runs that
    cannot be read are listed in `problems`.
    """
    if not previous_run:
        return History()
    prev = Path(previous_run)
    latest = read_run(prev)
    other = str(latest.scores.get("account_id", ""))
    if account_id and other and other != account_id:
        raise UsageError(f"the earlier run {prev} is of account {other}, not {account_id}: "
                         "trends compare runs of the same account")
    history = History()
    for folder in sorted(f for f in prev.parent.iterdir() if f.is_dir() and f.name < prev.name):
        if not (folder / SCORES_FILE).exists():
            continue  # a folder without scores is not a finished run (e.g. `srm collect` only)
        try:
            run = read_run(folder)
        except UsageError as exc:
            history.problems.append(f"{folder.name}: {exc}")
            continue
        if str(run.scores.get("account_id", "")) in ("", account_id):
            history.runs.append(run)
    history.runs.append(latest)
    if latest.problem:
        history.problems.append(f"{prev.name}: {latest.problem}; what changed since it cannot be shown")
    return history


def latest_run(output_root: Path, account_id: str, before: str | None = None) -> Path | None:
    """The most recent run of `account_id` under `output_root` that has scores (for --previous)."""
    folder = Path(output_root) / account_id
    if not account_id or not folder.is_dir():
        return None
    runs = sorted(f for f in folder.iterdir() if f.is_dir() and (f / SCORES_FILE).is_file()
                  and (before is None or f.name < before))
    return runs[-1] if runs else None


def trend_points(history: History, when: str, overall: dict, by_area: list[dict]) -> pd.DataFrame:
    """Overall and per-area score and coverage of every earlier run, then of this one."""
    rows = []

    def add(at, run_overall: dict, areas: list[dict]):
        rows.append({"when": at, "series": "Overall", "score": run_overall.get("score"),
                     "coverage": run_overall.get("coverage")})
        for r in areas:
            rows.append({"when": at, "series": DOMAINS.get(r.get("domain"), r.get("domain")),
                         "score": r.get("score"), "coverage": r.get("coverage")})

    seen: dict[str, int] = {}

    def label(at: str) -> str:  # two runs of one snapshot were collected at the same time
        seen[at] = seen.get(at, 0) + 1
        return at if seen[at] == 1 else f"{at} ({seen[at]})"

    for run in history.runs:
        add(label(run.when), run.scores.get("overall", {}), run.scores.get("by_area", []))
    add(label(when), overall, by_area)
    out = pd.DataFrame(rows, columns=list(TREND_COLUMNS))
    for col in ("score", "coverage"):
        out[col] = pd.to_numeric(out[col], errors="coerce")
    return out


def _failing(f: pd.DataFrame) -> pd.Series:
    muted = f["muted"].fillna(False).astype(bool) if "muted" in f.columns else False
    return (f["status"] == FAIL) & ~muted


def diff(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """One row per finding that fails in either run (muted findings are accepted risks, not
    failures), with its `change` (see CHANGES), matched by finding uid."""
    keep = ["finding_uid", "check_id", "title", "severity", "domain", "region", "resource_id", "status"]
    b = before.loc[_failing(before), keep]
    a = after.loc[:, keep].assign(failing=_failing(after))
    rows = b.merge(a, on="finding_uid", how="outer", suffixes=("_before", ""), indicator=True)
    rows = rows[(rows["_merge"] != "right_only") | rows["failing"].fillna(False).astype(bool)]
    now = rows["status"]
    change = pd.Series("still_failing", index=rows.index, dtype=object)
    change[rows["_merge"] == "right_only"] = "new"
    change[rows["_merge"] == "left_only"] = "gone"
    was = rows["_merge"] == "both"
    change[was & (now == PASS)] = "fixed"
    change[was & (now != PASS) & (now != FAIL)] = "not_evaluated"
    change[was & (now == FAIL) & ~rows["failing"].fillna(False).astype(bool)] = "muted"
    for col in ("check_id", "title", "severity", "domain", "region", "resource_id"):
        rows[col] = rows[col].where(rows[col].notna(), rows[f"{col}_before"])
    out = pd.DataFrame({
        "finding_uid": rows["finding_uid"], "change": change, "check_id": rows["check_id"],
        "title": rows["title"], "severity": rows["severity"], "severity_before": rows["severity_before"],
        "domain": rows["domain"], "region": rows["region"], "resource_id": rows["resource_id"],
        "status_before": rows["status_before"].where(rows["_merge"] != "right_only", ""),
        "status_after": now.where(rows["_merge"] != "left_only", ""),
    }, columns=list(DIFF_COLUMNS))
    out = out.astype(object).where(out.notna(), "")
    order = {c: i for i, c in enumerate(CHANGES)}
    return (out.assign(_c=out["change"].map(order)).sort_values(["_c", "check_id", "region", "resource_id"])
            .drop(columns="_c").reset_index(drop=True))


def change_counts(changes: pd.DataFrame) -> dict:
    counts = changes["change"].value_counts()
    return {c: int(counts.get(c, 0)) for c in CHANGES}


def score_delta(before: dict, after: dict) -> pd.DataFrame:
    """Score and coverage per area (and overall) in two scores documents, with the difference."""
    def table(doc):
        rows = [{"domain": "overall", **(doc.get("overall") or {})}] + list(doc.get("by_area") or [])
        t = pd.DataFrame(rows, columns=["domain", "score", "coverage"]).set_index("domain")
        return t.apply(pd.to_numeric, errors="coerce")

    b, a = table(before), table(after)
    out = b.join(a, how="outer", suffixes=("_before", "_after"))
    out["score_delta"] = out["score_after"] - out["score_before"]
    out["coverage_delta"] = out["coverage_after"] - out["coverage_before"]
    order = ["overall", *DOMAINS]
    out = out.reindex([d for d in order if d in out.index] + [d for d in out.index if d not in order])
    out.insert(0, "area", [("Overall" if d == "overall" else DOMAINS.get(d, d)) for d in out.index])
    return out.reset_index()


@dataclass
class RunDiff:
    """What changed from run `before` to run `after`: `changes` (one row per finding failing in
    either run, see `diff`) and `scores` (score and coverage per area, see `score_delta`)."""

    before: Run
    after: Run
    changes: pd.DataFrame
    scores: pd.DataFrame

    @property
    def counts(self) -> dict:
        return change_counts(self.changes)

    @property
    def severity_changed(self) -> pd.DataFrame:
        """Findings failing in both runs whose severity changed (a catalog update)."""
        c = self.changes
        return c[(c["change"] == "still_failing") & (c["severity"] != c["severity_before"])]

    def new_failures(self, at_least: str = SEVERITIES[-1]) -> pd.DataFrame:
        """New failing findings of severity `at_least` or worse."""
        worst = SEVERITIES[: SEVERITIES.index(at_least) + 1]
        c = self.changes
        return c[(c["change"] == "new") & c["severity"].isin(worst)]


def compare(before: Run, after: Run) -> RunDiff:
    """The diff of two runs of one account. UsageError when they are of different accounts or
    when either run's findings cannot be read."""
    accounts = {str(r.scores.get("account_id") or "") for r in (before, after)} - {""}
    if len(accounts) > 1:
        raise UsageError(f"{before.folder} and {after.folder} are runs of different accounts "
                         f"({' and '.join(sorted(accounts))}): a diff compares two runs of one account")
    for run in (before, after):
        if run.findings is None:
            raise UsageError(f"what changed cannot be shown: {run.folder}: {run.problem}")
    return RunDiff(before=before, after=after, changes=diff(before.findings, after.findings),
                   scores=score_delta(before.scores, after.scores))
