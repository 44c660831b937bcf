"""Helpers for the collection-framework tests: moto servers that hold requests or enforce IAM."""

from __future__ import annotations

import subprocess
import sys
import time
from contextlib import contextmanager

import requests

from conftest import ROOT, cli_env

from srm_nb.demo.server import AwsTestServer, Gate


@contextmanager
def held_server(allowed: int):
    """A server (in this process) that answers `allowed` requests and holds the rest until it
    stops. Yields the endpoint and `wait_holding(client)`, which returns once a request is being
    held: from then on the client is certainly mid-run, however slow the machine. It fails
    instead of waiting forever when the client process ends first."""
    gates = []

    def wrap(app):
        gates.append(Gate(app, allowed))
        return gates[0]

    with AwsTestServer(wrap=wrap) as server:
        gate = gates[0]
        gate.arm()

        def wait_holding(client: subprocess.Popen, timeout: float = 180):
            deadline = time.monotonic() + timeout
            while not gate.holding.wait(0.2):
                assert client.poll() is None, f"the client exited ({client.returncode}) first"
                assert time.monotonic() < deadline, "no request reached the server's hold"

        try:
            yield server.endpoint, wait_holding
        finally:
            gate.release()  # before the server stops: it waits for the requests it serves


@contextmanager
def server_process(*args: str):
    """`python -m srm_nb.demo.server ARGS` in a subprocess; yields its endpoint URL.

    Process-wide moto settings (IAM enforcement) stay inside that process."""
    proc = subprocess.Popen([sys.executable, "-m", "srm_nb.demo.server", *args], cwd=ROOT,
                            env=cli_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith("READY "), f"server did not start: {line!r}"
        yield line.split()[1]
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def enforce_iam(endpoint: str) -> None:
    """Turn on moto's IAM enforcement from the next request on (moto's reset-auth API: the same
    switch as INITIAL_NO_AUTH_ACTION_COUNT)."""
    r = requests.post(f"{endpoint}/moto-api/reset-auth", data=b"0", timeout=10)
    r.raise_for_status()


def checks_reading(snapshot, table: str) -> list[str]:
    """Check ids that read `table` (the check runner's own read-recording proxy tells)."""
    from srm_nb.checks.catalog import load_catalog
    from srm_nb.checks.runner import _Tracking

    ids = []
    for check in load_catalog().values():
        if check.manual:
            continue
        tracked = _Tracking(snapshot)
        try:
            check.func(tracked)
        except Exception:
            pass
        if table in tracked.read:
            ids.append(check.id)
    return ids
