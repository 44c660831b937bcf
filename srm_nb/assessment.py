"""An assessment: a snapshot, its findings and their scores, computed once and shared by the
CLI's exports and the report notebook."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .checks import run_checks
from .checks.base import DOMAINS
from .scoring import overall, score_by
from .snapshot import Snapshot

FINDINGS_FILE = "findings.parquet"


@dataclass
class Assessment:
    snapshot: Snapshot
    findings: pd.DataFrame

    @classmethod
    def from_snapshot(cls, snapshot: Snapshot | str | Path) -> "Assessment":
        s = snapshot if isinstance(snapshot, Snapshot) else Snapshot.load(snapshot)
        return cls(snapshot=s, findings=run_checks(s))

    @classmethod
    def load(cls, snapshot_path: str | Path, output_dir: str | Path | None = None) -> "Assessment":
        """Reuse the findings the CLI already computed into `output_dir`, else run the checks."""
        s = Snapshot.load(snapshot_path)
        cached = Path(output_dir) / FINDINGS_FILE if output_dir else None
        if cached is not None and cached.exists():
            return cls(snapshot=s, findings=pd.read_parquet(cached))
        return cls(snapshot=s, findings=run_checks(s))

    @property
    def overall(self) -> dict:
        return overall(self.findings)

    def scores(self, by: str = "domain") -> pd.DataFrame:
        out = score_by(self.findings, by)
        if by == "domain":
            out["area"] = out["domain"].map(DOMAINS)
            out = out.set_index("domain").reindex([d for d in DOMAINS if d in set(out["domain"])]).reset_index()
        return out
