"""Work done in a forked child (srm_nb/apart.py): its result and its errors come back."""

from __future__ import annotations

import os
import sys

import pytest

from srm_nb.apart import call_apart
from srm_nb.errors import CredentialsError

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forks on Linux only")


def _refused():
    raise CredentialsError("AWS rejected the credentials (ExpiredToken)")


def test_the_result_comes_back_from_another_process():
    assert call_apart(os.getpid) != os.getpid()
    seen = []
    assert call_apart(lambda a, b: {"sum": a + b}, 2, 3, meanwhile=lambda: seen.append(1)) == {"sum": 5}
    assert seen == [1]  # `meanwhile` ran here, while the child worked


def test_an_error_in_the_child_is_raised_here_with_its_traceback():
    with pytest.raises(CredentialsError, match="ExpiredToken") as info:
        call_apart(_refused)
    notes = "".join(getattr(info.value, "__notes__", []))
    assert "in the collecting process" in notes and "_refused" in notes


def test_an_error_that_does_not_pickle_is_still_reported():
    class Local(Exception):  # a local class cannot be pickled
        pass

    def fail():
        raise Local("boom")

    with pytest.raises(RuntimeError, match="Local: boom"):
        call_apart(fail)


def _in_a_pool_worker(_):
    return call_apart(os.getpid) == os.getpid()  # a daemonic worker may have no child: done there


def test_in_a_daemonic_pool_worker_the_work_runs_in_the_worker():
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(1) as pool:  # its workers are daemonic
        assert pool.map(_in_a_pool_worker, [0]) == [True]
