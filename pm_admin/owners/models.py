"""Owners 业主, ownership of rooms over time, households, occupants, and their change history.

Phones and ID numbers are stored only as Fernet ciphertext (``*_enc``) plus a keyed blind index
(``*_index``) for exact search; see pm_admin.core.crypto.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import Timestamped, version_column
from pm_admin.core.types import UTCDateTime, str_enum


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class Relation(enum.StrEnum):
    SPOUSE = "spouse"  # 配偶
    CHILD = "child"  # 子女
    PARENT = "parent"  # 父母
    OTHER = "other"  # 其他


class OccupantKind(enum.StrEnum):
    TENANT = "tenant"  # 租户
    OCCUPANT = "occupant"  # 其他住户


_owner_version = version_column()
_member_version = version_column()


class Owner(Timestamped, SQLModel, table=True):
    __table_args__ = (
        sa.Index("ix_owner_id_number_index", "id_number_index", unique=True),
        sa.Index("ix_owner_name", "name"),
        sa.Index("ix_owner_name_initials", "name_initials"),
        sa.Index("ix_owner_name_pinyin", "name_pinyin"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64)
    name_pinyin: str = Field(default="", max_length=256)  # "zhangsan", for pinyin search
    name_initials: str = Field(default="", max_length=64)  # "zs"
    gender: Gender = Field(default=Gender.UNKNOWN, sa_type=str_enum(Gender, 8))
    birth_date: date | None = None
    id_number_enc: str | None = Field(default=None, max_length=256)
    id_number_index: str | None = Field(default=None, max_length=40)
    address: str = Field(default="", max_length=200)
    is_vip: bool = Field(default=False, index=True)
    notes: str = Field(default="", max_length=2000)
    version: int = Field(default=1, sa_column=_owner_version)
    __mapper_args__ = {"version_id_col": _owner_version}


class OwnerPhone(SQLModel, table=True):
    __tablename__ = "owner_phone"
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id", index=True)
    phone_enc: str = Field(max_length=256)
    phone_index: str = Field(max_length=40, index=True)
    is_primary: bool = Field(default=False)


class OwnerTag(SQLModel, table=True):
    __tablename__ = "owner_tag"
    owner_id: int = Field(foreign_key="owner.id", primary_key=True)
    tag: str = Field(max_length=32, primary_key=True, index=True)


class Ownership(SQLModel, table=True):
    """Owner ↔ room from ``started_on`` until ``ended_on`` (an owner change ends one, starts another)."""

    __table_args__ = (
        sa.Index("ix_ownership_room_current", "room_id", "ended_on"),
        # The owner grid counts and pages current ownerships in room order straight off these
        # partial indexes (only current rows; both databases use them for "ended_on IS NULL").
        sa.Index("ix_ownership_current_sort", "sort_key", "id", sqlite_where=sa.text("ended_on IS NULL"),
                 postgresql_where=sa.text("ended_on IS NULL")),
        sa.Index("ix_ownership_community_current_sort", "community_id", "sort_key", "id",
                 sqlite_where=sa.text("ended_on IS NULL"), postgresql_where=sa.text("ended_on IS NULL")),
        sa.CheckConstraint("share > 0 AND share <= 100", name="ck_ownership_share"),
    )
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id", index=True)
    room_id: int = Field(foreign_key="room.id")
    community_id: int = Field(foreign_key="community.id")
    sort_key: str = Field(default="", max_length=64)  # the room's, see places.models.room_sort_key
    share: Decimal = Field(default=Decimal("100"), sa_type=sa.Numeric(5, 2))
    started_on: date
    ended_on: date | None = None
    end_reason: str = Field(default="", max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class HouseholdMember(Timestamped, SQLModel, table=True):
    __tablename__ = "household_member"
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id", index=True)
    relation: Relation = Field(sa_type=str_enum(Relation, 16))
    name: str = Field(max_length=64)
    phone_enc: str | None = Field(default=None, max_length=256)
    phone_index: str | None = Field(default=None, max_length=40, index=True)
    id_number_enc: str | None = Field(default=None, max_length=256)
    id_number_index: str | None = Field(default=None, max_length=40, index=True)
    version: int = Field(default=1, sa_column=_member_version)
    __mapper_args__ = {"version_id_col": _member_version}


class Occupant(Timestamped, SQLModel, table=True):
    """A tenant or other resident of a room who is not its owner."""

    __table_args__ = (sa.Index("ix_occupant_room_current", "room_id", "ended_on"),)
    id: int | None = Field(default=None, primary_key=True)
    room_id: int = Field(foreign_key="room.id")
    community_id: int = Field(foreign_key="community.id", index=True)
    kind: OccupantKind = Field(sa_type=str_enum(OccupantKind, 16))
    name: str = Field(max_length=64)
    phone_enc: str | None = Field(default=None, max_length=256)
    phone_index: str | None = Field(default=None, max_length=40, index=True)
    id_number_enc: str | None = Field(default=None, max_length=256)
    id_number_index: str | None = Field(default=None, max_length=40, index=True)
    started_on: date
    ended_on: date | None = None


class OwnerChange(SQLModel, table=True):
    """信息变更记录: one changed field, with masked old and new values."""

    __tablename__ = "owner_change"
    __table_args__ = (sa.Index("ix_owner_change_owner_time", "owner_id", "occurred_at"),)
    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(foreign_key="owner.id")
    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    actor_user_id: int | None = None
    actor_name: str = Field(default="", max_length=64)
    kind: str = Field(max_length=16)  # profile | contact | household | ownership | occupant
    field: str = Field(max_length=32)
    old_value: str = Field(default="", max_length=300)
    new_value: str = Field(default="", max_length=300)
    room_id: int | None = Field(default=None)


# ---------------------------------------------------------------- public shapes


class OwnerGridRow(BaseModel):
    id: int  # the ownership: one row per owner and room
    owner_id: int
    room_id: int
    room_code: str
    community_name: str
    building_name: str
    unit_name: str
    occupancy: str
    area: str  # m², the room's
    name: str
    gender: str
    phone: str  # masked
    id_number: str  # masked
    is_vip: bool
    tags: str
    share: str
    started_on: str
    arrears: str
    version: int


class OwnerProfile(BaseModel):
    id: int
    name: str
    gender: str
    birth_date: str
    phones: list[str]  # masked
    id_number: str  # masked
    address: str
    is_vip: bool
    tags: list[str]
    notes: str
    version: int


class OwnedRoom(BaseModel):
    ownership_id: int
    room_id: int
    room_code: str
    community_name: str
    share: str
    started_on: str
    ended_on: str
    end_reason: str


class MemberRow(BaseModel):
    id: int
    relation: str
    name: str
    phone: str  # masked
    id_number: str  # masked
    version: int


class OccupantRow(BaseModel):
    id: int
    room_code: str
    kind: str
    name: str
    phone: str  # masked
    started_on: str
    ended_on: str


class ChangeRow(BaseModel):
    occurred_at: str
    actor_name: str
    kind: str
    field: str
    old_value: str
    new_value: str
