"""FAQ assistant benchmark: a community with 2,000 entries (the 70 demo entries company-wide plus variants of them
for the community: the same questions for other phases, buildings and facilities, each with its phrasings).

    .venv/bin/python bench/faq.py                      # SQLite and, when it can start, PostgreSQL
    .venv/bin/python bench/faq.py --backend sqlite --entries 2000 --asks 600

Prints the time to build the community's index (the first question after a change pays it), and p50/p95/max of a
question answered through the service an owner's portal uses (fingerprint check, matching, loading the proposals,
logging the question), asked with the evaluation set's questions, plus p95 of the matching alone. Target: answer
p95 ≤ 50 ms with 2,000 entries.
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
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PM_DATA_DIR", tempfile.mkdtemp(prefix="pm_bench_"))

from backends import on_each_backend  # noqa: E402 - bench/ is the script folder
from sqlmodel import Session  # noqa: E402

from pm_admin.core.clock import utcnow  # noqa: E402
from pm_admin.core.permissions import OwnerPrincipal, OwnerRoom  # noqa: E402
from pm_admin.faq import services  # noqa: E402
from pm_admin.faq.demo_kb import ENTRIES, seed_faq  # noqa: E402
from pm_admin.faq.models import AskChannel, FaqEntry, FaqPhrasing  # noqa: E402
from tests.support import factories  # noqa: E402

PLACES = ("一期", "二期", "三期", "东区", "西区", "南区", "北区", "商业街", "公寓楼", "别墅区", "地下车库", "会所", "幼儿园",
          "写字楼", "底商", "老年活动中心", "游泳馆", "网球场", "社区食堂", "临街商铺")
EVAL = ROOT / "tests" / "data" / "faq_eval.jsonl"


def seed(session: Session, community_id: int, total: int, rng: random.Random) -> None:
    seed_faq(session)
    now = utcnow()
    for n in range(total - len(ENTRIES)):
        demo = rng.choice(ENTRIES)
        place = f"{rng.choice(PLACES)}{n % 30 + 1}号楼"
        entry = FaqEntry(community_id=community_id, question=f"{place}{demo.question}", answer=demo.answer,
                         category=demo.category, created_by="bench", created_at=now, updated_at=now)
        session.add(entry)
        session.flush()
        session.add_all([FaqPhrasing(entry_id=entry.id, text=f"{place}{text}") for text in demo.phrasings])
    session.commit()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run(engine, label: str, total: int, asks: int) -> None:
    rng = random.Random(2026)
    questions = [json.loads(line)["q"] for line in EVAL.read_text(encoding="utf-8").splitlines() if line.strip()]
    with Session(engine) as session:
        community, _, _, room = factories.place_tree(session)
        session.commit()
        started = time.perf_counter()
        seed(session, community.id, total, rng)
        seeded = time.perf_counter() - started
        owner = OwnerPrincipal(account_id=1, display_name="业主", person_kind="owner", owner_id=None,
                               rooms=(OwnerRoom(room.id, community.id, date(2020, 1, 1)),), session_id=0)
        services.forget_indexes()
        started = time.perf_counter()
        index = services.index_for(session, community.id)
        build = time.perf_counter() - started
        docs = len(index.doc_text)
        answer_ms, match_ms = [], []
        for n in range(asks):
            text = questions[n % len(questions)]
            started = time.perf_counter()
            services.ask(session, asker=owner, community_id=community.id, text=text, channel=AskChannel.PORTAL)
            session.commit()
            answer_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            index.match(text)
            match_ms.append((time.perf_counter() - started) * 1000)
    print(f"\n== {label}: {len(index)} entries in the community's index ({docs} questions and phrasings), "
          f"seeded in {seeded:.1f} s")
    print(f"index build (cold, after a change): {build * 1000:.0f} ms")
    print(f"answer through the service ({asks} questions): p50 {statistics.median(answer_ms):.1f} ms, "
          f"p95 {percentile(answer_ms, 0.95):.1f} ms, max {max(answer_ms):.1f} ms")
    print(f"matching alone: p50 {statistics.median(match_ms):.1f} ms, p95 {percentile(match_ms, 0.95):.1f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--asks", type=int, default=600)
    args = parser.parse_args()
    on_each_backend(args.backend, lambda engine, label: run(engine, label, args.entries, args.asks))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
