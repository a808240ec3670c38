"""Meetings 会议: the committee roster, a quarterly meeting planned, invitees signed in, the quorum (attended
committee members ÷ committee size, more than half), minutes written, reviewed by a manager (a cs refused) and
published to the community's owners; action items, one opening a ticket (channel 座谈会); the home page's
reminder of a quarter without a meeting and its overdue items. Crafted ids and another community are refused."""

from datetime import datetime, time, timedelta

import pytest
from sqlmodel import col, select

from pm_admin.comms import notices
from pm_admin.comms.models import Notice
from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import DISPLAY_ZONE, local_today
from pm_admin.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.files import store_upload
from pm_admin.core.paging import PageRequest
from pm_admin.home.queries import home_figures
from pm_admin.meetings import queries
from pm_admin.meetings.models import ActionStatus, Meeting, MeetingAction, MeetingStatus
from pm_admin.meetings.services import actions, minutes, roster
from pm_admin.meetings.services import meetings as services
from pm_admin.meetings.services.roster import MemberInput
from pm_admin.notify.models import OutboxMessage
from pm_admin.places.models import Unit
from pm_admin.tickets.models import Channel, Ticket, TicketCategory
from tests.support import factories
from tests.support.owners_portal import activated, new_owner
from tests.support.ticket_desk import NOW

TODAY = local_today()


def at(day, hour=14) -> str:
    return datetime.combine(day, time(hour, 0)).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def world(session, desk):
    """The desk's community with three owners on the committee (chair, vice chair, member) and another
    community with its own manager."""
    rooms = [desk["room"], desk["other_room"], factories.room(session, _unit_of(session, desk), number="103")]
    owners = [new_owner(session, desk, room="room", name="赵主任", phone="13800000001"),
              new_owner(session, desk, room="other_room", name="钱副主任", phone="13800000002")]
    desk["third_room"] = rooms[2]
    owners.append(new_owner(session, desk, room="third_room", name="孙委员", phone="13800000003"))
    term = MemberInput(term_from=(TODAY - timedelta(days=365)).isoformat(),
                       term_to=(TODAY + timedelta(days=365)).isoformat())
    for room, position in zip(rooms, ("chair", "vice_chair", "member"), strict=True):
        roster.add_member(session, actor=desk["manager"], community_id=desk["community"].id,
                          data=MemberInput(room_code=room.code, position=position, term_from=term.term_from,
                                           term_to=term.term_to))
    other, _, _, other_room = factories.place_tree(session)
    other_manager = factories.sign_in(session, factories.user(session, "manager", communities=(other,)))
    return {**desk, "owners": owners, "rooms": rooms, "other": other, "other_room": other_room,
            "other_manager": other_manager}


def _unit_of(session, desk):
    return session.get(Unit, desk["room"].unit_id)


def plan(session, world, *, day=None, kind="quarterly", actor="manager", **extra):
    data = services.MeetingInput(community_id=world["community"].id, kind=kind, title=extra.pop("title", "第四季度业委会会议"),
                                 starts_at=at(day or TODAY), place="物业中心二楼会议室",
                                 agenda="物业管理报告\n财务报告\n电梯更换", **extra)
    return services.create_meeting(session, actor=world[actor], data=data)


def held(session, world, *, present=2):
    """A quarterly meeting with the committee invited and ``present`` of its members signed in."""
    meeting = plan(session, world)
    assert services.invite_committee(session, actor=world["cs"], meeting_id=meeting.id) == 3
    invitees = queries.meeting_detail(session, world["manager"], meeting.id, "zh-CN")["invitees"]
    for invitee in invitees[:present]:
        services.sign_in(session, actor=world["cs"], meeting_id=meeting.id, invitee_id=invitee["id"], attended=True)
    return meeting


