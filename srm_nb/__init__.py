"""srm-workbook: measure the customer side of the AWS Shared Responsibility Model.

Data flows one way: collect -> snapshot -> checks -> findings -> scores -> charts -> report.
"""

__version__ = "0.1.0"

# Bumped whenever a table, a column or the manifest changes shape: old snapshots are refused.
SNAPSHOT_SCHEMA_VERSION = 1

__all__ = ["__version__", "SNAPSHOT_SCHEMA_VERSION"]
