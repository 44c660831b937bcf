"""The check catalog and its runner. Checks are pure functions of snapshot tables: no boto3."""

from .base import DOMAINS, SEVERITIES, STATUSES
from .catalog import CATALOG_VERSION, Check, catalog_frame, load_catalog
from .runner import FINDING_COLUMNS, run_checks

__all__ = [
    "CATALOG_VERSION", "DOMAINS", "FINDING_COLUMNS", "SEVERITIES", "STATUSES", "Check",
    "catalog_frame", "load_catalog", "run_checks",
]
