"""The FAQ assistant's services: asking (from the portal, the API for a WeCom bot, or cs staff on the phone), every
question logged. Keeping the knowledge base (entries, phrasings, synonyms, unanswered questions) is ``faq.editing``.

The index of a community (its own entries and the company-wide ones) is built in memory on first use and rebuilt
when the entries or synonyms it was built from change: each ask compares a cheap fingerprint of them (count, highest
id, latest change) with the one the cached index was built from, so every worker sees another's edit."""

from __future__ import annotations

import dataclasses
import threading
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.core.clock import local_today
from pm_admin.core.errors import FieldErrors, NotFound, PermissionDenied
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import OwnerPrincipal, Perm, Principal
from pm_admin.faq import matching
from pm_admin.faq.models import AskChannel, Band, FaqEntry, FaqPhrasing, FaqQuery, FaqSynonym, QueryOutcome

QUESTION_LENGTH = 200
ANSWER_LENGTH = 4000
ASKED_LENGTH = 500
MAX_PHRASINGS = 20
TICKET_TITLE_LENGTH = 60
OUTCOME_OF_BAND = {Band.HIGH: QueryOutcome.ANSWERED, Band.MIDDLE: QueryOutcome.PROPOSED,
                   Band.LOW: QueryOutcome.TICKET_OFFERED, Band.TICKET: QueryOutcome.TICKET_OFFERED}
TICKET_CHANNEL = {AskChannel.PORTAL: "online", AskChannel.API: "wechat_group", AskChannel.STAFF: "hotline"}


# ---------------------------------------------------------------------------------------------------------------
# The index cache


@dataclasses.dataclass(frozen=True)
class _Cached:
    stamp: tuple
    index: matching.FaqIndex


_cache: dict[int, _Cached] = {}
_cache_lock = threading.Lock()


def in_community(column, community_id: int):
    return sa.or_(column == community_id, column.is_(None))


def _stamp(session: Session, community_id: int) -> tuple:
    entries = session.exec(select(sa.func.count(FaqEntry.id), sa.func.max(FaqEntry.id), sa.func.max(FaqEntry.updated_at))
                           .where(in_community(FaqEntry.community_id, community_id))).one()
    synonyms = session.exec(select(sa.func.count(FaqSynonym.id), sa.func.max(FaqSynonym.id),
                                   sa.func.max(FaqSynonym.updated_at))
                            .where(in_community(FaqSynonym.community_id, community_id))).one()
    return tuple(str(value) for value in (*entries, *synonyms))


def synonyms_for(session: Session, community_id: int | None) -> dict[str, str]:
    """The company-wide synonyms, with the community's own taking precedence for the same word."""
    rows = session.exec(select(FaqSynonym).where(
        FaqSynonym.community_id.is_(None) if community_id is None else in_community(FaqSynonym.community_id,
                                                                                    community_id))).all()
    rows = sorted(rows, key=lambda row: (row.community_id is not None, row.id))
    return {row.word: row.canonical for row in rows}


def _build(session: Session, community_id: int) -> matching.FaqIndex:
    entries = session.exec(select(FaqEntry).where(in_community(FaqEntry.community_id, community_id),
                                                  FaqEntry.is_active.is_(True)).order_by(FaqEntry.id)).all()
    phrasings: dict[int, list[str]] = {}
    ids = [entry.id for entry in entries]
    for start in range(0, len(ids), 500):
        for row in session.exec(select(FaqPhrasing).where(FaqPhrasing.entry_id.in_(ids[start:start + 500]))
                                .order_by(FaqPhrasing.id)).all():
            phrasings.setdefault(row.entry_id, []).append(row.text)
    return matching.FaqIndex([matching.IndexEntry(entry.id, entry.question, tuple(phrasings.get(entry.id, ())),
                                                  entry.valid_until, entry.answer) for entry in entries],
                             synonyms_for(session, community_id))


def index_for(session: Session, community_id: int) -> matching.FaqIndex:
    """The community's index, rebuilt when what it was built from changed."""
    stamp = _stamp(session, community_id)
    cached = _cache.get(community_id)
    if cached is not None and cached.stamp == stamp:
        return cached.index
    index = _build(session, community_id)
    with _cache_lock:
        _cache[community_id] = _Cached(stamp, index)
    return index


def forget_indexes() -> None:
    with _cache_lock:
        _cache.clear()


# ---------------------------------------------------------------------------------------------------------------
# Asking


@dataclasses.dataclass(frozen=True)
class Proposal:
    entry_id: int
    question: str
    answer: str  # Markdown
    category: str
    score: float


@dataclasses.dataclass(frozen=True)
class TicketOffer:
    """A ticket the asker may open, prefilled with their question."""

    community_id: int
    channel: str  # the ticket channel (pm_admin.tickets.models.Channel value)
    title: str
    description: str


