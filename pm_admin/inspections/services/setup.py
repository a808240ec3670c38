"""Setting inspections up (managers): the equipment register, a community's own checklists, and the schedules that
give out tasks. A new schedule's current task is given out at once."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from pm_admin.auth.models import RolePermission, User, UserCommunity, UserRole
from pm_admin.core.clock import local_today
from pm_admin.core.errors import FieldErrors, PermissionDenied
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text, parse_choice, parse_date
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import community_of, expect_version, load_scoped
from pm_admin.inspections.models import (
    Category,
    Equipment,
    EquipmentKind,
    InspectionSchedule,
    InspectionTemplate,
    Recurrence,
)
from pm_admin.inspections.services.common import audit
from pm_admin.inspections.services.generation import give_out
from pm_admin.places.models import Building
from pm_admin.tickets.models import Department

MAX_ITEMS = 60
ITEM_LENGTH = 200
SECTION_LENGTH = 40
MAX_RECTIFY_DAYS = 90


def _optional_in_community(session: Session, errors: FieldErrors, field: str, model: type, raw: Any,
                           community_id: int | None, key: str) -> Any:
    """A building or a piece of equipment of the community, or none; a crafted id reads as unknown."""
    if raw in (None, "", "none"):
        return None
    row = session.get(model, int(raw)) if is_id(raw) else None
    if row is None or community_id is None or row.community_id != community_id:
        errors.add(field, key)
        return None
    return row


def inspectors_of(session: Session, community_id: int) -> list[tuple[int, str]]:
    """Active staff of the community whose role may work through checklists (``inspections.work``)."""
    return [(row[0], row[1]) for row in session.execute(
        sa.select(User.id, User.display_name).distinct()
        .join(UserRole, UserRole.user_id == User.id)
        .join(RolePermission, RolePermission.role_code == UserRole.role_code)
        .join(UserCommunity, UserCommunity.user_id == User.id)
        .where(RolePermission.permission_code == Perm.INSPECTIONS_WORK, UserCommunity.community_id == community_id,
               User.is_active == sa.true()).order_by(User.display_name, User.id)).all()]


# ---------------------------------------------------------------- equipment


@dataclasses.dataclass
class EquipmentInput:
    community_id: Any = ""
    building_id: Any = ""
    name: str = ""
    kind: str = EquipmentKind.ELEVATOR.value
    location: str = ""
    is_active: bool = True


def _equipment_fields(session: Session, actor: Principal, data: EquipmentInput, community_id: Any
                      ) -> dict[str, Any]:
    errors = FieldErrors()
    community = community_of(errors, actor, community_id)
    building = _optional_in_community(session, errors, "building_id", Building, data.building_id, community,
                                      "inspections.building_unknown")
    fields = {"community_id": community, "building_id": building.id if building else None,
              "name": clean_text(errors, "name", data.name, max_length=60, required=True),
              "kind": parse_choice(errors, "kind", data.kind, EquipmentKind, key="inspections.kind_invalid",
                                   default=EquipmentKind.OTHER),
              "location": clean_text(errors, "location", data.location, max_length=100),
              "is_active": bool(data.is_active)}
    errors.raise_if_any()
    return fields


def create_equipment(session: Session, *, actor: Principal, data: EquipmentInput) -> Equipment:
    actor.require(Perm.INSPECTIONS_MANAGE)
    equipment = Equipment(**_equipment_fields(session, actor, data, data.community_id))
    session.add(equipment)
    session.flush()
    audit(session, actor, "inspection.equipment_create", "inspection_equipment", equipment.id,
          equipment.community_id, name=equipment.name, kind=str(equipment.kind))
    return equipment


def update_equipment(session: Session, *, actor: Principal, equipment_id: Any, expected_version: int,
                     data: EquipmentInput) -> Equipment:
    actor.require(Perm.INSPECTIONS_MANAGE)
    equipment = load_scoped(session, Equipment, equipment_id, actor, entity="inspection_equipment")
    expect_version(equipment, expected_version, lambda: {"name": equipment.name, "location": equipment.location})
    fields = _equipment_fields(session, actor, data, equipment.community_id)  # it stays in its community
    for name, value in fields.items():
        setattr(equipment, name, value)
    session.add(equipment)
    session.flush()
    audit(session, actor, "inspection.equipment_update", "inspection_equipment", equipment.id,
          equipment.community_id, name=equipment.name, active=equipment.is_active)
    return equipment


# ---------------------------------------------------------------- templates


def parse_items(errors: FieldErrors, field: str, text: Any) -> list[dict[str, str]]:
    """One item per line; a line ``# 消防通道`` starts a section that the items below it belong to."""
    items, section = [], ""
    for raw in str(text or "").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            section = line.lstrip("#").strip()[:SECTION_LENGTH]
            continue
        if len(line) > ITEM_LENGTH:
            errors.add(field, "inspections.item_too_long", max=ITEM_LENGTH)
        items.append({"section": section, "text": line[:ITEM_LENGTH]})
    if not items:
        errors.add(field, "inspections.items_required")
    elif len(items) > MAX_ITEMS:
        errors.add(field, "inspections.too_many_items", max=MAX_ITEMS)
    return items


