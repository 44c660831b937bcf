"""Shared helpers for the data-protection tests (S3, KMS, RDS, DynamoDB, Secrets Manager, ACM,
AWS Backup). No tests here."""

from __future__ import annotations

import boto3
import pandas as pd

from srm_nb.aws import AwsAccess
from srm_nb.checks.catalog import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect.runner import collect
from srm_nb.snapshot import CALLS_COLUMNS, GAPS_COLUMNS, Snapshot

ACCOUNT = "123456789012"
STARTED = "2026-11-01T00:00:00+00:00"


def collect_moto(*services: str, regions=("us-east-1",)) -> Snapshot:
    """Collect the named collectors from the active moto mock, as `srm collect` would."""
    access = AwsAccess(boto3.Session(region_name="us-east-1"))
    return collect(access, list(regions), services=list(services), quiet=True)


def verdicts(snapshot: Snapshot, check_id: str) -> dict:
    """{resource_id: status} of one check run through the real runner (gaps become ERROR)."""
    result = run_check(load_catalog()[check_id], snapshot)
    return dict(zip(result["resource_id"], result["status"]))


def details(snapshot: Snapshot, check_id: str) -> dict:
    result = run_check(load_catalog()[check_id], snapshot)
    return dict(zip(result["resource_id"], result["detail"]))


def snapshot(tables: dict[str, list[dict] | pd.DataFrame], gaps: list[dict] | None = None,
             regions=("us-east-1",), started_at: str = STARTED) -> Snapshot:
    """A hand-built snapshot for edge cases: tables from row dicts, optional gaps."""
    frames = {name: rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(rows)
              for name, rows in tables.items()}
    frames["calls"] = pd.DataFrame(columns=list(CALLS_COLUMNS))
    frames["gaps"] = pd.DataFrame([{c: g.get(c, "") for c in GAPS_COLUMNS} for g in gaps or []],
                                  columns=list(GAPS_COLUMNS))
    return Snapshot(tables=frames, manifest={"account_id": ACCOUNT, "partition": "aws",
                                             "regions": list(regions), "started_at": started_at})


def table(name: str, rows: list[dict]) -> pd.DataFrame:
    """Rows with every declared column of `name` (missing ones None), as a collector fills them."""
    from srm_nb.collect import load_collectors, table_schema

    load_collectors()
    cols = table_schema()[name]
    return pd.DataFrame([{c: r.get(c) for c in cols} for r in rows], columns=list(cols))
