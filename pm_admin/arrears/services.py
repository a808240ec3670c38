"""Arrears 催缴 (seed 001 §篇3 4.4.2): balances per room, and a follow-up at least every 15 days for
every room more than a month in arrears."""

from __future__ import annotations

import calendar
import dataclasses
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.arrears.models import ArrearsCase, CaseStatus, Channel, FollowUp, ReasonCategory
from pm_admin.billing.models import RoomArrears
from pm_admin.core.audit import record
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.db import insert_unless_taken
from pm_admin.core.errors import ConcurrencyConflict, FieldErrors
from pm_admin.core.parsers import clean_text, parse_amount, parse_date
from pm_admin.core.permissions import SYSTEM, Perm, Principal
from pm_admin.core.scoping import load_scoped
from pm_admin.core.tables import ImportRejected, cell_text, read_table
from pm_admin.household_work.services import assignees
from pm_admin.places.models import Room
from pm_admin.tickets.models import Ticket

FOLLOW_UP_EVERY = timedelta(days=15)
MAX_AMOUNT = Decimal("10000000")


def one_month_before(day: date) -> date:
    """The same day a month earlier (31 March → 28/29 February)."""
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_overdue_arrears(since: date, today: date) -> bool:
    """More than one month in arrears (seed 4.4.2)."""
    return since < one_month_before(today)


def _parse_amount(errors: FieldErrors, raw) -> Decimal:
    return parse_amount(errors, "amount", raw, high=MAX_AMOUNT, key="arrears.amount_invalid")


def _parse_since(errors: FieldErrors, raw, today: date, field: str = "since") -> date:
    return parse_date(errors, field, raw, not_after=today) or today


def _open_case(session: Session, room: Room, today: date, actor: Principal) -> ArrearsCase:
    """Open the room's case, for whom the community gives its household work (``household_work``); the first
    follow-up is due within 15 days. If a concurrent transaction opened it first, that case it is (no savepoint:
    the partial unique index makes this insert a no-op)."""
    [assignee] = assignees(session, room.community_id, [room.building_id])
    case_id = insert_unless_taken(session, ArrearsCase(
        room_id=room.id, community_id=room.community_id, building_id=room.building_id, assignee_id=assignee,
        opened_on=today, next_due_on=today + FOLLOW_UP_EVERY))
    if case_id is None:
        return session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id,
                                                      ArrearsCase.status == CaseStatus.OPEN)).one()
    record(session, action="arrears.case_open", actor=actor,
           entity_type="room", entity_id=room.id, community_id=room.community_id, details={"case_id": case_id})
    return session.get(ArrearsCase, case_id)


def _close_case(session: Session, case: ArrearsCase, today: date, reason: str, actor: Principal) -> None:
    closed = session.execute(
        sa.update(ArrearsCase).where(ArrearsCase.id == case.id, ArrearsCase.status == CaseStatus.OPEN)
        .values(status=CaseStatus.CLOSED, closed_on=today).execution_options(synchronize_session=False)).rowcount
    session.refresh(case)
    if closed == 1:  # not when a concurrent transaction closed it already
        record(session, action="arrears.case_close", actor=actor,
               entity_type="room", entity_id=case.room_id, community_id=case.community_id,
               details={"case_id": case.id, "reason": reason})


def sync_room(session: Session, room: Room, today: date, actor: Principal = SYSTEM) -> ArrearsCase | None:
    """Open a case when the room is more than a month behind; close it when it no longer is (the balance
    was cleared, or its start moved to within the month). Returns the open case, if any."""
    balance = session.get(RoomArrears, room.id)
    case = session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id,
                                                  ArrearsCase.status == CaseStatus.OPEN)).first()
    owes = balance is not None and balance.amount > 0
    overdue = owes and is_overdue_arrears(balance.since, today)
    if overdue and case is None:
        return _open_case(session, room, today, actor)
    if not overdue and case is not None:
        _close_case(session, case, today, "paid" if not owes else "within_a_month", actor)
        return None
    return case


