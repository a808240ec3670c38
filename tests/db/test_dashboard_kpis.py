"""The executive dashboard's KPIs against the same figures computed here, in plain Python, from the raw rows.

One community gets a year of demo tickets (bulk-inserted, then rounds and rollups are rebuilt); a second one
gets tickets driven through the ticket services (registration, late assignment, holds, callbacks until the owner
is satisfied, repeats, valid complaints, a tier change, a spike in one building), so rounds and rollups are kept
current as they go. The raw rows are tickets, rounds, breaches, ownerships and arrears rows; nothing below
reuses the KPI or rollup code, except jieba's tokenizer for what a keyword is (``title_keywords``) and
``period_for`` for the period's dates.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections import Counter, defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from sqlmodel import select

from pm_admin.arrears.models import ArrearsCase, FollowUp
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.errors import PermissionDenied
from pm_admin.dashboards import kpis
from pm_admin.dashboards.cards import CARD_KEYS, kpi_cards
from pm_admin.dashboards.files import chart_file
from pm_admin.dashboards.keywords import title_keywords
from pm_admin.dashboards.models import TicketDayStats, TicketKeywordMonth, TicketMonthStats, TicketWeekStats
from pm_admin.dashboards.periods import PERIOD_KEYS, period_for
from pm_admin.dashboards.rollups import rebuild, rollup_rows
from pm_admin.dashboards.tables import CHARTS
from pm_admin.demo.tickets import seed_tickets
from pm_admin.owners.models import Owner, Ownership
from pm_admin.places.models import Room
from pm_admin.tickets.models import SlaBreach, Ticket, TicketCategory, TicketRound
from pm_admin.tickets.services import actions, handling, registration
from pm_admin.tickets.services.actions import ActionInput
from pm_admin.tickets.services.callbacks import SCORES, CallbackInput, record_callback
from pm_admin.tickets.services.registration import TicketInput
from pm_admin.tickets.services.round_history import rebuild as rebuild_rounds
from tests.support import factories
from tests.support.database import rolled_back_connection, savepoint_session

SHANGHAI = ZoneInfo("Asia/Shanghai")
HOUR = timedelta(hours=1)


def local(moment: datetime) -> date:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(SHANGHAI).date()


def category_id(session, code: str) -> int:
    return session.exec(select(TicketCategory.id).where(TicketCategory.code == code)).one()


# ---------------------------------------------------------------- the data


def add_households(session, rooms: list[Room], *, ended: Room | None = None) -> None:
    for room in rooms:
        owner = Owner(name=f"业主{room.id}")
        session.add(owner)
        session.flush()
        session.add(Ownership(owner_id=owner.id, room_id=room.id, community_id=room.community_id,
                              started_on=date(2020, 1, 1)))
    if ended is not None:  # a sold room whose new owner is not registered yet: not a household
        owner = Owner(name="前业主")
        session.add(owner)
        session.flush()
        session.add(Ownership(owner_id=owner.id, room_id=ended.id, community_id=ended.community_id,
                              started_on=date(2019, 1, 1), ended_on=date(2024, 6, 30)))
    session.flush()


class Desk:
    """Drives tickets of one community through the services at chosen moments."""

    def __init__(self, session, cs, manager) -> None:
        self.session, self.cs, self.manager = session, cs, manager
        self.assignee = None

    def create(self, at: datetime, *, kind="repair", code="elevator", tier="normal", room=None, community_id=None,
               title="电梯按键失灵") -> Ticket:
        return registration.create_ticket(self.session, actor=self.cs, now=at, data=TicketInput(
            kind=kind, category_id=category_id(self.session, code), tier=tier, channel="hotline", title=title,
            room_id=room.id if room else None, community_id=community_id))

    def move(self, ticket: Ticket, to: str, at: datetime, **data) -> Ticket:
        return actions.drop(self.session, actor=self.cs, ticket_id=ticket.id, expected_version=ticket.version,
                             to_status=to, data=ActionInput(**data), now=at)

    def resolve(self, ticket: Ticket, at: datetime, *, assign_after=HOUR, work=3 * HOUR) -> Ticket:
        self.move(ticket, "assigned", at + assign_after, assignee_id=self.assignee)
        self.move(ticket, "in_progress", at + assign_after + HOUR)
        return self.move(ticket, "resolved", at + assign_after + HOUR + work, resolution="已处理")

    def callback(self, ticket: Ticket, at: datetime, *, satisfied: bool | None, kind="repair") -> None:
        scores = {s: 5 if satisfied else 2 for s in SCORES} if kind == "repair" and satisfied is not None else {}
        record_callback(self.session, actor=self.cs, ticket_id=ticket.id, now=at, data=CallbackInput(
            method="phone", reached=satisfied is not None, satisfied=satisfied, **scores))


def drive_tickets(session, desk: Desk, rooms: list[Room], community_id: int, spike_monday: date) -> None:
    """Every path that changes a KPI, through the services."""
    now = utcnow()
    first, second = rooms[0], rooms[1]
    # A late assignment (respond breach), then satisfied: closed, and judged a valid complaint.
    complaint = desk.create(now - timedelta(days=40), kind="complaint", code="noise", room=first, title="楼上夜间噪音扰民")
    desk.resolve(complaint, now - timedelta(days=40), assign_after=6 * HOUR)
    desk.callback(complaint, now - timedelta(days=39), satisfied=True, kind="complaint")
    handling.mark_valid_complaint(session, actor=desk.manager, ticket_id=complaint.id, valid=True)
    # The same room and category within 30 days: a repeat, still open; another complaint judged not valid.
    repeat = desk.create(now - timedelta(days=30), kind="complaint", code="noise", room=first, title="噪音扰民又出现")
    assert repeat.repeat_of_id == complaint.id
    invalid = desk.create(now - timedelta(days=2), kind="complaint", code="parking", room=second, title="车位被占用")
    handling.mark_valid_complaint(session, actor=desk.manager, ticket_id=invalid.id, valid=False)
    # Held for two hours (paused time is not resolve time), unsatisfied once (reopened), then satisfied.
    held = desk.create(now - timedelta(days=3), kind="request", code="cleaning", room=second, title="楼道垃圾未及时清理")
    start = now - timedelta(days=3)
    desk.move(held, "assigned", start + HOUR, assignee_id=desk.assignee)
    desk.move(held, "in_progress", start + 2 * HOUR)
    desk.move(held, "on_hold", start + 3 * HOUR, reason="等待配件", hold_until=(start + timedelta(days=1)).date().isoformat())
    desk.move(held, "in_progress", start + 5 * HOUR)
    desk.move(held, "resolved", start + 6 * HOUR, resolution="已清理")
    desk.callback(held, start + 8 * HOUR, satisfied=False, kind="request")
    assert held.reopen_count == 1
    desk.move(held, "resolved", start + 30 * HOUR, resolution="再次清理")
    desk.callback(held, start + 31 * HOUR, satisfied=True, kind="request")
    # Resolved late (resolve breach), owner unreachable once: resolved, not yet called back.
    late = desk.create(now - timedelta(days=10), code="water_power", room=second, title="卫生间水管漏水")
    desk.resolve(late, now - timedelta(days=10), work=80 * HOUR)
    desk.callback(late, now - timedelta(days=6), satisfied=None)
    # A year ago: complaints and a resolved repair for the year-on-year comparison.
    for days in (367, 368, 380):
        old = desk.create(now - timedelta(days=days), kind="complaint", code="service_attitude", room=second,
                          title="客服电话无人接听")
        desk.resolve(old, now - timedelta(days=days), work=20 * HOUR)
        desk.callback(old, now - timedelta(days=days - 2), satisfied=True, kind="complaint")
    # Public area (no room, no building), a tier change, a cancellation.
    anonymous = desk.create(now - timedelta(days=1), kind="anonymous", code="gate", community_id=community_id,
                            title="外来人员随意进出")
    handling.change_tier(session, actor=desk.cs, ticket_id=anonymous.id, tier="important")
    cancelled = desk.create(now - timedelta(days=5), kind="inquiry", code="fees", room=first, title="物业费账单有疑问")
    desk.move(cancelled, "cancelled", now - timedelta(days=5) + HOUR, reason="业主撤回")
    # A spike: six elevator calls from building 2 last week, against one three weeks before that.
    for n in range(6):
        desk.create(datetime.combine(spike_monday + timedelta(days=n), time(10), SHANGHAI), room=rooms[6 + n % 2])
    desk.create(datetime.combine(spike_monday - timedelta(weeks=3), time(10), SHANGHAI), room=rooms[6])


@pytest.fixture(scope="module")
def world_database(engine):
    """The world below, built once per backend for this module's tests: (its connection, what the tests need)."""
    # The builder's savepoint stays open until the module is done, so nothing of the world is ever committed.
    with rolled_back_connection(engine) as connection, savepoint_session(connection) as builder:
        yield connection, build_world(builder)


