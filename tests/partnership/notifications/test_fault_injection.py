"""The outbox under real failures: the broker down at commit, a worker killed mid-send, PostgreSQL gone.

Everything here runs against the real Redis and the real PostgreSQL: a broker URL on a closed port, a
worker process killed with SIGKILL, a PostgreSQL connection cut by a TCP proxy. Each test uses a Redis
database of its own (14 for workers in this process, 13 for worker processes), flushed before and after.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.core import mail
from django.db import connection
from django.db.models import F
from django.test import Client
from django.urls import reverse

from partnership.notifications.models import Notification
from partnership.notifications.tasks import relay_pending_notifications, send_notification
from referrals.models import Prescription, Referral
from tests.partnership.notifications.blocking_email import delivered
from tests.partnership.notifications.tcp_proxy import TcpProxy
from tests.partnership.notifications.test_worker_delivery import _reset_pool
from tests.redis_lock import redis_exclusive

pytestmark = [pytest.mark.xdist_group("redis-worker"), pytest.mark.django_db(transaction=True)]

_redis = urlsplit(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
IN_PROCESS_BROKER = urlunsplit((_redis.scheme, _redis.netloc, "/14", "", ""))
PROCESS_BROKER = urlunsplit((_redis.scheme, _redis.netloc, "/13", "", ""))
CLOSED_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused at once

# What the GP's "Send" may cost with the broker down, on a noisy 2-core machine: the request itself takes
# under 0.1 s; Celery's default publish retries alone would add 0.6 s for every message (2-3 s here).
BROKER_DOWN_BUDGET_SECONDS = 1.0


@contextmanager
def broker(url: str):
    """This process publishes to the broker at url, for real (tasks are no longer run in the request)."""
    from partnership.celery import app

    previous = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=url, task_always_eager=False)
    _reset_pool(app)
    try:
        yield app
    finally:
        app.conf.update(**previous)
        _reset_pool(app)


def queued(url: str) -> int:
    """Messages waiting in the broker's queues, and taken by a worker but not yet acknowledged."""
    client = redis.Redis.from_url(url)
    waiting = sum(client.llen(key) for key in client.scan_iter("celery*") if client.type(key) == b"list")
    return waiting + client.hlen("unacked")


def queued_notification_ids(url: str) -> list[str]:
    """The outbox rows the waiting messages ask a worker to send (an event's rows travel in one message)."""
    client = redis.Redis.from_url(url)
    ids = []
    for key in client.scan_iter("celery*"):
        if client.type(key) != b"list":
            continue
        for raw in client.lrange(key, 0, -1):
            message = json.loads(raw)
            [args, _kwargs, _embed] = json.loads(base64.b64decode(message["body"]))
            ids += args[0] if isinstance(args[0], list) else [args[0]]
    return ids


@pytest.fixture(autouse=True)
def one_at_a_time(tmp_path_factory):
    """Not while another test's worker uses Redis (the xdist_group mark alone does not keep them apart)."""
    with redis_exclusive(tmp_path_factory):
        yield


@pytest.fixture
def fresh_redis():
    """Empty the Redis databases these tests use, before and after (fails loudly if Redis is not there)."""
    for url in (IN_PROCESS_BROKER, PROCESS_BROKER):
        redis.Redis.from_url(url).flushdb()
    yield
    for url in (IN_PROCESS_BROKER, PROCESS_BROKER):
        redis.Redis.from_url(url).flushdb()


