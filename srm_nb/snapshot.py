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

# `params` is the request's parameters as JSON (what was asked: bucket, user, filter...);
# `page` numbers the pages of a paginated listing (1 for a single call); `attempts` is 1 plus
# botocore's retries (throttling shows up there before it shows up as a failure).
CALLS_COLUMNS = (
    "collector", "service", "region", "operation", "resource_id", "status", "error_code",
    "duration_ms", "page", "attempts", "params",
)
GAPS_COLUMNS = (
    "table", "region", "resource_id", "service", "operation", "status", "error_code", "message",
)
MANIFEST = "manifest.json"
# What a snapshot's manifest must hold to be read (the runner writes more: times, counts...).
REQUIRED_MANIFEST_KEYS = ("schema_version", "account_id", "partition", "regions", "tables")


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
            # The manifest is written last and the folder renamed only then: a folder named like a
            # snapshot always has a manifest, and a manifest always has its tables.
            with open(tmp / MANIFEST, "w") as fh:
                fh.write(json.dumps(manifest, indent=2, sort_keys=True, default=str))
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.manifest, self.path = manifest, final
        return final

    @classmethod
    def load(cls, folder: str | os.PathLike) -> "Snapshot":
        """Read a snapshot folder, refusing anything incomplete, damaged or of another version.

        Every refusal is a SnapshotError naming the problem and what to do next.
        """
        path = Path(folder)
        if (path / "snapshot" / MANIFEST).exists():  # accept a run folder too
            path = path / "snapshot"
        mf = path / MANIFEST
        if not path.is_dir():
            raise SnapshotError(f"no snapshot at {path}: pass the folder `srm collect` wrote")
        if not mf.exists():
            partial = " (it looks like an interrupted collection)" if path.name.startswith(".") else ""
            raise SnapshotError(
                f"{path} has no {MANIFEST}{partial}: it is not a snapshot, or its collection did "
                "not finish; collect the account again"
            )
        try:
            manifest = json.loads(mf.read_text())
        except (OSError, ValueError) as exc:
            raise SnapshotError(f"{mf} is corrupt ({exc}): collect the account again") from exc
        if not isinstance(manifest, dict):
            raise SnapshotError(f"{mf} is corrupt (not a JSON object): collect the account again")
        version = manifest.get("schema_version")
        if version != SNAPSHOT_SCHEMA_VERSION:
            raise SnapshotError(
                f"{path} has snapshot schema version {version}, this srm-workbook reads version "
                f"{SNAPSHOT_SCHEMA_VERSION}: collect again, or use the srm-workbook version "
                f"{manifest.get('tool_version', '?')} that wrote it"
            )
        missing_keys = [k for k in REQUIRED_MANIFEST_KEYS if k not in manifest]
        if missing_keys:
            raise SnapshotError(
                f"{mf} lacks {', '.join(missing_keys)}: the manifest was edited or truncated; "
                "collect the account again"
            )
        listed = manifest["tables"]
        if not isinstance(listed, dict) or not {"calls", "gaps"} <= set(listed):
            raise SnapshotError(
                f"{mf} does not list the calls and gaps tables: without them missing data cannot "
                "be told from absent resources; collect the account again"
            )
        tables = {}
        for name, meta in listed.items():
            file = path / "tables" / f"{name}.parquet"
            if not file.exists():
                raise SnapshotError(
                    f"snapshot {path} is missing table file tables/{file.name}: copy the whole "
                    "snapshot folder, or collect again"
                )
            if _sha256(file) != (meta or {}).get("sha256"):
                raise SnapshotError(
                    f"table file {file} does not match its checksum in {MANIFEST}: the snapshot "
                    "was modified or damaged; collect again"
                )
            try:
                tables[name] = pd.read_parquet(file)
            except Exception as exc:  # pyarrow raises several types for damaged files
                raise SnapshotError(f"table file {file} cannot be read ({exc}): collect again") from exc
            rows = (meta or {}).get("rows")
            if rows is not None and rows != len(tables[name]):
                raise SnapshotError(
                    f"table file {file} has {len(tables[name])} rows, its manifest says {rows}: "
                    "collect again"
                )
        # Columns added without a schema bump (calls.page, calls.attempts): fill them in.
        for name, cols in (("calls", CALLS_COLUMNS), ("gaps", GAPS_COLUMNS)):
            for col in cols:
                if col not in tables[name].columns:
                    tables[name][col] = pd.NA
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
