"""Rollups behind the executive dashboard: counters per day, week and month, kept current by
``dashboards.rollups`` whenever a ticket is written, and rebuilt from the tickets after bulk loads.

Rows with ``community_id = 0`` (``ALL_COMMUNITIES``) hold the company-wide totals, so a view of every
community reads a dozen rows per month instead of one row per community. ``community_id`` therefore
has no foreign key; rollups are derived data.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.owners.models import Ownership

ALL_COMMUNITIES = 0
NO_BUILDING = 0  # tickets about public areas have no room, hence no building


class TicketMonthStats(SQLModel, table=True):
    """Tickets registered per local month × community × top-level category × tier × kind (resolutions and
    callbacks are counted from the stored rounds, ``tickets.rounds``)."""

    __tablename__ = "ticket_month_stats"
    community_id: int = Field(primary_key=True)
    month: date = Field(primary_key=True)  # first day of the month, Shanghai time
    category_id: int = Field(primary_key=True)
    tier: str = Field(primary_key=True, max_length=12)
    kind: str = Field(primary_key=True, max_length=12)
    created: int = Field(default=0)
    repeats: int = Field(default=0)  # repeat_of_id set (二次投诉 for complaints, 返修 for repairs)
    reopened: int = Field(default=0)  # reopen_count > 0
    valid_complaints: int = Field(default=0)  # complaints, neither cancelled nor invalid, judged valid
    undecided_complaints: int = Field(default=0)  # … not judged yet


class TicketDayStats(SQLModel, table=True):
    """Tickets created per local day × community × top-level category × kind (daily charts, partial months)."""

    __tablename__ = "ticket_day_stats"
    community_id: int = Field(primary_key=True)
    day: date = Field(primary_key=True)
    category_id: int = Field(primary_key=True)
    kind: str = Field(primary_key=True, max_length=12)
    created: int = Field(default=0)


class TicketWeekStats(SQLModel, table=True):
    """Tickets created per local week (Monday) × community × building × top-level category (early warnings).

    No company-wide rows: a warning is always about one building.
    """

    __tablename__ = "ticket_week_stats"
    __table_args__ = (sa.Index("ix_ticket_week_stats_week", "week", "community_id", "building_id", "category_id",
                               "created"),)
    community_id: int = Field(primary_key=True)
    week: date = Field(primary_key=True)
    building_id: int = Field(primary_key=True)
    category_id: int = Field(primary_key=True)
    created: int = Field(default=0)


class TicketKeywordMonth(SQLModel, table=True):
    """Hot topics: how many tickets created in the month have the keyword in their title."""

    __tablename__ = "ticket_keyword_month"
    community_id: int = Field(primary_key=True)
    month: date = Field(primary_key=True)
    word: str = Field(primary_key=True, max_length=32)
    tickets: int = Field(default=0)


# Households (rooms with a current owner) per community, counted straight off this partial index.
HOUSEHOLD_INDEX = sa.Index("ix_ownership_community_room_current", Ownership.__table__.c.community_id,
                           Ownership.__table__.c.room_id, sqlite_where=sa.text("ended_on IS NULL"),
                           postgresql_where=sa.text("ended_on IS NULL"))