def items_text(items: list[dict[str, str]]) -> str:
    """The checklist as the edit box shows it (the inverse of ``parse_items``)."""
    lines, section = [], ""
    for item in items:
        if item.get("section", "") != section:
            section = item.get("section", "")
            lines.append(f"# {section}")
        lines.append(item["text"])
    return "\n".join(lines)


@dataclasses.dataclass
class TemplateInput:
    community_id: Any = ""
    name: str = ""
    category: str = Category.GENERAL.value
    recurrence: str = Recurrence.MONTHLY.value
    rectify_days: Any = "7"
    department_id: Any = ""
    items: str = ""
    is_active: bool = True


def _template_fields(session: Session, actor: Principal, data: TemplateInput, community_id: Any) -> dict[str, Any]:
    errors = FieldErrors()
    community = community_of(errors, actor, community_id)
    days = str(data.rectify_days or "").strip()
    if not days.isdigit() or not 1 <= int(days) <= MAX_RECTIFY_DAYS:
        errors.add("rectify_days", "error.out_of_range", low=1, high=MAX_RECTIFY_DAYS)
    department = None
    if data.department_id not in (None, "", "none"):
        department = session.get(Department, int(data.department_id)) if is_id(data.department_id) else None
        if department is None:
            errors.add("department_id", "inspections.department_unknown")
    fields = {"community_id": community, "name": clean_text(errors, "name", data.name, max_length=60, required=True),
              "category": parse_choice(errors, "category", data.category, Category,
                                       key="inspections.category_invalid", default=Category.GENERAL),
              "recurrence": parse_choice(errors, "recurrence", data.recurrence, Recurrence,
                                         key="inspections.recurrence_invalid", default=Recurrence.MONTHLY),
              "rectify_days": int(days) if days.isdigit() else 7,
              "department_id": department.id if department else None,
              "items": parse_items(errors, "items", data.items), "is_active": bool(data.is_active)}
    errors.raise_if_any()
    return fields


def create_template(session: Session, *, actor: Principal, data: TemplateInput) -> InspectionTemplate:
    actor.require(Perm.INSPECTIONS_MANAGE)
    template = InspectionTemplate(**_template_fields(session, actor, data, data.community_id))
    session.add(template)
    session.flush()
    audit(session, actor, "inspection.template_create", "inspection_template", template.id, template.community_id,
          name=template.name, items=len(template.items))
    return template


def update_template(session: Session, *, actor: Principal, template_id: Any, expected_version: int,
                    data: TemplateInput) -> InspectionTemplate:
    """A community's own checklist (the company's, from the seeds, stay as written). Tasks already given out keep
    the items they were given."""
    actor.require(Perm.INSPECTIONS_MANAGE)
    template = load_scoped(session, InspectionTemplate, template_id, actor, entity="inspection_template")
    if template.community_id is None:
        raise PermissionDenied("inspections.template_company_wide")
    expect_version(template, expected_version, lambda: {"name": template.name, "items": items_text(template.items)})
    for name, value in _template_fields(session, actor, data, template.community_id).items():
        setattr(template, name, value)
    session.add(template)
    session.flush()
    audit(session, actor, "inspection.template_update", "inspection_template", template.id, template.community_id,
          name=template.name, items=len(template.items))
    return template


def usable_template(session: Session, errors: FieldErrors, raw: Any, community_id: int | None
                    ) -> InspectionTemplate | None:
    """An active checklist of the company or of the community."""
    template = session.get(InspectionTemplate, int(raw)) if is_id(raw) else None
    if template is None or not template.is_active or template.community_id not in (None, community_id):
        errors.add("template_id", "inspections.template_unknown")
        return None
    return template


