"""VIP owner groups: admission (identity, the fee record, a manager's override with a reason, invitation through the
outbox, joined when the group owner confirms), the sanction ladder (warning → mute → removal with a second approver),
one appeal, the group owner's WeCom tasks, the append-only moderation log, posts turned into tickets, the weekly
digest and the group score on hand-made rows, scope and crafted ids refused."""

from datetime import datetime, time, timedelta

import pytest
from sqlmodel import select

from pm_admin.arrears.models import ArrearsCase
from pm_admin.core.clock import DISPLAY_ZONE, local_today
from pm_admin.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.dashboards import kpis
from pm_admin.dashboards.periods import period_for
from pm_admin.groups import queries
from pm_admin.groups.models import (
    ApplicationStatus,
    GroupPost,
    GroupTask,
    MemberStatus,
    ModerationEntry,
    Sanction,
    TaskKind,
    ViolationStatus,
)
from pm_admin.groups.services import admission, daily, moderation, setup
from pm_admin.notify.models import OutboxMessage
from pm_admin.places.models import Unit
from pm_admin.tickets.models import Channel, Ticket
from tests.support import factories
from tests.support.owners_portal import activated, new_owner
from tests.support.ticket_desk import category

TODAY = local_today()


@pytest.fixture
def club(session, desk):
    """A group of the desk's community (群主: the cs), three activated owners, a second manager, another community."""
    unit = session.get(Unit, desk["room"].unit_id)
    desk["third_room"] = factories.room(session, unit, number="103")
    desk["accounts"] = [activated(session, desk, new_owner(session, desk, room=room, name=f"业主{n}",
                                                           phone=f"1390000000{n}"))
                        for n, room in enumerate(("room", "other_room", "third_room"))]
    desk["second_manager"] = factories.sign_in(session, factories.user(session, "manager",
                                                                       communities=(desk["community"],)))
    desk["group"] = setup.create_group(session, actor=desk["manager"], data=setup.GroupInput(
        community_id=desk["community"].id, name="翠湖VIP业主群", owner_user_id=desk["cs"].user_id,
        join_link="https://work.weixin.qq.com/gm/abc"))
    other, _, _, other_room = factories.place_tree(session)
    desk["other_manager"] = factories.sign_in(session, factories.user(session, "manager", communities=(other,)))
    return desk


def applied(session, club, n):
    account = club["accounts"][n]
    return admission.apply_from_portal(session, owner=account, group_id=club["group"].id,
                                       room_id=sorted(account.room_ids)[0])


def member(session, club, n):
    application = applied(session, club, n)
    admission.approve(session, actor=club["cs"], application_id=application.id, expected_version=application.version)
    return admission.confirm_joined(session, actor=club["cs"], application_id=application.id)


def test_an_owner_applies_is_checked_invited_and_joins_when_the_group_owner_confirms(session, club):
    application = applied(session, club, 0)
    assert queries.waiting_applications(session, club["manager"]) == 1
    assert queries.waiting_applications(session, club["other_manager"]) == 0
    assert (application.status, application.identity_ok, application.fee_ok) == (ApplicationStatus.SUBMITTED, True,
                                                                                 True)
    with pytest.raises(DomainError):  # one application per room at a time
        applied(session, club, 0)
    admission.approve(session, actor=club["cs"], application_id=application.id, expected_version=application.version)
    [invited] = queries.owner_groups(session, club["accounts"][0])["applications"]
    assert invited["link"] == "https://work.weixin.qq.com/gm/abc"
    assert invited["qr"].startswith("data:image/svg+xml;base64,")
    invitation = session.exec(select(OutboxMessage).where(OutboxMessage.template == "notify.group_invitation")).one()
    assert invitation.recipient_id == club["accounts"][0].account_id and "weixin" in invitation.params["link"]
    task = session.exec(select(GroupTask).where(GroupTask.application_id == application.id)).one()
    assert task.kind == TaskKind.ADMIT and task.done_at is None
    with pytest.raises(PermissionDenied):  # a steward who is not the group owner cannot confirm for them
        steward = factories.sign_in(session, factories.user(session, "steward", communities=(club["community"],)))
        admission.confirm_joined(session, actor=steward, application_id=application.id)
    assert queries.open_tasks_of(session, club["cs"]) == 1 and queries.open_tasks_of(session, club["manager"]) == 0
    joined = admission.confirm_joined(session, actor=club["cs"], application_id=application.id)
    assert queries.open_tasks_of(session, club["cs"]) == 0
    assert joined.status == MemberStatus.ACTIVE and session.get(GroupTask, task.id).done_at is not None
    detail = queries.group_detail(session, club["manager"], club["group"].id)
    assert [m["room"] for m in detail["members"]] == [club["room"].code]


