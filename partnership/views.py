from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from .forms import EmailFrequencyForm
from .models import Partnership


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "partnership/home.html", {"partnerships": Partnership.objects.all()[:10]})


@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "partnership/accessibility.html")


@login_required
@require_http_methods(["GET", "POST"])
def email_notifications(request: HttpRequest) -> HttpResponse:
    """Your account: how often to be emailed (each event, or a daily digest). A carer has no staff emails:
    their page says how they are contacted about their referrals, and by whom."""
    if not request.user.works_in_a_partnership:
        if request.method == "POST":
            raise Http404
        return render(request, "partnership/account_carer.html")
    form = EmailFrequencyForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Saved. We will email you {form.instance.get_email_frequency_display().lower()}.")
        return redirect("email_notifications")
    return render(request, "partnership/email_notifications.html", {"form": form})


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
