"""`srm collect` and `srm assess --snapshot` as a user runs them: the real CLI in a subprocess."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
from pathlib import Path

import boto3
import pytest
from collect_framework_support import held_server
from conftest import ROOT, cli_env, run_srm

from srm_nb.errors import SnapshotError
from srm_nb.snapshot import Snapshot

pytestmark = pytest.mark.e2e


def _seed(endpoint: str) -> str:
    """A volume and an alias (moto's in-process state is shared within a test worker, so the
    account may hold other tests' resources too)."""
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=endpoint)
    volume = ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)["VolumeId"]
    iam = boto3.client("iam", region_name="us-east-1", endpoint_url=endpoint)
    for alias in iam.list_account_aliases()["AccountAliases"]:
        iam.delete_account_alias(AccountAlias=alias)
    iam.create_account_alias(AccountAlias="cli-test")
    return volume


def test_collect_then_assess_offline(aws_server, tmp_path):
    volume = _seed(aws_server.endpoint)
    proc = run_srm("collect", "--regions", "us-east-1", "--output", str(tmp_path / "snaps"),
                   "--services", "iam,ec2", AWS_ENDPOINT_URL=aws_server.endpoint)
    assert proc.returncode == 0, proc.stderr
    assert "Assessing account 123456789012 (aws) as arn:aws:" in proc.stderr
    assert "API calls in 1 region(s)" in proc.stderr
    # A progress bar per service, naming the last (collector, region) task done.
    assert re.search(r"iam *: 100%.*4/4.*iam_\w+ global", proc.stderr)
    assert re.search(r"ec2 *: 100%.*/.*(ec2|vpc) us-east-1", proc.stderr)
    path = Path(proc.stdout.strip().splitlines()[-1].removeprefix("Snapshot: "))
    assert path.parent.parent == tmp_path / "snaps" / "123456789012"
    snap = Snapshot.load(path)
    assert snap.regions == ["us-east-1"] and snap.manifest["account_alias"] == "cli-test"
    assert volume in set(snap.table("ec2_volumes")["volume_id"])
    assert snap.manifest["caller_arn"].startswith("arn:aws:")

    report = run_srm("assess", "--snapshot", str(path), "--output", str(tmp_path / "runs"),
                     "--quiet", "--no-pdf")
    assert report.returncode == 0, report.stderr
    html = Path(report.stdout.strip().splitlines()[0].removeprefix("Report: "))
    assert html.exists() and html.parent.parent.name == "123456789012"


def test_quiet_prints_only_the_result(aws_server, tmp_path):
    proc = run_srm("collect", "--regions", "us-east-1", "--output", str(tmp_path), "--services", "ec2",
                   "--quiet", AWS_ENDPOINT_URL=aws_server.endpoint)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith("Snapshot: ")


@pytest.mark.parametrize("args, env, code, message", [
    (["--regions", "us-east-1,mars-north-9"], {}, 2, "unknown region(s): mars-north-9"),
    (["--profile", "nope"], {}, 3, "profile 'nope' not found: list profiles"),
    (["--role-arn", "arn:aws:iam::1:role/x"], {}, 2, "not an IAM role ARN"),
    ([], {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_EC2_METADATA_DISABLED": "true"},
     3, "no AWS credentials found: pass --profile"),
    (["--services", "nosuchservice"], {}, 2, "no collector named nosuchservice"),
])
def test_errors_say_what_to_do(aws_server, tmp_path, args, env, code, message):
    env = {"AWS_ENDPOINT_URL": aws_server.endpoint, **env}
    proc = run_srm("collect", "--output", str(tmp_path), *args, **env)
    assert proc.returncode == code, proc.stderr
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert not list(tmp_path.rglob("manifest.json"))


def _as_from_a_terminal():
    # A shell's background job (CI runners, `cmd &`) inherits SIGINT ignored, and Python then
    # rightly leaves it ignored; Ctrl-C at a terminal is what this test means.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start_collect(endpoint: str, out: Path, command: str = "collect"):
    proc = subprocess.Popen(
        [sys.executable, "-m", "srm_nb.cli", command, "--regions", "us-east-1,eu-west-1",
         "--output", str(out)],
        cwd=ROOT, env=cli_env(AWS_ENDPOINT_URL=endpoint), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, preexec_fn=_as_from_a_terminal)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    reader.start()
    return proc, reader, lines


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_interrupted_collection_leaves_no_snapshot(tmp_path, sig):
    out = tmp_path / "out"
    # 30 requests answered (identity, regions, the first collectors), the rest held: the
    # collection is mid-run when the signal arrives, whatever the machine's load.
    with held_server(30) as (endpoint, wait_holding):
        proc, reader, lines = _start_collect(endpoint, out)
        wait_holding(proc)
        proc.send_signal(sig)
        proc.wait(timeout=60)
        reader.join(timeout=60)
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130, "".join(lines)
        assert "interrupted; no partial snapshot" in "".join(lines)
    out.mkdir(exist_ok=True)  # the run folder is only created once collection finished
    assert not list(out.rglob("manifest.json"))
    for folder in [out, *out.rglob("*")]:
        if folder.is_dir():
            with pytest.raises(SnapshotError):
                Snapshot.load(folder)


def test_interrupted_assess_stops_its_collecting_process(tmp_path):
    """`srm assess` collects in a child process: a SIGTERM to the CLI stops both, and leaves
    no snapshot nor run folder."""
    out = tmp_path / "out"
    with held_server(30) as (endpoint, wait_holding):
        proc, reader, lines = _start_collect(endpoint, out, "assess")
        wait_holding(proc)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
        reader.join(timeout=60)
    assert proc.returncode == 130, "".join(lines)
    assert "interrupted; no partial snapshot" in "".join(lines) and "Traceback" not in "".join(lines)
    assert not out.exists() or not any(out.rglob("*"))


def test_assess_collects_then_reports(aws_server, tmp_path):
    volume = _seed(aws_server.endpoint)
    proc = run_srm("assess", "--regions", "us-east-1", "--services", "ec2", "--output", str(tmp_path),
                   "--quiet", "--no-pdf", "--timings", AWS_ENDPOINT_URL=aws_server.endpoint)
    assert proc.returncode == 0, proc.stderr
    run = Path(proc.stdout.strip().splitlines()[0].removeprefix("Report: ")).parent
    snap = Snapshot.load(run / "snapshot")
    assert "ec2" in snap.manifest["collectors"] and "iam_users" not in snap.manifest["collectors"]
    assert volume in set(snap.table("ec2_volumes")["volume_id"])
    assert (run / "report.html").exists()
    # --timings: where the time went, collection per service (from the manifest) then each phase
    timings = json.loads((run / "timings.json").read_text())
    assert timings["collect"] == snap.manifest["timings"]
    assert timings["collect"]["services"]["ec2"]["calls"] == int((snap.calls["service"] == "ec2").sum())
    assert {"snapshot", "checks", "save", "exports", "notebook", "html", "total"} <= set(timings["phases"])
    assert "timings (wall seconds):" in proc.stderr and "    ec2 " in proc.stderr
