"""An assessment: a snapshot, its findings (with mutes applied), their scores, the live
responsibility matrix and the account's earlier runs. Computed once, shared by the CLI's exports
and the report notebook."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from pathlib import Path

import pandas as pd

from . import __version__
from .checks import CATALOG_VERSION, load_catalog, run_checks
from .checks.base import DOMAINS
from .errors import UsageError
from .mutes import Mute, apply_mutes, load_mutes
from .scoring import SEVERITY_WEIGHTS, overall, score_by
from .snapshot import Snapshot

FINDINGS_FILE = "findings.parquet"
SCORES_FILE = "scores.json"
SCORES_SCHEMA = 1


@dataclass
class PreviousRun:
    folder: Path
    scores: dict
    findings: pd.DataFrame | None = None

    @property
    def when(self) -> str:
        return str(self.scores.get("assessed_at") or self.scores.get("generated_at") or self.folder.name)


@dataclass
class Assessment:
    snapshot: Snapshot
    findings: pd.DataFrame
    mutes: list[Mute] = field(default_factory=list)
    history: list[PreviousRun] = field(default_factory=list)  # earlier runs, oldest first

    def __post_init__(self):
        if "muted" not in self.findings.columns or self.mutes:
            self.findings = apply_mutes(self.findings, self.mutes)

    # -- construction -----------------------------------------------------------------------
    @classmethod
    def from_snapshot(cls, snapshot: Snapshot | str | Path, *, mute_file: str | Path | None = None,
                      previous_run: str | Path | None = None) -> "Assessment":
        s = snapshot if isinstance(snapshot, Snapshot) else Snapshot.load(snapshot)
        return cls(snapshot=s, findings=run_checks(s), mutes=_mutes(mute_file),
                   history=load_history(previous_run, s.account_id))

    @classmethod
    def load(cls, snapshot_path: str | Path, output_dir: str | Path | None = None, *,
             mute_file: str | Path | None = None, previous_run: str | Path | None = None) -> "Assessment":
        """Reuse the findings the CLI already computed into `output_dir`, else run the checks."""
        s = Snapshot.load(snapshot_path)
        cached = Path(output_dir) / FINDINGS_FILE if output_dir else None
        findings = pd.read_parquet(cached) if cached is not None and cached.exists() else run_checks(s)
        return cls(snapshot=s, findings=findings, mutes=_mutes(mute_file),
                   history=load_history(previous_run, s.account_id))

    # -- scores -----------------------------------------------------------------------------
    @property
    def overall(self) -> dict:
        out = overall(self.findings)
        out["muted"] = int(self.findings["muted"].sum())
        return out

    def scores(self, by: str | list[str] = "domain") -> pd.DataFrame:
        out = score_by(self.findings, by)
        if by == "domain":
            out["area"] = out["domain"].map(DOMAINS)
            present = set(out["domain"])
            out = out.set_index("domain").reindex([d for d in DOMAINS if d in present]).reset_index()
        return out

    @property
    def active(self) -> pd.DataFrame:
        """Findings that are not muted."""
        return self.findings[~self.findings["muted"]]

    # -- responsibility matrix ---------------------------------------------------------------
    @cached_property
    def matrix(self):
        from .matrix import load_matrix

        return load_matrix(strict=False)

    @cached_property
    def services_in_use(self) -> list[str]:
        from .matrix import services_in_use

        return services_in_use(self.matrix, self.snapshot, self.findings)

    def live_matrix(self, all_services: bool = False) -> pd.DataFrame:
        from .matrix import live_matrix

        key = (all_services, id(self.findings), len(self.findings))
        if getattr(self, "_live", (None,))[0] != key:  # computed once per findings table
            self._live = (key, live_matrix(self.matrix, self.findings,
                                           None if all_services else self.services_in_use))
        return self._live[1]

    # -- the scores file (trends read it back) ---------------------------------------------------
    def scores_document(self) -> dict:
        m = self.snapshot.manifest
        matrix = self.live_matrix()
        return _clean({
            "schema": SCORES_SCHEMA,
            "tool_version": __version__,
            "catalog_version": CATALOG_VERSION,
            "account_id": self.snapshot.account_id,
            "account_alias": m.get("account_alias", ""),
            "assessed_at": m.get("started_at", ""),
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "regions": self.snapshot.regions,
            "scoring": {"weights": SEVERITY_WEIGHTS, "model": "severity-weighted pass rate per check; "
                        "ERROR counts as not passed; N/A, MANUAL and muted excluded"},
            "overall": self.overall,
            "by_area": self.scores("domain").to_dict(orient="records"),
            "by_service": self.scores("service").to_dict(orient="records"),
            "by_region": self.scores("region").to_dict(orient="records"),
            "matrix": matrix[["service", "item", "status", "score", "coverage"]].to_dict(orient="records"),
            "status_counts": self.findings["status"].value_counts().to_dict(),
        })


def _mutes(mute_file) -> list[Mute]:
    if not mute_file:
        return []
    return load_mutes(mute_file, known_checks=set(load_catalog()))


def _clean(obj):
    """JSON-safe: NaN becomes null, numpy scalars become Python numbers."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        obj = obj.item()
    if isinstance(obj, float) and math.isnan(obj):
        return None
    return obj


def write_scores(a: Assessment, path: Path) -> Path:
    path.write_text(json.dumps(a.scores_document(), indent=2, default=str), encoding="utf-8")
    return path


def _read_run(folder: Path) -> PreviousRun | None:
    scores_file = folder / SCORES_FILE
    if not scores_file.is_file():
        return None
    try:
        scores = json.loads(scores_file.read_text())
    except (OSError, ValueError):
        return None  # a damaged earlier run does not stop today's report
    findings_file = folder / FINDINGS_FILE
    findings = None
    if findings_file.is_file():
        try:
            findings = pd.read_parquet(findings_file)
        except Exception:  # pyarrow raises several types for damaged files
            findings = None
    return PreviousRun(folder=folder, scores=scores, findings=findings)


def load_history(previous_run: str | Path | None, account_id: str) -> list[PreviousRun]:
    """The given earlier run and every run of the same account before it, oldest first.

    Runs live in <outputs>/<account-id>/<timestamp>/; folder names sort in time order.
    """
    if not previous_run:
        return []
    prev = Path(previous_run)
    latest = _read_run(prev)
    if latest is None:
        raise UsageError(f"{prev} is not an earlier run: it has no readable {SCORES_FILE} "
                         "(pass a run folder srm wrote, outputs/<account-id>/<timestamp>/)")
    other = str(latest.scores.get("account_id", ""))
    if account_id and other and other != account_id:
        raise UsageError(f"the earlier run {prev} is of account {other}, not {account_id}: "
                         "trends compare runs of the same account")
    runs = [r for f in sorted(prev.parent.iterdir()) if f.is_dir() and f.name < prev.name
            and (r := _read_run(f)) is not None and str(r.scores.get("account_id", "")) in ("", account_id)]
    return [*runs, latest]


def latest_run(output_root: Path, account_id: str, before: str | None = None) -> Path | None:
    """The most recent run of `account_id` under `output_root` that has scores (for --previous)."""
    folder = Path(output_root) / account_id
    if not account_id or not folder.is_dir():
        return None
    runs = sorted(f for f in folder.iterdir() if f.is_dir() and (f / SCORES_FILE).is_file()
                  and (before is None or f.name < before))
    return runs[-1] if runs else None
