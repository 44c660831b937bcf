"""Benchmark: `srm assess` end to end (collect, checks, exports, notebook, HTML, PDF) against the
demo account served by moto, at several scale factors, with and without request latency.

Each (factor, delay) gets its own moto server (`python -m srm_nb.demo.server --demo --scale F
[--delay D]`; the delay applies after seeding). The runs alternate between the configurations,
so a busy machine slows them all alike; each run is the real CLI in a child process:

    srm assess --endpoint-url E --regions us-east-1,eu-west-1 --timings --quiet

Printed per configuration, medians over --repeats: wall time per phase (from timings.json), the
CLI's CPU time (user+sys, its children included: kernel, Chromium), its peak RSS (the largest
process of the run, as /usr/bin/time's %M), API calls, calls per resource, findings. Then the
offline assessment of the largest factor's snapshot (`srm assess --snapshot`), without and with
the PDF.

    .venv/bin/python bench/e2e.py                        # factors 1 20, delays 0 0.05, 3 repeats
    .venv/bin/python bench/e2e.py --factors 20 --delays 0 --repeats 5
    git archive BASE | tar -x -C /tmp/base && .venv/bin/python bench/e2e.py --compare /tmp/base
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGIONS = "us-east-1,eu-west-1"
PHASES = ("collect", "snapshot", "checks", "save", "exports", "notebook", "html", "pdf", "total")


def env(endpoint: str = "", root: Path = ROOT) -> dict:
    out = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    out.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1",
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    if endpoint:
        out["AWS_ENDPOINT_URL"] = endpoint
    # The CLI and its kernel import `root`'s srm_nb (--compare runs a checkout of another commit).
    out["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), out.get("PYTHONPATH")]))
    return out


class DemoServer:
    """The demo account, scaled, in its own process; stops when its stdin closes."""

    def __init__(self, factor: int, delay: float = 0.0):
        cmd = [sys.executable, "-m", "srm_nb.demo.server", "--demo", "--scale", str(factor)]
        if delay:
            cmd += ["--delay", str(delay)]
        self.factor, self.delay = factor, delay
        self.proc = subprocess.Popen(cmd, cwd=ROOT, env=env(), stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def ready(self) -> str:
        line = self.proc.stdout.readline()
        if not line.startswith("READY"):
            raise SystemExit(f"the demo server (scale {self.factor}) did not start")
        self.endpoint = line.split()[1]
        return self.endpoint

    def stop(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def assess(endpoint: str, output: Path, extra: list[str] = (), root: Path = ROOT) -> dict:
    """One `srm assess` of the tree `root`; returns its figures, read back from the run folder."""
    import pandas as pd

    target = ["--endpoint-url", endpoint, "--regions", REGIONS] if endpoint else []
    timed = ["--timings"] if has_timings(root) else []
    r = measure([sys.executable, "-m", "srm_nb.cli", "assess", *target, "--output", str(output),
                 "--previous", "none", *timed, "--quiet", *extra], env(endpoint, root), cwd=root)
    folder = Path(r["stdout"].split("Report: ", 1)[1].split()[0]).parent
    # A tree from before --timings: its wall time is its total.
    timings = (json.loads((folder / "timings.json").read_text()) if timed
               else {"phases": {"total": r["wall"]}, "collect": None})
    findings = pd.read_parquet(folder / "findings.parquet")
    calls = pd.read_parquet(folder / "snapshot" / "tables" / "calls.parquet")
    resources = len(findings[["service", "resource_id"]].drop_duplicates())
    phases = dict(timings["phases"])
    if timings["collect"]:
        phases["collect"] = timings["collect"]["seconds"]
    return {**r, **phases, "folder": folder, "findings": len(findings), "calls": len(calls),
            "resources": resources, "calls_per_resource": len(calls) / max(resources, 1),
            "services": (timings["collect"] or {}).get("services", {})}


@functools.cache
def has_timings(root: Path) -> bool:
    usage = subprocess.run([sys.executable, "-m", "srm_nb.cli", "assess", "--help"], cwd=root,
                           env=env("", root), capture_output=True, text=True).stdout
    return "--timings" in usage


def measure(cmd: list[str], environ: dict, ok=(0, 1), cwd: Path = ROOT) -> dict:
    """Run `cmd` in a child process: its wall time, CPU time (user+sys, its own children
    included) and peak RSS (the largest process of its tree, as /usr/bin/time's %M)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    out, err = _communicate(proc)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code not in ok:
        raise SystemExit(f"{' '.join(cmd[:4])}... failed ({code}):\n{err[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024,
            "stdout": out, "stderr": err}


def _communicate(proc: subprocess.Popen) -> tuple[str, str]:
    """Read both pipes to the end without reaping the child (wait4 reaps it, with its rusage)."""
    import threading

    chunks: dict[str, str] = {}
    readers = [threading.Thread(target=lambda n=name, f=f: chunks.__setitem__(n, f.read()))
               for name, f in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    for t in readers:
        t.join()
    return chunks["out"], chunks["err"]


def med(runs: list[dict], key: str) -> float:
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else float("nan")


def print_table(title: str, rows: dict[str, list[dict]]) -> None:
    print(f"\n{title}")
    shown = [p for p in PHASES if any(p in r for runs in rows.values() for r in runs)]
    print(f"{'configuration':<24}" + "".join(f"{p:>9}" for p in shown)
          + f"{'cpu s':>8}{'peak MiB':>9}{'calls':>7}{'calls/res':>10}{'findings':>9}  walls")
    for name, runs in rows.items():
        print(f"{name:<24}" + "".join(f"{med(runs, p):>9.2f}" for p in shown)
              + f"{med(runs, 'cpu'):>8.1f}{med(runs, 'rss_mb'):>9.0f}{med(runs, 'calls'):>7.0f}"
              + f"{med(runs, 'calls_per_resource'):>10.2f}{med(runs, 'findings'):>9.0f}  "
              + " ".join(f"{r['total']:.1f}" for r in runs))


def print_services(name: str, runs: list[dict]) -> None:
    services = runs[0]["services"]
    spans = {s: statistics.median(r["services"][s]["seconds"] for r in runs) for s in services}
    top = sorted(spans, key=lambda s: -spans[s])[:6]
    print(f"  {name}: slowest services " + ", ".join(
        f"{s} {spans[s]:.1f}s/{services[s]['calls']} calls" for s in top))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--factors", type=int, nargs="+", default=[1, 20])
    ap.add_argument("--delays", type=float, nargs="+", default=[0.0, 0.05])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-pdf", action="store_true", help="leave the PDF out of the end-to-end runs")
    ap.add_argument("--compare", type=Path, metavar="TREE",
                    help="a checkout of another commit (git archive C | tar -x -C TREE): its CLI runs "
                         "in turn with this tree's, against the same servers, for a before/after table")
    args = ap.parse_args()
    extra = ["--no-pdf"] if args.no_pdf else []
    trees = {"": ROOT, **({"base ": args.compare.resolve()} if args.compare else {})}

    configs = [(f, d) for f in args.factors for d in args.delays]
    print(f"seeding {len(configs)} demo server(s): factors {args.factors}, delays {args.delays}...",
          file=sys.stderr, flush=True)
    servers = {c: DemoServer(*c) for c in configs}
    try:
        for s in servers.values():
            s.ready()
        rows: dict[str, list[dict]] = {}
        with tempfile.TemporaryDirectory(prefix="srm-e2e-") as tmp:
            for rep in range(args.repeats):
                for (f, d), server in servers.items():
                    for label, root in trees.items():
                        name = f"{label}x{f} delay {d * 1000:.0f}ms"
                        r = assess(server.endpoint, Path(tmp) / f"run-{len(rows)}-{rep}", extra, root)
                        rows.setdefault(name, []).append(r)
                        print(f"  run {rep + 1}: {name}: {r['total']:.1f} s", file=sys.stderr, flush=True)
            print(f"srm assess, regions {REGIONS}; medians of {args.repeats} (wall seconds per phase)")
            print_table("end to end", rows)
            for name, runs in rows.items():
                print_services(name, runs)

            big = max(args.factors)
            snapshot = rows[f"x{big} delay {min(args.delays) * 1000:.0f}ms"][0]["folder"] / "snapshot"
            offline: dict[str, list[dict]] = {}
            for rep in range(args.repeats):
                for label, root in trees.items():
                    for pdf in (False, True):
                        name = f"{label}offline, {'with' if pdf else 'no'} PDF"
                        out = Path(tmp) / f"offline-{rep}"
                        offline.setdefault(name, []).append(
                            assess("", out, ["--snapshot", str(snapshot), *([] if pdf else ["--no-pdf"])], root))
            print_table(f"srm assess --snapshot (x{big}'s snapshot)", offline)
    finally:
        for s in servers.values():
            s.stop()


if __name__ == "__main__":
    main()
