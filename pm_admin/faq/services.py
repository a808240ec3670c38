"""The FAQ assistant's services: asking (from the portal, the API for a WeCom bot, or cs staff on the phone), every
question logged; the knowledge base kept by staff (entries, phrasings, synonyms) within their communities; the
unanswered questions and turning one into an entry in one step.

The index of a community (its own entries and the company-wide ones) is built in memory on first use and rebuilt
when the entries or synonyms it was built from change: each ask compares a cheap fingerprint of them (count, highest
id, latest change) with the one the cached index was built from, so every worker sees another's edit."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.core.audit import record
from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.errors import DomainError, FieldErrors, NotFound, PermissionDenied
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text, parse_date
from pm_admin.core.permissions import OwnerPrincipal, Perm, Principal
from pm_admin.core.scoping import expect_version, load_scoped
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


def _in_community(column, community_id: int):
    return sa.or_(column == community_id, column.is_(None))


def _stamp(session: Session, community_id: int) -> tuple:
    entries = session.exec(select(sa.func.count(FaqEntry.id), sa.func.max(FaqEntry.id), sa.func.max(FaqEntry.updated_at))
                           .where(_in_community(FaqEntry.community_id, community_id))).one()
    synonyms = session.exec(select(sa.func.count(FaqSynonym.id), sa.func.max(FaqSynonym.id),
                                   sa.func.max(FaqSynonym.updated_at))
                            .where(_in_community(FaqSynonym.community_id, community_id))).one()
    return tuple(str(value) for value in (*entries, *synonyms))


def synonyms_for(session: Session, community_id: int | None) -> dict[str, str]:
    """The company-wide synonyms, with the community's own taking precedence for the same word."""
    rows = session.exec(select(FaqSynonym).where(
        FaqSynonym.community_id.is_(None) if community_id is None else _in_community(FaqSynonym.community_id,
                                                                                    community_id))).all()
    rows = sorted(rows, key=lambda row: (row.community_id is not None, row.id))
    return {row.word: row.canonical for row in rows}


