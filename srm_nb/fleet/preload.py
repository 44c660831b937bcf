"""Imported once by the fleet's forkserver (multiprocessing's preload), so that every account's
process is forked with the report's imports and the check catalog already loaded, as `srm assess`
has them ready by the time its collection ends."""

from ..lazy import defer_rfc3987_syntax

defer_rfc3987_syntax()  # this is a fresh interpreter: srm's main() did not run here

from ..pipeline import ready_to_report  # noqa: E402

ready_to_report()
