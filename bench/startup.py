"""Benchmark: how fast the CLI answers when there is nothing to assess.

Runs each command --repeats times (hyperfine style: alternating, medians), in a fresh process
each time, and prints the median wall and CPU time (user+sys); then the imports that cost the
most in `srm checks`, from `python -X importtime`.

    .venv/bin/python bench/startup.py [--repeats 10]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from e2e import env, measure  # noqa: E402

COMMANDS = {"srm --version": ["--version"], "srm --help": ["--help"], "srm checks": ["checks"],
            "srm checks --format json": ["checks", "--format", "json"], "srm policy": ["policy"]}


def slowest_imports(args: list[str], n: int = 8) -> list[tuple[float, str]]:
    """The top-level imports with the largest cumulative import time (seconds, module)."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "srm_nb.cli", *args], env=env(),
                          capture_output=True, text=True)
    top = []
    for line in proc.stderr.splitlines():
        parts = line.split("|")
        # "import time: self | cumulative | <two spaces per nesting level>name"
        if len(parts) != 3 or not parts[1].strip().isdigit() or parts[2].startswith("  "):
            continue
        top.append((int(parts[1]) / 1e6, parts[2].strip()))
    return sorted(top, reverse=True)[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args()
    runs: dict[str, list[dict]] = {name: [] for name in COMMANDS}
    for _ in range(args.repeats):
        for name, argv in COMMANDS.items():
            runs[name].append(measure([sys.executable, "-m", "srm_nb.cli", *argv], env(), ok=(0,)))
    print(f"{'command':<28}{'wall s':>8}{'cpu s':>8}{'peak MiB':>9}   (medians of {args.repeats})")
    for name, rs in runs.items():
        print(f"{name:<28}{statistics.median(r['wall'] for r in rs):>8.3f}"
              f"{statistics.median(r['cpu'] for r in rs):>8.3f}{statistics.median(r['rss_mb'] for r in rs):>9.0f}")
    print("slowest imports of `srm checks` (cumulative s): " + ", ".join(
        f"{m} {s:.2f}" for s, m in slowest_imports(["checks"])))


if __name__ == "__main__":
    main()
