"""Matching a question to the knowledge base, offline and in memory: no model, no network.

Text is normalised (full-width → half-width, lower case, traditional → simplified by OpenCC, punctuation and spaces
dropped, polite fillers removed) and the synonym map is applied to the question and the knowledge base alike. Each
entry's question and phrasings are documents of character unigrams and bigrams (plus the bigrams of their toneless
pinyin, so that a homophone typo 物业肥 still meets 物业费); BM25 (``bm25s``) picks the candidates, and each is scored
by a blend of how much of the question it covers (IDF-weighted, both ways), ``rapidfuzz`` similarity and the BM25
score relative to the best. The blend and the gap to the runner-up give the confidence band."""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

import bm25s
import numpy as np
import opencc
from pypinyin import lazy_pinyin
from rapidfuzz import fuzz

from pm_admin.faq.models import Band

# Confidence bands over the blended score (0–1), tuned on tests/data/faq_eval.jsonl.
HIGH_SCORE = 0.62
HIGH_MARGIN = 0.06  # … and ahead of the next entry by at least this
MIDDLE_SCORE = 0.40
PROPOSALS = 3
# The blend: the question's words the document holds, the document's words the question holds, edit similarity,
# BM25 relative to the best candidate.
WEIGHTS = (0.4, 0.25, 0.2, 0.15)
ANSWER_WEIGHT = 0.15  # the question's words found in the entry's answer: a weak hint, never enough alone
CANDIDATE_DOCS = 60

# Words of a repair or a complaint: a ticket is offered first, whatever the score (seed 001 §06.2 投诉受理).
TICKET_WORDS = ("漏水", "渗水", "滴水", "爆管", "水管爆", "堵了", "堵住", "堵塞", "坏了", "坏掉", "故障", "不亮", "不能用",
                "没人管", "没人修", "没人处理", "投诉", "举报", "态度差", "态度太差", "关不上", "打不开", "不出水")
FILLERS = ("请问一下", "请问", "想问一下", "问一下", "我想问", "想问", "你好", "您好", "麻烦", "谢谢", "你们", "我们小区",
           "小区里", "物业这边")
# Spoken forms read as the written ones before the staff's synonyms (not a matter for staff to edit).
COLLOQUIAL = {"哪儿": "哪里", "咋": "怎么", "啥": "什么", "掉了": "丢了", "弄丢": "丢了", "多钱": "多少钱"}
STOP_CHARS = frozenset("的了吗呢啊吧么呀哦嘛是我你他她它在有要和就都也还把被给怎咋啥么什哪个能可以会这那")
# Bigrams of asking rather than of the matter asked about.
STOP_BIGRAMS = frozenset(("怎么", "么办", "什么", "么时", "时候", "需要", "可以", "多少", "哪里", "哪儿", "一个", "没有", "有没",
                          "不能", "能不", "在哪", "去哪", "哪个", "的话", "是不", "不是", "为什", "么样", "怎样", "要去", "能在",
                          "吗", "了吗", "的吗", "要交", "一下", "我家", "家里", "我的"))
_SPLIT = re.compile(r"[\W_]+")
_RUNS = re.compile(r"[\u3400-\u9fff]+|[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u9fff]")


