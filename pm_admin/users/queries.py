"""The account list of the admin page, and the account figures of the home page."""

from __future__ import annotations

import dataclasses
from collections import defaultdict

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.models import Role, User, UserCommunity, UserRole, UserRow
from pm_admin.core.clock import local_text
from pm_admin.core.paging import Page, PageRequest, count, order_by, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.places.models import Community


def role_codes(session: Session) -> list[str]:
    return list(session.exec(select(Role.code).order_by(Role.code)).all())


def _in_scope(principal: Principal) -> sa.ColumnElement[bool]:
    """Users visible to the principal: those sharing one of its communities, and the company-wide accounts,
    who work in every community (all users for admins looking at all communities)."""
    ids = principal.community_filter()
    if ids is None:
        return sa.true()
    shared = sa.select(UserCommunity.user_id).where(col(UserCommunity.community_id).in_(sorted(ids)))
    return sa.or_(col(User.id).in_(shared), col(User.all_communities).is_(True))


def list_users(session: Session, principal: Principal, request: PageRequest, search: str = "") -> Page[UserRow]:
    principal.require(Perm.USERS_MANAGE)
    request = request.clamp()
    statement = sa.select(User).where(_in_scope(principal))
    if search.strip():
        like = f"%{search.strip()}%"
        statement = statement.where(sa.or_(User.username.like(like), User.display_name.like(like)))
    total = count(session, statement)
    statement = order_by(statement, request, {"username": User.username, "display_name": User.display_name},
                         [User.username])
    users = [row[0] for row in session.execute(paginate(statement, request)).all()]
    ids = [u.id for u in users]
    roles: dict[int, list[str]] = defaultdict(list)
    communities: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if ids:
        for user_id, role in session.execute(
            sa.select(UserRole.user_id, UserRole.role_code).where(col(UserRole.user_id).in_(ids))
            .order_by(UserRole.role_code)
        ).all():
            roles[user_id].append(role)
        for user_id, community_id, name in session.execute(
            sa.select(UserCommunity.user_id, Community.id, Community.name)
            .join(Community, Community.id == UserCommunity.community_id)
            .where(col(UserCommunity.user_id).in_(ids)).order_by(Community.code)
        ).all():
            communities[user_id].append((community_id, name))
    rows = [
        UserRow(
            id=u.id, username=u.username, display_name=u.display_name, is_active=u.is_active,
            all_communities=u.all_communities, roles=roles[u.id],
            community_ids=[c for c, _ in communities[u.id]],
            community_names="、".join(name for _, name in communities[u.id]),
            last_login_at=local_text(u.last_login_at),
            version=u.version,
        )
        for u in users
    ]
    return Page(rows, total, request.page, request.page_size)


@dataclasses.dataclass(frozen=True)
class UserTotals:
    active: int
    disabled: int
    by_role: dict[str, int]


def user_totals(session: Session, principal: Principal) -> UserTotals:
    scope = _in_scope(principal)
    active = session.scalar(sa.select(sa.func.count(User.id)).where(scope, User.is_active == sa.true())) or 0
    disabled = session.scalar(sa.select(sa.func.count(User.id)).where(scope, User.is_active == sa.false())) or 0
    by_role = dict(session.execute(
        sa.select(UserRole.role_code, sa.func.count(UserRole.user_id))
        .join(User, User.id == UserRole.user_id)
        .where(scope, User.is_active == sa.true())
        .group_by(UserRole.role_code)
    ).all())
    return UserTotals(active, disabled, by_role)