def test_arrears_older_than_a_month_refuse_with_the_reason_and_a_manager_may_override_with_one(session, club):
    room = club["other_room"]
    session.add(ArrearsCase(room_id=room.id, community_id=club["community"].id, building_id=room.building_id,
                            opened_on=TODAY - timedelta(days=45), next_due_on=TODAY))
    session.flush()
    refused = applied(session, club, 1)
    assert refused.status == ApplicationStatus.REJECTED and not refused.fee_ok
    assert "欠费超过一个月" in refused.reject_reason and (TODAY - timedelta(days=45)).isoformat() in refused.reject_reason
    with pytest.raises(PermissionDenied):  # a cs may not override the fee check
        admission.approve(session, actor=club["cs"], application_id=refused.id, expected_version=refused.version,
                          override_reason="业主已承诺本月缴清")
    with pytest.raises(ValidationFailed):  # the override needs a reason
        admission.approve(session, actor=club["manager"], application_id=refused.id, expected_version=refused.version)
    admission.approve(session, actor=club["manager"], application_id=refused.id, expected_version=refused.version,
                      override_reason="业主已承诺本月缴清")
    assert refused.status == ApplicationStatus.INVITED and refused.override_reason == "业主已承诺本月缴清"
    # A fresh case (under a month) does not refuse.
    third = club["third_room"]
    session.add(ArrearsCase(room_id=third.id, community_id=club["community"].id, building_id=third.building_id,
                            opened_on=TODAY - timedelta(days=10), next_due_on=TODAY))
    session.flush()
    assert applied(session, club, 2).status == ApplicationStatus.SUBMITTED


def test_the_ladder_warning_mute_then_removal_with_a_second_approver_and_one_appeal(session, club):
    target = member(session, club, 0)

    def confirmed(reviewer="cs"):
        violation = moderation.report(session, actor=club["cs"], data=moderation.ReportInput(
            member_id=target.id, category="ad", description="群里发装修广告"))
        return moderation.review(session, actor=club[reviewer], violation_id=violation.id,
                                 expected_version=violation.version, confirm=True)

    first = confirmed()
    assert (first.sanction, target.status) == (Sanction.WARNING, MemberStatus.ACTIVE)
    second = confirmed()
    assert (second.sanction, target.status, second.mute_days) == (Sanction.MUTE, MemberStatus.MUTED, 7)
    assert session.exec(select(GroupTask).where(GroupTask.violation_id == second.id)).one().kind == TaskKind.MUTE
    third = confirmed(reviewer="manager")
    assert (third.sanction, third.status, target.status) == (Sanction.REMOVAL, ViolationStatus.AWAITING_SECOND,
                                                             MemberStatus.MUTED)
    with pytest.raises(DomainError):  # the reviewer cannot be the second approver
        moderation.approve_removal(session, actor=club["manager"], violation_id=third.id,
                                   expected_version=third.version)
    with pytest.raises(PermissionDenied):  # nor a cs
        moderation.approve_removal(session, actor=club["cs"], violation_id=third.id, expected_version=third.version)
    moderation.approve_removal(session, actor=club["second_manager"], violation_id=third.id,
                               expected_version=third.version)
    assert (third.status, target.status) == (ViolationStatus.CONFIRMED, MemberStatus.REMOVED)
    templates = session.exec(select(OutboxMessage.template).where(OutboxMessage.template.like("notify.group_%"))
                             .order_by(OutboxMessage.id)).all()
    assert templates[-3:] == ["notify.group_warning", "notify.group_mute", "notify.group_removal"]
    # One appeal, from the member's own account; upheld, the member is re-admitted by the group owner.
    with pytest.raises(NotFound):
        moderation.appeal(session, owner=club["accounts"][1], violation_id=third.id, text="不是我发的广告")
    moderation.appeal(session, owner=club["accounts"][0], violation_id=third.id, text="那是邻居借我手机发的")
    with pytest.raises(DomainError):
        moderation.appeal(session, owner=club["accounts"][0], violation_id=third.id, text="再申诉一次")
    moderation.decide_appeal(session, actor=club["second_manager"], violation_id=third.id,
                             expected_version=third.version, upheld=True, decision="经核实情况属实，恢复成员资格")
    assert (third.status, target.status) == (ViolationStatus.OVERTURNED, MemberStatus.ACTIVE)
    actions = session.exec(select(ModerationEntry.action).where(ModerationEntry.member_id == target.id)
                           .order_by(ModerationEntry.id)).all()
    assert actions == ["join", "report", "warning", "report", "mute", "report", "removal_proposed", "removal",
                       "appeal", "appeal_upheld"]
    assert session.exec(select(GroupTask.kind).where(GroupTask.member_id == target.id, GroupTask.done_at.is_(None))
                        .order_by(GroupTask.id)).all() == [TaskKind.MUTE, TaskKind.REMOVE, TaskKind.ADMIT]


