"""Survey plans and their questionnaires: create, build, copy from last period, open, close, publish."""

from __future__ import annotations

import dataclasses
import secrets
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import DomainError, FieldErrors, NotFound
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import Perm, Principal
from pm_admin.places.models import Building, Community
from pm_admin.surveys.models import (
    Indicator,
    Method,
    PeriodKind,
    PlanStatus,
    QuestionKind,
    SurveyPlan,
    SurveyQuestion,
    SurveyTarget,
    SurveyWeight,
)

MAX_OPTIONS = 12


@dataclasses.dataclass
class PlanInput:
    title: str
    year: int | str
    period_kind: str
    starts_on: str
    ends_on: str
    methods: list[str] = dataclasses.field(default_factory=lambda: ["online", "phone"])
    purpose: str = ""
    threshold: int | str = 80
    community_ids: list[int] = dataclasses.field(default_factory=list)
    building_ids: list[int] = dataclasses.field(default_factory=list)  # empty: whole communities


@dataclasses.dataclass
class QuestionInput:
    kind: str
    text: str
    options: str = ""
    indicator: str = ""
    required: bool = True


def period_label(plan: SurveyPlan) -> str:
    return f"{plan.year}" if plan.period_kind == PeriodKind.YEAR else f"{plan.year}{str(plan.period_kind).upper()}"


def plan_communities(session: Session, plan_id: int) -> list[int]:
    return sorted(set(session.exec(select(SurveyTarget.community_id).where(SurveyTarget.plan_id == plan_id)).all()))


def scoped_plan(session: Session, actor: Principal, plan_id: int) -> SurveyPlan:
    """The plan if it targets one of the actor's communities; company-wide users see every plan."""
    plan = session.get(SurveyPlan, plan_id)
    if plan is None:
        raise NotFound("survey")
    if not actor.all_communities and not set(plan_communities(session, plan_id)) & actor.community_ids:
        raise NotFound("survey")  # out of scope looks the same as absent
    return plan


def _parse_date(text: str, field: str, errors: FieldErrors) -> date | None:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        errors.add(field, "error.date_invalid")
        return None


def building_ids_from_labels(session: Session, text: str) -> list[int]:
    """"C01-3, C01-5" → building ids; an unknown label is a field error, not a silent omission."""
    labels = [label.strip().upper() for label in text.replace("，", ",").replace("、", ",").split(",") if label.strip()]
    found = {f"{code}-{building_code}".upper(): building_id for building_id, code, building_code in session.execute(
        sa.select(Building.id, Community.code, Building.code).join(Community, Community.id == Building.community_id))}
    unknown = [label for label in labels if label not in found]
    if unknown:
        errors = FieldErrors()
        errors.add("building_ids", "surveys.building_unknown", labels="、".join(unknown[:3]))
        errors.raise_if_any()
    return [found[label] for label in labels]


def create_plan(session: Session, *, actor: Principal, data: PlanInput, copy_from: int | None = None) -> SurveyPlan:
    """A draft plan; its questionnaire is copied from ``copy_from`` (usually last period's) when given."""
    actor.require(Perm.SURVEYS_MANAGE)
    errors = FieldErrors()
    title = clean_text(errors, "title", data.title, max_length=60, required=True)
    year = int(data.year) if str(data.year).isdigit() else 0
    if not 2000 <= year <= 2100:
        errors.add("year", "surveys.year_invalid")
    if data.period_kind not in set(PeriodKind):
        errors.add("period_kind", "error.required")
    starts, ends = _parse_date(data.starts_on, "starts_on", errors), _parse_date(data.ends_on, "ends_on", errors)
    if starts and ends and ends < starts:
        errors.add("ends_on", "surveys.ends_before_start")
    methods = [m for m in data.methods if m in set(Method)]
    if not methods:
        errors.add("methods", "surveys.method_required")
    threshold = int(data.threshold) if str(data.threshold).isdigit() else -1
    if not 0 <= threshold <= 100:
        errors.add("threshold", "surveys.threshold_invalid")
    communities = sorted(set(data.community_ids))
    if not communities:
        errors.add("community_ids", "surveys.target_required")
    for community_id in communities:
        if session.get(Community, community_id) is None or not actor.can_access_community(community_id):
            errors.add("community_ids", "error.out_of_scope")
    buildings = [session.get(Building, b) for b in sorted(set(data.building_ids))]
    if any(b is None or b.community_id not in communities for b in buildings):
        errors.add("building_ids", "surveys.building_outside_targets")
    if year and data.period_kind in set(PeriodKind) and session.exec(select(SurveyPlan.id).where(
            SurveyPlan.year == year, SurveyPlan.period_kind == data.period_kind, SurveyPlan.title == title)).first():
        errors.add("title", "surveys.duplicate_plan")
    errors.raise_if_any()
    plan = SurveyPlan(title=title, year=year, period_kind=PeriodKind(data.period_kind), purpose=data.purpose.strip()[:500],
                      methods=",".join(methods), starts_on=starts, ends_on=ends, threshold=threshold,
                      created_by=actor.username)
    session.add(plan)
    session.flush()
    with_buildings = {b.community_id for b in buildings}
    session.add_all([SurveyTarget(plan_id=plan.id, community_id=b.community_id, building_id=b.id) for b in buildings])
    session.add_all([SurveyTarget(plan_id=plan.id, community_id=c) for c in communities if c not in with_buildings])
    session.add_all([SurveyWeight(plan_id=plan.id, indicator=i, weight=1) for i in Indicator])
    session.flush()
    if copy_from:
        copy_questionnaire(session, actor=actor, plan_id=plan.id, source_plan_id=copy_from)
    record(session, action="surveys.create_plan", actor=actor, entity_type="survey_plan", entity_id=plan.id,
           details={"title": title, "period": period_label(plan), "communities": communities})
    return plan


