"""A real Celery worker on the real Redis, for tests that observe delivery end to end.

Registered for every test by tests/conftest.py (pytest_plugins), so browser tests can use it too.
"""

from __future__ import annotations

import os

import pytest
import redis

from tests.redis_lock import redis_exclusive

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def reset_pool(app) -> None:
    """Drop the producer pool so the next send connects to the broker now configured. kombu also keeps
    process-wide pools keyed by broker URL; a second worker on the same URL would find them closed."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def redis_worker(settings, tmp_path_factory):
    """A worker thread consuming from Redis (its own database number, flushed), tasks no longer eager."""
    from celery.contrib.testing.worker import start_worker

    from partnership.celery import app

    with redis_exclusive(tmp_path_factory):  # one such test at a time across xdist workers
        redis.Redis.from_url(REDIS_URL).flushdb()  # fails loudly if Redis is not there
        previous = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
        app.conf.update(broker_url=REDIS_URL, task_always_eager=False)
        reset_pool(app)
        try:
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
                yield app
        finally:
            app.conf.update(**previous)
            reset_pool(app)
            redis.Redis.from_url(REDIS_URL).flushdb()


