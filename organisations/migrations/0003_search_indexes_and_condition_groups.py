from django.db import migrations

# Indexes for the directory's free-text search on PostgreSQL. The full-text expression must be the
# one Django writes for SearchVector("search_text", config="english"), or the planner ignores it.
POSTGRES_INDEXES = [
    (
        "CREATE INDEX IF NOT EXISTS service_search_fts ON organisations_service USING gin "
        "(to_tsvector('english'::regconfig, COALESCE(search_text, ''::text)))",
        "DROP INDEX IF EXISTS service_search_fts",
    ),
    (
        "CREATE INDEX IF NOT EXISTS service_search_trgm ON organisations_service USING gin "
        "(search_text gin_trgm_ops)",
        "DROP INDEX IF EXISTS service_search_trgm",
    ),
]

CONDITION_GROUPS = [
    ("dementia", "Dementia"),
    ("mental-health", "Mental health"),
    ("learning-disability", "Learning disability"),
    ("autism", "Autism"),
    ("physical-disability", "Physical disability"),
    ("long-term-condition", "Long-term condition"),
    ("cancer", "Cancer"),
    ("end-of-life", "End of life"),
    ("substance-misuse", "Drug or alcohol misuse"),
    ("frailty", "Frailty and older age"),
    ("stroke", "Stroke"),
    ("sensory-impairment", "Sight or hearing loss"),
]


def create_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for create, _ in POSTGRES_INDEXES:
            schema_editor.execute(create)


def drop_postgres_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _, drop in POSTGRES_INDEXES:
            schema_editor.execute(drop)


def create_condition_groups(apps, schema_editor):
    ConditionGroup = apps.get_model("organisations", "ConditionGroup")
    for slug, name in CONDITION_GROUPS:
        ConditionGroup.objects.update_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_initial"),
        ("partnership", "0002_postcode_districts_and_trigram"),
    ]

    operations = [
        migrations.RunPython(create_postgres_indexes, drop_postgres_indexes),
        migrations.RunPython(create_condition_groups, migrations.RunPython.noop),
    ]