@dataclasses.dataclass(frozen=True)
class Reply:
    query_id: int
    band: Band
    answer: Proposal | None  # high: answered at once
    proposals: tuple[Proposal, ...]  # middle: the top three; ticket: what may still help
    ticket: TicketOffer | None  # low, or a repair or complaint


Asker = Principal | OwnerPrincipal


def _asker_name(asker: Asker, channel: AskChannel) -> str:
    if isinstance(asker, OwnerPrincipal):
        return f"{'api' if channel == AskChannel.API else 'owner'}:{asker.account_id}"
    return asker.username


def _check_asker(asker: Asker, community_id: int, channel: AskChannel) -> None:
    if isinstance(asker, OwnerPrincipal):
        if channel == AskChannel.STAFF:
            raise PermissionDenied("error.permission_denied", permission=Perm.FAQ_VIEW)
        if community_id not in asker.community_ids:
            raise PermissionDenied("error.out_of_scope")
        return
    asker.require(Perm.FAQ_VIEW)
    asker.require_community(community_id)


def _proposal(entry: FaqEntry, score: float) -> Proposal:
    return Proposal(entry.id, entry.question, entry.answer, entry.category, score)


def ask(session: Session, *, asker: Asker, community_id: Any, text: str, channel: AskChannel | str,
        today: date | None = None) -> Reply:
    """Answer a question for a community: the answer (high confidence), the top three (middle), or a ticket offer
    prefilled with the question (low confidence, or words of a repair or complaint). Every question is logged.

    An owner (portal, API) asks for a community they live in; staff need faq.view and the community in scope."""
    channel = AskChannel(channel)
    if not is_id(community_id):
        raise NotFound("community")
    community_id = int(community_id)
    _check_asker(asker, community_id, channel)
    errors = FieldErrors()
    asked = clean_text(errors, "text", text, max_length=ASKED_LENGTH, required=True)
    errors.raise_if_any()
    match = index_for(session, community_id).match(asked, today=today or local_today())
    entries = {entry.id: entry for entry in session.exec(
        select(FaqEntry).where(FaqEntry.id.in_([hit.entry_id for hit in match.hits]))).all()} if match.hits else {}
    proposals = tuple(_proposal(entries[hit.entry_id], hit.score) for hit in match.hits if hit.entry_id in entries)
    answer = proposals[0] if match.band == Band.HIGH and proposals else None
    if match.band == Band.MIDDLE:
        shown = proposals
    elif match.band == Band.TICKET:
        shown = tuple(p for p in proposals if p.score >= matching.MIDDLE_SCORE)
    else:
        shown = ()
    ticket = None
    if match.band in (Band.LOW, Band.TICKET):
        ticket = TicketOffer(community_id, TICKET_CHANNEL[channel], asked[:TICKET_TITLE_LENGTH], asked)
    best = match.best
    query = FaqQuery(community_id=community_id, asked=asked, channel=channel, asker=_asker_name(asker, channel),
                     best_entry_id=best.entry_id if best else None, score=best.score if best else 0.0,
                     band=match.band, outcome=OUTCOME_OF_BAND[match.band])
    session.add(query)
    session.flush()
    return Reply(query.id, match.band, answer, shown, ticket)


def _own_query(session: Session, asker: Asker, query_id: Any) -> FaqQuery:
    query = session.get(FaqQuery, int(query_id)) if is_id(query_id) else None
    if query is None:
        raise NotFound("faq_query")
    if isinstance(asker, OwnerPrincipal):
        if query.asker not in (f"owner:{asker.account_id}", f"api:{asker.account_id}"):
            raise PermissionDenied("error.out_of_scope")
    else:
        asker.require(Perm.FAQ_VIEW)
        asker.require_community(query.community_id)
    return query


def choose(session: Session, *, asker: Asker, query_id: Any, entry_id: Any) -> Proposal:
    """The asker picked one of the proposals: its answer, and the log notes which."""
    query = _own_query(session, asker, query_id)
    entry = session.get(FaqEntry, int(entry_id)) if is_id(entry_id) else None
    if entry is None or not entry.is_active or entry.community_id not in (None, query.community_id):
        raise NotFound("faq_entry")
    query.outcome, query.best_entry_id = QueryOutcome.CHOSEN, entry.id
    session.add(query)
    session.flush()
    return _proposal(entry, query.score)


def ticket_opened(session: Session, *, asker: Asker, query_id: Any) -> str:
    """The asker took the ticket offer (the ticket itself goes through the ticket desk's own services): the
    question as asked, to prefill the report."""
    query = _own_query(session, asker, query_id)
    query.outcome = QueryOutcome.TICKET_OPENED
    session.add(query)
    session.flush()
    return query.asked
