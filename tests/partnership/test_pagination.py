"""One pagination: offset pages counted in the same query (or only up to a cap), and keyset pages that
reach deep into a long order through the index."""

from __future__ import annotations

import pytest

from partnership.models import PostcodeDistrict
from partnership.pagination import keyset, page_number, paginate

pytestmark = pytest.mark.django_db


def _districts():
    return PostcodeDistrict.objects.filter(code__startswith="GU").order_by("code")


def test_a_page_and_its_total_come_back_in_one_query(django_assert_num_queries):
    expected = list(_districts().values_list("code", flat=True))
    with django_assert_num_queries(1):
        page = paginate(_districts(), number=2, per_page=5)
    assert [row.code for row in page] == expected[5:10]
    assert page.total == len(expected) and page.num_pages == -(-len(expected) // 5)
    assert page.has_previous and page.start_index == 6 and page.end_index == 10


def test_a_page_past_the_end_is_the_last_for_people_and_empty_for_the_feed():
    total = _districts().count()
    last = paginate(_districts(), number=999, per_page=10)
    assert last.number == -(-total // 10) and len(last) == total - (last.number - 1) * 10
    empty = paginate(_districts(), number=999, per_page=10, past_end="empty")
    assert list(empty) == [] and empty.total == total


def test_a_capped_count_stops_at_the_cap_and_says_there_are_more():
    page = paginate(_districts(), number=1, per_page=5, count_cap=8)
    assert page.total == 8 and page.total_is_capped and page.has_next
    small = paginate(PostcodeDistrict.objects.filter(code__in=["GU1", "GU2"]).order_by("code"), number=1,
                     per_page=5, count_cap=8)
    assert small.total == 2 and not small.total_is_capped and not small.has_next


def test_keyset_pages_walk_the_whole_order_once():
    seen, after = [], None
    while True:
        page = keyset(_districts(), key=("code",), after=after, per_page=7)
        seen += [row.code for row in page.rows]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == list(_districts().values_list("code", flat=True))


def test_keyset_on_a_two_part_key_keeps_ties_in_order():
    rows = PostcodeDistrict.objects.filter(code__startswith="RH")
    key = ("latitude", "code")
    first = keyset(rows, key=key, after=None, per_page=3)
    second = keyset(rows, key=key, after=first.next_after, per_page=3)
    expected = list(rows.order_by(*key).values_list("code", flat=True))[:6]
    assert [row.code for row in first.rows + second.rows] == expected


@pytest.mark.parametrize(("asked", "number"),
                         [("3", 3), ("0", 1), ("-2", 1), ("x", 1), (None, 1), ("99999999", 10_000)])
def test_the_page_asked_for_is_read_safely(asked, number):
    assert page_number(asked) == number
