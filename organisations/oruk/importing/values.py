"""Cleaning single values from an Open Referral UK feed: ids, text, numbers, ages, prices, web and email addresses,
phone numbers, languages, opening hours, countries and postcode districts.

Pure functions: no database, nothing from the rest of the importer. A value that makes its record unusable raises
``ImportProblem``; a value that only leaves its field blank raises ``Rejected``, whose message is the warning.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from organisations.models import LANGUAGE_NAMES, Service, summarise
from partnership.places import normalise_postcode


class ImportProblem(ValueError):
    """A record cannot be imported as it stands; ``where`` names a nested row when that is the culprit."""

    def __init__(self, reason: str, *, where: str = "") -> None:
        super().__init__(reason)
        self.where = where


class Rejected(Exception):
    """A value that does not fit; its field is left blank and a warning says why."""


# ISO 639-2/3 codes some feeds use, for the languages we name.
LANGUAGE_ALIASES = {
    "eng": "en", "cym": "cy", "wel": "cy", "pol": "pl", "urd": "ur", "pan": "pa", "ben": "bn", "guj": "gu",
    "hin": "hi", "nep": "ne", "ron": "ro", "rum": "ro", "ara": "ar", "por": "pt", "spa": "es", "tur": "tr",
    "zho": "zh", "chi": "zh", "ukr": "uk", "som": "so", "tam": "ta", "fas": "fa", "per": "fa", "bsl": "bfi",
}
LANGUAGE_BY_NAME = {name.lower(): code for code, name in LANGUAGE_NAMES.items()} | {"bsl": "bfi"}
DAY_NAMES = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
             "SA": "Saturday", "SU": "Sunday"}
CHARITY_SCHEMES = {"GB-CHC", "GB-SC", "GB-NIC"}
NHS_SCHEMES = {"GB-NHS"}
INACTIVE_STATUSES = {"inactive", "defunct", "temporarily closed"}
UK_COUNTRY_NAMES = ("UK", "UNITED KINGDOM", "GREAT BRITAIN", "ENGLAND", "WALES", "SCOTLAND", "NORTHERN IRELAND")
MAX_PHONE_LENGTH = 40

_url_validator = URLValidator(schemes=["http", "https"])
_email_validator = EmailValidator()


def canonical_id(value: Any) -> str | None:
    """A feed id as the lower-case hyphenated UUID we key records by, or None if it is not a UUID."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    try:
        return str(uuid.UUID(str(value).strip()))
    except ValueError:
        return None


def text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    return str(value).strip()


def as_list(value: Any) -> list:
    return value if isinstance(value, list) else []


def number(value: Any, label: str) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ImportProblem(f"{label} must be a number, not {value!r}")
    try:
        result = float(value)
    except (TypeError, ValueError):
        raise ImportProblem(f"{label} must be a number, not {value!r}") from None
    if result != result or result in (float("inf"), float("-inf")):
        raise ImportProblem(f"{label} must be a number, not {value!r}")
    return result


def age(value: Any, label: str) -> int | None:
    years = number(value, label)
    if years is None:
        return None
    if years < 0 or years > 150 or years != int(years):
        raise ImportProblem(f"{label} must be a whole number of years, not {value!r}")
    return int(years)


def age_range(minimum: Any, maximum: Any) -> tuple[int | None, int | None]:
    low, high = age(minimum, "minimum_age"), age(maximum, "maximum_age")
    if low is not None and high is not None and low > high:
        raise ImportProblem(f"minimum_age {low} is more than maximum_age {high}")
    return low, high


def carer_ages(minimum: int | None, maximum: int | None) -> str | None:
    """Whom an age range admits: routing turns young carers away from adult-only services. None if no range."""
    if minimum is None and maximum is None:
        return None
    young = minimum is None or minimum < 18
    adult = maximum is None or maximum >= 18
    return Service.CarerAges.ALL if young and adult else Service.CarerAges.YOUNG if young else Service.CarerAges.ADULTS


def service_status(value: Any) -> str:
    status = text(value).lower()
    if status in ("", "active"):
        return Service.Status.ACTIVE
    if status in INACTIVE_STATUSES:
        return Service.Status.INACTIVE
    raise ImportProblem(f"status {status!r} is not one of active, inactive, defunct or temporarily closed")


def money(amount: float) -> str:
    return f"{amount:.0f}" if amount == int(amount) else f"{amount:.2f}"


def price(option: dict[str, Any]) -> str:
    """A cost option in words ("£35 per session (Under 18s)"); "" when it costs nothing or names no amount."""
    amount = number(option.get("amount"), "amount")
    if amount is None or amount <= 0:
        return ""
    currency = text(option.get("currency")).upper()
    amount_words = f"£{money(amount)}" if currency in ("", "GBP") else f"{money(amount)} {currency}"
    words = " ".join(p for p in (amount_words, text(option.get("amount_description"))) if p)
    if text(option.get("option")):
        words += f" ({text(option.get('option'))})"
    return words


