"""Benchmark: a fleet of small demo accounts on one moto server, through the real CLI.

For each (accounts, --parallel) it prints the wall time, accounts per minute and the peak RSS of
the whole tree of srm's processes (sampled every 0.2 s); `--dask` adds the LocalCluster path
(2 worker processes); `--portfolio N` times the portfolio alone for N synthetic accounts (the
fixture fleet's accounts repeated) and prints the HTML's size; `--throttle-one` runs 4 accounts,
one of them throttled at 50%, and prints each account's own time beside an unthrottled run's.

    .venv/bin/python bench/fleet.py                                  # 5 accounts, --parallel 1 2 4
    .venv/bin/python bench/fleet.py --accounts 5 20 50 --parallel 1 2 4 --dask --repeats 3
    .venv/bin/python bench/fleet.py --accounts 0 --portfolio 200
    .venv/bin/python bench/fleet.py --accounts 0 --throttle-one

Each account is collected with `--services s3 --regions us-east-1 --no-pdf`: small accounts,
where the per-account cost (process, collection, checks, the report notebook) dominates.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["--services", "s3", "--regions", "us-east-1", "--no-pdf"]
POSTURES = ("good", "poor", "mixed")


def members(n: int) -> dict:
    return {f"bench-{i:03d}": ("Workloads" if i % 2 else "Sandbox", {"env": "bench"}, POSTURES[i % 3])
            for i in range(n)}


def env(**extra) -> dict:
    e = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    e.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
             AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    e.update(extra)
    return e


def run(args: list[str], out: Path, *, with_cluster: bool = False,
        **extra) -> tuple[float, int, subprocess.CompletedProcess]:
    """Wall time and peak RSS (bytes) of srm and every process under it; `with_cluster`: this
    process's other children too (the LocalCluster's scheduler, nannies and workers)."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "srm_nb.cli", *args, "--output", str(out), "--quiet"],
                            cwd=ROOT, env=env(**extra), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    peak, root = 0, psutil.Process(proc.pid)
    while proc.poll() is None:
        try:
            tree = ([*psutil.Process().children(recursive=True)] if with_cluster
                    else [root, *root.children(recursive=True)])
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.2)
    stdout, stderr = proc.communicate()
    return time.perf_counter() - started, peak, subprocess.CompletedProcess(args, proc.returncode, stdout, stderr)


def fleet_args(endpoint: str, *extra: str) -> list[str]:
    return ["fleet", "--organization", "--role-name", "SrmAudit", "--endpoint-url", endpoint, *SMALL, *extra]


def bench_fleets(args) -> None:
    from srm_nb.demo.fleet import organization_server

    print(f"{'accounts':>8} {'engine':>10} {'wall s':>7} {'acc/min':>8} {'peak RSS MB':>11} {'portfolio KB':>12}")
    for n in args.accounts:
        with organization_server(members(n)) as (server, seeded):
            exclude = ["--exclude", seeded.accounts["northwind-holdings"]]
            engines = [(f"--parallel {k}", ["--parallel", str(k)]) for k in args.parallel]
            if args.dask:
                engines.append(("dask", None))
            for label, extra in engines:
                walls, peaks, size = [], [], 0
                for _ in range(args.repeats):
                    out = Path(tempfile.mkdtemp(prefix="srm-bench-fleet-"))
                    if extra is None:
                        from distributed import LocalCluster

                        with LocalCluster(processes=True, n_workers=2, threads_per_worker=1,
                                          dashboard_address=None, env=env()) as cluster:
                            wall, peak, proc = run(fleet_args(server.endpoint, *exclude, "--dask-scheduler",
                                                              cluster.scheduler_address), out,
                                                    with_cluster=True)
                    else:
                        wall, peak, proc = run(fleet_args(server.endpoint, *exclude, *extra), out)
                    assert proc.returncode == 0, proc.stderr[-2000:]
                    size = Path(proc.stdout.split("Portfolio: ")[-1].strip()).stat().st_size
                    walls.append(wall)
                    peaks.append(peak)
                    shutil.rmtree(out, ignore_errors=True)
                wall = statistics.median(walls)
                print(f"{n:>8} {label:>10} {wall:>7.1f} {60 * n / wall:>8.1f} {statistics.median(peaks) / 2**20:>11.0f} "
                      f"{size / 1024:>12.0f}", flush=True)


