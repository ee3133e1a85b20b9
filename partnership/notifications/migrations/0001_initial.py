"""The outbox, moved here from referrals with its table and every row (step 2 of 3, state only).

referrals/0007 turned the carer and service recipients into a generic relation and renamed the table to
notifications_notification; this takes the model over as it stands. On a new database the table is made by
referrals' migrations, so this waits for them: the one place the core names an app, as history.
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("partnership", "0004_partnership_lead_organisation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("referrals", "0007_notification_recipient_as_generic_relation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        ("id", models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True,
                                                serialize=False)),
                        ("event_key", models.CharField(max_length=120)),
                        ("recipient_key", models.CharField(max_length=80)),
                        ("recipient_id", models.CharField(blank=True, default="", max_length=64)),
                        ("channel", models.CharField(choices=[("email", "Email"), ("sms", "Text message"),
                                                              ("in_app", "In the app")], max_length=10)),
                        ("template", models.CharField(max_length=60)),
                        ("context", models.JSONField(blank=True, default=dict)),
                        ("status", models.CharField(choices=[("pending", "Pending"), ("sending", "Sending"),
                                                             ("sent", "Sent"), ("failed", "Failed"),
                                                             ("held", "Held for the daily digest")],
                                                    default="pending", max_length=10)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.CharField(blank=True, max_length=300)),
                        ("provider_id", models.CharField(blank=True, max_length=100)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        ("not_before", models.DateTimeField(blank=True, null=True)),
                        ("digest", models.ForeignKey(blank=True, null=True,
                                                     on_delete=django.db.models.deletion.SET_NULL,
                                                     related_name="digested", to="notifications.notification")),
                        ("partnership", models.ForeignKey(blank=True, null=True,
                                                          on_delete=django.db.models.deletion.CASCADE,
                                                          related_name="notifications",
                                                          to="partnership.partnership")),
                        ("recipient_type", models.ForeignKey(blank=True, null=True,
                                                             on_delete=django.db.models.deletion.CASCADE,
                                                             related_name="+", to="contenttypes.contenttype")),
                        ("recipient_user", models.ForeignKey(blank=True, null=True,
                                                             on_delete=django.db.models.deletion.CASCADE,
                                                             related_name="notifications",
                                                             to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(fields=["status", "created_at"], name="notification_relay"),
                            models.Index(fields=["recipient_user", "channel", "read_at"], name="notification_unread"),
                            models.Index(fields=["partnership", "status"], name="notification_failed"),
                            models.Index(fields=["recipient_type", "recipient_id"], name="notification_recipient"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(fields=("event_key", "recipient_key", "channel"),
                                                    name="one_notification_per_event"),
                        ],
                    },
                ),
            ],
        ),
    ]