def written(session, world, meeting):
    minutes.save_minutes(session, actor=world["cs"], meeting_id=meeting.id, expected_version=meeting.version,
                         discussion="业主反映电梯老旧，频繁停运。", resolutions="同意申请维修基金更换 3 栋电梯。")
    return meeting


def test_the_roster_lists_members_with_position_and_term_and_refuses_a_room_without_owner(session, world):
    rows = queries.roster(session, world["manager"], None, TODAY)
    assert [(r["name"], r["position"], r["current"]) for r in rows] == [
        ("赵主任", "chair", True), ("钱副主任", "vice_chair", True), ("孙委员", "member", True)]
    empty = factories.room(session, _unit_of(session, world), number="104")
    with pytest.raises(ValidationFailed) as refused:
        roster.add_member(session, actor=world["manager"], community_id=world["community"].id, data=MemberInput(
            room_code=empty.code, term_from="2026-01-01", term_to="2025-01-01"))
    assert set(refused.value.fields) == {"room_code", "term_to"}
    with pytest.raises(PermissionDenied):  # another community's manager
        roster.add_member(session, actor=world["other_manager"], community_id=world["community"].id,
                          data=MemberInput(room_code=world["room"].code, term_from="2026-01-01", term_to="2027-01-01"))
    member = session.exec(select(roster.CommitteeMember).where(roster.CommitteeMember.name == "孙委员")).one()
    ended = roster.update_member(session, actor=world["manager"], member_id=member.id, expected_version=member.version,
                                 data=MemberInput(position="member", term_from=member.term_from.isoformat(),
                                                  term_to=(TODAY - timedelta(days=1)).isoformat()))
    assert [m.name for m in roster.committee(session, world["community"].id, TODAY)] == ["赵主任", "钱副主任"]
    assert ended.version == 2 and session.exec(select(AuditEvent).where(
        AuditEvent.action == "meeting.committee_update", AuditEvent.entity_id == str(member.id))).one()


def test_quorum_is_attended_committee_members_over_committee_size_more_than_half(session, world):
    meeting = held(session, world, present=1)
    figure = services.quorum(session, meeting)
    assert (figure.attended, figure.size, figure.reached, figure.percent) == (1, 3, False, 33)
    invitees = queries.meeting_detail(session, world["manager"], meeting.id, "zh-CN")["invitees"]
    services.sign_in(session, actor=world["cs"], meeting_id=meeting.id, invitee_id=invitees[1]["id"], attended=True)
    figure = services.quorum(session, meeting)
    assert (figure.attended, figure.size, figure.reached, figure.percent) == (2, 3, True, 67)
    # An owner or staff member present does not count towards the committee's quorum.
    services.invite_owner(session, actor=world["cs"], meeting_id=meeting.id, room_code=world["room"].code)
    services.invite_staff(session, actor=world["cs"], meeting_id=meeting.id, user_id=world["tech"].user_id)
    detail = queries.meeting_detail(session, world["manager"], meeting.id, "zh-CN")
    for invitee in detail["invitees"][3:]:
        services.sign_in(session, actor=world["cs"], meeting_id=meeting.id, invitee_id=invitee["id"], attended=True)
    assert services.quorum(session, meeting).attended == 2
    assert "超过半数" in detail["quorum"]["rule"]


