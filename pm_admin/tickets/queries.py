"""Ticket reads: the board (counts + 50 cards per column), the list, one ticket, queues and reviews."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.models import User
from pm_admin.auth.queries import display_names, user_names
from pm_admin.core.clock import local_text, utcnow
from pm_admin.core.crypto import decrypt
from pm_admin.core.i18n import translate
from pm_admin.core.masking import mask_phone
from pm_admin.core.paging import Page, PageRequest, count, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.places.models import Room
from pm_admin.tickets.models import (
    BOARD_STATUSES,
    FINAL_STATUSES,
    OPEN_STATUSES,
    Callback,
    Card,
    Department,
    Kind,
    Notification,
    SlaBreach,
    Status,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketEvidence,
    TicketRound,
    TicketRow,
    Tier,
)
from pm_admin.tickets.services import rounds, sla, workflow
from pm_admin.tickets.services.appointment import SCHEDULABLE, input_value, may_schedule

CARDS_PER_COLUMN = 50
DROP_STATUSES = (*BOARD_STATUSES, *FINAL_STATUSES)  # the board's columns and its rail of final states


@dataclasses.dataclass(frozen=True)
class TicketFilter:
    community_id: int | None = None
    department_id: int | None = None
    assignee_id: int | None = None  # "mine" is the principal's id
    category_id: int | None = None
    building_id: int | None = None  # the dashboard's early warnings link here
    overdue: bool = False
    kind: str = ""
    search: str = ""  # code prefix or title words


def _filtered(principal: Principal, filters: TicketFilter, now: datetime) -> list[sa.ColumnElement[bool]]:
    clauses = [principal.scope_clause(Ticket.community_id)]
    if filters.community_id:
        clauses.append(Ticket.community_id == filters.community_id)
    if filters.department_id:
        clauses.append(Ticket.department_id == filters.department_id)
    if filters.assignee_id:
        clauses.append(Ticket.assignee_id == filters.assignee_id)
    if filters.category_id:
        children = sa.select(TicketCategory.id).where(TicketCategory.parent_id == filters.category_id)
        clauses.append(sa.or_(Ticket.category_id == filters.category_id, Ticket.category_id.in_(children)))
    if filters.building_id:
        clauses.append(col(Ticket.room_id).in_(sa.select(Room.id).where(Room.building_id == filters.building_id)))
    if filters.overdue:
        clauses.append(sla.overdue_clause(now))
    if filters.kind in set(Kind):
        clauses.append(Ticket.kind == Kind(filters.kind))
    if filters.search.strip():
        text = filters.search.strip()
        clauses.append(sa.or_(Ticket.code.startswith(text.upper()), Ticket.title.contains(text, autoescape=True)))
    return clauses


def names_of_categories_and_departments(session: Session, language: str) -> tuple[dict[int, str], dict[int, str]]:
    categories = {c.id: (c.name_zh if language == "zh-CN" else c.name_en)
                  for c in session.exec(select(TicketCategory)).all()}
    departments = {d.id: (d.name if language == "zh-CN" else d.name_en or d.name)
                   for d in session.exec(select(Department)).all()}
    return categories, departments


def contact_of(ticket: Ticket, language: str) -> dict[str, str]:
    """The ticket's contact as staff see it: the phone masked (shown in full only for the task, see callbacks)."""
    relation = translate(f"tickets.relation.{ticket.contact_relation}", language) if ticket.contact_relation else ""
    return {"contact_name": ticket.contact_name, "contact_relation": relation,
            "contact_phone": mask_phone(decrypt(ticket.contact_phone_enc)), "contact_time": ticket.contact_time}


