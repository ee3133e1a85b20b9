"""The outbox: one message to one recipient on one channel, and who may see which."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone


class NotificationQuerySet(models.QuerySet):
    def in_app_for(self, user) -> NotificationQuerySet:
        """A person's own in-app notifications: the page that lists them and the count in the header."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(recipient_user=user, channel=Notification.Channel.IN_APP)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def mentioning(self, key: str, ids) -> NotificationQuerySet:
        """Rows whose context names one of these ids under `key` ("referral", "prescription" …)."""
        return self.filter(**{f"context__{key}__in": [str(pk) for pk in ids]})

    def addressed_to(self, recipient) -> NotificationQuerySet:
        """Rows for one recipient: a user, or an object an app registered as a recipient (a carer …)."""
        if isinstance(recipient, models.Model) and recipient._meta.label == settings.AUTH_USER_MODEL:
            return self.filter(recipient_user=recipient)
        return self.filter(recipient_type=ContentType.objects.get_for_model(recipient),
                           recipient_id=str(recipient.pk))

    def mark_read(self) -> int:
        """Marks the unread ones read, once: a row already read keeps the time it was first read."""
        return self.filter(read_at__isnull=True).update(read_at=timezone.now())

    def failed_visible_to(self, user) -> NotificationQuerySet:
        """Messages that could not be delivered, for the managers of the partnership they belong to."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(status=Notification.Status.FAILED, partnership__managers__user=user)

    def due(self, now=None) -> NotificationQuerySet:
        """Pending rows that may be tried now (not deferred past a provider's daily limit)."""
        now = now or timezone.now()
        waiting = Q(not_before__isnull=True) | Q(not_before__lte=now)
        return self.filter(waiting, status=Notification.Status.PENDING)


class Notification(models.Model):
    """The outbox: one message to one recipient on one channel, written in the transaction of the change
    that caused it and delivered by a worker. It holds ids, never copies of personal data.

    The recipient is a user (`recipient_user`), or an object of an app — a carer, a service's referral
    inbox — through Django's contenttypes generic relation (`recipient_type` + `recipient_id`, text because
    such objects have UUID keys). The core never imports those models: the app that owns one registers
    how to reach it and name it (registry.py), and gives it a GenericRelation so deleting it deletes its rows.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"
        IN_APP = "in_app", "In the app"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        HELD = "held", "Held for the daily digest"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Whose manager sees it if it fails.
    partnership = models.ForeignKey(
        "partnership.Partnership", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    # What caused it, e.g. "item-routed:<referral id>" (keys written before the rename keep their "item-"
    # prefix, and new ones use it too); with the recipient and channel it is sent once.
    event_key = models.CharField(max_length=120)
    # "<model name>:<pk>" of the recipient ("user:7", "carer:<uuid>", "service:<uuid>"), for the unique key.
    recipient_key = models.CharField(max_length=80)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    recipient_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True,
                                       related_name="+")
    recipient_id = models.CharField(max_length=64, blank=True, default="")
    recipient_object = GenericForeignKey("recipient_type", "recipient_id")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    template = models.CharField(max_length=60)
    context = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    provider_id = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # Not to be tried again before this (a provider's daily limit was reached).
    not_before = models.DateTimeField(null=True, blank=True)
    # The digest email that carried this held row.
    digest = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="digested")

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event_key", "recipient_key", "channel"], name="one_notification_per_event"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="notification_relay"),
            models.Index(fields=["recipient_user", "channel", "read_at"], name="notification_unread"),
            models.Index(fields=["partnership", "status"], name="notification_failed"),
            models.Index(fields=["recipient_type", "recipient_id"], name="notification_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.template} to {self.recipient_key} by {self.channel} ({self.status})"
