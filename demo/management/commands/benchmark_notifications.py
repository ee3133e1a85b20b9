"""Time the notification outbox: `manage.py benchmark_notifications [--count 2000] [--broker redis://...]`.

A benchmark, not a test. On this machine, against the real PostgreSQL and Redis, it measures:

- throughput: --count email outbox rows for one person, queued on the broker and delivered by ONE Celery
  worker process (solo pool, as `make worker` runs it) with the console email backend writing to
  /dev/null, timed from the first claim to the last sent by the rows' own times. The target is 200 a
  second;
- request overhead: what a typical event's notifications add to a request, five outbox rows (a referral
  routed to a service with two coordinators, by email and in the app, and its inbox address) written in
  the request's transaction and queued on the broker after its commit (the commit, the request's own, is
  shown apart); median and 95th percentile. The target is a p95 under 5 ms.

Both run with DEBUG off, as production does, and no email leaves the machine. It uses the first active
person who takes each email as it comes, or a throwaway partnership and person when there is none, and
deletes everything it created at the end; run it on a database of its own (`make benchmark-notifications`
does), since that person has the benchmark's in-app notifications while it runs. It exits non-zero when a
target is missed, unless --no-fail.
"""

from __future__ import annotations

import os
import secrets
import statistics
import subprocess  # nosec B404  # starts the benchmark's own Celery worker, see below
import sys
import tempfile
import time
import uuid
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Count, Max, Min
from django.test.utils import override_settings

from partnership.models import Partnership, User
from partnership.notifications import outbox
from partnership.notifications.models import Notification
from partnership.notifications.tasks import send_notification
from referrals.models import Referral

THROUGHPUT_TARGET = 200  # notifications a second, one worker
OVERHEAD_TARGET_MS = 5.0  # p95 (and so the median) of an event's notifications in a request
ROWS_PER_EVENT = 5  # two coordinators by email and in the app, and the service's inbox address


