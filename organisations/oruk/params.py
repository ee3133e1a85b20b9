"""Query parameters of the Open Referral UK feed, read strictly: a value we cannot use is a 400, never a guess."""

from __future__ import annotations

import math
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from partnership.places import outcode_of

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
# Far past any real page, and small enough that OFFSET never overflows.
MAX_PAGE = 100_000
MAX_SEARCH_LENGTH = 200
MAX_PROXIMITY_METRES = 1_000_000
METRES_PER_MILE = 1609.344
DAYS = {
    "MO": "MO", "TU": "TU", "WE": "WE", "TH": "TH", "FR": "FR", "SA": "SA", "SU": "SU",
    "MONDAY": "MO", "TUESDAY": "TU", "WEDNESDAY": "WE", "THURSDAY": "TH", "FRIDAY": "FR", "SATURDAY": "SA",
    "SUNDAY": "SU",
}
TRUE_WORDS = {"true", "1", "yes"}
FALSE_WORDS = {"false", "0", "no"}


class BadParameter(Exception):
    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter
        self.message = message


@dataclass(frozen=True)
class Paging:
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class ServiceFilters:
    """What /services and /service_at_locations are narrowed by; None or '' means not asked for."""

    search: str = ""
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None
    organization_id: uuid.UUID | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    modified_after: datetime | None = None
    district: str = ""  # the postcode district of `postcode`
    proximity_miles: float | None = None


def as_uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        return None


def _value(query: QueryDict, name: str) -> str:
    return (query.get(name) or "").strip()


def _whole_number(query: QueryDict, name: str, default: int, minimum: int, maximum: int) -> int:
    raw = _value(query, name)
    if not raw:
        return default
    try:
        number = int(raw)
    except ValueError:
        raise BadParameter(name, f"{name} must be a whole number, not {raw!r}") from None
    if not minimum <= number <= maximum:
        raise BadParameter(name, f"{name} must be between {minimum} and {maximum}")
    return number


def _number(query: QueryDict, name: str) -> float | None:
    raw = _value(query, name)
    if not raw:
        return None
    try:
        number = float(raw)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        raise BadParameter(name, f"{name} must be a number, not {raw!r}")
    return number


def _uuid(query: QueryDict, name: str) -> uuid.UUID | None:
    raw = _value(query, name)
    if not raw:
        return None
    value = as_uuid(raw)
    if value is None:
        raise BadParameter(name, f"{name} must be an id (a UUID), not {raw!r}")
    return value


def paging(query: QueryDict) -> Paging:
    return Paging(
        page=_whole_number(query, "page", 1, 1, MAX_PAGE),
        per_page=_whole_number(query, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE),
    )


def search_text(query: QueryDict) -> str:
    # PostgreSQL cannot hold a NUL character in a string; nobody means one in a search.
    text = " ".join(_value(query, "search").replace("\x00", " ").split())
    if len(text) > MAX_SEARCH_LENGTH:
        raise BadParameter("search", f"search must be at most {MAX_SEARCH_LENGTH} characters")
    return text


def flag(query: QueryDict, name: str) -> bool:
    raw = _value(query, name).lower()
    if not raw or raw in FALSE_WORDS:
        return False
    if raw in TRUE_WORDS:
        return True
    raise BadParameter(name, f"{name} must be true or false, not {raw!r}")


def _modified_after(query: QueryDict) -> datetime | None:
    # A "+" left unencoded in a query string arrives as a space: 2024-05-01T09:00:00 01:00.
    raw = re.sub(r" (\d{2}:?\d{2})$", r"+\1", _value(query, "modified_after"))
    if not raw:
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None and (day := parse_date(raw)) is not None:
            moment = datetime.combine(day, time.min)
        if moment is not None:
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)
            # In UTC: an offset that takes it out of range fails here, not in SQL, and PostgreSQL (which
            # takes offsets up to 15:59 only) never sees an offset Python allows (up to 23:59).
            moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise BadParameter("modified_after", f"modified_after must be a date and time (ISO 8601), not {raw!r}")
    return moment


def _check_schedule_parameters(query: QueryDict) -> None:
    """start_time, end_time and day are checked, though free-text opening hours cannot be filtered by them."""
    for name in ("start_time", "end_time"):
        raw = _value(query, name)
        if raw:
            try:
                time.fromisoformat(raw)
            except ValueError:
                raise BadParameter(name, f"{name} must be a time such as 09:30 or 09:30:00, not {raw!r}") from None
    day = _value(query, "day")
    if day and day.upper() not in DAYS:
        raise BadParameter("day", f"day must be a day of the week (MO to SU, or its name), not {day!r}")


def _place(query: QueryDict) -> tuple[str, float | None]:
    raw_postcode = _value(query, "postcode")
    raw_proximity = _value(query, "proximity")
    if raw_proximity and not raw_postcode:
        raise BadParameter("proximity", "proximity needs a postcode to measure from")
    district = ""
    if raw_postcode:
        district = outcode_of(raw_postcode)
        if not district:
            raise BadParameter("postcode", f"postcode must be a UK postcode or postcode district, not {raw_postcode!r}")
    miles = None
    if raw_proximity:
        metres = _number(query, "proximity")
        if metres is None or not 0 < metres <= MAX_PROXIMITY_METRES:
            raise BadParameter("proximity", f"proximity must be a distance in metres, up to {MAX_PROXIMITY_METRES}")
        miles = metres / METRES_PER_MILE
    return district, miles


def service_filters(query: QueryDict) -> ServiceFilters:
    _check_schedule_parameters(query)
    district, miles = _place(query)
    return ServiceFilters(
        search=search_text(query),
        taxonomy_term_id=_uuid(query, "taxonomy_term_id"),
        taxonomy_id=_uuid(query, "taxonomy_id"),
        organization_id=_uuid(query, "organization_id"),
        minimum_age=_number(query, "minimum_age"),
        maximum_age=_number(query, "maximum_age"),
        modified_after=_modified_after(query),
        district=district,
        proximity_miles=miles,
    )