# A plan's figures are final once it stops collecting; an open plan's are provisional.
FINAL_STATUSES = (PlanStatus.CLOSED, PlanStatus.PUBLISHED)


def previous_plan_id(session: Session, plan: SurveyPlan) -> int | None:
    """The latest closed plan that ended before this one started: "last period" for copying and comparing (an
    open plan's figures are provisional, never the base of a comparison)."""
    return session.exec(select(SurveyPlan.id).where(SurveyPlan.ends_on < plan.starts_on, SurveyPlan.id != plan.id,
                                                    col(SurveyPlan.status).in_(FINAL_STATUSES))
                        .order_by(col(SurveyPlan.ends_on).desc(), col(SurveyPlan.id).desc())).first()


def _plan_in(session: Session, actor: Principal, plan_id: int, status: PlanStatus, refusal: str) -> SurveyPlan:
    """The plan a manager acts on, refused with ``refusal`` unless it is in ``status``."""
    actor.require(Perm.SURVEYS_MANAGE)
    plan = scoped_plan(session, actor, plan_id)
    if plan.status != status:
        raise DomainError(refusal)
    return plan


def _draft(session: Session, actor: Principal, plan_id: int) -> SurveyPlan:
    return _plan_in(session, actor, plan_id, PlanStatus.DRAFT, "surveys.not_draft")


def copy_questionnaire(session: Session, *, actor: Principal, plan_id: int, source_plan_id: int) -> int:
    """Replace the draft's questions and weights with those of another plan; returns the questions copied."""
    _draft(session, actor, plan_id)
    source = scoped_plan(session, actor, source_plan_id)
    session.execute(sa.delete(SurveyQuestion).where(SurveyQuestion.plan_id == plan_id))
    questions = session.exec(select(SurveyQuestion).where(SurveyQuestion.plan_id == source.id)
                             .order_by(SurveyQuestion.position)).all()
    session.add_all([SurveyQuestion(plan_id=plan_id, position=q.position, kind=q.kind, text=q.text, options=q.options,
                                    indicator=q.indicator, required=q.required) for q in questions])
    for weight in session.exec(select(SurveyWeight).where(SurveyWeight.plan_id == source.id)).all():
        session.merge(SurveyWeight(plan_id=plan_id, indicator=weight.indicator, weight=weight.weight))
    session.flush()
    record(session, action="surveys.copy_questionnaire", actor=actor, entity_type="survey_plan", entity_id=plan_id,
           details={"from_plan_id": source.id, "questions": len(questions)})
    return len(questions)


