"""Who a prescription is about: the one rule for recognising a carer the partnership already knows.

Linking a prescription to an existing carer record is an identity decision about special category
data, so it is made only on a **strong match**: the same first name, last name, date of birth and
postcode (case and spacing ignored). Anything weaker — the same mobile number or email address, the same
date of birth and postcode with one name different, the same names and date of birth at another
postcode — is only a *possible duplicate*: the new person gets a record of their own, and the
partnership's lead organisation decides. A blank value, or one that normalises to nothing ("n/a" as a
phone number), never matches anything. A shared landline is not a reason on its own: households share
them.

`compare()` is a pure function of two identities, so the rule can be tested without a database;
`candidates()` fetches the few records worth comparing, through the indexes on Carer.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from partnership import phones
from partnership.places import normalise_postcode

from .models import Carer, Prescription


def name_key(value: str) -> str:
    """'  MARGARET  ' and 'margaret' are one name; 'Mary  Ann' and 'mary ann' too."""
    return " ".join((value or "").split()).casefold()


def postcode_key(value: str) -> str:
    """A full postcode without spaces ('GU14AB'), or '' for anything that is not one."""
    postcode = normalise_postcode(value)
    return postcode.replace(" ", "") if " " in postcode else ""


def email_key(value: str) -> str:
    email = (value or "").strip().casefold()
    local, at, domain = email.partition("@")
    return email if local and at and domain else ""


def mobile_key(value: str) -> str:
    """A mobile number in E.164, or '' (a landline, or not a number)."""
    return phones.normalise(value) if phones.is_mobile(value) else ""


@dataclass(frozen=True)
class Identity:
    """What a person is recognised by, normalised so that comparison is equality. A known carer may have
    been given several mobiles and emails over their prescriptions: any of them counts."""

    first_name: str
    last_name: str
    date_of_birth: date | None
    postcode: str
    mobiles: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()

    @classmethod
    def of(cls, *, first_name: str, last_name: str, date_of_birth: date | None, postcode: str,
           phones: tuple[str, ...] | str = (), emails: tuple[str, ...] | str = ()) -> Identity:
        phones = (phones,) if isinstance(phones, str) else phones
        emails = (emails,) if isinstance(emails, str) else emails
        return cls(first_name=name_key(first_name), last_name=name_key(last_name), date_of_birth=date_of_birth,
                   postcode=postcode_key(postcode),
                   mobiles=frozenset(filter(None, map(mobile_key, phones))),
                   emails=frozenset(filter(None, map(email_key, emails))))

    @classmethod
    def of_carer(cls, carer: Carer, *, phones: tuple[str, ...] = (), emails: tuple[str, ...] = ()) -> Identity:
        """A record, with the contacts given on its prescriptions as well as its own."""
        return cls.of(first_name=carer.first_name, last_name=carer.last_name, date_of_birth=carer.date_of_birth,
                      postcode=carer.postcode, phones=(carer.phone, *phones), emails=(carer.email, *emails))


class Strength(enum.Enum):
    NONE = "none"
    WEAK = "weak"
    STRONG = "strong"


@dataclass(frozen=True)
class Resemblance:
    strength: Strength
    reasons: tuple[str, ...] = ()


def _same(a, b) -> bool:
    # Blank never equals blank: two people who both gave no email are not alike in that.
    return bool(a) and bool(b) and a == b


def compare(given: Identity, known: Identity) -> Resemblance:
    same_first = _same(given.first_name, known.first_name)
    same_last = _same(given.last_name, known.last_name)
    same_birth = _same(given.date_of_birth, known.date_of_birth)
    same_postcode = _same(given.postcode, known.postcode)
    if same_first and same_last and same_birth and same_postcode:
        return Resemblance(Strength.STRONG, ("same name, date of birth and postcode",))
    reasons = []
    if same_birth and same_postcode and same_first != same_last:
        reasons.append("same date of birth and postcode, one name different")
    if same_first and same_last and same_birth and not same_postcode:
        reasons.append("same name and date of birth, another postcode")
    if given.mobiles & known.mobiles:
        reasons.append("same mobile number")
    if given.emails & known.emails:
        reasons.append("same email address")
    return Resemblance(Strength.WEAK if reasons else Strength.NONE, tuple(reasons))


def candidates(*, partnership, given: Identity) -> list[tuple[Carer, Identity]]:
    """The records worth comparing, each with everything it is known by: same date of birth, or the same
    mobile or email on the record or on any of its prescriptions. A handful, through the indexes, however
    many carers the partnership knows; three queries."""
    alike = Q()
    if given.date_of_birth is not None:
        alike |= Q(date_of_birth=given.date_of_birth)
    contacts = Q()
    for mobile in given.mobiles:
        alike |= Q(phone=mobile)
        contacts |= Q(carer_phone=mobile)
    for email in given.emails:
        alike |= Q(email=email)  # stored lower-cased, so the index serves it
        contacts |= Q(carer_email=email)
    if contacts:
        given_on = Prescription.objects.filter(contacts, partnership=partnership, carer__isnull=False)
        alike |= Q(pk__in=given_on.values("carer_id"))
    if not alike:
        return []
    records = list(Carer.objects.matchable().filter(alike, partnership=partnership).order_by("created_at"))
    given_to = {}
    for carer_id, phone, email in Prescription.objects.filter(carer__in=records).values_list(
            "carer_id", "carer_phone", "carer_email"):
        phones, emails = given_to.setdefault(carer_id, (set(), set()))
        phones.add(phone)
        emails.add(email)
    return [(carer, Identity.of_carer(carer, phones=tuple(given_to.get(carer.pk, ((), ()))[0]),
                                      emails=tuple(given_to.get(carer.pk, ((), ()))[1])))
            for carer in records]


@dataclass(frozen=True)
class Recognition:
    """What is known of the person a prescription describes: at most one record that is them (strong),
    and the records that only resemble them (weak), with why."""

    same_person: Carer | None
    resembling: tuple[tuple[Carer, tuple[str, ...]], ...]


def recognise(*, partnership, given: Identity) -> Recognition:
    strong, weak = None, []
    for carer, known in candidates(partnership=partnership, given=given):
        resemblance = compare(given, known)
        if resemblance.strength is Strength.STRONG and strong is None:
            strong = carer  # the oldest record that is this person
        elif resemblance.strength is Strength.WEAK:
            weak.append((carer, resemblance.reasons))
    return Recognition(same_person=strong, resembling=tuple(weak) if strong is None else ())