@pytest.fixture
def session(world_database):
    """Each test works in a savepoint of the shared world: what it changes (a rebuild, new rows) is undone after it."""
    connection, _ = world_database
    with savepoint_session(connection) as session:
        yield session


@pytest.fixture
def world(world_database) -> dict:
    return world_database[1]


def build_world(session) -> dict:
    """Community A: a year of demo tickets; community B: tickets through the services; both with households."""
    a = factories.community(session)
    b = factories.community(session)
    rooms = {}
    for community in (a, b):
        community_rooms = []
        for building_code in ("1", "2"):
            unit = factories.unit(session, factories.building(session, community, code=building_code))
            community_rooms += [factories.room(session, unit, number=f"{n}01", floor=n) for n in range(1, 7)]
        rooms[community.id] = community_rooms
    add_households(session, rooms[a.id][:10], ended=rooms[a.id][10])
    add_households(session, rooms[b.id][:7])
    assert seed_tickets(session, community_code=a.code, rng=random.Random(5), password=factories.PASSWORD) > 4000
    rebuild_rounds(session, list(session.exec(select(Ticket.id).where(Ticket.community_id == a.id)).all()))
    rebuild(session)  # the seeder bulk-inserts past the services and the listener
    cs_b = factories.sign_in(session, factories.user(session, "cs", communities=(b,)))
    manager_b = factories.sign_in(session, factories.user(session, "manager", communities=(b,)))
    desk = Desk(session, cs_b, manager_b)
    desk.assignee = factories.user(session, "technician", communities=(b,)).id
    today = local(utcnow())
    spike_monday = today - timedelta(days=today.weekday() + 7)
    drive_tickets(session, desk, rooms[b.id], b.id, spike_monday)
    today_ = local_today()
    cases = [ArrearsCase(room_id=r.id, community_id=r.community_id, building_id=r.building_id,
                         opened_on=today_ - timedelta(days=60), next_due_on=today_ + timedelta(days=due),
                         last_follow_up_on=today_ - timedelta(days=ago) if ago is not None else None)
             for r, due, ago in ((rooms[a.id][0], 5, 10), (rooms[a.id][1], -3, 18), (rooms[a.id][2], 1, None),
                                 (rooms[b.id][0], 9, 6))]
    session.add_all(cases)
    session.flush()
    # Coverage reads the follow-ups themselves (arrears.queries.coverage_on), as the services write them.
    session.add_all([FollowUp(case_id=c.id, done_on=c.last_follow_up_on, channel="phone", result="已提醒",
                              reason_category="forgot") for c in cases if c.last_follow_up_on])
    session.flush()
    executive = factories.sign_in(session, factories.user(session, "executive", all_communities=True))
    manager_a = factories.sign_in(session, factories.user(session, "manager", communities=(a,)))
    cs_a = factories.sign_in(session, factories.user(session, "cs", communities=(a,)))
    return {"a": a.id, "b": b.id, "executive": executive, "manager_a": manager_a, "cs_a": cs_a, "today": today,
            "spike_monday": spike_monday}


