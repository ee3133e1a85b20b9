"""Step 3 of 3: the outbox is the core's (notifications/0001_initial holds it now); referrals forgets it.
Nothing changes in the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0007_notification_recipient_as_generic_relation"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
            database_operations=[],
        ),
    ]
