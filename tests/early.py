"""Process-level shortcuts for `make test`, loaded before pytest's other plugins
(`-p tests.early` in the Makefile).

- nbval imports nbformat, so jsonschema, whose rfc3987_syntax compiles grammars no test uses: a
  second of CPU in pytest and in each xdist worker. srm_nb.lazy defers it, as the CLI does.
- An xdist worker ends holding gigabytes (moto's accounts, snapshots, frames). After its last
  test, pytest's check for unraisable exceptions ran five full garbage collections over all of
  it, and the interpreter then freed it object by object: six seconds of the run's end in which
  nothing is tested. The heap is frozen once the session is over, and a worker whose session
  finished leaves without freeing it, after every other exit handler has run.
"""

import atexit
import gc
import os
import sys

from srm_nb.lazy import defer_rfc3987_syntax

defer_rfc3987_syntax()
_finished = []


def pytest_sessionfinish(session):
    if hasattr(session.config, "workerinput"):
        gc.freeze()
        _finished.append(True)


def _leave_without_freeing():
    if _finished:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


atexit.register(_leave_without_freeing)  # registered first, so it runs last
