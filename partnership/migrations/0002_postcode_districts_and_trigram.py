import csv
from pathlib import Path

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

CSV = Path(__file__).resolve().parent.parent / "data" / "uk-outcodes.csv"


def load_districts(apps, schema_editor):
    PostcodeDistrict = apps.get_model("partnership", "PostcodeDistrict")
    with CSV.open(newline="") as handle:
        rows = [
            PostcodeDistrict(code=row["outcode"].strip().upper(), latitude=float(row["latitude"]),
                             longitude=float(row["longitude"]))
            for row in csv.DictReader(handle)
            if row.get("outcode") and row.get("latitude") and row.get("longitude")
        ]
    PostcodeDistrict.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)


def unload_districts(apps, schema_editor):
    apps.get_model("partnership", "PostcodeDistrict").objects.all().delete()


class PostgresOnly(TrigramExtension):
    """pg_trgm on PostgreSQL; nothing on SQLite, where the directory uses a simpler match."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class Migration(migrations.Migration):
    dependencies = [("partnership", "0001_initial")]

    operations = [
        PostgresOnly(),
        migrations.RunPython(load_districts, unload_districts),
    ]
