"""The knowledge base kept by staff within their communities: entries and their phrasings, synonyms, and the
unanswered questions, each turned into an entry in one step or dismissed. (Asking and the index: ``faq.services``.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import DomainError, FieldErrors, NotFound
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text, parse_date
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version, load_scoped
from pm_admin.faq import matching
from pm_admin.faq.models import Band, FaqEntry, FaqPhrasing, FaqQuery, FaqSynonym
from pm_admin.faq.services import ANSWER_LENGTH, MAX_PHRASINGS, QUESTION_LENGTH, in_community

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
        query = query.where(in_community(FaqEntry.community_id, int(community_id)))
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
        query = query.where(in_community(FaqSynonym.community_id, int(community_id)))
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
