"""The FAQ knowledge base (seed 001 §07.2 常见问题自动回复): entries per community (or company-wide), their
alternative phrasings 相似问法, the synonyms staff keep (管理费 → 物业费), and the log of every question asked."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum


class AskChannel(enum.StrEnum):
    PORTAL = "portal"  # 业主端
    API = "api"  # the owner API / a WeCom bot
    STAFF = "staff"  # cs staff answering the phone


class Band(enum.StrEnum):
    """How sure the matcher is."""

    HIGH = "high"  # answered at once
    MIDDLE = "middle"  # the top three proposed
    LOW = "low"  # nothing close enough: a ticket is offered
    TICKET = "ticket"  # words of a repair or a complaint: a ticket is offered first


class QueryOutcome(enum.StrEnum):
    ANSWERED = "answered"
    PROPOSED = "proposed"
    TICKET_OFFERED = "ticket_offered"
    CHOSEN = "chosen"  # the asker picked one of the proposals
    TICKET_OPENED = "ticket_opened"


_entry_version = version_column()


class FaqEntry(SQLModel, table=True):
    __tablename__ = "faq_entry"
    __table_args__ = (sa.Index("ix_faq_entry_community_active", "community_id", "is_active"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int | None = Field(default=None, foreign_key="community.id")  # none: company-wide
    question: str = Field(max_length=200)
    answer: str = Field(max_length=4000)  # Markdown
    category: str = Field(default="", max_length=32)
    valid_until: date | None = Field(default=None)  # after it the entry no longer answers
    owner_name: str = Field(default="", max_length=64)  # the person or department that keeps it true
    is_active: bool = Field(default=True)
    created_by: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_entry_version)
    __mapper_args__ = {"version_id_col": _entry_version}


class FaqPhrasing(SQLModel, table=True):
    """Another way owners ask the entry's question 相似问法."""

    __tablename__ = "faq_phrasing"
    id: int | None = Field(default=None, primary_key=True)
    entry_id: int = Field(foreign_key="faq_entry.id", index=True)
    text: str = Field(max_length=200)


class FaqSynonym(SQLModel, table=True):
    """A word read as another before matching, in the question and in the knowledge base alike."""

    __tablename__ = "faq_synonym"
    __table_args__ = (sa.Index("ix_faq_synonym_community_word", "community_id", "word"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int | None = Field(default=None, foreign_key="community.id")  # none: company-wide
    word: str = Field(max_length=20)
    canonical: str = Field(max_length=20)
    created_by: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class FaqQuery(SQLModel, table=True):
    """One question asked, with what the matcher made of it; staff turn the unanswered ones into entries."""

    __tablename__ = "faq_query"
    __table_args__ = (sa.Index("ix_faq_query_community_created", "community_id", "created_at"),
                      sa.Index("ix_faq_query_band_handled", "band", "handled_at"))
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    asked: str = Field(max_length=500)
    channel: AskChannel = Field(sa_type=str_enum(AskChannel, 8))
    asker: str = Field(default="", max_length=64)  # a staff username, owner:<account>, api:<token>
    best_entry_id: int | None = Field(default=None, foreign_key="faq_entry.id")
    score: float = Field(default=0.0)
    band: Band = Field(sa_type=str_enum(Band, 8))
    outcome: QueryOutcome = Field(sa_type=str_enum(QueryOutcome, 16))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # An unanswered question once staff dealt with it: the entry made from it (or none when dismissed).
    handled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    handled_by: str = Field(default="", max_length=64)
    handled_entry_id: int | None = Field(default=None, foreign_key="faq_entry.id")
