"""Load over the event websocket, as many signed-in staff at once would make it.

    .venv/bin/python bench/load.py                                   # starts a server on demo data (SQLite, memory)
    .venv/bin/python bench/load.py --clients 1,10,50 --seconds 20
    .venv/bin/python bench/load.py --clients 100,200 --think 3       # staff who pause 3 s between steps
    .venv/bin/python bench/load.py --tabs 100                        # 100 tabs opening at once
    .venv/bin/python bench/load.py --url http://127.0.0.1:3000       # a server already running (e.g. behind nginx)
    .venv/bin/python bench/load.py --configs sqlite,redis1,redis2    # compared, interleaved: SQLite + memory state,
                                                                     # and PostgreSQL + Redis behind nginx, n workers

Each client has its own session and token and loops over the mix with the real event names: owner grid page turn
→ search → page turn → ticket board → card move → dashboard. Prints events/s, p50/p95/p99 per operation, the
server's memory (when this script started it) and errors (no answer in 30 s, or an error toast). Every card move that
was answered as done is checked against the audit log at the end: each must be there exactly once.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PM_ENV", "test")
os.environ.setdefault("PM_DATA_DIR", tempfile.mkdtemp(prefix="pm_bench_"))

from pm_admin.owners.states.owners import OwnersState  # noqa: E402
from pm_admin.tickets.states.board import MoveForm, TicketBoardState  # noqa: E402
from tests.support.login import sign_in  # noqa: E402
from tests.support.ws_client import CraftedClient, NoAnswer, deltas, event_name, frontend_events  # noqa: E402

USER = "demo.manager"  # may use every page of the mix
SEARCHES = ("王", "李", "C01-1", "张", "138", "C02")
BOARD = "/tickets/board"
BOARD_QUERY = {"tier": "normal"}


class Tally:
    def __init__(self) -> None:
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.moved: list[int] = []

    def add(self, op: str, seconds: float) -> None:
        self.samples[op].append(seconds * 1000)


def refused(updates) -> bool:
    """An error toast in the answer (a refusal or a failed handler)."""
    return any("toast" in str(event) and "error" in str(event) for event in frontend_events(updates))


def succeeded(updates) -> bool:
    return any("toast" in str(event) and "success" in str(event) for event in frontend_events(updates))


async def timed(tally: Tally, op: str, call):
    started = time.perf_counter()
    try:
        updates = await call
    except NoAnswer:
        tally.errors[op] += 1
        return None
    tally.add(op, time.perf_counter() - started)
    if refused(updates):
        tally.errors[op] += 1
    return updates


def cards_of(updates) -> dict[str, list[dict]]:
    board = deltas(updates).get(TicketBoardState.get_full_name(), {})
    return {status: board.get(f"col_{status}_rx_state_") or [] for status in ("assigned", "in_progress")}


async def move_a_card(client: CraftedClient, tally: Tally, board_updates, rng: random.Random) -> None:
    """assigned → in_progress (no input), or in_progress → assigned (the dialog asks for an assignee, then saves)."""
    columns = cards_of(board_updates)
    source = rng.choice([s for s in columns if columns[s]] or ["assigned"])
    if not columns.get(source):
        return
    card = rng.choice(columns[source])
    target = "in_progress" if source == "assigned" else "assigned"
    started = time.perf_counter()
    try:
        updates = await client.send(event_name(TicketBoardState, "drop"),
                                    {"payload": {"source": {"dragId": card["id"]}, "dropId": target}},
                                    path=BOARD, query=BOARD_QUERY)
        if target == "assigned" and not refused(updates):
            form = deltas(updates).get(MoveForm.get_full_name(), {})
            options = form.get("assignees_rx_state_") or []
            if not options:  # no dialog: another client had moved the card (a warning toast), not a failure
                tally.errors["move_conflict"] += 1
                return
            updates = await client.send(event_name(MoveForm, "save"), {"form": {
                "assignee_id": options[0]["value"], "reason": "", "hold_until": "", "resolution": ""}},
                path=BOARD, query=BOARD_QUERY)
    except NoAnswer:
        tally.errors["move"] += 1
        return
    tally.add("move", time.perf_counter() - started)
    if refused(updates):  # another client moved the same card first: a refusal, not a loss
        tally.errors["move_refused"] += 1
    elif succeeded(updates):
        tally.moved.append(card["id"])


async def staff_member(base_url: str, cookie: str, tally: Tally, stop_at: float, think: float, seed: int) -> None:
    rng = random.Random(seed)
    async with CraftedClient(base_url, cookie=cookie) as client:
        await client.hydrate("/owners")
        page = 1
        while time.monotonic() < stop_at:
            page = page % 5 + 1
            steps = [
                ("page_turn", lambda page=page: client.send(event_name(OwnersState, "go_to_page"), {"page": page},
                                                            path="/owners")),
                ("search", lambda: client.send(event_name(OwnersState, "submit_filters"),
                                               {"form": {"q": rng.choice(SEARCHES)}}, path="/owners")),
                ("page_turn", lambda: client.send(event_name(OwnersState, "go_to_page"), {"page": 1},
                                                  path="/owners")),
                ("board", lambda: client.hydrate(f"{BOARD}?tier=normal")),
            ]
            board_updates = None
            for op, call in steps:
                updates = await timed(tally, op, call())
                if op == "board":
                    board_updates = updates
                await asyncio.sleep(think * rng.uniform(0.5, 1.5) if think else 0)
            if board_updates is not None:
                await move_a_card(client, tally, board_updates, rng)
                await asyncio.sleep(think * rng.uniform(0.5, 1.5) if think else 0)
            await timed(tally, "dashboard", client.hydrate("/dashboard"))
            await client.hydrate("/owners")
            if think:
                await asyncio.sleep(think * rng.uniform(0.5, 1.5))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def server_rss_mb(pid: int | None) -> float | None:
    """Resident memory of the server's whole process group (Reflex runs the backend in child processes)."""
    if pid is None:
        return None
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pid:
                continue
            for line in (entry / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except (OSError, ProcessLookupError):
            continue
    return total / 1024


async def sessions(base_url: str, count: int) -> list[str]:
    """One signed-in session per client (the same account, as a team sharing a role would), one after another:
    setting up is not what is measured."""
    return [await sign_in(base_url, USER) for _ in range(count)]


async def closed_loop(base_url: str, cookies: list[str], seconds: float, think: float) -> Tally:
    tally = Tally()
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(staff_member(base_url, cookie, tally, stop_at, think, n) for n, cookie in enumerate(cookies)))
    tally.elapsed = time.perf_counter() - started
    return tally


