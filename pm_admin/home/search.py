"""The global search of the header (Ctrl+K): owners, rooms, tickets and archives, grouped, within the user's scope.

One box reads what is typed as the owner grid does (``owners.queries.plan_search``): a valid phone or ID number is
matched exactly through its blind index — a personal-data lookup, audited and throttled like one in the grid
(``owners.lookups``) — letters are pinyin, ``C01-3`` a room code or archive number, Chinese text a name or a
ticket title, ``TS-2026…`` a ticket code. A group the user may not open is not searched at all; each group returns
at most ``GROUP_LIMIT`` rows, each with the address of its page. Phones are masked; ID numbers are never shown.
"""

from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from sqlmodel import Session

from pm_admin.archives.models import Archive
from pm_admin.core.paging import PageRequest
from pm_admin.core.permissions import Perm, Principal
from pm_admin.owners import lookups
from pm_admin.owners import queries as owner_queries
from pm_admin.places.models import Community, Room
from pm_admin.tickets.models import Ticket

GROUP_LIMIT = 5
MAX_TEXT = 64
# The groups in the order the palette shows them, with the permission that opens their pages.
GROUPS: tuple[tuple[str, str], ...] = (
    ("owners", Perm.OWNERS_VIEW),
    ("rooms", Perm.PLACES_VIEW),
    ("tickets", Perm.TICKETS_VIEW),
    ("archives", Perm.ARCHIVES_VIEW),
)


@dataclasses.dataclass(frozen=True)
class Hit:
    title: str
    detail: str
    href: str
    tag_key: str = ""  # a catalog key shown as a badge (a ticket's status)


@dataclasses.dataclass(frozen=True)
class Group:
    key: str  # owners | rooms | tickets | archives (catalog key search.group.<key>)
    hits: tuple[Hit, ...]


@dataclasses.dataclass(frozen=True)
class SearchResult:
    groups: tuple[Group, ...]
    throttled: bool = False  # a phone / ID number search refused: the user's lookups are used up

    @property
    def empty(self) -> bool:
        return not any(group.hits for group in self.groups)


def _prefix(column, text: str) -> sa.ColumnElement[bool]:
    """``column LIKE 'text%'`` as a range a plain index answers."""
    return sa.and_(column >= text, column < text + "\uffff")


def _owners(session: Session, principal: Principal, text: str, limit: int) -> tuple[Hit, ...]:
    page = owner_queries.owner_grid(session, principal, PageRequest(page_size=limit),
                                    owner_queries.OwnerFilter(search=text))
    return tuple(Hit(title=row.name, detail=" · ".join(part for part in (row.room_code, row.phone) if part),
                     href=f"/owners/{row.owner_id}") for row in page.rows[:limit])


def _rooms(session: Session, principal: Principal, text: str, limit: int) -> tuple[Hit, ...]:
    match = _prefix(Room.code, text.upper()) if text[0].isalpha() else Room.number.startswith(text, autoescape=True)
    rows = session.execute(sa.select(Room.code, Community.name).join(Community, Community.id == Room.community_id)
                           .where(match, principal.scope_clause(Room.community_id))
                           .order_by(Room.sort_key, Room.id).limit(limit)).all()
    return tuple(Hit(title=code, detail=community, href=f"/places/rooms?q={code}") for code, community in rows)


def _tickets(session: Session, principal: Principal, text: str, limit: int) -> tuple[Hit, ...]:
    match = sa.or_(_prefix(Ticket.code, text.upper()), Ticket.title.contains(text, autoescape=True))
    rows = session.execute(sa.select(Ticket.id, Ticket.code, Ticket.title, Ticket.status)
                           .where(match, principal.scope_clause(Ticket.community_id))
                           .order_by(Ticket.created_at.desc(), Ticket.id.desc()).limit(limit)).all()
    return tuple(Hit(title=f"{code} {title}", detail="", href=f"/tickets/{ticket_id}",
                     tag_key=f"tickets.status.{status}")
                 for ticket_id, code, title, status in rows)


def _archives(session: Session, principal: Principal, text: str, limit: int) -> tuple[Hit, ...]:
    rows = session.execute(sa.select(Archive.id, Archive.archive_no, Community.name)
                           .join(Community, Community.id == Archive.community_id)
                           .where(_prefix(Archive.archive_no, text.upper()), principal.scope_clause(Archive.community_id))
                           .order_by(Archive.sort_key, Archive.id).limit(limit)).all()
    return tuple(Hit(title=number, detail=community, href=f"/archives/{archive_id}")
                 for archive_id, number, community in rows)


def searched_groups(principal: Principal) -> tuple[str, ...]:
    """The groups this user's search covers: those whose pages the user may open."""
    return tuple(key for key, permission in GROUPS if principal.has(permission))


def needs_writing(text: str) -> bool:
    """A phone or ID number search writes its audit record: the caller opens a unit of work for it."""
    return owner_queries.personal_search(text[:MAX_TEXT])


def global_search(session: Session, principal: Principal, text: str, *, limit: int = GROUP_LIMIT) -> SearchResult:
    """The grouped results for ``text`` (empty groups kept, so the palette can say where nothing was found)."""
    text = " ".join(str(text).split())[:MAX_TEXT]
    groups = searched_groups(principal)
    if not text or not groups:
        return SearchResult(tuple(Group(key, ()) for key in groups))
    plan = owner_queries.plan_search(text)
    if plan.kind in owner_queries.PERSONAL_KINDS:
        # An exact number finds owners only, and counts as one of the user's personal-data lookups.
        if "owners" not in groups:
            return SearchResult(tuple(Group(key, ()) for key in groups))
        if not lookups.lookup_allowed(session, principal):
            return SearchResult(tuple(Group(key, ()) for key in groups), throttled=True)
        hits = _owners(session, principal, text, limit)
        lookups.record_lookup(session, principal, text=text, results=len(hits), where="global_search")
        return SearchResult(tuple(Group(key, hits if key == "owners" else ()) for key in groups))
    finders = {"owners": _owners, "rooms": _rooms, "tickets": _tickets, "archives": _archives}
    return SearchResult(tuple(Group(key, finders[key](session, principal, text, limit)) for key in groups))

