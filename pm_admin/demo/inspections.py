"""Demo inspections for C01: the first building's elevator checked daily by the demo technician, fire safety
spot-checked each quarter and fully checked twice a year (through the inspections' own services)."""

from __future__ import annotations

from sqlmodel import Session, select

from pm_admin.auth.models import User
from pm_admin.core.permissions import SYSTEM
from pm_admin.inspections.models import InspectionSchedule, InspectionTemplate
from pm_admin.inspections.services import setup
from pm_admin.places.models import Building, Community

SCHEDULES = (("电梯机房日检", "elevator"), ("消防季度抽查", None), ("消防全面检查", None))


def seed_inspections(session: Session, community_code: str = "C01") -> int:
    """The schedules (and this period's tasks) of the demo community; none when it has schedules already."""
    community = session.exec(select(Community).where(Community.code == community_code)).first()
    if community is None or session.exec(select(InspectionSchedule.id).where(
            InspectionSchedule.community_id == community.id)).first() is not None:
        return 0
    building = session.exec(select(Building).where(Building.community_id == community.id)
                            .order_by(Building.id)).first()
    technician = session.exec(select(User).where(User.username == "demo.technician")).first()
    elevator = setup.create_equipment(session, actor=SYSTEM, data=setup.EquipmentInput(
        community_id=community.id, building_id=building.id if building else "", name=f"{building.name}1号电梯"
        if building else "1号电梯", kind="elevator", location="顶层电梯机房"))
    made = 0
    for name, equipment in SCHEDULES:
        template = session.exec(select(InspectionTemplate).where(InspectionTemplate.name == name)).first()
        if template is None:
            continue
        setup.create_schedule(session, actor=SYSTEM, data=setup.ScheduleInput(
            community_id=community.id, template_id=template.id, equipment_id=elevator.id if equipment else "",
            assignee_id=technician.id if technician else ""))
        made += 1
    return made
