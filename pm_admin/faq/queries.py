"""Reads of the FAQ knowledge base for the staff page: one page of entries (a community's own and the company-wide
ones, within the principal's scope), the categories in use, the unanswered questions, an entry as the edit dialog
opens it; and a reply as the pages and the API show it."""

from __future__ import annotations

import dataclasses
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import local_text
from pm_admin.core.errors import NotFound
from pm_admin.core.paging import Page, PageRequest, count, order_by, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.faq import editing, services
from pm_admin.faq.models import FaqEntry, FaqPhrasing, FaqQuery, FaqSynonym
from pm_admin.places.models import Community

EXCERPT = 60


@dataclasses.dataclass
class EntryFilter:
    community_id: int | None = None
    category: str = ""
    search: str = ""


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat[:EXCERPT] + ("…" if len(flat) > EXCERPT else "")


def _visible(principal: Principal, community_id: int | None) -> sa.ColumnElement[bool]:
    if community_id is not None:
        principal.require_community(community_id)
        return sa.or_(col(FaqEntry.community_id) == community_id, col(FaqEntry.community_id).is_(None))
    return sa.or_(col(FaqEntry.community_id).is_(None), principal.scope_clause(FaqEntry.community_id))


def entries(session: Session, principal: Principal, request: PageRequest, filters: EntryFilter) -> Page:
    """Active entries, company-wide ones included; the search reads the question, the phrasings and the answer."""
    principal.require(Perm.FAQ_VIEW)
    request = request.clamp()
    where = [_visible(principal, filters.community_id), col(FaqEntry.is_active).is_(True)]
    if filters.category:
        where.append(FaqEntry.category == filters.category)
    if filters.search.strip():
        words = filters.search.strip()
        where.append(sa.or_(col(FaqEntry.question).contains(words), col(FaqEntry.answer).contains(words),
                            col(FaqEntry.id).in_(select(FaqPhrasing.entry_id)
                                                 .where(col(FaqPhrasing.text).contains(words)))))
    statement = (select(FaqEntry, Community.name).outerjoin(Community, Community.id == FaqEntry.community_id)
                 .where(*where))
    total = count(session, statement)
    ordered = order_by(statement, request, {"question": col(FaqEntry.question), "category": col(FaqEntry.category),
                                            "updated_at": col(FaqEntry.updated_at)},
                       [col(FaqEntry.category), col(FaqEntry.id)])
    found = session.exec(paginate(ordered, request)).all()
    ids = [entry.id for entry, _ in found]
    phrasings = dict(session.exec(select(FaqPhrasing.entry_id, sa.func.count(FaqPhrasing.id))
                                  .where(col(FaqPhrasing.entry_id).in_(ids))
                                  .group_by(FaqPhrasing.entry_id)).all()) if ids else {}
    rows = [{"id": entry.id, "question": entry.question, "answer": _excerpt(entry.answer),
             "category": entry.category, "community": community or "", "company_wide": entry.community_id is None,
             "phrasings": int(phrasings.get(entry.id, 0)),
             "valid_until": entry.valid_until.isoformat() if entry.valid_until else "",
             "updated_at": local_text(entry.updated_at)} for entry, community in found]
    return Page(rows, total, request.page, request.page_size)


def category_options(session: Session, principal: Principal) -> list[dict[str, str]]:
    """The categories the visible entries use."""
    rows = session.exec(select(FaqEntry.category).where(_visible(principal, None), FaqEntry.category != "")
                        .distinct().order_by(FaqEntry.category)).all()
    return [{"value": name, "label": name} for name in rows]


def unanswered(session: Session, principal: Principal, community_id: int | None, limit: int = 50) -> list[dict]:
    """The questions nothing answered, newest first, as the page lists them."""
    queries = editing.unanswered(session, actor=principal, community_id=community_id, limit=limit)
    names = dict(session.exec(select(Community.id, Community.name).where(
        col(Community.id).in_({q.community_id for q in queries}))).all()) if queries else {}
    return [{"id": q.id, "asked": q.asked, "community": names.get(q.community_id, ""), "channel": str(q.channel),
             "asked_at": local_text(q.created_at)} for q in queries]


def entry_for_edit(session: Session, principal: Principal, entry_id: int) -> tuple[FaqEntry, dict[str, Any]]:
    """An entry and its dialog's values (the phrasings one a line)."""
    entry = editing.load_entry(session, principal, entry_id)
    return entry, {"community_id": str(entry.community_id or ""), "question": entry.question,
                   "phrasings": "\n".join(editing.phrasings_of(session, entry.id)), "answer": entry.answer,
                   "category": entry.category, "valid_until": entry.valid_until.isoformat() if entry.valid_until else ""}


def query_for_entry(session: Session, principal: Principal, query_id: int) -> FaqQuery:
    """An unanswered question of the principal's communities, before it becomes an entry."""
    principal.require(Perm.FAQ_MANAGE)
    query = session.get(FaqQuery, query_id)
    if query is None:
        raise NotFound("faq_query")
    principal.require_community(query.community_id)
    return query


def reply_view(reply: services.Reply) -> dict[str, Any]:
    """A reply as the pages show it (plain values only)."""
    def proposal(p: services.Proposal) -> dict[str, Any]:
        return {"entry_id": p.entry_id, "question": p.question, "answer": p.answer, "category": p.category}
    ticket = reply.ticket
    return {"query_id": reply.query_id, "band": str(reply.band),
            "answer": proposal(reply.answer) if reply.answer else {},
            "proposals": [proposal(p) for p in reply.proposals],
            "ticket": {"title": ticket.title, "description": ticket.description, "channel": ticket.channel}
            if ticket else {}}


def synonyms(session: Session, principal: Principal, community_id: int | None) -> list[dict[str, str]]:
    """The synonyms that apply to the community chosen (company-wide and its own), or to every community the
    principal sees; each says whether the principal may delete it."""
    principal.require(Perm.FAQ_VIEW)
    rows = session.exec(select(FaqSynonym, Community.name).outerjoin(Community, Community.id == FaqSynonym.community_id)
                        .where(_synonym_scope(principal, community_id))
                        .order_by(FaqSynonym.word)).all()
    return [{"id": str(s.id), "word": s.word, "canonical": s.canonical, "community": name or "",
             "deletable": "1" if principal.has(Perm.FAQ_MANAGE) and principal.can_access_community(s.community_id)
             else ""} for s, name in rows]


def _synonym_scope(principal: Principal, community_id: int | None) -> sa.ColumnElement[bool]:
    own = FaqSynonym.community_id == community_id if community_id else principal.scope_clause(FaqSynonym.community_id)
    return sa.or_(col(FaqSynonym.community_id).is_(None), own)
