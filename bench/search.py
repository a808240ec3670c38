"""Global search benchmark: the header's search (``home.search.global_search``) on the demo data, as demo users.

    .venv/bin/python bench/search.py                      # seeds the demo data (seed 2026) into a scratch SQLite
    .venv/bin/python bench/search.py --data-dir DIR       # a data folder already seeded (server.db + secrets.json)
    .venv/bin/python bench/search.py --rounds 20

The queries are realistic ones read from the demo database: owner names (whole and the surname alone), pinyin
initials and full pinyin, an owner's exact phone number (the blind-index lookup), room codes (a building, a whole
code, a room number), ticket codes and title words, archive numbers. Each runs as demo.cs (C01), demo.manager
(C01, C02) and demo.admin (every community) in its own transaction, rolled back (a phone lookup writes its audit
row; rolling back keeps the user's lookup budget). Prints p50/p95/max per kind and overall. Target: p95 ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

USERS = ("demo.cs", "demo.manager", "demo.admin")
TARGET_P95_MS = 150.0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def seed(data_dir: Path) -> str:
    url = f"sqlite:///{data_dir / 'server.db'}"
    env = {**os.environ, "PM_ENV": "test", "PM_BCRYPT_ROUNDS": "4", "PM_DATA_DIR": str(data_dir), "DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "alembic", "upgrade", "head"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "pm_admin.cli", "seed", "--seed", "2026"], env=env, cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"demo data seeded in {time.perf_counter() - started:.1f} s")
    return url


def queries(session) -> list[tuple[str, str]]:
    """(kind, text) read from the demo database."""
    import sqlalchemy as sa

    from pm_admin.archives.models import Archive
    from pm_admin.core.crypto import decrypt
    from pm_admin.owners.models import Owner, OwnerPhone
    from pm_admin.places.models import Community, Room
    from pm_admin.tickets.models import Ticket

    names = session.scalars(sa.select(Owner.name).order_by(Owner.id).limit(400)).all()[::40]
    initials = session.scalars(sa.select(Owner.name_initials).order_by(Owner.id).limit(400)).all()[5::80]
    pinyin = session.scalars(sa.select(Owner.name_pinyin).order_by(Owner.id).limit(400)).all()[7::80]
    phones = [decrypt(token) for token in session.scalars(
        sa.select(OwnerPhone.phone_enc).order_by(OwnerPhone.id).limit(400)).all()[3::80]]
    rooms = session.scalars(sa.select(Room.code).order_by(Room.id).limit(2000)).all()[11::400]
    c01 = sa.select(Community.id).where(Community.code == "C01").scalar_subquery()  # every user of the bench has it
    tickets = session.execute(sa.select(Ticket.code, Ticket.title).where(Ticket.community_id == c01)
                              .order_by(Ticket.id.desc()).limit(400)).all()[::80]
    archives = session.scalars(sa.select(Archive.archive_no).order_by(Archive.id).limit(2000)).all()[17::400]
    found: list[tuple[str, str]] = []
    found += [("name", n) for n in names] + [("surname", n[:1]) for n in names[:4]]
    found += [("pinyin initials", p) for p in initials if p] + [("pinyin", p[:6]) for p in pinyin if p]
    found += [("phone (blind index)", p.replace("+86", "")) for p in phones]
    found += [("room code", code) for code in rooms] + [("building", "-".join(rooms[0].split("-")[:2])),
                                                        ("room number", rooms[0].split("-")[-1])]
    found += [("ticket code", code) for code, _ in tickets] + [("ticket code prefix", tickets[0][0][:11])]
    found += [("ticket title word", title[:2]) for _, title in tickets if title]
    found += [("archive number", number) for number in archives]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, help="a seeded data folder (server.db, secrets.json)")
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="pm_bench_search_"))
    os.environ["PM_DATA_DIR"] = str(data_dir)
    url = f"sqlite:///{data_dir / 'server.db'}" if args.data_dir else seed(data_dir)
    os.environ["DATABASE_URL"] = url

    from sqlmodel import Session, select

    from pm_admin import wiring
    from pm_admin.auth.models import LoginSession, User
    from pm_admin.auth.services import principal_for
    from pm_admin.core.clock import utcnow
    from pm_admin.core.db import make_engine
    from pm_admin.core.permissions import ClientInfo
    from pm_admin.home.search import global_search

    wiring.install()
    engine = make_engine(url)
    with Session(engine) as session:
        cases = queries(session)
        principals = []
        for username in USERS:
            user = session.exec(select(User).where(User.username == username)).one()
            login = LoginSession(user_id=user.id, created_at=utcnow(), last_seen_at=utcnow())
            session.add(login)
            session.flush()
            principals.append(principal_for(session, login, user, ClientInfo(ip="127.0.0.1", user_agent="bench")))
        session.rollback()
    timings: dict[str, list[float]] = {}
    found_per_kind: dict[str, int] = {}
    hits = 0
    for _ in range(args.rounds):
        for principal in principals:
            for kind, text in cases:
                with Session(engine) as session:
                    started = time.perf_counter()
                    result = global_search(session, principal, text)
                    timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
                    found = sum(len(group.hits) for group in result.groups)
                    hits += found
                    found_per_kind[kind] = found_per_kind.get(kind, 0) + found
                    session.rollback()
    everything = [ms for values in timings.values() for ms in values]
    print(f"{len(cases)} queries × {len(principals)} users × {args.rounds} rounds = {len(everything)} searches "
          f"({hits} results), SQLite demo data")
    print(f"{'kind':<22}{'n':>6}{'hits/search':>12}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")
    for kind, values in timings.items():
        print(f"{kind:<22}{len(values):>6}{found_per_kind[kind] / len(values):>12.1f}{statistics.median(values):>10.1f}"
              f"{percentile(values, 0.95):>10.1f}{max(values):>10.1f}")
    p95 = percentile(everything, 0.95)
    print(f"{'all':<22}{len(everything):>6}{hits / len(everything):>12.1f}{statistics.median(everything):>10.1f}{p95:>10.1f}{max(everything):>10.1f}")
    print(f"target p95 ≤ {TARGET_P95_MS:.0f} ms: {'met' if p95 <= TARGET_P95_MS else 'NOT met'}")
    engine.dispose()
    return 0 if p95 <= TARGET_P95_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
