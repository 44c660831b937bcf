"""What a collector is, and the context it reads AWS through.

A collector is declared as data (Cloud Custodian style): the boto3 service, whether it runs once
(global) or per region, every API operation it may call, and the tables it fills with their
columns. The declarations drive the read-only guard, `srm policy` and the snapshot schema.

A collector never catches AWS errors itself. One protocol: `Ctx.call` and `Ctx.paginate` record
every request in the `calls` table; when one fails they record a *gap* (table, region, resource)
and return None. The gap is for the tables the call names with `table=`, or, when it names none,
for every table the collector fills: a collector cannot lose a gap by forgetting to say where
the data was going, and the checks that need it report ERROR instead of a PASS.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from botocore.exceptions import BotoCoreError, ClientError

from ..errors import ReadOnlyViolation
from ..vocabulary import GLOBAL
from .actions import IAM_ACTIONS, iam_actions_for
from .outcomes import classify

REGIONAL = "regional"


@dataclass(frozen=True)
class Collector:
    name: str
    service: str  # boto3 service name
    scope: str  # GLOBAL or REGIONAL
    operations: frozenset[str]  # every API operation it may call (PascalCase)
    tables: dict[str, tuple[str, ...]]  # table name -> columns
    func: Callable[["Ctx"], None]
    # Overrides the IAM prefix for every operation (rarely needed: see IAM_PREFIX/IAM_ACTIONS).
    iam_prefix: str | None = None
    doc: str = ""
    # IAM actions needed beyond the operations' own (e.g. kms:Decrypt behind a read).
    extra_iam_actions: tuple[str, ...] = ()
    # Said before AWS's message in a not_subscribed gap: what the account lacks, and what fixes it.
    not_subscribed: str = ""
    # Requests of its service in flight at once, run-wide (None: DEFAULT_CALLS_PER_SERVICE).
    in_flight: int | None = None

    @property
    def iam_actions(self) -> list[str]:
        actions = set(self.extra_iam_actions)
        for op in self.operations:
            if self.iam_prefix and (self.service, op) not in IAM_ACTIONS:
                actions.add(f"{self.iam_prefix}:{op}")
            else:  # the mapping is more specific than a collector-wide prefix
                actions.update(iam_actions_for(self.service, op))
        return sorted(actions)


REGISTRY: dict[str, Collector] = {}


def collector(
    name: str,
    *,
    service: str,
    scope: str,
    operations: tuple[str, ...] | list[str],
    tables: dict[str, tuple[str, ...] | list[str]],
    iam_prefix: str | None = None,
    extra_iam_actions: tuple[str, ...] | list[str] = (),
    not_subscribed: str = "",
    in_flight: int | None = None,
):
    """Register a collector function. See the module docstring for what is declared.

    `in_flight`: how many requests of its service may be in flight at once, across the run.
    Real AWS is latency-bound, so reads that AWS serves freely (S3's per-bucket settings) go
    wide; services that throttle early (IAM, Organizations) stay narrow. Collectors of one
    service that declare different bounds get the largest."""
    if scope not in (GLOBAL, REGIONAL):
        raise ValueError(f"scope must be {GLOBAL!r} or {REGIONAL!r}")

    def register(func: Callable[[Ctx], None]) -> Callable[[Ctx], None]:
        if name in REGISTRY:
            raise ValueError(f"collector {name!r} registered twice")
        for table in tables:
            for other in REGISTRY.values():
                if table in other.tables:
                    raise ValueError(f"table {table!r} is filled by {other.name} and {name}")
        REGISTRY[name] = Collector(
            name=name,
            service=service,
            scope=scope,
            operations=frozenset(operations),
            tables={t: tuple(cols) for t, cols in tables.items()},
            func=func,
            iam_prefix=iam_prefix,
            doc=(func.__doc__ or "").strip(),
            extra_iam_actions=tuple(extra_iam_actions),
            not_subscribed=not_subscribed,
            in_flight=in_flight,
        )
        return func

    return register


def service_bounds(collectors) -> dict[str, int]:
    """Requests in flight per service, as the collectors declare them (`in_flight`)."""
    bounds: dict[str, int] = {}
    for c in collectors:
        if c.in_flight:
            bounds[c.service] = max(c.in_flight, bounds.get(c.service, 0))
    return bounds


def table_schema() -> dict[str, tuple[str, ...]]:
    """Every table any collector fills, with its declared columns."""
    return {t: cols for c in REGISTRY.values() for t, cols in c.tables.items()}


def to_json(value: Any) -> str | None:
    """Nested AWS structures (policies, rules, lists) are stored as JSON text columns."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, default=_json_default, sort_keys=True)


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


class CollectionCancelled(BaseException):
    """The run was interrupted: raised at a collector's next call so its thread stops promptly.

    A BaseException, like KeyboardInterrupt, so no `except Exception` in a collector swallows it.
    """


# Requests of one AWS service in flight at once, across all its tasks and their fan-out.
DEFAULT_CALLS_PER_SERVICE = 8


@dataclass
class Recorder:
    """Thread-safe sinks for rows, calls and gaps of one collection run, plus the run's shared
    controls: a cancellation flag and a per-service bound on requests in flight."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    calls: list[dict] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    calls_per_service: int = DEFAULT_CALLS_PER_SERVICE  # the bound of a service without its own
    in_flight: dict[str, int] = field(default_factory=dict)  # service -> its own (service_bounds)
    cancelled: threading.Event = field(default_factory=threading.Event)
    _limits: dict[str, threading.BoundedSemaphore] = field(default_factory=dict, repr=False)
    _gaps_by_service: dict[str, int] = field(default_factory=dict, repr=False)
    task_seconds: dict[str, float] = field(default_factory=dict)  # "<collector> <region>" -> s
    # service -> (first task's start, last task's end), perf_counter seconds: the manifest's timings
    service_spans: dict[str, tuple[float, float]] = field(default_factory=dict)

    def add_rows(self, table: str, rows: list[dict]) -> None:
        with self.lock:
            self.rows.setdefault(table, []).extend(rows)

    def add_call(self, record: dict) -> None:
        with self.lock:
            self.calls.append(record)

    def add_gap(self, record: dict) -> None:
        with self.lock:
            self.gaps.append(record)
            service = record.get("service", "")
            self._gaps_by_service[service] = self._gaps_by_service.get(service, 0) + 1

    def gap_count(self, service: str) -> int:
        with self.lock:
            return self._gaps_by_service.get(service, 0)

    def bound(self, service: str) -> int:
        return self.in_flight.get(service, self.calls_per_service)

    def limit(self, service: str) -> threading.BoundedSemaphore:
        with self.lock:
            if service not in self._limits:
                self._limits[service] = threading.BoundedSemaphore(self.bound(service))
            return self._limits[service]


def _attempts(response: dict | None) -> int:
    """How many HTTP attempts botocore made (1 + its retries)."""
    meta = (response or {}).get("ResponseMetadata", {})
    return int(meta.get("RetryAttempts", 0)) + 1


@dataclass
class Ctx:
    """What a collector sees: one guarded client for its service in one region."""

    collector: Collector
    region: str  # the AWS region the client talks to (global services: the partition's home)
    client: Any
    recorder: Recorder
    account_id: str
    partition: str
    scope_region: str  # region written into rows: the real region, or "global"
    regions: tuple[str, ...] = ()  # every region this run assesses

    def arn(self, service: str, resource: str, region: str | None = None, account: str | None = None) -> str:
        """A partition-aware ARN: arn:<partition>:<service>:<region>:<account>:<resource>."""
        reg = self.scope_region if region is None else region
        reg = "" if reg == GLOBAL else reg
        acct = self.account_id if account is None else account
        return f"arn:{self.partition}:{service}:{reg}:{acct}:{resource}"

    def add(self, table: str, rows: list[dict] | dict) -> None:
        """Add rows to a declared table; `region` is filled in when the row has none."""
        if table not in self.collector.tables:
            raise ValueError(f"collector {self.collector.name} did not declare table {table!r}")
        rows = [rows] if isinstance(rows, dict) else rows
        cols = self.collector.tables[table]
        for row in rows:
            row.setdefault("region", self.scope_region)
            unknown = set(row) - set(cols)
            if unknown:
                raise ValueError(f"table {table!r} has no column(s) {sorted(unknown)}")
        self.recorder.add_rows(table, rows)

    def gap(self, table: str | tuple[str, ...], status: str, code: str, message: str,
            operation: str, resource_id: str = "") -> None:
        """Mark data as missing: the checks that need `table` report ERROR for it."""
        for t in (table,) if isinstance(table, str) else table:
            self.recorder.add_gap(
                {
                    "table": t,
                    "region": self.scope_region,
                    "resource_id": resource_id,
                    "service": self.collector.service,
                    "operation": operation,
                    "status": status,
                    "error_code": code,
                    "message": message[:500],
                }
            )

    def map(self, func: Callable[[Any], None], items, workers: int | None = None) -> None:
        """Run `func(item)` for every item on a few threads: per-resource enrichment (bucket
        settings, user details) without a per-collector thread pool. Requests still go through
        the service's in-flight bound, which also caps the number of threads (more would only
        wait; at 1 the items run in order). An exception in one item is re-raised after the
        others finished (the runner then records the collector's tables as a gap)."""
        from concurrent.futures import ThreadPoolExecutor

        items = list(items)
        bound = self.recorder.bound(self.collector.service)
        workers = min(workers or bound, bound)
        if workers <= 1 or len(items) <= 1:
            for item in items:
                func(item)
            return
        with ThreadPoolExecutor(max_workers=min(workers, len(items)),
                                thread_name_prefix=f"srm-{self.collector.name}") as pool:
            futures = [pool.submit(func, item) for item in items]
            first: BaseException | None = None
            for future in futures:
                try:
                    future.result()
                except BaseException as exc:  # keep the first; let the others finish
                    first = first or exc
                    if isinstance(exc, CollectionCancelled):
                        for f in futures:
                            f.cancel()
            if first is not None:
                raise first

    def _record(self, operation: str, status: str, code: str, started: float,
                resource_id: str | tuple[str, ...], page: int = 1, attempts: int = 1,
                params: dict | None = None) -> None:
        if not isinstance(resource_id, str):
            resource_id = ",".join(resource_id)
        self.recorder.add_call(
            {
                "collector": self.collector.name,
                "service": self.collector.service,
                "region": self.region if self.collector.scope == REGIONAL else GLOBAL,
                "operation": operation,
                "resource_id": resource_id,
                "status": status,
                "error_code": code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                "page": page,
                "attempts": attempts,
                "params": to_json(params)[:300] if params else "",
            }
        )

    def _method(self, operation: str):
        if operation not in self.collector.operations:
            raise ReadOnlyViolation(
                f"collector {self.collector.name} called {operation}, which it does not declare"
            )
        return getattr(self.client, _snake(operation))

    def _send(self, send: Callable[[], Any]):
        """One request, within the service's in-flight bound; refuses to start after a cancel."""
        if self.recorder.cancelled.is_set():
            raise CollectionCancelled()
        with self.recorder.limit(self.collector.service):
            return send()

    def call(
        self,
        operation: str,
        *,
        table: str | tuple[str, ...] | None = None,
        resource_id: str | tuple[str, ...] = "",
        absent: tuple[str, ...] = (),
        **params,
    ) -> dict | None:
        """One API call. Returns the response; `{}` when AWS answers with one of the `absent`
        error codes (e.g. NoSuchBucketPolicy: a fact, not a failure); None when the call failed,
        after recording its gap (for `table`, default every table of the collector; for each
        `resource_id` when given, else for the whole region)."""
        method = self._method(operation)
        started = time.perf_counter()
        try:
            response = self._send(lambda: method(**params))
        except ClientError as exc:
            err = exc.response.get("Error", {})
            code = str(err.get("Code", "Unknown"))
            if code in absent:
                self._record(operation, "ok", code, started, resource_id,
                             attempts=_attempts(exc.response), params=params)
                return {}
            return self._failed(operation, classify(code), code, err.get("Message", str(exc)),
                                started, table, resource_id, attempts=_attempts(exc.response),
                                params=params)
        except BotoCoreError as exc:
            return self._failed(operation, "error", type(exc).__name__, str(exc), started,
                                table, resource_id, params=params)
        self._record(operation, "ok", "", started, resource_id, attempts=_attempts(response),
                     params=params)
        response.pop("ResponseMetadata", None)
        return response

    def paginate(
        self,
        operation: str,
        key: str | tuple[str, ...],
        *,
        table: str | tuple[str, ...] | None = None,
        resource_id: str | tuple[str, ...] = "",
        absent: tuple[str, ...] = (),
        **params,
    ) -> list | None:
        """All items under `key` across every page. Each page is recorded as a call.

        `key` may be a tuple of result keys (one call that answers several lists, such as
        GetAccountAuthorizationDetails): the answer is then a dict of key -> list.
        Returns None (and records a gap) when any page fails: a partial list is never presented
        as the whole list.
        """
        keys = (key,) if isinstance(key, str) else tuple(key)
        method_name = _snake(operation)
        self._method(operation)
        if not self.client.can_paginate(method_name):
            response = self.call(operation, table=table, resource_id=resource_id, absent=absent,
                                 **params)
            if response is None:
                return None
            found = {k: list(response.get(k, [])) for k in keys}
            return found[key] if isinstance(key, str) else found
        found = {k: [] for k in keys}
        items: list | dict = found[key] if isinstance(key, str) else found
        pages = iter(self.client.get_paginator(method_name).paginate(**params))
        page_no = 0
        while True:
            page_no += 1
            started = time.perf_counter()
            try:
                page = self._send(lambda: next(pages))
            except StopIteration:
                return items
            except ClientError as exc:
                err = exc.response.get("Error", {})
                code = str(err.get("Code", "Unknown"))
                if code in absent:
                    self._record(operation, "ok", code, started, resource_id, page=page_no,
                                 attempts=_attempts(exc.response), params=params)
                    return items
                return self._failed(operation, classify(code), code, err.get("Message", str(exc)),
                                    started, table, resource_id, page=page_no,
                                    attempts=_attempts(exc.response), params=params)
            except BotoCoreError as exc:
                return self._failed(operation, "error", type(exc).__name__, str(exc), started,
                                    table, resource_id, page=page_no, params=params)
            self._record(operation, "ok", "", started, resource_id, page=page_no,
                         attempts=_attempts(page), params=params)
            for k in keys:
                found[k].extend(page.get(k, []))

    def _failed(self, operation, status, code, message, started, table, resource_id,
                page: int = 1, attempts: int = 1, params: dict | None = None) -> None:
        self._record(operation, status, code, started, resource_id, page=page, attempts=attempts,
                     params=params)
        if status == "not_subscribed" and self.collector.not_subscribed:
            message = f"{self.collector.not_subscribed} AWS answered: {message}"
        tables = tuple(self.collector.tables) if table is None else table
        for rid in (resource_id,) if isinstance(resource_id, str) else resource_id:
            self.gap(tables, status, code, message, operation, rid)
        return None


def _snake(operation: str) -> str:
    """PascalCase operation -> boto3 method name, using botocore's own conversion."""
    from botocore import xform_name

    return xform_name(operation)
