"""Run every collector over every assessed region, concurrently, into a Snapshot.

Work is one task per (collector, region). A small scheduler hands tasks to a thread pool:

- tasks are interleaved across services (round robin), so one service's many regions do not
  queue in front of everything else;
- at most `per_service` tasks of one AWS service run at once, and a task is only handed to a
  worker when its service has room, so no worker sits blocked on another service's limit;
- inside tasks, requests of one service in flight at once are bounded run-wide (fan-out
  included, see `Ctx.map`): by what its collectors declare (`in_flight=`), else by
  `calls_per_service`; botocore's standard retries back off on throttling.

An interrupt (Ctrl-C, SIGTERM through the CLI) sets a flag that stops every collector at its next
request; nothing is saved, so no snapshot that looks complete is left behind.
"""

from __future__ import annotations

import sys
import time
import traceback
from collections import deque
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import datetime, timezone

import pandas as pd
from botocore.exceptions import BotoCoreError, ClientError
from tqdm import tqdm

from .. import __version__
from ..aws import HOME_REGION, AwsAccess, Identity
from ..errors import ReadOnlyViolation, UsageError
from ..snapshot import CALLS_COLUMNS, GAPS_COLUMNS, Snapshot
from .base import (
    DEFAULT_CALLS_PER_SERVICE,
    GLOBAL,
    REGISTRY,
    CollectionCancelled,
    Collector,
    Ctx,
    Recorder,
    _attempts,
    service_bounds,
)
from .outcomes import classify

# Operations the run itself makes (not a collector): recorded in `calls`, granted by `srm policy`.
SESSION_OPERATIONS = {"sts": ("GetCallerIdentity",), "ec2": ("DescribeRegions",)}


def home_region(partition: str) -> str:
    return HOME_REGION.get(partition, "us-east-1")


def _parse_regions(wanted: str | list[str] | None) -> list[str] | None:
    """None means every enabled region; otherwise the de-duplicated names asked for."""
    if wanted is None:
        return None
    names = wanted.split(",") if isinstance(wanted, str) else list(wanted)
    names = [n.strip() for n in names if n and n.strip()]
    if not names or names == ["all"]:
        return None
    if "all" in names:
        raise UsageError("--regions takes either 'all' or a list of region names, not both")
    return list(dict.fromkeys(names))


def resolve_regions(access: AwsAccess, identity: Identity, wanted: str | list[str] | None,
                    notes: list[str], recorder: Recorder | None = None) -> list[str]:
    """The regions to assess: all enabled ones (default) or a validated list.

    Unknown names fail before any collection starts; disabled (not opted-in) regions are skipped
    with a note.
    """
    names = _parse_regions(wanted)
    known = set(access.session.get_available_regions("ec2", partition_name=identity.partition))
    ec2 = access.client("ec2", home_region(identity.partition))
    enabled: set[str] | None
    started = time.perf_counter()
    try:
        response = ec2.describe_regions(AllRegions=True)
        listed = response["Regions"]
        _session_call(recorder, "ec2", "DescribeRegions", "ok", "", started, _attempts(response))
        known |= {r["RegionName"] for r in listed}
        enabled = {r["RegionName"] for r in listed if r.get("OptInStatus") != "not-opted-in"}
        disabled = sorted({r["RegionName"] for r in listed} - enabled)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "Unknown")
        _session_call(recorder, "ec2", "DescribeRegions", classify(code), code, started,
                      _attempts(exc.response))
        notes.append(f"could not list the account's regions (ec2:DescribeRegions {code}); "
                     "using the partition's region list, which may include regions not enabled")
        enabled, disabled = None, []
    except BotoCoreError as exc:
        _session_call(recorder, "ec2", "DescribeRegions", "error", type(exc).__name__, started, 1)
        notes.append(f"could not list the account's regions (ec2:DescribeRegions: {exc}); "
                     "using the partition's region list")
        enabled, disabled = None, []

    if names is None:
        if disabled:
            notes.append(f"{len(disabled)} region(s) not enabled for this account skipped: "
                         f"{', '.join(disabled)}")
        return sorted(enabled if enabled is not None else known)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(
            f"unknown region(s): {', '.join(unknown)}. Regions of partition {identity.partition}: "
            f"{', '.join(sorted(known))}"
        )
    regions = []
    for name in names:
        if enabled is not None and name not in enabled:
            notes.append(f"region {name} is not enabled (opt-in) for this account: skipped")
            continue
        regions.append(name)
    if not regions:
        raise UsageError(f"none of the regions asked for is enabled for this account: {', '.join(names)}")
    return regions


