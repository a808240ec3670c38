"""What both report pages share: a community and a period picked in the URL, the community defaulting to the
first one the header's switcher leaves."""

from __future__ import annotations

from pm_admin.core.db import read_only
from pm_admin.core.permissions import Principal
from pm_admin.places.queries import community_options


def first_community(principal: Principal) -> str:
    with read_only() as session:
        offered = community_options(session, principal, whole_scope=False)
    return str(offered[0][0]) if offered else ""
