"""One test at a time across xdist workers, for tests that share a Redis database and its workers.

`xdist_group` should keep such tests on one xdist worker, but with pytest 9.2 and pytest-xdist 3.8 it
does not: the group never reaches the test's id (pytest-xdist issue 1386), so `--dist loadgroup` spreads
them, and two workers on one Redis database flush each other's queue and take each other's tasks. A lock
file shared by the xdist workers keeps them apart whatever the scheduler does.
"""

from __future__ import annotations

import fcntl
from contextlib import contextmanager


@contextmanager
def redis_exclusive(tmp_path_factory):
    """Hold the lock for the block. Not re-entrant: a test takes it once (a fixture), never twice."""
    # The xdist workers' temporary folders share a parent: the run's own.
    lock = tmp_path_factory.getbasetemp().parent / "redis-worker.lock"
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
