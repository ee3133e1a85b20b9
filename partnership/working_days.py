"""Working days in England and Wales: weekends and bank holidays excluded, for response targets."""

from __future__ import annotations

import json
from datetime import date, timedelta
from functools import cache
from pathlib import Path

HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "bank-holidays-england-and-wales.json"


@cache
def bank_holidays() -> frozenset[date]:
    return frozenset(date.fromisoformat(day) for day in json.loads(HOLIDAYS_FILE.read_text())["dates"])


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays()


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