def test_states_run_draft_minutes_pending_approved_published_and_a_cs_cannot_approve(session, world):
    owner = activated(session, world, world["owners"][0], now=NOW)
    meeting = held(session, world)
    with pytest.raises(DomainError, match="meetings.minutes_empty"):
        minutes.submit_minutes(session, actor=world["cs"], meeting_id=meeting.id)
    written(session, world, meeting)
    with pytest.raises(DomainError, match="meetings.wrong_status"):  # not submitted yet
        minutes.approve_minutes(session, actor=world["manager"], meeting_id=meeting.id)
    minutes.submit_minutes(session, actor=world["cs"], meeting_id=meeting.id)
    assert meeting.status == MeetingStatus.MINUTES_PENDING
    with pytest.raises(DomainError, match="meetings.wrong_status"):  # frozen while under review
        minutes.save_minutes(session, actor=world["cs"], meeting_id=meeting.id, expected_version=meeting.version,
                             discussion="改", resolutions="改")
    with pytest.raises(PermissionDenied):
        minutes.approve_minutes(session, actor=world["cs"], meeting_id=meeting.id)
    minutes.return_minutes(session, actor=world["manager"], meeting_id=meeting.id, note="决议请写明金额")
    assert (meeting.status, meeting.review_note) == (MeetingStatus.DRAFT, "决议请写明金额")
    minutes.submit_minutes(session, actor=world["cs"], meeting_id=meeting.id)
    with pytest.raises(DomainError, match="meetings.wrong_status"):  # publishing needs the approval
        minutes.publish(session, actor=world["cs"], meeting_id=meeting.id)
    minutes.approve_minutes(session, actor=world["manager"], meeting_id=meeting.id)
    assert (meeting.status, meeting.approved_by) == (MeetingStatus.APPROVED, world["manager"].username)
    minutes.publish(session, actor=world["cs"], meeting_id=meeting.id)
    assert meeting.status == MeetingStatus.PUBLISHED and meeting.published_at is not None
    # A notice of kind 会议纪要 to every owner of the community, submitted for a manager's approval.
    notice = session.exec(select(Notice).where(Notice.source == f"meeting:{meeting.id}")).one()
    assert meeting.notice_ref == f"notice:{notice.id}"
    assert (notice.kind, notice.status, notice.community_id, notice.group, notice.channels) == (
        "minutes", "pending", world["community"].id, "all", ["inbox"])
    for label in ("时间", "地点", "出席", "议题", "讨论", "决议", "待办"):
        assert f"**{label}**" in notice.body
    assert "同意申请维修基金更换 3 栋电梯。" in notice.body and "业委会出席 2/3（67%），达到法定人数" in notice.body
    notices.approve(session, actor=world["manager"], notice_id=notice.id, expected_version=notice.version)
    # Approved, the notice reaches the owner's portal inbox.
    sent = session.exec(select(OutboxMessage).where(OutboxMessage.cause == f"notice:{notice.id}")).all()
    assert {(m.recipient_id, m.channel) for m in sent} == {(owner.account_id, "inbox")}
    actions_logged = {e.action for e in session.exec(select(AuditEvent).where(
        AuditEvent.entity_type == "meeting", AuditEvent.entity_id == str(meeting.id))).all()}
    assert {"meeting.create", "meeting.invite", "meeting.sign_in", "meeting.minutes_save", "meeting.minutes_submit",
            "meeting.minutes_return", "meeting.minutes_approve", "meeting.publish"} <= actions_logged


def test_crafted_ids_and_another_community_are_refused(session, world):
    meeting = held(session, world)
    for crafted in ("1 OR 1=1", -1, "abc", 10 ** 12):
        with pytest.raises(NotFound):
            queries.meeting_detail(session, world["manager"], crafted, "zh-CN")
        with pytest.raises(NotFound):
            minutes.submit_minutes(session, actor=world["cs"], meeting_id=crafted)
    other = world["other_manager"]
    for call in (lambda: queries.meeting_detail(session, other, meeting.id, "zh-CN"),
                 lambda: services.invite_committee(session, actor=other, meeting_id=meeting.id),
                 lambda: minutes.approve_minutes(session, actor=other, meeting_id=meeting.id),
                 lambda: actions.add_action(session, actor=other, meeting_id=meeting.id, data=actions.ActionInput(
                     description="x", responsible_name="y", due_on=TODAY.isoformat()))):
        with pytest.raises(PermissionDenied):
            call()
    with pytest.raises(PermissionDenied):  # creating one in a community outside the scope
        services.create_meeting(session, actor=other, data=services.MeetingInput(
            community_id=world["community"].id, title="x", starts_at=at(TODAY), place="x"))
    # Another meeting's invitee id is not this meeting's.
    second = plan(session, world, title="住户座谈会", kind="residents")
    invitee = queries.meeting_detail(session, world["manager"], meeting.id, "zh-CN")["invitees"][0]
    with pytest.raises(NotFound):
        services.sign_in(session, actor=world["cs"], meeting_id=second.id, invitee_id=invitee["id"], attended=True)
    # Staff of another community are not invited; the list shows only the caller's communities.
    with pytest.raises(NotFound):
        services.invite_staff(session, actor=world["cs"], meeting_id=meeting.id, user_id=other.user_id)
    assert queries.meetings(session, other, PageRequest(), queries.MeetingFilter(), "zh-CN").total == 0
    # A steward may look but not plan.
    steward = factories.sign_in(session, factories.user(session, "steward", communities=(world["community"],)))
    assert queries.meetings(session, steward, PageRequest(), queries.MeetingFilter(), "zh-CN").total == 2
    with pytest.raises(PermissionDenied):
        services.invite_committee(session, actor=steward, meeting_id=meeting.id)


