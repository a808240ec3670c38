"""Keeping the dashboard rollups current.

A ticket contributes fixed amounts to a few rollup rows of its registration (its creation day, week and
month, its title's keywords). Whenever a flush writes tickets, the listener below takes each touched
ticket's contribution before and after and applies the difference with atomic upserts, inside the same
transaction as the ticket desk's own writes: every service (registration, moves, callbacks, validity, tier
changes) keeps the rollups current without knowing about them, and so does a settings change that moves a
sub-category under another category. Resolutions and callbacks are counted from the stored rounds
(``dashboards.round_kpis``), not here. Bulk loads that bypass the ORM (the demo seeder, benchmarks) call
``rebuild`` afterwards, which derives the same rows from the same ``contributions`` function.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.base import NO_VALUE
from sqlmodel import Session, SQLModel, select

from pm_admin.core.clock import DISPLAY_ZONE, as_utc
from pm_admin.dashboards.keywords import title_keywords
from pm_admin.dashboards.models import (
    ALL_COMMUNITIES,
    NO_BUILDING,
    TicketDayStats,
    TicketKeywordMonth,
    TicketMonthStats,
    TicketWeekStats,
)
from pm_admin.places.models import Room
from pm_admin.tickets.models import Ticket, TicketCategory

ROLLUPS: tuple[type[SQLModel], ...] = (TicketMonthStats, TicketDayStats, TicketWeekStats, TicketKeywordMonth)
TRACKED = ("community_id", "room_id", "category_id", "tier", "kind", "status", "title", "created_at", "repeat_of_id",
           "reopen_count", "valid_complaint")
COMPLAINT = "complaint"
WITHDRAWN = ("cancelled", "invalid")  # a complaint withdrawn or unfounded is never judged valid or not


@dataclasses.dataclass(frozen=True)
class TicketFacts:
    """What the rollups need to know about one ticket."""

    community_id: int
    building_id: int
    category_id: int  # top-level
    tier: str
    kind: str
    status: str
    title: str
    created_at: datetime
    repeat: bool
    reopened: bool
    valid_complaint: bool | None


def local_day(moment: datetime) -> date:
    return as_utc(moment).astimezone(DISPLAY_ZONE).date()


def month_of(day: date) -> date:
    return day.replace(day=1)


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


Key = tuple[type[SQLModel], tuple]


def contributions(facts: TicketFacts) -> Iterator[tuple[Key, str, int]]:
    """(rollup row, counter, amount) triples of one ticket; see the models for what each counter means."""
    created_day = local_day(facts.created_at)
    created_month = month_of(created_day)
    judged = facts.kind == COMPLAINT and facts.status not in WITHDRAWN
    for community in (facts.community_id, ALL_COMMUNITIES):
        cohort = (TicketMonthStats, (community, created_month, facts.category_id, facts.tier, facts.kind))
        yield cohort, "created", 1
        if facts.repeat:
            yield cohort, "repeats", 1
        if facts.reopened:
            yield cohort, "reopened", 1
        if judged and facts.valid_complaint is True:
            yield cohort, "valid_complaints", 1
        if judged and facts.valid_complaint is None:
            yield cohort, "undecided_complaints", 1
        yield (TicketDayStats, (community, created_day, facts.category_id, facts.kind)), "created", 1
        for word in title_keywords(facts.title):
            yield (TicketKeywordMonth, (community, created_month, word)), "tickets", 1
    yield (TicketWeekStats, (facts.community_id, week_of(created_day), facts.building_id, facts.category_id)), \
        "created", 1


class Deltas:
    """Counter changes per rollup row, applied in one upsert per table."""

    def __init__(self) -> None:
        self.rows: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(self, facts: TicketFacts | None, sign: int) -> None:
        if facts is not None:
            for key, column, amount in contributions(facts):
                self.rows[key][column] += sign * amount

    def by_table(self) -> dict[type[SQLModel], list[dict]]:
        tables: dict[type[SQLModel], list[dict]] = defaultdict(list)
        for (table, key), counts in self.rows.items():
            if any(counts.values()):
                row = dict(zip(primary_key(table), key, strict=True))
                row.update({column: counts.get(column, 0) for column in counters(table)})
                tables[table].append(row)
        return tables


def primary_key(table: type[SQLModel]) -> list[str]:
    return [column.name for column in table.__table__.primary_key.columns]


def counters(table: type[SQLModel]) -> list[str]:
    keys = set(primary_key(table))
    return [column.name for column in table.__table__.columns if column.name not in keys]


def apply(session: Session, deltas: Deltas) -> None:
    """Add the changes to the rollup rows, creating missing rows (atomic on both databases)."""
    dialect_insert = sqlite_insert if session.get_bind().dialect.name == "sqlite" else postgres_insert
    for table, rows in deltas.by_table().items():
        statement = dialect_insert(table.__table__)
        columns = table.__table__.c
        statement = statement.on_conflict_do_update(
            index_elements=primary_key(table),
            set_={name: columns[name] + statement.excluded[name] for name in counters(table)})
        session.execute(statement, rows)


# ---------------------------------------------------------------- facts of a ticket


class _Lookups:
    """Top-level category and building of a ticket, memoised for one flush or one rebuild."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.parents = dict(session.execute(sa.select(TicketCategory.id, TicketCategory.parent_id)).all())
        self.buildings: dict[int, int] = {}

    def top_category(self, category_id: int) -> int:
        seen = set()
        while self.parents.get(category_id) is not None and category_id not in seen:
            seen.add(category_id)
            category_id = self.parents[category_id]
        return category_id

    def building(self, room_id: int | None) -> int:
        if room_id is None:
            return NO_BUILDING
        if room_id not in self.buildings:
            self.buildings[room_id] = self.session.scalar(sa.select(Room.building_id).where(Room.id == room_id)) \
                or NO_BUILDING
        return self.buildings[room_id]


