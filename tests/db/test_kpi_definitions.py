"""Each KPI definition of the README on a few hand-made tickets, with the numbers worked out by hand."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from pm_admin.dashboards import kpis
from pm_admin.dashboards.kpi_report import kpi_report
from pm_admin.dashboards.periods import period_for
from pm_admin.dashboards.rollups import rebuild
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import registry as owner_registry
from pm_admin.settings import PROJECT_ROOT
from pm_admin.tickets.models import TicketCategory
from pm_admin.tickets.services import actions, callbacks, handling, registration
from pm_admin.tickets.services.actions import ActionInput
from pm_admin.tickets.services.callbacks import CallbackInput
from pm_admin.tickets.services.registration import TicketInput
from tests.support import factories
from tests.support.database import upgrade

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
NOVEMBER = period_for("this_month", TODAY)  # 1–20 November, "now" 20 Nov 12:00


@pytest.fixture
def desk(session):
    community, _, unit, room = factories.place_tree(session)
    rooms = [room] + [factories.room(session, unit, number=f"{n}01", floor=n) for n in range(2, 5)]
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    for n, each in enumerate(rooms):  # four households
        owner_registry.create_owner(session, actor=manager, room_id=each.id, started_on=date(2020, 1, 1),
                                    data=owner_input.OwnerInput(name=f"业主{n}", phones=[f"1380000000{n}"]))
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(community,)))
    tech = factories.user(session, "technician", communities=(community,))
    executive = factories.sign_in(session, factories.user(session, "executive", all_communities=True))
    return {"community": community, "rooms": rooms, "cs": cs, "manager": manager, "tech": tech,
            "executive": executive}


def category_id(session, code: str) -> int:
    return session.exec(select(TicketCategory.id).where(TicketCategory.code == code)).one()


def ticket(session, desk, at, *, kind="complaint", code="cleaning", tier="normal", room=0):
    return registration.create_ticket(session, actor=desk["cs"], now=at, data=TicketInput(
        kind=kind, category_id=category_id(session, code), tier=tier, channel="hotline", title="楼道卫生",
        room_id=desk["rooms"][room].id if room is not None else None,
        community_id=desk["community"].id if room is None else None))


def move(session, desk, item, to, at, **data):
    return actions.drop(session, actor=desk["cs"], ticket_id=item.id, expected_version=item.version, to_status=to,
                         data=ActionInput(**data), now=at)


def resolve(session, desk, item, at, work=timedelta(hours=2)):
    move(session, desk, item, "assigned", at, assignee_id=desk["tech"].id)
    move(session, desk, item, "in_progress", at)
    return move(session, desk, item, "resolved", at + work, resolution="已处理")


def call(session, desk, item, at, *, reached=True, satisfied=True):
    scores = {s: 5 for s in callbacks.SCORES} if item.kind == "repair" and reached else {}
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=item.id, now=at, data=CallbackInput(
        method="phone", reached=reached, satisfied=satisfied if reached else None, **scores))


def report(session, desk, period=NOVEMBER, now=NOW) -> dict:
    rebuild(session)  # the month rollups, as the listener keeps them (a rebuild gives the same rows)
    return kpis.report(session, desk["executive"], period, desk["community"].id, now=now)


def test_callback_rate_counts_rounds_due_in_the_period_reached_by_their_due_time(session, desk):
    on_time = resolve(session, desk, ticket(session, desk, datetime(2026, 11, 2, 2, tzinfo=UTC)),
                      datetime(2026, 11, 2, 3, tzinfo=UTC))
    call(session, desk, on_time, datetime(2026, 11, 3, 2, tzinfo=UTC))  # due 4 Nov 05:00: reached in time
    late = resolve(session, desk, ticket(session, desk, datetime(2026, 11, 5, 2, tzinfo=UTC), room=1),
                   datetime(2026, 11, 5, 3, tzinfo=UTC))
    call(session, desk, late, datetime(2026, 11, 9, 2, tzinfo=UTC))  # due 7 Nov 05:00: reached, but late
    lost = resolve(session, desk, ticket(session, desk, datetime(2026, 11, 10, 2, tzinfo=UTC), room=2),
                   datetime(2026, 11, 10, 3, tzinfo=UTC))
    for day in (10, 11, 12):
        call(session, desk, lost, datetime(2026, 11, day, 8, tzinfo=UTC), reached=False)
    not_yet = resolve(session, desk, ticket(session, desk, datetime(2026, 11, 19, 2, tzinfo=UTC), room=3),
                      datetime(2026, 11, 19, 3, tzinfo=UTC))  # due 21 Nov: not a miss yet
    anonymous = resolve(session, desk, ticket(session, desk, datetime(2026, 11, 2, 2, tzinfo=UTC), kind="anonymous",
                                              room=None), datetime(2026, 11, 2, 3, tzinfo=UTC))
    repair = resolve(session, desk, ticket(session, desk, datetime(2026, 11, 1, 2, tzinfo=UTC), kind="repair",
                                           code="home_repair"), datetime(2026, 11, 1, 3, tzinfo=UTC))
    call(session, desk, repair, datetime(2026, 11, 7, 2, tzinfo=UTC))  # due 8 Nov 05:00 (7 days): in time
    assert not_yet.status == anonymous.status == "resolved"
    figures = report(session, desk)
    # Due in 1–20 Nov by 12:00: on_time, late, lost, repair. Reached by the due time: on_time, repair.
    assert figures["callback_rate"] == {"value": 0.5, "numerator": 2, "denominator": 4}
    assert figures["callbacks_unreachable"] == {"value": 1, "numerator": 1, "denominator": None}
    assert figures["repair_callback_rate"] == {"value": 1.0, "numerator": 1, "denominator": 1}


def test_sla_and_time_to_resolve_count_rounds_with_their_tier_at_resolution(session, desk):
    quick = resolve(session, desk, ticket(session, desk, datetime(2026, 11, 3, 1, tzinfo=UTC)),
                    datetime(2026, 11, 3, 1, 30, tzinfo=UTC))  # 2.5 h active, in time
    slow = ticket(session, desk, datetime(2026, 11, 4, 1, tzinfo=UTC), tier="urgent", room=1)
    move(session, desk, slow, "assigned", datetime(2026, 11, 4, 1, 5, tzinfo=UTC), assignee_id=desk["tech"].id)
    move(session, desk, slow, "in_progress", datetime(2026, 11, 4, 1, 10, tzinfo=UTC))
    move(session, desk, slow, "on_hold", datetime(2026, 11, 4, 2, tzinfo=UTC), reason="等配件",
         hold_until="2026-11-05")
    move(session, desk, slow, "in_progress", datetime(2026, 11, 4, 6, tzinfo=UTC))  # 4 h on hold
    move(session, desk, slow, "resolved", datetime(2026, 11, 4, 10, tzinfo=UTC), resolution="已修好")
    # 9 h wall clock − 4 h hold = 5 h active; urgent's 4 h target (shifted by the hold: due 09:00) was missed.
    call(session, desk, quick, datetime(2026, 11, 4, 3, tzinfo=UTC), satisfied=False)  # reopened: round 2
    handling.change_tier(session, actor=desk["cs"], ticket_id=quick.id, tier="important",
                         now=datetime(2026, 11, 4, 4, tzinfo=UTC))
    move(session, desk, quick, "resolved", datetime(2026, 11, 4, 5, tzinfo=UTC), resolution="再次清运")
    figures = report(session, desk)
    assert figures["sla_compliance_normal"] == {"value": 1.0, "numerator": 1, "denominator": 1}
    assert figures["sla_compliance_urgent"] == {"value": 0.0, "numerator": 0, "denominator": 1}
    assert figures["sla_compliance_important"] == {"value": 1.0, "numerator": 1, "denominator": 1}
    # Round 1 of quick: 2.5 h; slow: 5 h; round 2 of quick: from the reopening (03:00) to 05:00 = 2 h.
    assert figures["mean_hours_to_resolve"]["numerator"] == pytest.approx(9.5)
    assert figures["mean_hours_to_resolve"]["value"] == pytest.approx(9.5 / 3)


def test_valid_complaints_count_live_complaints_and_the_undecided_beside_them(session, desk):
    valid = ticket(session, desk, datetime(2026, 11, 3, 2, tzinfo=UTC))
    handling.mark_valid_complaint(session, actor=desk["manager"], ticket_id=valid.id, valid=True)
    ticket(session, desk, datetime(2026, 11, 4, 2, tzinfo=UTC), room=1)  # not judged yet
    withdrawn = ticket(session, desk, datetime(2026, 11, 5, 2, tzinfo=UTC), room=2)
    move(session, desk, withdrawn, "cancelled", datetime(2026, 11, 5, 3, tzinfo=UTC), reason="业主撤回")
    figures = report(session, desk)
    assert figures["valid_complaint_rate"] == {"value": 0.25, "numerator": 1, "denominator": 4}
    assert figures["complaints_undecided"]["value"] == 1


def test_a_single_back_dated_ticket_gives_no_year_on_year_change(session, desk):
    """Today's code: one complaint dated a year back and 149 now read as +14,800 %. The comparison needs the
    scope's recorded history to cover the year-earlier dates."""
    ticket(session, desk, datetime(2025, 11, 2, 2, tzinfo=UTC))
    for n in range(3):
        ticket(session, desk, datetime(2026, 11, 2 + n, 2, tzinfo=UTC), room=n)
    assert report(session, desk)["complaint_rate_change"]["value"] is None
    ticket(session, desk, datetime(2025, 10, 25, 2, tzinfo=UTC), room=3)  # history from before 1 Nov 2025
    change = report(session, desk)["complaint_rate_change"]
    # 3 complaints ÷ 4 households now, 1 ÷ 4 a year earlier (the same households then): a rate 3 times as high.
    assert change == {"value": pytest.approx(2.0), "numerator": 0.75, "denominator": 0.25}


