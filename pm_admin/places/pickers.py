"""The place pickers of every filter bar: community → building → unit (core.url_filters.Picker)."""

from __future__ import annotations

from pm_admin.core.choices import select_options
from pm_admin.core.url_filters import Picker
from pm_admin.places.queries import building_options, community_options, unit_options

# The communities the page may show (the header's switcher narrows them), then the chosen one's buildings, then
# the chosen building's units.
COMMUNITY_PICKER = Picker("community", lambda session, principal, _parent, _lang: select_options(
    community_options(session, principal, whole_scope=False)))
PLACE_PICKERS = (
    COMMUNITY_PICKER,
    Picker("building", lambda session, principal, community, _lang: select_options(
        building_options(session, principal, community)), parent="community", needs_parent=True),
    Picker("unit", lambda session, principal, building, _lang: select_options(
        unit_options(session, principal, building)), parent="building", needs_parent=True),
)
PLACE_KEYS = frozenset({"community", "building", "unit"})
