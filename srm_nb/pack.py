"""The evidence pack: one zip a consultant hands over, and its verification.

The zip holds the run folder as it is (report.pdf, report.html, the exports, scores.json, the
executed notebook, the snapshot) plus two files of its own:

- `SHA256SUMS`: the SHA-256 of every other file, in `sha256sum` format (so `sha256sum -c` checks
  an unzipped pack too);
- `pack.json`: tool and catalog version, account, dates, caller identity, regions, scores,
  coverage, engagement details, and the SHA-256 of `SHA256SUMS` itself.

Every field of `pack.json` is derived from files that `SHA256SUMS` covers, so `verify` rebuilds it
and compares bytes: a change anywhere in the zip, one byte in any file, is found and named. The
pack adds nothing that is not already in the run folder: the snapshot holds configuration, never
data, and there is no option to add anything else.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SnapshotError, UsageError

SUMS, META = "SHA256SUMS", "pack.json"
PACK_SCHEMA = 1
REQUIRED = ("scores.json", "report.html", "snapshot/manifest.json")


@dataclass
class Verification:
    files: int = 0  # files checked against SHA256SUMS
    altered: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # the pack's own files, the zip itself
    meta: dict = field(default_factory=dict)

    @property
    def intact(self) -> bool:
        return not (self.altered or self.missing or self.unlisted or self.problems)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sums_text(digests: dict[str, str]) -> bytes:
    return "".join(f"{digests[name]}  {name}\n" for name in sorted(digests)).encode()


def _meta_bytes(files: dict[str, bytes], sums: bytes) -> bytes:
    """pack.json, from the run's own files (canonical JSON: verify compares it byte for byte)."""
    scores = json.loads(files["scores.json"])
    manifest = json.loads(files["snapshot/manifest.json"])
    o = scores.get("overall") or {}
    doc = {
        "schema": PACK_SCHEMA,
        "tool_version": scores.get("tool_version"),
        "catalog_version": scores.get("catalog_version"),
        "account_id": scores.get("account_id"),
        "account_alias": scores.get("account_alias"),
        "partition": manifest.get("partition"),
        "collection_started_at": manifest.get("started_at"),
        "collection_finished_at": manifest.get("finished_at"),
        "report_generated_at": scores.get("generated_at"),
        "caller_arn": manifest.get("caller_arn"),
        "regions": scores.get("regions"),
        "engagement": scores.get("engagement"),
        "label": scores.get("label"),
        "score": o.get("score"),
        "coverage": o.get("coverage"),
        "findings": {k: o.get(k) for k in ("passed", "failed", "errors", "muted")},
        "files": len(files),
        "sha256sums_sha256": _sha256(sums),
    }
    return (json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def _run_files(folder: Path) -> dict[str, Path]:
    """Every file of the run folder by its path inside the zip. A link is refused: a run folder
    srm wrote holds none, and following one could put a file from elsewhere into the pack."""
    out = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise UsageError(f"{path} is a link; a run folder written by srm holds none: pack a copy "
                             "with the linked files in place")
        if path.is_file():
            out[path.relative_to(folder).as_posix()] = path
    return out


def make_pack(run_folder: str | Path, output: str | Path | None = None, *, force: bool = False) -> Path:
    """Write the evidence pack of `run_folder`; returns the zip's path."""
    from .snapshot import Snapshot

    folder = Path(run_folder)
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder: give a run folder, e.g. outputs/<account>/<stamp>")
    paths = _run_files(folder)
    missing = [name for name in REQUIRED if name not in paths]
    if missing:
        raise UsageError(f"{folder} is not a complete run folder (no {', '.join(missing)}): pack the folder "
                         "`srm assess` printed")
    if any(name in paths for name in (SUMS, META)):
        raise UsageError(f"{folder} already holds a {SUMS} or {META}: pack the run folder, not an unzipped pack")
    try:  # sealing a damaged snapshot would certify the damage
        Snapshot.load(folder / "snapshot")
    except SnapshotError as exc:
        raise UsageError(f"will not pack {folder}: {exc}") from exc
    files = {name: path.read_bytes() for name, path in paths.items()}
    sums = _sums_text({name: _sha256(data) for name, data in files.items()})
    meta = _meta_bytes(files, sums)

    scores = json.loads(files["scores.json"])
    out = Path(output) if output else Path(f"srm-evidence-{scores.get('account_id', 'account')}-{folder.name}.zip")
    if out.exists() and not force:
        raise UsageError(f"{out} exists: choose another --output or pass --force to replace it")
    if out.resolve().is_relative_to(folder.resolve()):
        raise UsageError(f"{out} is inside the run folder it packs: write it elsewhere")
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".srm-pack-", suffix=".zip", dir=out.parent)
    os.close(fd)
    try:  # written beside the target and renamed: no half-written pack under the final name
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            z.writestr(META, meta)
            z.writestr(SUMS, sums)
            for name, data in files.items():
                z.writestr(zipfile.ZipInfo.from_file(paths[name], name), data,
                           compress_type=zipfile.ZIP_DEFLATED)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def verify_pack(pack: str | Path) -> Verification:
    """Recompute every digest of the pack; the result names each file that differs."""
    path = Path(pack)
    try:
        z = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise UsageError(f"{path} is not a readable zip ({exc}): give the .zip `srm pack` wrote") from exc
    v = Verification()
    with z:
        names = [i.filename for i in z.infolist() if not i.is_dir()]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:  # a second entry of a name can shadow the sealed one in some unzip tools
            v.problems.append(f"the zip holds several entries named {', '.join(duplicates)}")
        if SUMS not in names or META not in names:
            raise UsageError(f"{path} has no {SUMS} or {META}: it is not an evidence pack from `srm pack`")
        contents = {name: data for name in sorted(set(names))
                    if (data := _read(z, name, v)) is not None}
    sums, meta = contents.pop(SUMS, b""), contents.pop(META, b"")
    listed = _parse_sums(sums, v)
    for name, digest in listed.items():
        if name not in contents:
            if name not in v.altered:
                v.missing.append(name)
        elif _sha256(contents[name]) != digest:
            v.altered.append(name)
    v.unlisted = sorted(set(contents) - set(listed))
    v.files = len(listed)
    try:
        v.meta = json.loads(meta)
    except ValueError:
        pass
    if not isinstance(v.meta, dict) or not v.meta:
        v.problems.append(f"{META} is not the JSON `srm pack` writes")
        v.meta = {}
    elif v.meta.get("sha256sums_sha256") != _sha256(sums):
        v.problems.append(f"{SUMS} does not match the digest {META} records: it was altered")
    elif not (v.altered or v.missing or v.unlisted):
        try:
            expected = _meta_bytes(contents, sums)
        except (KeyError, ValueError):
            expected = b""
        if meta != expected:
            v.problems.append(f"{META} differs from what the sealed files say: it was altered")
    v.altered.sort()
    v.missing.sort()
    return v


def _read(z: zipfile.ZipFile, name: str, v: Verification) -> bytes | None:
    """An entry's bytes; None, with the entry named as altered, when they no longer inflate or
    fail the zip's own CRC."""
    try:
        return z.read(name)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        v.altered.append(name)
        v.problems.append(f"{name} cannot be read back ({exc})")
        return None


def _parse_sums(text: bytes, v: Verification) -> dict[str, str]:
    listed = {}
    for n, line in enumerate(text.decode("utf-8", errors="replace").splitlines(), 1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64 or not name:
            v.problems.append(f"{SUMS} line {n} is malformed")
            continue
        listed[name] = digest
    return listed

