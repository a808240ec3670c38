"""Resolution rounds 处理轮次 and the per-kind callback settings.

A ticket is resolved once per round: round 1 runs from registration to the first resolution, round n+1
from the n-th reopening to the next resolution. What the KPIs count about a resolution (its tier, time on
hold, whether a callback reached the owner by its due time) is written on the round when it happens and
never recomputed, so a reopening, a tier change or a cancellation later cannot rewrite a closed period.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, select

from pm_admin.core import change_watch
from pm_admin.core.clock import as_utc
from pm_admin.core.memo import Memo
from pm_admin.tickets.models import Callback, Kind, KindSetting, SlaBreach, Ticket, TicketRound

# Seed 003 5.28: repairs are called back within 7 days; other kinds within 2 days. Inquiries need none by
# default, anonymous feedback never (seed 004: protect the owner's privacy).
DEFAULT_SETTINGS = {Kind.COMPLAINT: (True, 2), Kind.REQUEST: (True, 2), Kind.REPAIR: (True, 7),
                    Kind.SUGGESTION: (True, 2), Kind.INQUIRY: (False, 2), Kind.ANONYMOUS: (False, 0)}


# The per-kind callback settings, read by every board load and callback: remembered until one is changed.
SETTINGS_TOPIC = "kind_settings"
_settings: Memo[dict[str, tuple[bool, int]]] = Memo(max_age=timedelta(seconds=60), max_entries=4)


def _stored_settings(session: Session) -> dict[str, tuple[bool, int]]:
    def read() -> dict[str, tuple[bool, int]]:
        return {row.kind: (row.needs_callback, row.callback_days) for row in session.exec(select(KindSetting)).all()}

    return change_watch.remembered(_settings, session, SETTINGS_TOPIC, read)


def kind_setting(session: Session, kind: str) -> tuple[bool, int]:
    """(needs a callback, within how many days) for a kind; anonymous feedback never needs one."""
    if kind == Kind.ANONYMOUS:
        return False, 0
    return _stored_settings(session).get(str(kind), DEFAULT_SETTINGS[Kind(kind)])


def needs_callback(session: Session, ticket: Ticket) -> bool:
    return kind_setting(session, ticket.kind)[0]


def current_round(session: Session, ticket: Ticket) -> TicketRound | None:
    return session.exec(select(TicketRound).where(TicketRound.ticket_id == ticket.id)
                        .order_by(TicketRound.number.desc())).first()


def open_round(session: Session, ticket: Ticket, started_at: datetime) -> TicketRound:
    """Round 1 at registration, the next one at a reopening."""
    previous = current_round(session, ticket) if ticket.id is not None else None
    round_ = TicketRound(ticket_id=ticket.id, number=(previous.number + 1) if previous else 1,
                         community_id=ticket.community_id, kind=str(ticket.kind), started_at=started_at,
                         paused_seconds_at_start=ticket.paused_seconds)
    session.add(round_)
    return round_


def resolve_round(session: Session, ticket: Ticket, resolved_at: datetime) -> TicketRound:
    """The round ends: its facts are fixed now (tier, time on hold inside it, the callback's due time)."""
    round_ = current_round(session, ticket)
    if round_ is None or round_.resolved_at is not None:  # a ticket from before rounds were kept
        round_ = open_round(session, ticket, ticket.created_at if round_ is None else resolved_at)
    needed, days = kind_setting(session, ticket.kind)
    round_.resolved_at, round_.tier = resolved_at, str(ticket.tier)
    round_.resolver_id, round_.department_id = ticket.assignee_id, ticket.department_id
    round_.hold_seconds = max(0, ticket.paused_seconds - round_.paused_seconds_at_start)
    round_.active_seconds = active_seconds(round_.started_at, resolved_at, round_.hold_seconds)
    round_.breached = session.exec(select(SlaBreach.id).where(  # the round's breaches are all stored by now
        SlaBreach.ticket_id == ticket.id, SlaBreach.round == round_.number)).first() is not None
    round_.callback_due_at = resolved_at + timedelta(days=days) if needed else None
    session.add(round_)
    return round_


def active_seconds(started_at: datetime, resolved_at: datetime, hold_seconds: int) -> int:
    return max(0, int((as_utc(resolved_at) - as_utc(started_at)).total_seconds()) - hold_seconds)


def note_callback(session: Session, ticket: Ticket, *, reached: bool, attempts_used: bool,
                  at: datetime) -> TicketRound | None:
    """A callback of the round just resolved: the first one that reached the owner, or the last unanswered one.
    Returns the round the callback ended (the first one reaching the owner): the caller links the callback to it
    once the callback has its id (``link_callback``)."""
    round_ = current_round(session, ticket)
    if round_ is None or round_.resolved_at is None:
        return None
    ended = None
    if reached and round_.callback_reached_at is None:
        round_.callback_reached_at, ended = at, round_
    elif not reached and attempts_used:
        round_.callback_unreachable = True
    session.add(round_)
    return ended


def link_callback(session: Session, round_: TicketRound | None, callback: Callback) -> None:
    """The callback that ended the round (its satisfaction and repair scores count for the round's resolver)."""
    if round_ is not None:
        round_.callback_id = callback.id
        session.add(round_)
