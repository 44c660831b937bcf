"""Benchmark: how `srm collect` scales with the size of the account.

For each scale factor, a fresh moto server runs in its own process (`python -m
srm_nb.demo.server`), is seeded with `factor` x (users, buckets, security groups, volumes,
instances), and the real CLI (`srm_nb.cli.main(["collect", ...])`) collects it in a child
process. Printed per factor: wall time, API calls, calls per resource, the collector's and the
server's CPU time, and the collector's peak memory (ru_maxrss). Repeats give medians.

    .venv/bin/python bench/collect.py                 # factors 1 4 10 20
    .venv/bin/python bench/collect.py --factors 1 2 --repeats 3

The collection is limited to one region and to the services seeded (iam, s3, ec2), so the
figures measure scaling with resources rather than the fixed cost of empty services.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "us-east-1"
SERVICES = "iam,s3,ec2"
# Resources per unit of scale factor.
PER_FACTOR = {"users": 100, "buckets": 25, "security_groups": 50, "volumes": 50, "instances": 50}


def _env(endpoint: str = "") -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION=REGION,
               AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull)
    if endpoint:
        env["AWS_ENDPOINT_URL"] = endpoint
    return env


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def seed(endpoint: str, factor: int) -> dict[str, int]:
    import boto3

    from botocore.config import Config

    # moto occasionally answers a burst of concurrent writes with a 500: retry those.
    kw = dict(region_name=REGION, endpoint_url=endpoint, aws_access_key_id="bench",
              aws_secret_access_key="bench",
              config=Config(retries={"mode": "standard", "total_max_attempts": 10}))
    iam, s3, ec2 = (boto3.client(s, **kw) for s in ("iam", "s3", "ec2"))
    n = {k: v * factor for k, v in PER_FACTOR.items()}

    def user(i):
        iam.create_user(UserName=f"user-{i:05d}")
        if i % 2 == 0:
            iam.create_access_key(UserName=f"user-{i:05d}")

    def bucket(i):
        s3.create_bucket(Bucket=f"bench-bucket-{i:05d}")

    def group(i):
        g = ec2.create_security_group(GroupName=f"sg-{i:05d}", Description="bench")["GroupId"]
        if i % 3 == 0:
            ec2.authorize_security_group_ingress(GroupId=g, IpPermissions=[{
                "IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}])

    def volume(i):
        ec2.create_volume(AvailabilityZone=f"{REGION}a", Size=8, Encrypted=i % 2 == 0)

    with ThreadPoolExecutor(max_workers=4) as pool:
        for make, count in ((user, n["users"]), (bucket, n["buckets"]),
                            (group, n["security_groups"]), (volume, n["volumes"])):
            list(pool.map(make, range(count)))
    image = ec2.describe_images(Owners=["amazon"])["Images"][0]["ImageId"]
    for start in range(0, n["instances"], 100):
        count = min(100, n["instances"] - start)
        ec2.run_instances(ImageId=image, MinCount=count, MaxCount=count, InstanceType="t3.micro")
    return n


def child(endpoint: str, output: str) -> None:
    """Run the real CLI in this process, then report this process's resource usage."""
    from srm_nb.cli import main

    os.environ["AWS_ENDPOINT_URL"] = endpoint
    started = time.perf_counter()
    code = main(["collect", "--regions", REGION, "--services", SERVICES, "--output", output, "--quiet"])
    wall = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"exit": code, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                      "maxrss_mb": usage.ru_maxrss / 1024}))


def measure(factor: int, repeats: int) -> dict:
    server = subprocess.Popen([sys.executable, "-m", "srm_nb.demo.server"], cwd=ROOT, env=_env(),
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    try:
        endpoint = server.stdout.readline().split()[1]
        t0 = time.perf_counter()
        counts = seed(endpoint, factor)
        seed_s = time.perf_counter() - t0
        runs = []
        for _ in range(repeats):
            with tempfile.TemporaryDirectory() as out:
                cpu_before = _cpu_seconds(server.pid)
                proc = subprocess.run([sys.executable, __file__, "--child", endpoint, out], cwd=ROOT,
                                      env=_env(endpoint), capture_output=True, text=True)
                server_cpu = _cpu_seconds(server.pid) - cpu_before
                if proc.returncode != 0:
                    raise SystemExit(f"collect failed:\n{proc.stderr[-2000:]}")
                stats = json.loads(proc.stdout.strip().splitlines()[-1])
                from srm_nb.snapshot import Snapshot

                snap = Snapshot.load(next(Path(out).rglob("manifest.json")).parent)
                calls = snap.calls
                # The critical path: the longest (collector, region) task's wall time.
                slowest = snap.manifest["slowest_tasks"][0]
                stats.update(busiest=f"{slowest['task']} {slowest['seconds']:.1f}s")
                stats.update(server_cpu=server_cpu, calls=len(calls),
                             failed=int((calls["status"] != "ok").sum()),
                             rows=sum(len(snap.tables[t]) for t in ("iam_users", "s3_buckets",
                                      "ec2_security_groups", "ec2_volumes", "ec2_instances")
                                      if t in snap.tables))
                runs.append(stats)
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    resources = sum(counts.values())
    med = {k: statistics.median(r[k] for r in runs)
           for k in ("wall", "cpu", "server_cpu", "maxrss_mb", "calls", "failed")}
    return {"factor": factor, "resources": resources, "seed_s": seed_s, "repeats": repeats,
            "walls": [round(r["wall"], 2) for r in runs], "rows": runs[0]["rows"],
            "busiest": runs[-1]["busiest"], **med}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--factors", type=int, nargs="+", default=[1, 4, 10, 20])
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs per factor for factors <= 4 (larger factors run once)")
    parser.add_argument("--child", nargs=2, metavar=("ENDPOINT", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"srm collect --regions {REGION} --services {SERVICES}; per factor: "
          + ", ".join(f"{v} {k}" for k, v in PER_FACTOR.items()), flush=True)
    header = (f"{'factor':>6} {'resources':>9} {'rows':>6} {'calls':>6} {'calls/res':>9} "
              f"{'wall s':>7} {'s/1k res':>8} {'collector cpu s':>15} {'moto cpu s':>10} "
              f"{'peak MB':>7} {'failed':>6}  {'slowest task':<28} walls")
    print(header, flush=True)
    for factor in args.factors:
        r = measure(factor, args.repeats if factor <= 4 else 1)
        print(f"{r['factor']:>6} {r['resources']:>9} {r['rows']:>6} {r['calls']:>6.0f} "
              f"{r['calls'] / r['resources']:>9.2f} {r['wall']:>7.2f} "
              f"{1000 * r['wall'] / r['resources']:>8.2f} {r['cpu']:>15.2f} {r['server_cpu']:>10.2f} "
              f"{r['maxrss_mb']:>7.0f} {r['failed']:>6.0f}  {r['busiest']:<28} {r['walls']} "
              f"(seeded in {r['seed_s']:.0f} s)",
              flush=True)


if __name__ == "__main__":
    main()
