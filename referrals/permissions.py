"""Who may use which pages of the referral hub. Pages refuse, with a 404, the people they do not serve:
a carer who types a staff address, a manager on a coordinator's inbox.

Which *records* a person may see stays with the querysets (`Referral.objects.visible_to`,
`ReferralItem.objects.for_inbox`, `PossibleDuplicate.objects.visible_to`).
"""

from __future__ import annotations

from django.db.models import F, Q

from organisations.models import Membership, StaffRole


def _active_roles(user):
    if not user.is_authenticated:
        return StaffRole.objects.none()
    return StaffRole.objects.filter(user=user, membership__status=Membership.Status.ACTIVE)


def is_referrer(user) -> bool:
    return _active_roles(user).filter(role=StaffRole.Role.REFERRER).exists()


def is_coordinator(user) -> bool:
    return _active_roles(user).filter(role=StaffRole.Role.COORDINATOR).exists()


def follows_prescriptions(user) -> bool:
    """A frontline worker, or a colleague at an organisation whose team shares its referrals."""
    return _active_roles(user).filter(
        Q(role=StaffRole.Role.REFERRER) | Q(membership__organisation__team_visibility=True)
    ).exists()


def decides_duplicates(user) -> bool:
    """A coordinator at a partnership's lead organisation: they confirm or reject possible duplicates."""
    return _active_roles(user).filter(
        role=StaffRole.Role.COORDINATOR,
        membership__organisation_id=F("membership__partnership__lead_organisation_id"),
    ).exists()
