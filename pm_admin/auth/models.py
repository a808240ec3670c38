"""Users, roles, permissions as data, community scope, login sessions and throttling."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from pm_admin.core.mixins import Timestamped, version_column
from pm_admin.core.types import UTCDateTime

_user_version = version_column()


class Role(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=32)


class Permission(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=64)


class RolePermission(SQLModel, table=True):
    """Which roles hold a permission. Data, not code: migrations seed the defaults."""

    __tablename__ = "role_permission"
    role_code: str = Field(foreign_key="role.code", primary_key=True, max_length=32)
    permission_code: str = Field(foreign_key="permission.code", primary_key=True, max_length=64)


class User(Timestamped, SQLModel, table=True):
    __tablename__ = "app_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True)
    display_name: str = Field(max_length=64)
    password_hash: str = Field(max_length=128)
    is_active: bool = Field(default=True)
    # Admins and executives work across the whole company, not a list of communities.
    all_communities: bool = Field(default=False)
    must_change_password: bool = Field(default=False)
    password_changed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_user_version)
    __mapper_args__ = {"version_id_col": _user_version}


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"
    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    role_code: str = Field(foreign_key="role.code", primary_key=True, max_length=32)


class UserCommunity(SQLModel, table=True):
    __tablename__ = "user_community"
    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    community_id: int = Field(foreign_key="community.id", primary_key=True, index=True)


class LoginSession(SQLModel, table=True):
    """A server-side session. The browser holds only a random token; we keep its hash.

    Login creates the row with a one-time ``ticket``; the browser trades the ticket for an
    HttpOnly cookie at ``/auth/session``, so the session token never passes through
    JavaScript.
    """

    __tablename__ = "login_session"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    token_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_hash: str | None = Field(default=None, max_length=64, unique=True)
    ticket_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoke_reason: str | None = Field(default=None, max_length=32)
    current_community_id: int | None = Field(default=None, foreign_key="community.id")
    client_ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=256)


class LoginThrottle(SQLModel, table=True):
    """Failed-login counter for one key: a client address, an account, or a known device."""

    __tablename__ = "login_throttle"
    key: str = Field(primary_key=True, max_length=160)
    failures: int = Field(default=0)
    last_failure_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    blocked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)


# Public shapes.


class UserRow(BaseModel):
    id: int
    username: str
    display_name: str
    is_active: bool
    all_communities: bool
    roles: list[str]
    community_ids: list[int]
    community_names: str
    last_login_at: str
    version: int