@functools.cache
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def simplify(text: str) -> str:
    """Half-width, lower case, simplified characters, no punctuation or spaces."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    return _SPLIT.sub("", _converter().convert(text))


class Synonyms:
    """Words read as others, longest first, in one pass (a canonical word is not rewritten again)."""

    def __init__(self, pairs: Mapping[str, str] | Iterable[tuple[str, str]]) -> None:
        items = pairs.items() if isinstance(pairs, Mapping) else pairs
        self.map: dict[str, str] = {}
        for word, canonical in items:
            word, canonical = simplify(word), simplify(canonical)
            if word and canonical and word != canonical:
                self.map[word] = canonical
        words = sorted(self.map, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, words))) if words else None

    def apply(self, text: str) -> str:
        return self.pattern.sub(lambda m: self.map[m.group(0)], text) if self.pattern else text


def normalise(text: str, synonyms: Synonyms) -> str:
    text = simplify(text)
    for filler in FILLERS:
        if filler in text and len(text) > len(filler) + 1:
            text = text.replace(filler, "")
    return synonyms.apply(_colloquial().apply(text))


@functools.cache
def _colloquial() -> Synonyms:
    return Synonyms(COLLOQUIAL)


@functools.lru_cache(maxsize=8192)
def _pinyin(char: str) -> str:
    return lazy_pinyin(char)[0]


def tokens(text: str) -> list[str]:
    """Character unigrams (less the function words) and bigrams of a normalised text, their pinyin bigrams, and its
    runs of letters or digits as whole words."""
    out: list[str] = []
    for run in _RUNS.findall(text):
        if not _CJK.match(run):
            out.append(run)
            continue
        out.extend(ch for ch in run if ch not in STOP_CHARS)
        sounds = [_pinyin(ch) for ch in run]
        for i in range(len(run) - 1):
            if run[i:i + 2] not in STOP_BIGRAMS:
                out.extend((run[i:i + 2], f"{sounds[i]}_{sounds[i + 1]}"))
    return out


def is_ticket_text(text: str) -> bool:
    plain = simplify(text)
    return any(word in plain for word in TICKET_WORDS)


@dataclasses.dataclass(frozen=True)
class IndexEntry:
    id: int
    question: str
    phrasings: tuple[str, ...] = ()
    valid_until: date | None = None
    answer: str = ""


@dataclasses.dataclass(frozen=True)
class Hit:
    entry_id: int
    score: float


@dataclasses.dataclass(frozen=True)
class Match:
    hits: tuple[Hit, ...]  # best first, at most PROPOSALS
    band: Band
    normalised: str

    @property
    def best(self) -> Hit | None:
        return self.hits[0] if self.hits else None


class FaqIndex:
    """The entries of one community (its own and the company-wide ones) ready to be asked."""

    def __init__(self, entries: Sequence[IndexEntry], synonyms: Synonyms | Mapping[str, str] | None = None) -> None:
        self.synonyms = synonyms if isinstance(synonyms, Synonyms) else Synonyms(synonyms or {})
        self.entries = {entry.id: entry for entry in entries}
        self.doc_entry: list[int] = []
        self.doc_text: list[str] = []
        self.doc_tokens: list[frozenset[str]] = []
        corpus: list[list[str]] = []
        for entry in entries:
            for text in (entry.question, *entry.phrasings):
                norm = normalise(text, self.synonyms)
                toks = tokens(norm)
                if not toks:
                    continue
                self.doc_entry.append(entry.id)
                self.doc_text.append(norm)
                self.doc_tokens.append(frozenset(toks))
                corpus.append(toks)
        self.answer_tokens = {entry.id: frozenset(tokens(normalise(entry.answer, self.synonyms)))
                              for entry in entries}
        self.docs_of: dict[int, list[int]] = {}
        for doc, entry_id in enumerate(self.doc_entry):
            self.docs_of.setdefault(entry_id, []).append(doc)
        frequency = Counter(tok for doc in self.doc_tokens for tok in doc)
        n = len(self.doc_tokens)
        self.idf = {tok: math.log(1 + (n - df + 0.5) / (df + 0.5)) for tok, df in frequency.items()}
        self.unknown_idf = math.log(1 + (n + 0.5) / 0.5)
        self.bm25: bm25s.BM25 | None = None
        if corpus:
            self.bm25 = bm25s.BM25()
            self.bm25.index(corpus, show_progress=False)

    def __len__(self) -> int:
        return len(self.entries)

    def _weight(self, tok: str) -> float:
        return self.idf.get(tok, self.unknown_idf)

    def _coverage(self, query: frozenset[str], doc: frozenset[str]) -> tuple[float, float]:
        """How much of the question the document holds, and how much of the document the question holds."""
        shared = sum(self._weight(t) for t in query & doc)
        return (shared / (sum(self._weight(t) for t in query) or 1.0),
                shared / (sum(self._weight(t) for t in doc) or 1.0))

    def match(self, text: str, *, today: date | None = None) -> Match:
        query = normalise(text, self.synonyms)
        query_tokens = tokens(query)
        ticket = is_ticket_text(text)
        hits = self._rank(query, query_tokens, today) if query_tokens and self.bm25 is not None else []
        top = hits[0].score if hits else 0.0
        gap = top - (hits[1].score if len(hits) > 1 else 0.0)
        if ticket:
            band = Band.TICKET
        elif top >= HIGH_SCORE and gap >= HIGH_MARGIN:
            band = Band.HIGH
        elif top >= MIDDLE_SCORE:
            band = Band.MIDDLE
        else:
            band = Band.LOW
        return Match(tuple(hits[:PROPOSALS]), band, query)

    def _rank(self, query: str, query_tokens: list[str], today: date | None) -> list[Hit]:
        scores = self.bm25.get_scores(query_tokens)
        k = min(CANDIDATE_DOCS, len(scores))
        candidates = np.argpartition(-scores, k - 1)[:k]
        best_bm25: dict[int, float] = {}
        for doc in candidates:
            score = float(scores[doc])
            if score <= 0:
                continue
            entry_id = self.doc_entry[doc]
            entry = self.entries[entry_id]
            if today is not None and entry.valid_until is not None and entry.valid_until < today:
                continue
            best_bm25[entry_id] = max(best_bm25.get(entry_id, 0.0), score)
        if not best_bm25:
            return []
        ceiling = max(best_bm25.values())
        qset = frozenset(query_tokens)
        hits = []
        for entry_id, bm in best_bm25.items():
            best = 0.0
            for doc in self.docs_of[entry_id]:
                q_cover, d_cover = self._coverage(qset, self.doc_tokens[doc])
                similarity = fuzz.ratio(query, self.doc_text[doc]) / 100
                best = max(best, WEIGHTS[0] * q_cover + WEIGHTS[1] * d_cover + WEIGHTS[2] * similarity)
            in_answer = self._coverage(qset, self.answer_tokens[entry_id])[0] if ANSWER_WEIGHT else 0.0
            hits.append(Hit(entry_id, round(best + WEIGHTS[3] * bm / ceiling + ANSWER_WEIGHT * in_answer, 4)))
        hits.sort(key=lambda hit: (-hit.score, hit.entry_id))
        return hits