def cost(prices: list[str], fees: str) -> tuple[bool, str]:
    """Whether a service is free and what it costs, from its priced options, else from its fees text."""
    if prices:
        is_free, description = False, "; ".join(prices)
    elif fees and not re.search(r"\bfree\b", fees, re.IGNORECASE):
        is_free, description = False, fees
    else:
        is_free, description = True, fees
    return is_free, summarise(description, 299)


def opening_hours(schedules: list) -> str:
    """The schedules' own words, else their days and hours ("Monday, Tuesday 09:00 to 17:00")."""
    parts: list[str] = []
    for schedule in schedules:
        if not isinstance(schedule, dict):
            continue
        words = text(schedule.get("description"))
        if not words:
            days = [DAY_NAMES.get(d.strip().upper()[-2:], "") for d in text(schedule.get("byday")).split(",")]
            hours = [text(schedule.get(key))[:5] for key in ("opens_at", "closes_at")]
            words = " ".join(p for p in (", ".join(d for d in days if d), " to ".join(h for h in hours if h)) if p)
        if words and words not in parts:
            parts.append(words)
    return summarise(" ".join(parts), 299)


def language_code(language: dict[str, Any]) -> str:
    """The ISO 639-1 code (or 639-3 where there is none) of a language named by code or by name."""
    raw_code = language.get("code")
    code = text(raw_code).lower().replace("_", "-").split("-")[0]
    name = text(language.get("name"))
    if code:
        code = LANGUAGE_ALIASES.get(code, code)
        if not (code.isalpha() and 2 <= len(code) <= 3):
            raise Rejected(f"code {raw_code!r} is not an ISO 639 code; ignored")
        return code
    if name:
        code = LANGUAGE_BY_NAME.get(name.lower(), "")
        if not code:
            raise Rejected(f"language {name[:40]!r} has no code we know; ignored")
        return code
    raise Rejected("language has neither a code nor a name; ignored")


def phone_number(value: Any) -> str:
    """A phone number as given, "" if none. Raises Rejected when it is too long to be one."""
    # Spreadsheet exports sometimes keep the quotes that stopped a number becoming a number.
    cleaned = text(value).strip("\"'").strip()
    if len(cleaned) > MAX_PHONE_LENGTH:
        raise Rejected(f"number {cleaned[:40]!r}… is longer than {MAX_PHONE_LENGTH} characters; ignored")
    return cleaned


def is_web_address(value: str, *, max_length: int = 200) -> bool:
    if len(value) > max_length:
        return False
    try:
        _url_validator(value)
    except ValidationError:
        return False
    return True


def is_email_address(value: str) -> bool:
    try:
        _email_validator(value)
    except ValidationError:
        return False
    return True


def coordinates(latitude: Any, longitude: Any) -> tuple[float | None, float | None]:
    """A point on Earth, or (None, None) when either half is missing. Raises Rejected for a point off the Earth."""
    lat, lon = number(latitude, "latitude"), number(longitude, "longitude")
    if lat is None or lon is None:
        return None, None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise Rejected(f"latitude {lat:g} and longitude {lon:g} are not a place on Earth; placed by postcode instead")
    return lat, lon


def country_code(value: Any) -> str:
    """A two-letter country code; GB when none is given. Raises Rejected for one we cannot read (taken as GB)."""
    country = text(value).upper()
    if country in UK_COUNTRY_NAMES:
        country = "GB"
    if len(country) == 2 and country.isalpha():
        return country
    if country:
        raise Rejected(f"country {country[:40]!r} is not a two-letter country code; taken as GB")
    return "GB"


def identifier_field(identifier: dict[str, Any]) -> tuple[str, int] | None:
    """Which organisation field an identifier fills (a charity number or an ODS code) and its length limit."""
    scheme = text(identifier.get("identifier_scheme")).upper()
    kind = text(identifier.get("identifier_type")).lower()
    if scheme in CHARITY_SCHEMES or "charity" in kind:
        return "charity_number", 20
    if scheme in NHS_SCHEMES or "ods" in kind.split():
        return "ods_code", 12
    return None


def names_whole_area(words: str, area_name: str) -> bool:
    """Whether a service area's words name the partnership's whole area ("Surrey", "All of Surrey")."""
    area_name = area_name.strip().lower()
    return bool(area_name) and words.lower() in (area_name, f"all of {area_name}", f"the whole of {area_name}")


def outcodes(words: str) -> list[str] | None:
    """The postcode districts a text lists ("GU1, GU2 and KT22", "RH1 1AA"), or None if it is prose."""
    codes: list[str] = []
    for part in re.split(r"[,;/|\n]+|\s+and\s+|\s+&\s+", words):
        part = part.strip()
        if not part:
            continue
        postcode = normalise_postcode(part)
        if postcode:
            codes.append(postcode.split(" ")[0])
            continue
        pieces = [normalise_postcode(piece) for piece in part.split()]
        if len(pieces) > 1 and all(piece and " " not in piece for piece in pieces):
            codes += pieces
            continue
        return None
    return codes or None
