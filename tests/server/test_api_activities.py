"""Community activities through the REST API on the production server: an owner sees and signs up for the open
activities of their own community only, people beyond the capacity wait in order, a cancellation promotes the
waiting household that now fits (told through the inbox), and a household evaluates once, only after checking in."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from sqlmodel import Session, select

from pm_admin.activities.models import ActivityEvaluation, ActivitySignup
from pm_admin.activities.services import plan, signups
from pm_admin.auth.models import User
from pm_admin.core.clock import local_today
from pm_admin.notify.models import OutboxMessage
from pm_admin.places.models import Community, Room
from pm_admin.portal.models import OwnerAccount
from tests.server.api_support import owner_token, owners_without_account
from tests.server.test_api import assert_refusal, bearer, room_of
from tests.support import factories

pytestmark = pytest.mark.server



@pytest.fixture(scope="module")
def owners(live_server, db):
    """Three C01 owners of one room each, activated through the API: (owner id, room id, token)."""
    return [(owner_id, room_of(db, owner_id), owner_token(live_server, db, owner_id))
            for owner_id in owners_without_account(db, "C01", count=3)]


def manager(session: Session):
    return factories.sign_in(session, session.exec(select(User).where(User.username == "demo.manager")).one())


def open_activity(db, community_code: str, title: str, capacity: int) -> int:
    """An activity planned and opened for sign-up by the demo manager (C01 and C02)."""
    day = local_today() + timedelta(days=10)
    starts, ends = (datetime.combine(day, time(hour)).strftime("%Y-%m-%dT%H:%M") for hour in (14, 16))
    with Session(db) as session:
        actor = manager(session)
        community = session.exec(select(Community.id).where(Community.code == community_code)).one()
        activity = plan.create_activity(session, actor=actor, data=plan.ActivityInput(
            community_id=community, theme="亲子", title=title, starts_at=starts, ends_at=ends, place="中心广场",
            capacity=capacity))
        plan.open_signup(session, actor=actor, activity_id=activity.id)
        session.commit()
        return activity.id


def staff(db, step, activity_id: int, **extra) -> None:
    with Session(db) as session:
        step(session, actor=manager(session), activity_id=activity_id, **extra)
        session.commit()


def mine(api, token: str) -> dict:
    answer = api.get("/activities", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    return answer.json()


def open_entry(view: dict, activity_id: int) -> dict | None:
    return next((a for a in view["open"] if a["id"] == activity_id), None)


def signup_of(view: dict, activity_id: int) -> dict | None:
    return next((s for s in view["signups"] if s["activity_id"] == activity_id), None)


def test_an_owner_sees_and_signs_up_for_their_own_communitys_activities_only(api, db, owners):
    (_, room, token), (_, other_room, _), _ = owners
    own = open_activity(db, "C01", "C01 端午包粽子（接口）", capacity=10)
    foreign = open_activity(db, "C02", "C02 社区义诊（接口）", capacity=10)
    view = mine(api, token)
    assert foreign not in [a["id"] for a in view["open"]]
    entry = open_entry(view, own)
    with Session(db) as session:
        code = session.get(Room, room).code
    assert entry is not None and entry["title"] == "C01 端午包粽子（接口）"
    assert (entry["capacity"], entry["remaining"], entry["rooms"]) == (10, 10, [{"id": room, "label": code}])

    assert_refusal(api.post(f"/activities/{foreign}/signups", headers=bearer(token), json={"room_id": room}), 404,
                   "error.not_found")
    assert_refusal(api.post(f"/activities/{own}/signups", headers=bearer(token), json={"room_id": other_room}), 404,
                   "error.not_found")  # another owner's room reads as missing
    assert_refusal(api.post("/activities/2147483647/signups", headers=bearer(token), json={"room_id": room}), 404)
    with Session(db) as session:
        assert not session.exec(select(ActivitySignup).where(ActivitySignup.activity_id == foreign)).all()
        assert not session.exec(select(ActivitySignup).where(ActivitySignup.room_id == other_room,
                                                             ActivitySignup.activity_id == own)).all()


def test_sign_up_until_full_then_wait_and_a_cancellation_promotes_the_first_waiting(api, db, owners):
    (_, room1, first), (owner2, room2, second), (_, room3, third) = owners
    activity = open_activity(db, "C01", "中秋灯笼手工（接口）", capacity=3)
    path = f"/activities/{activity}/signups"

    body = {"room_id": room1, "people": 2}
    signed = api.post(path, json=body, headers={**bearer(first), "Idempotency-Key": "activity-signup-1"})
    again = api.post(path, json=body, headers={**bearer(first), "Idempotency-Key": "activity-signup-1"})
    assert signed.status_code == again.status_code == 201, signed.text
    assert signed.json() == again.json()
    assert {k: signed.json()[k] for k in ("activity_id", "room_id", "people", "status", "position")} == {
        "activity_id": activity, "room_id": room1, "people": 2, "status": "confirmed", "position": None}
    with Session(db) as session:
        assert len(session.exec(select(ActivitySignup).where(ActivitySignup.activity_id == activity)).all()) == 1
    assert_refusal(api.post(path, json={**body, "people": 1}, headers={**bearer(first),
                                                                        "Idempotency-Key": "activity-signup-1"}),
                   422, "api.idempotency_key_reused")
    assert_refusal(api.post(path, json=body, headers=bearer(first)), 422, "activities.already_signed_up")
    too_many = assert_refusal(api.post(path, json={"room_id": room2, "people": 6}, headers=bearer(second)), 422,
                              "error.validation_failed")
    assert "people" in too_many["fields"]

    waiting = api.post(path, json={"room_id": room2, "people": 2}, headers=bearer(second))
    assert waiting.status_code == 201 and (waiting.json()["status"], waiting.json()["position"]) == ("waiting", 1)
    behind = api.post(path, json={"room_id": room3, "people": 2}, headers=bearer(third))
    assert behind.status_code == 201 and (behind.json()["status"], behind.json()["position"]) == ("waiting", 2)

    view = mine(api, first)
    assert (open_entry(view, activity)["remaining"], open_entry(view, activity)["rooms"]) == (1, [])
    assert {k: signup_of(view, activity)[k] for k in ("id", "status", "position", "people", "can_cancel")} == {
        "id": signed.json()["id"], "status": "confirmed", "position": None, "people": 2, "can_cancel": True}
    assert (signup_of(mine(api, third), activity)["status"], signup_of(mine(api, third), activity)["position"]) == (
        "waiting", 2)

    cancel = f"{path}/{signed.json()['id']}"
    assert_refusal(api.delete(cancel, headers=bearer(second)), 404, "error.not_found")  # not their sign-up
    other = open_activity(db, "C01", "另一个活动（接口）", capacity=3)
    assert_refusal(api.delete(f"/activities/{other}/signups/{signed.json()['id']}", headers=bearer(first)), 404)
    assert api.delete(cancel, headers=bearer(first)).status_code == 204
    assert_refusal(api.delete(cancel, headers=bearer(first)), 422, "activities.already_cancelled")

    promoted = signup_of(mine(api, second), activity)
    assert (promoted["status"], promoted["position"]) == ("confirmed", None)
    still = signup_of(mine(api, third), activity)  # 2 + 2 people would not fit in 3: it stays, now first in line
    assert (still["status"], still["position"]) == ("waiting", 1)
    view = mine(api, first)
    assert signup_of(view, activity) is None
    assert open_entry(view, activity)["remaining"] == 1 and [r["id"] for r in open_entry(view, activity)["rooms"]] == [
        room1]
    with Session(db) as session:
        account = session.exec(select(OwnerAccount.id).where(OwnerAccount.person_id == owner2)).one()
        told = session.exec(select(OutboxMessage).where(OutboxMessage.template == "notify.activity_promoted",
                                                        OutboxMessage.cause == f"activity:{activity}")).all()
    assert [m.recipient_id for m in told] == [account]


def test_an_evaluation_is_refused_before_check_in_and_taken_once_after(api, db, owners):
    (_, room1, first), (_, room2, second), _ = owners
    activity = open_activity(db, "C01", "健康讲座（接口）", capacity=10)
    for room, token in ((room1, first), (room2, second)):
        assert api.post(f"/activities/{activity}/signups", json={"room_id": room, "people": 1},
                        headers=bearer(token)).status_code == 201
    path = f"/activities/{activity}/evaluation"
    body = {"room_id": room1, "score": 4, "comment": "讲得很实用"}
    refused = assert_refusal(api.post(path, json=body, headers=bearer(first)), 422, "activities.not_checked_in")
    assert refused["message"] == {"zh-CN": "签到后才能评价此活动",
                                  "en": "Only a household that checked in can evaluate the activity"}

    with Session(db) as session:
        signup = session.exec(select(ActivitySignup.id).where(ActivitySignup.activity_id == activity,
                                                              ActivitySignup.room_id == room1)).one()
    staff(db, signups.check_in, activity, signup_id=signup)
    assert_refusal(api.post(path, json=body, headers=bearer(first)), 422, "activities.wrong_status")  # not held yet
    assert signup_of(mine(api, first), activity)["checked_in"] is True
    staff(db, plan.close_signup, activity)
    staff(db, plan.mark_done, activity)

    assert [(t["activity_id"], t["room_id"]) for t in mine(api, first)["evaluations"]] == [(activity, room1)]
    assert mine(api, second)["evaluations"] == []  # signed up, never came
    assert_refusal(api.post(path, json={**body, "room_id": room2}, headers=bearer(second)), 422,
                   "activities.not_checked_in")
    assert_refusal(api.post(path, json={**body, "room_id": room2}, headers=bearer(first)), 404)  # not their room
    assert "score" in assert_refusal(api.post(path, json={**body, "score": 6}, headers=bearer(first)), 422,
                                     "error.validation_failed")["fields"]

    given = api.post(path, json=body, headers={**bearer(first), "Idempotency-Key": "evaluation-1"})
    replay = api.post(path, json=body, headers={**bearer(first), "Idempotency-Key": "evaluation-1"})
    assert given.status_code == replay.status_code == 201, given.text
    assert given.json() == replay.json()
    assert {k: given.json()[k] for k in ("activity_id", "room_id", "score", "comment")} == {
        "activity_id": activity, "room_id": room1, "score": 4, "comment": "讲得很实用"}
    assert_refusal(api.post(path, json={**body, "score": 1}, headers=bearer(first)), 422,
                   "activities.already_evaluated")
    assert mine(api, first)["evaluations"] == []
    with Session(db) as session:
        assert [(e.room_id, e.score) for e in session.exec(select(ActivityEvaluation).where(
            ActivityEvaluation.activity_id == activity)).all()] == [(room1, 4)]
