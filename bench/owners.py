"""Owner grid benchmark: 100,000 owners; p50/p95 of the grid query per case, and bytes per page.

    .venv/bin/python bench/owners.py                 # SQLite and, when it can start, PostgreSQL
    .venv/bin/python bench/owners.py --backend sqlite --owners 20000

Targets (SQLite): p95 ≤ 20 ms for indexed cases, ≤ 50 ms for substring search, ≤ 50 KB per page.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PM_DATA_DIR", tempfile.mkdtemp(prefix="pm_bench_"))

import sqlalchemy as sa  # noqa: E402
from backends import on_each_backend  # noqa: E402 - bench/ is the script folder
from sqlmodel import Session, select  # noqa: E402

from pm_admin.core.paging import PageRequest  # noqa: E402
from pm_admin.core.permissions import ClientInfo, Principal  # noqa: E402
from pm_admin.demo.owners import SyntheticPeople, seed_owners_for_rooms  # noqa: E402
from pm_admin.owners.models import Owner, OwnerPhone  # noqa: E402
from pm_admin.owners.queries import OwnerFilter, owner_grid  # noqa: E402
from pm_admin.places.models import Building, Community, Occupancy, Room, Unit, room_sort_key  # noqa: E402

ROOMS_PER_FLOOR = 4
FLOORS = 25
UNITS = 2


def seed(engine, owners_wanted: int) -> None:
    rng = random.Random(7)
    rooms_needed = int(owners_wanted / 0.93 / 1.15) + 1  # most rooms owned, some by two people
    per_building = FLOORS * UNITS * ROOMS_PER_FLOOR
    buildings = -(-rooms_needed // per_building)
    started = time.perf_counter()
    with Session(engine) as session:
        for c in range(-(-buildings // 40)):
            community = Community(code=f"B{c:02d}", name=f"基准小区{c}", address="")
            session.add(community)
            session.flush()
            for b in range(1, min(40, buildings - c * 40) + 1):
                building = Building(community_id=community.id, code=str(b), name=f"{b}栋", floors=FLOORS)
                session.add(building)
                session.flush()
                units = [Unit(building_id=building.id, code=str(u), name=f"{u}单元") for u in range(1, UNITS + 1)]
                session.add_all(units)
                session.flush()
                session.execute(sa.insert(Room), [
                    {"community_id": community.id, "building_id": building.id, "unit_id": unit.id,
                     "number": f"{floor}{n:02d}", "code": f"{community.code}-{b}-{unit.code}-{floor}{n:02d}",
                     "sort_key": room_sort_key(community.code, str(b), unit.code, floor, f"{floor}{n:02d}"),
                     "floor": floor, "area": 90, "layout": "3室2厅",
                     "occupancy": rng.choice([o.value for o in Occupancy])}
                    for unit in units for floor in range(1, FLOORS + 1) for n in range(1, ROOMS_PER_FLOOR + 1)])
        session.commit()
        rooms = list(session.exec(select(Room).order_by(Room.id)).all())
        created = seed_owners_for_rooms(session, rooms, rng=rng, people=SyntheticPeople(rng))
        session.commit()
    with engine.connect() as connection:  # statistics and visibility maps as autovacuum keeps them
        vacuum = "VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"
        connection.execution_options(isolation_level="AUTOCOMMIT").execute(sa.text(vacuum))
    print(f"  seeded {created:,} owners in {len(rooms):,} rooms ({time.perf_counter() - started:.0f} s)")


def timed(session, principal, request, filters, runs: int) -> tuple[float, float, int]:
    owner_grid(session, principal, request, filters)  # warm-up
    samples, page = [], None
    for _ in range(runs):
        started = time.perf_counter()
        page = owner_grid(session, principal, request, filters)
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(0.95 * len(samples)))]
    page_bytes = len(json.dumps([row.model_dump() for row in page.rows], ensure_ascii=False).encode())
    return statistics.median(samples), p95, page_bytes


def run(engine, label: str, owners: int, runs: int) -> None:
    print(f"\n== {label}")
    seed(engine, owners)
    principal = Principal(user_id=1, username="bench", display_name="bench", roles=frozenset({"admin"}),
                          permissions=frozenset({"owners.view"}), all_communities=True, community_ids=frozenset(),
                          session_id=1, client=ClientInfo())
    with Session(engine) as session:
        sample = session.exec(select(Owner).order_by(Owner.id).offset(owners // 2)).first()
        phone_owner = session.exec(select(OwnerPhone).where(OwnerPhone.owner_id == sample.id)).first()
        from pm_admin.core.crypto import decrypt

        phone = decrypt(phone_owner.phone_enc)
        building_id = session.exec(select(Building.id).order_by(Building.id).offset(7)).first()
        total = session.scalar(sa.select(sa.func.count(Owner.id)))
        cases = [
            ("first page", PageRequest(), OwnerFilter(), "indexed"),
            ("building filter", PageRequest(), OwnerFilter(building_id=building_id), "indexed"),
            ("name search (substring)", PageRequest(), OwnerFilter(search=sample.name), "substring"),
            ("pinyin search", PageRequest(), OwnerFilter(search=sample.name_pinyin[:6]), "substring"),
            ("pinyin initials", PageRequest(), OwnerFilter(search=sample.name_initials), "substring"),
            ("exact phone", PageRequest(), OwnerFilter(search=phone), "indexed"),
            ("page 1,000", PageRequest(page=1000), OwnerFilter(), "indexed"),
        ]
        print(f"  owners: {total:,}   runs per case: {runs}")
        print(f"  {'case':28} {'p50 ms':>8} {'p95 ms':>8} {'target':>8} {'page bytes':>11}")
        for name, request, filters, kind in cases:
            p50, p95, size = timed(session, principal, request, filters, runs)
            target = 20 if kind == "indexed" else 50
            flag = "" if p95 <= target else "  (over target)"
            print(f"  {name:28} {p50:8.1f} {p95:8.1f} {target:8d} {size:11,}{flag}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owners", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    on_each_backend(args.backend, lambda engine, label: run(engine, label, args.owners, args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