def duration_text(minutes: int, language: str) -> str:
    """A span in the reader's words: 2天19小时 / 2d 19h, 3小时05分 / 3h 05m."""
    minutes = abs(minutes)
    if minutes >= 1440:
        return translate("common.duration_days", language, days=minutes // 1440, hours=minutes % 1440 // 60)
    return translate("common.duration_hours", language, hours=minutes // 60, minutes=f"{minutes % 60:02d}")


def _sla_text(state: str, minutes: int, language: str) -> str:
    if state in ("paused", "done"):
        return ""
    return duration_text(minutes, language)  # the state says whether it is time left or time over


# What a card shows and its SLA clock needs: the board reads these columns, not whole tickets.
CARD_COLUMNS = (Ticket.id, Ticket.code, Ticket.title, Ticket.room_id, Ticket.category_id, Ticket.kind, Ticket.tier,
                Ticket.status, Ticket.assignee_id, Ticket.reopen_count, Ticket.repeat_of_id, Ticket.version,
                Ticket.created_at, Ticket.respond_due, Ticket.responded_at, Ticket.resolve_due, Ticket.paused_at)


def cards_of(session: Session, tickets: list, now: datetime, language: str) -> list[Card]:
    """Cards of tickets (entities or rows of CARD_COLUMNS)."""
    categories, _ = names_of_categories_and_departments(session, language)
    rooms = dict(session.execute(sa.select(Room.id, Room.code).where(
        col(Room.id).in_({t.room_id for t in tickets if t.room_id}))).all()) if tickets else {}
    names = user_names(session, (t.assignee_id for t in tickets))
    cards = []
    for t in tickets:
        state, minutes = sla.clock(t, now)
        cards.append(Card(id=t.id, code=t.code, title=t.title, room=rooms.get(t.room_id, ""),
                          category=categories.get(t.category_id, ""), kind=str(t.kind), tier=str(t.tier),
                          status=str(t.status), sla_state=state, sla_text=_sla_text(state, minutes, language),
                          assignee=names.get(t.assignee_id, ""), reopen_count=t.reopen_count,
                          is_repeat=t.repeat_of_id is not None, version=t.version))
    return cards


@dataclasses.dataclass(frozen=True)
class Board:
    tier_counts: dict[str, int]
    columns: dict[str, int]  # status -> count
    cards: dict[str, list[Card]]  # status -> first cards, most urgent deadline first


def board(session: Session, principal: Principal, filters: TicketFilter, tier: str, *,
          limits: dict[str, int] | None = None, first: Sequence[int] = (), language: str = "zh-CN",
          now: datetime | None = None) -> Board:
    """Counts per tier and per column, and the first cards of each column (``limits`` grows with "load more").

    ``first``: tickets the reader just moved or registered, newest first; each shows at the top of its column
    (within the column's limit) instead of at its deadline's place, so a moved card is seen where it landed.
    """
    principal.require(Perm.TICKETS_VIEW)
    now = now or utcnow()
    where = _filtered(principal, filters, now)
    # One grouped count over (community, tier, status) equality ranges of ix_ticket_board: closed tickets,
    # ten times as many as open ones, are never touched.
    tier_counts, columns = {str(t): 0 for t in Tier}, {str(s): 0 for s in BOARD_STATUSES}
    for tier_value, status_value, number in session.execute(
            sa.select(Ticket.tier, Ticket.status, sa.func.count())
            .where(col(Ticket.tier).in_([t.value for t in Tier]),
                   col(Ticket.status).in_([s.value for s in OPEN_STATUSES]), *where)
            .group_by(Ticket.tier, Ticket.status)).all():
        tier_counts[str(tier_value)] += number
        if str(tier_value) == tier:
            columns[str(status_value)] = number
    first = list(dict.fromkeys(first))[:CARDS_PER_COLUMN]
    pinned = sorted(session.execute(sa.select(*CARD_COLUMNS).where(
        col(Ticket.id).in_(first), col(Ticket.status).in_([s.value for s in BOARD_STATUSES]),
        Ticket.tier == Tier(tier), *where)).all(), key=lambda row: first.index(row.id)) if first else []
    tickets: list = []
    for status in BOARD_STATUSES:
        if columns[str(status)]:
            limit = (limits or {}).get(str(status), CARDS_PER_COLUMN)
            on_top = [row for row in pinned if row.status == status][:limit]
            tickets += on_top
            if limit > len(on_top):
                tickets += session.execute(sa.select(*CARD_COLUMNS).where(
                    Ticket.status == status, Ticket.tier == Tier(tier),
                    col(Ticket.id).not_in([row.id for row in on_top]), *where)
                    .order_by(Ticket.resolve_due, Ticket.id).limit(limit - len(on_top))).all()
    cards: dict[str, list[Card]] = {str(s): [] for s in BOARD_STATUSES}
    callbacks = {str(kind): rounds.kind_setting(session, kind)[0] for kind in Kind}
    assignees = {row.id: row.assignee_id for row in tickets}
    for card in cards_of(session, tickets, now, language):  # one lookup of rooms, names and labels for all columns
        card.targets = " ".join(workflow.drop_targets(principal, Status(card.status), assignees[card.id],
                                                      callbacks[card.kind]))
        cards[card.status].append(card)
    return Board(tier_counts, columns, cards)


def drop_refusals(session: Session, principal: Principal, ticket_id: int) -> dict[str, str]:
    """Where the reader may not drop this ticket's card, and why (catalog keys, from the workflow's table)."""
    ticket = visible_ticket(session, principal, ticket_id)
    if ticket is None:
        return {}
    return workflow.refusals(principal, Status(ticket.status), ticket.assignee_id,
                             rounds.needs_callback(session, ticket), DROP_STATUSES)


def ticket_tier(session: Session, principal: Principal, ticket_id: int) -> str | None:
    ticket = visible_ticket(session, principal, ticket_id)
    return str(ticket.tier) if ticket else None


def board_stamp(session: Session, principal: Principal) -> str:
    """The newest change among the principal's tickets: every create, move and reply bumps ``updated_at``.

    One index lookup per community (or one overall), so polling every few seconds stays cheap.
    """
    communities = principal.community_filter()
    newest = sa.select(sa.func.max(Ticket.updated_at))
    if communities is None:
        stamps = [session.scalar(newest)]
    else:
        stamps = [session.scalar(newest.where(Ticket.community_id == c)) for c in sorted(communities)]
    present = [s for s in stamps if s is not None]
    return max(present).isoformat() if present else ""


def community_of(session: Session, principal: Principal, ticket_id: int) -> int | None:
    ticket = visible_ticket(session, principal, ticket_id)
    return ticket.community_id if ticket else None


def bulk_assignee_options(session: Session, principal: Principal, ticket_ids: Sequence[int]) -> list[dict[str, str]]:
    """Whom ticked tickets may be assigned to (批量指派): the staff of their community when they share one, else of the
    principal's communities (the assignment checks each ticket's own)."""
    communities = set(session.scalars(sa.select(Ticket.community_id).where(
        col(Ticket.id).in_(list(ticket_ids)), principal.scope_clause(Ticket.community_id)).distinct()).all()) \
        if ticket_ids else set()
    return assignee_options(session, principal, communities.pop() if len(communities) == 1 else None)


# The list's sortable columns; any other sort is newest first.
LIST_SORTS = {"created_at": Ticket.created_at, "resolve_due": Ticket.resolve_due, "code": Ticket.code}


def list_query(principal: Principal, filters: TicketFilter, *, status: str = "", sort: str = "",
               descending: bool = False, now: datetime | None = None) -> sa.Select:
    """The ticket list's view as one ordered query of ids, filtered and scoped in SQL: the grid pages it, the ledger
    (``tickets.ledger``) exports all of it, so a file always holds the rows the grid shows."""
    principal.require(Perm.TICKETS_VIEW)
    statement = sa.select(Ticket.id).where(*_filtered(principal, filters, now or utcnow()))
    if status == "open":
        statement = statement.where(col(Ticket.status).in_([s.value for s in OPEN_STATUSES]))
    elif status in set(Status):
        statement = statement.where(Ticket.status == Status(status))
    key = LIST_SORTS.get(sort, Ticket.created_at)
    return statement.order_by(key.asc() if (sort and not descending) else key.desc(), Ticket.id.desc())


def ticket_list(session: Session, principal: Principal, request: PageRequest, filters: TicketFilter, *,
                status: str = "", language: str = "zh-CN") -> Page[TicketRow]:
    now, request = utcnow(), request.clamp()
    statement = list_query(principal, filters, status=status, sort=request.sort, descending=request.descending,
                           now=now)
    total = count(session, statement)
    ids = list(session.scalars(paginate(statement, request)).all())
    tickets = {t.id: t for t in session.exec(select(Ticket).where(col(Ticket.id).in_(ids))).all()} if ids else {}
    categories, departments = names_of_categories_and_departments(session, language)
    cards = {c.id: c for c in cards_of(session, list(tickets.values()), now, language)}
    rows = [TicketRow(id=t.id, code=t.code, title=t.title, kind=str(t.kind), tier=str(t.tier), status=str(t.status),
                      room=cards[t.id].room, category=categories.get(t.category_id, ""),
                      department=departments.get(t.department_id, ""), assignee=cards[t.id].assignee,
                      created_at=local_text(t.created_at), resolve_due=local_text(t.resolve_due),
                      sla_state=cards[t.id].sla_state, reopen_count=t.reopen_count,
                      is_repeat=t.repeat_of_id is not None, version=t.version)
            for t in (tickets[i] for i in ids)]
    return Page(rows, total, request.page, request.page_size)


def visible_ticket(session: Session, principal: Principal, ticket_id: int) -> Ticket | None:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or not principal.can_access_community(ticket.community_id):
        return None
    if principal.has(Perm.TICKETS_VIEW) or ticket.assignee_id == principal.user_id:
        return ticket
    return None


def ticket_detail(session: Session, principal: Principal, ticket_id: int, language: str = "zh-CN") -> dict | None:
    """Everything the detail page shows; the owner's personal data masked, anonymous submitters absent."""
    ticket = visible_ticket(session, principal, ticket_id)
    if ticket is None:
        return None
    now = utcnow()
    categories, departments = names_of_categories_and_departments(session, language)
    card = cards_of(session, [ticket], now, language)[0]
    names = display_names(session, {ticket.created_by, ticket.plan_approved_by})
    repeats = session.exec(select(Ticket.id, Ticket.code, Ticket.status).where(
        sa.or_(Ticket.repeat_of_id == ticket.id, Ticket.id == (ticket.repeat_of_id or 0)))).all()
    return {
        "id": ticket.id, "code": ticket.code, "title": ticket.title, "description": ticket.description,
        "kind": str(ticket.kind), "tier": str(ticket.tier), "channel": str(ticket.channel),
        "status": str(ticket.status), "room": card.room, "community_id": ticket.community_id,
        "category": categories.get(ticket.category_id, ""), "department": departments.get(ticket.department_id, ""),
        "assignee": card.assignee, "assignee_id": ticket.assignee_id or 0, "created_at": local_text(ticket.created_at),
        "created_by": names[ticket.created_by], "respond_due": local_text(ticket.respond_due),
        "onsite_due": local_text(ticket.onsite_due), "resolve_due": local_text(ticket.resolve_due),
        "responded_at": local_text(ticket.responded_at), "resolved_at": local_text(ticket.resolved_at),
        "closed_at": local_text(ticket.closed_at), "sla_state": card.sla_state, "sla_text": card.sla_text,
        "hold_reason": ticket.hold_reason, "hold_until": ticket.hold_until.isoformat() if ticket.hold_until else "",
        "resolution": ticket.resolution, "plan": ticket.plan, "plan_approved_by": names[ticket.plan_approved_by],
        "reopen_count": ticket.reopen_count, "is_repeat": ticket.repeat_of_id is not None,
        "valid_complaint": "" if ticket.valid_complaint is None else str(ticket.valid_complaint).lower(),
        "callback_attempts": ticket.callback_attempts, "version": ticket.version,
        "appointment": local_text(ticket.appointment_at), "appointment_input": input_value(ticket.appointment_at),
        "can_schedule": ticket.status in SCHEDULABLE and may_schedule(principal, ticket),
        "owner_id": ticket.owner_id if ticket.owner_id and principal.has(Perm.OWNERS_VIEW) else 0,
        **contact_of(ticket, language),
        "related": [{"id": r[0], "code": r[1], "status": str(r[2])} for r in repeats],
        "breaches": [{"milestone": b.milestone, "minutes_over": b.minutes_over, "due_at": local_text(b.due_at),
                      "over_text": _sla_text("breached", b.minutes_over, language)}
                     for b in session.exec(select(SlaBreach).where(SlaBreach.ticket_id == ticket.id)).all()],
    }


def timeline(session: Session, principal: Principal, ticket_id: int) -> list[dict]:
    if visible_ticket(session, principal, ticket_id) is None:
        return []
    events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id)
                          .order_by(TicketEvent.at, TicketEvent.id)).all()
    names = display_names(session, {e.actor_name for e in events})
    return [{"at": local_text(e.at), "actor": names[e.actor_name], "kind": e.kind, "from": e.from_status,
             "to": e.to_status, "body": e.body, "public": e.public} for e in events]


