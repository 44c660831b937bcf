"""The check catalog and its runner. Checks are pure functions of snapshot tables: no boto3.

CIS benchmark mappings live in `frameworks/cis_aws_<version>.yaml`; `load_catalog()` derives each
check's `cis_ids` from them. `python -m srm_nb.checks.docs > docs/controls.md` regenerates the
control-by-control coverage page.
"""

from ..vocabulary import DOMAINS, SEVERITIES, STATUSES
from .benchmarks import Control, Framework, load_frameworks
from .catalog import (CATALOG_VERSION, Check, catalog_frame, controls_frame, framework_problems, load_catalog,
                      select_checks)


def __getattr__(name: str):
    """The runner (and pandas with it) is imported when first asked for: listing the catalog
    (`srm checks`) needs neither."""
    if name in ("FINDING_COLUMNS", "run_checks"):
        from . import runner

        return getattr(runner, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CATALOG_VERSION", "DOMAINS", "FINDING_COLUMNS", "SEVERITIES", "STATUSES", "Check", "Control",
    "Framework", "catalog_frame", "controls_frame", "framework_problems", "load_catalog",
    "load_frameworks", "run_checks", "select_checks",
]
