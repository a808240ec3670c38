"""Hot-topic keywords of a ticket title (jieba's TF-IDF ranking, minus words every ticket shares)."""

from __future__ import annotations

import functools
import logging
import re

import jieba
import jieba.analyse

jieba.setLogLevel(logging.WARNING)  # jieba announces loading its dictionary on stderr

WORDS_PER_TITLE = 5
MAX_WORD_LENGTH = 32  # the rollup's column
# Words that say nothing about the topic: how tickets are phrased, not what they are about.
STOP_WORDS = frozenset({
    "业主", "小区", "问题", "处理", "需要", "及时", "尽快", "反映", "来电", "投诉", "报修", "咨询", "建议", "请求",
    "情况", "现象", "没有", "一直", "非常", "严重", "希望", "要求", "工单", "匿名", "物业", "我家", "家里",
})
HAS_WORD_CHARACTER = re.compile(r"[\u4e00-\u9fffA-Za-z]")


def load_dictionary() -> None:
    """jieba reads its dictionary on first use (about 1.3 s). The server calls this at start, so the first
    ticket registered or moved after a restart does not stall every connected user's events."""
    jieba.initialize()


@functools.lru_cache(maxsize=65536)  # titles repeat a lot ("电梯困人"); rebuilding over a million stays fast
def title_keywords(title: str) -> tuple[str, ...]:
    """At most five keywords of one title, each counted once per ticket."""
    words = []
    for word in jieba.analyse.extract_tags(title, topK=WORDS_PER_TITLE + len(STOP_WORDS)):
        word = word.strip()
        if (len(word) >= 2 and word not in STOP_WORDS and len(word) <= MAX_WORD_LENGTH
                and HAS_WORD_CHARACTER.search(word) and not word.isdigit()):
            words.append(word)
        if len(words) == WORDS_PER_TITLE:
            break
    return tuple(words)
