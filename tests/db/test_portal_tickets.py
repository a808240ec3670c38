"""What an owner does with tickets in the portal: report for their own room only, follow it without internal
notes, rate it online (unsatisfied reopens), anonymous feedback that keeps no identity anywhere."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from pm_admin.core.audit import AuditEvent
from pm_admin.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.notify.models import OutboxMessage
from pm_admin.portal import notices, queries
from pm_admin.portal.models import PortalUpload
from pm_admin.portal.progress import tell_owner
from pm_admin.portal.services import photos
from pm_admin.portal.services import tickets as portal_tickets
from pm_admin.portal.services.tickets import Rating, Report
from pm_admin.tickets.events import TicketProgress
from pm_admin.tickets.models import Callback, Channel, Status, Ticket, TicketEvent, TicketEvidence
from pm_admin.tickets.services import actions, handling
from pm_admin.tickets.services.evidence import stored_path
from tests.support.owners_portal import activated, new_owner
from tests.support.ticket_desk import NOW, category, new_ticket

LATER = NOW + timedelta(hours=1)


@pytest.fixture
def owner(session, desk):
    return activated(session, desk, new_owner(session, desk), now=NOW)


def report(session, desk, owner, room="room", **extra):
    data = Report(kind=extra.pop("kind", "repair"), category_id=category(session, "home_repair").id,
                  description=extra.pop("description", "卫生间水管漏水，楼下也在滴水"), room_id=desk[room].id, **extra)
    return portal_tickets.report(session, owner=owner, data=data, now=NOW)


def resolve(session, desk, ticket, text="已更换水管接头"):
    ticket = actions.assign(session, actor=desk["manager"], ticket_id=ticket.id, expected_version=ticket.version,
                            assignee_id=desk["tech_user"].id, now=NOW)
    ticket = actions.start(session, actor=desk["tech"], ticket_id=ticket.id, expected_version=ticket.version, now=NOW)
    return actions.resolve(session, actor=desk["tech"], ticket_id=ticket.id, expected_version=ticket.version,
                           resolution=text, now=NOW)


def test_a_report_lands_on_the_board_as_an_online_ticket_of_the_owners_room(session, desk, owner):
    ticket = report(session, desk, owner, preferred_time="工作日 18:00 后")
    assert ticket.channel == Channel.ONLINE and ticket.room_id == desk["room"].id and ticket.status == Status.NEW
    assert ticket.contact_name == "王业主" and ticket.contact_time == "工作日 18:00 后"
    assert ticket.title == "卫生间水管漏水，楼下也在滴水"
    listed = queries.my_tickets(session, owner, "zh-CN")
    assert [t["code"] for t in listed] == [ticket.code]
    view = queries.ticket_view(session, owner, ticket.id, "zh-CN")
    assert view["promise"].startswith("承诺") and view["status_text"] == "已提交，待受理"


def test_an_owner_cannot_report_for_or_read_another_room(session, desk, owner):
    with pytest.raises(PermissionDenied):
        report(session, desk, owner, room="other_room")
    neighbour = activated(session, desk, new_owner(session, desk, room="other_room", name="李邻居",
                                                   phone="13900139000"), now=NOW)
    theirs = report(session, desk, neighbour, room="other_room")
    assert queries.ticket_view(session, owner, theirs.id, "zh-CN") is None
    assert queries.my_tickets(session, owner, "zh-CN") == []
    with pytest.raises(NotFound):
        portal_tickets.rate(session, owner=owner, ticket_id=theirs.id, rating=Rating(satisfied=True))
    for crafted in ("1 OR 1=1", "-1", None, "99999999"):
        assert queries.ticket_view(session, owner, crafted, "zh-CN") is None


def test_the_owner_sees_public_replies_and_the_result_never_internal_notes(session, desk, owner):
    ticket = report(session, desk, owner)
    handling.add_comment(session, actor=desk["cs"], ticket_id=ticket.id, body="师傅明早九点上门", public=True)
    handling.add_comment(session, actor=desk["cs"], ticket_id=ticket.id, body="该业主有欠费，注意", public=False)
    resolve(session, desk, ticket)
    view = queries.ticket_view(session, owner, ticket.id, "zh-CN")
    texts = [line["text"] for line in view["timeline"]]
    assert "师傅明早九点上门" in texts and not any("欠费" in t for t in texts)
    assert view["resolution"] == "已更换水管接头" and view["can_rate"]


def test_unsatisfied_reopens_and_satisfied_closes_as_an_online_callback(session, desk, owner):
    ticket = report(session, desk, owner)
    resolve(session, desk, ticket)
    with pytest.raises(ValidationFailed):  # a repair needs its five scores
        portal_tickets.rate(session, owner=owner, ticket_id=ticket.id, rating=Rating(satisfied=False))
    scores = {"attitude": 4, "efficiency": 2, "skill": 3, "result": 2, "overall": 2}
    portal_tickets.rate(session, owner=owner, ticket_id=ticket.id, now=LATER,
                        rating=Rating(satisfied=False, comment="还在漏", **scores))
    reopened = session.get(Ticket, ticket.id)
    assert reopened.status != Status.RESOLVED and reopened.reopen_count == 1
    resolve(session, desk, reopened, "重新密封")
    portal_tickets.rate(session, owner=owner, ticket_id=ticket.id, now=LATER,
                        rating=Rating(satisfied=True, **{k: 5 for k in scores}))
    assert session.get(Ticket, ticket.id).status == Status.CLOSED
    methods = session.exec(select(Callback.method, Callback.satisfied).where(Callback.ticket_id == ticket.id)).all()
    assert methods == [("online", False), ("online", True)]


def test_anonymous_feedback_keeps_no_identity_anywhere(session, desk, owner):
    code = portal_tickets.give_anonymous_feedback(
        session, owner=owner, community_id=desk["community"].id, category_id=category(session, "cleaning").id,
        description="保洁员经常不打扫 3 号楼")
    ticket = session.exec(select(Ticket).where(Ticket.code == code)).one()
    assert ticket.room_id is None and ticket.owner_id is None and ticket.contact_name == ""
    assert ticket.contact_phone_enc is None and ticket.created_by == "portal"
    events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).all()
    audits = session.exec(select(AuditEvent).where(AuditEvent.entity_type == "ticket",
                                                   AuditEvent.entity_id == str(ticket.id))).all()
    assert audits and all(a.actor_name == "portal" and a.client_ip == "" and a.user_agent == "" for a in audits)
    assert all(e.actor_name == "portal" for e in events)
    for row in [*audits, *events]:
        assert not any(mark in str(row.model_dump()) for mark in ("王业主", "13800138000", "10.0.0.8", "owner:"))
    assert queries.my_tickets(session, owner, "zh-CN") == []  # it is nobody's
    with pytest.raises(ValidationFailed):  # only a community of theirs
        portal_tickets.give_anonymous_feedback(session, owner=owner, community_id=999999,
                                               category_id=category(session, "cleaning").id, description="x")


def sent(session, ticket):
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.cause == f"ticket:{ticket.id}")
                        .order_by(OutboxMessage.id)).all()
    return [(row.template.removeprefix("notify.ticket_"), str(row.channel)) for row in rows]


def test_progress_reaches_the_owner_through_the_outbox_in_the_same_transaction(session, desk, owner):
    ticket = report(session, desk, owner)
    assert sent(session, ticket) == [("registered", "inbox"), ("registered", "sms")]
    handling.add_comment(session, actor=desk["cs"], ticket_id=ticket.id, body="明早上门", public=True)
    handling.add_comment(session, actor=desk["cs"], ticket_id=ticket.id, body="内部备注", public=False)
    resolve(session, desk, ticket)
    scores = {"attitude": 3, "efficiency": 3, "skill": 3, "result": 2, "overall": 2}
    portal_tickets.rate(session, owner=owner, ticket_id=ticket.id, rating=Rating(satisfied=False, **scores), now=LATER)
    steps = [step for step, channel in sent(session, ticket) if channel == "inbox"]
    assert steps == ["registered", "reply", "assigned", "resolved", "reopened"]
    resolved_sms = session.exec(select(OutboxMessage).where(OutboxMessage.template == "notify.ticket_resolved",
                                                            OutboxMessage.channel == "sms")).one()
    assert resolved_sms.params["result"] == "已更换水管接头" and resolved_sms.address_masked == "138****8000"
    # The same cause written twice (a retried transaction) is one message: the key is unique.
    before = len(sent(session, ticket))
    first = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)).first()
    tell_owner(session, TicketProgress(ticket.id, first.id, "created", "", "new", False))
    assert len(sent(session, ticket)) == before


def test_a_ticket_the_desk_registers_by_phone_reaches_the_rooms_owner_and_anonymous_reaches_nobody(session, desk, owner):
    by_phone = new_ticket(session, desk, kind="repair", code="home_repair")
    assert ("registered", "inbox") in sent(session, by_phone)
    message = session.exec(select(OutboxMessage).where(OutboxMessage.cause == f"ticket:{by_phone.id}")).first()
    assert message.recipient_id == owner.account_id
    code = portal_tickets.give_anonymous_feedback(session, owner=owner, community_id=desk["community"].id,
                                                  category_id=category(session, "cleaning").id, description="匿名")
    anonymous = session.exec(select(Ticket).where(Ticket.code == code)).one()
    assert sent(session, anonymous) == []


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_photos_are_checked_by_content_and_only_the_owners_own_are_attached(session, desk, owner):
    with pytest.raises(DomainError) as refused:
        photos.store_photo(session, owner=owner, filename="leak.jpg", data=b"MZ\x90\x00 not an image")
    assert refused.value.key == "portal.not_a_photo"
    mine = photos.store_photo(session, owner=owner, filename="leak.png", data=PNG)
    neighbour = activated(session, desk, new_owner(session, desk, room="other_room", name="李邻居",
                                                   phone="13900139000"), now=NOW)
    theirs = photos.store_photo(session, owner=neighbour, filename="theirs.png", data=PNG + b"x")
    data = Report(kind="repair", category_id=category(session, "home_repair").id, description="漏水",
                  room_id=desk["room"].id)
    ticket = portal_tickets.report(session, owner=owner, data=data, photo_ids=[mine.id, theirs.id, "../etc"], now=NOW)
    evidence = session.exec(select(TicketEvidence).where(TicketEvidence.ticket_id == ticket.id)).all()
    assert [(e.filename, e.content_type) for e in evidence] == [("leak.png", "image/png")]
    assert stored_path(evidence[0].sha256).read_bytes() == PNG
    assert session.get(PortalUpload, theirs.id) is not None and session.get(PortalUpload, mine.id) is None


def test_the_inbox_shows_the_owners_delivered_notices_and_records_reading(session, desk, owner):
    ticket = report(session, desk, owner)
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.channel == "inbox").values(status="delivered"))
    neighbour = activated(session, desk, new_owner(session, desk, room="other_room", name="李邻居",
                                                   phone="13900139000"), now=NOW)
    shown = notices.inbox(session, owner)
    assert [n["title"] for n in shown] == [f"已收到您的报事 {ticket.code}"] and not shown[0]["read"]
    assert queries.unread_notices(session, owner) == 1
    with pytest.raises(NotFound):
        notices.mark_read(session, neighbour, shown[0]["id"])
    notices.mark_read(session, owner, shown[0]["id"])
    assert notices.inbox(session, owner)[0]["read"] and queries.unread_notices(session, owner) == 0