def _session_call(recorder: Recorder | None, service: str, operation: str, status: str, code: str,
                  started: float, attempts: int) -> None:
    if recorder is None:
        return
    recorder.add_call({
        "collector": "session", "service": service, "region": GLOBAL, "operation": operation,
        "resource_id": "", "status": status, "error_code": code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2), "page": 1,
        "attempts": attempts, "params": "",
    })


def interleave(tasks: list[tuple]) -> list[tuple]:
    """Round robin over services, keeping each service's own order: s3, ec2, iam, s3, ec2..."""
    by_service: dict[str, deque] = {}
    for task in tasks:
        by_service.setdefault(task[0].service, deque()).append(task)
    queues = list(by_service.values())
    out = []
    while queues:
        for q in list(queues):
            out.append(q.popleft())
            if not q:
                queues.remove(q)
    return out


class _Progress:
    """One tqdm bar per service, counting its (collector, region) tasks; nothing when quiet."""

    def __init__(self, tasks: list[tuple], quiet: bool):
        totals: dict[str, int] = {}
        for c, _, _ in tasks:
            totals[c.service] = totals.get(c.service, 0) + 1
        width = max((len(s) for s in totals), default=0)
        self.bars = {} if quiet else {
            service: tqdm(total=n, desc=service.ljust(width), unit="task", position=i,
                          file=sys.stderr, dynamic_ncols=True, leave=True)
            for i, (service, n) in enumerate(sorted(totals.items()))
        }

    def done(self, collector: Collector, region: str, gaps: int) -> None:
        bar = self.bars.get(collector.service)
        if bar is None:
            return
        bar.set_postfix_str(f"{collector.name} {region}" + (f" ({gaps} gaps)" if gaps else ""),
                            refresh=False)
        bar.update()

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


# A service a user names brings the APIs its checks also read: S3's account-level Block Public
# Access is an S3 Control call; API Gateway's HTTP and WebSocket APIs are apigatewayv2.
COMPANION_SERVICES = {"s3": ("s3control",), "apigateway": ("apigatewayv2",)}


def collect(
    access: AwsAccess,
    regions: str | list[str] | None = None,
    *,
    services: list[str] | None = None,
    workers: int = 32,
    per_service: int = 4,
    calls_per_service: int = DEFAULT_CALLS_PER_SERVICE,
    quiet: bool = False,
    identity: Identity | None = None,
) -> Snapshot:
    """Collect the account behind `access` into an in-memory Snapshot (call `.save()`).

    `services` picks collectors by collector name or boto3 service name.
    """
    from . import load_collectors

    load_collectors()
    if services:
        unknown = set(services) - {c.name for c in REGISTRY.values()} - {c.service for c in REGISTRY.values()}
        if unknown:
            raise UsageError(f"no collector named {', '.join(sorted(unknown))}; known: "
                             f"{', '.join(sorted(REGISTRY))}")
    wanted = set(services or ()) | {c for s in services or () for c in COMPANION_SERVICES.get(s, ())}
    chosen = [c for c in REGISTRY.values() if not services or c.name in wanted or c.service in wanted]
    started = datetime.now(timezone.utc)
    clock = time.perf_counter()
    recorder = Recorder(calls_per_service=calls_per_service, in_flight=service_bounds(chosen))
    if identity is None:
        t0 = time.perf_counter()
        identity = access.identity()
        _session_call(recorder, "sts", "GetCallerIdentity", "ok", "", t0, 1)
    if not quiet:
        print(f"Assessing account {identity.account_id} ({identity.partition}) as {identity.arn}",
              file=sys.stderr)
    notes: list[str] = []
    region_list = resolve_regions(access, identity, regions, notes, recorder)
    if not quiet:
        print(f"Regions ({len(region_list)}): {', '.join(region_list)}", file=sys.stderr)
        for note in notes:
            print(f"note: {note}", file=sys.stderr)

    home = home_region(identity.partition)
    tasks = []
    for c in chosen:
        if c.scope == GLOBAL:
            tasks.append((c, home, GLOBAL))
        else:
            tasks.extend((c, r, r) for r in region_list)
    _run_tasks(access, identity, interleave(tasks), recorder, workers, per_service, quiet, tuple(region_list))
    snapshot = _snapshot(chosen, recorder, identity, region_list, notes, started)
    snapshot.manifest["timings"] = collect_timings(recorder, snapshot.tables["calls"],
                                                   time.perf_counter() - clock)
    return snapshot


def collect_timings(recorder: Recorder, calls: pd.DataFrame, seconds: float) -> dict:
    """Where the collection's wall time went: per service, the span from its first task's start
    to its last task's end (services run side by side, so spans overlap) and its calls."""
    counts = calls["service"].value_counts()
    services = {service: {"seconds": round(last - first, 3), "calls": int(counts.get(service, 0))}
                for service, (first, last) in sorted(recorder.service_spans.items())}
    return {"seconds": round(seconds, 3), "services": services}


