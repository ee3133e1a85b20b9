"""Template helpers that write as GOV.UK does."""

from datetime import UTC, datetime

import pytest

from partnership.templatetags.govuk import govuk_datetime


@pytest.mark.parametrize(("moment", "written"), [
    (datetime(2026, 11, 29, 13, 55, tzinfo=UTC), "29 November 2026 at 1:55pm"),
    (datetime(2026, 11, 29, 0, 5, tzinfo=UTC), "29 November 2026 at 12:05am"),
    (datetime(2026, 7, 1, 11, 30, tzinfo=UTC), "1 July 2026 at 12:30pm"),  # British Summer Time
])
def test_dates_and_times_are_written_the_gov_uk_way_in_uk_time(moment, written):
    assert govuk_datetime(moment) == written
