"""Keeping the dashboard rollups current.

A ticket contributes fixed amounts to a few rollup rows (its creation day, week and month, its resolution
month, its title's keywords). Whenever a flush writes tickets or SLA breaches, the listener below takes
each touched ticket's contribution before and after and applies the difference with atomic upserts, inside
the same transaction as the ticket desk's own writes: every service (registration, moves, callbacks,
validity, tier changes) keeps the rollups current without knowing about them. Bulk loads that bypass the
ORM (the demo seeder, benchmarks) call ``rebuild`` afterwards, which derives the same rows from the same
``contributions`` function.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.base import NO_VALUE
from sqlmodel import Session, SQLModel, col, select

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
from pm_admin.tickets.models import SlaBreach, Ticket, TicketCategory

ROLLUPS: tuple[type[SQLModel], ...] = (TicketMonthStats, TicketDayStats, TicketWeekStats, TicketKeywordMonth)
# (column, upper bound in hours) of the time-to-resolve histogram; the last bucket is open-ended.
TTR_BUCKETS: tuple[tuple[str, float | None], ...] = (
    ("ttr_lt_1h", 1), ("ttr_1_4h", 4), ("ttr_4_8h", 8), ("ttr_8_24h", 24), ("ttr_1_3d", 72), ("ttr_3_7d", 168),
    ("ttr_gt_7d", None))
TRACKED = ("community_id", "room_id", "category_id", "tier", "kind", "status", "title", "created_at", "resolved_at",
           "paused_seconds", "repeat_of_id", "reopen_count", "valid_complaint")
CLOSED = "closed"
COMPLAINT = "complaint"


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
    resolved_at: datetime | None
    paused_seconds: int
    repeat: bool
    reopened: bool
    valid_complaint: bool
    breached: bool  # any SLA breach stored for the ticket


def local_day(moment: datetime) -> date:
    return as_utc(moment).astimezone(DISPLAY_ZONE).date()


def month_of(day: date) -> date:
    return day.replace(day=1)


def week_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def resolve_minutes(created_at: datetime, resolved_at: datetime, paused_seconds: int) -> int:
    """Time to resolve: wall clock from registration to resolution minus time on hold, whole minutes."""
    seconds = (as_utc(resolved_at) - as_utc(created_at)).total_seconds() - (paused_seconds or 0)
    return max(0, int(seconds // 60))


def ttr_bucket(minutes: int) -> str:
    for column, bound in TTR_BUCKETS:
        if bound is None or minutes < bound * 60:
            return column
    raise AssertionError("the last bucket is open-ended")


Key = tuple[type[SQLModel], tuple]


def contributions(facts: TicketFacts) -> Iterator[tuple[Key, str, int]]:
    """(rollup row, counter, amount) triples of one ticket; see the models for what each counter means."""
    created_day = local_day(facts.created_at)
    created_month = month_of(created_day)
    for community in (facts.community_id, ALL_COMMUNITIES):
        cohort = (TicketMonthStats, (community, created_month, facts.category_id, facts.tier, facts.kind))
        yield cohort, "created", 1
        if facts.repeat:
            yield cohort, "repeats", 1
        if facts.reopened:
            yield cohort, "reopened", 1
        if facts.valid_complaint and facts.kind == COMPLAINT:
            yield cohort, "valid_complaints", 1
        if facts.resolved_at is not None:
            minutes = resolve_minutes(facts.created_at, facts.resolved_at, facts.paused_seconds)
            resolved = (TicketMonthStats, (community, month_of(local_day(facts.resolved_at)), facts.category_id,
                                           facts.tier, facts.kind))
            yield resolved, "resolved", 1
            yield resolved, "resolve_minutes", minutes
            yield resolved, ttr_bucket(minutes), 1
            if not facts.breached:
                yield resolved, "resolved_in_sla", 1
            if facts.status == CLOSED:
                yield resolved, "callbacks_done", 1
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


def facts_from(values: dict, lookups: _Lookups, breached: bool) -> TicketFacts:
    return TicketFacts(
        community_id=values["community_id"], building_id=lookups.building(values["room_id"]),
        category_id=lookups.top_category(values["category_id"]), tier=str(values["tier"]), kind=str(values["kind"]),
        status=str(values["status"]), title=values["title"] or "", created_at=values["created_at"],
        resolved_at=values["resolved_at"], paused_seconds=values["paused_seconds"] or 0,
        repeat=values["repeat_of_id"] is not None, reopened=(values["reopen_count"] or 0) > 0,
        valid_complaint=values["valid_complaint"] is True, breached=breached)


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


def _has_breach(session: Session, ticket_ids: Iterable[int]) -> set[int]:
    ids = sorted(set(ticket_ids))
    if not ids:
        return set()
    return set(session.scalars(sa.select(SlaBreach.ticket_id).where(col(SlaBreach.ticket_id).in_(ids)).distinct()))


# ---------------------------------------------------------------- the listener

_BEFORE = "dashboard_rollups_before"


def _touched(session: OrmSession) -> tuple[list[Ticket], list[Ticket], list[Ticket]]:
    """(new, changed, deleted) tickets of the coming flush; a ticket that gets a breach counts as changed."""
    new = [o for o in session.new if isinstance(o, Ticket)]
    changed = {id(o): o for o in session.dirty if isinstance(o, Ticket) and session.is_modified(o)}
    for breach in (o for o in session.new if isinstance(o, SlaBreach)):
        ticket = session.get(Ticket, breach.ticket_id)
        if ticket is not None and ticket not in session.new:
            changed.setdefault(id(ticket), ticket)
    deleted = [o for o in session.deleted if isinstance(o, Ticket)]
    return new, list(changed.values()), deleted


@event.listens_for(OrmSession, "before_flush")
def _before_flush(session: OrmSession, _context, _instances) -> None:
    session.info.pop(_BEFORE, None)  # left over from a flush that failed: its changes were rolled back
    new, changed, deleted = _touched(session)
    if not (new or changed or deleted):
        return
    lookups = _Lookups(session)
    breached = _has_breach(session, (t.id for t in changed + deleted))
    session.info[_BEFORE] = {
        "new": new, "changed": changed, "deleted": deleted, "lookups": lookups,
        "old": {id(t): facts_from(_committed_values(session, t), lookups, t.id in breached) for t in changed + deleted},
    }


@event.listens_for(OrmSession, "after_flush")
def _after_flush(session: OrmSession, _context) -> None:
    before = session.info.pop(_BEFORE, None)
    if before is None:
        return
    lookups: _Lookups = before["lookups"]
    current = before["new"] + before["changed"]
    breached = _has_breach(session, (t.id for t in before["changed"]))  # a new ticket has no breach yet
    deltas = Deltas()
    for ticket in before["changed"] + before["deleted"]:
        deltas.add(before["old"][id(ticket)], -1)
    for ticket in current:
        deltas.add(facts_from({n: getattr(ticket, n) for n in TRACKED}, lookups, ticket.id in breached), +1)
    apply(session, deltas)


# ---------------------------------------------------------------- rebuilding from the tickets

INSERT_BATCH = 5000


def rebuild(session: Session) -> int:
    """Recompute every rollup row from the tickets (after bulk inserts); returns the tickets read."""
    for table in ROLLUPS:
        session.execute(sa.delete(table))
    lookups = _Lookups(session)
    lookups.buildings = dict(session.execute(sa.select(Room.id, Room.building_id)).all())
    breached = set(session.scalars(sa.select(SlaBreach.ticket_id).distinct()))
    deltas = Deltas()
    columns = [Ticket.__table__.c[name] for name in ("id", *TRACKED)]
    tickets = 0
    for row in session.execute(sa.select(*columns).execution_options(yield_per=20000)).mappings():
        deltas.add(facts_from(row, lookups, row["id"] in breached), +1)
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
