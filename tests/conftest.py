"""Test-wide safety: dummy credentials, and no request may leave this machine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import botocore.httpsession
import botocore.retries.standard
import pytest

from srm_nb.demo.server import use_demo_amis

use_demo_amis()  # before any test imports moto's EC2 models

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_SNAPSHOT = ROOT / "tests" / "fixtures" / "snapshot"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch):
    """Dummy credentials in every test: a real profile or key on the machine is never used."""
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
                "AWS_ENDPOINT_URL", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


@pytest.fixture(autouse=True)
def no_real_aws(monkeypatch):
    """Fail any test whose boto3 request would reach a real endpoint.

    moto's decorator intercepts before botocore's HTTP layer, and moto's server listens on
    loopback, so a request that reaches `send` for another host is going to the internet.
    """
    real_send = botocore.httpsession.URLLib3Session.send

    def guarded_send(self, request):
        host = urlsplit(request.url).hostname
        if host not in LOOPBACK:
            pytest.fail(f"test tried to reach a real AWS endpoint: {request.method} {request.url}")
        return real_send(self, request)

    monkeypatch.setattr(botocore.httpsession.URLLib3Session, "send", guarded_send)


@pytest.fixture(autouse=True)
def no_retry_waits(monkeypatch):
    """botocore retries as it does in production (the same attempts, the same bounds), only
    without the backoff's sleeps between them: seconds of idle per throttled or failing call
    (a 500 from moto for an operation it lacks is retried like AWS's own 500s)."""
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, context: 0)


def cli_env(**extra) -> dict:
    """Environment for the real `srm` in a subprocess: dummy credentials, and a default endpoint
    on a closed loopback port, so anything not pointed at moto fails fast instead of reaching AWS."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_DEFAULT_REGION="us-east-1", AWS_CONFIG_FILE=os.devnull,
               AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_ENDPOINT_URL="http://127.0.0.1:9",
               AWS_MAX_ATTEMPTS="1")
    env.update(extra)
    return env


def run_srm(*args, timeout=600, **env) -> subprocess.CompletedProcess:
    """Run the real CLI as a user would, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "srm_nb.cli", *args], capture_output=True, text=True,
                          timeout=timeout, env=cli_env(**env), cwd=ROOT)


@pytest.fixture
def aws_server():
    """moto's HTTP server (with the fake-operations layer) on a free loopback port."""
    from srm_nb.demo.server import AwsTestServer

    with AwsTestServer() as server:
        yield server


@pytest.fixture
def fixture_snapshot():
    from srm_nb.snapshot import Snapshot

    return Snapshot.load(FIXTURE_SNAPSHOT)


DEMO_ASSESSOR, DEMO_ENGAGEMENT = "Jane Doe, Example Security Ltd", "ENG-2026-042"


def _once_per_session(tmp_path_factory, worker_id, name: str, make) -> dict:
    """`make(folder)` once per test session, whichever xdist worker asks first: it runs under a
    lock in the session's folder (above the workers' own), the others wait, then everyone reads
    the JSON it returned."""
    import fcntl
    import json

    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / f"{name}.json"
        if not done.exists():
            done.write_text(json.dumps(make(shared)))
        return json.loads(done.read_text())


def pip_install(venv: Path, *args: str) -> None:
    """This venv's pip installs into the fresh one (`--python`), so the fresh venv needs no pip.
    --no-compile: byte-compiling every file of every dependency took most of the install; the
    modules a run imports compile as they load."""
    proc = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install",
                           "--quiet", "--no-compile", *args], capture_output=True, text=True)
    assert proc.returncode == 0, f"pip install {' '.join(args)} failed:\n{proc.stderr[-3000:]}"


def installed_srm(tool: dict, *args: str, timeout=600) -> subprocess.CompletedProcess:
    """The installed `srm`, run from a folder outside the checkout, without the checkout's venv.
    Byte code is written, as in any install: the venv was installed without it (pip_install), and
    under PYTHONDONTWRITEBYTECODE every run would compile each module it imports again."""
    unset = ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONDONTWRITEBYTECODE")
    env = {k: v for k, v in cli_env().items() if k not in unset}
    return subprocess.run([str(Path(tool["venv"]) / "bin" / "srm"), *args], cwd=tool["elsewhere"], env=env,
                          capture_output=True, text=True, timeout=timeout)


def _result(proc: subprocess.CompletedProcess) -> dict:
    return {"args": proc.args, "returncode": proc.returncode, "stdout": proc.stdout, "stderr": proc.stderr}