def sync_cases(session: Session, *, actor: Principal = SYSTEM, today: date | None = None) -> int:
    """Bring rooms' cases in line with their balances; returns how many cases opened or closed.

    The daily job runs it for every community (``actor=SYSTEM``); a manager's page runs it for their own
    communities only. Two indexed queries find the few rooms that crossed a line; nothing else is touched.
    """
    today = today or local_today()
    cutoff = one_month_before(today)
    open_rooms = select(ArrearsCase.room_id).where(ArrearsCase.status == CaseStatus.OPEN)
    behind = select(RoomArrears.room_id).where(RoomArrears.amount > 0, RoomArrears.since < cutoff)
    due = select(Room).join(RoomArrears, RoomArrears.room_id == Room.id).where(
        RoomArrears.amount > 0, RoomArrears.since < cutoff, Room.id.not_in(open_rooms))
    settled = select(Room).join(ArrearsCase, ArrearsCase.room_id == Room.id).where(
        ArrearsCase.status == CaseStatus.OPEN, Room.id.not_in(behind))
    actor.require(Perm.ARREARS_MANAGE)
    due, settled = due.where(actor.scope_clause(Room.community_id)), settled.where(actor.scope_clause(Room.community_id))
    changed = 0
    for room in [*session.exec(due).all(), *session.exec(settled).all()]:
        sync_room(session, room, today, actor)
        changed += 1
    session.flush()
    return changed


def set_arrears(session: Session, *, actor: Principal, room_id: int, amount, since, expected_version: int | None = None,
                today: date | None = None) -> RoomArrears:
    """Enter a room's balance. ``expected_version`` is the balance the user started from (None: they saw none):
    if a colleague changed it meanwhile, the save is refused with the current values."""
    actor.require(Perm.ARREARS_MANAGE)
    today = today or local_today()
    room = load_scoped(session, Room, room_id, actor, entity="room")
    errors = FieldErrors()
    amount, since = _parse_amount(errors, amount), _parse_since(errors, since, today)
    errors.raise_if_any()
    balance = session.get(RoomArrears, room.id)
    if (balance.version if balance else None) != (expected_version or None):
        raise ConcurrencyConflict(_balance_snapshot(balance))
    before = _balance_snapshot(balance)
    if balance is None:
        if insert_unless_taken(session, RoomArrears(room_id=room.id, community_id=room.community_id, amount=amount,
                                                    since=since)) is None:  # a colleague's first entry won
            raise ConcurrencyConflict(_balance_snapshot(session.get(RoomArrears, room.id)))
        balance = session.get(RoomArrears, room.id)
    else:
        # Written only if still the version the user saw: of two saves at once, the second changes no row.
        written = session.execute(
            sa.update(RoomArrears).where(RoomArrears.room_id == room.id, RoomArrears.version == balance.version)
            .values(amount=amount, since=since, updated_at=utcnow(), version=RoomArrears.version + 1)
            .execution_options(synchronize_session=False)).rowcount
        session.refresh(balance)
        if written != 1:
            raise ConcurrencyConflict(_balance_snapshot(balance))
    sync_room(session, room, today, actor)
    record(session, action="arrears.set", actor=actor, entity_type="room", entity_id=room.id,
           community_id=room.community_id, before=before, after={"amount": str(amount), "since": since.isoformat()})
    return balance


def _balance_snapshot(balance: RoomArrears | None) -> dict:
    if balance is None:
        return {}
    return {"amount": f"{balance.amount:.2f}", "since": balance.since.isoformat(), "version": balance.version}


@dataclasses.dataclass
class FollowUpInput:
    channel: str
    result: str
    reason_category: str
    promise_date: str = ""
    ticket_code: str = ""
    done_on: str = ""


