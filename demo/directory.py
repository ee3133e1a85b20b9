"""The demo partnership: a Surrey-like carers' partnership with its members, services and one account per role.

Deterministic: one seeded random generator, and ids derived from natural keys (uuid5), so seeding again
updates the same rows instead of adding more, and every machine gets the same demo. The word lists and
listing templates are in directory_data.py; nothing here uses Faker, which is only a dev dependency.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify

from organisations.models import (
    Location,
    Membership,
    Organisation,
    Service,
    ServiceAtLocation,
    StaffRole,
    TaxonomyTerm,
)
from organisations.services import location_place, need_taxonomy_install, services_refresh
from partnership.models import Partnership, PartnershipManager, PostcodeDistrict, User
from partnership.places import miles_between
from referrals.models import Carer, Prescription

from . import directory_data as data

DEMO_SLUG = "surrey"
DEMO_NAME = "Surrey Carers Partnership"
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105  # nosec B105  # the demo accounts' published password
DEMO_SEED = 2026
# Namespace of the demo's stable ids; changing it would orphan the rows of earlier seeds.
ID_NAMESPACE = uuid.UUID("0b6f3d0e-2a55-4b8e-9c1f-5d3a7e2c4b19")
EPOCH = datetime(2019, 4, 1, 9, 0, tzinfo=UTC)
VOLUNTARY_GROUPS = 80
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
Kind = Organisation.Kind


@dataclass(frozen=True)
class DemoAccount:
    email: str
    role: str
    first_name: str
    last_name: str
    job_title: str = ""


DEMO_ACCOUNTS = [
    DemoAccount("gp@demo.partnershiphub.example", "Frontline worker at a GP practice", "Sam", "Okafor",
                "Practice nurse and carers' lead"),
    DemoAccount("coordinator@demo.partnershiphub.example",
                "Service coordinator (and frontline worker) at the carers' charity", "Jess", "Morgan",
                "Carer support coordinator"),
    DemoAccount("orgadmin@demo.partnershiphub.example", "Organisation admin of the carers' charity", "Helen",
                "Brooks", "Operations manager"),
    DemoAccount("manager@demo.partnershiphub.example", "Partnership manager", "David", "Clarke",
                "Carers partnership manager"),
    DemoAccount("carer@demo.partnershiphub.example", "Carer", "Margaret", "Ellis"),
    DemoAccount("admin@demo.partnershiphub.example", "Site administrator (Django superuser)", "Site", "Admin"),
]
GP, COORDINATOR, ORG_ADMIN, MANAGER, CARER, ADMIN = DEMO_ACCOUNTS


@dataclass
class SeedSummary:
    partnership: Partnership
    memberships: dict[str, int]
    services: int
    listed_services: int
    locations: int
    needs: int
    districts: int
    accounts: list[DemoAccount]

    @property
    def lines(self) -> list[str]:
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(self.memberships.items()))
        return [
            f"{self.partnership.name} ({self.partnership.slug}): {self.districts} postcode districts, "
            f"{self.needs} needs",
            f"  member organisations: {sum(self.memberships.values())} ({statuses})",
            f"  services: {self.services} ({self.listed_services} listed in the directory) at "
            f"{self.locations} locations",
        ]


def demo_exists() -> bool:
    return Partnership.objects.filter(slug=DEMO_SLUG).exists()


def demo_reset() -> None:
    """Remove the demo partnership, the organisations that belong only to it, and the demo accounts."""
    partnership = Partnership.objects.filter(slug=DEMO_SLUG).first()
    if partnership is not None:
        _referrals_delete(partnership)
        members = Membership.objects.filter(partnership=partnership).values("organisation_id")
        elsewhere = Membership.objects.exclude(partnership=partnership).values("organisation_id")
        Organisation.objects.filter(pk__in=members).exclude(pk__in=elsewhere).delete()
        partnership.delete()
    User.objects.filter(email__in=[account.email for account in DEMO_ACCOUNTS]).delete()


def _referrals_delete(partnership: Partnership) -> None:
    """Prescriptions made in the demo protect the carers, services and organisations they name: remove them first."""
    Prescription.objects.filter(partnership=partnership).delete()
    Carer.objects.filter(partnership=partnership).delete()


def demo_seed(*, reset: bool = False) -> SeedSummary:
    """Create the demo partnership, or bring it back to its seeded state without duplicating anything."""
    with transaction.atomic():
        if reset:
            demo_reset()
        partnership, _ = Partnership.objects.update_or_create(
            slug=DEMO_SLUG,
            defaults={
                "name": DEMO_NAME,
                "area_name": "Surrey",
                "description": "The council, the NHS and over a hundred voluntary and community groups working "
                               "together to support unpaid carers in Surrey.",
            },
        )
        by_code = PostcodeDistrict.objects.in_bulk(list(data.DISTRICTS))
        districts = [by_code[code] for code in data.DISTRICTS if code in by_code]
        if not districts:
            raise RuntimeError("No Surrey postcode districts found: run `manage.py migrate` first")
        partnership.area_districts.set(districts)
        need_taxonomy_install(partnership=partnership)
        needs = {term.code: term for term in TaxonomyTerm.objects.needs_of(partnership)}

        rng = random.Random(DEMO_SEED)  # noqa: S311  # nosec B311  # seeded so every seed makes the same demo
        plan = _Plan(rng, districts)
        plan.build()
        _save(plan, partnership, needs)
        _accounts_save(partnership, plan)
        services_refresh(service_ids=[service.id for service in plan.services])

    statuses = Counter(Membership.objects.filter(partnership=partnership).values_list("status", flat=True))
    return SeedSummary(
        partnership=partnership,
        memberships=dict(statuses),
        services=Service.objects.in_partnership(partnership).count(),
        listed_services=Service.objects.listed(partnership).count(),
        locations=len(plan.locations),
        needs=len(needs),
        districts=len(districts),
        accounts=DEMO_ACCOUNTS,
    )


# --- Building the plan: model instances with stable ids, not yet saved --------------------------------


@dataclass
class _Member:
    organisation: Organisation
    district: str
    reach: list[str] | None  # the districts it serves; None: the whole partnership area
    office: Location
    status: str = Membership.Status.ACTIVE
    joined_at: datetime | None = None
    theme: data.Theme | None = None
    venues: dict[str, Location] = field(default_factory=dict)

    @property
    def town(self) -> str:
        return data.DISTRICTS[self.district][0]

    @property
    def area(self) -> str:
        return data.DISTRICTS[self.district][1]


class _Plan:
    def __init__(self, rng: random.Random, districts: list[PostcodeDistrict]) -> None:
        self.rng = rng
        self.districts = {district.code: district for district in districts}
        self.codes = [district.code for district in districts]
        self.members: list[_Member] = []
        self.by_name: dict[str, _Member] = {}
        self.locations: list[Location] = []
        self.services: list[Service] = []
        self.service_needs: list[tuple[uuid.UUID, str]] = []
        self.service_conditions: list[tuple[uuid.UUID, str]] = []
        self.service_districts: list[tuple[uuid.UUID, str]] = []
        self.service_locations: list[tuple[uuid.UUID, uuid.UUID]] = []
        self._service_names: set[str] = set()
        numbers = list(range(1000))
        self._landlines = [f"01632 960{n:03d}" for n in rng.sample(numbers, len(numbers))]
        self._freephones = [f"0808 157 0{n:03d}" for n in rng.sample(numbers, len(numbers))]
        self._mobiles = [f"07700 900{n:03d}" for n in rng.sample(numbers, len(numbers))]

    # Places

    def has(self, code: str) -> bool:
        return code in self.districts

    def nearest(self, code: str, count: int) -> list[str]:
        """The district and the `count` nearest others in the area."""
        origin = self.districts[code]
        others = sorted(
            (c for c in self.codes if c != code),
            key=lambda c: miles_between(origin.latitude, origin.longitude, self.districts[c].latitude,
                                         self.districts[c].longitude),
        )
        return [code, *others[:count]]

    def locality(self, area: str) -> list[str]:
        return [code for code in self.codes if data.DISTRICTS[code][1] == area]

    def postcode(self, code: str) -> str:
        rng = self.rng
        return f"{code} {rng.randint(1, 9)}{rng.choice(POSTCODE_LETTERS)}{rng.choice(POSTCODE_LETTERS)}"

    def location(self, key: str, *, organisation: Organisation, name: str, code: str) -> Location:
        location = Location(
            id=stable_id("location", key), organisation=organisation, name=name,
            address_1=f"{self.rng.randint(1, 160)} {self.rng.choice(data.STREETS)}",
            city=data.DISTRICTS[code][0], state_province="Surrey", postal_code=self.postcode(code),
        )
        location_place(location=location)
        self.locations.append(location)
        return location

    def venue(self, member: _Member, code: str) -> Location:
        """A community venue where the member runs groups in that district (one per district)."""
        if code not in member.venues:
            town = data.DISTRICTS[code][0]
            name = self.rng.choice(data.VENUES).format(town=town)
            member.venues[code] = self.location(f"{member.organisation.name}|venue|{code}",
                                                organisation=member.organisation, name=name, code=code)
        return member.venues[code]

    # Organisations

    def member(self, name: str, kind: str, code: str, *, description: str, reach: list[str] | None,
               ods_code: str = "", charity_number: str = "", office_name: str = "",
               status: str = Membership.Status.ACTIVE, theme: data.Theme | None = None) -> _Member:
        rng = self.rng
        slug = _short_slug(name)
        nhs = kind in (Kind.NHS_BODY, Kind.GP_PRACTICE, Kind.HOSPITAL)
        domain = f"{slug}.nhs.example" if nhs else f"{slug}.example"
        if kind == Kind.COMMUNITY_GROUP and rng.random() < 0.5:
            phone = self._mobiles.pop()
        else:
            phone = self._landlines.pop()
        organisation = Organisation(
            id=stable_id("organisation", name), name=name, kind=kind, description=description,
            charity_number=charity_number, ods_code=ods_code, website=f"https://www.{domain}",
            email=f"{'enquiries' if nhs else 'hello'}@{domain}", phone=phone,
        )
        office = self.location(f"{name}|office", organisation=organisation, name=office_name or name, code=code)
        organisation.address_1, organisation.city, organisation.postal_code = (
            office.address_1, office.city, office.postal_code)
        joined_at = None
        if status != Membership.Status.INVITED:
            joined_at = EPOCH + timedelta(days=rng.randint(0, 5 * 365), hours=rng.randint(0, 8))
        member = _Member(organisation=organisation, district=code, reach=reach, office=office, status=status,
                         joined_at=joined_at, theme=theme)
        self.members.append(member)
        self.by_name[name] = member
        return member

    def charity_number(self) -> str:
        return str(self.rng.randint(1050000, 1209999))

    # Services

    def service(self, member: _Member, template: data.ServiceTemplate, *,
                districts: list[str] | None = None, venue_code: str | None = None) -> Service | None:
        """Add a listing from a template; None if a listing of that name exists (names are unique here)."""
        rng = self.rng
        organisation = member.organisation
        whole_area = (member.reach is None) if template.whole_area is None else template.whole_area
        if whole_area:
            districts = []
        elif districts is None:
            districts = member.reach or [member.district]

        locations: list[Location] = []
        if "P" in template.delivery:
            if organisation.kind in (Kind.GP_PRACTICE, Kind.SCHOOL, Kind.HOSPITAL):
                locations = [member.office]
            elif whole_area:
                codes = rng.sample(self.codes, rng.randint(1, 3))
                locations = [self.venue(member, code) for code in codes]
            else:
                locations = [self.venue(member, venue_code or rng.choice(districts))]
        elif "H" in template.delivery:
            locations = [member.office]  # where the visiting team is based
        place = locations[0] if locations else member.office

        conditions = template.conditions or (member.theme.conditions if member.theme else ())
        for_whom = f" of {data.CONDITION_PHRASES[conditions[0]]}" if conditions else ""
        values = {
            "town": place.city, "area": member.area, "org": organisation.name, "venue": place.name,
            "day": rng.choice(data.WEEKDAYS), "for_whom": for_whom,
        }
        name = template.name.format(**values)
        if name in self._service_names:
            return None
        self._service_names.add(name)

        minimum_age, maximum_age = template.ages
        capacity, wait = self._capacity()
        inactive = organisation.kind not in (Kind.COUNCIL, Kind.NHS_BODY) and rng.random() < 0.02
        service = Service(
            id=stable_id("service", f"{organisation.name}|{name}"), organisation=organisation, name=name,
            description=template.description.format(**values),
            url=f"{organisation.website}/services/{slugify(name)[:60]}",
            email=(f"{template.need}@{organisation.website.removeprefix('https://www.')}"
                   if rng.random() < 0.4 else organisation.email),
            phone=self._phone(template, organisation),
            contact_name=f"{rng.choice(data.FIRST_NAMES)} {rng.choice(data.LAST_NAMES)}",
            status=Service.Status.INACTIVE if inactive else Service.Status.ACTIVE,
            minimum_age=minimum_age, maximum_age=maximum_age, carer_ages=template.carer_ages,
            eligibility_description=_eligibility(template, conditions, districts, minimum_age, maximum_age),
            delivered_in_person="P" in template.delivery, delivered_at_home="H" in template.delivery,
            delivered_by_phone="T" in template.delivery, delivered_online="O" in template.delivery,
            serves_whole_area=whole_area,
            is_free=not template.fee, fees_description=template.fee,
            languages=self._languages(member),
            opening_hours=(template.hours or rng.choice(data.OFFICE_HOURS)).format(**values),
            referral_capacity=capacity, usual_wait_weeks=wait,
        )
        self.services.append(service)
        for code in dict.fromkeys((template.need, *template.also)):
            self.service_needs.append((service.id, code))
        self.service_conditions += [(service.id, slug) for slug in conditions]
        self.service_districts += [(service.id, code) for code in districts]
        self.service_locations += [(service.id, location.id) for location in dict.fromkeys(locations)]
        return service

    def _capacity(self) -> tuple[str, int | None]:
        draw = self.rng.random()
        if draw < 0.72:
            return Service.Capacity.ACCEPTING, None
        if draw < 0.93:
            return Service.Capacity.WAITING_LIST, self.rng.choice([1, 2, 2, 3, 4, 6, 8])
        return Service.Capacity.PAUSED, None

    def _phone(self, template: data.ServiceTemplate, organisation: Organisation) -> str:
        if template.helpline:
            return self._freephones.pop()
        return self._landlines.pop() if self.rng.random() < 0.4 else organisation.phone

    def _languages(self, member: _Member) -> list[str]:
        rng = self.rng
        offered = ["en"]
        local = member.theme.languages if member.theme and member.theme.languages else ()
        if local:
            offered += rng.sample(local, rng.randint(1, len(local)))
        elif member.district in data.DISTRICT_LANGUAGES and rng.random() < 0.35:
            choices = data.DISTRICT_LANGUAGES[member.district]
            offered += rng.sample(choices, rng.randint(1, min(2, len(choices))))
        if "bfi" not in offered and rng.random() < 0.05:
            offered.append("bfi")
        return offered

    # The whole partnership

    def build(self) -> None:
        self._statutory()
        self._nhs()
        self._lead_charity()
        self._schools()
        self._voluntary()

    def _statutory(self) -> None:
        council = self.member(
            data.COUNTY_COUNCIL, Kind.COUNCIL, "RH2" if self.has("RH2") else self.codes[0], reach=None,
            description="The county council: adult social care, children's services and public health. Carers' "
                        "assessments, carers' personal budgets and replacement care for carers' breaks.")
        for template in data.COUNCIL_SERVICES:
            self.service(council, template)
        for name, code in data.BOROUGH_COUNCILS:
            if not self.has(code):
                continue
            borough = self.member(
                name, Kind.COUNCIL, code, reach=self.locality(data.DISTRICTS[code][1]),
                description=f"The local council for {data.DISTRICTS[code][1]}: housing, disabled facilities "
                            "grants, community services and leisure.")
            for template in data.BOROUGH_SERVICES:
                self.service(borough, template)

    def _nhs(self) -> None:
        icb = self.member(
            data.ICB, Kind.NHS_BODY, "GU2" if self.has("GU2") else self.codes[0], reach=None, ods_code="Q9H",
            description="Plans and pays for NHS services across Surrey Heartlands, and leads the NHS's "
                        "commitments to unpaid carers.")
        for template in data.ICB_SERVICES:
            self.service(icb, template)
        for name, code, ods in data.FORMER_CCGS:
            if self.has(code):
                self.member(
                    name, Kind.NHS_BODY, code, reach=None, ods_code=ods, status=Membership.Status.LEFT,
                    description=f"Commissioned NHS services in {data.DISTRICTS[code][1]} until July 2022, when "
                                f"{data.ICB} took over its work.")
        for name, code, ods, templates, description in [
            (data.MENTAL_HEALTH_TRUST, "KT22", "R9M", data.MENTAL_HEALTH_SERVICES,
             "Mental health, learning disability and memory services for adults and young people."),
            (data.COMMUNITY_HEALTH, "RH2", "N9C", data.COMMUNITY_HEALTH_SERVICES,
             "Community nursing, therapy and rehabilitation at home and in clinics."),
        ]:
            if self.has(code):
                trust = self.member(name, Kind.NHS_BODY, code, reach=None, ods_code=ods, description=description)
                for template in templates:
                    self.service(trust, template)
        for name, site, code, ods in data.HOSPITALS:
            if not self.has(code):
                continue
            hospital = self.member(
                name, Kind.HOSPITAL, code, reach=self.nearest(code, 9), ods_code=ods, office_name=site,
                description=f"Runs {site} in {data.DISTRICTS[code][0]}: emergency care, wards, outpatients "
                            "and maternity, with a carers' hub on site.")
            for template in data.HOSPITAL_SERVICES:
                self.service(hospital, template)
        for number, (name, code) in enumerate(data.GP_PRACTICES, start=1):
            if not self.has(code):
                continue
            practice = self.member(
                name, Kind.GP_PRACTICE, code, reach=self.nearest(code, self.rng.randint(1, 2)),
                ods_code=f"H89{number:03d}",
                description=f"NHS GP practice in {data.DISTRICTS[code][0]} caring for about "
                            f"{self.rng.randrange(6000, 19000, 500):,} patients, with a carers' lead and a "
                            "carers' register.")
            self.service(practice, data.GP_SERVICES[0])
            if self.rng.random() < 0.6:
                self.service(practice, self.rng.choice(data.GP_SERVICES[1:]))

    def _lead_charity(self) -> None:
        charity = self.member(
            data.LEAD_CHARITY, Kind.CHARITY, "GU1" if self.has("GU1") else self.codes[0], reach=None,
            charity_number=self.charity_number(),
            description="The lead carers' charity for Surrey: information, advice and support for adult and "
                        "young carers, carers' assessments on behalf of the county council, and the partnership's "
                        "support line.")
        for template in data.LEAD_CHARITY_SERVICES:
            self.service(charity, template)
        for area in dict.fromkeys(data.DISTRICTS[code][1] for code in self.codes):
            locality = self.locality(area)
            home = _Member(organisation=charity.organisation, district=locality[0], reach=locality,
                           office=charity.office, venues=charity.venues)
            self.service(home, data.LEAD_CHARITY_LOCAL, districts=locality, venue_code=locality[0])

    def _schools(self) -> None:
        for name, code in data.SCHOOLS:
            if not self.has(code):
                continue
            school = self.member(
                name, Kind.SCHOOL, code, reach=self.nearest(code, self.rng.randint(1, 2)),
                description=f"A secondary school in {data.DISTRICTS[code][0]} for students aged 11 to 18, taking "
                            "part in the young carers in schools programme.")
            self.service(school, data.SCHOOL_SERVICES[0])
            if self.rng.random() < 0.4:
                self.service(school, data.SCHOOL_SERVICES[1])

    def _voluntary(self) -> None:
        """Local groups: a sitting scheme and a dementia group per locality, then a long tail spread so
        that every district is some group's home."""
        rng = self.rng
        homes = rng.sample(self.codes, len(self.codes))
        towns = [code for code in data.MAIN_DISTRICTS if self.has(code)]
        homes += rng.sample(towns, len(towns))
        themes = [theme for theme in data.THEMES for _ in range(theme.weight)]
        rng.shuffle(themes)
        created: list[_Member] = []
        for area in dict.fromkeys(data.DISTRICTS[code][1] for code in self.codes):
            locality = self.locality(area)
            code = next((code for code in data.MAIN_DISTRICTS if code in locality), locality[0])
            for theme in (theme for theme in data.THEMES if theme.every_locality):
                pattern = next(pattern for pattern in theme.names if "{area}" in pattern)
                created.append(self._group(theme, pattern, code))
        long_tail_from = len(created)
        attempt = 0
        while len(created) < VOLUNTARY_GROUPS and attempt < VOLUNTARY_GROUPS * 6:
            code = homes[attempt % len(homes)]
            theme = themes[attempt % len(themes)]
            attempt += 1
            town, area = data.DISTRICTS[code]
            pattern = next((p for p in rng.sample(theme.names, len(theme.names))
                            if p.format(town=town, area=area) not in self.by_name), None)
            if pattern is None:
                continue
            created.append(self._group(theme, pattern, code))
        # A few memberships in other states, so managers see every status.
        picked = rng.sample(created[long_tail_from:], 5)
        for group in picked[:3]:
            group.status, group.joined_at = Membership.Status.INVITED, None
        for group in picked[3:]:
            group.status = Membership.Status.SUSPENDED

    def _group(self, theme: data.Theme, pattern: str, code: str) -> _Member:
        rng = self.rng
        town, area = data.DISTRICTS[code]
        by_area = "{area}" in pattern
        has_number = theme.kind == Kind.CHARITY or rng.random() < 0.4
        group = self.member(
            pattern.format(town=town, area=area), theme.kind, code, theme=theme,
            reach=self.locality(area) if by_area else self.nearest(code, rng.randint(1, 3)),
            charity_number=self.charity_number() if has_number else "",
            description=f"{theme.about} Based in {town}, working "
                        + (f"across {area}." if by_area else f"in and around {town}."))
        self._group_services(group, theme)
        return group

    def _group_services(self, group: _Member, theme: data.Theme) -> None:
        rng = self.rng
        young = theme.needs[0].startswith("young-carers")
        wanted = rng.choice([1, 2, 2, 3, 3, 4])
        needs = [theme.needs[0], *rng.sample(theme.needs[1:], min(wanted - 1, len(theme.needs) - 1))]
        for need in needs:
            # A youth project runs listings for young people; an adult group, none only for the young.
            unsuitable_ages = set() if need.startswith("young-carers") else {"adults"} if young else {"young"}
            candidates = [
                template for template in data.GENERIC_SERVICES
                if template.need == need
                and template.carer_ages not in unsuitable_ages
                and not (template.conditions and theme.conditions
                         and not set(template.conditions) & set(theme.conditions))
            ]
            for template in rng.sample(candidates, len(candidates)):
                if self.service(group, template) is not None:
                    break


