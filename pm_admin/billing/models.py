"""What each room owes (欠费), entered or imported from the company's billing system (there is no billing engine
here). Below the owner registry, whose grid shows and filters by it; the arrears follow-up works on it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.core.mixins import Timestamped, version_column

_balance_version = version_column()


class RoomArrears(Timestamped, SQLModel, table=True):
    __tablename__ = "room_arrears"
    __table_args__ = (sa.CheckConstraint("amount >= 0", name="ck_room_arrears_amount"),)
    room_id: int = Field(foreign_key="room.id", primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    amount: Decimal = Field(sa_type=sa.Numeric(12, 2))
    since: date
    version: int = Field(default=1, sa_column=_balance_version)
    __mapper_args__ = {"version_id_col": _balance_version}