def wait_for(condition, *, seconds: float, message: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {seconds} s waiting for: {message}")
        time.sleep(0.05)


def address_of(row: Notification) -> str:
    if row.recipient_user is not None:
        return row.recipient_user.email
    # A carer (told at the prescription's contacts, here the same as the record's) or a service's inbox.
    recipient = row.recipient_object
    return recipient.email if row.recipient_key.startswith("carer:") else recipient.referral_email


def expected_emails(rows) -> Counter:
    return Counter(address_of(row) for row in rows.filter(channel=Notification.Channel.EMAIL)
                   .select_related("recipient_user").prefetch_related("recipient_object"))


def a_minute_passes() -> None:
    """The relay takes rows pending for over a minute: make the rows older rather than wait."""
    Notification.objects.update(created_at=F("created_at") - timedelta(minutes=2))


def ready_to_send(client, personas, directory, write_prescription) -> Prescription:
    """The GP's prescription for Margaret, checked and ready to send to two services of the charity."""
    client.force_login(personas.referrer)
    draft = write_prescription(email="margaret@example.org", preferred_contact="email")
    client.post(reverse("referrals:draft_services", args=[draft.pk]),
                {"services": [str(directory.breaks.pk), str(directory.counselling.pk)]})
    return draft


# --- The broker is down when the change commits ----------------------------------------------------------


def test_a_prescription_sent_while_the_broker_is_down_succeeds_and_the_relay_delivers_it_once(
        fresh_redis, client, personas, directory, write_prescription):
    draft = ready_to_send(client, personas, directory, write_prescription)

    with broker(CLOSED_BROKER):
        started = time.perf_counter()
        response = client.post(reverse("referrals:draft_check", args=[draft.pk]))
        elapsed = time.perf_counter() - started

    draft.refresh_from_db()
    assert draft.status == Prescription.Status.SENT
    assert response.status_code == 302 and response["Location"] == reverse("referrals:sent", args=[draft.reference])
    assert draft.reference in client.get(response["Location"]).content.decode()
    assert elapsed < BROKER_DOWN_BUDGET_SECONDS, f"sending took {elapsed:.2f} s with the broker down"
    rows = Notification.objects.all()
    assert rows.count() >= 5  # two services' coordinator (email and in-app) and the carer
    assert set(rows.values_list("status", flat=True)) == {Notification.Status.PENDING}
    assert mail.outbox == []

    a_minute_passes()
    with broker(IN_PROCESS_BROKER) as app, start_worker(app, pool="solo", perform_ping_check=False,
                                                        shutdown_timeout=10):
        relay_pending_notifications.delay()  # as beat does, every minute; the worker runs the relay
        wait_for(lambda: not rows.filter(status__in=["pending", "sending"]).exists(), seconds=20,
                 message="the relay and the worker to deliver every row")
        assert set(rows.values_list("status", "attempts")) == {(Notification.Status.SENT, 1)}
        assert Counter(to for message in mail.outbox for to in message.to) == expected_emails(rows)
        assert Counter(to for message in mail.outbox for to in message.to)["coordinator@example.org"] == 2

        # The relay's next run finds nothing to do; a duplicate of every task (a redelivery) sends nothing.
        sent = len(mail.outbox)
        assert relay_pending_notifications() == 0
        for row in rows:
            send_notification.delay(str(row.pk))
        wait_for(lambda: queued(IN_PROCESS_BROKER) == 0, seconds=20, message="the worker to drain the queue")
    assert len(mail.outbox) == sent
    assert set(rows.values_list("status", "attempts")) == {(Notification.Status.SENT, 1)}


# --- A worker is killed in the middle of a send ----------------------------------------------------------


class WorkerProcess:
    """`celery -A partnership worker --pool=solo`, as `make worker` runs it, on the test database."""

    def __init__(self, tmp_path: Path, name: str, env: dict) -> None:
        self.log = tmp_path / f"{name}.log"
        celery = Path(sys.executable).parent / "celery"
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [str(celery), "-A", "partnership", "worker", "--pool=solo", "--without-mingle",
                 "--without-gossip", "--without-heartbeat", "--loglevel=INFO", "-n", f"{name}-{uuid.uuid4().hex}@%h"],
                cwd=django_settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # a warm shutdown: the task in hand finishes first
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


WORKER_APPLICATION_NAME = "fault-injection-worker"  # how PostgreSQL names the worker processes' connections


def database_url() -> str:
    """The test database (not the development one), for the worker processes."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{quote(db['USER'] or '', safe='')}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}" \
           f"/{db['NAME']}?application_name={WORKER_APPLICATION_NAME}"


@pytest.fixture
def worker_processes(tmp_path, fresh_redis):
    """Start worker processes on Redis database 13, with email written to files and blocked by a flag."""
    mail_folder = tmp_path / "mail"
    mail_folder.mkdir()
    flag = tmp_path / "block-email"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.partnership.notifications.blocking_worker_settings",
        "PYTHONPATH": str(django_settings.BASE_DIR),
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": PROCESS_BROKER,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # The relay hands back rows 'sending' for over twice the hard limit: 4 s rather than 3 minutes.
        "CELERY_TASK_SOFT_TIME_LIMIT": "1",
        "CELERY_TASK_TIME_LIMIT": "2",
        "EMAIL_URL": f"filemail:///{mail_folder}",
        "BLOCKING_EMAIL_FLAG": str(flag),
        "SECRET_KEY": "fault-injection-" + uuid.uuid4().hex * 2,
    }
    started: list[WorkerProcess] = []

    def start(name: str) -> WorkerProcess:
        worker = WorkerProcess(tmp_path, name, env)
        started.append(worker)
        return worker

    start.mail_folder, start.flag = mail_folder, flag
    yield start
    for worker in started:
        worker.stop()
    for worker in started:
        print(f"--- worker {worker.log.stem}, exit code {worker.process.returncode}\n{worker.log.read_text()}")


def test_a_worker_killed_mid_send_leaves_the_row_to_the_relay_which_sends_it_exactly_once(
        worker_processes, settings, client, personas, directory, write_prescription):
    # The relay, run here as beat would run it, uses the same shortened limits as the workers.
    settings.CELERY_TASK_SOFT_TIME_LIMIT, settings.CELERY_TASK_TIME_LIMIT = 1, 2
    worker_processes.flag.touch()  # every email send blocks until the flag is removed
    first = worker_processes("first")
    draft = ready_to_send(client, personas, directory, write_prescription)
    with broker(PROCESS_BROKER):
        response = client.post(reverse("referrals:draft_check", args=[draft.pk]))
    assert response.status_code == 302
    rows = Notification.objects.all()
    expected = expected_emails(rows)

    blocked = worker_processes.flag.parent / f"blocked-{first.process.pid}"
    wait_for(blocked.exists, seconds=30, message="the first worker to start sending an email")
    [stuck] = rows.filter(status=Notification.Status.SENDING)
    first.kill()
    stuck.refresh_from_db()
    assert stuck.status == Notification.Status.SENDING and stuck.attempts == 1
    assert delivered(worker_processes.mail_folder) == []
    # Its task was taken but never acknowledged: Redis gives it back only after the visibility timeout.
    assert redis.Redis.from_url(PROCESS_BROKER).hlen("unacked") == 1

    with broker(PROCESS_BROKER):
        # A minute on, the relay queues the other rows again (harmless: each is claimed once) but leaves
        # alone the row being sent, which may yet be sent: it is within twice the time limit.
        a_minute_passes()
        assert relay_pending_notifications() == rows.filter(status=Notification.Status.PENDING).count()
        stuck.refresh_from_db()
        assert stuck.status == Notification.Status.SENDING
        worker_processes.flag.unlink()
        worker_processes("second")  # it delivers the rows whose tasks were still queued
        wait_for(lambda: not rows.filter(status=Notification.Status.PENDING).exists(), seconds=30,
                 message="the second worker to deliver the rows still queued")
        stuck.refresh_from_db()
        assert stuck.status == Notification.Status.SENDING
        # Past twice the time limit the relay hands the row back and queues it; the second worker sends it.
        time.sleep(max(0.0, stuck.claimed_at.timestamp() + 2 * 2 + 0.2 - time.time()))
        assert relay_pending_notifications() == 1
        wait_for(lambda: rows.filter(pk=stuck.pk, status=Notification.Status.SENT).exists(), seconds=20,
                 message="the second worker to send the row handed back")

        # An hour on, Redis hands the killed worker's task out again: it finds the row sent.
        from partnership.celery import app

        with app.connection_for_write(transport_options={"visibility_timeout": 0}) as conn:
            conn.default_channel.qos.restore_visible(num=100)
        wait_for(lambda: queued(PROCESS_BROKER) == 0, seconds=20, message="the redelivered task to be done")

    stuck.refresh_from_db()
    assert stuck.attempts == 2
    assert set(rows.values_list("status", flat=True)) == {Notification.Status.SENT}
    assert Counter(delivered(worker_processes.mail_folder)) == expected


def worker_connections() -> list[int]:
    """The worker processes' connections to the test database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
                       [WORKER_APPLICATION_NAME])
        return [pid for (pid,) in cursor.fetchall()]