# ---------------------------------------------------------------- the same figures, from raw rows


class Raw:
    """Every KPI recomputed from ticket, round, breach, room, ownership and arrears rows."""

    def __init__(self, session, communities: set[int], now: datetime) -> None:
        self.communities, self.now = communities, now
        self.tickets = [t for t in session.exec(select(Ticket)).all() if t.community_id in communities]
        self.rounds = [r for r in session.exec(select(TicketRound)).all() if r.community_id in communities]
        self.breached = {(b.ticket_id, b.round) for b in session.exec(select(SlaBreach)).all()}
        parents = dict(session.execute(sa.select(TicketCategory.id, TicketCategory.parent_id)).all())
        self.top = {c: (p if p is not None else c) for c, p in parents.items()}
        self.building = dict(session.execute(sa.select(Room.id, Room.building_id)).all())
        self.ownerships = [o for o in session.exec(select(Ownership)).all() if o.community_id in communities]
        self.cases = [c for c in session.exec(select(ArrearsCase)).all() if c.community_id in communities]
        self.follow_ups = defaultdict(list)
        for follow_up in session.exec(select(FollowUp)).all():
            self.follow_ups[follow_up.case_id].append(follow_up.done_on)

    def households(self, day: date) -> int:
        return len({o.room_id for o in self.ownerships if o.started_on <= day and (o.ended_on is None or o.ended_on > day)})

    def created_in(self, start: date, end: date) -> list[Ticket]:
        return [t for t in self.tickets if start <= local(t.created_at) <= end]

    def resolved_rounds(self, period) -> list[TicketRound]:
        return [r for r in self.rounds if r.resolved_at is not None and r.resolved_at <= self.now
                and period.start <= local(r.resolved_at) <= period.end]

    def volume(self, period) -> Counter:
        if period.daily:
            return Counter((local(t.created_at).isoformat(), self.top[t.category_id])
                           for t in self.created_in(period.start, period.end))
        return Counter((local(t.created_at).strftime("%Y-%m"), self.top[t.category_id])
                       for t in self.created_in(period.start, period.end))

    def sla(self, period) -> dict[str, tuple[int, int]]:
        found = defaultdict(lambda: [0, 0])
        for r in self.resolved_rounds(period):
            found[r.tier][0] += 1
            found[r.tier][1] += (r.ticket_id, r.number) not in self.breached
        return {tier: tuple(v) for tier, v in found.items()}

    def resolve_hours(self, period) -> list[float]:
        return [((r.resolved_at - r.started_at).total_seconds() - r.hold_seconds) / 3600
                for r in self.resolved_rounds(period)]

    def callbacks(self, period, kind: str | None = None) -> tuple[int, int, int]:
        """(due, reached by the due time, ended unreachable)"""
        due = [r for r in self.rounds if r.callback_due_at is not None and r.callback_due_at <= self.now
               and period.start <= local(r.callback_due_at) <= period.end and (kind is None or r.kind == kind)]
        reached = sum(1 for r in due if r.callback_reached_at is not None and r.callback_reached_at <= r.callback_due_at)
        return len(due), reached, sum(1 for r in due if r.callback_unreachable and r.callback_reached_at is None)

    def judged(self, period) -> list[Ticket]:
        return [t for t in self.created_in(period.start, period.end)
                if t.kind == "complaint" and t.status not in ("cancelled", "invalid")]

    def complaints(self, start: date, end: date) -> int:
        return sum(1 for t in self.created_in(start, end) if t.kind == "complaint")

    def first_day(self) -> date | None:
        return min((local(t.created_at) for t in self.tickets), default=None)

    def rates(self, period) -> dict[str, tuple[int, int]]:
        created = self.created_in(period.start, period.end)
        complaints = [t for t in created if t.kind == "complaint"]
        repairs = [t for t in created if t.kind == "repair"]
        return {"repeat": (sum(1 for t in complaints if t.repeat_of_id is not None), len(complaints)),
                "rework": (sum(1 for t in repairs if t.repeat_of_id is not None), len(repairs)),
                "reopen": (sum(1 for t in created if t.reopen_count > 0), len(created))}

    def hot_topics(self, period) -> Counter:
        return Counter(word for t in self.created_in(period.start, period.end) for word in title_keywords(t.title))

    def warnings(self, today: date) -> set[tuple[int, int, int, int]]:
        monday = today - timedelta(days=today.weekday() + 7)
        weeks: dict[tuple, Counter] = defaultdict(Counter)
        for t in self.tickets:
            day = local(t.created_at)
            weeks[(t.community_id, self.building.get(t.room_id, 0), self.top[t.category_id])][
                day - timedelta(days=day.weekday())] += 1
        found = set()
        for key, counts in weeks.items():
            baseline = [counts[monday - timedelta(weeks=n)] for n in range(1, 9)]
            mean = sum(baseline) / 8
            sd = math.sqrt(sum((x - mean) ** 2 for x in baseline) / 8)
            if counts[monday] >= 5 and counts[monday] > mean + 2 * sd:
                found.add((*key, counts[monday]))
        return found

    def coverage(self, day: date) -> tuple[int, int]:
        open_ = [c for c in self.cases if c.opened_on <= day and (c.closed_on is None or c.closed_on >= day)]
        return len(open_), sum(1 for c in open_ if any(day - timedelta(days=15) <= d <= day for d in self.follow_ups[c.id]))


