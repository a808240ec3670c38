"""The owner API under load: 1,000 owners with portal sessions; p50/p95 of ``POST /api/v1/tickets`` and
``GET /api/v1/tickets`` from 10 concurrent clients, on SQLite and PostgreSQL; then the outbox's throughput per
channel (bench/outbox.py) for the messages those reports wrote.

    .venv/bin/python bench/portal.py                      # both backends, 1,000 owners, 2,000 requests of each
    .venv/bin/python bench/portal.py --backend sqlite --owners 200 --requests 400

In process (FastAPI's TestClient over the real ASGI app and database): the figures are the API's own time,
without a network or a proxy in front.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PM_ENV", "test")
os.environ.setdefault("PM_DATA_DIR", tempfile.mkdtemp(prefix="pm_bench_"))
os.environ["PM_API_OWNER_PER_MINUTE"] = "100000"  # the budget is not what is measured

from backends import on_each_backend  # noqa: E402 - bench/ is the script folder
from fastapi.testclient import TestClient  # noqa: E402
from sqlmodel import Session, select  # noqa: E402

from pm_admin.api.app import create_api  # noqa: E402
from pm_admin.core import crypto  # noqa: E402
from pm_admin.core.db import get_engine  # noqa: E402
from pm_admin.owners.models import Owner, OwnerPhone, Ownership  # noqa: E402
from pm_admin.portal.models import AccountStatus, OwnerAccount, PersonKind, PortalSession  # noqa: E402
from pm_admin.portal.services.sign_in import digest  # noqa: E402
from pm_admin.settings import get_settings  # noqa: E402
from pm_admin.tickets.models import TicketCategory  # noqa: E402
from tests.support import factories  # noqa: E402

CLIENTS = 10


def seed(engine, owners: int) -> tuple[list[tuple[str, int]], int]:
    """``owners`` owners of one room each, every one with an active account and a session: (token, room) pairs."""
    callers = []
    with Session(engine) as session:
        community, building, _, _ = factories.place_tree(session)
        units = {}
        for n in range(owners):  # 100 rooms a unit: 10 floors of 10
            if n // 100 not in units:
                units[n // 100] = factories.unit(session, building, code=str(n // 100 + 2))
            floor = 1 + (n % 100) // 10
            room = factories.room(session, units[n // 100], number=f"{floor}{n % 10:02d}", floor=floor)
            owner = Owner(name=f"业主{n}")
            session.add(owner)
            session.flush()
            phone = f"+86138{n:08d}"
            session.add(OwnerPhone(owner_id=owner.id, phone_enc=crypto.encrypt(phone),
                                   phone_index=crypto.blind_index("phone", phone), is_primary=True))
            session.add(Ownership(owner_id=owner.id, room_id=room.id, community_id=community.id,
                                  started_on=date(2020, 1, 1)))
            account = OwnerAccount(person_kind=PersonKind.OWNER, person_id=owner.id, community_id=community.id,
                                   display_name=owner.name, phone_enc=crypto.encrypt(phone),
                                   phone_index=crypto.blind_index("phone", phone), status=AccountStatus.ACTIVE)
            session.add(account)
            session.flush()
            token = secrets.token_urlsafe(32)
            session.add(PortalSession(account_id=account.id, token_hash=digest(token)))
            callers.append((token, room.id))
        category = session.exec(select(TicketCategory.id).where(TicketCategory.code == "home_repair")).one()
        session.commit()
    return callers, category


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"p50 {statistics.median(ordered) * 1000:6.1f} ms   p95 {p95 * 1000:6.1f} ms"


def measure(engine, label: str, owners: int, requests: int) -> None:
    os.environ["DATABASE_URL"] = str(engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    get_engine.cache_clear()
    callers, category = seed(engine, owners)
    api = create_api()
    local = threading.local()

    def client() -> TestClient:  # one per client thread, as separate phones would be
        if not hasattr(local, "client"):
            local.client = TestClient(api)
        return local.client

    def create(n: int) -> float:
        token, room = callers[n % len(callers)]
        started = time.perf_counter()
        answer = client().post("/tickets", headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"b{n}"},
                             json={"kind": "repair", "room_id": room, "category_id": category,
                                   "description": f"水管漏水 {n}"})
        assert answer.status_code == 201, answer.text
        return time.perf_counter() - started

    def listing(n: int) -> float:
        token, _ = callers[n % len(callers)]
        started = time.perf_counter()
        answer = client().get("/tickets", headers={"Authorization": f"Bearer {token}"}, params={"limit": 20})
        assert answer.status_code == 200, answer.text
        return time.perf_counter() - started

    print(f"\n== {label}: {owners} owners, {requests} requests each, {CLIENTS} clients at once")
    for name, work in (("POST /tickets", create), ("GET /tickets", listing)):
        started = time.perf_counter()
        with ThreadPoolExecutor(CLIENTS) as pool:
            samples = list(pool.map(work, range(requests)))
        elapsed = time.perf_counter() - started
        print(f"   {name:14} {percentiles(samples)}   {requests / elapsed:6.1f} requests/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", default="both", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--owners", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    on_each_backend(args.backend, lambda engine, label: measure(engine, label, args.owners, args.requests))
    print("\nOutbox throughput per channel: .venv/bin/python bench/outbox.py (same backends)")
    import subprocess  # noqa: PLC0415 - the outbox bench runs as its own process, with its own servers

    subprocess.run([sys.executable, str(ROOT / "bench" / "outbox.py"), "--messages", "1000", "--backend",
                    args.backend], check=True)


if __name__ == "__main__":
    main()
