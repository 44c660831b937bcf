"""Shared helpers for the data-protection tests (S3, KMS, RDS, DynamoDB, Secrets Manager, ACM,
AWS Backup). No tests here."""

from __future__ import annotations

import boto3

from srm_nb.aws import AwsAccess
from srm_nb.checks.catalog import load_catalog
from srm_nb.checks.runner import run_check
from srm_nb.collect.runner import collect
from srm_nb.snapshot import Snapshot

ACCOUNT = "123456789012"


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
