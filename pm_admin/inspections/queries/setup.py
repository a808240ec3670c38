"""Reads of the set-up: schedules, the equipment register, checklists, and the choices their forms offer."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.queries import user_names
from pm_admin.core.errors import NotFound
from pm_admin.core.ids import is_id
from pm_admin.core.paging import Page, PageRequest, count, order_by, paginate
from pm_admin.core.permissions import Perm, Principal
from pm_admin.inspections.models import Equipment, InspectionSchedule, InspectionTemplate
from pm_admin.inspections.queries.rectifications import department_names
from pm_admin.inspections.services.generation import equipment_place
from pm_admin.inspections.services.setup import inspectors_of, items_text
from pm_admin.places.models import Building, Community


def schedules(session: Session, principal: Principal, request: PageRequest) -> Page:
    """The schedules of the communities in view (the header's switcher narrows them)."""
    principal.require(Perm.INSPECTIONS_VIEW)
    statement = (select(InspectionSchedule, InspectionTemplate.name, Community.name, Equipment, Building.name)
                 .join(InspectionTemplate, InspectionTemplate.id == InspectionSchedule.template_id)
                 .join(Community, Community.id == InspectionSchedule.community_id)
                 .outerjoin(Equipment, Equipment.id == InspectionSchedule.equipment_id)
                 .outerjoin(Building, Building.id == InspectionSchedule.building_id)
                 .where(principal.scope_clause(InspectionSchedule.community_id)))
    total = count(session, statement)
    ordered = order_by(statement, request, {}, [col(InspectionSchedule.community_id), col(InspectionSchedule.id)])
    found = session.exec(paginate(ordered, request)).all()
    names = user_names(session, {s.assignee_id for s, *_ in found})
    rows = [{"id": s.id, "version": s.version, "template": template, "community": community,
             "place": equipment_place(equipment) if equipment else building or community,  # as ``place_of`` says
             "recurrence": str(s.recurrence), "assignee": names.get(s.assignee_id, ""),
             "assignee_id": str(s.assignee_id or ""), "starts_on": s.starts_on.isoformat(), "active": s.is_active,
             "community_id": s.community_id}
            for s, template, community, equipment, building in found]
    return Page(rows, total, request.page, request.page_size)


def equipment(session: Session, principal: Principal, request: PageRequest) -> Page:
    principal.require(Perm.INSPECTIONS_VIEW)
    statement = (select(Equipment, Community.name, Building.name).join(Community, Community.id == Equipment.community_id)
                 .outerjoin(Building, Building.id == Equipment.building_id)
                 .where(principal.scope_clause(Equipment.community_id)))
    total = count(session, statement)
    ordered = order_by(statement, request, {"name": col(Equipment.name)},
                       [col(Equipment.community_id), col(Equipment.name), col(Equipment.id)])
    rows = [{"id": e.id, "version": e.version, "name": e.name, "kind": str(e.kind), "community": community,
             "community_id": e.community_id, "building": building or "", "building_id": str(e.building_id or ""),
             "location": e.location, "active": e.is_active}
            for e, community, building in session.exec(paginate(ordered, request)).all()]
    return Page(rows, total, request.page, request.page_size)


def templates(session: Session, principal: Principal, request: PageRequest, language: str = "zh-CN") -> Page:
    """The company's checklists, then those of the communities in view."""
    principal.require(Perm.INSPECTIONS_VIEW)
    where = sa.or_(col(InspectionTemplate.community_id).is_(None), principal.scope_clause(InspectionTemplate.community_id))
    statement = select(InspectionTemplate, Community.name).outerjoin(
        Community, Community.id == InspectionTemplate.community_id).where(where)
    total = count(session, statement)
    ordered = order_by(statement, request, {}, [col(InspectionTemplate.community_id).is_not(None),
                                                col(InspectionTemplate.id)])
    departments = department_names(session, language)
    rows = [{"id": t.id, "name": t.name, "community": community or "", "company_wide": t.community_id is None,
             "category": str(t.category), "recurrence": str(t.recurrence), "rectify_days": str(t.rectify_days),
             "department": departments.get(t.department_id, ""), "items": len(t.items), "active": t.is_active}
            for t, community in session.exec(paginate(ordered, request)).all()]
    return Page(rows, total, request.page, request.page_size)


def template_form(session: Session, principal: Principal, template_id: Any) -> dict[str, Any]:
    """A checklist as its dialog opens: the company's, or one of a community the principal may reach."""
    principal.require(Perm.INSPECTIONS_MANAGE)
    template = session.get(InspectionTemplate, int(template_id)) if is_id(template_id) else None
    if template is None:
        raise NotFound("inspection_template")
    if template.community_id is not None:
        principal.require_community(template.community_id)
    return {"id": template.id, "version": template.version, "name": template.name,
            "community_id": str(template.community_id or ""), "company_wide": template.community_id is None,
            "category": str(template.category), "recurrence": str(template.recurrence),
            "rectify_days": str(template.rectify_days), "department_id": str(template.department_id or ""),
            "items_text": items_text(template.items), "active": template.is_active}


def template_options(session: Session, principal: Principal, community_id: int | None) -> list[dict[str, str]]:
    if community_id is None or not principal.can_access_community(community_id):
        return []
    rows = session.exec(select(InspectionTemplate.id, InspectionTemplate.name).where(
        InspectionTemplate.is_active == sa.true(),
        sa.or_(col(InspectionTemplate.community_id).is_(None), InspectionTemplate.community_id == community_id))
        .order_by(InspectionTemplate.id)).all()
    return [{"value": str(row[0]), "label": row[1]} for row in rows]


def equipment_options(session: Session, principal: Principal, community_id: int | None) -> list[dict[str, str]]:
    if community_id is None or not principal.can_access_community(community_id):
        return []
    rows = session.exec(select(Equipment.id, Equipment.name).where(
        Equipment.community_id == community_id, Equipment.is_active == sa.true()).order_by(Equipment.name)).all()
    return [{"value": str(row[0]), "label": row[1]} for row in rows]


def inspector_options(session: Session, principal: Principal, community_id: int | None) -> list[dict[str, str]]:
    if community_id is None or not principal.can_access_community(community_id):
        return []
    return [{"value": str(user_id), "label": name} for user_id, name in inspectors_of(session, community_id)]
