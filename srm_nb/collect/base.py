"""What a collector is, and the context it reads AWS through.

A collector is declared as data (Cloud Custodian style): the boto3 service, whether it runs once
(global) or per region, every API operation it may call, and the tables it fills with their
columns. The declarations drive the read-only guard, `srm policy` and the snapshot schema.

A collector never catches AWS errors itself: `Ctx.call` and `Ctx.paginate` record every request
in the `calls` table and, when one fails, record a *gap* (table, region, resource) so that checks
needing that data report ERROR instead of a PASS.
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

GLOBAL = "global"
REGIONAL = "regional"

DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AuthorizationErrorException",
        "Forbidden",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "AccessDeniedForDependencyException",
    }
)
THROTTLED_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "RequestThrottledException",
        "SlowDown",
        "ProvisionedThroughputExceededException",
        "LimitExceededException",
    }
)
NOT_SUBSCRIBED_CODES = frozenset(
    {
        "SubscriptionRequiredException",
        "OptInRequired",
        "InvalidAccessException",  # Security Hub: the hub is not enabled
        "BadRequestException",  # GuardDuty/Config when the service is off in a region
    }
)


def classify(code: str) -> str:
    if code in DENIED_CODES:
        return "denied"
    if code in THROTTLED_CODES:
        return "throttled"
    if code in NOT_SUBSCRIBED_CODES:
        return "not_subscribed"
    return "error"


@dataclass(frozen=True)
class Collector:
    name: str
    service: str  # boto3 service name
    scope: str  # GLOBAL or REGIONAL
    operations: frozenset[str]  # every API operation it may call (PascalCase)
    tables: dict[str, tuple[str, ...]]  # table name -> columns
    func: Callable[["Ctx"], None]
    # Extra IAM actions the operations need beyond "<prefix>:<Operation>" (rare, e.g. S3 ACLs).
    iam_prefix: str | None = None
    doc: str = ""

    @property
    def iam_actions(self) -> list[str]:
        prefix = self.iam_prefix or self.service
        return sorted(f"{prefix}:{op}" for op in self.operations)


REGISTRY: dict[str, Collector] = {}


def collector(
    name: str,
    *,
    service: str,
    scope: str,
    operations: tuple[str, ...] | list[str],
    tables: dict[str, tuple[str, ...] | list[str]],
    iam_prefix: str | None = None,
):
    """Register a collector function. See the module docstring for what is declared."""
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
        )
        return func

    return register


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


class CallFailed(Exception):
    """Raised by Ctx.call(..., required=True) so a collector can stop a branch cleanly."""

    def __init__(self, status: str, code: str, message: str):
        super().__init__(f"{status}: {code} {message}")
        self.status, self.code, self.message = status, code, message


@dataclass
class Recorder:
    """Thread-safe sinks for rows, calls and gaps of one collection run."""

    rows: dict[str, list[dict]] = field(default_factory=dict)
    calls: list[dict] = field(default_factory=list)
    gaps: list[dict] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_rows(self, table: str, rows: list[dict]) -> None:
        with self.lock:
            self.rows.setdefault(table, []).extend(rows)

    def add_call(self, record: dict) -> None:
        with self.lock:
            self.calls.append(record)

    def add_gap(self, record: dict) -> None:
        with self.lock:
            self.gaps.append(record)


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

    def _record(self, operation: str, status: str, code: str, started: float, resource_id: str) -> None:
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
            }
        )

    def _method(self, operation: str):
        if operation not in self.collector.operations:
            raise ReadOnlyViolation(
                f"collector {self.collector.name} called {operation}, which it does not declare"
            )
        return getattr(self.client, _snake(operation))

    def call(
        self,
        operation: str,
        *,
        table: str | tuple[str, ...] | None = None,
        resource_id: str = "",
        absent: tuple[str, ...] = (),
        required: bool = False,
        **params,
    ) -> dict | None:
        """One API call. Returns the response; `{}` when AWS answers with one of the `absent`
        error codes (e.g. NoSuchBucketPolicy: a fact, not a failure); None when the call failed,
        after recording a gap for `table` (and raising CallFailed when `required`)."""
        method = self._method(operation)
        started = time.perf_counter()
        try:
            response = method(**params)
        except ClientError as exc:
            err = exc.response.get("Error", {})
            code = str(err.get("Code", "Unknown"))
            if code in absent:
                self._record(operation, "ok", code, started, resource_id)
                return {}
            return self._failed(operation, classify(code), code, err.get("Message", str(exc)),
                                started, table, resource_id, required)
        except BotoCoreError as exc:
            return self._failed(operation, "error", type(exc).__name__, str(exc), started,
                                table, resource_id, required)
        self._record(operation, "ok", "", started, resource_id)
        response.pop("ResponseMetadata", None)
        return response

    def paginate(
        self,
        operation: str,
        key: str,
        *,
        table: str | tuple[str, ...] | None = None,
        resource_id: str = "",
        absent: tuple[str, ...] = (),
        required: bool = False,
        **params,
    ) -> list | None:
        """All items under `key` across every page. Each page is recorded as a call.

        Returns None (and records a gap) when any page fails: a partial list is never presented
        as the whole list.
        """
        method_name = _snake(operation)
        self._method(operation)
        if not self.client.can_paginate(method_name):
            response = self.call(operation, table=table, resource_id=resource_id, absent=absent,
                                 required=required, **params)
            return None if response is None else list(response.get(key, []))
        items: list = []
        pages = iter(self.client.get_paginator(method_name).paginate(**params))
        while True:
            started = time.perf_counter()
            try:
                page = next(pages)
            except StopIteration:
                return items
            except ClientError as exc:
                err = exc.response.get("Error", {})
                code = str(err.get("Code", "Unknown"))
                if code in absent:
                    self._record(operation, "ok", code, started, resource_id)
                    return items
                return self._failed(operation, classify(code), code, err.get("Message", str(exc)),
                                    started, table, resource_id, required)
            except BotoCoreError as exc:
                return self._failed(operation, "error", type(exc).__name__, str(exc), started,
                                    table, resource_id, required)
            self._record(operation, "ok", "", started, resource_id)
            items.extend(page.get(key, []))

    def _failed(self, operation, status, code, message, started, table, resource_id, required):
        self._record(operation, status, code, started, resource_id)
        if table is not None:
            self.gap(table, status, code, message, operation, resource_id)
        if required:
            raise CallFailed(status, code, message)
        return None


def _snake(operation: str) -> str:
    """PascalCase operation -> boto3 method name, using botocore's own conversion."""
    from botocore import xform_name

    return xform_name(operation)