def test_a_worker_keeps_its_database_connection_and_replaces_one_postgresql_dropped(
        worker_processes, client, personas, directory, write_prescription):
    worker_processes("steady")
    draft = ready_to_send(client, personas, directory, write_prescription)
    rows = Notification.objects.all()
    with broker(PROCESS_BROKER):
        assert client.post(reverse("referrals:draft_check", args=[draft.pk])).status_code == 302
        wait_for(lambda: not rows.exclude(status=Notification.Status.SENT).exists(), seconds=30,
                 message="the worker to deliver the prescription's notifications")
        # One connection, kept from task to task (a new one for each task was most of a worker's time).
        [kept] = worker_connections()
        before = rows.count()

        # PostgreSQL drops it (a restart, a failover); the worker's next task meets a dead connection.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [kept])
        wait_for(lambda: kept not in worker_connections(), seconds=5, message="PostgreSQL to end the connection")
        client.force_login(personas.coordinator)
        referral = Referral.objects.get(service=directory.breaks)
        assert client.post(reverse("referrals:referral_action", args=[referral.pk, "accept"])).status_code == 302
        wait_for(lambda: rows.count() > before and not rows.exclude(status=Notification.Status.SENT).exists(),
                 seconds=30, message="the worker to deliver the acceptance's notifications")
    assert set(rows.values_list("attempts", flat=True)) == {1}
    assert Counter(delivered(worker_processes.mail_folder)) == expected_emails(rows)
    assert len(worker_connections()) == 1 and kept not in worker_connections()


