"""One pagination for the directory, the feed and the lists (includes/_pagination.html shows it).

- Offset pages (`paginate`) for what people page through: the page and the number of rows come back in
  one query (a window count). Where that number can be large, it may be counted only up to a cap
  (`count_cap`): the page then says "more than 1,000" rather than every search paying to count a county.
- Keyset pages (`keyset`) for reading far into a long, stable order, as a feed consumer does: the rows
  after the last one seen, found through the order's index however deep, never an OFFSET that reads and
  throws away every row before it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Window
from django.http import HttpRequest

MAX_PAGE_NUMBER = 10_000


@dataclass
class Page(Sequence):
    """One page of rows, and where it sits among all of them."""

    rows: list
    number: int
    per_page: int
    total: int  # the number of rows in all pages — or the cap, when `total_is_capped`
    total_is_capped: bool = False

    def __iter__(self) -> Iterator:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):
        return self.rows[index]

    def __bool__(self) -> bool:
        return bool(self.rows)

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages or (self.total_is_capped and len(self.rows) == self.per_page)

    @property
    def start_index(self) -> int:
        return 0 if not self.rows else (self.number - 1) * self.per_page + 1

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.rows)


def page_number(value: Any) -> int:
    """The page a visitor asked for (?page=): 1 for nonsense, never past MAX_PAGE_NUMBER."""
    try:
        return max(1, min(int(value), MAX_PAGE_NUMBER))
    except (TypeError, ValueError):
        return 1


def paginate(queryset: QuerySet, *, number: int, per_page: int, count_cap: int | None = None,
             past_end: str = "last") -> Page:
    """The `number`th page of an ordered queryset. A page past the end is the last page (`past_end="last"`,
    for people following an old link) or empty (`"empty"`, for a feed that reports what it was asked)."""
    number = max(1, number)
    offset = (number - 1) * per_page
    if count_cap is None:
        rows = list(queryset.annotate(total_count=Window(Count("pk")))[offset:offset + per_page])
        total = rows[0].total_count if rows else (queryset.order_by().count() if number > 1 else 0)
        capped = False
    else:
        rows = list(queryset[offset:offset + per_page])
        # COUNT over at most cap + 1 rows: enough to know whether there are more than the cap.
        total = offset + len(rows) if 0 < len(rows) < per_page else queryset.order_by()[:count_cap + 1].count()
        capped = total > count_cap
        total = min(total, count_cap)
    if not rows and number > 1 and total and past_end == "last":
        return paginate(queryset, number=math.ceil(total / per_page), per_page=per_page, count_cap=count_cap)
    return Page(rows=rows, number=number, per_page=per_page, total=total, total_is_capped=capped)


def page_of(request: HttpRequest, rows: QuerySet, per_page: int) -> Page:
    """The page a list's visitor asked for (?page=), the last for a number past the end."""
    return paginate(rows, number=page_number(request.GET.get("page")), per_page=per_page)


@dataclass
class KeysetPage:
    rows: list
    # The key of the last row, to ask for the next page with; None on the last page.
    next_after: tuple | None


def keyset(queryset: QuerySet, *, key: tuple[str, ...], after: tuple | None, per_page: int) -> KeysetPage:
    """The rows after `after` in the ascending order of the fields `key` (the last of which must be
    unique, e.g. the primary key, so the order is total): one index range scan however deep."""
    ordered = queryset.order_by(*key)
    if after is not None:
        # (k1, k2, …) > (a1, a2, …), spelled out so every database and index understands it.
        later = Q()
        for depth, field in enumerate(key):
            step = Q(**{f"{field}__gt": after[depth]})
            for earlier, value in zip(key[:depth], after[:depth], strict=True):
                step &= Q(**{earlier: value})
            later |= step
        ordered = ordered.filter(later)
    rows = list(ordered[:per_page + 1])
    more = len(rows) > per_page
    rows = rows[:per_page]
    return KeysetPage(rows=rows, next_after=tuple(getattr(rows[-1], field) for field in key) if more else None)
