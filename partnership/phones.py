"""UK phone numbers: parsed and checked with `phonenumbers` (Google's libphonenumber), stored in E.164.

One home for what a phone number is, so the prescription form, matching a carer already known and
sending a text message agree: "n/a", "none" or "07700" are not numbers, and only a mobile takes a text.
"""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType

REGION = "GB"
MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}

# Ofcom keeps these ranges for drama and documentation: they reach nobody, so the demo and the tests use
# them, and libphonenumber (rightly) does not call them valid. Mobile 07700 900000–900999; geographic
# 01632 960000–960999 (020 7946 0000–0999 is valid already).
_DRAMA_MOBILE = ("+447700900",)
_DRAMA_LANDLINE = ("+441632960",)


def parse(value: str) -> PhoneNumber | None:
    """A UK phone number, or None for anything that is not one (blank, "n/a", too short, foreign)."""
    text = (value or "").strip()
    if not text or not any(ch.isdigit() for ch in text):
        return None
    try:
        number = phonenumbers.parse(text, REGION)
    except phonenumbers.NumberParseException:
        return None
    if phonenumbers.region_code_for_number(number) not in (REGION, "GG", "JE", "IM") and not _is_drama(number):
        return None
    if not (phonenumbers.is_valid_number(number) or _is_drama(number)):
        return None
    return number


def _e164(number: PhoneNumber) -> str:
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _is_drama(number: PhoneNumber) -> bool:
    e164 = _e164(number)
    return len(e164) == 13 and e164.startswith(_DRAMA_MOBILE + _DRAMA_LANDLINE)


def normalise(value: str) -> str:
    """The stored form, '+447700900123'; '' for something that is not a UK number."""
    number = parse(value)
    return _e164(number) if number is not None else ""


def is_mobile(value: str) -> bool:
    number = parse(value)
    if number is None:
        return False
    if _is_drama(number):
        return _e164(number).startswith(_DRAMA_MOBILE)
    return phonenumbers.number_type(number) in MOBILE_TYPES


def display(value: str) -> str:
    """As people write it: '07700 900123'. Something unparseable is shown as it was stored."""
    number = parse(value)
    if number is None:
        return value or ""
    if _is_drama(number):
        national = "0" + _e164(number)[3:]
        return f"{national[:5]} {national[5:]}"
    return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