def test_a_topic_forum_needs_its_topic_and_times_are_checked(session, world):
    with pytest.raises(ValidationFailed) as refused:
        services.create_meeting(session, actor=world["cs"], data=services.MeetingInput(
            community_id=world["community"].id, kind="topic", title="", starts_at="明天", place=""))
    assert set(refused.value.fields) == {"topic", "title", "starts_at", "place"}
    forum = plan(session, world, kind="topic", topic="greening", title="绿化专题座谈会")
    assert (forum.kind, forum.topic) == ("topic", "greening")


def test_an_action_item_opens_a_ticket_of_channel_meeting_once(session, world):
    meeting = held(session, world)
    item = actions.add_action(session, actor=world["cs"], meeting_id=meeting.id, data=actions.ActionInput(
        description="3 栋电梯更换询价", responsible_user_id=str(world["tech"].user_id),
        due_on=(TODAY + timedelta(days=14)).isoformat()))
    assert item.responsible_name == "测试用户" and item.status == ActionStatus.OPEN
    with pytest.raises(ValidationFailed) as refused:
        actions.add_action(session, actor=world["cs"], meeting_id=meeting.id, data=actions.ActionInput(
            description="", due_on=""))
    assert set(refused.value.fields) == {"description", "due_on", "responsible_name"}
    ticket = actions.open_ticket(session, actor=world["cs"], action_id=item.id, expected_version=item.version,
                                 category_id=_leaf(session).id)
    stored = session.get(Ticket, ticket.id)
    assert (stored.channel, stored.community_id, stored.title, stored.room_id) == (
        Channel.MEETING, world["community"].id, "3 栋电梯更换询价", None)
    assert session.get(MeetingAction, item.id).ticket_id == ticket.id
    with pytest.raises(DomainError, match="meetings.ticket_exists"):
        actions.open_ticket(session, actor=world["cs"], action_id=item.id, expected_version=item.version,
                            category_id=_leaf(session).id)
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "meeting.action_ticket")).one()
    done = actions.set_status(session, actor=world["cs"], action_id=item.id, expected_version=item.version, done=True)
    assert done.status == ActionStatus.DONE and done.done_at is not None


def _leaf(session):
    return session.exec(select(TicketCategory).where(col(TicketCategory.parent_id).is_not(None))
                        .order_by(TicketCategory.id)).first()


def figure(session, principal, key):
    return next((f.value for s in home_figures(session, principal).sections for f in s.figures if f.key == key), None)


