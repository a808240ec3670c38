"""Arrears 欠费 per room: the balance owed and since when (entered or imported, no billing engine)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.core.mixins import Timestamped


class RoomArrears(Timestamped, SQLModel, table=True):
    __tablename__ = "room_arrears"
    __table_args__ = (sa.CheckConstraint("amount >= 0", name="ck_room_arrears_amount"),)
    room_id: int = Field(foreign_key="room.id", primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    amount: Decimal = Field(sa_type=sa.Numeric(12, 2))
    since: date
