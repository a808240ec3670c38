"""Places: Community 小区 → Building 楼栋 → Unit 单元 → Room 房屋."""

from __future__ import annotations

import enum
import re
from decimal import Decimal

import sqlalchemy as sa
from pydantic import BaseModel
from sqlmodel import Field, SQLModel

from pm_admin.core.mixins import Timestamped, version_column
from pm_admin.core.types import str_enum


class Occupancy(enum.StrEnum):
    OWNER_OCCUPIED = "owner_occupied"  # 自住
    RENTED = "rented"  # 出租
    VACANT = "vacant"  # 空置


class HouseholdWorkRole(enum.StrEnum):
    """Who does a community's quarterly census and arrears follow-ups (seed 001 §篇3 4.4.2 names the 客服专员)."""

    CS = "cs"  # 客服专员: the community's cs staff, the least busy first
    STEWARD = "steward"  # 管家: the steward of the household's building


_community_version = version_column()
_building_version = version_column()
_unit_version = version_column()
_room_version = version_column()


class Community(Timestamped, SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    name: str = Field(max_length=64, unique=True)
    address: str = Field(default="", max_length=200)
    is_active: bool = Field(default=True)
    household_work_role: HouseholdWorkRole = Field(default=HouseholdWorkRole.CS,
                                                   sa_type=str_enum(HouseholdWorkRole, 16))
    version: int = Field(default=1, sa_column=_community_version)
    __mapper_args__ = {"version_id_col": _community_version}


class Building(Timestamped, SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("community_id", "code", name="uq_building_code"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    code: str = Field(max_length=16)
    name: str = Field(max_length=64)
    floors: int = Field(default=1)
    # 管家: follows up this building's arrears and does its census when the community gives that work to stewards.
    steward_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    version: int = Field(default=1, sa_column=_building_version)
    __mapper_args__ = {"version_id_col": _building_version}


class Unit(Timestamped, SQLModel, table=True):
    __table_args__ = (sa.UniqueConstraint("building_id", "code", name="uq_unit_code"),)
    id: int | None = Field(default=None, primary_key=True)
    building_id: int = Field(foreign_key="building.id", index=True)
    code: str = Field(max_length=16)
    name: str = Field(max_length=64)
    version: int = Field(default=1, sa_column=_unit_version)
    __mapper_args__ = {"version_id_col": _unit_version}


class Room(Timestamped, SQLModel, table=True):
    """A room keeps its community and building ids so scoped queries need no joins."""

    __table_args__ = (
        sa.UniqueConstraint("unit_id", "number", name="uq_room_number"),
        sa.CheckConstraint("area > 0", name="ck_room_area_positive"),
        sa.Index("ix_room_community_building", "community_id", "building_id", "unit_id", "number"),
    )
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    building_id: int = Field(foreign_key="building.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    number: str = Field(max_length=16)
    code: str = Field(max_length=64, unique=True)  # e.g. C01-3-2-1502
    # Natural order (building 2 before 10, floor 9 before 10) as one indexed string; see room_sort_key.
    sort_key: str = Field(default="", max_length=64, index=True)
    floor: int
    area: Decimal = Field(sa_type=sa.Numeric(9, 2))
    layout: str = Field(default="", max_length=32)  # 户型, e.g. 3室2厅2卫
    occupancy: Occupancy = Field(default=Occupancy.VACANT, sa_type=str_enum(Occupancy))
    version: int = Field(default=1, sa_column=_room_version)
    __mapper_args__ = {"version_id_col": _room_version}


def room_code(community_code: str, building_code: str, unit_code: str, number: str) -> str:
    return f"{community_code}-{building_code}-{unit_code}-{number}"


def natural_key(text: str) -> tuple:
    """Sorts names as people read them, numbers by value: 2栋 before 10栋, 3单元 before 12单元."""
    parts = re.split(r"(\d+)", text)  # text, digits, text, digits … (the odd places are the digit runs)
    return tuple(int(part) if index % 2 else part for index, part in enumerate(parts))


def _natural(code: str, width: int) -> str:
    return code.rjust(width, "0") if code.isdigit() else code.rjust(width, "~")


def room_sort_key(community_code: str, building_code: str, unit_code: str, floor: int, number: str) -> str:
    """``C01|0003|002|0115|00001502``: sorts rooms as people read them, building → unit → floor → number."""
    return f"{community_code}|{_natural(building_code, 4)}|{_natural(unit_code, 3)}|{floor + 100:04d}|{_natural(number, 8)}"


# Public shapes: what the browser may see.


class CommunityRow(BaseModel):
    id: int
    code: str
    name: str
    address: str
    is_active: bool
    household_work_role: str
    buildings: int
    rooms: int
    version: int


class BuildingRow(BaseModel):
    id: int
    community_id: int
    community_name: str
    code: str
    name: str
    floors: int
    units: int
    rooms: int
    steward_user_id: int
    steward_name: str
    version: int


class UnitRow(BaseModel):
    id: int
    building_id: int
    building_name: str
    code: str
    name: str
    rooms: int
    version: int


class RoomRow(BaseModel):
    id: int
    community_id: int
    building_id: int
    unit_id: int
    code: str
    community_name: str
    building_name: str
    unit_name: str
    number: str
    floor: int
    area: str
    layout: str
    occupancy: str
    version: int