def rate(part, whole):
    return part / whole if whole else None


def assert_matches(session, principal, community_id, raw: Raw, today: date) -> None:
    for key in PERIOD_KEYS:
        period = period_for(key, today)
        report = kpis.report(session, principal, period, community_id, now=raw.now)
        volume = kpis.ticket_volume(session, principal, period, community_id)
        got = Counter({(bucket, s["category_id"]): n for s in volume["series"]
                       for bucket, n in zip(volume["buckets"], s["counts"], strict=True) if n})
        assert got == raw.volume(period), key

        sla = raw.sla(period)
        for tier in ("urgent", "important", "normal"):
            resolved, met = sla.get(tier, (0, 0))
            assert report[f"sla_compliance_{tier}"] == {"value": rate(met, resolved), "numerator": met,
                                                        "denominator": resolved}, (key, tier)

        spread = kpis.resolve_time_distribution(session, principal, period, community_id, now=raw.now)
        hours = raw.resolve_hours(period)
        edges = [1, 4, 8, 24, 72, 168, math.inf]
        assert [b["count"] for b in spread["buckets"]] == [
            sum(1 for h in hours if (edges[i - 1] if i else -math.inf) <= h < edge) for i, edge in enumerate(edges)], key
        mean = report["mean_hours_to_resolve"]
        assert mean["denominator"] == len(hours) and mean["numerator"] == pytest.approx(sum(hours), abs=1e-6)
        assert mean["value"] == (pytest.approx(sum(hours) / len(hours)) if hours else None)

        due, reached, unreachable = raw.callbacks(period)
        assert report["callback_rate"] == {"value": rate(reached, due), "numerator": reached, "denominator": due}, key
        assert report["callbacks_unreachable"]["value"] == unreachable
        due, reached, _ = raw.callbacks(period, "repair")
        assert (report["repair_callback_rate"]["numerator"], report["repair_callback_rate"]["denominator"]) == (
            reached, due), key

        judged, homes = raw.judged(period), raw.households(period.end)
        valid = sum(1 for t in judged if t.valid_complaint is True)
        assert report["valid_complaint_rate"] == {"value": rate(valid, homes), "numerator": valid,
                                                  "denominator": homes}, key
        assert report["complaints_undecided"]["value"] == sum(1 for t in judged if t.valid_complaint is None)

        earlier = period.year_before()
        now_, before = raw.complaints(period.start, period.end), raw.complaints(earlier.start, earlier.end)
        comparable = raw.first_day() is not None and raw.first_day() <= earlier.start and before > 0
        change = report["complaint_rate_change"]
        if comparable:
            this_rate, last_rate = now_ / raw.households(period.end), before / raw.households(earlier.end)
            assert change["value"] == pytest.approx(this_rate / last_rate - 1), key
        else:
            assert change["value"] is None, key

        for name, (part, whole) in raw.rates(period).items():
            figure = report["repeat_complaint_rate" if name == "repeat" else f"{name}_rate"]
            assert (figure["numerator"], figure["denominator"]) == (part, whole), (key, name)

        topics = kpis.hot_topics(session, principal, period, community_id, limit=10)
        counted = raw.hot_topics(period)
        assert topics == [{"word": w, "tickets": n} for w, n in sorted(counted.items(), key=lambda i: (-i[1], i[0]))[:10]]

        open_cases, covered = raw.coverage(period.end)
        assert (report["arrears_coverage"]["denominator"], report["arrears_coverage"]["numerator"]) == (
            open_cases, covered), key

    warnings = kpis.early_warnings(session, principal, community_id, today=today)
    assert {(w["community_id"], w["building_id"], w["category_id"], w["tickets"]) for w in warnings} == raw.warnings(today)


