"""Run one piece of work in a forked child process and bring its result back.

Why: collecting an account loads every AWS service model botocore has for the services read
(tens of MB of parsed JSON) and a client per service and region. Python keeps that memory after
the collection (freed, but fragmented), so the report phase that follows would add its own on
top. In a child, the collection's memory goes away with it: the run's peak is the larger of the
two phases, not their sum.

The child is a fork: it starts with what the parent has imported (little, at the point of
calling) and its result (a Snapshot) comes back pickled through a pipe. An exception in the child
is raised again in the parent, the child's traceback in its notes. An interrupt of the parent
(Ctrl-C, SIGTERM) stops the child too. Where fork is not available (Windows, macOS's default),
the work runs in this process.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import traceback
from typing import Any, Callable


def call_apart(func: Callable[..., Any], *args, meanwhile: Callable[[], Any] | None = None) -> Any:
    """`func(*args)`, run in a forked child on Linux (elsewhere, here). `meanwhile()` runs here
    while the child works (after the fork: a child forked mid-import could deadlock). A daemonic
    process (a multiprocessing.Pool worker, say) may have no children: there, too, it runs here."""
    if sys.platform != "linux" or multiprocessing.current_process().daemon:
        if meanwhile:
            meanwhile()
        return func(*args)
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)

    def child() -> None:
        try:
            outcome = (True, func(*args))
        except BaseException as exc:  # an interrupt too: the parent decides what it means
            exc.add_note("in the collecting process:\n" + traceback.format_exc())
            outcome = (False, exc)
        try:
            send.send(outcome)
        except Exception as exc:  # an exception that does not pickle: say what it was
            send.send((False, RuntimeError(f"{type(outcome[1]).__name__}: {outcome[1]} ({exc})")))
        # Done: leave now, without joining threads an interrupted collection may leave blocked
        # on a slow endpoint (the parent has the result, or the interrupt).
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)

    process = ctx.Process(target=child, name="srm-collect", daemon=True)
    process.start()
    send.close()
    try:
        if meanwhile:
            meanwhile()
        ok, value = receive.recv()
    except EOFError:
        process.join()
        raise RuntimeError(f"the collecting process ended without a result (exit {process.exitcode})") from None
    except BaseException:
        process.terminate()  # interrupted here: stop the child the same way (SIGTERM)
        process.join(timeout=30)
        raise
    finally:
        receive.close()
    process.join()
    if ok:
        return value
    raise value
