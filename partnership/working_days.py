"""Working days in England and Wales: weekends and bank holidays excluded, for response targets."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales' bank holidays in `year`, substitute days included (Scotland's are not ours).

    From the `holidays` library, which computes any year and carries the one-off days (a coronation, a
    state funeral), so targets do not silently stop counting them after a shipped list's last year.
    Frozen per year: the library's own object fills itself in as years are looked up, which is not
    something to share between threads."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (a referral on Friday with 3 days is due Wednesday)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`; 0 when end is not after start."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def overdue_before(today: date, days: int) -> date:
    """Items created before this date have missed a target of `days` working days by `today`."""
    start = today
    while add_working_days(start - timedelta(days=1), days) >= today:
        start -= timedelta(days=1)
    return start
