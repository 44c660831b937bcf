"""`srm pack` and `srm verify` on the demo's real run folder: the round trip, a one-byte change in
any file of the zip, files added or removed, and packs that must not be made."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile

import pytest

from conftest import run_srm
from srm_nb.pack import META, SUMS, verify_pack

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def pack(demo_run, tmp_path_factory):
    folder, _ = demo_run
    out = tmp_path_factory.mktemp("pack") / "evidence.zip"
    proc = run_srm("pack", str(folder), "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"Evidence pack: {out}"
    return out


def rewrite(src, dst, change):
    """Copy the zip entry by entry; `change(name, data)` returns the new bytes (None drops it)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info, data)
    return dst


def test_pack_holds_the_whole_run_and_verifies(pack, demo_run):
    folder, _ = demo_run
    run_files = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    with zipfile.ZipFile(pack) as z:
        names = set(z.namelist())
        meta = json.loads(z.read(META))
    assert names == run_files | {SUMS, META}
    assert {"report.pdf", "report.html", "assessment.ipynb", "findings.csv", "findings.xlsx",
            "findings.ocsf.json", "scores.json", "snapshot/manifest.json"} <= names
    scores = json.loads((folder / "scores.json").read_text())
    assert meta["account_id"] == "123456789012" and meta["score"] == scores["overall"]["score"]
    assert meta["engagement"]["engagement"] == "ENG-2026-042" and meta["caller_arn"].startswith("arn:aws:sts::")
    assert meta["files"] == len(run_files)
    proc = run_srm("verify", str(pack))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith(f"OK: {len(run_files)} files match SHA256SUMS")


def test_unzipped_pack_checks_with_sha256sum(pack, tmp_path):
    if shutil.which("sha256sum") is None:
        pytest.skip("coreutils' sha256sum is not installed")
    with zipfile.ZipFile(pack) as z:
        z.extractall(tmp_path)
    proc = subprocess.run(["sha256sum", "--check", "--quiet", SUMS], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_one_byte_change_in_any_file_is_found_and_named(pack, tmp_path):
    with zipfile.ZipFile(pack) as z:  # read once; each changed copy is stored, not deflated again
        members = [(zipfile.ZipInfo(i.filename, i.date_time), z.read(i.filename)) for i in z.infolist()]
    for name in [info.filename for info, _ in members]:
        changed = tmp_path / "changed.zip"
        with zipfile.ZipFile(changed, "w", zipfile.ZIP_STORED) as zout:
            for info, data in members:
                if info.filename == name:
                    i = len(data) // 2
                    data = data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1:]
                zout.writestr(info, data)
        v = verify_pack(changed)
        assert not v.intact, name
        if name not in (SUMS, META):
            assert v.altered == [name], (name, v)
        else:
            assert any(name in p for p in v.problems) or name == SUMS and v.altered, (name, v.problems)


def test_a_flipped_byte_in_the_compressed_zip_is_found_by_the_cli(pack, tmp_path):
    data = bytearray(pack.read_bytes())
    with zipfile.ZipFile(pack) as z:
        info = z.getinfo("findings.csv")
    # Inside findings.csv's compressed bytes, past its local header (30 bytes + name + extra).
    data[info.header_offset + 30 + len(info.filename) + 64] ^= 0xFF
    changed = tmp_path / "raw.zip"
    changed.write_bytes(bytes(data))
    proc = run_srm("verify", str(changed))
    assert proc.returncode == 8, proc.stdout + proc.stderr
    assert "altered: findings.csv" in proc.stdout and "FAILED verification" in proc.stderr


def test_added_and_removed_files_are_named(pack, tmp_path):
    removed = verify_pack(rewrite(pack, tmp_path / "removed.zip", lambda n, d: None if n == "report.pdf" else d))
    assert removed.missing == ["report.pdf"] and not removed.intact
    added = tmp_path / "added.zip"
    shutil.copy(pack, added)
    with zipfile.ZipFile(added, "a") as z:
        z.writestr("extra.txt", "not sealed")
    assert verify_pack(added).unlisted == ["extra.txt"]


def test_a_rewritten_pack_json_is_found_even_with_valid_json(pack, tmp_path):
    def inflate(n, data):
        if n != META:
            return data
        doc = json.loads(data)
        doc["score"] = 99.0
        return (json.dumps(doc, indent=2, sort_keys=True) + "\n").encode()

    v = verify_pack(rewrite(pack, tmp_path / "meta.zip", inflate))
    assert v.problems == [f"{META} differs from what the sealed files say: it was altered"]


def test_packs_that_must_not_be_made(demo_run, pack, tmp_path):
    folder, _ = demo_run
    proc = run_srm("pack", str(tmp_path), "--output", str(tmp_path / "x.zip"))
    assert proc.returncode == 2 and "not a complete run folder" in proc.stderr
    proc = run_srm("pack", str(folder), "--output", str(pack))
    assert proc.returncode == 2 and "--force" in proc.stderr
    linked = tmp_path / "run"
    shutil.copytree(folder, linked)
    (linked / "secret.txt").symlink_to("/etc/hostname")
    proc = run_srm("pack", str(linked), "--output", str(tmp_path / "y.zip"))
    assert proc.returncode == 2 and "is a link" in proc.stderr and not (tmp_path / "y.zip").exists()
    (linked / "secret.txt").unlink()
    manifest = linked / "snapshot" / "tables" / "iam_users.parquet"
    manifest.write_bytes(manifest.read_bytes() + b"x")  # a damaged snapshot is not sealed
    proc = run_srm("pack", str(linked), "--output", str(tmp_path / "z.zip"))
    assert proc.returncode == 2 and "will not pack" in proc.stderr
    proc = run_srm("verify", str(folder / "scores.json"))
    assert proc.returncode == 2 and "not a readable zip" in proc.stderr and "Traceback" not in proc.stderr