# What test_wheel runs with the installed tool before the demo extra is there (its dependencies
# alone must do), as (name, srm arguments); OUT is the folder the runs write to.
WITHOUT_EXTRA = (("version", ("--version",)), ("checks", ("checks", "--format", "json")), ("policy", ("policy",)),
                 ("assess", ("assess", "--snapshot", str(FIXTURE_SNAPSHOT), "--output", "OUT", "--no-pdf",
                             "--quiet")),
                 ("sql", ("sql", "SELECT count(*) AS n FROM findings", "--outputs", "OUT", "--format", "json")),
                 ("demo", ("demo", "--no-pdf", "--output", "OUT")))


@pytest.fixture(scope="session")
def installed_tool(tmp_path_factory, worker_id) -> dict:
    """srm-workbook installed like any tool, once per session: a wheel built from this tree,
    installed with its dependencies into a fresh venv outside the checkout. The commands of
    WITHOUT_EXTRA run there first (test_wheel reads their results), then the demo extra is
    installed, and the session's demo run (`demo_run`) is this installed tool's.
    Returns {venv, wheel, elsewhere (an unrelated folder it runs from), out (WITHOUT_EXTRA's
    outputs), without_extra: {name: result}}."""
    def make(shared: Path) -> dict:
        work = shared / "wheel"
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(work / "dist"),
                        str(ROOT)], check=True, capture_output=True, text=True)
        wheel = next((work / "dist").glob("srm_workbook-*.whl"))
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(work / "venv")], check=True)
        pip_install(work / "venv", str(wheel))
        (work / "elsewhere").mkdir()  # not the checkout: nothing can be found beside the sources
        tool = {"venv": str(work / "venv"), "wheel": str(wheel), "elsewhere": str(work / "elsewhere"),
                "out": str(work / "out")}
        results = {name: _result(installed_srm(tool, *(tool["out"] if a == "OUT" else a for a in args)))
                   for name, args in WITHOUT_EXTRA}
        pip_install(work / "venv", f"{wheel}[demo]")
        return {**tool, "without_extra": results}

    return _once_per_session(tmp_path_factory, worker_id, "installed-tool", make)


@pytest.fixture(scope="session")
def demo_run(installed_tool, tmp_path_factory, worker_id):
    """One real `srm demo --quiet` per test session, by the installed tool (`installed_tool`),
    shared by the xdist workers (the tests only read the run folder). With engagement details,
    as a consultant's run has them (the title page shows them).
    Returns (run folder, the finished process)."""
    def make(shared: Path) -> dict:
        proc = installed_srm(installed_tool, "demo", "--output", str(shared / "demo-outputs"), "--quiet",
                             "--assessor", DEMO_ASSESSOR, "--engagement", DEMO_ENGAGEMENT)
        assert proc.returncode == 0, proc.stderr
        return _result(proc)

    proc = subprocess.CompletedProcess(**_once_per_session(tmp_path_factory, worker_id, "demo-run", make))
    report = Path(proc.stdout.strip().splitlines()[-1].removeprefix("Report: "))
    assert report.exists(), proc.stdout
    return report.parent, proc


@pytest.fixture(scope="session")
def demo_findings(demo_run):
    """The demo's findings.csv as a DataFrame (all columns as text)."""
    import pandas as pd

    return pd.read_csv(demo_run[0] / "findings.csv", dtype=str, keep_default_na=False)


def verdicts_of(findings, check_id: str) -> dict:
    """{resource_id: status} for one check, to compare with a test's expectations."""
    f = findings[findings["check_id"] == check_id]
    return dict(zip(f["resource_id"], f["status"]))


# -- hand-built snapshots ------------------------------------------------------------------------

ACCOUNT_ID = "123456789012"
STARTED_AT = "2026-11-01T09:00:00+00:00"


def _frame(rows, columns=None):
    import pandas as pd

    if isinstance(rows, pd.DataFrame):
        return rows
    if columns is None:
        return pd.DataFrame(rows or [])
    return pd.DataFrame([{c: r.get(c, "") for c in columns} for r in rows or []], columns=list(columns))


