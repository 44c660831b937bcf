"""How fast does the whole check catalog run over a large account?

    .venv/bin/python bench/checks.py                      # demo account scaled to 100k+ resources
    .venv/bin/python bench/checks.py --snapshot PATH      # scale an existing snapshot instead
    .venv/bin/python bench/checks.py --resources 250000 --runs 5

The synthetic snapshot is a real one scaled up: every inventory table's rows are replicated with
a replica suffix on their identifier columns (names, ids, ARNs, keys), the same suffix in every
table, so joins between tables still match and each replica is a distinct resource. Settings
tables (no more rows than regions: password policy, trails, Config recorders, backup plans) stay
as they are, as in a real large account; `--replicate-all` replicates them too (a worst case). Starting
from the demo account (collected fresh through every collector) means the bench follows schema
changes and new checks without edits. Collection gaps are replicated too, so the runner's gap
handling is part of the measurement.

Prints the median wall time of the whole catalog (`run_checks`) over a few runs, resources per
second, and the ten slowest checks (one timed pass per check). No assertion: figures only.
"""

from __future__ import annotations

import argparse
import math
import re
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from srm_nb.checks.catalog import load_catalog  # noqa: E402
from srm_nb.checks.runner import PreparedGaps, run_check, run_checks  # noqa: E402
from srm_nb.snapshot import Snapshot  # noqa: E402

# Columns that identify something: suffixed per replica so every copy is a new resource.
ID_COLUMN = re.compile(r"(^|_)(id|ids|name|arn|key|uid|identifier|alias|user|bucket|trail|group|family)$")
NOT_RESOURCES = {"calls", "gaps"}


def _is_id_column(df: pd.DataFrame, c: str) -> bool:
    textual = df[c].dtype == object or pd.api.types.is_string_dtype(df[c])
    return textual and bool(ID_COLUMN.search(c)) and not c.endswith("_json")


def is_inventory(s: Snapshot, name: str, df: pd.DataFrame, replicate_all: bool) -> bool:
    """Resource inventories grow with the account; settings do not. A table with no more rows
    than there are regions (+1 global) holds per-account/per-region settings (password policy,
    trails, Config recorders, backup plans): a large account has as many of those as a small one,
    and replicating them would turn settings x resources joins into an artificial quadratic."""
    if name in NOT_RESOURCES or df.empty:
        return False
    return replicate_all or len(df) > len(s.regions) + 1


def scale(s: Snapshot, target: int, replicate_all: bool = False) -> Snapshot:
    """`s` with its inventory tables replicated until the resource rows reach `target`."""
    inventory = {n for n, t in s.tables.items() if is_inventory(s, n, t, replicate_all)}
    fixed = sum(len(t) for n, t in s.tables.items() if n not in NOT_RESOURCES and n not in inventory)
    inventory_rows = sum(len(s.tables[n]) for n in inventory)
    copies = max(1, math.ceil((target - fixed) / max(inventory_rows, 1)))
    tags = [""] + [f"-r{i}" for i in range(1, copies)]
    tables = {}
    for name, df in s.tables.items():
        if name not in inventory and name != "gaps":
            tables[name] = df
            continue
        if df.empty:
            tables[name] = df
            continue
        big = pd.concat([df] * copies, ignore_index=True)
        tag = pd.Series(np.repeat(np.array(tags, dtype=object), len(df)), index=big.index)
        for c in (c for c in df.columns if _is_id_column(df, c)):
            col = big[c].astype(object)
            has = col.notna() & (col.astype(str) != "")
            big[c] = col.where(~has, col.astype(str) + tag)
        tables[name] = big
    return Snapshot(tables=tables, manifest=dict(s.manifest))


def add_gaps(s: Snapshot, fraction: float, seed: int = 7) -> Snapshot:
    """Mark `fraction` of each table's resources as denied (a per-resource gap keyed on its
    first identifier column), as a partly denied collection would."""
    if fraction <= 0:
        return s
    rows = [s.gaps]
    for name, df in s.tables.items():
        ids = [c for c in df.columns if _is_id_column(df, c)] if name not in NOT_RESOURCES else []
        if df.empty or not ids or "region" not in df.columns:
            continue
        sample = df.sample(frac=fraction, random_state=seed)
        rows.append(pd.DataFrame({
            "table": name, "region": sample["region"].astype(str).values,
            "resource_id": sample[ids[0]].astype(str).values, "service": name.split("_")[0],
            "operation": "GetDetails", "status": "denied", "error_code": "AccessDenied",
            "message": "synthetic gap (bench)",
        }))
    tables = dict(s.tables, gaps=pd.concat(rows, ignore_index=True))
    return Snapshot(tables=tables, manifest=dict(s.manifest))


def load_source(path: str | None) -> Snapshot:
    if path:
        return Snapshot.load(path)
    from srm_nb.demo.run import collect_demo

    print("Collecting the demo account through every collector (moto)...", file=sys.stderr)
    return collect_demo(quiet=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--snapshot", help="snapshot folder to scale (default: collect the demo account)")
    ap.add_argument("--resources", type=int, default=100_000, help="resource rows to reach (default 100000)")
    ap.add_argument("--runs", type=int, default=3, help="timed runs of the whole catalog (median reported)")
    ap.add_argument("--replicate-all", action="store_true",
                    help="replicate settings tables too (trails, recorders, plans): a worst case")
    ap.add_argument("--gaps", type=float, default=0.01,
                    help="fraction of resources whose details were denied (default 0.01)")
    args = ap.parse_args(argv)

    source = load_source(args.snapshot)
    t0 = time.perf_counter()
    big = add_gaps(scale(source, args.resources, args.replicate_all), args.gaps)
    build = time.perf_counter() - t0
    resources = sum(len(t) for n, t in big.tables.items() if n not in NOT_RESOURCES)
    catalog = load_catalog()
    print(f"snapshot: {resources:,} resource rows in {len(big.tables) - 2} tables "
          f"({len(big.gaps):,} gaps), scaled from {sum(len(t) for n, t in source.tables.items() if n not in NOT_RESOURCES):,}"
          f" in {build:.2f} s; {len(catalog)} checks")

    run_checks(big)  # warm-up: imports, catalog, pandas caches
    times, findings = [], None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        findings = run_checks(big)
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    print(f"whole catalog: median {median:.2f} s over {args.runs} runs "
          f"({', '.join(f'{t:.2f}' for t in times)}); {resources / median:,.0f} resources/s; "
          f"{len(findings):,} findings {findings['status'].value_counts().to_dict()}")

    per_check = []
    gaps = PreparedGaps(big)
    for check in catalog.values():
        t0 = time.perf_counter()
        rows = len(run_check(check, big, gaps))
        per_check.append((time.perf_counter() - t0, check.id, rows))
    per_check.sort(reverse=True)
    print(f"sum of single-check times: {sum(t for t, _, _ in per_check):.2f} s; 10 slowest checks:")
    for t, cid, rows in per_check[:10]:
        print(f"  {t * 1000:8.1f} ms  {cid}  ({rows:,} findings)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
