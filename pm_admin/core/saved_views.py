"""Saved grid views per user: a name and the query string (filters, sort, columns) of a page."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, Session, SQLModel, select

from pm_admin.core.clock import utcnow
from pm_admin.core.errors import FieldErrors, NotFound
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import Principal
from pm_admin.core.types import UTCDateTime

MAX_VIEWS_PER_PAGE = 30


class SavedView(SQLModel, table=True):
    __tablename__ = "saved_view"
    __table_args__ = (sa.UniqueConstraint("user_id", "page", "name", name="uq_saved_view_name"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    page: str = Field(max_length=32)
    name: str = Field(max_length=40)
    query: str = Field(max_length=1000)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SavedViewRow(BaseModel):
    id: int
    name: str
    query: str


def list_views(session: Session, principal: Principal, page: str) -> list[SavedViewRow]:
    rows = session.exec(select(SavedView).where(SavedView.user_id == principal.user_id, SavedView.page == page)
                        .order_by(SavedView.name)).all()
    return [SavedViewRow(id=v.id, name=v.name, query=v.query) for v in rows]


def save_view(session: Session, *, principal: Principal, page: str, name: str, query: str) -> SavedView:
    """Create or overwrite the user's view of that name."""
    errors = FieldErrors()
    name = clean_text(errors, "view_name", name, max_length=40, required=True)
    if len(query) > 1000:
        errors.add("view_name", "error.too_long", max=1000)
    existing = session.exec(select(SavedView).where(SavedView.user_id == principal.user_id, SavedView.page == page,
                                                    SavedView.name == name)).first()
    if existing is None and len(list_views(session, principal, page)) >= MAX_VIEWS_PER_PAGE:
        errors.add("view_name", "views.too_many", max=MAX_VIEWS_PER_PAGE)
    errors.raise_if_any()
    view = existing or SavedView(user_id=principal.user_id, page=page, name=name, query=query)
    view.query = query
    session.add(view)
    session.flush()
    return view


def delete_view(session: Session, *, principal: Principal, view_id: int) -> None:
    view = session.get(SavedView, view_id)
    if view is None or view.user_id != principal.user_id:  # another user's view does not exist for you
        raise NotFound("view")
    session.delete(view)
