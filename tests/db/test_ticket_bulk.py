"""Bulk actions of the ticket list (issue 17 item 9): 批量指派 and 批量改等级 run the one-ticket services per ticket —
permission, community scope, workflow, version — so each refusal is the single action's, named per ticket in the
reader's language, while the others are done, audited and notified like single changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select

from pm_admin.core.audit import AuditEvent
from pm_admin.core.errors import DomainError, PermissionDenied, ValidationFailed
from pm_admin.core.i18n import translate
from pm_admin.notify.models import OutboxMessage
from pm_admin.tickets import queries
from pm_admin.tickets.models import Notification, Status, Ticket, TicketEvent, Tier
from pm_admin.tickets.services import actions, bulk, callbacks
from pm_admin.tickets.services.callbacks import CallbackInput
from tests.support import factories
from tests.support.owners_portal import activated, new_owner
from tests.support.ticket_desk import NOW, new_ticket

LATER = NOW + timedelta(hours=1)


def versions(*tickets: Ticket) -> dict[int, int]:
    return {ticket.id: ticket.version for ticket in tickets}


def closed(session, desk, title="已办结的投诉") -> Ticket:
    ticket = new_ticket(session, desk, title=title)
    ticket = actions.assign(session, actor=desk["cs"], ticket_id=ticket.id, expected_version=ticket.version,
                            assignee_id=desk["tech_user"].id, now=NOW)
    ticket = actions.start(session, actor=desk["tech"], ticket_id=ticket.id, expected_version=ticket.version, now=NOW)
    ticket = actions.resolve(session, actor=desk["tech"], ticket_id=ticket.id, expected_version=ticket.version,
                             resolution="已处理", now=NOW)
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id, now=NOW,
                              data=CallbackInput(method="phone", reached=True, satisfied=True))
    return ticket


def owner_messages(session, ticket: Ticket) -> list[str]:
    return [m.template for m in session.exec(select(OutboxMessage).where(
        OutboxMessage.cause == f"ticket:{ticket.id}").order_by(OutboxMessage.id)).all()]


def test_bulk_assign_does_what_single_assigns_do(session, desk):
    activated(session, desk, new_owner(session, desk), now=NOW)  # the room's owner follows its tickets in the portal
    first, second = new_ticket(session, desk, title="楼道灯不亮"), new_ticket(session, desk, title="电梯异响")
    single = new_ticket(session, desk, title="单张派单作对照")
    actions.assign(session, actor=desk["cs"], ticket_id=single.id, expected_version=single.version,
                   assignee_id=desk["tech_user"].id, now=LATER)
    result = bulk.bulk_assign(session, actor=desk["cs"], versions=versions(first, second),
                              assignee_id=desk["tech_user"].id, now=LATER)
    assert result.done == [first.code, second.code] and result.refused == []
    for ticket in (first, second):
        session.refresh(ticket)
        assert (ticket.status, ticket.assignee_id, ticket.responded_at) == (Status.ASSIGNED, desk["tech_user"].id, LATER)
        assert owner_messages(session, ticket) == owner_messages(session, single) != []
        moves = session.exec(select(AuditEvent).where(AuditEvent.action == "ticket.move",
                                                      AuditEvent.entity_id == str(ticket.id))).all()
        assert [m.changes["step"] for m in moves] == ["assign"]
        assert [e.to_status for e in session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id))] \
            == ["new", "assigned"]
    summary = session.exec(select(AuditEvent).where(AuditEvent.action == "ticket.bulk")).one()
    assert summary.changes["operation"] == "assign" and summary.changes["done"] == [first.code, second.code]


def test_each_refusal_is_the_single_actions_and_the_rest_is_done(session, desk):
    fine, stale, finished = new_ticket(session, desk, title="可以派"), new_ticket(session, desk, title="别人刚改过"), \
        closed(session, desk)
    seen = versions(fine, stale, finished)
    actions.assign(session, actor=desk["manager"], ticket_id=stale.id, expected_version=stale.version,
                   assignee_id=desk["tech_user"].id, now=NOW)  # a colleague moved it after the list was read
    elsewhere, _, _, room = factories.place_tree(session)
    stranger = factories.sign_in(session, factories.user(session, "cs", communities=(elsewhere,)))
    theirs = new_ticket(session, {"cs": stranger, "room": room}, title="别的小区")
    crafted = {**seen, theirs.id: theirs.version, 99_999_999: 1}
    result = bulk.bulk_assign(session, actor=desk["cs"], versions=crafted, assignee_id=desk["tech_user"].id, now=LATER)
    assert result.done == [fine.code]
    reasons = {(r.ticket_id, r.code): r.key for r in result.refused}
    assert reasons == {(stale.id, stale.code): "error.conflict", (finished.id, finished.code): "tickets.finished",
                       (theirs.id, ""): "error.out_of_scope", (99_999_999, ""): "error.not_found"}
    # A refused ticket is left as it was: the savepoint of each ticket rolled its attempt back.
    session.refresh(theirs)
    session.refresh(finished)
    assert theirs.status == Status.NEW and finished.status == Status.CLOSED
    for refusal in result.refused:  # every reason reads in both languages
        assert translate(refusal.key, "zh-CN", **refusal.params) != refusal.key
        assert translate(refusal.key, "en", **refusal.params) != refusal.key


def test_an_assignee_who_is_not_staff_of_a_tickets_community_is_refused_for_that_ticket(session, desk):
    elsewhere, _, _, room = factories.place_tree(session)
    both = factories.sign_in(session, factories.user(session, "manager", communities=(desk["community"], elsewhere)))
    theirs = new_ticket(session, {"cs": both, "room": room}, title="别的小区的报修")
    ours = new_ticket(session, desk, title="本小区的报修")
    result = bulk.bulk_assign(session, actor=both, versions=versions(ours, theirs), assignee_id=desk["tech_user"].id,
                              now=LATER)
    assert result.done == [ours.code]
    assert [(r.code, r.key) for r in result.refused] == [(theirs.code, "tickets.assignee_invalid")]
    with pytest.raises(ValidationFailed) as nobody:
        bulk.bulk_assign(session, actor=both, versions=versions(ours), assignee_id=None)
    assert set(nobody.value.fields) == {"assignee_id"}


def test_the_assignees_offered_are_staff_of_the_ticked_tickets_community(session, desk):
    elsewhere, _, _, room = factories.place_tree(session)
    both = factories.sign_in(session, factories.user(session, "manager", communities=(desk["community"], elsewhere)))
    there = factories.user(session, "technician", communities=(elsewhere,))
    theirs, ours = new_ticket(session, {"cs": both, "room": room}, title="别的小区的报修"), new_ticket(session, desk)

    def offered(actor, *tickets: Ticket) -> set[str]:
        return {o["value"] for o in queries.bulk_assignee_options(session, actor, [t.id for t in tickets])}

    assert str(desk["tech_user"].id) in offered(both, ours) and str(there.id) not in offered(both, ours)
    assert str(there.id) in offered(both, theirs) and str(desk["tech_user"].id) not in offered(both, theirs)
    assert {str(there.id), str(desk["tech_user"].id)} <= offered(both, ours, theirs)  # anyone of their communities
    assert str(there.id) not in offered(desk["cs"], theirs)  # a ticket out of scope names no community


def test_only_who_may_work_tickets_acts_in_bulk_and_not_on_nothing_or_too_much(session, desk):
    steward = factories.sign_in(session, factories.user(session, "steward", communities=(desk["community"],)))
    ticket = new_ticket(session, desk)
    with pytest.raises(PermissionDenied):
        bulk.bulk_assign(session, actor=steward, versions=versions(ticket), assignee_id=desk["tech_user"].id)
    with pytest.raises(PermissionDenied):
        bulk.bulk_tier(session, actor=desk["tech"], versions=versions(ticket), tier="urgent")
    with pytest.raises(DomainError) as empty:
        bulk.bulk_tier(session, actor=desk["cs"], versions={}, tier="urgent")
    assert empty.value.key == "tickets.bulk_none"
    with pytest.raises(DomainError) as too_many:
        bulk.bulk_tier(session, actor=desk["cs"], versions={i: 1 for i in range(1, bulk.MAX_TICKETS + 2)},
                       tier="urgent")
    assert too_many.value.key == "tickets.bulk_too_many"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "ticket.bulk")).all() == []


def test_bulk_tier_sets_deadlines_tells_managers_and_refuses_what_a_single_change_would(session, desk):
    first, second = new_ticket(session, desk, title="水管爆裂"), new_ticket(session, desk, title="配电箱冒烟")
    already, finished = new_ticket(session, desk, tier="urgent", title="已是紧急"), closed(session, desk)
    seen = versions(first, second, already, finished)
    with pytest.raises(ValidationFailed) as bad:
        bulk.bulk_tier(session, actor=desk["cs"], versions=seen, tier="critical")
    assert set(bad.value.fields) == {"tier"}
    result = bulk.bulk_tier(session, actor=desk["cs"], versions=seen, tier="urgent", now=LATER)
    assert result.done == [first.code, second.code]
    assert {r.code: r.key for r in result.refused} == {already.code: "tickets.tier_unchanged",
                                                      finished.code: "tickets.tier_of_finished"}
    for ticket in (first, second):
        session.refresh(ticket)
        assert ticket.tier == Tier.URGENT and ticket.resolve_due - ticket.created_at == timedelta(hours=4)
        assert session.exec(select(Notification).where(
            Notification.ticket_id == ticket.id, Notification.message_key == "tickets.urgent_notice",
            Notification.user_id == desk["manager_user"].id)).one()
    tiers = session.exec(select(AuditEvent).where(AuditEvent.action == "ticket.tier",
                                                  col(AuditEvent.entity_id).in_([str(first.id), str(second.id)]))).all()
    assert sorted((a.changes["before"], a.changes["after"]) for a in tiers) == [("normal", "urgent")] * 2
    # The version the reader saw: a ticket changed since is refused, not silently re-tiered.
    again = bulk.bulk_tier(session, actor=desk["cs"], versions=seen, tier="important", now=LATER)
    assert again.done == [already.code]  # untouched since it was read
    assert {r.code: r.key for r in again.refused} == {first.code: "error.conflict", second.code: "error.conflict",
                                                      finished.code: "tickets.tier_of_finished"}