# ---------------------------------------------------------------- the tests


def test_every_kpi_matches_a_computation_from_the_raw_rows(session, world):
    both, now = {world["a"], world["b"]}, utcnow()
    assert_matches(session, world["executive"], None, Raw(session, both, now), world["today"])
    assert_matches(session, world["executive"], world["b"], Raw(session, {world["b"]}, now), world["today"])


def test_the_services_keep_the_rollups_equal_to_a_rebuild(session, world):
    tables = (TicketMonthStats, TicketDayStats, TicketWeekStats, TicketKeywordMonth)
    kept = {table.__name__: rollup_rows(session, table) for table in tables}
    assert kept["TicketMonthStats"] and kept["TicketKeywordMonth"]
    rebuild(session)
    assert kept == {table.__name__: rollup_rows(session, table) for table in tables}


def test_the_spike_is_warned_with_a_link_to_the_filtered_list(session, world):
    warnings = kpis.early_warnings(session, world["executive"], world["b"], today=world["today"])
    spike = [w for w in warnings if w["category_id"] == category_id(session, "facilities")]
    assert len(spike) == 1 and spike[0]["tickets"] == 6 and spike[0]["mean"] == pytest.approx(1 / 8)
    assert spike[0]["href"] == (f"/tickets?community={world['b']}&category={spike[0]['category_id']}&status=all"
                                f"&building={spike[0]['building_id']}")


