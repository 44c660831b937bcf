"""Run every collector over every assessed region, concurrently, into a Snapshot.

Work is one task per (collector, region). Tasks run on a thread pool; a semaphore per AWS
service bounds how many of one service's tasks run at once, so a large account is not hammered.
"""

from __future__ import annotations

import sys
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timezone

import pandas as pd
from botocore.exceptions import BotoCoreError, ClientError
from tqdm import tqdm

from .. import __version__
from ..aws import AwsAccess, Identity
from ..errors import ReadOnlyViolation, UsageError
from ..snapshot import CALLS_COLUMNS, GAPS_COLUMNS, Snapshot
from .base import GLOBAL, REGISTRY, REGIONAL, CallFailed, Ctx, Recorder, classify

HOME_REGION = {"aws": "us-east-1", "aws-us-gov": "us-gov-west-1", "aws-cn": "cn-north-1"}


def home_region(partition: str) -> str:
    return HOME_REGION.get(partition, "us-east-1")


def resolve_regions(access: AwsAccess, identity: Identity, wanted: str | list[str] | None,
                    notes: list[str]) -> list[str]:
    """The regions to assess: all enabled ones (default) or a validated list.

    Unknown names fail before any work starts; disabled (not opted-in) regions are skipped with a
    note.
    """
    known = set(access.session.get_available_regions("ec2", partition_name=identity.partition))
    ec2 = access.client("ec2", home_region(identity.partition))
    enabled: set[str] | None
    try:
        listed = ec2.describe_regions(AllRegions=True)["Regions"]
        known |= {r["RegionName"] for r in listed}
        enabled = {r["RegionName"] for r in listed if r.get("OptInStatus") != "not-opted-in"}
    except (ClientError, BotoCoreError) as exc:
        notes.append(f"could not list the account's regions ({exc}); using the partition's list")
        enabled = None
    if wanted in (None, "all", ["all"]):
        regions = sorted(enabled if enabled is not None else known)
        return regions
    names = [w.strip() for w in (wanted.split(",") if isinstance(wanted, str) else wanted) if w.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UsageError(
            f"unknown region(s): {', '.join(unknown)}. Known in partition {identity.partition}: "
            f"{', '.join(sorted(known))}"
        )
    regions = []
    for name in dict.fromkeys(names):
        if enabled is not None and name not in enabled:
            notes.append(f"region {name} is not enabled (opt-in) for this account: skipped")
            continue
        regions.append(name)
    return regions


def collect(
    access: AwsAccess,
    regions: str | list[str] | None = None,
    *,
    services: list[str] | None = None,
    workers: int = 16,
    per_service: int = 4,
    quiet: bool = False,
    identity: Identity | None = None,
) -> Snapshot:
    """Collect the account behind `access` into an in-memory Snapshot (call `.save()`)."""
    from . import load_collectors

    load_collectors()
    started = datetime.now(timezone.utc)
    identity = identity or access.identity()
    notes: list[str] = []
    region_list = resolve_regions(access, identity, regions, notes)
    if not quiet:
        print(f"Assessing account {identity.account_id} as {identity.arn}", file=sys.stderr)
        for note in notes:
            print(f"note: {note}", file=sys.stderr)

    chosen = [c for c in REGISTRY.values() if not services or c.name in services or c.service in services]
    home = home_region(identity.partition)
    tasks = []
    for c in chosen:
        if c.scope == GLOBAL:
            tasks.append((c, home, GLOBAL))
        else:
            tasks.extend((c, r, r) for r in region_list)

    recorder = Recorder()
    limits: dict[str, threading.Semaphore] = {}
    for c in chosen:
        limits.setdefault(c.service, threading.Semaphore(per_service))

    def run(task):
        c, region, scope_region = task
        with limits[c.service]:
            client = access.client(c.service, region, c.operations)
            ctx = Ctx(c, region, client, recorder, identity.account_id, identity.partition, scope_region)
            try:
                c.func(ctx)
            except CallFailed:
                pass  # already recorded as a gap by Ctx
            except ReadOnlyViolation:
                raise
            except Exception as exc:  # a collector bug must not lose the rest of the run
                code = exc.response["Error"]["Code"] if isinstance(exc, ClientError) else type(exc).__name__
                ctx.gap(tuple(c.tables), classify(code) if isinstance(exc, ClientError) else "error",
                        code, f"{exc}\n{traceback.format_exc(limit=3)}", "collector")

    bar = tqdm(total=len(tasks), desc="collect", unit="task", disable=quiet, file=sys.stderr,
               dynamic_ncols=True)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="srm-collect") as pool:
        futures = {pool.submit(run, t): t for t in tasks}
        try:
            for fut in as_completed(futures):
                c, region, _ = futures[fut]
                bar.set_postfix_str(f"{c.name} {region}", refresh=False)
                bar.update()
                fut.result()
        except BaseException:
            for f in futures:
                f.cancel()
            raise
        finally:
            bar.close()

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
    }
    return Snapshot(tables=tables, manifest=manifest)


def _alias(tables: dict[str, pd.DataFrame]) -> str:
    aliases = tables.get("iam_account_aliases")
    if aliases is not None and len(aliases):
        return str(aliases["alias"].iloc[0])
    return ""
