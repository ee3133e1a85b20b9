"""Names that match the product: the prescription a referrer writes was stored as `Referral`, and the
part of it each service receives as `ReferralItem`. They become `Prescription` and `Referral`.

The tables are renamed, not copied, so every row and id stays. A renamed table keeps its indexes' old
names, and the new `Referral` table takes the old prescription table's name: so after each rename the
indexes are renamed too (`referrals_referral_…` → `referrals_prescription_…`), or the next index Django
builds for `referrals_referral` would collide with one the prescription table still holds. Outbox rows keep their event keys ("item-routed:…")
and template names ("item_routed") — operators' NOTIFY_TEMPLATE_IDS and the once-only keys depend on
them — but the ids they carry are now filed as "referral" (was "item") and "prescription" (was
"referral"), the names the code reads.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rename_context_keys(apps, schema_editor, *, forwards=True):
    Notification = apps.get_model("referrals", "Notification")
    moves = (
        [("referral", "prescription"), ("item", "referral")]
        if forwards
        else [("referral", "item"), ("prescription", "referral")]
    )
    changed = []
    for row in Notification.objects.exclude(context={}).only("pk", "context").iterator(chunk_size=2000):
        context = dict(row.context)
        for old, new in moves:
            if old in context:
                context[new] = context.pop(old)
        if context != row.context:
            row.context = context
            changed.append(row)
    # In batches: one UPDATE per thousand rows, not one per row.
    Notification.objects.bulk_update(changed, ["context"], batch_size=1000)


# Django's contenttypes rename each model's content type with it, but not the permissions hung on it:
# "view_referral" would go on meaning a prescription. Renamed in the same order as the models.
PERMISSION_MOVES = [("prescription", "referral", "prescription"), ("referral", "referralitem", "referral")]


def rename_permissions(apps, schema_editor, *, forwards=True):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    moves = PERMISSION_MOVES if forwards else [(old, new, old) for _, old, new in reversed(PERMISSION_MOVES)]
    for model, old, new in moves:
        content_type = ContentType.objects.filter(app_label="referrals", model=model).first()
        if content_type is None:  # a new database: post_migrate makes them with the new names
            continue
        for permission in Permission.objects.filter(content_type=content_type, codename__endswith=f"_{old}"):
            action = permission.codename.removesuffix(f"_{old}")
            if Permission.objects.filter(content_type=content_type, codename=f"{action}_{new}").exists():
                continue
            permission.codename = f"{action}_{new}"
            permission.name = f"Can {action} {new}"
            permission.save(update_fields=["codename", "name"])


def _rename_indexes(schema_editor, old_prefix: str, new_prefix: str) -> None:
    """Renames the indexes (and, on PostgreSQL, the constraints) named after a table's old name."""
    connection = schema_editor.connection
    old, new = f"{old_prefix}_", f"{new_prefix}_"
    with connection.cursor() as cursor:
        tables = [
            table.name
            for table in connection.introspection.get_table_list(cursor)
            if table.name == new_prefix or table.name.startswith(new)
        ]
        for table in tables:
            if connection.vendor == "postgresql":
                constraints = connection.introspection.get_constraints(cursor, table)
                for name, info in constraints.items():
                    if not name.startswith(old) or name.startswith(new):
                        continue
                    renamed = new + name[len(old) :]
                    if info["index"] and not (info["unique"] or info["primary_key"]):
                        cursor.execute(f'ALTER INDEX "{name}" RENAME TO "{renamed}"')
                    else:
                        cursor.execute(f'ALTER TABLE "{table}" RENAME CONSTRAINT "{name}" TO "{renamed}"')
            elif connection.vendor == "sqlite":
                cursor.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                    [table],
                )
                for name, sql in cursor.fetchall():
                    if name.startswith(old) and not name.startswith(new):
                        cursor.execute(f'DROP INDEX "{name}"')
                        cursor.execute(sql.replace(f'"{name}"', f'"{new + name[len(old) :]}"', 1))


