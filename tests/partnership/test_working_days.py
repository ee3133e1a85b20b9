from datetime import date

from partnership.working_days import add_working_days, is_working_day, working_days_between


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 11, 28))  # a Saturday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day substitute
    assert is_working_day(date(2026, 11, 27))


def test_three_working_days_after_a_friday_is_the_wednesday():
    assert add_working_days(date(2026, 11, 27), 3) == date(2026, 12, 2)


def test_christmas_pushes_a_target_past_the_bank_holidays():
    # Thursday 24 December 2026: 25th and 28th are bank holidays, 26-27 the weekend.
    assert add_working_days(date(2026, 12, 24), 3) == date(2026, 12, 31)


def test_working_days_between_counts_only_working_days():
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 30)) == 1
    assert working_days_between(date(2026, 11, 30), date(2026, 11, 27)) == 0


def test_overdue_before_is_the_first_day_still_within_target():
    from partnership.working_days import overdue_before

    # On Wednesday 2 December 2026 a 3-day target is missed by anything from before Friday 27 November.
    cutoff = overdue_before(date(2026, 12, 2), 3)
    assert cutoff == date(2026, 11, 27)
    assert add_working_days(cutoff, 3) >= date(2026, 12, 2)
    assert add_working_days(date(2026, 11, 26), 3) < date(2026, 12, 2)
