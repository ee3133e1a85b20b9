from partnership.navigation import NavItem


def items(request) -> list[NavItem]:
    return [NavItem("Find support", "organisations:search", order=10)]
