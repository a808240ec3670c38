"""Integration endpoints (``pmi_`` tokens an admin issued): a call centre registers tickets, a BI tool reads tickets
and KPIs, within the token's scopes and communities. No contact data leaves through them."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from sqlmodel import Session, col, select

from pm_admin.api import cursors, idempotency
from pm_admin.api.callers import require_scope
from pm_admin.api.errors import ApiRefusal
from pm_admin.api.params import ERRORS, Cursor, IdempotencyKey, Integration, Limit
from pm_admin.api.schemas import CallCentreTicket, KpiReport, StaffTicket, StaffTicketPage
from pm_admin.core.clock import local_text, utcnow
from pm_admin.core.db import unit_of_work
from pm_admin.core.permissions import Perm, Principal
from pm_admin.dashboards.kpi_report import kpi_report
from pm_admin.dashboards.periods import PERIOD_KEYS
from pm_admin.places.queries import room_id_by_code
from pm_admin.tickets.models import Ticket
from pm_admin.tickets.queries import CARD_COLUMNS, cards_of, names_of_categories_and_departments
from pm_admin.tickets.services.contact import ContactInput
from pm_admin.tickets.services.registration import TicketInput, create_ticket

TicketStatus = Literal["new", "assigned", "in_progress", "on_hold", "resolved", "closed", "cancelled", "invalid"]
router = APIRouter(prefix="/integration", tags=["integration"], responses=ERRORS)


def _rows(session: Session, principal: Principal, tickets: list) -> list[dict]:
    categories, _ = names_of_categories_and_departments(session, "zh-CN")
    cards = {card.id: card for card in cards_of(session, tickets, utcnow(), "zh-CN")}
    return [StaffTicket(id=t.id, code=t.code, title=t.title, kind=str(t.kind), tier=str(t.tier),
                        status=str(t.status), channel=str(t.channel), community_id=t.community_id,
                        room=cards[t.id].room, category=categories.get(t.category_id, ""),
                        created_at=local_text(t.created_at), sla_state=cards[t.id].sla_state).model_dump()
            for t in tickets]


@router.post("/tickets", status_code=201, response_model=StaffTicket,
             summary="Register a ticket (e.g. from a call centre); scope tickets:create")
def register(body: CallCentreTicket, caller: Integration, idempotency_key: IdempotencyKey = None) -> JSONResponse:
    require_scope(caller, Perm.TICKETS_CREATE)

    def work(session):
        room_id = room_id_by_code(session, caller.principal, body.room_code) if body.room_code else None
        if body.room_code and room_id is None:
            raise ApiRefusal(422, "owners.room_unknown")
        ticket = create_ticket(session, actor=caller.principal, data=TicketInput(
            kind=body.kind, category_id=body.category_id, tier=body.tier, channel="hotline", title=body.title,
            description=body.description, room_id=room_id, community_id=body.community_id,
            contact=ContactInput(**body.contact.model_dump())))
        rows = session.exec(select(*CARD_COLUMNS, Ticket.channel, Ticket.community_id).where(Ticket.id == ticket.id)).all()
        return 201, _rows(session, caller.principal, list(rows))[0]
    status, answer = idempotency.once(caller.key, idempotency_key, body.model_dump(), work)
    return JSONResponse(answer, status_code=status)


@router.get("/tickets", response_model=StaffTicketPage, summary="Tickets of the token's communities, newest first; "
                                                                "scope tickets:read")
def tickets(caller: Integration, limit: Limit = 50,
            cursor: Cursor = None,
            status: Annotated[TicketStatus | None, Query()] = None) -> StaffTicketPage:
    require_scope(caller, Perm.TICKETS_VIEW)
    before = cursors.decode(cursor)
    with unit_of_work() as session:
        query = select(*CARD_COLUMNS, Ticket.channel, Ticket.community_id).where(caller.principal.scope_clause(Ticket.community_id))
        if before:
            query = query.where(Ticket.id < before)
        if status:
            query = query.where(Ticket.status == status)
        found = list(session.exec(query.order_by(col(Ticket.id).desc()).limit(limit)).all())
        items = _rows(session, caller.principal, found)
    return StaffTicketPage(items=items, next_cursor=cursors.next_cursor(items, limit))


@router.get("/kpis", response_model=KpiReport, summary="Every dashboard figure with numerator and denominator "
                                                       "(README definitions); scope kpis:read")
def kpis(caller: Integration, period: Annotated[str, Query(max_length=16)] = "this_month",
         community: Annotated[str, Query(max_length=32)] = "all") -> dict:
    require_scope(caller, Perm.DASHBOARD_VIEW)
    if period not in PERIOD_KEYS:
        raise ApiRefusal(422, "dashboard.period_unknown", allowed=", ".join(PERIOD_KEYS))
    with unit_of_work() as session:
        return kpi_report(session, period, community, principal=caller.principal)