def test_a_community_manager_sees_only_their_community(session, world):
    manager = world["manager_a"]
    assert_matches(session, manager, None, Raw(session, {world["a"]}, utcnow()), world["today"])
    period = period_for("last_12_months", world["today"])
    mine = kpis.dashboard(session, manager, period)
    everything = kpis.dashboard(session, world["executive"], period)
    assert mine["volume"]["total"] < everything["volume"]["total"]
    assert mine["valid_complaints"]["households"] == 10
    assert all(w["community_id"] == world["a"] for w in mine["warnings"])
    with pytest.raises(PermissionDenied):
        kpis.dashboard(session, manager, period, world["b"])


def test_without_dashboard_view_every_kpi_is_refused(session, world):
    period = period_for("this_month", world["today"])
    for call in (lambda p: kpis.ticket_volume(session, p, period), lambda p: kpis.sla_compliance(session, p, period),
                 lambda p: kpis.callback_rate(session, p, period), lambda p: kpis.report(session, p, period),
                 lambda p: kpis.hot_topics(session, p, period), lambda p: kpis.arrears_coverage(session, p),
                 lambda p: kpis.early_warnings(session, p, today=world["today"]),
                 lambda p: kpis.satisfaction(session, p), lambda p: kpis.dashboard(session, p, period),
                 lambda p: chart_file(session, p, {"chart": "sla", "format": "csv", "period": "this_month"})):
        with pytest.raises(PermissionDenied):
            call(world["cs_a"])