def callbacks(session: Session, principal: Principal, ticket_id: int) -> list[dict]:
    """Every callback of the ticket, numbered #1, #2, … across its rounds."""
    if visible_ticket(session, principal, ticket_id) is None:
        return []
    done = session.exec(select(Callback).where(Callback.ticket_id == ticket_id)
                        .order_by(Callback.done_at, Callback.id)).all()
    names = display_names(session, {c.done_by for c in done})
    return [{"number": f"#{n}", "attempt": c.attempt, "method": c.method, "reached": c.reached,
             "satisfied": "" if c.satisfied is None else str(c.satisfied).lower(), "comment": c.comment,
             "scores": " / ".join(str(getattr(c, f)) for f in ("attitude", "efficiency", "skill", "result", "overall"))
             if c.overall else "", "done_at": local_text(c.done_at), "done_by": names[c.done_by]}
            for n, c in enumerate(done, start=1)]


def evidence(session: Session, principal: Principal, ticket_id: int) -> list[dict]:
    if visible_ticket(session, principal, ticket_id) is None:
        return []
    return [{"id": e.id, "filename": e.filename, "content_type": e.content_type, "size": e.size,
             "uploaded_by": e.uploaded_by, "uploaded_at": local_text(e.uploaded_at)}
            for e in session.exec(select(TicketEvidence).where(TicketEvidence.ticket_id == ticket_id)).all()]


