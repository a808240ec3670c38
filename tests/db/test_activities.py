"""Community activities 社区活动: a plan with staff roles, sign-up opened with its 活动通知, owners sign up in the portal
(people against the capacity; beyond it the waiting list), a cancellation promotes the first waiting one (told
through the inbox), one sign-up per household, another owner's room and crafted ids refused, check-in and walk-ins,
evaluation once per checked-in household, the review figures, participation on the owner timeline."""

from datetime import datetime, time, timedelta

import pytest
from sqlmodel import select

from pm_admin.activities import queries
from pm_admin.activities.models import Activity, ActivitySignup, ActivityStatus, SignupStatus
from pm_admin.activities.services import evaluations, plan, signups
from pm_admin.comms.models import Notice
from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import local_today
from pm_admin.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.paging import PageRequest
from pm_admin.notify.models import OutboxMessage
from pm_admin.owners.timeline import owner_timeline
from pm_admin.places.models import Unit
from tests.support import factories
from tests.support.owners_portal import activated, new_owner

TODAY = local_today()


def at(day, hour=14) -> str:
    return datetime.combine(day, time(hour, 0)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def world(session, desk):
    """Four households of the desk's community with activated owners, a steward, another community's owner."""
    unit = session.get(Unit, desk["room"].unit_id)
    desk["third_room"] = factories.room(session, unit, number="103")
    desk["fourth_room"] = factories.room(session, unit, number="104")
    owners, accounts = [], []
    for n, room in enumerate(("room", "other_room", "third_room", "fourth_room")):
        owner = new_owner(session, desk, room=room, name=f"业主{n}", phone=f"1380000000{n}")
        owners.append(owner)
        accounts.append(activated(session, desk, owner))
    steward = factories.sign_in(session, factories.user(session, "steward", communities=(desk["community"],)))
    other, _, _, other_room = factories.place_tree(session)
    return {**desk, "owners": owners, "accounts": accounts, "steward": steward, "other": other,
            "other_room": other_room}


def planned(session, world, *, capacity=5, actor="manager"):
    day = TODAY + timedelta(days=7)
    return plan.create_activity(session, actor=world[actor], data=plan.ActivityInput(
        community_id=world["community"].id, theme="亲子", title="中秋亲子手工灯笼", description="做灯笼、猜灯谜",
        starts_at=at(day, 14), ends_at=at(day, 16), place="小区中心广场", capacity=capacity, budget="1200"))


def opened(session, world, **extra):
    activity = planned(session, world, **extra)
    plan.open_signup(session, actor=world["manager"], activity_id=activity.id)
    return activity


def other_community_activity(session, world):
    """A held activity of another community, planned by a manager of that community."""
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(world["other"],)))
    day = TODAY + timedelta(days=7)
    activity = plan.create_activity(session, actor=manager, data=plan.ActivityInput(
        community_id=world["other"].id, title="别的小区的活动", starts_at=at(day, 9), ends_at=at(day, 10),
        place="会所", capacity=10))
    for step in (plan.open_signup, plan.close_signup, plan.mark_done):
        step(session, actor=manager, activity_id=activity.id)
    return activity


def room_id(world, n):
    return sorted(world["accounts"][n].room_ids)[0]


def test_a_plan_is_checked_and_opening_drafts_the_activity_notice(session, world):
    with pytest.raises(ValidationFailed) as refused:
        plan.create_activity(session, actor=world["manager"], data=plan.ActivityInput(
            community_id=world["community"].id, title="", starts_at=at(TODAY, 16), ends_at=at(TODAY, 14),
            place="广场", capacity="0"))
    assert {"title", "ends_at", "capacity"} <= set(refused.value.fields)
    activity = planned(session, world, actor="steward")
    assert activity.status == ActivityStatus.PLANNED and activity.capacity == 5
    plan.assign_staff(session, actor=world["steward"], activity_id=activity.id, user_id=world["cs"].user_id,
                      role="签到")
    assert [s["role"] for s in queries.activity_detail(session, world["manager"], activity.id)["staff"]] == ["签到"]
    plan.open_signup(session, actor=world["manager"], activity_id=activity.id)
    notice = session.get(Notice, int(activity.notice_ref.split(":")[1]))
    assert (str(notice.kind), str(notice.status), notice.source) == ("activity", "pending", f"activity:{activity.id}")
    assert "中秋亲子手工灯笼" in notice.title


