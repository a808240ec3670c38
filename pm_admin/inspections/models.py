"""Facility inspections 巡检 and hazard rectification 隐患整改 (seed 003 5.29 防火安全检查, 5.30 电梯机房; seed 004 定期巡检).

A **template** is a checklist; a **schedule** says where (a community, a building or a piece of equipment) and how
often a template is worked through; each period of a schedule gives one **task**, whose **answers** are the items
passed or failed (a failure with a note, optionally a photo). A failed item opens a **rectification** 整改 in the
same transaction: a notice (《火险隐患整改通知书》 for fire checks) naming the place, the hazard, the responsible
party and a deadline; **rechecks** 复查 close it (with a photo) or set a new deadline, each kept as history."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum


class EquipmentKind(enum.StrEnum):
    ELEVATOR = "elevator"  # 电梯
    FIRE = "fire"  # 消防设施 (报警装置、消防水池、消火栓、消防水泵 …)
    PUMP = "pump"  # 水泵
    POWER = "power"  # 配电
    OTHER = "other"


class Category(enum.StrEnum):
    """What a template checks; a fire check's rectification prints as 《火险隐患整改通知书》."""

    FIRE = "fire"
    ELEVATOR = "elevator"
    GENERAL = "general"


class Recurrence(enum.StrEnum):
    DAILY = "daily"  # 电梯机房每天巡视 (5.30.2)
    WEEKLY = "weekly"  # 限速器每周加油 (5.30.4)
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"  # 消防每季度抽查 (5.29.1 b)
    HALF_YEARLY = "half_yearly"  # 每年二次防火安全检查 (5.29.1 a)


class TaskStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"


class RectificationStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Responsible(enum.StrEnum):
    """Who must put the hazard right (受检单位)."""

    HOUSEHOLD = "household"  # a room's household: told through the outbox
    CONTRACTOR = "contractor"  # e.g. the elevator maintenance company
    DEPARTMENT = "department"  # a department of the company (工程部 …)


_equipment_version = version_column()
_template_version = version_column()
_schedule_version = version_column()
_task_version = version_column()
_rectification_version = version_column()


class Equipment(SQLModel, table=True):
    """The equipment register, as much as schedules need: what it is and where."""

    __tablename__ = "inspection_equipment"
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    building_id: int | None = Field(default=None, foreign_key="building.id")
    name: str = Field(max_length=60)  # 3栋1号电梯
    kind: EquipmentKind = Field(sa_type=str_enum(EquipmentKind, 12))
    location: str = Field(default="", max_length=100)  # 3栋顶层电梯机房
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_equipment_version)
    __mapper_args__ = {"version_id_col": _equipment_version}


class InspectionTemplate(SQLModel, table=True):
    """A checklist. Company-wide ones (no community) come from the seeds with migration 0026 and stay as written;
    a community's managers keep their own. ``items``: ``[{"section": "消防通道", "text": "…"}]``."""

    __tablename__ = "inspection_template"
    id: int | None = Field(default=None, primary_key=True)
    community_id: int | None = Field(default=None, foreign_key="community.id", index=True)
    name: str = Field(max_length=60)
    category: Category = Field(sa_type=str_enum(Category, 12))
    recurrence: Recurrence = Field(sa_type=str_enum(Recurrence, 12))  # what a new schedule starts from
    rectify_days: int = Field(default=7)  # a failed item's deadline: this many days after the check
    department_id: int | None = Field(default=None, foreign_key="department.id")  # who rectifies by default
    items: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    is_active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_template_version)
    __mapper_args__ = {"version_id_col": _template_version}


class InspectionSchedule(SQLModel, table=True):
    """A template worked through at a place every period: the whole community, one building or one piece of
    equipment."""

    __tablename__ = "inspection_schedule"
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    template_id: int = Field(foreign_key="inspection_template.id")
    building_id: int | None = Field(default=None, foreign_key="building.id")
    equipment_id: int | None = Field(default=None, foreign_key="inspection_equipment.id")
    recurrence: Recurrence = Field(sa_type=str_enum(Recurrence, 12))
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")  # none: anyone who inspects there
    starts_on: date
    is_active: bool = Field(default=True)
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_schedule_version)
    __mapper_args__ = {"version_id_col": _schedule_version}


