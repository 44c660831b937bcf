"""A snapshot: an account's configuration as pandas tables, saved to and loaded from disk.

On disk a snapshot is a folder:

    manifest.json        schema version, account, regions, caller, times, row counts, checksums
    tables/<name>.parquet

It is written into a temporary sibling folder and renamed into place only when complete, so an
interrupted run never leaves a folder that looks like a snapshot. Loading verifies the schema
version and every table's checksum and names the problem when something is off.

Two tables are always present: `calls` (every API request and its outcome) and `gaps` (data that
could not be collected: table, region, resource, why). Checks read `gaps` to report ERROR.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import SNAPSHOT_SCHEMA_VERSION, __version__
from .errors import SnapshotError

CALLS_COLUMNS = (
    "collector", "service", "region", "operation", "resource_id", "status", "error_code",
    "duration_ms",
)
GAPS_COLUMNS = (
    "table", "region", "resource_id", "service", "operation", "status", "error_code", "message",
)
MANIFEST = "manifest.json"


@dataclass
class Snapshot:
    tables: dict[str, pd.DataFrame]
    manifest: dict = field(default_factory=dict)
    path: Path | None = None

    # -- access ---------------------------------------------------------------------------
    def table(self, name: str) -> pd.DataFrame:
        """A table by name. A table that was never collected raises KeyError: the check runner
        turns that into ERROR findings ("not collected"), never into PASS."""
        if name not in self.tables:
            raise KeyError(name)
        return self.tables[name]

    def has(self, name: str) -> bool:
        return name in self.tables

    @property
    def calls(self) -> pd.DataFrame:
        return self.tables.get("calls", pd.DataFrame(columns=list(CALLS_COLUMNS)))

    @property
    def gaps(self) -> pd.DataFrame:
        return self.tables.get("gaps", pd.DataFrame(columns=list(GAPS_COLUMNS)))

    @property
    def account_id(self) -> str:
        return str(self.manifest.get("account_id", ""))

    @property
    def partition(self) -> str:
        return str(self.manifest.get("partition", "aws"))

    @property
    def regions(self) -> list[str]:
        return list(self.manifest.get("regions", []))

    # -- disk -------------------------------------------------------------------------------
    def save(self, folder: str | os.PathLike) -> Path:
        """Write atomically to `folder` (which must not exist yet) and return it."""
        final = Path(folder)
        if final.exists():
            raise SnapshotError(f"{final} already exists: choose another folder or remove it")
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".{final.name}.partial-{uuid.uuid4().hex[:8]}"
        try:
            (tmp / "tables").mkdir(parents=True)
            files = {}
            for name, df in sorted(self.tables.items()):
                target = tmp / "tables" / f"{name}.parquet"
                _frame_for_parquet(df).to_parquet(target, index=False)
                files[name] = {"rows": int(len(df)), "sha256": _sha256(target)}
            manifest = {
                **self.manifest,
                "schema_version": SNAPSHOT_SCHEMA_VERSION,
                "tool_version": self.manifest.get("tool_version", __version__),
                "tables": files,
            }
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.manifest, self.path = manifest, final
        return final

    @classmethod
    def load(cls, folder: str | os.PathLike) -> "Snapshot":
        path = Path(folder)
        if (path / "snapshot" / MANIFEST).exists():  # accept a run folder too
            path = path / "snapshot"
        mf = path / MANIFEST
        if not path.is_dir():
            raise SnapshotError(f"no snapshot at {path}: pass the folder `srm collect` wrote")
        if not mf.exists():
            raise SnapshotError(
                f"{path} has no {MANIFEST}: it is not a snapshot, or its collection did not finish"
            )
        try:
            manifest = json.loads(mf.read_text())
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"{mf} is corrupt ({exc}): collect the account again") from exc
        version = manifest.get("schema_version")
        if version != SNAPSHOT_SCHEMA_VERSION:
            raise SnapshotError(
                f"{path} has snapshot schema version {version}, this srm-workbook reads version "
                f"{SNAPSHOT_SCHEMA_VERSION}: collect again, or use the srm-workbook version "
                f"{manifest.get('tool_version', '?')} that wrote it"
            )
        tables = {}
        for name, meta in manifest.get("tables", {}).items():
            file = path / "tables" / f"{name}.parquet"
            if not file.exists():
                raise SnapshotError(f"snapshot {path} is missing table file {file.name}")
            if _sha256(file) != meta.get("sha256"):
                raise SnapshotError(
                    f"table file {file} does not match its checksum in {MANIFEST}: the snapshot "
                    "was modified or damaged; collect again"
                )
            try:
                tables[name] = pd.read_parquet(file)
            except Exception as exc:  # pyarrow raises several types for damaged files
                raise SnapshotError(f"table file {file} cannot be read ({exc})") from exc
        return cls(tables=tables, manifest=manifest, path=path)


def _frame_for_parquet(df: pd.DataFrame) -> pd.DataFrame:
    """Parquet needs one type per column: mixed object columns are stored as text."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object:
            kinds = {type(v) for v in out[col].dropna()}
            if len(kinds) > 1 or (kinds and not kinds <= {str, bool, int, float}):
                out[col] = out[col].map(lambda v: None if v is None or v is pd.NA else str(v))
    return out


def _sha256(file: Path) -> str:
    digest = hashlib.sha256()
    with open(file, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
