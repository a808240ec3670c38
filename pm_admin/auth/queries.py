"""Who holds a role where, and staff display names (shared by every domain that shows staff)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.auth.models import User, UserCommunity, UserRole
from pm_admin.core.permissions import Principal


def users_with_role(session: Session, principal: Principal, role: str, community_id: int) -> list[tuple[int, str]]:
    """Active users holding ``role`` in a community the principal may see (e.g. stewards for a building)."""
    if not principal.can_access_community(community_id):
        return []
    return [(row[0], row[1]) for row in session.execute(
        sa.select(User.id, User.display_name).join(UserRole, UserRole.user_id == User.id)
        .join(UserCommunity, UserCommunity.user_id == User.id)
        .where(UserRole.role_code == role, UserCommunity.community_id == community_id, User.is_active == sa.true())
        .order_by(User.display_name)).all()]


def display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    """Staff as people know them ("王客服", not "demo.cs"); a name no account has (e.g. "system") stays."""
    names = {u for u in usernames if u}
    found = dict(session.execute(sa.select(User.username, User.display_name)
                                 .where(col(User.username).in_(sorted(names)))).all()) if names else {}
    return {u: found.get(u) or u for u in usernames}


def user_names(session: Session, user_ids) -> dict[int, str]:
    """Staff display names by id, for the ids given (None and 0 ignored)."""
    ids = sorted({i for i in user_ids if i})
    return dict(session.execute(sa.select(User.id, User.display_name).where(col(User.id).in_(ids))).all()) \
        if ids else {}


def staff_of(session: Session, community_id: int) -> list[User]:
    """Active staff who work in the community (its own or company-wide)."""
    return list(session.exec(sa.select(User).where(User.is_active == sa.true(), sa.or_(
        User.all_communities == sa.true(),
        col(User.id).in_(sa.select(UserCommunity.user_id).where(UserCommunity.community_id == community_id))))
        .order_by(User.display_name, User.id)).scalars().all())