class InspectionTask(SQLModel, table=True):
    """One period of a schedule (one per schedule and period: generating twice adds nothing). The checklist is
    copied in, so a template edited later does not change a task already given out."""

    __tablename__ = "inspection_task"
    __table_args__ = (sa.UniqueConstraint("schedule_id", "period_start", name="uq_inspection_task_period"),
                      sa.Index("ix_inspection_task_community_due", "community_id", "due_on"),
                      sa.Index("ix_inspection_task_assignee_status", "assignee_id", "status"))
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id")
    schedule_id: int = Field(foreign_key="inspection_schedule.id")
    template_id: int = Field(foreign_key="inspection_template.id")
    category: Category = Field(sa_type=str_enum(Category, 12))
    title: str = Field(max_length=60)  # the template's name when the task was given out
    place: str = Field(max_length=160)  # 3栋1号电梯（3栋顶层电梯机房） / 3栋 / the community
    building_id: int | None = Field(default=None, foreign_key="building.id")
    equipment_id: int | None = Field(default=None, foreign_key="inspection_equipment.id")
    items: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    period_start: date
    due_on: date  # the period's last day
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    status: TaskStatus = Field(default=TaskStatus.OPEN, sa_type=str_enum(TaskStatus, 8))
    failed_items: int = Field(default=0)
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by: str = Field(default="", max_length=64)
    done_by_name: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_task_version)
    __mapper_args__ = {"version_id_col": _task_version}


class InspectionAnswer(SQLModel, table=True):
    """One checklist item of a done task: passed, or failed with a note (and the room it concerns, if one)."""

    __tablename__ = "inspection_answer"
    __table_args__ = (sa.UniqueConstraint("task_id", "position", name="uq_inspection_answer_item"),)
    id: int | None = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="inspection_task.id", index=True)
    position: int
    section: str = Field(default="", max_length=40)
    text: str = Field(max_length=200)
    passed: bool
    note: str = Field(default="", max_length=500)
    room_id: int | None = Field(default=None, foreign_key="room.id")
    # A photo, stored privately by content hash and served through one-time download tickets.
    photo_sha256: str = Field(default="", max_length=64)
    photo_type: str = Field(default="", max_length=32)


class Rectification(SQLModel, table=True):
    """A hazard to put right (整改), opened by a failed item; its notice is printed and handed to the responsible
    party (seed 003 5.29.3)."""

    __tablename__ = "rectification"
    __table_args__ = (sa.Index("ix_rectification_status_deadline", "status", "deadline"),)
    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="community.id", index=True)
    task_id: int = Field(foreign_key="inspection_task.id")
    answer_id: int = Field(foreign_key="inspection_answer.id", unique=True)
    category: Category = Field(sa_type=str_enum(Category, 12))
    location: str = Field(max_length=200)  # 部位: the task's place and the room, if one
    room_id: int | None = Field(default=None, foreign_key="room.id")
    hazard: str = Field(max_length=800)  # 隐患: the item and the inspector's note
    requirement: str = Field(default="", max_length=500)  # 整改要求
    responsible: Responsible = Field(sa_type=str_enum(Responsible, 12))
    responsible_room_id: int | None = Field(default=None, foreign_key="room.id")
    department_id: int | None = Field(default=None, foreign_key="department.id")
    contractor: str = Field(default="", max_length=80)
    deadline: date
    first_deadline: date  # the notice's deadline: "closed on time" is judged against it
    status: RectificationStatus = Field(default=RectificationStatus.OPEN, sa_type=str_enum(RectificationStatus, 8))
    inspector: str = Field(max_length=64)  # 检查负责人 (a username)
    inspector_name: str = Field(default="", max_length=64)
    opened_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_by: str = Field(default="", max_length=64)
    escalated_for: date | None = None  # the deadline whose lapse the managers were told of (once per deadline)
    version: int = Field(default=1, sa_column=_rectification_version)
    __mapper_args__ = {"version_id_col": _rectification_version}


class RectificationCheck(SQLModel, table=True):
    """A recheck 复查: passed (with a photo: the rectification closes) or not (a new deadline); never changed."""

    __tablename__ = "rectification_check"
    id: int | None = Field(default=None, primary_key=True)
    rectification_id: int = Field(foreign_key="rectification.id", index=True)
    checked_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    checked_by: str = Field(max_length=64)
    checker_name: str = Field(default="", max_length=64)
    passed: bool
    note: str = Field(default="", max_length=500)
    photo_sha256: str = Field(default="", max_length=64)
    photo_type: str = Field(default="", max_length=32)
    deadline_before: date
    new_deadline: date | None = None