def test_repeats_are_complaints_of_complaints_and_rework_is_repairs_of_repairs(session, desk):
    first = ticket(session, desk, datetime(2026, 11, 2, 2, tzinfo=UTC))
    second = ticket(session, desk, datetime(2026, 11, 9, 2, tzinfo=UTC))
    assert second.repeat_of_id == first.id
    ticket(session, desk, datetime(2026, 11, 10, 2, tzinfo=UTC), kind="repair", code="cleaning")
    ticket(session, desk, datetime(2026, 11, 12, 2, tzinfo=UTC), kind="repair", code="cleaning")
    ticket(session, desk, datetime(2026, 11, 13, 2, tzinfo=UTC), kind="repair", code="cleaning", room=1)
    figures = report(session, desk)
    assert figures["repeat_complaint_rate"] == {"value": 0.5, "numerator": 1, "denominator": 2}
    assert figures["rework_rate"] == {"value": pytest.approx(1 / 3), "numerator": 1, "denominator": 3}
    assert figures["reopen_rate"] == {"value": 0.0, "numerator": 0, "denominator": 5}


def test_a_closed_period_keeps_its_figures_when_tickets_move_on(session, desk):
    item = resolve(session, desk, ticket(session, desk, datetime(2026, 10, 5, 2, tzinfo=UTC)),
                   datetime(2026, 10, 5, 3, tzinfo=UTC))
    call(session, desk, item, datetime(2026, 10, 6, 2, tzinfo=UTC))
    october = period_for("last_month", TODAY)
    before = report(session, desk, october)
    actions.drop(session, actor=desk["manager"], ticket_id=item.id, expected_version=item.version,
                  to_status="in_progress", data=ActionInput(reason="业主再次反映"), now=NOW)  # reopened in November
    handling.change_tier(session, actor=desk["cs"], ticket_id=item.id, tier="urgent", now=NOW)
    move(session, desk, item, "cancelled", NOW + timedelta(hours=1), reason="重复登记")
    after = report(session, desk, october, now=NOW + timedelta(hours=2))
    for name in ("sla_compliance_normal", "mean_hours_to_resolve", "callback_rate"):
        assert after[name] == before[name], name