# --- PostgreSQL is unreachable ----------------------------------------------------------------------------


@contextmanager
def database_through(proxy: TcpProxy):
    """This process's database connection goes through the proxy (the test database, same credentials)."""
    saved = connection.settings_dict.copy()
    connection.close()
    # In clear, so the proxy can see the statements go by.
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(proxy.port),
                                    OPTIONS={**saved["OPTIONS"], "sslmode": "disable"})
    try:
        yield
    finally:
        proxy.cut()
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
        connection.close()  # the next query connects to PostgreSQL itself again


def postgres_proxy(**options) -> TcpProxy:
    db = connection.settings_dict
    return TcpProxy(db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432), **options)


def test_sending_while_postgresql_is_down_is_an_error_page_at_once_and_queues_nothing(
        fresh_redis, client, personas, directory, write_prescription):
    draft = ready_to_send(client, personas, directory, write_prescription)
    browser = Client(raise_request_exception=False)
    browser.cookies = client.cookies  # the GP's session
    proxy = postgres_proxy()
    with broker(IN_PROCESS_BROKER), database_through(proxy):
        proxy.cut()  # PostgreSQL is gone before the GP presses Send
        started = time.perf_counter()
        response = browser.post(reverse("referrals:draft_check", args=[draft.pk]))
        elapsed = time.perf_counter() - started

    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()
    assert elapsed < 2, f"the error page took {elapsed:.2f} s"
    draft.refresh_from_db()
    assert draft.status == Prescription.Status.DRAFT
    assert not Notification.objects.exists()
    assert queued(IN_PROCESS_BROKER) == 0 and mail.outbox == []


@pytest.mark.parametrize("cut_on", [
    pytest.param((b'INSERT INTO "notifications_notification"',), id="while-writing-the-outbox"),
    pytest.param((b'INSERT INTO "notifications_notification"', b"COMMIT"), id="at-commit"),
])
def test_losing_postgresql_mid_send_rolls_it_back_queues_nothing_and_a_retry_sends_once(
        cut_on, fresh_redis, client, personas, directory, write_prescription):
    draft = ready_to_send(client, personas, directory, write_prescription)
    browser = Client(raise_request_exception=False)
    browser.cookies = client.cookies
    # The connection drops as the outbox is written, or as the transaction that wrote it commits.
    proxy = postgres_proxy(cut_on=cut_on)
    with broker(IN_PROCESS_BROKER), database_through(proxy):
        started = time.perf_counter()
        response = browser.post(reverse("referrals:draft_check", args=[draft.pk]))
        elapsed = time.perf_counter() - started
        assert not proxy.cut_on, "the request did not get as far as intended: the failure was elsewhere"

    assert response.status_code == 500 and elapsed < 2
    draft.refresh_from_db()
    assert draft.status == Prescription.Status.DRAFT  # the whole send was rolled back
    assert not Referral.objects.exists() and not Notification.objects.exists()
    assert queued(IN_PROCESS_BROKER) == 0 and mail.outbox == []

    # With PostgreSQL back the GP presses Send again: sent once, and each row queued once.
    with broker(IN_PROCESS_BROKER):
        response = client.post(reverse("referrals:draft_check", args=[draft.pk]))
    assert response.status_code == 302
    pending = {str(pk) for pk in Notification.objects.filter(status=Notification.Status.PENDING)
               .values_list("pk", flat=True)}
    waiting = queued_notification_ids(IN_PROCESS_BROKER)
    assert pending and sorted(waiting) == sorted(pending), "each row queued, and once"
    assert queued(IN_PROCESS_BROKER) == 3, "one message per event: the carer's confirmation and each service's"