def callback_queue(session: Session, principal: Principal, language: str = "zh-CN") -> list[dict]:
    """Resolved tickets of kinds that need a callback, oldest first, with their contact (phone masked) and the
    round's due time (repairs 7 days after resolution by default, other kinds 2)."""
    principal.require(Perm.TICKETS_CALLBACK)
    now = utcnow()
    calling = [k.value for k in Kind if rounds.kind_setting(session, k)[0]]
    rows = session.exec(select(Ticket, TicketRound.callback_due_at).outerjoin(TicketRound, sa.and_(
        TicketRound.ticket_id == Ticket.id, TicketRound.number == Ticket.reopen_count + 1)).where(
        Ticket.status == Status.RESOLVED, col(Ticket.kind).in_(calling), principal.scope_clause(Ticket.community_id))
        .order_by(Ticket.resolved_at, Ticket.id).limit(300)).all()
    cards = {c.id: c for c in cards_of(session, [t for t, _ in rows], now, language)}
    queue = []
    for t, due in rows:
        due = due or t.resolved_at
        queue.append({"id": t.id, "code": t.code, "title": t.title, "kind": str(t.kind), "room": cards[t.id].room,
                      "resolved_at": local_text(t.resolved_at), "due": local_text(due), "overdue": due < now,
                      "attempts": t.callback_attempts, "next_at": local_text(t.next_callback_at),
                      "needs_manager": t.callback_attempts >= 3, "version": t.version, **contact_of(t, language)})
    return queue