# ---------------------------------------------------------------- schedules


@dataclasses.dataclass
class ScheduleInput:
    community_id: Any = ""
    template_id: Any = ""
    building_id: Any = ""
    equipment_id: Any = ""
    recurrence: str = ""
    assignee_id: Any = ""
    starts_on: Any = ""
    is_active: bool = True


def _assignee(session: Session, errors: FieldErrors, raw: Any, community_id: int | None) -> int | None:
    if raw in (None, "", "none"):
        return None
    allowed = {user_id for user_id, _ in inspectors_of(session, community_id)} if community_id else set()
    if not is_id(raw) or int(raw) not in allowed:
        errors.add("assignee_id", "inspections.assignee_invalid")
        return None
    return int(raw)


def _schedule_fields(session: Session, actor: Principal, data: ScheduleInput, community_id: Any,
                     template_id: Any, *, new: bool, today: date) -> dict[str, Any]:
    errors = FieldErrors()
    community = community_of(errors, actor, community_id)
    # A stored schedule keeps its checklist even when the checklist was retired since (it may still be paused).
    template = usable_template(session, errors, template_id, community) if new else \
        session.get(InspectionTemplate, template_id)
    equipment = _optional_in_community(session, errors, "equipment_id", Equipment, data.equipment_id, community,
                                       "inspections.equipment_unknown")
    building = _optional_in_community(session, errors, "building_id", Building, data.building_id, community,
                                      "inspections.building_unknown")
    if equipment is not None and equipment.building_id is not None:
        building = session.get(Building, equipment.building_id)
    recurrence = parse_choice(errors, "recurrence", data.recurrence or (template.recurrence if template else ""),
                              Recurrence, key="inspections.recurrence_invalid", default=None)
    starts_on = parse_date(errors, "starts_on", data.starts_on or today.isoformat())
    fields = {"community_id": community, "template_id": template.id if template else None,
              "equipment_id": equipment.id if equipment else None, "building_id": building.id if building else None,
              "recurrence": recurrence, "assignee_id": _assignee(session, errors, data.assignee_id, community),
              "starts_on": starts_on, "is_active": bool(data.is_active)}
    errors.raise_if_any()
    return fields


def create_schedule(session: Session, *, actor: Principal, data: ScheduleInput, today: date | None = None
                    ) -> InspectionSchedule:
    actor.require(Perm.INSPECTIONS_MANAGE)
    today = today or local_today()
    schedule = InspectionSchedule(**_schedule_fields(session, actor, data, data.community_id, data.template_id,
                                                     new=True, today=today), created_by=actor.username)
    session.add(schedule)
    session.flush()
    audit(session, actor, "inspection.schedule_create", "inspection_schedule", schedule.id, schedule.community_id,
          template=schedule.template_id, recurrence=str(schedule.recurrence))
    give_out(session, schedule, today)
    return schedule


def update_schedule(session: Session, *, actor: Principal, schedule_id: Any, expected_version: int,
                    data: ScheduleInput, today: date | None = None) -> InspectionSchedule:
    """Change how often, who, from when, or pause it; the place and the checklist stay (a new schedule for
    another). Tasks already given out are kept."""
    actor.require(Perm.INSPECTIONS_MANAGE)
    today = today or local_today()
    schedule = load_scoped(session, InspectionSchedule, schedule_id, actor, entity="inspection_schedule")
    expect_version(schedule, expected_version, lambda: {"recurrence": str(schedule.recurrence),
                                                        "assignee_id": str(schedule.assignee_id or "")})
    data = dataclasses.replace(data, building_id=schedule.building_id or "", equipment_id=schedule.equipment_id or "")
    fields = _schedule_fields(session, actor, data, schedule.community_id, schedule.template_id, new=False,
                              today=today)
    for name in ("recurrence", "assignee_id", "starts_on", "is_active"):
        setattr(schedule, name, fields[name])
    session.add(schedule)
    session.flush()
    audit(session, actor, "inspection.schedule_update", "inspection_schedule", schedule.id, schedule.community_id,
          recurrence=str(schedule.recurrence), active=schedule.is_active)
    give_out(session, schedule, today)
    return schedule

