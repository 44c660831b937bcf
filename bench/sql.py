"""Time of `srm sql` over many runs: the demo run copied under other stamps and accounts.

    .venv/bin/python bench/sql.py [--runs 50] [--accounts 10] [--repeat 7] [--run RUN_FOLDER]

Without --run it assesses the demo account once (no report). The copies are hard links, except
scores.json, rewritten with each copy's account: DuckDB reads them as it would real runs (the
page cache is warm either way after the first query). For each query it prints the median over
--repeat of `srm.sql` in this process (a new locked connection each time, as `srm sql` makes), and
of the real CLI in a subprocess (Python's start and imports included).
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import srm_nb as srm  # noqa: E402
from srm_nb.query import schema  # noqa: E402

QUERIES = {
    "failing by severity, latest runs": "SELECT severity, count(*) FROM findings WHERE status = 'FAIL' AND latest "
                                        "GROUP BY 1",
    "score trend (runs)": "SELECT account_id, run_stamp, score, coverage FROM runs ORDER BY 1, 2",
    "failed calls by service": "SELECT service, status, count(*) FROM calls GROUP BY ALL",
    "roles x findings join": "SELECT r.account_id, r.role_name, f.status FROM iam_roles r JOIN findings f "
                             "ON f.account_id = r.account_id AND f.run_stamp = r.run_stamp "
                             "AND f.resource_id = r.role_name WHERE r.latest",
}


def demo_run(work: Path) -> Path:
    from srm_nb.demo.run import collect_demo

    snapshot = collect_demo(quiet=True)
    folder = work / "demo" / snapshot.account_id / "20260101T000000Z"
    snapshot.save(folder / "snapshot")
    srm.assess(folder / "snapshot").assessment.save(folder)
    return folder


def copy_runs(run: Path, root: Path, runs: int, accounts: int) -> None:
    for i in range(runs):
        account = f"{100000000000 + i % accounts}"
        target = root / account / f"202601{1 + i // accounts:02d}T000000Z"
        shutil.copytree(run, target, copy_function=os.link, ignore=shutil.ignore_patterns("scores.json"))
        doc = json.loads((run / "scores.json").read_text())
        (target / "scores.json").write_text(json.dumps({**doc, "account_id": account}))


def median_seconds(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--run", type=Path, help="a run folder to copy (default: assess the demo once)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        run = args.run or demo_run(work)
        root = work / "outputs"
        copy_runs(run, root, args.runs, args.accounts)
        tables = len(list((run / "snapshot" / "tables").glob("*.parquet")))
        print(f"{args.runs} runs of {args.accounts} accounts ({tables} snapshot tables each); median of "
              f"{args.repeat}:")
        print(f"{'query':36} {'rows':>6} {'srm.sql':>9} {'srm sql CLI':>12}")
        for name, q in QUERIES.items():
            rows = len(srm.sql(q, root))
            api = median_seconds(lambda q=q: srm.sql(q, root), args.repeat)
            cli = median_seconds(lambda q=q: subprocess.run(
                [sys.executable, "-m", "srm_nb.cli", "sql", q, "--outputs", str(root), "--format", "csv"],
                check=True, capture_output=True), args.repeat)
            print(f"{name:36} {rows:>6} {api:>8.2f}s {cli:>11.2f}s")
        every_view = median_seconds(lambda: schema(root), max(1, args.repeat // 3))
        print(f"{'--schema (every view set up)':36} {'':>6} {every_view:>8.2f}s")


if __name__ == "__main__":
    main()
