from partnership.navigation import NavItem


def items(request) -> list[NavItem]:
    # The referral journeys (issue 4) add their items here: write a prescription, inbox, my referrals.
    return []