def stable_id(kind: str, key: str) -> uuid.UUID:
    return uuid.uuid5(ID_NAMESPACE, f"{DEMO_SLUG}|{kind}|{key}")


def _short_slug(name: str, limit: int = 40) -> str:
    """A domain label from a name, cut at a word boundary."""
    words = slugify(name).split("-")
    kept = [words[0]]
    for word in words[1:]:
        if len("-".join([*kept, word])) > limit:
            break
        kept.append(word)
    return "-".join(kept)


def _eligibility(template: data.ServiceTemplate, conditions: tuple[str, ...], districts: list[str],
                 minimum_age: int | None, maximum_age: int | None) -> str:
    who = {"young": "Young carers", "all": "Carers of any age", "adults": "Adult carers"}[template.carer_ages]
    if minimum_age is not None and maximum_age is not None:
        who += f" aged {minimum_age} to {maximum_age}"
    elif minimum_age is not None:
        who += f" aged {minimum_age} and over"
    elif maximum_age is not None:
        who += f" up to the age of {maximum_age}"
    if conditions:
        who += " looking after " + " or ".join(data.CONDITION_PHRASES[slug] for slug in conditions)
    if not districts:
        return f"{who}, anywhere in Surrey."
    if len(districts) == 1:
        return f"{who}, living in {districts[0]}."
    return f"{who}, living in {', '.join(districts[:-1])} or {districts[-1]}."


