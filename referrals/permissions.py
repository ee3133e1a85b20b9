"""Who may do what in the referral hub: the one home of every role check. Views, templates (through
`actions_on`) and services all ask here, so a page cannot offer what the service would refuse.

Which *records* a person may see stays with the querysets (`Prescription.objects.visible_to`,
`Referral.objects.for_inbox`, `PossibleDuplicate.objects.visible_to`); what a referral's lifecycle allows
in its status stays with the model (`Referral.TRANSITIONS`, `Referral.allowed_actions`). Pages refuse,
with a 404, the people they do not serve: a carer who types a staff address, a manager on an inbox.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, Q

from organisations.models import Organisation, StaffRole, active_member_of
from partnership.models import Partnership

from .models import Referral

Action = Referral.Action


def _roles(user):
    return StaffRole.objects.held_by(user)


# --- Which pages a person is served -------------------------------------------------------------------


def is_referrer(user) -> bool:
    return _roles(user).filter(role=StaffRole.Role.REFERRER).exists()


def is_coordinator(user) -> bool:
    return _roles(user).coordinators().exists()


def follows_prescriptions(user) -> bool:
    """A frontline worker, or a colleague at an organisation whose team shares its prescriptions."""
    return _roles(user).filter(
        Q(role=StaffRole.Role.REFERRER) | Q(membership__organisation__team_visibility=True)
    ).exists()


def decides_duplicates(user) -> bool:
    """A coordinator at a partnership's lead organisation: they confirm or reject possible duplicates."""
    return _roles(user).coordinators().filter(
        membership__organisation_id=F("membership__partnership__lead_organisation_id"),
    ).exists()


@dataclass(frozen=True)
class Roles:
    """The roles that open pages, as the navigation shows them."""

    referrer: bool = False
    coordinator: bool = False
    decides_duplicates: bool = False


def roles_of(user) -> Roles:
    """A person's roles, in one query (the navigation asks on every page)."""
    held = list(_roles(user).values_list(
        "role", "membership__organisation_id", "membership__partnership__lead_organisation_id"))
    kinds = {role for role, _, _ in held}
    return Roles(
        referrer=StaffRole.Role.REFERRER in kinds,
        coordinator=StaffRole.Role.COORDINATOR in kinds,
        decides_duplicates=any(role == StaffRole.Role.COORDINATOR and organisation == lead
                               for role, organisation, lead in held),
    )


def referring_organisations(*, user, partnership: Partnership) -> list[Organisation]:
    """The organisations a person may write prescriptions for in this partnership."""
    if not user.is_authenticated:
        return []
    return list(
        Organisation.objects.filter(
            active_member_of(partnership, via="memberships"),
            memberships__staff_roles__user=user,
            memberships__staff_roles__role=StaffRole.Role.REFERRER,
        ).distinct()
    )


def may_send(user, draft) -> bool:
    """The draft's writer, still a frontline worker of the organisation it is written for (a role ended
    since the draft was saved ends the right to send it)."""
    return (user.is_authenticated and draft.referrer_id == user.pk
            and any(organisation.pk == draft.referring_organisation_id
                    for organisation in referring_organisations(user=user, partnership=draft.partnership)))


def manages(user, partnership: Partnership | int) -> bool:
    """The one spelling of "is a manager of this partnership"."""
    if not user.is_authenticated:
        return False
    partnership_id = getattr(partnership, "pk", partnership)
    return user.managed_partnerships.filter(partnership_id=partnership_id).exists()


# --- What a person may do to a referral --------------------------------------------------------------


def receives(user, referral: Referral) -> bool:
    """A coordinator at the organisation whose service the referral was sent to, in its partnership."""
    return (user.is_authenticated
            and Referral.objects.for_inbox(user).filter(pk=referral.pk).exists())


def wrote(user, referral: Referral) -> bool:
    return user.is_authenticated and referral.prescription.referrer_id == user.pk


def wrote_or_manages(user, referral: Referral) -> bool:
    return wrote(user, referral) or manages(user, referral.prescription.partnership_id)


# Who may take each action (the lifecycle decides when): the receiving service works the referral;
# the referrer may cancel it; the referrer or a partnership manager may send a declined one on.
_WHO = {
    Action.ACCEPT: receives,
    Action.DECLINE: receives,
    Action.RECORD_CONTACT_ATTEMPT: receives,
    Action.MARK_IN_CONTACT: receives,
    Action.CLOSE: receives,
    Action.CANCEL: wrote,
    Action.REROUTE: wrote_or_manages,
}


def has_role_for(user, action: str, referral: Referral) -> bool:
    """Whether the person is one who may take `action` on this referral, whatever its status."""
    return _WHO[Action(action)](user, referral)


def may(user, action: str, referral: Referral) -> bool:
    """Whether `user` may take `action` on `referral` now: their role, and what its status allows."""
    return action in referral.allowed_actions and has_role_for(user, action, referral)


def can_act_on(user, referral: Referral) -> bool:
    """Whether the person works this referral for the receiving service (the inbox's actions)."""
    return receives(user, referral)


def can_cancel(user, referral: Referral) -> bool:
    return may(user, Action.CANCEL, referral)


def can_reroute(user, referral: Referral) -> bool:
    return may(user, Action.REROUTE, referral)


@dataclass(frozen=True)
class Actions:
    """What a page may offer on one referral, for its template: `{% if actions.accept %}`."""

    accept: bool = False
    decline: bool = False
    record_contact_attempt: bool = False
    mark_in_contact: bool = False
    close: bool = False
    cancel: bool = False
    reroute: bool = False

    @property
    def any(self) -> bool:
        return any(vars(self).values())


def actions_on(user, referral: Referral, *, receiving: bool | None = None, writer: bool | None = None,
               manager: bool | None = None) -> Actions:
    """The actions `user` may take on `referral` now. A page that already knows the person's relation to
    it (it fetched the referral through the inbox, or the prescription through visible_to) passes it in,
    so a list of referrals costs no query per row."""
    receiving = receives(user, referral) if receiving is None else receiving
    writer = wrote(user, referral) if writer is None else writer
    allowed = referral.allowed_actions
    if Action.REROUTE in allowed and not writer and manager is None:
        manager = manages(user, referral.prescription.partnership_id)
    who = {Action.CANCEL: writer, Action.REROUTE: writer or bool(manager)}
    return Actions(**{
        Action(action).name.lower(): action in allowed and who.get(action, receiving)
        for action in Action.values
    })
