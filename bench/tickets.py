"""Ticket board benchmark: 50,000 open and 500,000 closed tickets in 5 communities (10,000 open each).

    .venv/bin/python bench/tickets.py                       # SQLite and, when it can start, PostgreSQL
    .venv/bin/python bench/tickets.py --backend sqlite --open 10000 --closed 50000

Prints p50/p95 of a board load (tier and column counts + the first 50 cards of every column), of a move through
the workflow service (validation, timeline event, audit, commit), of the polling stamp and of the home page's
figures, plus the bytes one board load sends. Targets: board and home p95 ≤ 100 ms, move p95 ≤ 30 ms.
"""

from __future__ import annotations

import argparse
import json
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
from pm_admin.home.queries import home_figures  # noqa: E402
from pm_admin.places.models import Room  # noqa: E402
from pm_admin.tickets import queries  # noqa: E402
from pm_admin.tickets.models import Ticket, TicketCategory  # noqa: E402
from pm_admin.tickets.queries import TicketFilter  # noqa: E402
from pm_admin.tickets.services import actions  # noqa: E402
from tests.support import factories  # noqa: E402

COMMUNITIES = 5
ROOMS_PER_COMMUNITY = 400
OPEN_MIX = (("new", 0.15), ("assigned", 0.25), ("in_progress", 0.35), ("on_hold", 0.05), ("resolved", 0.20))
TIER_MIX = (("normal", 0.7), ("important", 0.22), ("urgent", 0.08))
CLOSED_MIX = (("closed", 0.9), ("cancelled", 0.06), ("invalid", 0.04))


def _pick(rng: random.Random, mix) -> str:
    return rng.choices([v for v, _ in mix], weights=[w for _, w in mix])[0]