# --- Saving: upserts by stable id, so a second run updates rather than duplicates ---------------------


def _fields(model, *exclude: str) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if f.name not in {"id", "created_at", *exclude}]


def _save(plan: _Plan, partnership: Partnership, needs: dict[str, TaxonomyTerm]) -> None:
    organisations = [member.organisation for member in plan.members]
    Organisation.objects.bulk_create(organisations, update_conflicts=True, unique_fields=["id"],
                                     update_fields=_fields(Organisation))
    Membership.objects.bulk_create(
        [Membership(partnership=partnership, organisation=member.organisation, status=member.status,
                    joined_at=member.joined_at) for member in plan.members],
        update_conflicts=True, unique_fields=["partnership", "organisation"], update_fields=["status", "joined_at"],
    )
    Location.objects.bulk_create(plan.locations, update_conflicts=True, unique_fields=["id"],
                                 update_fields=_fields(Location))
    Service.objects.bulk_create(plan.services, update_conflicts=True, unique_fields=["id"],
                                update_fields=_fields(Service))

    # Relations are replaced wholesale for the seeded services: simpler than diffing, and just as idempotent.
    service_ids = [service.id for service in plan.services]
    NeedLink = Service.needs.through
    ConditionLink = Service.condition_groups.through
    DistrictLink = Service.service_area_districts.through
    for model in (NeedLink, ConditionLink, DistrictLink, ServiceAtLocation):
        model.objects.filter(service_id__in=service_ids).delete()
    NeedLink.objects.bulk_create([NeedLink(service_id=service_id, taxonomyterm_id=needs[code].pk)
                                  for service_id, code in plan.service_needs])
    ConditionLink.objects.bulk_create([ConditionLink(service_id=service_id, conditiongroup_id=slug)
                                       for service_id, slug in plan.service_conditions])
    DistrictLink.objects.bulk_create([DistrictLink(service_id=service_id, postcodedistrict_id=code)
                                      for service_id, code in plan.service_districts])
    ServiceAtLocation.objects.bulk_create([
        ServiceAtLocation(id=stable_id("service_at_location", f"{service_id}|{location_id}"),
                          service_id=service_id, location_id=location_id)
        for service_id, location_id in plan.service_locations
    ])


