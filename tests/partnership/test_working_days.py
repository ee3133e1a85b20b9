from datetime import date
from pathlib import Path

import holidays
import pytest

import partnership
from partnership.working_days import (
    add_working_days,
    bank_holidays,
    is_working_day,
    overdue_before,
    working_days_between,
)


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 11, 28))  # a Saturday
    assert not is_working_day(date(2026, 12, 25))
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day substitute
    assert not is_working_day(date(2027, 3, 29))  # Easter Monday
    assert is_working_day(date(2026, 11, 27))


@pytest.mark.parametrize(
    "day",
    [
        date(2030, 5, 6),  # early May
        date(2031, 4, 14),  # Easter Monday
        date(2032, 12, 27),  # Christmas Day substitute (the 25th is a Saturday)
        date(2032, 12, 28),  # Boxing Day substitute
        date(2033, 12, 27),  # Christmas Day substitute (the 25th is a Sunday)
        date(2034, 1, 2),  # New Year's Day substitute
        date(2060, 8, 30),  # late summer, decades on
    ],
)
def test_bank_holidays_are_known_for_years_after_any_shipped_list(day):
    assert not is_working_day(day)


@pytest.mark.parametrize(
    "day",
    [
        date(2030, 1, 2),  # Scotland's 2 January
        date(2030, 8, 5),  # Scotland's summer bank holiday (ours is the last Monday)
        date(2029, 11, 30),  # St Andrew's Day
        date(2030, 7, 12),  # Northern Ireland's Twelfth
    ],
)
def test_other_nations_bank_holidays_are_working_days(day):
    assert is_working_day(day)


def test_one_off_bank_holidays_count():
    assert not is_working_day(date(2023, 5, 8))  # the coronation
    assert not is_working_day(date(2022, 9, 19))  # the state funeral


@pytest.mark.parametrize("year", [2026, 2029, 2031, 2045])
def test_bank_holidays_are_the_holidays_librarys_for_england_and_wales(year):
    assert bank_holidays(year) == frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))
    assert bank_holidays(year) == frozenset(holidays.country_holidays("GB", subdiv="WLS", years=year))


def test_no_list_of_bank_holidays_is_shipped_to_run_out():
    data = Path(partnership.__file__).parent / "data"
    assert not [path.name for path in data.iterdir() if "holiday" in path.name]


def test_three_working_days_after_a_friday_is_the_wednesday():
    assert add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 2)


def test_christmas_pushes_a_target_past_the_bank_holidays():
    # Thursday 24 December 2026: 25th and 28th are bank holidays, 26-27 the weekend.
    assert add_working_days(date(2026, 12, 24), 3) == date(2026, 12, 31)


def test_christmas_2032_pushes_a_target_past_both_substitute_days():
    # Friday 24 December 2032: 25-26 the weekend, 27th and 28th the substitute days.
    assert add_working_days(date(2032, 12, 24), 1) == date(2032, 12, 29)
    assert working_days_between(date(2032, 12, 24), date(2032, 12, 31)) == 3


def test_a_target_running_over_new_year_counts_both_years():
    # Thursday 29 December 2033; Sunday 1 January 2034 is substituted by Monday the 2nd.
    assert add_working_days(date(2033, 12, 29), 2) == date(2034, 1, 3)


def test_working_days_between_counts_only_working_days():
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 1
    assert working_days_between(date(2026, 11, 30), date(2026, 11, 27)) == 0


def test_overdue_before_is_the_first_day_still_within_target():
    # On Wednesday 2 December 2026 a 3-day target is missed by anything from before Friday 27 November.
    cutoff = overdue_before(date(2026, 12, 2), 3)
    assert cutoff == date(2026, 11, 27)
    assert add_working_days(cutoff, 3) >= date(2026, 12, 2)
    assert add_working_days(date(2026, 11, 26), 3) < date(2026, 12, 2)
