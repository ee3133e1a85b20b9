"""The outbox moves to the core (partnership/notifications), which may not know carers or services: a row's
recipient other than a user becomes a generic relation (content type + id as text), and the table takes the
core app's name. Step 1 of 3, here while the model is still referrals': every row keeps its recipient.

Then notifications/0001_initial takes the model over (state only) and 0008 lets referrals forget it.
"""

import django.db.models.deletion
from django.db import migrations, models


def _content_type(apps, app_label: str, model: str):
    # Content types are made after migrating; one not there yet is made now, as post_migrate would.
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.get_or_create(app_label=app_label, model=model)[0]


def recipients_to_generic(apps, schema_editor):
    Notification = apps.get_model("referrals", "Notification")
    for field, app_label, model in (("recipient_carer", "referrals", "carer"),
                                    ("recipient_service", "organisations", "service")):
        rows = Notification.objects.filter(**{f"{field}__isnull": False})
        ids = rows.order_by().values_list(f"{field}_id", flat=True).distinct()
        if not ids:
            continue
        content_type = _content_type(apps, app_label, model)
        # One update per carer or service, the id as text in its canonical form (str(uuid), as the code
        # writes it) on every database.
        for pk in list(ids):
            rows.filter(**{f"{field}_id": pk}).update(recipient_type=content_type, recipient_id=str(pk))


def recipients_to_foreign_keys(apps, schema_editor):
    Notification = apps.get_model("referrals", "Notification")
    for field, app_label, model in (("recipient_carer", "referrals", "carer"),
                                    ("recipient_service", "organisations", "service")):
        content_type = _content_type(apps, app_label, model)
        rows = Notification.objects.filter(recipient_type=content_type)
        for pk in list(rows.order_by().values_list("recipient_id", flat=True).distinct()):
            rows.filter(recipient_id=pk).update(**{f"{field}_id": pk})


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("organisations", "0004_team_visibility_and_referral_email"),
        ("referrals", "0006_rename_prescription_and_referral"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="recipient_type",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="+", to="contenttypes.contenttype"),
        ),
        migrations.AddField(
            model_name="notification",
            name="recipient_id",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(recipients_to_generic, recipients_to_foreign_keys),
        migrations.RemoveField(model_name="notification", name="recipient_carer"),
        migrations.RemoveField(model_name="notification", name="recipient_service"),
        migrations.AddIndex(
            model_name="notification",
            index=models.Index(fields=["recipient_type", "recipient_id"], name="notification_recipient"),
        ),
        migrations.AlterModelTable(name="notification", table="notifications_notification"),
    ]
