"""A fleet interrupted mid-account and resumed, and the same fleet on a Dask cluster
(`distributed.LocalCluster`, two worker processes), through the real CLI."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import ROOT, cli_env, run_srm

pytestmark = pytest.mark.e2e

MEMBERS = {name: spec for name, spec in __import__("srm_nb.demo.fleet", fromlist=["MEMBERS"]).MEMBERS.items()
           if name in ("northwind-shop", "northwind-payments")}
SMALL = ("--services", "s3", "--regions", "us-east-1", "--no-pdf")


@pytest.fixture(scope="module")
def org():
    from srm_nb.demo.fleet import AccountGate, organization_server

    gates = []

    def wrap(app):
        gates.append(AccountGate(app))
        return gates[0]

    with organization_server(MEMBERS, wrap=wrap) as (server, seeded):
        yield server, seeded, gates[0]


def _members(seeded) -> list[str]:
    return sorted(seeded.accounts[n] for n in MEMBERS)


def _as_from_a_terminal():
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # a background job inherits SIGINT ignored


def _fleet(server, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "srm_nb.cli", "fleet", "--organization", "--role-name", "SrmAudit",
            "--endpoint-url", server.endpoint, "--output", str(out), *SMALL, *extra]


def test_an_interrupted_fleet_keeps_finished_runs_and_resume_runs_only_the_rest(org, tmp_path):
    server, seeded, gate = org
    first, second = _members(seeded)
    out = tmp_path / "out"
    # One account at a time, in account order: the first one finishes; every request of the
    # second is held, so it is certainly mid-run when the fleet is stopped.
    gate.hold(second)
    proc = subprocess.Popen(_fleet(server, out, "--include", f"{first},{second}", "--parallel", "1"),
                            cwd=ROOT, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_as_from_a_terminal)
    err: list[str] = []
    reader = threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True)
    reader.start()
    try:
        assert gate.holding.wait(240), "the second account never started"
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
    finally:
        gate.release()
        if proc.poll() is None:
            proc.kill()
    reader.join(timeout=30)
    assert proc.returncode == 130, "".join(err)
    fleet = next(out.glob("fleet/*"))
    doc = json.loads((fleet / "fleet.json").read_text())
    status = {a["account_id"]: a["status"] for a in doc["accounts"]}
    assert doc["status"] == "interrupted" and status == {first: "assessed", second: "not_run"}
    done = list(out.glob(f"{first}/*"))
    assert len(done) == 1 and (done[0] / "report.html").is_file()
    assert not list(out.glob(f"{second}/*/scores.json"))  # no half run that looks complete

    resumed = run_srm("fleet", "--organization", "--role-name", "SrmAudit", "--endpoint-url", server.endpoint,
                      "--output", str(out), *SMALL, "--include", f"{first},{second}", "--resume", str(fleet))
    assert resumed.returncode == 0, resumed.stderr
    doc = json.loads((fleet / "fleet.json").read_text())
    assert doc["status"] == "complete" and {a["status"] for a in doc["accounts"]} == {"assessed"}
    assert list(out.glob(f"{first}/*")) == done  # not assessed again
    assert len(list(out.glob(f"{second}/*/report.html"))) == 1
    assert (fleet / "portfolio.html").is_file()


def test_the_fleet_runs_on_a_dask_cluster_and_the_caller_account_uses_its_own_credentials(org, tmp_path):
    from distributed import LocalCluster

    server, seeded, _ = org
    with LocalCluster(processes=True, n_workers=2, threads_per_worker=1, dashboard_address=None,
                      env=cli_env()) as cluster:
        proc = run_srm("fleet", "--organization", "--role-name", "SrmAudit", "--endpoint-url", server.endpoint,
                       "--output", str(tmp_path), *SMALL, "--exclude", _members(seeded)[1],
                       "--dask-scheduler", cluster.scheduler_address)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(next(tmp_path.glob("fleet/*/fleet.json")).read_text())
    assert {a["status"] for a in doc["accounts"]} == {"assessed"} and len(doc["accounts"]) == 2
    for a in doc["accounts"]:
        assert (Path(a["run_folder"]) / "report.html").is_file()
    caller = next(a for a in doc["accounts"] if a["account_id"] == seeded.accounts["northwind-holdings"])
    assert caller["access"].startswith("the caller's own credentials")  # it has no SrmAudit role
