"""Server-side paging: every list query returns one page and the total."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlmodel import Session

T = TypeVar("T")
MAX_PAGE_SIZE = 200


@dataclasses.dataclass(frozen=True)
class PageRequest:
    page: int = 1
    page_size: int = 20
    sort: str = ""
    descending: bool = False

    def clamp(self) -> "PageRequest":
        return dataclasses.replace(
            self, page=max(1, int(self.page)), page_size=min(MAX_PAGE_SIZE, max(1, int(self.page_size)))
        )

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclasses.dataclass(frozen=True)
class Page(Generic[T]):
    rows: Sequence[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def count(session: Session, statement: sa.Select) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(statement.order_by(None).subquery())) or 0


def order_by(statement: sa.Select, request: PageRequest, sortable: dict[str, sa.ColumnElement], default: Sequence[sa.ColumnElement]) -> sa.Select:
    """Sort by a whitelisted column (unknown names fall back to the default order)."""
    column = sortable.get(request.sort)
    if column is None:
        return statement.order_by(*default)
    primary = column.desc() if request.descending else column.asc()
    return statement.order_by(primary, *default)


def paginate(statement: sa.Select, request: PageRequest) -> sa.Select:
    return statement.limit(request.page_size).offset(request.offset)


def paging_params(page: int, page_size: int, sort: str, descending: bool) -> dict[str, str]:
    """A list's page, size and sort as URL parameters (defaults left out), as the address bar keeps them."""
    params = {}
    if page > 1:
        params["page"] = str(page)
    if page_size != 20:
        params["size"] = str(page_size)
    if sort:
        params["sort"] = f"-{sort}" if descending else sort
    return params
