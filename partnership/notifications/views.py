"""The in-app notifications of whoever is signed in, and the failed messages of a partnership's managers."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from partnership.pagination import page_of

from . import outbox
from .messages import notifications_described
from .models import Notification
from .navigation import counts_for

PAGE_SIZE = 25


@login_required
@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    """A person's own in-app notifications, newest first."""
    page = page_of(request, Notification.objects.in_app_for(request.user), PAGE_SIZE)
    return render(request, "notifications/notifications.html", {
        "page": page, "notifications": notifications_described(list(page)), "unread": counts_for(request).unread,
    })


@login_required
@require_GET
def notification_open(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Follows a notification's link: marks it read and goes to the page it is about. A GET, because it is
    a link (it can be opened in a new tab); marking read is harmless and keeps the first time it was read."""
    notification = get_object_or_404(Notification.objects.in_app_for(request.user), pk=pk)
    Notification.objects.filter(pk=notification.pk).mark_read()
    [described] = notifications_described([notification])
    return redirect(described.url or "notifications:notifications")


@login_required
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.in_app_for(request.user).mark_read()
    messages.success(request, "All your notifications are marked as read.")
    return redirect("notifications:notifications")


@login_required
@require_GET
def failed_messages(request: HttpRequest) -> HttpResponse:
    """Messages that could not be delivered, for the managers of their partnership to fix and try again."""
    if not counts_for(request).manages:
        raise Http404
    page = page_of(request, Notification.objects.failed_visible_to(request.user).select_related("recipient_user"),
                   PAGE_SIZE)
    return render(request, "notifications/failed_messages.html", {
        "page": page, "failed": notifications_described(list(page), recipients=True),
    })


@login_required
@require_POST
def failed_message_retry(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    notification = get_object_or_404(
        Notification.objects.failed_visible_to(request.user).select_related("recipient_user"), pk=pk,
    )
    [described] = notifications_described([notification], recipients=True)
    if outbox.notification_retry(notification):
        messages.success(request, f"{described.event} to {described.recipient_in_words} is being sent again. "
                                  "If it fails again, it will come back to this list.")
    else:
        messages.info(request, "That message is already being sent again.")
    return redirect("notifications:failed_messages")