def my_orders(session: Session, principal: Principal, language: str = "zh-CN") -> list[dict]:
    """A technician's own open work orders in the order of their visits (预约上门时间), those without an appointment
    after them, most urgent first; each with the contact to visit (phone masked)."""
    principal.require(Perm.TICKETS_OWN)
    tickets = list(session.exec(select(Ticket).where(
        Ticket.assignee_id == principal.user_id,
        col(Ticket.status).in_([Status.ASSIGNED.value, Status.IN_PROGRESS.value, Status.ON_HOLD.value]))
        .order_by(col(Ticket.appointment_at).is_(None), Ticket.appointment_at, Ticket.resolve_due).limit(200)).all())
    return [{**card.model_dump(), **contact_of(ticket, language), "description": _excerpt(ticket.description),
             "appointment": local_text(ticket.appointment_at)}
            for card, ticket in zip(cards_of(session, tickets, utcnow(), language), tickets, strict=True)]


ORDER_DESCRIPTION = 200  # characters of the description an order card shows (the ticket's page has it all)


def _excerpt(text: str) -> str:
    flat = " ".join((text or "").split())
    return flat[:ORDER_DESCRIPTION] + ("…" if len(flat) > ORDER_DESCRIPTION else "")


def unread_notifications(session: Session, principal: Principal) -> list[dict]:
    rows = session.exec(select(Notification, Ticket.code).outerjoin(Ticket, Ticket.id == Notification.ticket_id)
                        .where(Notification.user_id == principal.user_id, col(Notification.read_at).is_(None))
                        .order_by(Notification.created_at.desc()).limit(20)).all()
    return [{"id": n.id, "ticket_id": n.ticket_id or 0, "code": code or "", "key": n.message_key, "detail": n.detail,
             "at": local_text(n.created_at)} for n, code in rows]


