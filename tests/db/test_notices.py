"""Notices and emergencies: drafting checks, approval by a manager only, frozen once scheduled, sent to exactly the
households of the chosen places through the outbox, acknowledgement per building, escalation, the call list, and
an owner never reading another community's notice."""

from datetime import timedelta

import pytest
from sqlmodel import select

from pm_admin.comms import notices, owner_view, queries
from pm_admin.comms.models import NoticeHousehold, NoticeStatus
from pm_admin.comms.notices import NoticeInput
from pm_admin.core.errors import DomainError, PermissionDenied, ValidationFailed
from pm_admin.notify.models import OutboxMessage
from tests.support import factories
from tests.support.owners_portal import activated, new_owner
from tests.support.ticket_desk import NOW

LATER = NOW + timedelta(minutes=1)


@pytest.fixture
def town(session, desk):
    """Two buildings of the desk's community (the desk's room in the first), an owner with an account in each, and
    an owner of another community."""
    community = desk["community"]
    second_building = factories.building(session, community, code="2")
    second_room = factories.room(session, factories.unit(session, second_building), number="301", floor=3)
    desk["b2_room"] = second_room
    first = activated(session, desk, new_owner(session, desk), now=NOW)
    second = activated(session, desk, new_owner(session, desk, room="b2_room", name="赵二", phone="13900139000"),
                       now=NOW)
    other_community = factories.place_tree(session)
    desk["far_room"] = other_community[3]
    far_manager = factories.sign_in(session, factories.user(session, "manager", communities=(other_community[0],)))
    desk["far_manager"] = far_manager
    return {"first": first, "second": second, "b1": desk["room"].building_id, "b2": second_building.id}


def emergency(desk, town, **extra):
    return NoticeInput(kind="emergency", title="3号楼停水", body="水管爆裂，正在抢修", community_id=desk["community"].id,
                       building_ids=[town["b1"]], valid_until=NOW + timedelta(hours=6), channels=["inbox", "sms"],
                       escalate_after_minutes=30, **extra)


def test_a_draft_is_checked_and_only_a_manager_approves(session, desk, town):
    with pytest.raises(ValidationFailed) as refused:
        notices.draft_notice(session, actor=desk["cs"], data=NoticeInput(
            kind="emergency", title="", body="x", community_id=desk["community"].id, building_ids=[town["b1"], 999999]))
    assert {"title", "valid_until", "building_ids"} <= set(refused.value.fields)
    notice = notices.draft_notice(session, actor=desk["cs"], data=emergency(desk, town), now=NOW)
    notices.submit(session, actor=desk["cs"], notice_id=notice.id)
    with pytest.raises(PermissionDenied):  # a cs drafts and submits, never approves
        notices.approve(session, actor=desk["cs"], notice_id=notice.id, expected_version=notice.version)
    with pytest.raises(PermissionDenied):  # another community's manager cannot reach it
        notices.approve(session, actor=desk["far_manager"], notice_id=notice.id, expected_version=notice.version)
    notices.approve(session, actor=desk["manager"], notice_id=notice.id, expected_version=notice.version, now=NOW)
    assert notice.status == NoticeStatus.SENT
    with pytest.raises(DomainError) as frozen:
        notices.update_draft(session, actor=desk["cs"], notice_id=notice.id, expected_version=notice.version,
                             data=emergency(desk, town))
    assert frozen.value.key == "comms.frozen"


def test_sending_reaches_exactly_the_households_of_the_places(session, desk, town):
    notice = notices.draft_notice(session, actor=desk["cs"], data=emergency(desk, town), now=NOW)
    notices.submit(session, actor=desk["cs"], notice_id=notice.id)
    notices.approve(session, actor=desk["manager"], notice_id=notice.id, expected_version=notice.version, now=NOW)
    households = session.exec(select(NoticeHousehold.room_id).where(NoticeHousehold.notice_id == notice.id)).all()
    assert households == [desk["room"].id]  # building 1 only
    messages = session.exec(select(OutboxMessage).where(OutboxMessage.cause == f"notice:{notice.id}")).all()
    assert sorted((m.recipient_id, str(m.channel)) for m in messages) == [
        (town["first"].account_id, "inbox"), (town["first"].account_id, "sms")]
    assert all(m.urgent for m in messages)  # an emergency cannot be switched off
    assert owner_view.notice(session, town["first"], notice.id)["requires_ack"]
    assert owner_view.notice(session, town["second"], notice.id) is None  # building 2 was not chosen


