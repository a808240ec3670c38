"""Executive dashboard benchmark: 1,000,000 tickets over two years in 20 communities (200 buildings, 8,000
households), SLA breaches, callbacks, repeats, reopenings and valid complaints, then the rollup rebuild.

    .venv/bin/python bench/dashboard.py                         # SQLite and, when it can start, PostgreSQL
    .venv/bin/python bench/dashboard.py --backend sqlite --tickets 100000

Prints the seeding and rebuild times, p50/p95 of every KPI query and of the whole dashboard (all KPIs of one
page load) for an executive (all communities, company-wide rows), an executive narrowed to one community and
a community manager, and of a ticket move through the workflow service, now that it also keeps the rollups
current. Target: the whole dashboard p95 ≤ 100 ms of server time on SQLite.

Survey responses: ``--responses`` (100,000 by default) over half-yearly plans (one per room and plan), through
the survey demo seeder, which also rebuilds the score rollups the satisfaction charts read.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PM_DATA_DIR", tempfile.mkdtemp(prefix="pm_bench_"))

import sqlalchemy as sa  # noqa: E402
from backends import on_each_backend  # noqa: E402 - bench/ is the script folder
from sqlmodel import Session, select  # noqa: E402

from pm_admin.core.clock import utcnow  # noqa: E402
from pm_admin.dashboards import kpis  # noqa: E402
from pm_admin.dashboards.periods import period_for  # noqa: E402
from pm_admin.dashboards.rollups import rebuild  # noqa: E402
from pm_admin.demo.surveys import seed_responses  # noqa: E402
from pm_admin.demo.tickets import KIND_CATEGORIES, TITLES  # noqa: E402
from pm_admin.owners.models import Owner, Ownership  # noqa: E402
from pm_admin.places.models import Room  # noqa: E402
from pm_admin.tickets.models import SlaBreach, Ticket, TicketCategory, TicketRound  # noqa: E402
from pm_admin.tickets.services import registration  # noqa: E402
from tests.support import factories  # noqa: E402

COMMUNITIES = 20
BUILDINGS = 10
ROOMS_PER_BUILDING = 40
DAYS = 730
KINDS = (("repair", 44), ("request", 25), ("complaint", 13), ("inquiry", 10), ("suggestion", 5), ("anonymous", 3))
TIERS = (("normal", 76), ("important", 19), ("urgent", 5))
RESOLVE_HOURS = {"urgent": 4, "important": 24, "normal": 72}
BATCH = 5000


def _pick(rng: random.Random, mix) -> str:
    return rng.choices([v for v, _ in mix], weights=[w for _, w in mix])[0]


def seed_places(session: Session) -> tuple[list, dict[int, list[int]]]:
    communities, rooms = [], {}
    now = utcnow()
    owner_rows, next_owner = [], (session.scalar(sa.select(sa.func.max(Owner.id))) or 0) + 1
    for _ in range(COMMUNITIES):
        community = factories.community(session)
        communities.append(community)
        for b in range(1, BUILDINGS + 1):
            unit = factories.unit(session, factories.building(session, community, code=str(b), floors=10))
            session.execute(sa.insert(Room), [
                {"community_id": community.id, "building_id": unit.building_id, "unit_id": unit.id,
                 "number": f"{n // 4 + 1}{n % 4 + 1:02d}", "code": f"{community.code}-{b}-1-{n // 4 + 1}{n % 4 + 1:02d}",
                 "sort_key": "", "floor": n // 4 + 1, "area": 88, "layout": "3室2厅", "occupancy": "owner_occupied",
                 "created_at": now, "updated_at": now, "version": 1} for n in range(ROOMS_PER_BUILDING)])
        rooms[community.id] = list(session.exec(select(Room.id).where(Room.community_id == community.id)).all())
        for _room in rooms[community.id]:  # one owner per room: every room is a household
            owner_rows.append({"id": next_owner, "name": f"业主{next_owner}", "created_at": now, "updated_at": now,
                               "version": 1})
            next_owner += 1
    session.execute(sa.insert(Owner), owner_rows)
    session.execute(sa.insert(Ownership), [
        {"owner_id": owner["id"], "room_id": room_id, "community_id": community_id, "share": 100,
         "started_on": (now - timedelta(days=900)).date(), "created_at": now}
        for owner, (community_id, room_id) in zip(owner_rows, ((c, r) for c, ids in rooms.items() for r in ids),
                                                  strict=True)])
    return communities, rooms


def seed_tickets(session: Session, communities: list, rooms: dict[int, list[int]], total: int) -> None:
    rng = random.Random(7)
    categories = {c.code: c for c in session.exec(select(TicketCategory)).all()}
    now = utcnow()
    next_id = (session.scalar(sa.select(sa.func.max(Ticket.id))) or 0) + 1
    tickets, breaches, rounds = [], [], []
    last_by_room: dict[tuple[int, int], int] = {}

    def flush() -> None:
        session.execute(sa.insert(Ticket), tickets)
        if breaches:
            session.execute(sa.insert(SlaBreach), breaches)
        session.execute(sa.insert(TicketRound), rounds)
        for rows in (tickets, breaches, rounds):
            rows.clear()

    for n in range(total):
        community_id = communities[n % COMMUNITIES].id
        created = now - timedelta(minutes=int((total - n) / total * DAYS * 24 * 60) + rng.randint(0, 59))
        kind, tier = _pick(rng, KINDS), _pick(rng, TIERS)
        category = categories[rng.choice(KIND_CATEGORIES[kind])]
        room_id = None if kind == "anonymous" or rng.random() < 0.15 else rng.choice(rooms[community_id])
        age = now - created
        resolved = created + timedelta(minutes=rng.lognormvariate(5.5, 1.3)) if age > timedelta(days=3) \
            or rng.random() < 0.5 else None
        resolved = resolved if resolved is None or resolved < now else None
        status = "new" if resolved is None else "closed" if rng.random() < 0.96 else "resolved"
        repeat_of = last_by_room.get((room_id, category.id)) if room_id and rng.random() < 0.3 else None
        if room_id:
            last_by_room[(room_id, category.id)] = next_id
        due = created + timedelta(hours=RESOLVE_HOURS[tier])
        tickets.append({
            "id": next_id, "code": f"TS-D{next_id:09d}", "community_id": community_id, "room_id": room_id,
            "owner_id": None, "kind": kind, "category_id": category.id, "tier": tier, "channel": "hotline",
            "title": rng.choice(TITLES[category.code]), "description": "", "status": status,
            "department_id": category.department_id, "assignee_id": None, "created_at": created, "created_by": "bench",
            "updated_at": created, "respond_due": created + timedelta(minutes=30), "onsite_due": None,
            "resolve_due": due, "responded_at": created if resolved else None, "onsite_at": None,
            "resolved_at": resolved, "closed_at": resolved + timedelta(hours=20) if status == "closed" else None,
            "paused_at": None, "paused_seconds": rng.choice((0, 0, 0, 3600)) if resolved else 0, "hold_until": None,
            "hold_reason": "", "resolution": "", "plan": "", "plan_approved_by": "", "plan_approved_at": None,
            "reopen_count": 1 if resolved and rng.random() < 0.05 else 0, "repeat_of_id": repeat_of,
            "valid_complaint": (rng.random() < 0.3) if kind == "complaint" and status == "closed" else None,
            "callback_attempts": 1 if status == "closed" else 0, "next_callback_at": None, "version": 1})
        late = bool(resolved and resolved > due)
        if late:
            breaches.append({"ticket_id": next_id, "community_id": community_id, "tier": tier, "milestone": "resolve",
                             "round": 1, "due_at": due, "met_at": resolved,
                             "minutes_over": int((resolved - due).total_seconds() // 60)})
        held = tickets[-1]["paused_seconds"]
        callback_due = resolved + timedelta(days=7 if kind == "repair" else 2) \
            if resolved and kind not in ("inquiry", "anonymous") else None
        rounds.append({"ticket_id": next_id, "number": 1, "community_id": community_id, "kind": kind,
                       "started_at": created, "paused_seconds_at_start": 0, "resolved_at": resolved,
                       "hold_seconds": held, "tier": tier if resolved else "", "breached": late,
                       "active_seconds": max(0, int((resolved - created).total_seconds()) - held) if resolved else 0,
                       "callback_due_at": callback_due, "callback_unreachable": False,
                       "callback_reached_at": resolved + timedelta(hours=20) if status == "closed" and callback_due
                       else None})
        next_id += 1
        if len(tickets) == BATCH:
            flush()
    if tickets:
        flush()
    if session.get_bind().dialect.name == "postgresql":
        for table in ("ticket", "owner"):
            session.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))


def seed_surveys(session: Session, responses: int) -> str:
    return f"{seed_responses(session, responses=responses)} survey responses"


def seed(engine, total: int, responses: int) -> dict:
    started = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        communities, rooms = seed_places(session)
        executive = factories.user(session, "executive", all_communities=True, username="bench.executive")
        manager = factories.user(session, "manager", communities=(communities[0],), username="bench.manager")
        session.commit()
        seed_tickets(session, communities, rooms, total)
        session.commit()
        print(f"  seeded {total:,} tickets, {len(communities) * BUILDINGS * ROOMS_PER_BUILDING:,} households "
              f"({time.perf_counter() - started:.0f} s)")
        started = time.perf_counter()
        print(f"  {seed_surveys(session, responses)} ({time.perf_counter() - started:.0f} s)")
        session.commit()
        started = time.perf_counter()
        rebuild(session)
        session.commit()
        print(f"  rollups rebuilt from {total:,} tickets ({time.perf_counter() - started:.0f} s)")
        principals = {"executive, all communities": (factories.sign_in(session, executive), None),
                      "executive, one community": (factories.sign_in(session, executive), communities[1].id),
                      "manager of one community": (factories.sign_in(session, manager), None)}
        cs = factories.sign_in(session, factories.user(session, "cs", communities=(communities[0],)))
        community_id = communities[0].id
        session.commit()
    with engine.connect() as connection:
        vacuum = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text(vacuum))
    return {"principals": principals, "cs": cs, "community_id": community_id}


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def timed(fn, runs: int) -> tuple[float, float]:
    samples = []
    for n in range(runs + 1):
        started = time.perf_counter()
        fn()
        if n:  # the first run warms caches
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def kpi_cases(session: Session, principal, community_id, period) -> dict:
    return {  # noqa: B023 - each dict is used before the caller's loop moves on
        "ticket volume by category": lambda: kpis.ticket_volume(session, principal, period, community_id),
        "SLA compliance by tier": lambda: kpis.sla_compliance(session, principal, period, community_id),
        "time to resolve": lambda: kpis.resolve_time_distribution(session, principal, period, community_id),
        "callback rate": lambda: kpis.callback_rate(session, principal, period, community_id),
        "valid-complaint rate (+ households)": lambda: kpis.valid_complaint_rate(session, principal, period,
                                                                                 community_id),
        "complaints year on year": lambda: kpis.complaint_change(session, principal, period, community_id),
        "repeat and reopen rates": lambda: kpis.repeat_and_reopen_rates(session, principal, period, community_id),
        "arrears follow-up coverage": lambda: kpis.arrears_coverage(session, principal, community_id),
        "hot topics": lambda: kpis.hot_topics(session, principal, period, community_id),
        "early warnings": lambda: kpis.early_warnings(session, principal, community_id, today=period.as_of),
        "satisfaction (survey domain)": lambda: kpis.satisfaction(session, principal, community_id),
        "owner feedback statistics": lambda: kpis.feedback_statistics(session, principal, period, community_id),
    }


def time_moves(engine, seeded: dict, runs: int) -> tuple[float, float, int]:
    """Registration + assign + start + resolve through the services: each flush also upserts the rollups."""
    samples = []
    with Session(engine) as session:
        room = session.scalar(select(Room.id).where(Room.community_id == seeded["community_id"]))
        category = session.scalar(select(TicketCategory.id).where(TicketCategory.code == "elevator"))
    for n in range(runs):
        started = time.perf_counter()
        with Session(engine) as session:
            registration.create_ticket(session, actor=seeded["cs"], data=registration.TicketInput(
                kind="repair", category_id=category, tier="normal", channel="hotline", title=f"电梯按键失灵 {n}",
                room_id=room))
            session.commit()
        samples.append((time.perf_counter() - started) * 1000)
    return (*percentiles(samples), len(samples))


def run(engine, label: str, total: int, responses: int, runs: int) -> None:
    print(f"\n== {label}")
    seeded = seed(engine, total, responses)
    print(f"  runs per case: {runs}")
    print(f"  {'case':58} {'p50 ms':>8} {'p95 ms':>8} {'target':>7}")

    def line(name, p50, p95, target=None):
        flag = "" if target is None or p95 <= target else "  (over target)"
        print(f"  {name:58} {p50:8.1f} {p95:8.1f} {target if target is not None else '':>7}{flag}")

    with Session(engine) as session:
        for who, (principal, community_id) in seeded["principals"].items():
            for period_key in ("this_month", "last_12_months"):
                period = period_for(period_key)
                print(f"  -- {who}, {period_key}")
                for name, fn in kpi_cases(session, principal, community_id, period).items():
                    line(name, *timed(fn, runs))
                line("WHOLE DASHBOARD (every KPI of one page load)",
                     *timed(lambda p=principal, c=community_id, d=period: kpis.dashboard(session, p, d, c), runs), 100)
    p50, p95, moves = time_moves(engine, seeded, runs)
    line(f"register a ticket via the service + commit ({moves})", p50, p95, 30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    on_each_backend(args.backend, lambda engine, label: run(engine, label, args.tickets, args.responses, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