def _run_tasks(access: AwsAccess, identity: Identity, tasks: list[tuple], recorder: Recorder,
               workers: int, per_service: int, quiet: bool, regions: tuple[str, ...] = ()) -> None:
    def run(task) -> None:
        c, region, scope_region = task
        started = time.perf_counter()
        try:
            _run_one(c, region, scope_region)
        finally:
            ended = time.perf_counter()
            recorder.task_seconds[f"{c.name} {scope_region}"] = round(ended - started, 3)
            with recorder.lock:
                first, last = recorder.service_spans.get(c.service, (started, ended))
                recorder.service_spans[c.service] = (min(first, started), max(last, ended))

    def _run_one(c: Collector, region: str, scope_region: str) -> None:
        client = access.client(c.service, region, c.operations)
        ctx = Ctx(c, region, client, recorder, identity.account_id, identity.partition, scope_region, regions)
        try:
            c.func(ctx)
        except (ReadOnlyViolation, CollectionCancelled):
            raise
        except Exception as exc:  # a collector bug must not lose the rest of the run
            if isinstance(exc, ClientError):
                code = exc.response.get("Error", {}).get("Code", "Unknown")
                status = classify(code)
            else:
                code, status = type(exc).__name__, "error"
            ctx.gap(tuple(c.tables), status, code,
                    f"{exc}\n{traceback.format_exc(limit=3)}", "collector")

    pending = deque(tasks)
    running: dict[str, int] = {}
    progress = _Progress(tasks, quiet)
    pool = ThreadPoolExecutor(max_workers=max(1, min(workers, len(tasks))),
                              thread_name_prefix="srm-collect")
    futures: dict = {}

    def dispatch() -> None:
        # Hand out every pending task whose service has room, in interleaved order.
        for _ in range(len(pending)):
            task = pending.popleft()
            service = task[0].service
            if running.get(service, 0) < per_service:
                running[service] = running.get(service, 0) + 1
                futures[pool.submit(run, task)] = task
            else:
                pending.append(task)

    try:
        dispatch()
        while futures:
            done, _ = wait(list(futures), return_when=FIRST_COMPLETED)
            for fut in done:
                c, _, scope_region = futures.pop(fut)
                running[c.service] -= 1
                fut.result()  # re-raises a guard violation: a bug, stop the run
                progress.done(c, scope_region, recorder.gap_count(c.service))
            dispatch()
    except BaseException:
        # Interrupted, or a guard violation: stop every collector at its next request.
        recorder.cancelled.set()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    finally:
        progress.close()
    pool.shutdown(wait=True)


def _snapshot(chosen: list[Collector], recorder: Recorder, identity: Identity,
              region_list: list[str], notes: list[str], started: datetime) -> Snapshot:
    tables = {}
    for c in chosen:
        for name, cols in c.tables.items():
            rows = recorder.rows.get(name, [])
            tables[name] = pd.DataFrame.from_records(rows, columns=list(cols)) if rows else pd.DataFrame(
                {col: pd.Series(dtype=object) for col in cols})
    tables["calls"] = pd.DataFrame.from_records(recorder.calls, columns=list(CALLS_COLUMNS))
    tables["gaps"] = pd.DataFrame.from_records(recorder.gaps, columns=list(GAPS_COLUMNS))

    calls = tables["calls"]
    manifest = {
        "account_id": identity.account_id,
        "account_alias": _alias(tables),
        "partition": identity.partition,
        "regions": region_list,
        "caller_arn": identity.arn,
        "started_at": started.isoformat(),
        "finished_at": datetime.now(timezone.utc).isoformat(),
        "tool_version": __version__,
        "collectors": sorted(c.name for c in chosen),
        "notes": notes,
        "call_count": int(len(calls)),
        "error_counts": {k: int(v) for k, v in calls["status"].value_counts().items() if k != "ok"},
        "gap_count": int(len(tables["gaps"])),
        # Where the wall time went: the longest (collector, region) tasks.
        "slowest_tasks": [{"task": k, "seconds": v} for k, v in
                          sorted(recorder.task_seconds.items(), key=lambda kv: -kv[1])[:5]],
    }
    return Snapshot(tables=tables, manifest=manifest)


def _alias(tables: dict[str, pd.DataFrame]) -> str:
    aliases = tables.get("iam_account_aliases")
    if aliases is not None and len(aliases):
        return str(aliases["alias"].iloc[0])
    return ""
