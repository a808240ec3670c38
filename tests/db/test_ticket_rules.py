"""The ticket rules of issue 11, on hand-made tickets: the contact a callback needs, anonymous feedback and
kinds without callbacks, a new plan after reopening, rounds that keep history, repeats that look back only,
the daily review, validity decisions, and rollups that follow a settings change."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.core.errors import DomainError, PermissionDenied, ValidationFailed
from pm_admin.dashboards.models import TicketMonthStats
from pm_admin.dashboards.rollups import rebuild, rollup_rows
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import registry as owner_registry
from pm_admin.tickets import queries
from pm_admin.tickets.models import Notification, SlaBreach, Status, TicketCategory, TicketRound
from pm_admin.tickets.services import actions, callbacks, catalog, handling, registration, review
from pm_admin.tickets.services.actions import ActionInput
from pm_admin.tickets.services.callbacks import CallbackInput
from pm_admin.tickets.services.contact import ContactInput
from pm_admin.tickets.services.registration import TicketInput
from tests.support import factories
from tests.support.ticket_desk import NOW, category


@pytest.fixture
def desk(session):
    community, _, unit, room = factories.place_tree(session)
    manager_user = factories.user(session, "manager", communities=(community,))
    cs_user = factories.user(session, "cs", communities=(community,))
    tech_user = factories.user(session, "technician", communities=(community,))
    other_tech = factories.user(session, "technician", communities=(community,))
    manager = factories.sign_in(session, manager_user)
    owner_registry.create_owner(session, actor=manager, room_id=room.id, started_on=date(2020, 1, 1),
                                data=owner_input.OwnerInput(name="张三", phones=["13812345678"]))
    return {"community": community, "room": room, "other_room": factories.room(session, unit, number="102"),
            "manager_user": manager_user, "manager": manager, "cs_user": cs_user,
            "cs": factories.sign_in(session, cs_user), "tech_user": tech_user, "tech": factories.sign_in(session, tech_user),
            "other_tech": factories.sign_in(session, other_tech)}


def new(session, desk, *, kind="complaint", code="cleaning", tier="normal", room="room", now=NOW, **extra):
    data = TicketInput(kind=kind, category_id=category(session, code).id, tier=tier, channel="hotline",
                       title=extra.pop("title", "楼道垃圾未清运"), room_id=desk[room].id if room else None, **extra)
    return registration.create_ticket(session, actor=desk["cs"], data=data, now=now)


def step(session, desk, ticket, to, actor="cs", at=None, **data):
    return actions.drop(session, actor=desk[actor], ticket_id=ticket.id, expected_version=ticket.version,
                         to_status=to, data=ActionInput(**data), now=at or NOW + timedelta(minutes=5))


def resolved(session, desk, ticket, at):
    step(session, desk, ticket, "assigned", at=at - timedelta(minutes=30), assignee_id=desk["tech_user"].id)
    step(session, desk, ticket, "in_progress", at=at - timedelta(minutes=20))
    return step(session, desk, ticket, "resolved", at=at, resolution="已处理")


def rounds_of(session, ticket) -> list[TicketRound]:
    return list(session.exec(select(TicketRound).where(TicketRound.ticket_id == ticket.id)
                             .order_by(TicketRound.number)).all())


# ---------------------------------------------------------------- 1. the contact


def test_a_ticket_names_its_contact_the_rooms_owner_unless_the_desk_names_someone_else(session, desk):
    by_default = new(session, desk)
    assert (by_default.contact_name, by_default.contact_relation) == ("张三", "owner")
    assert by_default.contact_phone_enc and "13812345678" not in by_default.contact_phone_enc
    assert queries.ticket_detail(session, desk["cs"], by_default.id)["contact_phone"] == "138****5678"
    daughter = new(session, desk, room="room", code="noise", contact=ContactInput(
        name="张小红", phone="13900001111", relation="family", preferred_time="晚上七点后"))
    assert (daughter.contact_name, daughter.contact_relation, daughter.contact_time) == ("张小红", "family", "晚上七点后")
    with pytest.raises(ValidationFailed) as refused:
        new(session, desk, code="noise", contact=ContactInput(name="x", phone="12345"))
    assert set(refused.value.fields) == {"contact_phone"}
    with pytest.raises(ValidationFailed) as refused:  # anonymous feedback names nobody
        new(session, desk, kind="anonymous", room=None, community_id=desk["community"].id,
            contact=ContactInput(name="匿名者", phone="13900001111"))
    assert set(refused.value.fields) == {"contact_name"}


def test_the_phone_is_shown_for_the_call_or_the_visit_only_and_each_read_is_audited(session, desk):
    ticket = new(session, desk, kind="repair", code="home_repair")
    with pytest.raises(PermissionDenied):  # not resolved: no callback is due
        callbacks.contact_phone_for_task(session, actor=desk["cs"], ticket_id=ticket.id, task="callback")
    step(session, desk, ticket, "assigned", assignee_id=desk["tech_user"].id)
    assert callbacks.contact_phone_for_task(session, actor=desk["tech"], ticket_id=ticket.id, task="visit") == \
        "13812345678"
    with pytest.raises(PermissionDenied):  # another technician's order
        callbacks.contact_phone_for_task(session, actor=desk["other_tech"], ticket_id=ticket.id, task="visit")
    step(session, desk, ticket, "in_progress", actor="tech")
    step(session, desk, ticket, "resolved", actor="tech", resolution="已修好")
    assert callbacks.contact_phone_for_task(session, actor=desk["cs"], ticket_id=ticket.id, task="callback") == \
        "13812345678"
    with pytest.raises(PermissionDenied):  # the visit is over
        callbacks.contact_phone_for_task(session, actor=desk["tech"], ticket_id=ticket.id, task="visit")
    reads = session.exec(select(AuditEvent).where(AuditEvent.action == "ticket.contact_read",
                                                  AuditEvent.entity_id == str(ticket.id)).order_by(AuditEvent.id)).all()
    assert [(r.actor_user_id, r.changes["task"], r.changes["code"]) for r in reads] == [
        (desk["tech_user"].id, "visit", ticket.code), (desk["cs_user"].id, "callback", ticket.code)]


def test_staff_are_shown_by_name_and_callbacks_numbered_across_rounds(session, desk):
    ticket = resolved(session, desk, new(session, desk), NOW + timedelta(hours=1))
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id, now=NOW + timedelta(hours=2),
                              data=CallbackInput(method="phone", reached=True, satisfied=False, comment="还是脏"))
    step(session, desk, ticket, "resolved", at=NOW + timedelta(hours=3), resolution="再次清运")
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id, now=NOW + timedelta(hours=4),
                              data=CallbackInput(method="phone", reached=True, satisfied=True))
    done = queries.callbacks(session, desk["cs"], ticket.id)
    assert [c["number"] for c in done] == ["#1", "#2"] and {c["done_by"] for c in done} == {"测试用户"}
    actors = {e["actor"] for e in queries.timeline(session, desk["cs"], ticket.id)}
    assert desk["cs_user"].username not in actors and "测试用户" in actors


# ---------------------------------------------------------------- 2. no callback for anonymous feedback


def test_anonymous_feedback_is_closed_with_a_note_and_never_called_back(session, desk):
    ticket = new(session, desk, kind="anonymous", room=None, community_id=desk["community"].id)
    resolved(session, desk, ticket, NOW + timedelta(hours=1))
    with pytest.raises(ValidationFailed) as refused:
        callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id,
                                  data=CallbackInput(method="phone", reached=True, satisfied=True))
    assert refused.value.fields["method"][0] == "tickets.no_callback_for_kind"
    assert ticket.id not in [row["id"] for row in queries.callback_queue(session, desk["cs"])]
    assert rounds_of(session, ticket)[0].callback_due_at is None  # outside every callback denominator
    step(session, desk, ticket, "closed", at=NOW + timedelta(hours=2), reason="已在公告栏答复")
    assert ticket.status == Status.CLOSED and ticket.closed_at is not None


def test_inquiries_need_a_callback_only_when_the_setting_says_so(session, desk):
    first = resolved(session, desk, new(session, desk, kind="inquiry"), NOW + timedelta(hours=1))
    assert rounds_of(session, first)[0].callback_due_at is None
    with pytest.raises(DomainError):  # a kind that needs a callback is not closed with a note
        step(session, desk, resolved(session, desk, new(session, desk, code="noise"), NOW + timedelta(hours=1)),
             "closed", reason="直接结案")
    catalog.save_kind_setting(session, actor=factories.sign_in(session, factories.user(session, "admin",
                                                                                         all_communities=True)),
                              kind="inquiry", needs_callback=True, callback_days=3)
    later = resolved(session, desk, new(session, desk, kind="inquiry", code="noise"), NOW + timedelta(hours=2))
    assert rounds_of(session, later)[0].callback_due_at == NOW + timedelta(hours=2, days=3)
    assert rounds_of(session, first)[0].callback_due_at is None  # a resolved round keeps its rule


# ---------------------------------------------------------------- 3. a new plan after reopening


def test_a_reopened_important_ticket_waits_for_a_new_plan_approval(session, desk):
    ticket = new(session, desk, tier="important")
    handling.submit_plan(session, actor=desk["cs"], ticket_id=ticket.id, plan="先清运再消毒")
    handling.approve_plan(session, actor=desk["manager"], ticket_id=ticket.id)
    resolved(session, desk, ticket, NOW + timedelta(hours=2))
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id, now=NOW + timedelta(hours=3),
                              data=CallbackInput(method="phone", reached=True, satisfied=False))
    assert (ticket.status, ticket.plan, ticket.plan_approved_at) == (Status.ASSIGNED, "", None)
    with pytest.raises(ValidationFailed) as refused:
        step(session, desk, ticket, "in_progress", at=NOW + timedelta(hours=4))
    assert "plan" in refused.value.fields
    assert session.exec(select(Notification).where(Notification.ticket_id == ticket.id,
                                                   Notification.message_key == "tickets.plan_again")).first()
    handling.submit_plan(session, actor=desk["cs"], ticket_id=ticket.id, plan="换用加盖垃圾桶")
    handling.approve_plan(session, actor=desk["manager"], ticket_id=ticket.id)
    step(session, desk, ticket, "in_progress", at=NOW + timedelta(hours=5))


# ---------------------------------------------------------------- 4. rounds keep history


def test_each_resolution_is_a_round_and_a_reopening_never_rewrites_the_first(session, desk):
    ticket = new(session, desk)
    resolved(session, desk, ticket, NOW + timedelta(hours=1))
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id, now=NOW + timedelta(days=3),
                              data=CallbackInput(method="phone", reached=True, satisfied=False))
    step(session, desk, ticket, "on_hold", at=NOW + timedelta(days=3, hours=1), reason="等配件",
         hold_until=str((NOW + timedelta(days=5)).date()))
    step(session, desk, ticket, "in_progress", at=NOW + timedelta(days=3, hours=3))
    step(session, desk, ticket, "resolved", at=NOW + timedelta(days=3, hours=4), resolution="已换配件")
    first, second = rounds_of(session, ticket)
    assert (first.started_at, first.resolved_at) == (NOW, NOW + timedelta(hours=1))
    assert first.active_seconds == 3600 and first.callback_reached_at == NOW + timedelta(days=3)
    assert first.callback_due_at == NOW + timedelta(hours=1, days=2)  # reached after its due time: late
    assert (second.started_at, second.hold_seconds, second.active_seconds) == (
        NOW + timedelta(days=3), 7200, 7200)


def test_a_tier_change_after_reopening_counts_from_the_reopening(session, desk):
    ticket = new(session, desk, code="noise")
    resolved(session, desk, ticket, NOW + timedelta(hours=1))
    reopened_at = NOW + timedelta(days=20)
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id, now=reopened_at,
                              data=CallbackInput(method="phone", reached=True, satisfied=False))
    handling.change_tier(session, actor=desk["cs"], ticket_id=ticket.id, tier="urgent", now=reopened_at)
    assert ticket.resolve_due == reopened_at + timedelta(hours=4)  # not from registration, 20 days ago
    step(session, desk, ticket, "resolved", at=reopened_at + timedelta(hours=1), resolution="已处理")
    assert not session.exec(select(SlaBreach).where(SlaBreach.ticket_id == ticket.id,
                                                    SlaBreach.milestone == "resolve")).all()
    assert rounds_of(session, ticket)[1].tier == "urgent" and not rounds_of(session, ticket)[1].breached
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=ticket.id, now=reopened_at + timedelta(hours=2),
                              data=CallbackInput(method="phone", reached=True, satisfied=True))
    with pytest.raises(DomainError) as refused:
        handling.change_tier(session, actor=desk["cs"], ticket_id=ticket.id, tier="normal")
    assert refused.value.key == "tickets.tier_of_finished"


# ---------------------------------------------------------------- 5. repeats look back only


def test_repeats_link_only_to_an_earlier_ticket_of_the_same_kind(session, desk):
    later = new(session, desk, now=NOW)
    earlier = new(session, desk, now=NOW - timedelta(days=3))  # registered afterwards, dated before
    assert earlier.repeat_of_id is None  # never linked to a later ticket
    repeat = new(session, desk, now=NOW + timedelta(days=1))
    assert repeat.repeat_of_id == later.id
    repair = new(session, desk, kind="repair", code="cleaning", now=NOW + timedelta(days=2))
    assert repair.repeat_of_id is None  # a repair after complaints is not their repeat
    assert new(session, desk, kind="repair", code="cleaning", now=NOW + timedelta(days=3)).repeat_of_id == repair.id


# ---------------------------------------------------------------- 6. the daily review


def test_the_daily_review_lists_holds_names_the_missed_deadline_and_counts_what_it_lists(session, desk):
    now = datetime.now(UTC)
    late = new(session, desk, tier="urgent", code="water_power", now=now - timedelta(hours=5))
    held = new(session, desk, code="noise", now=now - timedelta(days=4))
    held_day = (now - timedelta(days=4)).astimezone(DISPLAY_ZONE).date()  # the day in Shanghai, as the form gives it
    step(session, desk, held, "assigned", at=now - timedelta(days=4), assignee_id=desk["tech_user"].id)
    step(session, desk, held, "in_progress", at=now - timedelta(days=4))
    step(session, desk, held, "on_hold", at=now - timedelta(days=4), reason="等业主在家",
         hold_until=str(held_day))
    found = review.daily_review(session, desk["cs"], now=now)
    rows = {row["code"]: row for group in found["groups"] for row in group["tickets"]}
    assert rows[late.code]["missed"] == "respond" and rows[held.code]["missed"] == "hold"
    assert rows[held.code]["hold_until"] == str(held_day)
    assert found["figures"]["overdue"] == sum(1 for row in rows.values() if row["missed"]) == 2
    assert review.notify_overdue_holds(session, now=now) == 1
    told = {n.user_id for n in session.exec(select(Notification).where(
        Notification.ticket_id == held.id, Notification.message_key == "tickets.hold_overdue")).all()}
    assert told == {desk["tech_user"].id, desk["manager_user"].id}
    assert review.notify_overdue_holds(session, now=now) == 0  # once per hold


# ---------------------------------------------------------------- 7. validity of live complaints only


def test_a_cancelled_complaint_is_not_judged(session, desk):
    ticket = new(session, desk)
    step(session, desk, ticket, "cancelled", reason="业主撤回")
    with pytest.raises(DomainError) as refused:
        handling.mark_valid_complaint(session, actor=desk["manager"], ticket_id=ticket.id, valid=True)
    assert refused.value.key == "tickets.valid_needs_live_complaint"


# ---------------------------------------------------------------- 13. rollups follow a settings change


def test_moving_a_sub_category_moves_its_tickets_in_the_rollups_at_once(session, desk):
    new(session, desk, code="noise")
    new(session, desk, code="cleaning")
    noise = category(session, "noise")
    other_top = session.exec(select(TicketCategory).where(TicketCategory.parent_id.is_(None),
                                                          TicketCategory.id != noise.parent_id)).first()
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    catalog.save_category(session, actor=admin, category_id=noise.id, data=catalog.CategoryInput(
        name_zh=noise.name_zh, name_en=noise.name_en, parent_id=other_top.id, department_id=noise.department_id))
    kept = rollup_rows(session, TicketMonthStats)
    rebuild(session)
    assert rollup_rows(session, TicketMonthStats) == kept  # the same as a recomputation from the tickets
    assert any(key[2] == other_top.id for key in kept)
