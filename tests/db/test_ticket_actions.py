"""The named ticket actions and the one table behind them: each action's rule, its timeline line and audit
record, the drop targets the board dims by, and drops meaning the table's action."""

from datetime import timedelta

import pytest
from sqlmodel import select

from pm_admin.core.audit import AuditEvent
from pm_admin.core.errors import DomainError, PermissionDenied
from pm_admin.tickets import queries
from pm_admin.tickets.models import Status, TicketEvent, TicketEventKind
from pm_admin.tickets.queries import TicketFilter
from pm_admin.tickets.services import actions, workflow
from pm_admin.tickets.services.actions import ActionInput, NeedsInput
from tests.support.ticket_desk import NOW, new_ticket

LATER = NOW + timedelta(minutes=5)
INPUT = {"assign": lambda desk: {"assignee_id": desk["tech_user"].id}, "hold": lambda desk: {
    "reason": "等待配件", "hold_until": "2026-11-30"}, "resolve": lambda desk: {"resolution": "已处理"},
    "reopen": lambda desk: {"reason": "业主不满意"}, "close_with_note": lambda desk: {"reason": "已答复"},
    "cancel": lambda desk: {"reason": "业主撤回"}, "mark_invalid": lambda desk: {"reason": "不属实"}}
# How to bring a fresh ticket to each status, one named action after another.
PATH_TO = {Status.NEW: [], Status.ASSIGNED: ["assign"], Status.IN_PROGRESS: ["assign", "start"],
           Status.ON_HOLD: ["assign", "start", "hold"], Status.RESOLVED: ["assign", "start", "resolve"],
           Status.CLOSED: ["assign", "start", "resolve", "close_with_note"],
           Status.CANCELLED: ["cancel"], Status.INVALID: ["mark_invalid"]}


def run(session, desk, ticket, name, actor="cs"):
    function = actions.RUN[name]
    return function(session, actor=desk[actor], ticket_id=ticket.id, expected_version=ticket.version, now=LATER,
                    **INPUT.get(name, lambda _: {})(desk))


def ticket_at(session, desk, status):
    ticket = new_ticket(session, desk, kind="inquiry")  # needs no callback: every status is reachable by actions
    for name in PATH_TO[status]:
        ticket = run(session, desk, ticket, name, actor="manager")
    assert ticket.status == status
    return ticket


@pytest.mark.parametrize("name", list(workflow.ACTIONS))
def test_each_action_runs_from_its_sources_only(session, desk, name):
    action = workflow.ACTIONS[name]
    for status in Status:
        ticket = ticket_at(session, desk, status)
        if status in action.sources:
            taken = run(session, desk, ticket, name, actor="manager")
            assert taken.status in (action.target, Status.ASSIGNED)  # an important reopened ticket waits as assigned
        else:
            with pytest.raises(DomainError) as refused:
                run(session, desk, ticket, name, actor="manager")
            assert refused.value.key == workflow.explain_refusal(status, action.target)


def test_an_action_writes_one_status_line_and_one_audit_record_naming_it(session, desk):
    ticket = ticket_at(session, desk, Status.IN_PROGRESS)
    def lines():
        return session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id)
                            .order_by(TicketEvent.id.desc())).all()

    before = len(lines())
    actions.hold(session, actor=desk["cs"], ticket_id=ticket.id, expected_version=ticket.version, reason="等待配件",
                 hold_until="2026-11-30", now=LATER)
    newest, *older = lines()
    assert len(older) == before
    assert (newest.kind, newest.from_status, newest.to_status) == ("status", "in_progress", "on_hold")
    audit = session.exec(select(AuditEvent).where(AuditEvent.entity_id == str(ticket.id),
                                                  AuditEvent.action == "ticket.move")
                         .order_by(AuditEvent.id.desc())).first()
    assert audit.changes["step"] == "hold" and audit.changes["to"] == "on_hold"


def test_the_assignee_may_take_only_the_actions_marked_for_the_assignee(session, desk):
    ticket = ticket_at(session, desk, Status.ASSIGNED)  # assigned to the technician
    with pytest.raises(PermissionDenied):
        actions.cancel(session, actor=desk["tech"], ticket_id=ticket.id, expected_version=ticket.version,
                       reason="不想做")
    ticket = actions.start(session, actor=desk["tech"], ticket_id=ticket.id, expected_version=ticket.version)
    assert ticket.status == Status.IN_PROGRESS


def test_reopening_a_closed_ticket_is_for_a_manager(session, desk):
    ticket = ticket_at(session, desk, Status.CLOSED)
    with pytest.raises(PermissionDenied) as refused:
        actions.reopen(session, actor=desk["cs"], ticket_id=ticket.id, expected_version=ticket.version, reason="复查")
    assert refused.value.key == "tickets.reopen_closed_needs_manager"
    ticket = actions.reopen(session, actor=desk["manager"], ticket_id=ticket.id, expected_version=ticket.version,
                            reason="复查")
    assert ticket.status == Status.IN_PROGRESS and ticket.reopen_count == 1