def facts_from(values: dict, lookups: _Lookups) -> TicketFacts:
    return TicketFacts(
        community_id=values["community_id"], building_id=lookups.building(values["room_id"]),
        category_id=lookups.top_category(values["category_id"]), tier=str(values["tier"]), kind=str(values["kind"]),
        status=str(values["status"]), title=values["title"] or "", created_at=values["created_at"],
        repeat=values["repeat_of_id"] is not None, reopened=(values["reopen_count"] or 0) > 0,
        valid_complaint=values["valid_complaint"])


def _committed_values(session: Session, ticket: Ticket) -> dict:
    """The ticket as the database holds it before this flush."""
    state = sa.inspect(ticket)
    values = {}
    for name in TRACKED:
        old = state.committed_state.get(name, state.dict.get(name, NO_VALUE))
        if old is NO_VALUE:  # set without having been loaded: ask the database, it still has the old row
            row = session.execute(sa.select(*(Ticket.__table__.c[n] for n in TRACKED))
                                  .where(Ticket.__table__.c.id == ticket.id)).mappings().one()
            return dict(row)
        values[name] = old
    return values


# ---------------------------------------------------------------- the listener

_BEFORE = "dashboard_rollups_before"


def _touched(session: OrmSession) -> tuple[list[Ticket], list[Ticket], list[Ticket]]:
    """(new, changed, deleted) tickets of the coming flush."""
    new = [o for o in session.new if isinstance(o, Ticket)]
    changed = [o for o in session.dirty if isinstance(o, Ticket) and session.is_modified(o)]
    deleted = [o for o in session.deleted if isinstance(o, Ticket)]
    return new, changed, deleted


_MOVED = "dashboard_rollups_moved_categories"


def _moved_categories(session: OrmSession) -> dict[int, int | None]:
    """Categories whose parent changes in the coming flush, with their parent before it."""
    moved = {}
    for category in (o for o in session.dirty if isinstance(o, TicketCategory)):
        history = sa.inspect(category).attrs.parent_id.history
        if history.has_changes() and category.id is not None:
            moved[category.id] = history.deleted[0] if history.deleted else None
    return moved


