"""An emergency to 10,000 households: the time to send it (households and outbox rows written in one transaction),
the outbox's drain time per channel against local servers (bench/outbox.py's dispatcher and servers), and the p95 of
the acknowledgement-by-building query while owners confirm, on SQLite and PostgreSQL.

    .venv/bin/python bench/comms.py                           # 10,000 households, both backends
    .venv/bin/python bench/comms.py --households 2000 --backend sqlite
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PM_ENV", "test")
os.environ.setdefault("PM_DATA_DIR", tempfile.mkdtemp(prefix="pm_bench_"))

import sqlalchemy as sa  # noqa: E402
from backends import on_each_backend  # noqa: E402 - bench/ is the script folder
from sqlmodel import Session, select  # noqa: E402

from pm_admin.comms import notices, queries  # noqa: E402
from pm_admin.comms.models import NoticeHousehold  # noqa: E402
from pm_admin.comms.notices import NoticeInput  # noqa: E402
from pm_admin.core import crypto  # noqa: E402
from pm_admin.core.clock import utcnow  # noqa: E402
from pm_admin.core.permissions import SYSTEM  # noqa: E402
from pm_admin.notify.models import Delivery, OutboxMessage  # noqa: E402
from pm_admin.owners.models import Owner, Ownership  # noqa: E402
from pm_admin.places.models import Room, room_code, room_sort_key  # noqa: E402
from pm_admin.portal.models import AccountStatus, OwnerAccount, PersonKind  # noqa: E402
from tests.support import factories  # noqa: E402

ROOMS_PER_UNIT = 100
UNITS_PER_BUILDING = 4


def seed(engine, households: int) -> int:
    """A community of ``households`` rooms, each with an owner holding an active portal account."""
    with Session(engine) as session:
        community, building, unit, _ = factories.place_tree(session)
        buildings, rooms = [building], []
        for n in range(households):
            if n and n % (ROOMS_PER_UNIT * UNITS_PER_BUILDING) == 0:
                buildings.append(factories.building(session, community, code=str(len(buildings) + 1)))
            if n % ROOMS_PER_UNIT == 0:
                unit = factories.unit(session, buildings[-1], code=str((n // ROOMS_PER_UNIT) % UNITS_PER_BUILDING + 2))
            floor, number = 1 + (n % ROOMS_PER_UNIT) // 4, f"{1 + (n % ROOMS_PER_UNIT) // 4}{n % 4 + 1:02d}"
            rooms.append(Room(community_id=community.id, building_id=buildings[-1].id, unit_id=unit.id, number=number,
                              floor=floor, area=Decimal("90"), code=room_code(community.code, buildings[-1].code,
                                                                              unit.code, number),
                              sort_key=room_sort_key(community.code, buildings[-1].code, unit.code, floor, number)))
        session.add_all(rooms)
        session.flush()
        owners = [Owner(name=f"业主{n}") for n in range(households)]
        session.add_all(owners)
        session.flush()
        session.add_all([Ownership(owner_id=o.id, room_id=r.id, community_id=community.id, started_on=date(2020, 1, 1))
                         for o, r in zip(owners, rooms, strict=True)])
        phone = crypto.encrypt("+8613800000000")
        session.add_all([OwnerAccount(person_kind=PersonKind.OWNER, person_id=o.id, community_id=community.id,
                                      display_name=o.name, phone_enc=phone, phone_index=f"bench{o.id}",
                                      status=AccountStatus.ACTIVE) for o in owners])
        session.commit()
        return community.id


def measure(engine, label: str, households: int) -> None:
    community_id = seed(engine, households)
    with Session(engine) as session:
        started = time.perf_counter()
        notice = notices.draft_notice(session, actor=SYSTEM, data=NoticeInput(
            kind="emergency", title="全小区停电", body="电网故障，正在抢修", community_id=community_id,
            channels=["inbox", "sms"], valid_until=utcnow() + timedelta(hours=6)))
        notices.send_emergency_now(session, actor=SYSTEM, notice_id=notice.id, expected_version=notice.version)
        notice_id = notice.id
        session.commit()
        sent = time.perf_counter() - started
        written = session.scalar(select(sa.func.count()).select_from(OutboxMessage))
    print(f"\n== {label}: an emergency to {households} households")
    print(f"   send (households + {written} outbox rows, one transaction): {sent:6.2f} s")
    drain(engine)
    samples = []
    with Session(engine) as session:
        rooms = session.exec(select(NoticeHousehold.room_id).where(NoticeHousehold.notice_id == notice_id)).all()
        for n, room_id in enumerate(rooms[: min(len(rooms), 2000)]):
            if n % 10 == 0:  # every tenth household confirms, the manager's page asks for the share meanwhile
                session.execute(sa.update(NoticeHousehold).where(NoticeHousehold.notice_id == notice_id,
                                                                 NoticeHousehold.room_id == room_id)
                                .values(acknowledged_at=utcnow()))
                session.commit()
                started = time.perf_counter()
                queries.acknowledgement(session, notice_id)
                samples.append(time.perf_counter() - started)
    ordered = sorted(samples)
    print(f"   acknowledgement by building, {len(samples)} reads while owners confirm: "
          f"p50 {statistics.median(ordered) * 1000:.1f} ms, p95 {ordered[int(len(ordered) * 0.95) - 1] * 1000:.1f} ms")


def drain(engine) -> None:
    """The outbox through one dispatcher, the development outbox standing in for the SMS provider (each channel's
    own throughput against local servers: bench/outbox.py)."""
    from pm_admin.notify.dispatcher import Dispatcher  # noqa: PLC0415
    from pm_admin.settings import NotifySettings  # noqa: PLC0415

    dispatcher = Dispatcher(engine, NotifySettings(), production=False, batch_size=200)
    started = time.perf_counter()
    dispatcher.drain()
    elapsed = time.perf_counter() - started
    with Session(engine) as session:
        counts = {str(c): n for c, n in session.exec(select(OutboxMessage.channel, sa.func.count())
                                                    .group_by(OutboxMessage.channel)).all()}
        left = session.scalar(select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.status == Delivery.QUEUED))
    done = sum(counts.values())
    print(f"   drain ({', '.join(f'{c}: {n}' for c, n in counts.items())}): {done} messages in {elapsed:6.2f} s "
          f"({done / elapsed:5.0f}/s), {left} left")
    dispatcher.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--households", type=int, default=10_000)
    args = parser.parse_args()
    on_each_backend(args.backend, lambda engine, label: measure(engine, label, args.households))


if __name__ == "__main__":
    main()