class Command(BaseCommand):
    help = "Time delivering notifications through one Celery worker, and what queueing them adds to a request."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--count", type=int, default=2000, help="Email rows to deliver (throughput)")
        parser.add_argument("--runs", type=int, default=200, help="Events to time (request overhead)")
        parser.add_argument("--broker", default="redis://127.0.0.1:6379/12", help="A Redis database of its own")
        parser.add_argument("--no-fail", action="store_true", help="Exit 0 even when a target is missed")

    def handle(self, *args, count: int, runs: int, broker: str, no_fail: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Run it against PostgreSQL (DATABASE_URL=postgres://...): its numbers mean little "
                               "on SQLite, which also cannot take a worker process writing beside this one")
        if urlsplit(broker).scheme not in ("redis", "rediss"):
            raise CommandError(f"--broker must be a redis:// URL, not {broker!r}")
        try:
            waiting = redis.Redis.from_url(broker).llen("celery")
        except redis.RedisError as error:
            raise CommandError(f"Cannot reach the broker at {broker}: {error}") from None
        if waiting:
            self.stderr.write(f"Warning: {waiting} messages already wait on {broker}; they slow the worker down")

        from partnership.celery import app

        app.conf.update(broker_url=broker, task_always_eager=False)
        self.run = uuid.uuid4().hex[:12]
        self.prefix = f"benchmark:{self.run}:"
        self.created: list = []
        worker = None
        try:
            user, partnership = self._recipient()
            # The request overhead first, with no worker competing for this machine's cores. Then the rows
            # for the throughput are queued, and the worker, once started, sends what is queued: the overhead
            # runs' rows (a warm-up) and then these, timed by the rows' own claim and sent times.
            with override_settings(DEBUG=False):  # as in production: DEBUG records every query
                median, p95, parts = self._overhead(user, partnership, runs)
            self._queue_for_throughput(user, partnership, count)
            worker = self._start_worker(app, broker)
            self._wait_until_delivered(Notification.objects.filter(event_key__startswith=self.prefix),
                                       timeout=max(120.0, count / 20))
            rate = self._throughput(count)
        finally:
            if worker is not None:
                self._stop_worker(worker)
            self._clean_up()

        self.stdout.write(
            f"Throughput: {count} emails by one worker (solo pool) on {broker}: {rate:.0f} a second "
            f"(target {THROUGHPUT_TARGET}) {'OK' if rate >= THROUGHPUT_TARGET else 'MISSED'}"
        )
        self.stdout.write(
            f"Request overhead of an event's {ROWS_PER_EVENT} notifications (written, then queued after commit), "
            f"{runs} runs: median {median:.2f} ms, p95 {p95:.2f} ms (target under {OVERHEAD_TARGET_MS:g} ms) "
            f"{'OK' if p95 < OVERHEAD_TARGET_MS else 'MISSED'}"
        )
        self.stdout.write("  medians: " + ", ".join(f"{name} {value:.2f} ms" for name, value in parts.items()))
        missed = rate < THROUGHPUT_TARGET or p95 >= OVERHEAD_TARGET_MS
        if missed and not no_fail:
            raise CommandError("A target was missed")

    # --- Set up and clean up -----------------------------------------------------------------------------

    def _recipient(self) -> tuple[User, Partnership]:
        user = (User.objects.filter(is_active=True, email_frequency=User.EmailFrequency.EACH).exclude(email="")
                .order_by("pk").first())
        partnership = Partnership.objects.current()
        if partnership is None:
            partnership = Partnership.objects.create(slug=f"benchmark-{self.run}", name="Benchmark partnership")
            self.created.append(partnership)
        if user is None:
            user = User.objects.create_user(email=f"benchmark-{self.run}@example.invalid", password=None,
                                            first_name="Benchmark")
            self.created.append(user)
        return user, partnership

    def _clean_up(self) -> None:
        deleted, _ = Notification.objects.filter(event_key__startswith=self.prefix).delete()
        for obj in reversed(self.created):
            obj.delete()
        made = f" and the throwaway {', '.join(type(obj).__name__.lower() for obj in self.created)}" \
            if self.created else ""
        self.stdout.write(f"Cleaned up: {deleted} outbox rows{made}")

    def _start_worker(self, app, broker: str) -> subprocess.Popen:
        """One worker process on the same database, email to the console and the console to /dev/null."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE,
            "CELERY_BROKER_URL": broker,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "EMAIL_URL": "consolemail://",
            "NOTIFY_EMAIL": "false",
            # As in production: DEBUG records every query. It then wants a secret and hosts; neither is used.
            "DEBUG": "false",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": os.environ.get("ALLOWED_HOSTS") or "localhost",
        }
        self.worker_log = tempfile.TemporaryFile(mode="w+")
        node = f"benchmark-{self.run}"
        arguments = ["worker", "--pool=solo", "--without-mingle", "--without-gossip", "--without-heartbeat",
                     "--loglevel=WARNING", "-n", f"{node}@%h"]
        # `celery -A partnership worker`, except that its standard output stays /dev/null: a worker otherwise
        # turns it into log lines, every line of every email a log record.
        code = ("from partnership.celery import app; app.conf.worker_redirect_stdouts = False; "
                f"app.worker_main({arguments!r})")
        worker = subprocess.Popen(  # noqa: S603  # nosec B603  # this interpreter, fixed code, no shell
            [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env,
            stdout=subprocess.DEVNULL, stderr=self.worker_log)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                self.worker_log.seek(0)
                raise CommandError(f"The worker stopped at start-up:\n{self.worker_log.read()}")
            replies = app.control.ping(timeout=0.5)
            if any(name.startswith(f"{node}@") for reply in replies for name in reply):
                return worker
        self._stop_worker(worker)
        raise CommandError("The worker did not start within a minute")

    def _stop_worker(self, worker: subprocess.Popen) -> None:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()

    def _wait_until_delivered(self, rows, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while rows.filter(status__in=[Notification.Status.PENDING, Notification.Status.SENDING]).exists():
            if time.monotonic() > deadline:
                raise CommandError(f"Not delivered within {timeout:.0f} s; is the worker running?")
            time.sleep(0.25)

    # --- Measurements --------------------------------------------------------------------------------------

    def _context(self) -> dict:
        """A real item when there is one, so each message does the lookups a real one does."""
        referral = Referral.objects.order_by("pk").values_list("pk", "service_id").first()
        return {"referral": str(referral[0]), "service": str(referral[1])} if referral else {}

    def _queue_for_throughput(self, user: User, partnership: Partnership, count: int) -> None:
        context = self._context()
        rows = [
            Notification(partnership=partnership, event_key=f"{self.prefix}throughput:{number}",
                         recipient_key=f"user:{user.pk}", recipient_user=user, channel=Notification.Channel.EMAIL,
                         template="item_routed", context=context, status=Notification.Status.PENDING)
            for number in range(count)
        ]
        Notification.objects.bulk_create(rows, batch_size=1000)
        for row in rows:
            send_notification.delay(str(row.pk))

    def _throughput(self, count: int) -> float:
        """Messages a second, from the first claim to the last sent, by the rows' own times."""
        rows = Notification.objects.filter(event_key__startswith=f"{self.prefix}throughput:")
        outcome = dict(rows.values_list("status").annotate(n=Count("pk")).order_by())
        if outcome.get(Notification.Status.SENT, 0) != count:
            raise CommandError(f"Not every message was sent: {outcome}")
        window = rows.aggregate(first=Min("claimed_at"), last=Max("sent_at"))
        return count / (window["last"] - window["first"]).total_seconds()

    def _overhead(self, user: User, partnership: Partnership, runs: int) -> tuple[float, float, dict]:
        context = self._context()
        totals, parts = [], {"writing": [], "queueing": [], "commit (not counted)": []}
        warm_up = 10
        for run in range(warm_up + runs):
            # The rows of one event, built as referrals.notifications.item_routed builds them; an event per
            # row here, since the unique key (event, recipient, channel) would otherwise need five people.
            rows = [outbox.message(to=user, event_key=f"{self.prefix}event:{run}:{number}", template="item_routed",
                                   channel=(Notification.Channel.EMAIL, Notification.Channel.IN_APP)[number % 2],
                                   context=context, partnership_id=partnership.pk)
                    for number in range(ROWS_PER_EVENT)]
            marks = {}
            with transaction.atomic():
                # The change that causes the event has opened the request's transaction already.
                with connection.cursor() as cursor:
                    cursor.execute("SELECT 1")
                # Runs first of the after-commit callbacks: it separates the commit from the queueing.
                transaction.on_commit(lambda marks=marks: marks.setdefault("committed", time.perf_counter()))
                started = time.perf_counter()
                outbox.record(rows)
                written = time.perf_counter()
            finished = time.perf_counter()
            if run >= warm_up:
                # Not the commit: the request commits its change anyway, with a flush to disk either way.
                totals.append((written - started + finished - marks["committed"]) * 1000)
                parts["writing"].append((written - started) * 1000)
                parts["queueing"].append((finished - marks["committed"]) * 1000)
                parts["commit (not counted)"].append((marks["committed"] - written) * 1000)
        totals.sort()
        p95 = totals[min(len(totals) - 1, int(len(totals) * 0.95))]
        return statistics.median(totals), p95, {name: statistics.median(values) for name, values in parts.items()}