def test_a_drop_means_the_tables_action_and_asks_for_what_it_needs(session, desk):
    ticket = new_ticket(session, desk)
    with pytest.raises(NeedsInput) as needs:
        actions.drop(session, actor=desk["cs"], ticket_id=ticket.id, expected_version=ticket.version,
                     to_status="assigned")
    assert needs.value.fields == ("assignee_id",)
    with pytest.raises(DomainError) as refused:  # no action leads from new straight to resolved
        actions.drop(session, actor=desk["cs"], ticket_id=ticket.id, expected_version=ticket.version,
                     to_status="resolved")
    assert refused.value.key == "tickets.assign_first"
    ticket = actions.drop(session, actor=desk["cs"], ticket_id=ticket.id, expected_version=ticket.version,
                          to_status="assigned", data=ActionInput(assignee_id=desk["tech_user"].id))
    assert ticket.status == Status.ASSIGNED


def test_a_complaint_is_closed_by_its_callback_not_by_a_note(session, desk):
    ticket = new_ticket(session, desk)  # complaints need a callback
    for name in ("assign", "start", "resolve"):
        ticket = run(session, desk, ticket, name)
    with pytest.raises(DomainError) as refused:
        run(session, desk, ticket, "close_with_note")
    assert refused.value.key == "tickets.close_needs_callback"


def test_the_board_dims_the_columns_the_table_forbids_for_each_card(session, desk):
    complaint = new_ticket(session, desk)
    for name in ("assign", "start", "resolve"):
        complaint = run(session, desk, complaint, name)
    inquiry = ticket_at(session, desk, Status.RESOLVED)
    assigned = ticket_at(session, desk, Status.ASSIGNED)

    def targets(actor, ticket):
        board = queries.board(session, desk[actor], TicketFilter(), "normal")
        return next(card.targets.split() for card in board.cards[str(ticket.status)] if card.id == ticket.id)

    assert targets("cs", complaint) == ["in_progress"]  # reopen; closing waits for the callback
    assert sorted(targets("cs", inquiry)) == ["closed", "in_progress"]
    assert sorted(targets("cs", assigned)) == ["cancelled", "in_progress", "invalid"]
    technician = workflow.drop_targets(desk["tech"], Status.ASSIGNED, desk["tech_user"].id, needs_callback=True)
    assert technician == ["in_progress"]  # their own order: start it, nothing else
    assert workflow.drop_targets(desk["tech"], Status.ASSIGNED, desk["cs"].user_id, needs_callback=True) == []


def test_every_timeline_line_has_a_kind_of_the_enum(session, desk):
    ticket = ticket_at(session, desk, Status.CLOSED)
    kinds = session.exec(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id)).all()
    assert kinds and {TicketEventKind(kind) for kind in kinds} == {TicketEventKind.CREATED, TicketEventKind.STATUS}


def test_the_dimmed_targets_carry_the_reason_a_drop_there_gets(session, desk):
    """The board's reasons are the workflow's: for each forbidden target, the refusal the service gives a drop."""
    complaint = new_ticket(session, desk)  # needs a callback
    for name in ("assign", "start", "resolve"):
        complaint = run(session, desk, complaint, name)
    fresh, closed = new_ticket(session, desk), ticket_at(session, desk, Status.CLOSED)
    for actor, ticket in (("cs", complaint), ("cs", fresh), ("cs", closed), ("manager", closed)):
        reasons = queries.drop_refusals(session, desk[actor], ticket.id)
        allowed = set(workflow.drop_targets(desk[actor], ticket.status, ticket.assignee_id,
                                            needs_callback=ticket.kind != "inquiry"))
        assert set(reasons) == {str(s) for s in queries.DROP_STATUSES} - allowed - {str(ticket.status)}
        for target, key in reasons.items():
            with pytest.raises(DomainError) as refused:  # a crafted drop there is refused, with the same reason
                actions.drop(session, actor=desk[actor], ticket_id=ticket.id, expected_version=ticket.version,
                             to_status=target, data=ActionInput(reason="试试看能否", resolution="已处理"), now=LATER)
            assert refused.value.key == key
    assert queries.drop_refusals(session, desk["cs"], complaint.id)["closed"] == "tickets.close_needs_callback"
    assert queries.drop_refusals(session, desk["cs"], fresh.id)["in_progress"] == "tickets.assign_first"
    assert queries.drop_refusals(session, desk["cs"], closed.id)["in_progress"] == "tickets.reopen_closed_needs_manager"
    assert "in_progress" not in queries.drop_refusals(session, desk["manager"], closed.id)