def _build(session: Session, community_id: int) -> matching.FaqIndex:
    entries = session.exec(select(FaqEntry).where(_in_community(FaqEntry.community_id, community_id),
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


# ---------------------------------------------------------------------------------------------------------------
# The knowledge base


@dataclasses.dataclass
class EntryInput:
    community_id: Any = ""  # blank: company-wide (staff of every community only)
    question: str = ""
    answer: str = ""
    category: str = ""
    valid_until: Any = ""
    owner_name: str = ""
    phrasings: Iterable[str] | str = ()  # a list, or one phrasing a line


def _phrasings(errors: FieldErrors, raw: Iterable[str] | str, question: str) -> list[str]:
    lines = raw.splitlines() if isinstance(raw, str) else list(raw)
    seen, out = {question}, []
    for line in lines:
        text = str(line or "").strip()
        if not text or text in seen:
            continue
        if len(text) > QUESTION_LENGTH:
            errors.add("phrasings", "error.too_long", max=QUESTION_LENGTH)
            break
        seen.add(text)
        out.append(text)
    if len(out) > MAX_PHRASINGS:
        errors.add("phrasings", "faq.too_many_phrasings", max=MAX_PHRASINGS)
    return out


def _clean_entry(errors: FieldErrors, data: EntryInput) -> dict[str, Any]:
    question = clean_text(errors, "question", data.question, max_length=QUESTION_LENGTH, required=True)
    return {"question": question,
            "answer": clean_text(errors, "answer", data.answer, max_length=ANSWER_LENGTH, required=True),
            "category": clean_text(errors, "category", data.category, max_length=32),
            "owner_name": clean_text(errors, "owner_name", data.owner_name, max_length=64),
            "valid_until": parse_date(errors, "valid_until", data.valid_until, required=False),
            "phrasings": _phrasings(errors, data.phrasings, question)}


def _entry_community(errors: FieldErrors, actor: Principal, raw: Any) -> int | None:
    """The entry's community (checked in scope); blank is company-wide, which only all-community staff keep."""
    if raw in (None, ""):
        actor.require_community(None)
        return None
    if not is_id(raw):
        errors.add("community_id", "error.required")
        return None
    actor.require_community(int(raw))
    return int(raw)


def _entry_state(entry: FaqEntry, phrasings: list[str]) -> dict[str, Any]:
    return {"question": entry.question, "answer": entry.answer, "category": entry.category,
            "owner_name": entry.owner_name, "valid_until": entry.valid_until, "is_active": entry.is_active,
            "phrasings": phrasings}


def phrasings_of(session: Session, entry_id: int) -> list[str]:
    return list(session.exec(select(FaqPhrasing.text).where(FaqPhrasing.entry_id == entry_id)
                             .order_by(FaqPhrasing.id)).all())


def _new_entry(session: Session, actor: Principal, community_id: int | None, fields: dict[str, Any]) -> FaqEntry:
    entry = FaqEntry(community_id=community_id, question=fields["question"], answer=fields["answer"],
                     category=fields["category"], owner_name=fields["owner_name"] or actor.display_name[:64],
                     valid_until=fields["valid_until"], created_by=actor.username)
    session.add(entry)
    session.flush()
    session.add_all([FaqPhrasing(entry_id=entry.id, text=text) for text in fields["phrasings"]])
    session.flush()
    return entry


def create_entry(session: Session, *, actor: Principal, data: EntryInput) -> FaqEntry:
    actor.require(Perm.FAQ_MANAGE)
    errors = FieldErrors()
    community_id = _entry_community(errors, actor, data.community_id)
    fields = _clean_entry(errors, data)
    errors.raise_if_any()
    entry = _new_entry(session, actor, community_id, fields)
    record(session, action="faq.entry_create", actor=actor, entity_type="faq_entry", entity_id=entry.id,
           community_id=community_id, after=_entry_state(entry, fields["phrasings"]))
    return entry


def load_entry(session: Session, actor: Principal, entry_id: Any, permission: str = Perm.FAQ_MANAGE) -> FaqEntry:
    """An entry of the actor's communities; a company-wide one is read by anyone with faq.view but kept only by
    staff of every community."""
    actor.require(permission)
    entry = session.get(FaqEntry, int(entry_id)) if is_id(entry_id) else None
    if entry is not None and entry.community_id is None and permission == Perm.FAQ_VIEW:
        return entry
    return load_scoped(session, FaqEntry, entry_id, actor, entity="faq_entry")


def update_entry(session: Session, *, actor: Principal, entry_id: Any, expected_version: int | None,
                 data: EntryInput) -> FaqEntry:
    """Edit the question, answer, category, valid-until, owner and the phrasings (the whole list); the community
    stays."""
    entry = load_entry(session, actor, entry_id)
    expect_version(entry, expected_version, lambda: {"question": entry.question})
    errors = FieldErrors()
    fields = _clean_entry(errors, data)
    errors.raise_if_any()
    before = _entry_state(entry, phrasings_of(session, entry.id))
    for name in ("question", "answer", "category", "valid_until"):
        setattr(entry, name, fields[name])
    entry.owner_name = fields["owner_name"] or entry.owner_name
    entry.updated_at = utcnow()
    _replace_phrasings(session, entry.id, fields["phrasings"])
    session.add(entry)
    session.flush()
    record(session, action="faq.entry_update", actor=actor, entity_type="faq_entry", entity_id=entry.id,
           community_id=entry.community_id, before=before, after=_entry_state(entry, fields["phrasings"]))
    return entry


def _replace_phrasings(session: Session, entry_id: int, texts: list[str]) -> None:
    for row in session.exec(select(FaqPhrasing).where(FaqPhrasing.entry_id == entry_id)).all():
        session.delete(row)
    session.flush()
    session.add_all([FaqPhrasing(entry_id=entry_id, text=text) for text in texts])


def add_phrasing(session: Session, *, actor: Principal, entry_id: Any, text: str) -> FaqPhrasing:
    entry = load_entry(session, actor, entry_id)
    errors = FieldErrors()
    phrasing = clean_text(errors, "text", text, max_length=QUESTION_LENGTH, required=True)
    existing = phrasings_of(session, entry.id)
    if phrasing and (phrasing == entry.question or phrasing in existing):
        errors.add("text", "faq.phrasing_exists")
    elif len(existing) >= MAX_PHRASINGS:
        errors.add("text", "faq.too_many_phrasings", max=MAX_PHRASINGS)
    errors.raise_if_any()
    row = FaqPhrasing(entry_id=entry.id, text=phrasing)
    entry.updated_at = utcnow()  # the index's fingerprint moves
    session.add_all([row, entry])
    session.flush()
    record(session, action="faq.phrasing_add", actor=actor, entity_type="faq_entry", entity_id=entry.id,
           community_id=entry.community_id, details={"phrasing": phrasing})
    return row


def remove_phrasing(session: Session, *, actor: Principal, phrasing_id: Any) -> None:
    row = session.get(FaqPhrasing, int(phrasing_id)) if is_id(phrasing_id) else None
    if row is None:
        raise NotFound("faq_phrasing")
    entry = load_entry(session, actor, row.entry_id)
    entry.updated_at = utcnow()
    session.delete(row)
    session.add(entry)
    session.flush()
    record(session, action="faq.phrasing_remove", actor=actor, entity_type="faq_entry", entity_id=entry.id,
           community_id=entry.community_id, details={"phrasing": row.text})


def set_active(session: Session, *, actor: Principal, entry_id: Any, expected_version: int | None,
               active: bool) -> FaqEntry:
    """Withdraw an entry (it no longer answers) or put it back."""
    entry = load_entry(session, actor, entry_id)
    expect_version(entry, expected_version, lambda: {"is_active": entry.is_active})
    if entry.is_active != active:
        entry.is_active, entry.updated_at = active, utcnow()
        session.add(entry)
        session.flush()
        record(session, action="faq.entry_" + ("activate" if active else "deactivate"), actor=actor,
               entity_type="faq_entry", entity_id=entry.id, community_id=entry.community_id,
               before={"is_active": not active}, after={"is_active": active})
    return entry


def list_entries(session: Session, *, actor: Principal, community_id: Any = None, search: str = "",
                 include_inactive: bool = False) -> list[FaqEntry]:
    """Entries staff may read: their communities' (or the one asked for) and the company-wide ones."""
    actor.require(Perm.FAQ_VIEW)
    query = select(FaqEntry)
    if is_id(community_id):
        actor.require_community(int(community_id))
        query = query.where(_in_community(FaqEntry.community_id, int(community_id)))
    else:
        query = query.where(sa.or_(FaqEntry.community_id.is_(None), actor.scope_clause(FaqEntry.community_id)))
    if not include_inactive:
        query = query.where(FaqEntry.is_active.is_(True))
    if search.strip():
        query = query.where(FaqEntry.question.contains(search.strip()))
    return list(session.exec(query.order_by(FaqEntry.category, FaqEntry.id)).all())


# ---------------------------------------------------------------------------------------------------------------
# Synonyms


def save_synonym(session: Session, *, actor: Principal, community_id: Any, word: str, canonical: str) -> FaqSynonym:
    """Read ``word`` as ``canonical`` (管理费 → 物业费) for a community, or company-wide (blank community); a word
    already mapped there gets the new reading."""
    actor.require(Perm.FAQ_MANAGE)
    errors = FieldErrors()
    scope = _entry_community(errors, actor, community_id)
    word_text = clean_text(errors, "word", word, max_length=20, required=True)
    canonical_text = clean_text(errors, "canonical", canonical, max_length=20, required=True)
    if word_text and canonical_text and matching.simplify(word_text) == matching.simplify(canonical_text):
        errors.add("canonical", "faq.synonym_same")
    errors.raise_if_any()
    row = session.exec(select(FaqSynonym).where(
        FaqSynonym.word == word_text,
        FaqSynonym.community_id.is_(None) if scope is None else FaqSynonym.community_id == scope)).first()
    before = {"word": row.word, "canonical": row.canonical} if row else None
    if row is None:
        row = FaqSynonym(community_id=scope, word=word_text, canonical=canonical_text, created_by=actor.username)
    row.canonical, row.updated_at = canonical_text, utcnow()
    session.add(row)
    session.flush()
    record(session, action="faq.synonym_save", actor=actor, entity_type="faq_synonym", entity_id=row.id,
           community_id=scope, before=before, after={"word": row.word, "canonical": row.canonical})
    return row


def delete_synonym(session: Session, *, actor: Principal, synonym_id: Any) -> None:
    actor.require(Perm.FAQ_MANAGE)
    row = session.get(FaqSynonym, int(synonym_id)) if is_id(synonym_id) else None
    if row is None:
        raise NotFound("faq_synonym")
    actor.require_community(row.community_id)
    session.delete(row)
    # The fingerprint counts rows and the highest id: a delete of the highest row with another added would not move
    # it, so the deletion stamps the remaining rows' latest change.
    latest = session.exec(select(FaqSynonym).where(
        FaqSynonym.community_id.is_(None) if row.community_id is None else FaqSynonym.community_id == row.community_id)
        .order_by(FaqSynonym.id.desc())).first()
    if latest is not None:
        latest.updated_at = utcnow()
        session.add(latest)
    session.flush()
    record(session, action="faq.synonym_delete", actor=actor, entity_type="faq_synonym", entity_id=row.id,
           community_id=row.community_id, before={"word": row.word, "canonical": row.canonical})


def list_synonyms(session: Session, *, actor: Principal, community_id: Any = None) -> list[FaqSynonym]:
    actor.require(Perm.FAQ_VIEW)
    query = select(FaqSynonym)
    if is_id(community_id):
        actor.require_community(int(community_id))
        query = query.where(_in_community(FaqSynonym.community_id, int(community_id)))
    else:
        query = query.where(sa.or_(FaqSynonym.community_id.is_(None), actor.scope_clause(FaqSynonym.community_id)))
    return list(session.exec(query.order_by(FaqSynonym.word, FaqSynonym.id)).all())


# ---------------------------------------------------------------------------------------------------------------
# Unanswered questions


def _unanswered_clause():
    return sa.and_(FaqQuery.handled_at.is_(None),
                   sa.or_(FaqQuery.band == Band.LOW,
                          sa.and_(FaqQuery.band == Band.TICKET, FaqQuery.score < matching.MIDDLE_SCORE)))


def unanswered(session: Session, *, actor: Principal, community_id: Any = None, limit: int = 200) -> list[FaqQuery]:
    """Questions nothing in the knowledge base came close to (a low band, or a ticket offer with no near entry),
    not yet turned into an entry or dismissed; newest first."""
    actor.require(Perm.FAQ_VIEW)
    query = select(FaqQuery).where(_unanswered_clause())
    if is_id(community_id):
        actor.require_community(int(community_id))
        query = query.where(FaqQuery.community_id == int(community_id))
    else:
        query = query.where(actor.scope_clause(FaqQuery.community_id))
    return list(session.exec(query.order_by(FaqQuery.created_at.desc(), FaqQuery.id.desc()).limit(limit)).all())


def _unanswered_query(session: Session, actor: Principal, query_id: Any) -> FaqQuery:
    actor.require(Perm.FAQ_MANAGE)
    query = load_scoped(session, FaqQuery, query_id, actor, entity="faq_query")
    if query.handled_at is not None:
        raise DomainError("faq.query_handled")
    return query


def entry_from_query(session: Session, *, actor: Principal, query_id: Any, data: EntryInput) -> FaqEntry:
    """Turn an unanswered question into an entry in one step: the question as asked becomes the entry's question
    (unless staff wrote a cleaner one, when it is kept as a phrasing), the entry belongs to the question's community
    unless staff make it company-wide, and the question is marked handled."""
    query = _unanswered_query(session, actor, query_id)
    errors = FieldErrors()
    community_id = _entry_community(errors, actor, query.community_id if data.community_id == "" else
                                    data.community_id)
    asked = query.asked[:QUESTION_LENGTH]
    question = str(data.question or "").strip() or asked
    raw = data.phrasings.splitlines() if isinstance(data.phrasings, str) else list(data.phrasings)
    fields = _clean_entry(errors, dataclasses.replace(data, question=question, phrasings=[asked, *raw]))
    errors.raise_if_any()
    entry = _new_entry(session, actor, community_id, fields)
    query.handled_at, query.handled_by, query.handled_entry_id = utcnow(), actor.username, entry.id
    session.add(query)
    session.flush()
    record(session, action="faq.entry_from_query", actor=actor, entity_type="faq_entry", entity_id=entry.id,
           community_id=community_id, after=_entry_state(entry, fields["phrasings"]), details={"query": query.id})
    return entry


def dismiss_query(session: Session, *, actor: Principal, query_id: Any) -> FaqQuery:
    """Not worth an entry (out of scope, abuse): off the unanswered list."""
    query = _unanswered_query(session, actor, query_id)
    query.handled_at, query.handled_by = utcnow(), actor.username
    session.add(query)
    session.flush()
    record(session, action="faq.query_dismiss", actor=actor, entity_type="faq_query", entity_id=query.id,
           community_id=query.community_id, details={"asked": query.asked})
    return query
