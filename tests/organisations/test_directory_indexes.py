"""Every filter the directory offers has an index on PostgreSQL, and text search uses its GIN indexes."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def indexes_of(table: str) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        return dict(cursor.fetchall())


def test_every_directory_filter_has_an_index():
    service = " ".join(indexes_of("organisations_service").values())
    for columns in ["(status, referral_capacity)", "(status, is_free)", "(status, delivered_in_person)",
                    "(status, delivered_at_home)", "(status, delivered_by_phone)", "(status, delivered_online)",
                    "(status, serves_whole_area)", "(minimum_age, maximum_age)",
                    "gin (to_tsvector('english'::regconfig, COALESCE(search_text, ''::text)))",
                    "gin (search_text gin_trgm_ops)"]:
        assert columns in service, columns
    # Needs, areas and places are filtered through their link tables, indexed on both sides.
    for table, column in [("organisations_service_needs", "taxonomyterm_id"),
                          ("organisations_service_service_area_districts", "postcodedistrict_id"),
                          ("organisations_serviceatlocation", "service_id")]:
        assert any(f"({column})" in definition for definition in indexes_of(table).values()), table
    assert any("(latitude, longitude)" in d for d in indexes_of("organisations_location").values())
    assert any("(partnership_id, status)" in d for d in indexes_of("organisations_membership").values())


def test_the_planner_uses_the_full_text_index():
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM organisations_service WHERE "
            "to_tsvector('english'::regconfig, COALESCE(search_text, '')) @@ websearch_to_tsquery('english', 'respite')"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "service_search_fts" in plan