def _accounts_save(partnership: Partnership, plan: _Plan) -> None:
    # One hash for all: the accounts share a password, and hashing is most of the cost of a user.
    password = make_password(DEMO_PASSWORD)
    users: dict[str, User] = {}
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.update_or_create(
            email=account.email,
            defaults={"first_name": account.first_name, "last_name": account.last_name,
                      "job_title": account.job_title, "password": password, "is_active": True,
                      "is_staff": account is ADMIN, "is_superuser": account is ADMIN},
        )
        EmailAddress.objects.update_or_create(user=user, email=account.email,
                                              defaults={"verified": True, "primary": True})
        users[account.email] = user

    memberships = {
        membership.organisation_id: membership
        for membership in Membership.objects.filter(
            partnership=partnership,
            organisation_id__in=[plan.by_name[data.GP_PRACTICES[0][0]].organisation.id,
                                 plan.by_name[data.LEAD_CHARITY].organisation.id],
        )
    }
    practice = memberships[plan.by_name[data.GP_PRACTICES[0][0]].organisation.id]
    charity = memberships[plan.by_name[data.LEAD_CHARITY].organisation.id]
    for membership, account, role in [
        (practice, GP, StaffRole.Role.REFERRER),
        (charity, COORDINATOR, StaffRole.Role.COORDINATOR),
        (charity, COORDINATOR, StaffRole.Role.REFERRER),
        (charity, ORG_ADMIN, StaffRole.Role.ORG_ADMIN),
    ]:
        StaffRole.objects.get_or_create(membership=membership, user=users[account.email], role=role)
    PartnershipManager.objects.get_or_create(partnership=partnership, user=users[MANAGER.email])
    # The carers' charity leads: its coordinators decide possible duplicate carers.
    Partnership.objects.filter(pk=partnership.pk).update(lead_organisation=charity.organisation)