def _indexes_renamer(old_prefix: str, new_prefix: str) -> migrations.RunPython:
    def forwards(apps, schema_editor):
        _rename_indexes(schema_editor, old_prefix, new_prefix)

    def backwards(apps, schema_editor):
        _rename_indexes(schema_editor, new_prefix, old_prefix)

    return migrations.RunPython(forwards, backwards)


def forwards(apps, schema_editor):
    rename_context_keys(apps, schema_editor, forwards=True)
    rename_permissions(apps, schema_editor, forwards=True)


def backwards(apps, schema_editor):
    rename_context_keys(apps, schema_editor, forwards=False)
    rename_permissions(apps, schema_editor, forwards=False)


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0004_team_visibility_and_referral_email"),
        ("partnership", "0004_partnership_lead_organisation"),
        ("referrals", "0005_backfill_prescription_carer_details"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="unmetneed",
            name="unique_unmet_need",
        ),
        migrations.RenameModel("Referral", "Prescription"),
        _indexes_renamer("referrals_referral", "referrals_prescription"),
        migrations.RenameModel("ReferralItem", "Referral"),
        _indexes_renamer("referrals_referralitem", "referrals_referral"),
        migrations.RenameField("Referral", "referral", "prescription"),
        migrations.RenameField("ReferralEvent", "referral", "prescription"),
        migrations.RenameField("ReferralEvent", "item", "referral"),
        migrations.RenameField("UnmetNeed", "referral", "prescription"),
        migrations.RenameField("CarerRecordAccess", "referral", "prescription"),
        migrations.AlterField(
            model_name="prescription",
            name="carer",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="prescriptions",
                to="referrals.carer",
            ),
        ),
        migrations.AlterField(
            model_name="prescription",
            name="needs",
            field=models.ManyToManyField(blank=True, related_name="prescriptions", to="organisations.taxonomyterm"),
        ),
        migrations.AlterField(
            model_name="prescription",
            name="partnership",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="prescriptions", to="partnership.partnership"
            ),
        ),
        migrations.AlterField(
            model_name="prescription",
            name="referrer",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="prescriptions_written",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="prescription",
            name="referring_organisation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="prescriptions_made",
                to="organisations.organisation",
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="carer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="referrals", to="referrals.carer"
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="prescription",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="referrals", to="referrals.prescription"
            ),
        ),
        migrations.AlterField(
            model_name="referral",
            name="service",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="referrals", to="organisations.service"
            ),
        ),
        migrations.AddConstraint(
            model_name="unmetneed",
            constraint=models.UniqueConstraint(fields=("prescription", "need"), name="unique_unmet_need"),
        ),
        migrations.RemoveConstraint(
            model_name="referral",
            name="one_open_item_per_carer_service",
        ),
        migrations.RenameIndex(
            model_name="prescription",
            new_name="prescription_by_referrer",
            old_name="referral_by_referrer",
        ),
        migrations.RenameIndex(
            model_name="prescription",
            new_name="prescription_carer_email",
            old_name="referral_carer_email",
        ),
        migrations.RenameIndex(
            model_name="prescription",
            new_name="prescription_carer_phone",
            old_name="referral_carer_phone",
        ),
        migrations.RenameIndex(
            model_name="prescription",
            new_name="prescription_by_org",
            old_name="referral_by_org",
        ),
        migrations.RenameIndex(
            model_name="prescription",
            new_name="prescription_drafts",
            old_name="referral_drafts",
        ),
        migrations.RenameIndex(
            model_name="referral",
            new_name="referral_inbox",
            old_name="item_inbox",
        ),
        migrations.RenameIndex(
            model_name="referral",
            new_name="referral_status_age",
            old_name="item_status_age",
        ),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ("sent", "accepted", "in_contact"))),
                fields=("carer", "service"),
                name="one_open_referral_per_carer_service",
            ),
        ),
        migrations.RunPython(forwards, backwards),
    ]