def test_capacity_counts_people_and_the_rest_wait_until_a_cancellation_promotes_them(session, world):
    activity = opened(session, world, capacity=5)
    a = world["accounts"]
    first = signups.sign_up_owner(session, owner=a[0], activity_id=activity.id, room_id=room_id(world, 0), people=3)
    second = signups.sign_up_owner(session, owner=a[1], activity_id=activity.id, room_id=room_id(world, 1), people=2)
    third = signups.sign_up_owner(session, owner=a[2], activity_id=activity.id, room_id=room_id(world, 2), people=2)
    fourth = signups.sign_up_room(session, actor=world["cs"], activity_id=activity.id,
                                  room_code=world["fourth_room"].code, people=1)
    assert [r.status for r in (first, second, third, fourth)] == ["confirmed", "confirmed", "waiting", "waiting"]
    assert signups.confirmed_people(session, activity.id) == 5
    assert queries.waiting_positions(session, {activity.id}) == {third.id: 1, fourth.id: 2}
    assert [(s["status"], s["position"]) for s in queries.owner_activities(session, a[2])["signups"]] == [
        ("waiting", 1)]
    with pytest.raises(PermissionDenied):  # the sign-up exists, but not for this activity
        signups.cancel_owner(session, owner=a[1], signup_id=second.id, activity_id=activity.id + 1)
    # The first waiting one goes first; the next waits behind it even though one person would fit afterwards.
    promoted = signups.cancel_owner(session, owner=a[1], signup_id=second.id, activity_id=activity.id)
    assert [p.id for p in promoted] == [third.id] and fourth.status == SignupStatus.WAITING
    assert queries.waiting_positions(session, {activity.id}) == {fourth.id: 1}
    message = session.exec(select(OutboxMessage).where(OutboxMessage.template == "notify.activity_promoted")).one()
    assert (message.recipient_id, str(message.channel)) == (a[2].account_id, "inbox")
    figures = queries.activity_detail(session, world["manager"], activity.id)["figures"]
    assert (figures["signed_up"], figures["waiting"], figures["capacity"]) == (5, 1, 5)
    # A second cancellation promotes the staff sign-up, which has no account to tell.
    signups.cancel_by_staff(session, actor=world["cs"], activity_id=activity.id, signup_id=third.id)
    assert fourth.status == SignupStatus.CONFIRMED
    assert len(session.exec(select(OutboxMessage).where(OutboxMessage.template == "notify.activity_promoted")).all()) == 1


def test_one_sign_up_per_household_and_bad_people(session, world):
    activity = opened(session, world)
    a = world["accounts"][0]
    signups.sign_up_owner(session, owner=a, activity_id=activity.id, room_id=room_id(world, 0), people=1)
    with pytest.raises(DomainError, match="already_signed_up"):
        signups.sign_up_owner(session, owner=a, activity_id=activity.id, room_id=room_id(world, 0), people=1)
    with pytest.raises(DomainError, match="already_signed_up"):
        signups.sign_up_room(session, actor=world["cs"], activity_id=activity.id, room_code=world["room"].code,
                             people=2)
    with pytest.raises(ValidationFailed):
        signups.sign_up_owner(session, owner=world["accounts"][1], activity_id=activity.id,
                              room_id=room_id(world, 1), people=6)


def test_another_owners_room_another_community_and_crafted_ids_are_refused(session, world):
    activity = opened(session, world)
    a = world["accounts"]
    with pytest.raises(PermissionDenied):
        signups.sign_up_owner(session, owner=a[0], activity_id=activity.id, room_id=room_id(world, 1), people=1)
    for crafted in ("1 or 1=1", -1, None, "abc"):
        with pytest.raises((NotFound, PermissionDenied)):
            signups.sign_up_owner(session, owner=a[0], activity_id=crafted, room_id=room_id(world, 0), people=1)
    mine = signups.sign_up_owner(session, owner=a[0], activity_id=activity.id, room_id=room_id(world, 0), people=1)
    with pytest.raises(PermissionDenied):
        signups.cancel_owner(session, owner=a[1], signup_id=mine.id)
    other_manager = factories.sign_in(session, factories.user(session, "manager", communities=(world["other"],)))
    with pytest.raises(PermissionDenied):
        signups.sign_up_room(session, actor=other_manager, activity_id=activity.id, room_code=world["room"].code,
                             people=1)
    with pytest.raises(ValidationFailed):  # a room of another community
        signups.sign_up_room(session, actor=world["cs"], activity_id=activity.id,
                             room_code=world["other_room"].code, people=1)
    with pytest.raises(PermissionDenied):
        signups.sign_up_room(session, actor=world["tech"], activity_id=activity.id, room_code=world["room"].code,
                             people=1)
    planned_only = planned(session, world)
    with pytest.raises(DomainError, match="wrong_status"):
        signups.sign_up_owner(session, owner=a[1], activity_id=planned_only.id, room_id=room_id(world, 1), people=1)
    page = queries.activities(session, other_manager, PageRequest(), queries.ActivityFilter())
    assert page.total == 0


