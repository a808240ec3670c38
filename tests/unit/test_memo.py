"""The in-process memo: bounded by age and by size, the least recently used going first."""

from datetime import timedelta

from pm_admin.core.clock import utcnow
from pm_admin.core.memo import Memo


def test_a_memo_forgets_by_age_and_the_least_recently_used_first():
    memo: Memo[int] = Memo(max_age=timedelta(seconds=10), max_entries=2)
    now = utcnow()
    memo.put("a", 1, now)
    memo.put("b", 2, now)
    assert memo.get("a", now) == 1  # "a" is now the most recently used
    memo.put("c", 3, now)
    assert memo.get("b", now) is None and memo.get("a", now) == 1 and memo.get("c", now) == 3
    assert memo.get("a", now + timedelta(seconds=11)) is None
    assert memo.get_or_make("d", lambda: 4, now) == 4 and memo.get_or_make("d", lambda: 5, now) == 4