def test_kpi_report_prints_every_figure_with_numerator_and_denominator(session, desk, tmp_path):
    ticket(session, desk, datetime(2026, 11, 3, 2, tzinfo=UTC))
    found = kpi_report(session, "this_month", desk["community"].code, now=NOW)
    assert found["period"] == {"key": "this_month", "start": "2026-11-01", "end": "2026-11-20"}
    assert found["community"] == desk["community"].code
    assert set(kpis.REPORT_NAMES) <= set(found["kpis"])
    assert all(set(figure) == {"value", "numerator", "denominator"} for figure in found["kpis"].values())
    # The command itself, on a database of its own.
    url = f"sqlite:///{tmp_path}/report.db"
    upgrade(url)
    environ = {**os.environ, "DATABASE_URL": url, "PM_DATA_DIR": str(tmp_path)}
    printed = subprocess.run([sys.executable, "-m", "pm_admin.cli", "kpi-report", "--period", "last_12_months",
                              "--community", "all", "--format", "json"], env=environ, cwd=PROJECT_ROOT,
                             capture_output=True, text=True, timeout=120, check=True)
    shape = json.loads(printed.stdout)
    assert shape["community"] == "all" and shape["kpis"]["callback_rate"] == {"value": None, "numerator": 0,
                                                                            "denominator": 0}
    refused = subprocess.run([sys.executable, "-m", "pm_admin.cli", "kpi-report", "--community", "NOPE"],
                             env=environ, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "NOPE" in refused.stderr and "Traceback" not in refused.stderr
