"""Collectors: read-only boto3 readers that fill the snapshot's tables.

One module per AWS service; each declares its collectors with `@collector` (see base.py).
"""

from __future__ import annotations

import importlib
import pkgutil

from .base import GLOBAL, REGIONAL, REGISTRY, Collector, Ctx, collector, table_schema, to_json

_SKIP = {"base", "runner"}


def load_collectors() -> dict[str, Collector]:
    """Import every collector module in this package (idempotent) and return the registry."""
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _SKIP:
            importlib.import_module(f"{__name__}.{info.name}")
    return REGISTRY


__all__ = [
    "GLOBAL", "REGIONAL", "REGISTRY", "Collector", "Ctx", "collector", "load_collectors",
    "table_schema", "to_json",
]