def save_question(session: Session, *, actor: Principal, plan_id: int, data: QuestionInput,
                  question_id: int | None = None) -> SurveyQuestion:
    _draft(session, actor, plan_id)
    errors = FieldErrors()
    text = clean_text(errors, "text", data.text, max_length=200, required=True)
    if data.kind not in set(QuestionKind):
        errors.add("kind", "error.required")
    options = [line.strip() for line in data.options.splitlines() if line.strip()]
    if data.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        if len(options) < 2:
            errors.add("options", "surveys.options_required")
        elif len(options) > MAX_OPTIONS or len(set(options)) != len(options):
            errors.add("options", "surveys.options_invalid", max=MAX_OPTIONS)
    indicator = None
    if data.kind == QuestionKind.RATING:
        if data.indicator not in set(Indicator):
            errors.add("indicator", "surveys.indicator_required")
        else:
            indicator = Indicator(data.indicator)
    errors.raise_if_any()
    if question_id is None:
        last = session.scalar(sa.select(sa.func.max(SurveyQuestion.position)).where(SurveyQuestion.plan_id == plan_id))
        question = SurveyQuestion(plan_id=plan_id, position=(last or 0) + 1, kind=QuestionKind(data.kind), text=text)
    else:
        question = session.get(SurveyQuestion, question_id)
        if question is None or question.plan_id != plan_id:
            raise NotFound("question")
    before = _question_snapshot(question) if question_id is not None else None
    question.kind, question.text = QuestionKind(data.kind), text
    question.options = "\n".join(options) if data.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE) else ""
    question.indicator, question.required = indicator, bool(data.required)
    session.add(question)
    session.flush()
    record(session, action="surveys.save_question", actor=actor, entity_type="survey_plan", entity_id=plan_id,
           before=before, after=_question_snapshot(question))
    return question


def _question_snapshot(question: SurveyQuestion) -> dict:
    return {"question_id": question.id, "position": question.position, "kind": str(question.kind),
            "text": question.text, "options": question.options, "indicator": str(question.indicator or ""),
            "required": question.required}


def delete_question(session: Session, *, actor: Principal, plan_id: int, question_id: int) -> None:
    _draft(session, actor, plan_id)
    question = session.get(SurveyQuestion, question_id)
    if question is None or question.plan_id != plan_id:
        raise NotFound("question")
    before = _question_snapshot(question)
    session.delete(question)  # a draft's question has no answers yet; the audit keeps what it said
    session.flush()
    record(session, action="surveys.delete_question", actor=actor, entity_type="survey_plan", entity_id=plan_id,
           before=before)


def set_weight(session: Session, *, actor: Principal, plan_id: int, indicator: str, weight: int | str) -> None:
    _draft(session, actor, plan_id)
    errors = FieldErrors()
    value = int(weight) if str(weight).isdigit() else -1
    if indicator not in set(Indicator):
        errors.add("indicator", "surveys.indicator_required")
    if not 0 <= value <= 10:
        errors.add("weight", "surveys.weight_invalid")
    errors.raise_if_any()
    previous = session.get(SurveyWeight, (plan_id, indicator))
    before = {"indicator": indicator, "weight": previous.weight} if previous else None
    session.merge(SurveyWeight(plan_id=plan_id, indicator=Indicator(indicator), weight=value))
    session.flush()
    record(session, action="surveys.set_weight", actor=actor, entity_type="survey_plan", entity_id=plan_id,
           before=before, after={"indicator": indicator, "weight": value})


def open_plan(session: Session, *, actor: Principal, plan_id: int) -> SurveyPlan:
    plan = _draft(session, actor, plan_id)
    rated = session.exec(select(SurveyQuestion.id).where(SurveyQuestion.plan_id == plan_id,
                                                         SurveyQuestion.kind == QuestionKind.RATING)).first()
    if rated is None:
        raise DomainError("surveys.needs_rating_question")
    return _set_status(session, actor, plan, PlanStatus.OPEN)


def stop_collecting(session: Session, *, actor: Principal, plan_id: int) -> SurveyPlan:
    """The open plan takes no more answers (``actions.close_plan`` closes it and proposes improvements)."""
    plan = _plan_in(session, actor, plan_id, PlanStatus.OPEN, "surveys.not_open")
    plan.closed_at = utcnow()
    return _set_status(session, actor, plan, PlanStatus.CLOSED)


def publish_plan(session: Session, *, actor: Principal, plan_id: int) -> SurveyPlan:
    """Results and improvement actions become readable by owners at /s/results/<token>."""
    plan = _plan_in(session, actor, plan_id, PlanStatus.CLOSED, "surveys.close_first")
    plan.public_token, plan.published_at = secrets.token_urlsafe(16), utcnow()
    return _set_status(session, actor, plan, PlanStatus.PUBLISHED)


def _set_status(session: Session, actor: Principal, plan: SurveyPlan, status: PlanStatus) -> SurveyPlan:
    before = str(plan.status)
    plan.status = status
    session.add(plan)
    session.flush()
    record(session, action=f"surveys.{status}", actor=actor, entity_type="survey_plan", entity_id=plan.id,
           details={"from": before, "to": str(status)})
    return plan
