"""Improvement actions 整改措施: proposed when a community's indicator scores under the plan's threshold,
then given a measure, a responsible department, a due date and a result (seed 000 §七(四))."""

from __future__ import annotations

import dataclasses
from datetime import date

from sqlmodel import Session, select

from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import FieldErrors, NotFound
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version
from pm_admin.surveys.models import ActionStatus, ImprovementAction, SurveyPlan
from pm_admin.surveys.queries import community_indicator_scores
from pm_admin.surveys.services.plans import stop_collecting
from pm_admin.surveys.services.scoring import DEPARTMENT_OF
from pm_admin.tickets.models import Department


def propose_actions(session: Session, plan: SurveyPlan) -> int:
    """One proposed action per community × indicator under the threshold (kept if already there)."""
    departments = dict(session.exec(select(Department.code, Department.id)).all())
    existing = {(a.community_id, str(a.indicator)) for a in session.exec(
        select(ImprovementAction).where(ImprovementAction.plan_id == plan.id)).all()}
    created = 0
    for (community_id, indicator), score in community_indicator_scores(session, plan.id).items():
        if score is None or score >= plan.threshold or (community_id, indicator) in existing:
            continue
        session.add(ImprovementAction(plan_id=plan.id, community_id=community_id, indicator=indicator, score=score,
                                      department_id=departments.get(DEPARTMENT_OF[indicator])))
        created += 1
    session.flush()
    return created


@dataclasses.dataclass
class ActionInput:
    measure: str
    department_id: str
    due_on: str
    status: str
    result: str = ""


def update_action(session: Session, *, actor: Principal, action_id: int, expected_version: int,
                  data: ActionInput) -> ImprovementAction:
    actor.require(Perm.SURVEYS_MANAGE)
    action = session.get(ImprovementAction, action_id)
    if action is None or not actor.can_access_community(action.community_id):
        raise NotFound("improvement action")
    expect_version(action, expected_version, lambda: {"status": str(action.status), "measure": action.measure})
    errors = FieldErrors()
    measure = clean_text(errors, "measure", data.measure, max_length=500, required=True)
    department = session.get(Department, int(data.department_id)) if is_id(data.department_id) else None
    if department is None:
        errors.add("department_id", "error.required")
    due = None
    try:
        due = date.fromisoformat(data.due_on.strip())
    except ValueError:
        errors.add("due_on", "error.date_invalid")
    if data.status not in set(ActionStatus):
        errors.add("status", "error.required")
    result = data.result.strip()
    if data.status == ActionStatus.DONE and not result:
        errors.add("result", "surveys.result_required")
    if len(result) > 500:
        errors.add("result", "error.too_long", max=500)
    errors.raise_if_any()
    action.measure, action.department_id, action.due_on = measure, department.id, due
    action.status, action.result = ActionStatus(data.status), result
    action.updated_by, action.updated_at = actor.username, utcnow()
    session.add(action)
    session.flush()
    record(session, action="surveys.update_action", actor=actor, entity_type="improvement_action",
           entity_id=action.id, community_id=action.community_id, details={"status": data.status})
    return action


def close_plan(session: Session, *, actor: Principal, plan_id: int) -> SurveyPlan:
    """Stop collecting; indicators under the threshold get proposed improvement actions."""
    plan = stop_collecting(session, actor=actor, plan_id=plan_id)
    propose_actions(session, plan)
    return plan
