"""One exception family. Every message says what went wrong and what to do next."""


class SrmError(Exception):
    """Base class: the CLI prints the message (no traceback) and exits with `exit_code`."""

    exit_code = 2


class UsageError(SrmError):
    """Bad options or arguments (unknown region, missing file...)."""

    exit_code = 2


class QueryError(UsageError):
    """`srm sql`: DuckDB refused the query (its message says why), or it was not one SELECT."""


class CredentialsError(SrmError):
    """No usable AWS credentials, or the role could not be assumed."""

    exit_code = 3


class SnapshotError(SrmError):
    """A snapshot on disk is missing, incomplete, corrupt or of another schema version."""

    exit_code = 4


class ReadOnlyViolation(SrmError):
    """A client tried to call an operation outside the read-only allowlist. Nothing was sent."""

    exit_code = 5


class ReportError(SrmError):
    """The notebook or the HTML/PDF rendering failed."""

    exit_code = 6


class CatalogError(SrmError):
    """The check catalog's metadata is invalid (caught when the catalog loads)."""

    exit_code = 7


class IntegrityError(SrmError):
    """An evidence pack failed verification: a file was altered, added or removed."""

    exit_code = 8