def recount_categories(session: Session, old_parents: dict[int, int | None]) -> int:
    """Tickets of re-parented categories leave their old top-level category's rollup rows for the new one's,
    in the same transaction as the settings change (the dashboard never waits for a rebuild)."""
    if not old_parents:
        return 0
    new_lookups, old_lookups = _Lookups(session), _Lookups(session)
    old_lookups.parents.update(old_parents)
    deltas, moved = Deltas(), 0
    columns = [Ticket.__table__.c[name] for name in ("id", *TRACKED)]
    for row in session.execute(sa.select(*columns).where(Ticket.__table__.c.category_id.in_(sorted(old_parents)))
                               ).mappings():
        deltas.add(facts_from(row, old_lookups), -1)
        deltas.add(facts_from(row, new_lookups), +1)
        moved += 1
    apply(session, deltas)
    return moved


def _before_flush(session: OrmSession, _context, _instances) -> None:
    session.info.pop(_BEFORE, None)  # left over from a flush that failed: its changes were rolled back
    session.info[_MOVED] = _moved_categories(session)
    new, changed, deleted = _touched(session)
    if not (new or changed or deleted):
        return
    lookups = _Lookups(session)
    session.info[_BEFORE] = {
        "new": new, "changed": changed, "deleted": deleted, "lookups": lookups,
        "old": {id(t): facts_from(_committed_values(session, t), lookups) for t in changed + deleted},
    }


def _after_flush(session: OrmSession, _context) -> None:
    recount_categories(session, session.info.pop(_MOVED, None) or {})
    before = session.info.pop(_BEFORE, None)
    if before is None:
        return
    lookups: _Lookups = before["lookups"]
    current = before["new"] + before["changed"]
    deltas = Deltas()
    for ticket in before["changed"] + before["deleted"]:
        deltas.add(before["old"][id(ticket)], -1)
    for ticket in current:
        deltas.add(facts_from({n: getattr(ticket, n) for n in TRACKED}, lookups), +1)
    apply(session, deltas)


def install() -> None:
    """Keep the rollups current on every flush of every session (``pm_admin.wiring`` calls this once)."""
    for name, listener in (("before_flush", _before_flush), ("after_flush", _after_flush)):
        if not event.contains(OrmSession, name, listener):
            event.listen(OrmSession, name, listener)


# ---------------------------------------------------------------- rebuilding from the tickets

INSERT_BATCH = 5000


def rebuild(session: Session) -> int:
    """Recompute every rollup row from the tickets (after bulk inserts); returns the tickets read."""
    for table in ROLLUPS:
        session.execute(sa.delete(table))
    lookups = _Lookups(session)
    lookups.buildings = dict(session.execute(sa.select(Room.id, Room.building_id)).all())
    deltas = Deltas()
    columns = [Ticket.__table__.c[name] for name in ("id", *TRACKED)]
    tickets = 0
    for row in session.execute(sa.select(*columns).execution_options(yield_per=20000)).mappings():
        deltas.add(facts_from(row, lookups), +1)
        tickets += 1
    for table, rows in deltas.by_table().items():
        for start in range(0, len(rows), INSERT_BATCH):
            session.execute(sa.insert(table.__table__), rows[start:start + INSERT_BATCH])
    return tickets


def rollup_rows(session: Session, table: type[SQLModel]) -> dict[tuple, dict[str, int]]:
    """Non-zero rows of a rollup by key (tests compare incremental upkeep with a rebuild)."""
    keys, values = primary_key(table), counters(table)
    found = {}
    for row in session.execute(select(table)).scalars():
        counts = {name: getattr(row, name) for name in values}
        if any(counts.values()):
            found[tuple(getattr(row, k) for k in keys)] = counts
    return found
