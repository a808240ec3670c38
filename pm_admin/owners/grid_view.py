"""The owner grid's view as a query string (address bar, saved views), without personal data.

A search by a full phone or ID number is used to search but never written down: the address bar
carries its masked form (``qm=138****5678``), which only the tab that typed it can turn back into the
search (the state keeps the number encrypted); a saved view leaves it out.
"""

from __future__ import annotations

import dataclasses
from urllib.parse import urlencode

from pm_admin.core.ids import id_text, page_number
from pm_admin.core.paging import paging_params
from pm_admin.owners.queries import masked_search, personal_search

COLUMNS = ("room_code", "community_name", "building_name", "unit_name", "name", "gender", "phone", "id_number",
           "occupancy", "area", "is_vip", "tags", "share", "started_on", "arrears")
DEFAULT_COLUMNS = ["room_code", "name", "phone", "id_number", "occupancy", "is_vip", "tags", "arrears"]
FILTER_KEYS = ("q", "community", "building", "unit", "occupancy", "vip", "tag", "arrears")
ID_FILTER_KEYS = ("community", "building", "unit")
PAGE_SIZES = ("10", "20", "50", "100")  # as core.paged_state offers them
MASKED_SEARCH_KEY = "qm"


@dataclasses.dataclass(frozen=True)
class GridView:
    filters: dict[str, str]  # "q" as typed (possibly a full phone/ID number: never written out)
    page: int = 1
    page_size: int = 20
    sort: str = ""
    descending: bool = False
    columns: tuple[str, ...] = tuple(DEFAULT_COLUMNS)


def query_string(view: GridView, *, saved: bool = False) -> str:
    """The view as ``a=b&…``; a personal search becomes ``qm=<masked>`` (address bar) or nothing (saved view)."""
    params = {key: value for key, value in view.filters.items() if value and key in FILTER_KEYS}
    search = params.pop("q", "")
    if search and personal_search(search):
        if not saved:
            params[MASKED_SEARCH_KEY] = masked_search(search)
    elif search:
        params["q"] = search
    params |= paging_params(view.page, view.page_size, view.sort, view.descending)
    if list(view.columns) != DEFAULT_COLUMNS:
        params["cols"] = ",".join(view.columns)
    return urlencode(params)



def parse_query(params: dict[str, str], *, known_search: str = "") -> GridView:
    """A view from a query string. ``qm`` restores ``known_search`` (the number this tab searched for) only
    when it is that number's masked form; otherwise there is no search (a shared link carries none)."""
    filters = {key: id_text(params.get(key)) if key in ID_FILTER_KEYS else str(params.get(key, ""))[:64]
               for key in FILTER_KEYS}
    masked = str(params.get(MASKED_SEARCH_KEY, ""))
    if not filters["q"] and masked and known_search and masked_search(known_search) == masked:
        filters["q"] = known_search
    sort = str(params.get("sort", ""))
    cols = [c for c in str(params.get("cols", "")).split(",") if c in COLUMNS]
    return GridView(filters=filters, page=page_number(params.get("page")),
                    page_size=int(params["size"]) if params.get("size") in PAGE_SIZES else 20,
                    sort=sort.lstrip("-"), descending=sort.startswith("-"),
                    columns=tuple(cols or DEFAULT_COLUMNS))
