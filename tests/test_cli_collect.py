"""`srm collect` and `srm assess --snapshot` as a user runs them: the real CLI in a subprocess."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import boto3
import pytest
from collect_framework_support import server_process
from conftest import ROOT, cli_env, run_srm

from srm_nb.snapshot import Snapshot

pytestmark = pytest.mark.e2e


def _seed(endpoint: str) -> None:
    ec2 = boto3.client("ec2", region_name="us-east-1", endpoint_url=endpoint)
    ec2.create_volume(AvailabilityZone="us-east-1a", Size=8)
    boto3.client("iam", region_name="us-east-1", endpoint_url=endpoint).create_account_alias(
        AccountAlias="cli-test")


def test_collect_then_assess_offline(aws_server, tmp_path):
    _seed(aws_server.endpoint)
    proc = run_srm("collect", "--regions", "us-east-1", "--output", str(tmp_path / "snaps"),
                   "--services", "iam,ec2", AWS_ENDPOINT_URL=aws_server.endpoint)
    assert proc.returncode == 0, proc.stderr
    assert "Assessing account 123456789012 (aws) as arn:aws:" in proc.stderr
    assert "API calls in 1 region(s)" in proc.stderr
    path = Path(proc.stdout.strip().splitlines()[-1].removeprefix("Snapshot: "))
    assert path.parent.parent == tmp_path / "snaps" / "123456789012"
    snap = Snapshot.load(path)
    assert snap.regions == ["us-east-1"] and snap.manifest["account_alias"] == "cli-test"
    assert len(snap.table("ec2_volumes")) == 1
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


def _start_collect(endpoint: str, out: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "srm_nb.cli", "collect", "--regions", "us-east-1,eu-west-1",
         "--output", str(out)],
        cwd=ROOT, env=cli_env(AWS_ENDPOINT_URL=endpoint), stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    started = threading.Event()
    lines: list[str] = []

    def read():
        for line in proc.stderr:
            lines.append(line)
            if line.startswith("Regions ("):
                started.set()

    threading.Thread(target=read, daemon=True).start()
    assert started.wait(timeout=120), "".join(lines)
    time.sleep(1.5)  # a few slow requests are in flight: the collection is mid-run
    assert proc.poll() is None, "the collection finished before it could be interrupted"
    return proc, lines


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_interrupted_collection_leaves_no_snapshot(tmp_path, sig):
    out = tmp_path / "out"
    with server_process("--delay", "0.3") as endpoint:
        proc, lines = _start_collect(endpoint, out)
        proc.send_signal(sig)
        proc.wait(timeout=120)
    if sig == signal.SIGKILL:
        assert proc.returncode == -signal.SIGKILL
    else:
        assert proc.returncode == 130, "".join(lines)
        assert "interrupted; no partial snapshot" in "".join(lines)
    assert not list(out.rglob("manifest.json")) if out.exists() else True
    for folder in (out.rglob("*") if out.exists() else []):
        if folder.is_dir():
            with pytest.raises(Exception):
                Snapshot.load(folder)