def test_the_ladder_counts_only_the_last_twelve_months_and_confirmed_reports(session, club):
    target = member(session, club, 0)
    old = moderation.report(session, actor=club["cs"], data=moderation.ReportInput(
        member_id=target.id, category="spam", description="刷屏"))
    old.reported_at -= timedelta(days=400)
    moderation.review(session, actor=club["cs"], violation_id=old.id, expected_version=old.version, confirm=True)
    dismissed = moderation.report(session, actor=club["cs"], data=moderation.ReportInput(
        member_id=target.id, category="insult", description="争吵"))
    moderation.review(session, actor=club["cs"], violation_id=dismissed.id, expected_version=dismissed.version,
                      confirm=False, note="双方已和解")
    fresh = moderation.report(session, actor=club["cs"], data=moderation.ReportInput(
        member_id=target.id, category="ad", description="广告"))
    moderation.review(session, actor=club["cs"], violation_id=fresh.id, expected_version=fresh.version, confirm=True)
    assert fresh.sanction == Sanction.WARNING  # the one a year ago and the dismissed one do not count


def test_the_moderation_log_is_append_only(session, club):
    member(session, club, 0)
    entry = session.exec(select(ModerationEntry)).first()
    entry.reason = "改写历史"
    with pytest.raises(DomainError):
        session.flush()
    session.rollback()


def test_another_communitys_manager_and_crafted_ids_are_refused(session, club):
    application = applied(session, club, 0)
    with pytest.raises(PermissionDenied):
        admission.approve(session, actor=club["other_manager"], application_id=application.id,
                          expected_version=application.version)
    with pytest.raises(NotFound):
        admission.approve(session, actor=club["manager"], application_id="2 or 1=1", expected_version=1)
    with pytest.raises(PermissionDenied):
        queries.group_detail(session, club["other_manager"], club["group"].id)
    assert queries.groups(session, club["other_manager"]) == []


def test_a_post_becomes_a_ticket_and_the_digest_and_score_count_hand_made_rows(session, club):
    target = member(session, club, 0)
    owner_row = session.get(type(target), target.id)
    monday = TODAY - timedelta(days=TODAY.weekday())
    at = datetime.combine(monday, time(9), DISPLAY_ZONE)
    asked = daily.log_post(session, actor=club["cs"], group_id=club["group"].id, text="3栋电梯又停了", member_id=target.id,
                           posted_at=at)
    daily.mark_answered(session, actor=club["cs"], post_id=asked.id, at=at + timedelta(hours=2))
    slow = daily.log_post(session, actor=club["cs"], group_id=club["group"].id, text="物业费能开发票吗",
                          posted_at=at + timedelta(hours=1))
    daily.mark_answered(session, actor=club["cs"], post_id=slow.id, at=at + timedelta(hours=7))
    daily.log_post(session, actor=club["cs"], group_id=club["group"].id, text="周末有活动吗", posted_at=at)
    ticket = daily.post_to_ticket(session, actor=club["cs"], post_id=asked.id, category_id=category(session, "cleaning").id)
    stored = session.get(Ticket, ticket.id)
    assert (stored.channel, stored.room_id) == (Channel.WECHAT_GROUP, owner_row.room_id)
    with pytest.raises(DomainError):
        daily.post_to_ticket(session, actor=club["cs"], post_id=asked.id, category_id=category(session, "cleaning").id)
    violation = moderation.report(session, actor=club["cs"], data=moderation.ReportInput(
        member_id=target.id, category="ad", description="广告"))
    moderation.review(session, actor=club["cs"], violation_id=violation.id, expected_version=violation.version,
                      confirm=True)
    digest = queries.weekly_digest(session, club["manager"], club["group"].id, monday)
    assert digest == {"members": 1, "joined": 1, "removed": 0, "violations_reported": 1, "violations_confirmed": 1,
                      "questions": 3, "answered": 2, "tickets": 1, "suggestions": 0}
    score = queries.group_score(session, club["group"], monday, monday + timedelta(days=6))
    # Median of 2 h and 6 h; one confirmed violation per one member; no VIP owner flagged yet.
    assert (score["members"], score["response_hours"], score["violations_per_100"], score["coverage"]) == (
        1, 4.0, 100.0, None)
    assert session.exec(select(GroupPost).where(GroupPost.ticket_id == ticket.id)).one().id == asked.id


def test_a_mute_ends_on_its_day_with_an_unmute_task_and_the_dashboard_lists_the_group(session, club):
    target = member(session, club, 0)
    for _ in range(2):
        violation = moderation.report(session, actor=club["cs"], data=moderation.ReportInput(
            member_id=target.id, category="spam", description="刷屏"))
        moderation.review(session, actor=club["cs"], violation_id=violation.id, expected_version=violation.version,
                          confirm=True)
    assert target.status == MemberStatus.MUTED
    assert moderation.end_mutes(session, now=target.muted_until - timedelta(minutes=1)) == 0
    assert moderation.end_mutes(session, now=target.muted_until + timedelta(minutes=1)) == 1
    assert target.status == MemberStatus.ACTIVE
    assert session.exec(select(GroupTask.kind).where(GroupTask.member_id == target.id)
                        .order_by(GroupTask.id.desc())).first() == TaskKind.UNMUTE
    data = kpis.dashboard(session, club["manager"], period_for("this_month"))
    assert [(g["group"], g["members"], g["violations_per_100"]) for g in data["groups"]] == [
        ("翠湖VIP业主群", 1, 200.0)]
    assert kpis.dashboard(session, club["other_manager"], period_for("this_month"))["groups"] == []

