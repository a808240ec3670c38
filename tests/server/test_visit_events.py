"""The visit programme against crafted events: a steward's call to generate tasks is refused by the guard; a manager
cannot generate another company community's tasks nor record a visit to its room; a reply nobody opened saves
nothing."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.core.clock import local_today
from pm_admin.core.permissions import SYSTEM
from pm_admin.visits.models import Visit, VisitPlan, VisitTask
from pm_admin.visits.services import plans
from pm_admin.visits.states.plans import VisitPlansState
from pm_admin.visits.states.visits import ReplyForm, VisitForm, VisitsState
from tests.server.test_crafted_events import audit_count, community_id, toasts
from tests.support.login import cookie_for
from tests.support.loop import run
from tests.support.ws_client import CraftedClient, event_name

pytestmark = pytest.mark.server


def counts(db, community: int) -> tuple[int, int]:
    with Session(db) as session:
        return (session.scalar(sa.select(sa.func.count(VisitTask.id)).where(VisitTask.community_id == community)),
                session.scalar(sa.select(sa.func.count(Visit.id)).where(Visit.community_id == community)))


def test_crafted_visit_events_are_refused(live_server, db):
    c01, c03 = community_id(db, "C01"), community_id(db, "C03")
    with Session(db) as session:  # C03 (outside demo.manager's C01 + C02) has a plan that could generate tasks
        c03_plan = session.exec(select(VisitPlan).where(VisitPlan.community_id == c03)).first()
        if c03_plan is None:
            c03_plan = plans.save_plan(session, actor=SYSTEM, data=plans.PlanInput(
                community_id=c03, kind="quarterly", starts_on=date(2026, 1, 1)))
            session.commit()
        c03_plan_id = c03_plan.id
        c03_room = session.scalar(sa.text("SELECT code FROM room WHERE community_id = :c LIMIT 1"), {"c": c03})
    before = counts(db, c03), counts(db, c01)
    refused = audit_count(db, "guard.refused:generate")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie_for(live_server.base_url, "demo.steward")) as steward:
            await steward.hydrate("/visits")
            await steward.send(event_name(VisitsState, "load"), path="/visits")
            generate = await steward.send(event_name(VisitPlansState, "generate"), {"plan_id": c03_plan_id},
                                          path="/visits/plans")
            reply = await steward.send(event_name(ReplyForm, "save"), {"form": {"reply": "已处理"}}, path="/visits")
        async with CraftedClient(live_server.base_url, cookie=cookie_for(live_server.base_url, "demo.manager")) as manager:
            await manager.hydrate("/visits/plans")
            await manager.send(event_name(VisitPlansState, "load"), path="/visits/plans")
            elsewhere = await manager.send(event_name(VisitPlansState, "generate"), {"plan_id": c03_plan_id},
                                           path="/visits/plans")
            await manager.send(event_name(VisitsState, "load"), path="/visits")
            await manager.send(event_name(VisitForm, "open_new"), path="/visits")
            visit = await manager.send(event_name(VisitForm, "save"), {"form": {
                "room_code": c03_room, "visited_on": local_today().isoformat(), "method": "door", "met": "owner",
                "topics": "越权走访"}}, path="/visits")
        return generate, reply, elsewhere, visit

    generate, reply, elsewhere, visit = run(scenario())
    assert audit_count(db, "guard.refused:generate") == refused + 1  # the steward may not plan
    assert toasts(reply) and toasts(elsewhere)  # nothing open to save; another company community
    assert "没有这个房屋编号" in str(visit)  # refused beside the room field
    assert (counts(db, c03), counts(db, c01)) == before
