"""srm-workbook: measure the customer side of the AWS Shared Responsibility Model.

Data flows one way: collect -> snapshot -> checks -> findings -> scores -> charts -> report.

The analyst's API (docs/api.md), for notebooks and scripts:

    import srm_nb as srm
    srm.runs("outputs")                  # the runs under an outputs folder, newest first
    run = srm.open_run("outputs")        # a run: .findings .scores .snapshot .matrix .manifest
    srm.assess(srm.load_snapshot(path))  # a snapshot outside any run
    srm.diff(run.previous, run)          # new, fixed, still failing; score delta per area
    srm.sql("SELECT ... FROM findings", "outputs")
"""

__version__ = "0.1.0"

# Bumped whenever a table, a column or the manifest changes shape: old snapshots are refused.
SNAPSHOT_SCHEMA_VERSION = 1

# name -> module. Imported on first use: `srm --help` and the CLI's other commands must not pay
# for pandas and DuckDB just because the package is imported.
_API = {"runs": "workbench", "open_run": "workbench", "load_snapshot": "workbench", "assess": "workbench",
        "diff": "workbench", "sql": "query"}

__all__ = ["__version__", "SNAPSHOT_SCHEMA_VERSION", *_API]


def __getattr__(name: str):
    if name in _API:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_API[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
