"""Benchmark: srm-workbook against Prowler, side by side, on the same scaled demo account.

One moto server (`python -m srm_nb.demo.server --demo --scale F`) holds the account; Prowler
(12 services: iam s3 ec2 vpc rds cloudtrail config guardduty kms ssm backup dynamodb; csv and
html outputs) and `srm assess` (every collector; checks, exports, HTML report and PDF) take
turns against it, so a busy machine slows both alike. Printed: medians of wall time, CPU time
(user+sys, children included), peak RSS and findings for both, and the ratios.

Prowler is not a dependency of this project: install it in a venv of its own, outside the
repository, and point --prowler (or $SRM_PROWLER) at its `prowler` command:

    python3 -m venv /work/prowler-venv && /work/prowler-venv/bin/pip install prowler==5.46.0
    .venv/bin/python bench/vs_prowler.py --prowler /work/prowler-venv/bin/prowler [--scale 20] [--repeats 3]

Two things Prowler needs against a local endpoint: botocore adds the account id as a host
prefix to every S3 Control call ("123456789012.127.0.0.1"), which no local endpoint answers
(AWS_DISABLE_HOST_PREFIX_INJECTION does not cover S3 Control's endpoint rules), so a small
`sitecustomize` on Prowler's PYTHONPATH drops it; and Prowler exits 3 when findings fail, which
is a finished run, not an error.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from e2e import REGIONS, DemoServer, assess, env, measure  # noqa: E402

PROWLER_SERVICES = ("iam", "s3", "ec2", "vpc", "rds", "cloudtrail", "config", "guardduty", "kms", "ssm",
                    "backup", "dynamodb")

SITECUSTOMIZE = '''\
"""Drop the "<account-id>." host prefix botocore puts in front of S3 Control's endpoint."""
import re

import botocore.session

_PREFIX = re.compile(r"^(https?://)\\d{12}\\.")
_create_client = botocore.session.Session.create_client


def _strip(request, **_):
    request.url = _PREFIX.sub(r"\\1", request.url)


def create_client(self, *args, **kwargs):
    client = _create_client(self, *args, **kwargs)
    client.meta.events.register("before-sign.s3-control", _strip)
    return client


botocore.session.Session.create_client = create_client
'''


def find_prowler(given: str | None) -> str | None:
    candidate = given or os.environ.get("SRM_PROWLER") or "prowler"
    return shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)


def run_prowler(prowler: str, endpoint: str, work: Path) -> dict:
    out = Path(tempfile.mkdtemp(dir=work, prefix="prowler-"))
    environ = env(endpoint)
    environ["PYTHONPATH"] = str(work / "prowler-site")
    cmd = [prowler, "aws", "--services", *PROWLER_SERVICES, "--region", *REGIONS.split(","),
           "--output-formats", "csv", "html", "--output-directory", str(out), "--no-banner", "--no-color"]
    r = measure(cmd, environ, ok=(0, 3))  # 3: some findings failed
    csvs = list(out.rglob("*.csv"))
    if not csvs:
        raise SystemExit(f"Prowler wrote no CSV in {out}:\n{r['stderr'][-2000:]}")
    with open(csvs[0], encoding="utf-8", newline="") as fh:
        r["findings"] = sum(1 for _ in csv.DictReader(fh, delimiter=";"))  # Prowler's CSV uses ";"
    return r


def med(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prowler", help="the `prowler` command of Prowler's own venv (default $SRM_PROWLER, PATH)")
    ap.add_argument("--scale", type=int, default=20, help="demo scale factor (20: about 3,000 findings)")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    prowler = find_prowler(args.prowler)
    if prowler is None:
        print("skipped: Prowler is not installed. Install it in a venv of its own, outside this repository "
              "(python3 -m venv /work/prowler-venv && /work/prowler-venv/bin/pip install prowler==5.46.0), "
              "then pass --prowler /work/prowler-venv/bin/prowler or set SRM_PROWLER.")
        return

    server = DemoServer(args.scale)
    try:
        print(f"seeding the demo account at scale {args.scale}...", file=sys.stderr, flush=True)
        endpoint = server.ready()
        with tempfile.TemporaryDirectory(prefix="srm-vs-prowler-") as tmp:
            work = Path(tmp)
            (work / "prowler-site").mkdir()
            (work / "prowler-site" / "sitecustomize.py").write_text(SITECUSTOMIZE)
            srm, prow = [], []
            for rep in range(args.repeats):
                prow.append(run_prowler(prowler, endpoint, work))
                srm.append(assess(endpoint, work / f"srm-{rep}"))
                print(f"  run {rep + 1}: prowler {prow[-1]['wall']:.1f} s, srm {srm[-1]['wall']:.1f} s",
                      file=sys.stderr, flush=True)
    finally:
        server.stop()

    print(f"Scale {args.scale} demo account, regions {REGIONS}; medians of {args.repeats} alternating runs")
    print(f"{'run':<60}{'wall s':>8}{'cpu s':>8}{'peak MiB':>9}{'findings':>9}  walls")
    rows = ((f"Prowler 5.46, {len(PROWLER_SERVICES)} services, csv + html", prow),
            ("srm assess: collect + checks + exports + HTML + PDF", srm))
    for name, runs in rows:
        print(f"{name:<60}{med(runs, 'wall'):>8.1f}{med(runs, 'cpu'):>8.1f}{med(runs, 'rss_mb'):>9.0f}"
              f"{med(runs, 'findings'):>9.0f}  " + " ".join(f"{r['wall']:.1f}" for r in runs))
    print(f"Prowler / srm: wall {med(prow, 'wall') / med(srm, 'wall'):.2f}x, "
          f"CPU {med(prow, 'cpu') / med(srm, 'cpu'):.2f}x; "
          f"srm peak RSS is {med(srm, 'rss_mb') / med(prow, 'rss_mb'):.0%} of Prowler's")


if __name__ == "__main__":
    main()