def category_options(session: Session, language: str = "zh-CN") -> list[dict[str, str]]:
    """Leaf-first labels "物业服务 / 客服态度" for the create form and filters."""
    categories = list(session.exec(select(TicketCategory).where(TicketCategory.is_active == sa.true())
                                   .order_by(TicketCategory.sort, TicketCategory.id)).all())
    names = {c.id: (c.name_zh if language == "zh-CN" else c.name_en) for c in categories}
    return [{"value": str(c.id), "label": f"{names[c.parent_id]} / {names[c.id]}" if c.parent_id in names else names[c.id],
             "top": "" if c.parent_id else "1"} for c in categories]


def assignee_options(session: Session, principal: Principal, community_id: int | None) -> list[dict[str, str]]:
    """Staff who can take work orders (technicians, cs, stewards, managers) of ``community_id``, or of any of the
    principal's communities: never staff of a community the principal cannot see."""
    from pm_admin.auth.models import UserCommunity, UserRole

    if community_id is not None and not principal.can_access_community(community_id):
        return []
    communities = [community_id] if community_id is not None else (
        None if principal.all_communities else sorted(principal.community_ids))
    statement = (sa.select(User.id, User.display_name).join(UserRole, UserRole.user_id == User.id)
                 .where(User.is_active == sa.true(),
                        col(UserRole.role_code).in_(["technician", "cs", "steward", "manager"])).distinct()
                 .order_by(User.display_name))
    if communities is not None:
        statement = statement.where(col(User.id).in_(
            sa.select(UserCommunity.user_id).where(col(UserCommunity.community_id).in_(communities))))
    return [{"value": str(i), "label": n} for i, n in session.execute(statement).all()]


def department_options(session: Session, language: str = "zh-CN") -> list[dict[str, str]]:
    return [{"value": str(d.id), "label": d.name if language == "zh-CN" else d.name_en or d.name}
            for d in session.exec(select(Department).order_by(Department.id)).all()]