def log_follow_up(session: Session, *, actor: Principal, case_id: int, data: FollowUpInput,
                  today: date | None = None) -> FollowUp:
    """Record a follow-up; the next one is due 15 days after it."""
    actor.require(Perm.ARREARS_FOLLOW_UP)
    today = today or local_today()
    case = load_scoped(session, ArrearsCase, case_id, actor, entity="arrears case")
    errors = FieldErrors()
    if case.status != CaseStatus.OPEN:
        errors.add("result", "arrears.case_closed")
    values = {}
    for field, enum_cls, key in (("channel", Channel, "arrears.channel_invalid"),
                                 ("reason_category", ReasonCategory, "arrears.reason_invalid")):
        try:
            values[field] = enum_cls(getattr(data, field))
        except ValueError:
            errors.add(field, key)
    result = clean_text(errors, "result", data.result, max_length=300, required=True)
    done_on = _parse_since(errors, data.done_on, today, "done_on") if data.done_on.strip() else today
    promise = parse_date(errors, "promise_date", data.promise_date, required=False, not_before=done_on,
                         too_early="arrears.promise_in_past")
    ticket = data.ticket_code.strip().upper()
    if values.get("reason_category") == ReasonCategory.SERVICE_DISPUTE and not ticket:
        errors.add("ticket_code", "arrears.dispute_needs_ticket")
    elif ticket and session.exec(select(Ticket.id).where(Ticket.code == ticket,
                                                         Ticket.room_id == case.room_id)).first() is None:
        errors.add("ticket_code", "arrears.ticket_unknown")
    errors.raise_if_any()
    follow_up = FollowUp(case_id=case.id, done_on=done_on, result=result, promise_date=promise, ticket_code=ticket,
                         actor_user_id=actor.user_id, actor_name=actor.username, **values)
    session.add(follow_up)
    case.last_follow_up_on = max(done_on, case.last_follow_up_on or done_on)
    case.next_due_on = case.last_follow_up_on + FOLLOW_UP_EVERY
    session.add(case)
    session.flush()
    record(session, action="arrears.follow_up", actor=actor, entity_type="room", entity_id=case.room_id,
           community_id=case.community_id, details={"case_id": case.id, "channel": str(values["channel"]),
                                                    "reason": str(values["reason_category"]), "ticket": ticket})
    return follow_up


# ---------------------------------------------------------------- import (房号, 欠费金额, 欠费起始日期)

ARREARS_COLUMNS = {"房号": "room_code", "room code": "room_code", "欠费金额": "amount", "amount": "amount",
                   "欠费起始日期": "since", "since": "since"}
# How a problem's column is named to the user (the file's own headings, in their language).
COLUMN_LABELS = {"room_code": "owners.col.room_code", "amount": "arrears.amount", "since": "arrears.since"}


@dataclasses.dataclass(frozen=True)
class ArrearsImportResult:
    errors: list[tuple[int, str, str, dict]]  # row, column, message key, params
    rows: int
    written: int


def import_arrears(session: Session, *, actor: Principal, filename: str, data: bytes, commit: bool,
                   today: date | None = None) -> ArrearsImportResult:
    """Dry run (``commit=False``) or all-or-nothing write of a balances file."""
    actor.require(Perm.ARREARS_MANAGE)
    today = today or local_today()
    header, body = read_table(filename, data, max_rows=50_000, max_bytes=10 * 1024 * 1024)
    keys = [ARREARS_COLUMNS.get(h.strip().lower()) for h in header]
    if set(ARREARS_COLUMNS.values()) - set(keys):
        raise ImportRejected("import.missing_columns", columns="房号、欠费金额、欠费起始日期")
    rooms = {code: room_id for code, room_id in session.exec(
        select(Room.code, Room.id).where(actor.scope_clause(Room.community_id))).all()}
    errors: list[tuple[int, str, str, dict]] = []
    parsed: dict[int, tuple[Decimal, date]] = {}
    first_row: dict[int, int] = {}
    for number, raw in body:
        cells = {key: cell_text(raw[i]) if i < len(raw) else "" for i, key in enumerate(keys) if key}
        field_errors = FieldErrors()
        room_id = rooms.get(cells["room_code"].upper())
        if room_id is None:
            field_errors.add("room_code", "import.room_unknown", code=cells["room_code"])
        amount, since = _parse_amount(field_errors, cells["amount"]), _parse_since(field_errors, cells["since"], today)
        if room_id is not None and room_id in first_row:
            field_errors.add("room_code", "import.duplicate_row", first=first_row[room_id])
        errors += [(number, f, k, p) for f, (k, p) in field_errors.fields.items()]
        if room_id is not None:
            first_row.setdefault(room_id, number)
        if not field_errors.fields:
            parsed[room_id] = (amount, since)
    if errors or not commit:
        return ArrearsImportResult(errors, len(body), 0)
    for room_id, (amount, since) in parsed.items():
        balance = session.get(RoomArrears, room_id) or RoomArrears(
            room_id=room_id, community_id=session.get(Room, room_id).community_id, amount=amount, since=since)
        balance.amount, balance.since, balance.updated_at = amount, since, utcnow()
        session.add(balance)
    session.flush()
    for room_id in parsed:  # cases open and close with the balances, in the same transaction
        sync_room(session, session.get(Room, room_id), today, actor)
    record(session, action="arrears.import", actor=actor, entity_type="room",
           details={"file": filename, "rows": len(parsed)})
    return ArrearsImportResult([], len(body), len(parsed))
