"""预约上门时间 (issue 17 item 5): the desk or the assignee books the visit on the ticket page; a time in the past is
refused beside the field; the owner is told through the outbox in the same transaction; audited; the technician's
orders come in the order of their visits."""


import pytest
from sqlmodel import select

from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import local_text
from pm_admin.core.errors import ConcurrencyConflict, DomainError, PermissionDenied, ValidationFailed
from pm_admin.notify.models import OutboxMessage
from pm_admin.portal import queries as portal_queries
from pm_admin.tickets import queries
from pm_admin.tickets.models import TicketEvent, TicketEventKind
from pm_admin.tickets.services import actions
from pm_admin.tickets.services.appointment import set_appointment
from tests.support import factories
from tests.support.owners_portal import activated, new_owner
from tests.support.ticket_desk import NOW, new_ticket

# NOW is 10:00 in Shanghai: tomorrow 14:30 local is 06:30 UTC.
TOMORROW = "2026-11-23T14:30"


@pytest.fixture
def owner(session, desk):
    return activated(session, desk, new_owner(session, desk), now=NOW)


def assigned(session, desk, **extra):
    ticket = new_ticket(session, desk, kind="repair", code="home_repair", **extra)
    return actions.assign(session, actor=desk["manager"], ticket_id=ticket.id, expected_version=ticket.version,
                          assignee_id=desk["tech_user"].id, now=NOW)


def book(session, actor, ticket, when=TOMORROW, now=NOW):
    return set_appointment(session, actor=actor, ticket_id=ticket.id, expected_version=ticket.version, when=when,
                           now=now)


def told(session, ticket) -> list[OutboxMessage]:
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.cause == f"ticket:{ticket.id}",
                                                        OutboxMessage.template == "notify.ticket_appointment")).all())


def test_the_desk_books_the_visit_and_the_owner_is_told_in_the_same_transaction(session, desk, owner):
    ticket = assigned(session, desk)
    savepoint = session.begin_nested()
    booked = book(session, desk["cs"], ticket)
    assert local_text(booked.appointment_at) == "2026-11-23 14:30"
    messages = told(session, ticket)  # written by the same call, before anything commits
    assert [(m.channel, m.recipient_id) for m in messages] == [("inbox", owner.account_id)]
    assert messages[0].params["appointment"] == "2026-11-23 14:30"
    savepoint.rollback()  # the booking undone undoes the message too: they are one transaction
    assert told(session, ticket) == []
    session.refresh(ticket)
    assert ticket.appointment_at is None


def test_booking_writes_a_public_timeline_line_and_an_audit_record(session, desk, owner):
    ticket = assigned(session, desk)
    first = book(session, desk["cs"], ticket)
    moved = book(session, desk["tech"], first, when="2026-11-24 09:00")  # the assignee moves it
    lines = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                   TicketEvent.kind == TicketEventKind.APPOINTMENT)
                         .order_by(TicketEvent.id)).all()
    assert [(line.body, line.public) for line in lines] == [("2026-11-23 14:30", True), ("2026-11-24 09:00", True)]
    audits = session.exec(select(AuditEvent).where(AuditEvent.action == "ticket.appointment",
                                                   AuditEvent.entity_id == str(ticket.id))
                          .order_by(AuditEvent.id)).all()
    assert [(a.actor_name, a.changes["before"], a.changes["after"]) for a in audits] == [
        (desk["cs"].username, "", "2026-11-23 14:30"), (desk["tech"].username, "2026-11-23 14:30", "2026-11-24 09:00")]
    assert len(told(session, ticket)) == 2
    view = portal_queries.ticket_view(session, owner, moved.id, "zh-CN")
    assert "已预约上门：2026-11-24 09:00" in [line["text"] for line in view["timeline"]]


@pytest.mark.parametrize(("when", "message"), [
    ("2026-11-22T09:59", "预约时间须晚于现在（2026-11-22 10:00）"),  # a minute ago, Shanghai time
    ("2026-11-22T10:00", "预约时间须晚于现在（2026-11-22 10:00）"),
    ("2027-11-22T10:00", "预约时间不能超过 180 天以后"),
    ("明天下午", "请选择有效的日期和时间"),
    ("", "必填"),
])
def test_a_time_not_ahead_is_refused_beside_the_field_and_nothing_is_told(session, desk, owner, when, message):
    from pm_admin.core.i18n import translate

    ticket = assigned(session, desk)
    with pytest.raises(ValidationFailed) as refused:
        book(session, desk["cs"], ticket, when=when)
    key, params = refused.value.fields["appointment_at"][0], refused.value.fields["appointment_at"][1]
    assert translate(key, "zh-CN", **params).startswith(message)
    assert told(session, ticket) == [] and ticket.appointment_at is None


def test_only_the_desk_or_the_assignee_books_and_only_work_still_to_do(session, desk, owner):
    ticket = assigned(session, desk)
    other = factories.user(session, "technician", communities=(desk["community"],))
    with pytest.raises(PermissionDenied):  # a technician of the community, not the assignee
        book(session, factories.sign_in(session, other), ticket)
    outsider = factories.user(session, "cs", communities=(factories.place_tree(session, code="C99")[0],))
    with pytest.raises(PermissionDenied, match="out_of_scope"):  # another community's desk
        book(session, factories.sign_in(session, outsider), ticket)
    with pytest.raises(ConcurrencyConflict):  # a page opened before a colleague's change
        set_appointment(session, actor=desk["cs"], ticket_id=ticket.id, expected_version=ticket.version - 1,
                        when=TOMORROW, now=NOW)
    started = actions.start(session, actor=desk["tech"], ticket_id=ticket.id, expected_version=ticket.version, now=NOW)
    resolved = actions.resolve(session, actor=desk["tech"], ticket_id=ticket.id, expected_version=started.version,
                               resolution="已修好", now=NOW)
    with pytest.raises(DomainError) as finished:
        book(session, desk["cs"], resolved)
    assert finished.value.key == "tickets.appointment_not_open"
    assert told(session, ticket) == []


def test_the_technicians_orders_come_in_the_order_of_their_visits(session, desk, owner):
    later, sooner, unbooked = (assigned(session, desk, title=title) for title in ("晚上门", "早上门", "未预约"))
    book(session, desk["cs"], later, when="2026-11-25T09:00")
    book(session, desk["cs"], sooner, when="2026-11-23T16:00")
    orders = queries.my_orders(session, desk["tech"], "zh-CN")
    assert [(o["title"], o["appointment"]) for o in orders] == [
        ("早上门", "2026-11-23 16:00"), ("晚上门", "2026-11-25 09:00"), ("未预约", "")]
    detail = queries.ticket_detail(session, desk["tech"], sooner.id, "zh-CN")
    assert (detail["appointment"], detail["appointment_input"], detail["can_schedule"]) == (
        "2026-11-23 16:00", "2026-11-23T16:00", True)
    assert unbooked.appointment_at is None
