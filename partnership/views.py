from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .models import Partnership


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "partnership/home.html", {"partnerships": Partnership.objects.all()[:10]})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "partnership/accessibility.html")


def _database_ok() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, "ok"
    except Exception as error:  # noqa: BLE001 — any failure means "down"; say which kind
        return False, type(error).__name__


def _broker_ok() -> tuple[bool, str] | None:
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        return None
    from partnership.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as error:  # noqa: BLE001
        return False, type(error).__name__


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database (and the broker, when one is configured) answer; 503 otherwise."""
    db_ok, db_state = _database_ok()
    checks: dict[str, str] = {"database": db_state}
    healthy = db_ok
    broker = _broker_ok()
    if broker is not None:
        checks["broker"] = broker[1]
        healthy = healthy and broker[0]
    return JsonResponse({"status": "ok" if healthy else "unavailable", "checks": checks},
                        status=200 if healthy else 503)


def page_not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "404.html", status=404)