def seed(engine, open_total: int, closed_total: int) -> dict:
    rng = random.Random(11)
    started = time.perf_counter()
    with Session(engine) as session:
        communities, rooms = [], {}
        for _ in range(COMMUNITIES):
            community = factories.community(session)
            unit = factories.unit(session, factories.building(session, community, floors=ROOMS_PER_COMMUNITY // 4))
            communities.append(community)
            for n in range(ROOMS_PER_COMMUNITY):
                factories.room(session, unit, number=f"{n // 4 + 1}{n % 4 + 1:02d}", floor=n // 4 + 1)
        for community in communities:
            rooms[community.id] = list(session.exec(select(Room.id).where(Room.community_id == community.id)).all())
        manager = factories.user(session, "manager", communities=(communities[0],), username="bench.manager")
        company = factories.user(session, "manager", all_communities=True, username="bench.company")
        desk = factories.user(session, "cs", communities=(communities[0],), username="bench.cs")
        technicians = [factories.user(session, "technician", communities=tuple(communities)).id for _ in range(20)]
        categories = list(session.exec(select(TicketCategory).where(TicketCategory.parent_id.is_not(None))).all())
        session.commit()
        now = utcnow()
        rows, next_id = [], 1

        def ticket(status: str, created, community_id: int) -> dict:
            nonlocal next_id
            tier = _pick(rng, TIER_MIX)
            category = rng.choice(categories)
            resolve_due = created + timedelta(hours={"urgent": 4, "important": 24, "normal": 72}[tier])
            done = status in ("closed", "cancelled", "invalid")
            row = {"id": next_id, "code": f"TS-B{next_id:09d}", "community_id": community_id,
                   "room_id": rng.choice(rooms[community_id]), "owner_id": None, "kind": "repair",
                   "category_id": category.id, "tier": tier, "channel": "hotline",
                   "title": f"基准工单 {next_id} 报修", "description": "", "status": status,
                   "department_id": category.department_id,
                   "assignee_id": None if status == "new" else rng.choice(technicians), "created_at": created,
                   "created_by": "bench", "updated_at": created, "respond_due": created + timedelta(minutes=30),
                   "onsite_due": None, "resolve_due": resolve_due, "responded_at": None if status == "new" else created,
                   "onsite_at": None, "resolved_at": created + timedelta(hours=5) if done else None,
                   "closed_at": created + timedelta(hours=30) if done else None,
                   "paused_at": created if status == "on_hold" else None, "paused_seconds": 0, "hold_until": None,
                   "hold_reason": "", "resolution": "", "plan": "", "plan_approved_by": "", "plan_approved_at": None,
                   "reopen_count": 0, "repeat_of_id": None, "valid_complaint": None, "callback_attempts": 0,
                   "next_callback_at": None, "version": 1}
            next_id += 1
            return row

        def flush() -> None:
            session.execute(sa.insert(Ticket), rows)
            rows.clear()

        for n in range(closed_total):
            created = now - timedelta(minutes=rng.randint(60 * 24 * 30, 60 * 24 * 365 * 2))
            rows.append(ticket(_pick(rng, CLOSED_MIX), created, communities[n % COMMUNITIES].id))
            if len(rows) == 5000:
                flush()
        for n in range(open_total):
            created = now - timedelta(minutes=rng.randint(5, 60 * 24 * 20))
            rows.append(ticket(_pick(rng, OPEN_MIX), created, communities[n % COMMUNITIES].id))
            if len(rows) == 5000:
                flush()
        if rows:
            flush()
        if engine.dialect.name == "postgresql":
            session.execute(sa.text("SELECT setval(pg_get_serial_sequence('ticket', 'id'), (SELECT max(id) FROM ticket))"))
        session.commit()
        first_community = communities[0].id
        principals = {"community manager": factories.sign_in(session, manager),
                      "company manager": factories.sign_in(session, company),
                      "service desk": factories.sign_in(session, desk)}
        session.commit()
    with engine.connect() as connection:
        vacuum = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text(vacuum))
    print(f"  seeded {open_total:,} open + {closed_total:,} closed tickets ({time.perf_counter() - started:.0f} s)")
    return {"principals": principals, "technicians": technicians, "community_id": first_community}


def percentiles(samples: list[float]) -> tuple[float, float]:
    samples = sorted(samples)
    return statistics.median(samples), samples[min(len(samples) - 1, int(0.95 * len(samples)))]


def board_bytes(result: queries.Board) -> int:
    payload = {"tiers": result.tier_counts, "columns": result.columns,
               "cards": {s: [c.model_dump() for c in cards] for s, cards in result.cards.items()}}
    return len(json.dumps(payload, ensure_ascii=False).encode())


def time_board(engine, principal, filters: TicketFilter, tier: str, runs: int, limits=None):
    samples, result = [], None
    with Session(engine) as session:
        for n in range(runs + 1):
            started = time.perf_counter()
            result = queries.board(session, principal, filters, tier, limits=limits)
            if n:  # the first run warms caches
                samples.append((time.perf_counter() - started) * 1000)
    return (*percentiles(samples), board_bytes(result), sum(len(c) for c in result.cards.values()))


def time_moves(engine, principal, technicians: list[int], community_id: int, runs: int):
    """Each run moves a different ticket: new → assigned (assignee) and in_progress → resolved (resolution)."""
    with Session(engine) as session:
        fresh = list(session.exec(select(Ticket.id, Ticket.version).where(
            Ticket.community_id == community_id, Ticket.status == "new", Ticket.tier == "normal")
            .limit(runs)).all())
        working = list(session.exec(select(Ticket.id, Ticket.version).where(
            Ticket.community_id == community_id, Ticket.status == "in_progress", Ticket.tier == "normal")
            .limit(runs)).all())
    samples = []
    jobs = [(i, v, actions.assign, {"assignee_id": technicians[i % len(technicians)]}) for i, v in fresh]
    jobs += [(i, v, actions.resolve, {"resolution": "基准：已处理"}) for i, v in working]
    for ticket_id, version, action, details in jobs:
        started = time.perf_counter()
        with Session(engine) as session:
            action(session, actor=principal, ticket_id=ticket_id, expected_version=version, **details)
            session.commit()
        samples.append((time.perf_counter() - started) * 1000)
    return (*percentiles(samples), len(samples))


def time_home(engine, principal, runs: int):
    """The home page's figures (open per tier, overdue, callbacks due, … counted in SQL within scope)."""
    samples = []
    with Session(engine) as session:
        for n in range(runs + 1):
            started = time.perf_counter()
            home_figures(session, principal)
            if n:
                samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def time_stamp(engine, principal, runs: int):
    samples = []
    with Session(engine) as session:
        for _ in range(runs):
            started = time.perf_counter()
            queries.board_stamp(session, principal)
            samples.append((time.perf_counter() - started) * 1000)
    return percentiles(samples)


def run(engine, label: str, open_total: int, closed_total: int, runs: int) -> None:
    print(f"\n== {label}")
    seeded = seed(engine, open_total, closed_total)
    manager, company, desk = seeded["principals"].values()
    print(f"  runs per case: {runs}")
    print(f"  {'case':52} {'p50 ms':>8} {'p95 ms':>8} {'target':>7} {'cards':>6} {'bytes':>8}")

    def line(name, p50, p95, target, cards="", size=""):
        flag = "" if p95 <= target else "  (over target)"
        cards = f"{cards:,}" if cards != "" else ""
        size = f"{size:,}" if size != "" else ""
        print(f"  {name:52} {p50:8.1f} {p95:8.1f} {target:7d} {cards:>6} {size:>8}{flag}")

    cases = [
        ("board, one community, normal tier", manager, TicketFilter(), "normal", None),
        ("board, one community, urgent tier", manager, TicketFilter(), "urgent", None),
        ("board, one community, overdue only", manager, TicketFilter(overdue=True), "normal", None),
        ("board, one community, search '报修'", manager, TicketFilter(search="报修"), "normal", None),
        ("board, one community, 'load more' (100 per column)", manager, TicketFilter(), "normal",
         {"in_progress": 100}),
        ("board, all communities (company manager), normal", company, TicketFilter(), "normal", None),
    ]
    for name, principal, filters, tier, limits in cases:
        p50, p95, size, cards = time_board(engine, principal, filters, tier, runs, limits)
        line(name, p50, p95, 100, cards, size)
    for name, principal in (("home figures, service desk (cs), one community", desk),
                            ("home figures, community manager", manager),
                            ("home figures, company manager (all communities)", company)):
        p50, p95 = time_home(engine, principal, runs)
        line(name, p50, p95, 100)
    p50, p95 = time_stamp(engine, manager, runs)
    line("poll: change stamp, one community", p50, p95, 10)
    p50, p95 = time_stamp(engine, company, runs)
    line("poll: change stamp, all communities", p50, p95, 10)
    p50, p95, moves = time_moves(engine, manager, seeded["technicians"], seeded["community_id"], runs)
    line(f"move via workflow service + commit ({moves} moves)", p50, p95, 30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--open", type=int, default=50_000)
    parser.add_argument("--closed", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    on_each_backend(args.backend, lambda engine, label: run(engine, label, args.open, args.closed, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
