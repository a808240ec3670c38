"""The ticket workflow: routing, SLA clocks, plans, callbacks until the owner is satisfied, repeats."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from pm_admin.core.errors import ConcurrencyConflict, DomainError, PermissionDenied, ValidationFailed
from pm_admin.core.paging import PageRequest
from pm_admin.tickets import queries
from pm_admin.tickets.models import Notification, SlaBreach, Status, Ticket, TicketEvent
from pm_admin.tickets.services import actions, callbacks, handling, registration, review
from pm_admin.tickets.services.actions import ActionInput, NeedsInput
from pm_admin.tickets.services.callbacks import CallbackInput
from pm_admin.tickets.services.registration import TicketInput
from tests.support import factories
from tests.support.ticket_desk import NOW, category, new_ticket


def step(session, desk, ticket, to, actor="cs", now=None, **data):
    return actions.drop(session, actor=desk[actor], ticket_id=ticket.id, expected_version=ticket.version,
                         to_status=to, data=ActionInput(**data), now=now or NOW + timedelta(minutes=5))


def test_creation_numbers_the_day_and_sets_deadlines_from_the_matrix(session, desk):
    first = new_ticket(session, desk, tier="urgent")
    second = new_ticket(session, desk, tier="normal", code="noise")
    assert first.code.startswith("TS-20261122-") and int(second.code[-4:]) == int(first.code[-4:]) + 1
    assert (first.respond_due - NOW, first.onsite_due - NOW, first.resolve_due - NOW) == (
        timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=4))
    assert (second.respond_due - NOW, second.onsite_due, second.resolve_due - NOW) == (
        timedelta(hours=4), None, timedelta(hours=72))
    assert first.owner_id is None and first.department_id == category(session, "cleaning").department_id
    # The urgent one reached the community's manager at once; the normal one did not.
    notes = session.exec(select(Notification).where(Notification.user_id == desk["manager_user"].id)).all()
    assert [n.ticket_id for n in notes] == [first.id]


def test_bad_input_is_reported_per_field(session, desk):
    with pytest.raises(ValidationFailed) as error:
        registration.create_ticket(session, actor=desk["cs"], data=TicketInput(
            kind="gossip", category_id="x", tier="urgent", channel="hotline", title=" "), now=NOW)
    assert set(error.value.fields) == {"kind", "category_id", "title", "room_id"}
    with pytest.raises(ValidationFailed) as error:  # an anonymous report must not name a room
        new_ticket(session, desk, kind="anonymous")
    assert set(error.value.fields) == {"room_id"}
    anonymous = new_ticket(session, desk, kind="anonymous", room=None, community_id=desk["community"].id)
    assert anonymous.room_id is None and anonymous.owner_id is None


def test_the_happy_path_writes_a_timeline(session, desk):
    ticket = new_ticket(session, desk)
    with pytest.raises(DomainError) as refused:
        step(session, desk, ticket, "in_progress")
    assert refused.value.key == "tickets.assign_first"
    with pytest.raises(NeedsInput) as needs:
        step(session, desk, ticket, "assigned")
    assert needs.value.fields == ("assignee_id",)
    step(session, desk, ticket, "assigned", assignee_id=desk["tech_user"].id)
    assert ticket.responded_at == NOW + timedelta(minutes=5)
    step(session, desk, ticket, "in_progress", actor="tech")
    with pytest.raises(NeedsInput):
        step(session, desk, ticket, "resolved", actor="tech")
    step(session, desk, ticket, "resolved", actor="tech", resolution="已清运并消毒")
    with pytest.raises(DomainError) as refused:
        step(session, desk, ticket, "closed")
    assert refused.value.key == "tickets.close_needs_callback"
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id,
                             data=CallbackInput(method="phone", reached=True, satisfied=True, comment="满意"))
    assert ticket.status == Status.CLOSED and ticket.closed_at is not None
    events = [(e["kind"], e["to"]) for e in queries.timeline(session, desk["cs"], ticket.id)]
    assert events == [("created", "new"), ("status", "assigned"), ("status", "in_progress"),
                      ("status", "resolved"), ("callback_satisfied", "closed")]
    assert session.exec(select(SlaBreach).where(SlaBreach.ticket_id == ticket.id)).all() == []


def test_unsatisfied_callbacks_reopen_until_the_owner_is_satisfied(session, desk):
    ticket = new_ticket(session, desk, kind="repair", code="water_power")
    step(session, desk, ticket, "assigned", assignee_id=desk["tech_user"].id)
    step(session, desk, ticket, "in_progress", actor="tech")
    step(session, desk, ticket, "resolved", actor="tech", resolution="更换水龙头")
    with pytest.raises(ValidationFailed) as error:  # repairs are scored on five indicators
        callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id,
                                 data=CallbackInput(method="phone", reached=True, satisfied=False, attitude="9"))
    assert set(error.value.fields) == {"attitude", "efficiency", "skill", "result", "overall"}
    later = NOW + timedelta(days=2)
    scores = dict(attitude=4, efficiency=2, skill=3, result=2, overall=2)
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id, now=later,
                             data=CallbackInput(method="visit", reached=True, satisfied=False, comment="仍漏水", **scores))
    assert (ticket.status, ticket.reopen_count) == (Status.IN_PROGRESS, 1)
    assert ticket.resolve_due == later + timedelta(hours=72)  # a fresh resolution window
    step(session, desk, ticket, "resolved", actor="tech", resolution="更换阀芯", now=later + timedelta(hours=1))
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id, data=CallbackInput(
        method="phone", reached=True, satisfied=True, **{k: 5 for k in scores}))
    assert ticket.status == Status.CLOSED
    assert [c["satisfied"] for c in queries.callbacks(session, desk["cs"], ticket.id)] == ["false", "true"]


def test_unreachable_owners_get_three_attempts_then_the_manager_decides(session, desk):
    ticket = new_ticket(session, desk)
    step(session, desk, ticket, "assigned", assignee_id=desk["tech_user"].id)
    step(session, desk, ticket, "in_progress", actor="tech")
    step(session, desk, ticket, "resolved", actor="tech", resolution="已处理")
    with pytest.raises(ValidationFailed):  # not before three tries
        callbacks.close_unreachable(session, actor=desk["manager"], ticket_id=ticket.id, reason="联系不上")
    for attempt in range(1, 4):
        callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id, now=NOW + timedelta(days=attempt),
                                 data=CallbackInput(method="phone", reached=False))
        assert ticket.status == Status.RESOLVED and ticket.callback_attempts == attempt
    assert ticket.next_callback_at is None
    assert session.exec(select(Notification).where(Notification.ticket_id == ticket.id,
                                                   Notification.message_key == "tickets.unreachable_notice")).one()
    with pytest.raises(ValidationFailed):
        callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id,
                                 data=CallbackInput(method="phone", reached=False))
    with pytest.raises(PermissionDenied):
        callbacks.close_unreachable(session, actor=desk["cs"], ticket_id=ticket.id, reason="联系不上")
    callbacks.close_unreachable(session, actor=desk["manager"], ticket_id=ticket.id, reason="三次未接通，短信告知")
    assert ticket.status == Status.CLOSED


def test_important_tickets_need_an_approved_plan_before_work(session, desk):
    ticket = new_ticket(session, desk, tier="important", code="elevator", title="电梯异响")
    step(session, desk, ticket, "assigned", assignee_id=desk["tech_user"].id)
    with pytest.raises(ValidationFailed) as error:
        step(session, desk, ticket, "in_progress", actor="tech")
    assert set(error.value.fields) == {"plan"}
    handling.submit_plan(session, actor=desk["tech"], ticket_id=ticket.id, plan="联系维保单位更换导靴")
    with pytest.raises(PermissionDenied):
        handling.approve_plan(session, actor=desk["cs"], ticket_id=ticket.id)
    handling.approve_plan(session, actor=desk["manager"], ticket_id=ticket.id)
    step(session, desk, ticket, "in_progress", actor="tech")
    assert ticket.status == Status.IN_PROGRESS


def test_hold_pauses_the_clock_and_breaches_are_stored_with_their_size(session, desk):
    ticket = new_ticket(session, desk, tier="urgent", code="water_power", title="地下室跑水")
    late = NOW + timedelta(minutes=40)  # respond due after 15 min
    step(session, desk, ticket, "assigned", assignee_id=desk["tech_user"].id, now=late)
    step(session, desk, ticket, "in_progress", actor="tech", now=late + timedelta(minutes=5))
    breaches = {b.milestone: b.minutes_over for b in session.exec(select(SlaBreach)).all()}
    assert breaches == {"respond": 25, "onsite": 15}
    due = ticket.resolve_due
    with pytest.raises(ValidationFailed) as error:
        step(session, desk, ticket, "on_hold", actor="tech", reason="等", hold_until="2020-01-01", now=late)
    assert set(error.value.fields) == {"reason", "hold_until"}  # one character is not a reason
    step(session, desk, ticket, "on_hold", actor="tech", reason="等待配件到货", hold_until="2026-11-23",
         now=NOW + timedelta(hours=1))
    assert queries.board(session, desk["cs"], queries.TicketFilter(), "urgent",
                         now=NOW + timedelta(hours=2)).cards["on_hold"][0].sla_state == "paused"
    step(session, desk, ticket, "in_progress", actor="tech", now=NOW + timedelta(hours=7))
    assert ticket.resolve_due == due + timedelta(hours=6)  # six hours on hold do not count
    assert ticket.paused_seconds == 6 * 3600


def test_a_stale_card_and_another_community_are_refused(session, desk):
    ticket = new_ticket(session, desk)
    stale = ticket.version
    step(session, desk, ticket, "assigned", assignee_id=desk["tech_user"].id)
    with pytest.raises(ConcurrencyConflict):
        actions.drop(session, actor=desk["cs"], ticket_id=ticket.id, expected_version=stale, to_status="cancelled",
                      data=ActionInput(reason="重复登记"))
    elsewhere = factories.community(session)
    outsider = factories.sign_in(session, factories.user(session, "manager", communities=(elsewhere,)))
    with pytest.raises(PermissionDenied):
        actions.drop(session, actor=outsider, ticket_id=ticket.id, expected_version=ticket.version,
                      to_status="cancelled", data=ActionInput(reason="越权"))
    assert queries.ticket_detail(session, outsider, ticket.id) is None


def test_technicians_work_only_their_own_orders(session, desk):
    mine = new_ticket(session, desk, kind="repair", code="home_repair")
    theirs = new_ticket(session, desk, kind="repair", code="home_repair", room="other_room")
    other_tech = factories.user(session, "technician", communities=(desk["community"],))
    step(session, desk, mine, "assigned", assignee_id=desk["tech_user"].id)
    step(session, desk, theirs, "assigned", assignee_id=other_tech.id)
    with pytest.raises(PermissionDenied):
        step(session, desk, theirs, "in_progress", actor="tech")
    with pytest.raises(PermissionDenied):  # nor may they re-assign
        step(session, desk, mine, "assigned", actor="tech", assignee_id=other_tech.id)
    step(session, desk, mine, "in_progress", actor="tech")
    assert [c["id"] for c in queries.my_orders(session, desk["tech"])] == [mine.id]
    assert queries.ticket_detail(session, desk["tech"], theirs.id) is None
    with pytest.raises(PermissionDenied):
        queries.board(session, desk["tech"], queries.TicketFilter(), "normal")


def test_one_time_enough_links_a_repeat_within_30_days(session, desk):
    first = new_ticket(session, desk, code="noise")
    repeat = new_ticket(session, desk, code="noise", now=NOW + timedelta(days=29))
    unrelated = new_ticket(session, desk, code="pets", now=NOW + timedelta(days=29))
    much_later = new_ticket(session, desk, code="noise", now=NOW + timedelta(days=61))
    assert repeat.repeat_of_id == first.id
    assert unrelated.repeat_of_id is None and much_later.repeat_of_id is None
    detail = queries.ticket_detail(session, desk["cs"], first.id)
    assert [r["code"] for r in detail["related"]] == [repeat.code]


def test_round_robin_assigns_the_department_members_in_turn(session, desk):
    from pm_admin.tickets.services import catalog

    elevator = category(session, "elevator")
    second = factories.user(session, "technician", communities=(desk["community"],))
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    catalog.set_members(session, actor=admin, department_id=elevator.department_id,
                        user_ids=[desk["tech_user"].id, second.id])
    assignees = [new_ticket(session, desk, kind="repair", code="elevator", now=NOW + timedelta(minutes=n)).assignee_id
                 for n in range(3)]
    assert assignees == [desk["tech_user"].id, second.id, desk["tech_user"].id]
    assigned = session.exec(select(Ticket).where(Ticket.assignee_id == second.id)).one()
    assert assigned.status == Status.ASSIGNED


def test_the_board_counts_every_column_but_sends_only_the_first_cards(session, desk):
    for n in range(7):
        new_ticket(session, desk, code="garbage", title=f"垃圾{n}", now=NOW + timedelta(minutes=n))
    ticket = new_ticket(session, desk, code="fire", title="消防通道堵塞")
    step(session, desk, ticket, "assigned", assignee_id=desk["tech_user"].id)
    board = queries.board(session, desk["cs"], queries.TicketFilter(), "normal", limits={"new": 3}, now=NOW)
    assert board.columns["new"] == 7 and board.columns["assigned"] == 1
    assert [c.title for c in board.cards["new"]] == ["垃圾0", "垃圾1", "垃圾2"]
    assert board.tier_counts == {"urgent": 0, "important": 0, "normal": 8}
    mine = queries.board(session, desk["cs"], queries.TicketFilter(assignee_id=desk["tech_user"].id), "normal", now=NOW)
    assert mine.columns["new"] == 0 and [c.code for c in mine.cards["assigned"]] == [ticket.code]
    overdue = queries.board(session, desk["cs"], queries.TicketFilter(overdue=True), "normal",
                            now=NOW + timedelta(hours=5))
    assert overdue.columns["new"] == 7 and overdue.columns["assigned"] == 0  # assigned in time; the rest not


def test_daily_review_groups_late_work_by_department(session, desk):
    late = new_ticket(session, desk, tier="urgent", code="water_power", now=datetime.now(UTC) - timedelta(hours=5))
    new_ticket(session, desk, code="noise", now=datetime.now(UTC))  # days left: not in the review
    today = review.daily_review(session, desk["cs"])
    assert [(g["department"], [t["code"] for t in g["tickets"]]) for g in today["groups"]] == [("工程部", [late.code])]
    assert today["figures"]["overdue"] == 1 and today["figures"]["new"] >= 1
    with pytest.raises(PermissionDenied):
        review.daily_review(session, desk["tech"])


def test_every_step_is_audited_and_public_replies_are_marked(session, desk):
    from pm_admin.core.audit import AuditEvent

    ticket = new_ticket(session, desk)
    handling.add_comment(session, actor=desk["cs"], ticket_id=ticket.id, body="已通知保洁主管", public=False)
    handling.add_comment(session, actor=desk["cs"], ticket_id=ticket.id, body="您好，今天下午处理", public=True)
    events = session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)).all()
    assert [(e.kind, e.public) for e in events] == [("created", False), ("note", False), ("reply", True)]
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity_type == "ticket",
                                                           AuditEvent.entity_id == str(ticket.id))).all()
    assert sorted(actions) == ["ticket.create", "ticket.note", "ticket.reply"]


def test_an_admin_edits_the_sla_matrix_and_the_category_tree(session, desk):
    from pm_admin.tickets.services import catalog

    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    facilities = category(session, "facilities")
    with pytest.raises(PermissionDenied):
        catalog.set_target(session, actor=desk["manager"], tier="urgent", category_id=facilities.id, respond=5,
                           onsite=10, resolve=120)
    with pytest.raises(ValidationFailed) as error:
        catalog.set_target(session, actor=admin, tier="urgent", category_id=facilities.id, respond="abc",
                           onsite="", resolve="0")
    assert set(error.value.fields) == {"respond", "resolve"}
    catalog.set_target(session, actor=admin, tier="urgent", category_id=facilities.id, respond=5, onsite=10,
                       resolve=120)
    ticket = new_ticket(session, desk, tier="urgent", code="elevator")  # a sub-category uses its parent's row
    assert (ticket.respond_due - NOW, ticket.resolve_due - NOW) == (timedelta(minutes=5), timedelta(hours=2))
    cell = next(r for r in catalog.sla_matrix(session) if r["category_id"] == facilities.id)["urgent"]
    assert cell == {"respond": 5, "onsite": 10, "resolve": 120, "own": True}
    handling.change_tier(session, actor=desk["cs"], ticket_id=ticket.id, tier="normal")
    assert ticket.resolve_due - NOW == timedelta(hours=72)  # a tier change re-times the ticket

    lift = catalog.save_category(session, actor=admin, category_id=None, data=catalog.CategoryInput(
        name_zh="电梯困人", parent_id=facilities.id, department_id=facilities.department_id))
    assert lift.code.startswith("custom-") and lift.name_en == "电梯困人"
    with pytest.raises(ValidationFailed) as error:  # two levels only
        catalog.save_category(session, actor=admin, category_id=None,
                              data=catalog.CategoryInput(name_zh="太深", parent_id=lift.id))
    assert set(error.value.fields) == {"parent_id"}


def test_the_overdue_filter_leaves_out_resolved_tickets(session, desk):
    late = new_ticket(session, desk, title="逾期未处理")
    done = new_ticket(session, desk, title="逾期但已解决")
    step(session, desk, done, "assigned", assignee_id=desk["tech_user"].id)
    step(session, desk, done, "in_progress", actor="tech")
    step(session, desk, done, "resolved", actor="tech", resolution="已清运")
    # NOW is days ago: both 72-hour deadlines have passed, but only the unresolved ticket is still late.
    rows = queries.ticket_list(session, desk["cs"], PageRequest(), queries.TicketFilter(overdue=True)).rows
    assert [r.code for r in rows] == [late.code]


def test_a_card_just_moved_shows_first_in_its_column_within_the_limit(session, desk):
    for n in range(5):
        new_ticket(session, desk, code="garbage", title=f"垃圾{n}", now=NOW + timedelta(minutes=n))
    late = new_ticket(session, desk, code="garbage", title="最后登记", now=NOW + timedelta(minutes=9))
    board = queries.board(session, desk["cs"], queries.TicketFilter(), "normal", limits={"new": 3}, now=NOW)
    assert late.id not in [c.id for c in board.cards["new"]]  # its deadline puts it past the first three
    board = queries.board(session, desk["cs"], queries.TicketFilter(), "normal", limits={"new": 3}, first=[late.id],
                          now=NOW)
    assert [c.title for c in board.cards["new"]] == ["最后登记", "垃圾0", "垃圾1"]
    assert board.columns["new"] == 6
    other_tier = queries.board(session, desk["cs"], queries.TicketFilter(), "urgent", first=[late.id], now=NOW)
    assert other_tier.cards["new"] == []  # only where it belongs
