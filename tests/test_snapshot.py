"""Snapshots on disk: atomic writes, a complete manifest, and clear refusals."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from conftest import make_snapshot
from srm_nb import SNAPSHOT_SCHEMA_VERSION
from srm_nb.errors import SnapshotError
from srm_nb.snapshot import CALLS_COLUMNS, MANIFEST, Snapshot


def _snapshot() -> Snapshot:
    return make_snapshot(
        {"ec2_volumes": pd.DataFrame({"region": ["us-east-1"], "volume_id": ["vol-1"], "encrypted": [True]})},
        calls=[{"collector": "ec2", "service": "ec2", "region": "us-east-1", "operation": "DescribeVolumes",
                "resource_id": "", "status": "ok", "error_code": "", "duration_ms": 3.5, "page": 1,
                "attempts": 1, "params": ""}],
        account_id="111122223333", account_alias="acme", caller_arn="arn:aws:iam::111122223333:user/a",
        started_at="2026-11-28T07:00:00+00:00", finished_at="2026-11-28T07:01:00+00:00",
        error_counts={}, call_count=1,
    )


@pytest.fixture
def saved(tmp_path):
    return _snapshot().save(tmp_path / "snap")


def test_round_trip_and_manifest(saved, tmp_path):
    loaded = Snapshot.load(saved)
    assert loaded.table("ec2_volumes")["volume_id"].tolist() == ["vol-1"]
    m = json.loads((saved / MANIFEST).read_text())
    assert m["schema_version"] == SNAPSHOT_SCHEMA_VERSION
    assert m["tables"]["ec2_volumes"]["rows"] == 1 and len(m["tables"]["calls"]["sha256"]) == 64
    for key in ("account_id", "account_alias", "partition", "regions", "caller_arn", "started_at",
                "finished_at", "tool_version", "error_counts"):
        assert key in m
    assert [p.name for p in tmp_path.iterdir()] == ["snap"]  # no temporary folder left


def test_save_refuses_an_existing_folder(saved):
    with pytest.raises(SnapshotError, match="already exists"):
        _snapshot().save(saved)


def test_failed_save_leaves_nothing(tmp_path, monkeypatch):
    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_parquet", boom)
    with pytest.raises(OSError):
        _snapshot().save(tmp_path / "snap")
    assert list(tmp_path.iterdir()) == []


def test_other_schema_version(saved):
    m = json.loads((saved / MANIFEST).read_text())
    m["schema_version"] = SNAPSHOT_SCHEMA_VERSION + 1
    (saved / MANIFEST).write_text(json.dumps(m))
    with pytest.raises(SnapshotError, match=rf"schema version {SNAPSHOT_SCHEMA_VERSION + 1}.*reads version"):
        Snapshot.load(saved)


def test_missing_manifest(saved):
    (saved / MANIFEST).unlink()
    with pytest.raises(SnapshotError, match="no manifest.json.*did not finish"):
        Snapshot.load(saved)


def test_corrupt_manifest(saved):
    (saved / MANIFEST).write_text('{"schema_version": 1, "tables": ')
    with pytest.raises(SnapshotError, match="manifest.json is corrupt"):
        Snapshot.load(saved)


def test_manifest_missing_keys(saved):
    m = json.loads((saved / MANIFEST).read_text())
    del m["account_id"], m["regions"]
    (saved / MANIFEST).write_text(json.dumps(m))
    with pytest.raises(SnapshotError, match="lacks account_id, regions"):
        Snapshot.load(saved)


def test_manifest_without_calls_and_gaps(saved):
    m = json.loads((saved / MANIFEST).read_text())
    del m["tables"]["gaps"]
    (saved / MANIFEST).write_text(json.dumps(m))
    with pytest.raises(SnapshotError, match="calls and gaps"):
        Snapshot.load(saved)


def test_missing_table_file(saved):
    (saved / "tables" / "ec2_volumes.parquet").unlink()
    with pytest.raises(SnapshotError, match="missing table file tables/ec2_volumes.parquet"):
        Snapshot.load(saved)


def test_modified_table_file(saved):
    file = saved / "tables" / "ec2_volumes.parquet"
    file.write_bytes(file.read_bytes()[:-20] + b"x" * 20)
    with pytest.raises(SnapshotError, match="does not match its checksum"):
        Snapshot.load(saved)


def test_unreadable_table_file_with_matching_checksum(saved):
    """Damage that happened before the checksum was taken still gets a clear message."""
    import hashlib

    file = saved / "tables" / "ec2_volumes.parquet"
    file.write_bytes(b"not parquet at all")
    m = json.loads((saved / MANIFEST).read_text())
    m["tables"]["ec2_volumes"]["sha256"] = hashlib.sha256(b"not parquet at all").hexdigest()
    (saved / MANIFEST).write_text(json.dumps(m))
    with pytest.raises(SnapshotError, match="ec2_volumes.parquet cannot be read"):
        Snapshot.load(saved)


def test_not_a_folder(tmp_path):
    with pytest.raises(SnapshotError, match="no snapshot at"):
        Snapshot.load(tmp_path / "nowhere")


def test_interrupted_partial_folder_is_named(saved, tmp_path):
    partial = tmp_path / ".snap.partial-0123abcd"
    shutil.copytree(saved, partial)
    (partial / MANIFEST).unlink()
    with pytest.raises(SnapshotError, match="interrupted collection"):
        Snapshot.load(partial)


def test_run_folder_is_accepted(tmp_path):
    path = _snapshot().save(tmp_path / "run" / "snapshot")
    assert Snapshot.load(tmp_path / "run").path == path


def test_older_calls_table_gets_new_columns(tmp_path):
    s = _snapshot()
    s.tables["calls"] = s.tables["calls"].drop(columns=["page", "attempts", "params"])
    loaded = Snapshot.load(s.save(tmp_path / "old"))
    assert list(loaded.calls.columns) == list(CALLS_COLUMNS)