def bench_portfolio(n: int, repeats: int) -> None:
    """The portfolio alone for n accounts: the fixture fleet's assessed accounts repeated."""
    import pandas as pd

    from srm_nb.portfolio import build_portfolio
    from srm_nb.render import execute_notebook, to_html

    fixture = ROOT / "tests" / "fixtures" / "fleet"
    doc = json.loads((fixture / "fleet.json").read_text())
    base = [a for a in doc["accounts"] if a["status"] == "assessed"]
    findings = pd.read_parquet(fixture / "fleet_findings.parquet")
    times = []
    for _ in range(repeats):
        folder = Path(tempfile.mkdtemp(prefix="srm-bench-portfolio-"))
        accounts, frames = [], []
        for i in range(n):
            a = dict(base[i % len(base)])
            account_id = f"{100000000000 + i}"
            frames.append(findings[findings["account_id"] == a["account_id"]].assign(account_id=account_id))
            accounts.append({**a, "account_id": account_id, "name": f"account-{i:03d}",
                             "score": (a["score"] or 0) * (0.5 + (i % 10) / 10)})
        (folder / "fleet.json").write_text(json.dumps({**doc, "accounts": accounts}))
        pd.concat(frames).to_parquet(folder / "fleet_findings.parquet", index=False)
        started = time.perf_counter()
        build_portfolio(folder).save(folder)
        model = time.perf_counter() - started
        executed = execute_notebook(folder / "portfolio.ipynb", {"fleet_folder": str(folder)},
                                    notebook="portfolio.ipynb", progress=False)
        html = to_html(executed, folder / "portfolio.html")
        times.append((model, time.perf_counter() - started, html.stat().st_size))
        shutil.rmtree(folder, ignore_errors=True)
    print(f"portfolio of {n} accounts ({sum(len(f) for f in frames)} findings): model "
          f"{statistics.median(t[0] for t in times):.2f} s, model + notebook + HTML "
          f"{statistics.median(t[1] for t in times):.1f} s, portfolio.html {times[0][2] / 2**20:.1f} MB")


def bench_throttle_one(repeats: int) -> None:
    """4 accounts at once; one signs with its own key, throttled at 50% (at most 3 in a row, so
    the retries absorb it): do the other three take longer than in an unthrottled fleet?"""
    from srm_nb.demo import DemoAws
    from srm_nb.demo.faults import Faults
    from srm_nb.demo.fleet import organization_server

    faults = []
    with organization_server(members(4), wrap=lambda app: faults.append(Faults(app)) or faults[0]) as (server, seeded):
        ids = sorted(seeded.accounts[f"bench-{i:03d}"] for i in range(4))
        iam = DemoAws(server.endpoint, ids[0]).client("iam")
        iam.create_user(UserName="bench")
        key = iam.create_access_key(UserName="bench")["AccessKey"]
        tmp = Path(tempfile.mkdtemp(prefix="srm-bench-throttle-"))
        (tmp / "credentials").write_text(f"[slow]\naws_access_key_id = {key['AccessKeyId']}\n"
                                         f"aws_secret_access_key = {key['SecretAccessKey']}\n")
        (tmp / "accounts.yaml").write_text("role: SrmAudit\naccounts:\n" + "".join(
            f"  - account_id: '{a}'\n" + ("    profile: slow\n    role: []\n" if a == ids[0] else "") for a in ids))
        for share in (0.0, 0.5, 0.0, 0.5)[: 2 * repeats]:
            faults[0].configure(throttle=share, access_key=key["AccessKeyId"], streak=3)
            out = tmp / f"out-{share}-{time.monotonic_ns()}"
            wall, _, proc = run(["fleet", "--accounts", str(tmp / "accounts.yaml"), "--endpoint-url", server.endpoint,
                                 *SMALL, "--parallel", "4"], out, AWS_SHARED_CREDENTIALS_FILE=str(tmp / "credentials"))
            doc = json.loads(next(out.glob("fleet/*/fleet.json")).read_text())
            secs = {a["account_id"]: a.get("seconds") for a in doc["accounts"]}
            others = [secs[a] for a in ids[1:]]
            print(f"throttle {share:.0%} on {ids[0]}: its own {secs[ids[0]]} s; the others "
                  f"{', '.join(str(s) for s in others)} s (median {statistics.median(others)}); "
                  f"{faults[0].injected(key['AccessKeyId'])} throttles injected; wall {wall:.1f} s", flush=True)
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", nargs="+", type=int, default=[5])
    parser.add_argument("--parallel", nargs="+", type=int, default=[1, 2, 4])
    parser.add_argument("--dask", action="store_true")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--portfolio", type=int, default=0, metavar="N")
    parser.add_argument("--throttle-one", action="store_true")
    args = parser.parse_args()
    args.accounts = [n for n in args.accounts if n > 0]
    if args.accounts:
        bench_fleets(args)
    if args.portfolio:
        bench_portfolio(args.portfolio, args.repeats)
    if args.throttle_one:
        bench_throttle_one(args.repeats)


if __name__ == "__main__":
    main()