def test_every_chart_downloads_as_xlsx_and_csv(session, world):
    params = {"period": "last_12_months", "community_id": world["b"], "language": "zh-CN"}
    for chart in CHARTS:
        table = chart_file(session, world["executive"], {**params, "chart": chart, "format": "csv"})
        rows = list(csv.reader(io.StringIO(b"".join(table.chunks).decode("utf-8-sig"))))
        assert rows and all(rows[0]), chart
        workbook = chart_file(session, world["executive"], {**params, "chart": chart, "format": "xlsx"})
        assert workbook.filename.endswith(".xlsx") and b"".join(workbook.chunks)[:2] == b"PK"
    sla = list(csv.reader(io.StringIO(b"".join(chart_file(session, world["executive"], {
        **params, "chart": "sla", "format": "csv"}).chunks).decode("utf-8-sig"))))
    assert sla[0] == ["等级", "已解决", "按时", "比率 %"] and sla[-1][0] == "合计"
    expected = kpis.sla_compliance(session, world["executive"], period_for("last_12_months"), world["b"])
    assert int(sla[-1][1]) == expected["resolved"] > 0


def test_cards_show_every_kpi_with_its_target(session, world):
    data = kpis.dashboard(session, world["executive"], period_for("last_12_months", world["today"]), world["b"])
    cards = kpi_cards(data, "zh-CN")
    assert [c["key"] for c in cards] == [f"dashboard.card.{k}" for k in CARD_KEYS]
    callback = next(c for c in cards if c["key"] == "dashboard.card.callback_rate")
    # The late repair, called once and not reached, is due 7 days after its resolution, still ahead: not a miss yet.
    assert callback["target"] == "目标 100% · 未联系上 0" and callback["verdict"] == "met"
    assert data["report"]["callback_rate"]["value"] == 1
    valid = next(c for c in cards if c["key"] == "dashboard.card.valid_complaint_rate")
    assert valid["target"].endswith("待判定 1")  # the repeat complaint nobody judged yet


def test_periods_are_calendar_ranges_in_shanghai_days():
    today = date(2026, 2, 14)
    assert (period_for("this_month", today).start, period_for("this_month", today).end) == (date(2026, 2, 1), today)
    assert (period_for("last_month", today).start, period_for("last_month", today).end) == (date(2026, 1, 1),
                                                                                          date(2026, 1, 31))
    assert period_for("this_quarter", today).start == date(2026, 1, 1)
    assert period_for("last_12_months", today).start == date(2025, 3, 1)
    assert period_for("last_12_months", today).year_before().start == date(2024, 3, 1)


def test_the_services_keep_rounds_equal_to_those_read_back_from_the_timelines(session, world):
    """Community B's tickets went through the services; reading their rounds from the timelines (what the demo
    seeder and migration 0011 do) gives the same rows."""
    ids = list(session.exec(select(Ticket.id).where(Ticket.community_id == world["b"])).all())
    columns = ("ticket_id", "number", "started_at", "resolved_at", "hold_seconds", "active_seconds", "tier",
               "breached", "callback_due_at", "callback_reached_at", "callback_unreachable")

    def kept() -> list[tuple]:
        rows = session.exec(select(TicketRound).where(TicketRound.ticket_id.in_(ids))
                            .order_by(TicketRound.ticket_id, TicketRound.number)).all()
        return [tuple(getattr(r, c) for c in columns) for r in rows]

    by_services = kept()
    assert len(by_services) > len(ids)  # the reopened ticket has two rounds
    rebuild_rounds(session, ids)
    assert kept() == by_services
