"""Benchmark: what throttling costs a collection, per retry mode.

The demo account is served in process behind the demo server's fault injection
(`srm_nb.demo.faults.Faults`); for each retry mode it is collected unthrottled and with a share
of requests throttled (each protocol's own error), alternating. Printed per (mode, share): the
median wall time, the ratio to the unthrottled median, the requests answered and injected
throttles, and how many verdicts differ from the unthrottled run's.

    .venv/bin/python bench/faults.py                       # standard and adaptive, 30%, 3 runs
    .venv/bin/python bench/faults.py --modes standard --throttle 0.1 0.3 --repeats 5

Throttles are independent of the request rate here (a seeded share), unlike AWS's token
buckets: a mode that slows down to avoid throttles gains nothing, which is the worst case for
botocore's adaptive limiter and the fair case for backoff alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from srm_nb.aws import AwsAccess, client_config
from srm_nb.checks.runner import run_checks
from srm_nb.collect.runner import collect
from srm_nb.demo import DEMO_REGIONS
from srm_nb.demo.run import faulty_demo_account


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", nargs="+", default=["standard", "adaptive"])
    parser.add_argument("--throttle", nargs="+", type=float, default=[0.3])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    with faulty_demo_account() as (access, faults):
        def run(mode: str, share: float, seed: int):
            os.environ["AWS_RETRY_MODE"] = mode
            faults.configure(throttle=share, seed=seed)
            target = AwsAccess(session=access.session, endpoint_url=access.endpoint_url,
                               config=client_config())
            started = time.perf_counter()
            snap = collect(target, DEMO_REGIONS, quiet=True)
            wall = time.perf_counter() - started
            injected = faults.injected()
            faults.configure()
            verdicts = run_checks(snap).set_index("finding_uid")["status"]
            return wall, len(snap.calls), injected, verdicts

        print(f"{'mode':<9} {'throttle':>8} {'wall s':>7} {'ratio':>6} {'calls':>6} "
              f"{'throttles':>9} {'changed':>7}")
        for mode in args.modes:
            base = [run(mode, 0.0, seed) for seed in range(args.repeats)]
            base_wall = statistics.median(b[0] for b in base)
            reference = base[0][3]
            print(f"{mode:<9} {0.0:>8.2f} {base_wall:>7.1f} {1.0:>6.2f} {base[0][1]:>6} {0:>9} {0:>7}")
            for share in args.throttle:
                runs = [run(mode, share, seed) for seed in range(args.repeats)]
                wall = statistics.median(r[0] for r in runs)
                changed = statistics.median(
                    int((r[3].reindex(reference.index) != reference).sum()) for r in runs)
                print(f"{mode:<9} {share:>8.2f} {wall:>7.1f} {wall / base_wall:>6.2f} "
                      f"{statistics.median(r[1] for r in runs):>6.0f} "
                      f"{statistics.median(r[2] for r in runs):>9.0f} {changed:>7.0f}", flush=True)


if __name__ == "__main__":
    main()
