"""Survey events through the production server: the owners' page without a link stores nothing, staff of
one community cannot enter or read another's survey, and a crafted entry for a foreign room is refused."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.places.models import Community, Room
from pm_admin.surveys.models import PlanStatus, SurveyPlan, SurveyQuestion, SurveyResponse, SurveyTarget
from pm_admin.surveys.states.owner import OwnerSurveyState
from pm_admin.surveys.states.plan import SurveyPlanState
from tests.server.test_crafted_events import state_delta, toasts
from tests.support.login import cookie_for
from tests.support.loop import run
from tests.support.ws_client import CraftedClient, event_name

pytestmark = pytest.mark.server


def response_count(db) -> int:
    with Session(db) as session:
        return session.scalar(sa.select(sa.func.count(SurveyResponse.id)))


def full_answers(db, plan_id: int) -> dict[str, str]:
    with Session(db) as session:
        questions = session.exec(select(SurveyQuestion).where(SurveyQuestion.plan_id == plan_id)).all()
    return {f"q{q.id}": "5" if q.kind == "rating" else q.options.splitlines()[0] if q.options else "好"
            for q in questions}


def test_the_owner_page_without_a_valid_link_stores_nothing(live_server, db):
    with Session(db) as session:
        plan_id = session.exec(select(SurveyPlan.id).where(SurveyPlan.status == PlanStatus.OPEN)).first()
    before = response_count(db)

    async def scenario():
        async with CraftedClient(live_server.base_url) as anonymous:  # no staff cookie at all
            await anonymous.hydrate("/s/not-a-token")
            loaded = await anonymous.send(event_name(OwnerSurveyState, "load"), path="/s/not-a-token",
                                          query={"token": "not-a-token"})
            submitted = await anonymous.send(event_name(OwnerSurveyState, "submit"),
                                             {"form": full_answers(db, plan_id)})
        return loaded, submitted

    loaded, submitted = run(scenario())
    delta = state_delta(loaded, OwnerSurveyState)
    assert delta.get("stage_rx_state_") == "refused" and not delta.get("questions_rx_state_")
    assert state_delta(submitted, OwnerSurveyState) == {}
    assert response_count(db) == before


def test_staff_of_one_community_cannot_enter_or_read_another_communitys_survey(live_server, db):
    with Session(db) as session:
        c01, c03 = (session.exec(select(Community.id).where(Community.code == code)).one() for code in ("C01", "C03"))
        foreign_plan = SurveyPlan(title="御景名苑专项调查", year=2026, period_kind="h2", starts_on=date(2026, 7, 1),
                                  ends_on=date(2026, 12, 31), status=PlanStatus.OPEN, methods="phone")
        session.add(foreign_plan)
        session.flush()
        session.add(SurveyTarget(plan_id=foreign_plan.id, community_id=c03))
        session.add(SurveyQuestion(plan_id=foreign_plan.id, position=1, kind="rating", text="总体满意度",
                                   indicator="service"))
        session.commit()
        shared_plan = session.exec(select(SurveyPlan.id).where(SurveyPlan.status == PlanStatus.OPEN,
                                                               SurveyPlan.id != foreign_plan.id)).first()
        foreign_room = session.exec(select(Room.code).where(Room.community_id == c03)).first()
        assert c01 != c03
        foreign_id = foreign_plan.id
    steward = cookie_for(live_server.base_url, "demo.steward")  # C01 only
    before = response_count(db)

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=steward) as client:
            path = f"/surveys/{foreign_id}"
            await client.hydrate(path)
            foreign = await client.send(event_name(SurveyPlanState, "load"), path=path,
                                        query={"plan_id": str(foreign_id)})
            crafted = await client.send(event_name(SurveyPlanState, "enter_response"), {"form": {
                "room_code": foreign_room, "method": "phone", **full_answers(db, foreign_id)}})
            path = f"/surveys/{shared_plan}"
            await client.hydrate(path)
            await client.send(event_name(SurveyPlanState, "load"), path=path, query={"plan_id": str(shared_plan)})
            into_shared = await client.send(event_name(SurveyPlanState, "enter_response"), {"form": {
                "room_code": foreign_room, "method": "phone", **full_answers(db, shared_plan)}})
            closed = await client.send(event_name(SurveyPlanState, "close_plan"))
        return foreign, crafted, into_shared, closed

    foreign, crafted, into_shared, closed = run(scenario())
    delta = state_delta(foreign, SurveyPlanState)
    assert delta.get("missing_rx_state_") is True and not delta.get("result_rx_state_")
    assert "room_code" in state_delta(into_shared, SurveyPlanState).get("entry_errors_rx_state_", {})
    assert toasts(crafted)  # refused: the plan is outside the steward's communities
    assert response_count(db) == before  # neither the foreign plan nor a foreign room got an answer
    assert state_delta(closed, SurveyPlanState) == {}  # a steward may not close a plan
    with Session(db) as session:
        assert session.get(SurveyPlan, shared_plan).status == PlanStatus.OPEN