def test_overdue_items_and_a_quarter_without_a_meeting_show_on_the_home_page(session, world):
    community = world["community"]
    missing = queries.quarters_without_meeting(session, world["manager"], TODAY)
    assert community.id in [c["id"] for c in missing]
    assert figure(session, world["manager"], "home.quarterly_meeting_missing") == str(len(missing))
    # A residents' forum does not count; a quarterly meeting in the last quarter does not either.
    plan(session, world, kind="residents", title="住户座谈会")
    last_quarter = queries.quarter_bounds(TODAY)[0].date() - timedelta(days=1)
    plan(session, world, day=last_quarter)
    assert community.id in [c["id"] for c in queries.quarters_without_meeting(session, world["manager"], TODAY)]
    meeting = plan(session, world, day=queries.quarter_bounds(TODAY)[0].date())
    assert community.id not in [c["id"] for c in queries.quarters_without_meeting(session, world["manager"], TODAY)]
    assert world["other"].id not in [c["id"] for c in queries.quarters_without_meeting(
        session, world["manager"], TODAY)]  # outside the manager's scope

    assert queries.overdue_actions(session, world["manager"], TODAY) == 0
    for due in (TODAY - timedelta(days=1), TODAY):
        actions.add_action(session, actor=world["cs"], meeting_id=meeting.id, data=actions.ActionInput(
            description=f"到期 {due}", responsible_name="赵主任", due_on=due.isoformat()))
    assert queries.overdue_actions(session, world["manager"], TODAY) == 1
    assert figure(session, world["manager"], "home.meeting_actions_overdue") == "1"
    assert figure(session, world["cs"], "home.meeting_actions_overdue") == "1"
    assert queries.overdue_actions(session, world["other_manager"], TODAY) == 0
    overdue = session.exec(select(MeetingAction).where(MeetingAction.due_on < TODAY)).one()
    actions.set_status(session, actor=world["cs"], action_id=overdue.id, expected_version=overdue.version, done=True)
    assert figure(session, world["manager"], "home.meeting_actions_overdue") == "0"


def test_attachments_are_documents_kept_privately_and_read_only_in_scope(session, world):
    meeting = plan(session, world)
    upload = store_upload(session, principal=world["cs"], purpose_name=services.ATTACHMENT_PURPOSE,
                          filename="2026Q4物业管理报告.pdf", data=b"%PDF-1.4 report")
    attachment = services.attach_document(session, actor=world["cs"], meeting_id=meeting.id, upload_id=upload.id,
                                          doc_type="management_report")
    assert services.stored_path(attachment.sha256).read_bytes() == b"%PDF-1.4 report"
    download = services.attachment_download(session, world["manager"], {"attachment_id": attachment.id})
    assert (download.filename, download.media_type, b"".join(download.chunks)) == (
        "2026Q4物业管理报告.pdf", "application/pdf", b"%PDF-1.4 report")
    for principal, params in ((world["other_manager"], {"attachment_id": attachment.id}),
                              (world["manager"], {"attachment_id": "1 OR 1=1"})):
        with pytest.raises(NotFound):
            services.attachment_download(session, principal, params)
    fake = store_upload(session, principal=world["cs"], purpose_name=services.ATTACHMENT_PURPOSE,
                        filename="财务报告.pdf", data=b"MZ not a pdf")
    with pytest.raises(ValidationFailed):
        services.attach_document(session, actor=world["cs"], meeting_id=meeting.id, upload_id=fake.id,
                                 doc_type="financial_report")


def test_the_list_filters_by_kind_and_status(session, world):
    plan(session, world)
    plan(session, world, kind="residents", title="住户座谈会")
    rows = queries.meetings(session, world["manager"], PageRequest(), queries.MeetingFilter(kind="residents"),
                            "zh-CN").rows
    assert [r["title"] for r in rows] == ["住户座谈会"]
    assert queries.meetings(session, world["manager"], PageRequest(), queries.MeetingFilter(status="published"),
                            "zh-CN").total == 0
    assert session.exec(select(Meeting)).all()


def test_starts_at_is_shanghai_time(session, world):
    meeting = plan(session, world)
    assert meeting.starts_at.astimezone(DISPLAY_ZONE).hour == 14