async def tabs_opening(base_url: str, cookies: list[str]) -> Tally:
    """Every client opens a tab (connects and hydrates the owner grid) at the same moment."""
    tally = Tally()

    async def open_tab(cookie: str) -> None:
        started = time.perf_counter()
        try:
            async with CraftedClient(base_url, cookie=cookie) as client:
                await client.hydrate("/owners")
        except (NoAnswer, OSError, asyncio.TimeoutError):
            tally.errors["tab_open"] += 1
            return
        tally.add("tab_open", time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(open_tab(cookie) for cookie in cookies))
    tally.elapsed = time.perf_counter() - started
    return tally


def moves_recorded(database_url: str | None, ticket_ids: list[int], since: float) -> str:
    """How many of the answered moves the audit log holds (each must be there once)."""
    if not database_url or not ticket_ids:
        return "not checked"
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        count = connection.execute(sa.text(
            "SELECT count(*) FROM audit_event WHERE action = 'ticket.move' AND occurred_at >= :since"),
            {"since": datetime.fromtimestamp(since, UTC).replace(tzinfo=None)}).scalar_one()
    engine.dispose()
    return f"{count} audited / {len(ticket_ids)} answered"


def report(label: str, tally: Tally, rss: float | None, moves: str) -> None:
    events = sum(len(v) for v in tally.samples.values())
    print(f"\n== {label}: {events} operations in {tally.elapsed:.1f} s = {events / tally.elapsed:.1f} ops/s; "
          f"errors {dict(tally.errors) or 0}; server RSS {f'{rss:.0f} MB' if rss else 'n/a'}; moves {moves}")
    print(f"   {'operation':<10} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for op, values in sorted(tally.samples.items()):
        print(f"   {op:<10} {len(values):>6} {statistics.median(values):>8.0f} {percentile(values, 0.95):>8.0f} "
              f"{percentile(values, 0.99):>8.0f}")


class Target:
    """A configuration under test: its address, database, the process groups whose memory counts, how to stop."""

    def __init__(self, label: str, base_url: str, database_url: str | None, groups: list[int], stop) -> None:
        self.label, self.base_url, self.database_url, self.groups, self.stop = label, base_url, database_url, groups, stop

    def rss_mb(self) -> float | None:
        sizes = [server_rss_mb(group) for group in self.groups]
        return sum(size or 0 for size in sizes) if self.groups else None


def start_target(config: str) -> Target:
    """``sqlite``: one server, SQLite, memory state. ``redisN``: PostgreSQL + Redis, N workers behind nginx."""
    if config == "sqlite":
        from tests.support.server import DemoData, ProdServer

        demo = DemoData(Path(tempfile.mkdtemp(prefix="pm_bench_demo_")))
        server = ProdServer(Path(tempfile.mkdtemp(prefix="pm_bench_server_")), demo).start()
        return Target("SQLite, memory state, 1 worker", server.base_url, server.database_url, [server.process.pid],
                      server.stop)
    if config.startswith("redis"):
        from tests.support.scale_out import ScaleOutStack

        workers = int(config.removeprefix("redis") or 1)
        stack = ScaleOutStack(Path(tempfile.mkdtemp(prefix="pm_bench_stack_")), workers=workers).start()
        return Target(f"PostgreSQL + Redis, {workers} worker(s) behind nginx", stack.base_url, stack.database_url,
                      [process.pid for process in stack.servers[:-1]], stack.stop)
    raise SystemExit(f"unknown configuration {config!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", help="a running server; default: start the configurations of --configs")
    parser.add_argument("--database-url", help="with --url: its database, to check the moves against the audit log")
    parser.add_argument("--configs", default="sqlite", help="sqlite, redis1, redis2, redis4 … (comma-separated)")
    parser.add_argument("--clients", default="1,10,50", help="closed-loop client counts, comma-separated")
    parser.add_argument("--think", type=float, default=0.0, help="seconds a client pauses between steps (±50 %%)")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long each closed loop runs")
    parser.add_argument("--tabs", type=int, default=0, help="also open this many tabs at once")
    args = parser.parse_args()

    targets: list[Target] = []
    try:
        if args.url:
            targets = [Target(args.url, args.url, args.database_url, [], lambda: None)]
        else:
            targets = [start_target(config.strip()) for config in args.configs.split(",") if config.strip()]
        counts = [int(n) for n in args.clients.split(",") if n.strip()]
        cookies = {}
        for target in targets:
            cookies[target.label] = asyncio.run(sessions(target.base_url, max(counts + [args.tabs])))
            print(f"{target.label}: {target.base_url}; idle RSS {target.rss_mb() or 0:.0f} MB")
        for count in counts:  # the configurations take turns at each load, so they share the machine's moods
            for target in targets:
                since = time.time() - 1
                tally = asyncio.run(closed_loop(target.base_url, cookies[target.label][:count], args.seconds,
                                                args.think))
                report(f"{target.label} · {count} clients, think {args.think:g} s", tally, target.rss_mb(),
                       moves_recorded(target.database_url, tally.moved, since))
        if args.tabs:
            for target in targets:
                tally = asyncio.run(tabs_opening(target.base_url, cookies[target.label][:args.tabs]))
                report(f"{target.label} · {args.tabs} tabs opening at once", tally, target.rss_mb(), "—")
    finally:
        for target in targets:
            target.stop()


if __name__ == "__main__":
    main()