def test_acknowledgement_by_building_escalation_and_the_call_list(session, desk, town):
    data = emergency(desk, town)
    data.building_ids = [town["b1"], town["b2"]]
    notice = notices.draft_notice(session, actor=desk["manager"], data=data, now=NOW)
    notices.send_emergency_now(session, actor=desk["manager"], notice_id=notice.id, expected_version=notice.version,
                               now=NOW)
    assert notice.review_needed
    with pytest.raises(DomainError):  # reviewed by another manager, not the one who sent it
        notices.review(session, actor=desk["manager"], notice_id=notice.id)
    assert owner_view.acknowledge(session, town["first"], notice.id) == 1
    assert [(b["households"], b["acknowledged"], b["percent"]) for b in queries.acknowledgement(session, notice.id)] \
        == [(1, 1, 100), (1, 0, 0)]
    assert notices.escalate_due(session, NOW + timedelta(minutes=10)) == 0  # not late yet
    assert notices.escalate_due(session, NOW + timedelta(minutes=31)) == 1  # SMS to building 2's owner
    reminder = session.exec(select(OutboxMessage).where(OutboxMessage.template == "notify.notice_reminder")).one()
    assert reminder.recipient_id == town["second"].account_id
    assert queries.call_list(session, desk["manager"], notice.id) == []
    assert notices.escalate_due(session, NOW + timedelta(minutes=61)) == 1  # then the steward's call list
    (call,) = queries.call_list(session, desk["manager"], notice.id)
    assert call["owner"] == "赵二" and call["phone"] == "139****9000"
    notices.record_call(session, actor=desk["manager"], notice_id=notice.id, room_id=call["room_id"], note="已电话告知")
    assert queries.call_list(session, desk["manager"], notice.id) == []
    assert queries.acknowledgement(session, notice.id)[1]["percent"] == 100


def test_progress_updates_go_to_the_same_households_and_a_withdrawal_needs_a_reason(session, desk, town):
    notice = notices.draft_notice(session, actor=desk["manager"], data=emergency(desk, town), now=NOW)
    notices.send_emergency_now(session, actor=desk["manager"], notice_id=notice.id, expected_version=notice.version,
                               now=NOW)
    notices.add_update(session, actor=desk["manager"], notice_id=notice.id, stage="restored", body="已恢复供水")
    updates = session.exec(select(OutboxMessage.recipient_id).where(OutboxMessage.template == "notify.notice_restored"))
    assert list(updates) == [town["first"].account_id]
    assert owner_view.notice(session, town["first"], notice.id)["updates"][0]["body"] == "已恢复供水"
    with pytest.raises(ValidationFailed):
        notices.withdraw(session, actor=desk["manager"], notice_id=notice.id, reason=" ")
    notices.withdraw(session, actor=desk["manager"], notice_id=notice.id, reason="误发")
    with pytest.raises(DomainError):  # nothing to acknowledge any more
        owner_view.acknowledge(session, town["first"], notice.id)


def test_a_scheduled_notice_goes_out_on_time_and_expires(session, desk, town):
    data = NoticeInput(kind="announcement", title="绿化作业", body="周六修剪", community_id=desk["community"].id,
                       send_at=NOW + timedelta(hours=1), valid_until=NOW + timedelta(days=1))
    notice = notices.draft_notice(session, actor=desk["cs"], data=data, now=NOW)
    notices.submit(session, actor=desk["cs"], notice_id=notice.id)
    notices.approve(session, actor=desk["manager"], notice_id=notice.id, expected_version=notice.version, now=NOW)
    assert notice.status == NoticeStatus.SCHEDULED
    assert notices.send_due(session, NOW + timedelta(minutes=30)) == 0
    assert notices.send_due(session, NOW + timedelta(hours=1)) == 1 and notice.status == NoticeStatus.SENT
    assert {h.room_id for h in session.exec(select(NoticeHousehold).where(NoticeHousehold.notice_id == notice.id))} \
        == {desk["room"].id, desk["b2_room"].id}  # the whole community (rooms with an owner)
    notices.send_due(session, NOW + timedelta(days=2))
    session.refresh(notice)
    assert notice.status == NoticeStatus.EXPIRED