def test_check_in_walk_in_evaluation_once_review_figures_and_the_timeline(session, world):
    activity = opened(session, world, capacity=6)
    a = world["accounts"]
    rows = [signups.sign_up_owner(session, owner=a[n], activity_id=activity.id, room_id=room_id(world, n),
                                  people=2) for n in range(3)]
    for row in rows[:2]:
        signups.check_in(session, actor=world["steward"], activity_id=activity.id, signup_id=row.id)
    walk = signups.walk_in(session, actor=world["steward"], activity_id=activity.id, room_code="", name="张阿姨",
                           people=1)
    assert walk.checked_in_at is not None and walk.room_id is None
    with pytest.raises(DomainError, match="already_checked_in"):
        signups.cancel_owner(session, owner=a[0], signup_id=rows[0].id)
    with pytest.raises(DomainError, match="wrong_status"):  # not held yet
        evaluations.evaluate(session, owner=a[0], activity_id=activity.id, room_id=room_id(world, 0), score=5,
                             comment="")
    plan.close_signup(session, actor=world["manager"], activity_id=activity.id)
    plan.mark_done(session, actor=world["manager"], activity_id=activity.id)
    tasks = queries.owner_activities(session, a[0])["tasks"]
    assert [t["activity_id"] for t in tasks] == [activity.id]
    assert queries.owner_activities(session, a[2])["tasks"] == []  # signed up, never came
    evaluations.evaluate(session, owner=a[0], activity_id=activity.id, room_id=room_id(world, 0), score=5,
                         comment="孩子很喜欢")
    with pytest.raises(DomainError, match="already_evaluated"):
        evaluations.evaluate(session, owner=a[0], activity_id=activity.id, room_id=room_id(world, 0), score=1,
                             comment="")
    with pytest.raises(DomainError, match="activities.not_checked_in"):  # signed up, did not come
        evaluations.evaluate(session, owner=a[2], activity_id=activity.id, room_id=room_id(world, 2), score=1,
                             comment="")
    with pytest.raises(NotFound):  # an activity of another community reads as missing
        evaluations.evaluate(session, owner=a[0], activity_id=other_community_activity(session, world).id,
                             room_id=room_id(world, 0), score=1, comment="")
    with pytest.raises(ValidationFailed):
        evaluations.evaluate(session, owner=a[1], activity_id=activity.id, room_id=room_id(world, 1), score=6,
                             comment="")
    evaluations.evaluate(session, owner=a[1], activity_id=activity.id, room_id=room_id(world, 1), score=4,
                         comment="场地有点小")
    assert queries.owner_activities(session, a[0])["tasks"] == []
    plan.save_review(session, actor=world["manager"], activity_id=activity.id, improvement="换到会所多功能厅")
    detail = queries.activity_detail(session, world["manager"], activity.id)
    f = detail["figures"]
    assert (f["checked_in"], f["signed_up"], f["capacity"], f["checked_households"]) == (5, 7, 6, 3)
    assert (f["average"], f["evaluations"]) == ("4.5", 2)
    assert [e["comment"] for e in detail["evaluations"]] == ["孩子很喜欢", "场地有点小"]
    assert detail["activity"]["status"] == "reviewed" and detail["activity"]["improvement"] == "换到会所多功能厅"
    items = [i for i in owner_timeline(session, world["manager"], world["owners"][0].id, "zh-CN")
             if i.kind == "activity"]
    assert [i.title_key for i in items] == ["timeline.activity_attended"] and "中秋亲子手工灯笼" in items[0].detail
    third = [i for i in owner_timeline(session, world["manager"], world["owners"][2].id, "zh-CN")
             if i.kind == "activity"]
    assert [i.title_key for i in third] == ["timeline.activity_signed_up"]
    actions = set(session.exec(select(AuditEvent.action).where(AuditEvent.entity_type == "activity")).all())
    assert {"activity.create", "activity.sign_up", "activity.check_in", "activity.walk_in", "activity.evaluate",
            "activity.review", "activity.status"} <= actions
    assert session.get(Activity, activity.id).reviewed_by == world["manager"].username
    assert len(session.exec(select(ActivitySignup)).all()) == 4