def make_snapshot(tables=None, *, gaps=None, calls=None, **manifest):
    """A hand-built Snapshot for check tests. `tables` maps names to DataFrames or lists of row
    dicts; `gaps` and `calls` are DataFrames or lists of row dicts (columns left out are ""),
    empty by default, always with their declared columns. `manifest` overrides the defaults:
    account 123456789012, partition aws, regions ["us-east-1"], started_at 2026-11-01 09:00 UTC."""
    from srm_nb.snapshot import CALLS_COLUMNS, GAPS_COLUMNS, Snapshot

    frames = {name: _frame(rows) for name, rows in (tables or {}).items()}
    frames["calls"] = _frame(calls, CALLS_COLUMNS)
    frames["gaps"] = _frame(gaps, GAPS_COLUMNS)
    return Snapshot(tables=frames, manifest={"account_id": ACCOUNT_ID, "partition": "aws",
                                             "regions": ["us-east-1"], "started_at": STARTED_AT,
                                             **manifest})


def schema_table(name: str, rows, **defaults):
    """Rows of table `name` with every column its collector declares, as a collector fills them:
    `defaults` (region="us-east-1"...) where a row leaves a column out, else None."""
    import pandas as pd

    from srm_nb.collect import load_collectors, table_schema

    load_collectors()
    cols = list(table_schema()[name])
    return pd.DataFrame([{**dict.fromkeys(cols), **defaults, **r} for r in rows], columns=cols)


# -- every check is tested both ways -------------------------------------------------------------
# With SRM_VERDICT_LOG set (make test sets it), every check function called by any test records
# the verdicts it returned; at the end of the run, a check never seen to PASS and to FAIL fails
# the session. Each xdist worker writes its own file as it finishes; the controller reads them all.

VERDICT_LOG = os.environ.get("SRM_VERDICT_LOG")
_SEEN: dict[str, set] = {}  # check id -> the statuses it returned in this process


def _record_verdicts() -> None:
    """Replace every check function, in its module, by a wrapper that notes its verdicts. Done
    before any test module is imported, so `from srm_nb.checks.x import check` gets the wrapper."""
    import functools

    from srm_nb.checks import catalog

    def wrap(func):
        @functools.wraps(func)
        def recording(s):
            result = func(s)
            try:
                _SEEN.setdefault(func.__name__, set()).update(result["status"].dropna().unique())
            except Exception:  # a malformed result is the runner's business, not this log's
                pass
            return result
        return recording

    for check in catalog.load_catalog().values():
        if check.func is not None:
            module = sys.modules[check.func.__module__]
            setattr(module, check.id, wrap(check.func))
    catalog.load_catalog.cache_clear()  # the next load picks the wrappers up


if VERDICT_LOG:
    Path(VERDICT_LOG).mkdir(parents=True, exist_ok=True)
    _record_verdicts()


def pytest_sessionfinish(session, exitstatus):
    if not VERDICT_LOG:
        return
    import json

    worker = getattr(session.config, "workerinput", {}).get("workerid", "main")
    (Path(VERDICT_LOG) / f"verdicts-{worker}.json").write_text(
        json.dumps({k: sorted(v) for k, v in _SEEN.items()}))
    if worker != "main":
        return
    from srm_nb.checks import load_catalog

    seen: dict[str, set] = {}
    for file in Path(VERDICT_LOG).glob("verdicts-*.json"):
        for check_id, statuses in json.loads(file.read_text()).items():
            seen.setdefault(check_id, set()).update(statuses)
    missing = {c.id: sorted(seen.get(c.id, set())) for c in load_catalog().values()
               if not c.manual and not {"PASS", "FAIL"} <= seen.get(c.id, set())}
    if missing:
        print("\nChecks not tested both ways (verdicts seen in tests):", file=sys.stderr)
        for check_id, statuses in sorted(missing.items()):
            print(f"  {check_id}: {statuses or 'never run'}", file=sys.stderr)
        session.exitstatus = 1


def pytest_collection_modifyitems(config, items):
    """The order `make test` hands files to its two workers (--dist loadfile
    --no-loadscope-reorder keeps it): the session's demo run (`demo_run`, by the installed tool)
    takes a minute, so one file that needs it goes first and starts it; then the end-to-end
    files that do not need it keep the other worker busy meanwhile; then the other end-to-end
    files; the quick ones last, to even out the end. xdist's own order (most tests first) left a
    long file running alone at the end."""
    needs_demo = {item.path for item in items if "demo_run" in getattr(item, "fixturenames", ())}
    e2e = {item.path for item in items if item.get_closest_marker("e2e")}
    first = next((item.path for item in items if item.path in needs_demo), None)

    def rank(item) -> int:
        if item.path == first:
            return 0
        if item.path in e2e:
            return 2 if item.path in needs_demo else 1
        return 3

    items.sort(key=rank)
