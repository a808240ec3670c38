"""Read side of surveys: plans, response rates, scores (from the ``survey_score`` rollup) and the figures the
results page, the owners' page and the executive dashboard show."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.queries import user_names
from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.core.errors import PermissionDenied
from pm_admin.core.i18n import translate
from pm_admin.core.permissions import Perm, Principal, in_communities
from pm_admin.owners.models import Ownership
from pm_admin.places.models import Building, Community, Room, natural_key
from pm_admin.surveys.models import (
    ImprovementAction,
    Indicator,
    PlanStatus,
    SurveyPlan,
    SurveyQuestion,
    SurveyResponse,
    SurveyScore,
    SurveyTarget,
    SurveyWeight,
)
from pm_admin.surveys.services import scoring
from pm_admin.surveys.services.plans import FINAL_STATUSES, period_label, previous_plan_id, scoped_plan
from pm_admin.surveys.services.responses import targeted_households
from pm_admin.surveys.services.scoring import indicator_score, shown, weighted_scores
from pm_admin.tickets.models import Department

INDICATORS = [str(i) for i in Indicator]


def indicator_name(indicator: str, language: str) -> str:
    return translate(f"surveys.indicator.{indicator}", language)


def _weights(session: Session, plan_id: int) -> dict[str, int]:
    return {str(i): w for i, w in session.exec(select(SurveyWeight.indicator, SurveyWeight.weight)
                                              .where(SurveyWeight.plan_id == plan_id)).all()}


def _scores(session: Session, plan_id: int | None, *group: sa.ColumnElement, where=()) -> dict[tuple, float | None]:
    """Indicator scores of a plan (every plan when None) grouped by ``group`` columns (key: group values +
    indicator)."""
    this_plan = [SurveyScore.plan_id == plan_id] if plan_id is not None else []
    rows = session.execute(sa.select(*group, SurveyScore.indicator, sa.func.sum(SurveyScore.rating_sum),
                                     sa.func.sum(SurveyScore.rating_count))
                           .where(*this_plan, *where)
                           .group_by(*group, SurveyScore.indicator)).all()
    return {(*row[:-3], str(row[-3])): indicator_score(int(row[-2] or 0), int(row[-1] or 0)) for row in rows}


def community_indicator_scores(session: Session, plan_id: int) -> dict[tuple[int, str], float | None]:
    return _scores(session, plan_id, SurveyScore.community_id)


def _index_by(scores: dict[tuple, float | None], weights: dict[str, int]) -> dict[tuple, float | None]:
    grouped: dict[tuple, dict[str, float | None]] = defaultdict(dict)
    for key, score in scores.items():
        grouped[key[:-1]][key[-1]] = score
    return {key: scoring.satisfaction_index(per_indicator, weights) for key, per_indicator in grouped.items()}


def _scope(principal: Principal, community_id: int | None) -> list[sa.ColumnElement[bool]]:
    clauses = [principal.scope_clause(SurveyScore.community_id)]
    if community_id:
        clauses.append(SurveyScore.community_id == community_id)
    return clauses


def plan_rows(session: Session, principal: Principal) -> list[dict]:
    """Every plan the user can see with its response rate, in four queries however many plans there are."""
    principal.require(Perm.SURVEYS_VIEW)
    plans = session.exec(select(SurveyPlan).order_by(col(SurveyPlan.starts_on).desc(), col(SurveyPlan.id).desc())).all()
    names = dict(session.exec(select(Community.id, Community.name)).all())
    targets: dict[int, set[tuple[int, int | None]]] = defaultdict(set)
    for plan_id, community_id, building_id in session.exec(
            select(SurveyTarget.plan_id, SurveyTarget.community_id, SurveyTarget.building_id)).all():
        targets[plan_id].add((community_id, building_id))
    owned_rooms = _owned_rooms_by_building(session)
    answers = {(plan_id, community_id): count for plan_id, community_id, count in session.execute(
        sa.select(SurveyResponse.plan_id, SurveyResponse.community_id, sa.func.count(SurveyResponse.id))
        .group_by(SurveyResponse.plan_id, SurveyResponse.community_id)).all()}
    rows = []
    for plan in plans:
        visible = sorted({c for c, _ in targets[plan.id] if principal.can_access_community(c)})
        if not visible:
            continue
        households = _targeted_household_count(targets[plan.id], visible, owned_rooms)
        answered = sum(answers.get((plan.id, c), 0) for c in visible)
        rows.append({"id": plan.id, "title": plan.title, "period": period_label(plan), "status": str(plan.status),
                     "dates": f"{plan.starts_on} ~ {plan.ends_on}", "communities": "、".join(names[c] for c in visible),
                     "responses": answered, "households": households,
                     "rate": round(100 * answered / households, 1) if households else 0.0})
    return rows


def _owned_rooms_by_building(session: Session) -> dict[tuple[int, int], int]:
    """Rooms with a current owner per (community, building): the households a survey can reach."""
    owned = sa.exists().where(Ownership.room_id == Room.id, col(Ownership.ended_on).is_(None))
    return {(c, b): n for c, b, n in session.execute(
        sa.select(Room.community_id, Room.building_id, sa.func.count(Room.id)).where(owned)
        .group_by(Room.community_id, Room.building_id)).all()}


def _targeted_household_count(targets: set[tuple[int, int | None]], communities: list[int],
                              owned_rooms: dict[tuple[int, int], int]) -> int:
    whole = {c for c, b in targets if b is None}
    buildings = {(c, b) for c, b in targets if b is not None and c not in whole}
    return sum(n for (c, b), n in owned_rooms.items()
               if c in communities and (c in whole or (c, b) in buildings))


def plan_summary(session: Session, principal: Principal, plan_id: int) -> dict:
    principal.require(Perm.SURVEYS_VIEW)
    plan = scoped_plan(session, principal, plan_id)
    previous = previous_plan_id(session, plan)
    return {"id": plan.id, "title": plan.title, "period": period_label(plan), "status": str(plan.status),
            "purpose": plan.purpose, "methods": plan.methods.split(","), "starts_on": str(plan.starts_on),
            "ends_on": str(plan.ends_on), "threshold": plan.threshold, "public_token": plan.public_token,
            "previous_id": previous or 0, "version": plan.version}


def questions(session: Session, plan_id: int) -> list[dict]:
    return [{"id": q.id, "position": q.position, "kind": str(q.kind), "text": q.text,
             "options": q.options.splitlines(), "options_text": q.options, "indicator": str(q.indicator or ""),
             "required": q.required}
            for q in session.exec(select(SurveyQuestion).where(SurveyQuestion.plan_id == plan_id)
                                  .order_by(SurveyQuestion.position)).all()]


def weights(session: Session, principal: Principal, plan_id: int, language: str) -> list[dict]:
    scoped_plan(session, principal, plan_id)
    stored = _weights(session, plan_id)
    return [{"indicator": i, "name": indicator_name(i, language), "weight": stored.get(i, 1)} for i in INDICATORS]


def response_rates(session: Session, principal: Principal, plan_id: int) -> list[dict]:
    """Households targeted, responses and rate per community and per building (community rows first)."""
    principal.require(Perm.SURVEYS_VIEW)
    scoped_plan(session, principal, plan_id)
    households = dict(session.execute(sa.select(Room.building_id, sa.func.count()).where(
        Room.id.in_(targeted_households(session, plan_id))).group_by(Room.building_id)).all())
    answered = dict(session.execute(sa.select(SurveyResponse.building_id, sa.func.count()).where(
        SurveyResponse.plan_id == plan_id).group_by(SurveyResponse.building_id)).all())
    buildings = session.execute(sa.select(Building.id, Building.name, Building.community_id, Community.name)
                                .join(Community, Community.id == Building.community_id)
                                .where(Building.id.in_(households), principal.scope_clause(Building.community_id))
                                .order_by(Community.code, Building.id)).all()
    rows, totals = [], defaultdict(lambda: [0, 0, ""])
    for building_id, name, community_id, community_name in buildings:
        total, done = households[building_id], answered.get(building_id, 0)
        rows.append({"level": "building", "name": f"{community_name} {name}", "households": total, "responses": done,
                     "rate": round(100 * done / total, 1)})
        totals[community_id][0] += total
        totals[community_id][1] += done
        totals[community_id][2] = community_name
    communities = [{"level": "community", "name": name, "households": total, "responses": done,
                    "rate": round(100 * done / total, 1) if total else 0.0} for total, done, name in totals.values()]
    return communities + rows


def results(session: Session, principal: Principal, plan_id: int, language: str,
            community_id: int | None = None) -> dict:
    """Index and indicator scores of the plan against the previous period (the latest closed plan before it),
    and the index by community, building and steward — all within the principal's communities. Every figure is
    computed exactly and rounded once, here, for display; an open plan's figures are provisional."""
    principal.require(Perm.SURVEYS_VIEW)
    plan = scoped_plan(session, principal, plan_id)
    where = _scope(principal, community_id)
    previous = previous_plan_id(session, plan)
    weights_now = _weights(session, plan_id)
    now_scores = {k[-1]: v for k, v in _scores(session, plan_id, where=where).items()}
    before = {k[-1]: v for k, v in _scores(session, previous, where=where).items()} if previous else {}
    weights_before = _weights(session, previous) if previous else {}
    indicators = []
    for indicator in INDICATORS:
        score, earlier = now_scores.get(indicator), before.get(indicator)
        indicators.append({"indicator": indicator, "name": indicator_name(indicator, language), "score": shown(score),
                           "previous": shown(earlier), "weight": weights_now.get(indicator, 1),
                           "delta": shown(score - earlier) if score is not None and earlier is not None else None,
                           "below": score is not None and score < plan.threshold})
    by_community = _index_by(_scores(session, plan_id, SurveyScore.community_id, where=where), weights_now)
    by_community_before = _index_by(_scores(session, previous, SurveyScore.community_id, where=where),
                                    weights_before) if previous else {}
    by_building = _index_by(_scores(session, plan_id, SurveyScore.building_id, where=where), weights_now)
    by_steward = _index_by(_scores(session, plan_id, SurveyScore.steward_id, where=where), weights_now)
    # Labels of only the communities, buildings and stewards that scored, not whole tables.
    names = dict(session.exec(select(Community.id, Community.name)
                              .where(Community.id.in_([c for (c,) in by_community]))).all())
    buildings = {b: f"{c} {n}" for b, n, c in session.execute(
        sa.select(Building.id, Building.name, Community.name).join(Community, Community.id == Building.community_id)
        .where(Building.id.in_([b for (b,) in by_building]))).all()}
    stewards = user_names(session, (s for (s,) in by_steward))
    return {
        "index": shown(scoring.satisfaction_index(now_scores, weights_now)),
        "previous_index": shown(scoring.satisfaction_index(before, weights_before)) if previous else None,
        "provisional": plan.status == PlanStatus.OPEN,
        "indicators": indicators,
        "communities": [{"name": names[c], "index": shown(v), "previous": shown(by_community_before.get((c,)))}
                        for (c,), v in sorted(by_community.items())],
        "buildings": [{"name": buildings[b], "index": shown(v)} for (b,), v in sorted(by_building.items())],
        "stewards": [{"name": stewards.get(s, translate("surveys.no_steward", language)), "index": shown(v)}
                     for (s,), v in sorted(by_steward.items())],
    }


def actions(session: Session, principal: Principal, plan_id: int, language: str) -> list[dict]:
    principal.require(Perm.SURVEYS_VIEW)
    scoped_plan(session, principal, plan_id)
    names = dict(session.exec(select(Community.id, Community.name)).all())
    departments = {d.id: (d.name if language == "zh-CN" else d.name_en or d.name)
                   for d in session.exec(select(Department)).all()}
    rows = session.exec(select(ImprovementAction).where(ImprovementAction.plan_id == plan_id,
                                                        principal.scope_clause(ImprovementAction.community_id))
                        .order_by(ImprovementAction.community_id, ImprovementAction.score)).all()
    return [{"id": a.id, "community": names[a.community_id], "indicator": str(a.indicator),
             "indicator_name": indicator_name(str(a.indicator), language), "score": shown(a.score), "measure": a.measure,
             "department_id": str(a.department_id or ""), "department": departments.get(a.department_id, ""),
             "due_on": str(a.due_on or ""), "status": str(a.status), "result": a.result, "version": a.version}
            for a in rows]


# ------------------------------------------------------------------ the executive dashboard's survey figures

def _scored_plans(session: Session) -> list[SurveyPlan]:
    return list(session.exec(select(SurveyPlan).where(SurveyPlan.status != PlanStatus.DRAFT)
                             .order_by(SurveyPlan.starts_on, SurveyPlan.id)).all())


def _scores_by_plan(session: Session, where: list) -> dict[int, dict[str, float | None]]:
    """Indicator scores of every plan in one grouped pass over the rollup."""
    by_plan: dict[int, dict[str, float | None]] = defaultdict(dict)
    for (plan_id, indicator), score in _scores(session, None, SurveyScore.plan_id, where=where).items():
        by_plan[plan_id][indicator] = score
    return by_plan


def _weights_by_plan(session: Session) -> dict[int, dict[str, int]]:
    by_plan: dict[int, dict[str, int]] = defaultdict(dict)
    for plan_id, indicator, weight in session.exec(select(SurveyWeight.plan_id, SurveyWeight.indicator,
                                                          SurveyWeight.weight)).all():
        by_plan[plan_id][str(indicator)] = weight
    return by_plan


def satisfaction_figures(session: Session, principal: Principal, community_id: int | None,
                         language: str = "zh-CN") -> dict:
    """The dashboard's three survey charts from one pass over the rollup."""
    scores = _scores_by_plan(session, _scope(principal, community_id))
    return {"trend": satisfaction_trend(session, principal, community_id, language, scores=scores),
            "indicators": indicator_comparison(session, principal, community_id, language, scores=scores),
            "matrix": building_indicator_matrix(session, principal, community_id, language, scores=scores)}


def satisfaction_trend(session: Session, principal: Principal, community_id: int | None,
                       language: str = "zh-CN", scores: dict | None = None) -> list[dict]:
    """Satisfaction index per plan, oldest first: Σ wᵢ·sᵢ / Σ wᵢ over the indicators of the plan's ratings
    in the principal's communities (sᵢ = (mean rating − 1) / 4 × 100), unrounded (charts round for display). A plan
    still collecting is ``provisional`` and says so in its label."""
    scores = scores if scores is not None else _scores_by_plan(session, _scope(principal, community_id))
    weights = _weights_by_plan(session)
    counted = sa.select(SurveyResponse.plan_id, sa.func.count()).where(
        principal.scope_clause(SurveyResponse.community_id),
        *([SurveyResponse.community_id == community_id] if community_id else [])).group_by(SurveyResponse.plan_id)
    responses = dict(session.execute(counted).all())
    return [{"period": period_label(plan), "label": _period_text(plan, language), "provisional": _provisional(plan),
             "index": scoring.satisfaction_index(scores[plan.id], weights[plan.id]), "responses": responses.get(plan.id, 0)}
            for plan in _scored_plans(session) if scores.get(plan.id)]


def _provisional(plan: SurveyPlan) -> bool:
    return plan.status == PlanStatus.OPEN


def _period_text(plan: SurveyPlan, language: str) -> str:
    text = translate(f"surveys.period.{plan.period_kind}", language, year=plan.year)
    return translate("surveys.provisional_label", language, label=text) if _provisional(plan) else text


def indicator_comparison(session: Session, principal: Principal, community_id: int | None,
                         language: str = "zh-CN", scores: dict | None = None) -> list[dict]:
    """Indicator scores of the latest scored plan (``provisional`` while it is open) next to the latest closed plan
    before it: an open plan is never the previous period."""
    scores = scores if scores is not None else _scores_by_plan(session, _scope(principal, community_id))
    plans = [p for p in _scored_plans(session) if scores.get(p.id)]
    if not plans:
        return []
    earlier = [p for p in plans[:-1] if p.status in FINAL_STATUSES]
    latest, previous = scores[plans[-1].id], scores[earlier[-1].id] if earlier else {}
    return [{"indicator": i, "name": indicator_name(i, language), "score": latest.get(i), "previous": previous.get(i),
             "provisional": _provisional(plans[-1])} for i in INDICATORS]


def building_indicator_matrix(session: Session, principal: Principal, community_id: int | None,
                              language: str = "zh-CN", scores: dict | None = None) -> dict:
    """Scores of the latest scored plan (``provisional`` while it is open), one row per building, one column per
    indicator."""
    where = _scope(principal, community_id)
    scored = scores if scores is not None else _scores_by_plan(session, where)
    plans = [p for p in _scored_plans(session) if scored.get(p.id)]
    if not plans:
        return {"buildings": [], "indicators": [], "scores": [], "provisional": False}
    scores = _scores(session, plans[-1].id, SurveyScore.building_id, where=where)
    rows = session.execute(sa.select(Building.id, Building.code, Building.name, Community.code, Community.name)
                           .join(Community, Community.id == Building.community_id)
                           .where(Building.id.in_({k[0] for k in scores}))).all()
    buildings = matrix_rows([MatrixBuilding(*row) for row in rows])
    return {"buildings": [label for _, label in buildings],
            "indicators": [indicator_name(i, language) for i in INDICATORS],
            "scores": [[scores.get((b, i)) for i in INDICATORS] for b, _ in buildings],
            "provisional": _provisional(plans[-1])}


class MatrixBuilding(NamedTuple):
    id: int
    code: str
    name: str
    community_code: str
    community_name: str


def matrix_rows(buildings: list[MatrixBuilding]) -> list[tuple[int, str]]:
    """(building id, label) per building, ordered as people read them: communities by code, then building names
    in natural order (2栋 before 10栋). A label is the building's name, after its community's name when several
    communities are shown; a label that would still repeat gets the building's code (C01-S1) too, since a chart
    axis merges equal labels into one row."""
    several = len({b.community_code for b in buildings}) > 1
    ordered = sorted(buildings, key=lambda b: (b.community_code, natural_key(b.name), natural_key(b.code), b.id))
    labels = [f"{b.community_name} {b.name}" if several else b.name for b in ordered]
    repeated = {label for label, count in Counter(labels).items() if count > 1}
    return [(b.id, f"{label} ({b.community_code}-{b.code})" if label in repeated else label)
            for b, label in zip(ordered, labels, strict=True)]


@dataclasses.dataclass(frozen=True)
class SatisfactionIndex:
    """满意度指数 of the plan closed last by a day, in a scope (``satisfaction_index``); exact, never rounded."""

    plan_id: int | None  # None: no plan of the scope had closed by the day
    plan_title: str
    closed_at: datetime | None
    numerator: float | None  # Σ wᵢ·sᵢ; None without answers
    denominator: int | None  # Σ wᵢ

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.numerator is not None and self.denominator else None


def satisfaction_index(session: Session, principal: Principal, day: date,
                       community_id: int | None = None) -> SatisfactionIndex:
    """The satisfaction index at ``day`` (a period's end, or today) in the principal's communities, or in
    ``community_id``: of the survey plan most recently closed on or before that (Shanghai) day among the plans
    that target the scope (any plan when the scope is every community), sᵢ = (mean of all rating answers of the
    scope's responses for indicator i − 1) ÷ 4 × 100, and Σ wᵢ·sᵢ ÷ Σ wᵢ over the indicators with answers.
    Open plans never count: their figures are provisional. Survey readers and the dashboard's may read it."""
    if not (principal.has(Perm.SURVEYS_VIEW) or principal.has(Perm.DASHBOARD_VIEW)):
        raise PermissionDenied("error.permission_denied", permission=Perm.SURVEYS_VIEW)
    if community_id:
        principal.require_community(community_id)
        scope: frozenset[int] | None = frozenset({community_id})
    else:
        scope = principal.community_filter()
    plan = latest_closed_plan(session, scope, day)
    if plan is None:
        return SatisfactionIndex(None, "", None, None, None)
    where = [col(SurveyScore.community_id).in_(sorted(scope))] if scope is not None else []
    scores = {k[-1]: v for k, v in _scores(session, plan.id, where=where).items() if v is not None}
    if not scores:
        return SatisfactionIndex(plan.id, plan.title, plan.closed_at, None, None)
    numerator, denominator = weighted_scores(scores, _weights(session, plan.id))
    return SatisfactionIndex(plan.id, plan.title, plan.closed_at, numerator, denominator)


def latest_closed_plan(session: Session, scope: frozenset[int] | None, day: date) -> SurveyPlan | None:
    """The survey plan most recently closed on or before the (Shanghai) day among the plans that target the scope
    (any plan when the scope is every community)."""
    next_day = datetime.combine(day + timedelta(days=1), time.min, DISPLAY_ZONE)
    closed = select(SurveyPlan).where(col(SurveyPlan.status).in_(FINAL_STATUSES), SurveyPlan.closed_at < next_day)
    if scope is not None:
        closed = closed.where(col(SurveyPlan.id).in_(
            select(SurveyTarget.plan_id).where(col(SurveyTarget.community_id).in_(sorted(scope)))))
    return session.exec(closed.order_by(col(SurveyPlan.closed_at).desc(), col(SurveyPlan.id).desc())).first()


def steward_indices(session: Session, scope: frozenset[int] | None, day: date) -> dict[int, tuple[float, int]]:
    """Per steward (the building's steward when the household answered): (Σ wᵢ·sᵢ, Σ wᵢ) of the satisfaction index
    as ``satisfaction_index`` defines it, over the scope's responses to the plan closed last by the day."""
    plan = latest_closed_plan(session, scope, day)
    if plan is None:
        return {}
    where = [SurveyScore.steward_id != 0, in_communities(col(SurveyScore.community_id), scope)]
    grouped: dict[int, dict[str, float]] = defaultdict(dict)
    for (steward_id, indicator), score in _scores(session, plan.id, SurveyScore.steward_id, where=where).items():
        if score is not None:
            grouped[int(steward_id)][indicator] = score
    weights = _weights(session, plan.id)
    found = {steward: weighted_scores(scores, weights) for steward, scores in grouped.items()}
    return {steward: pair for steward, pair in found.items() if pair[1]}


# ------------------------------------------------------------------ pages without a staff login

def link_questionnaire(session: Session, plan_id: int, room_id: int) -> dict:
    """What the owner behind a valid link sees: the plan, their own room, the questions — nothing else."""
    plan = session.get(SurveyPlan, plan_id)
    room = session.get(Room, room_id)
    community = session.get(Community, room.community_id)
    return {"title": plan.title, "purpose": plan.purpose, "community": community.name, "room": room.code,
            "questions": questions(session, plan_id)}


def _owner_results(session: Session, plan: SurveyPlan, language: str,
                   community_ids: frozenset[int] | None = None) -> dict:
    """What owners read of a published plan: index, indicator scores and the improvement actions that have a
    measure; of every community the plan asked, or only of ``community_ids``."""
    in_scope = (lambda column: col(column).in_(sorted(community_ids))) if community_ids is not None else \
        (lambda column: sa.true())
    weights_now = _weights(session, plan.id)
    scores = {k[-1]: v for k, v in _scores(session, plan.id, where=[in_scope(SurveyScore.community_id)]).items()}
    responses = session.scalar(sa.select(sa.func.count(SurveyResponse.id)).where(
        SurveyResponse.plan_id == plan.id, in_scope(SurveyResponse.community_id)))
    measures = session.exec(select(ImprovementAction).where(ImprovementAction.plan_id == plan.id,
                                                            in_scope(ImprovementAction.community_id))
                            .order_by(ImprovementAction.score, ImprovementAction.id)).all()
    return {"title": plan.title, "period": _period_text(plan, language), "responses": responses or 0,
            "index": shown(scoring.satisfaction_index(scores, weights_now)),
            "indicators": [{"name": indicator_name(i, language), "score": shown(scores.get(i))} for i in INDICATORS],
            "actions": [{"indicator": indicator_name(str(a.indicator), language), "measure": a.measure,
                         "due_on": str(a.due_on or ""), "status": str(a.status), "result": a.result}
                        for a in measures if a.measure]}


def public_results(session: Session, token: str, language: str) -> dict | None:
    """A published plan's results for owners: index, indicator scores and improvement actions, per community."""
    plan = session.exec(select(SurveyPlan).where(SurveyPlan.public_token == token,
                                                 SurveyPlan.status == PlanStatus.PUBLISHED)).first() if token else None
    if plan is None:
        return None
    return _owner_results(session, plan, language)


# ------------------------------------------------------------------ a household's own view (the owner portal)

def household_tasks(session: Session, room_ids: frozenset[int], today: date) -> list[tuple[SurveyPlan, int]]:
    """(plan, room id) for each open plan still taking answers that asks one of these rooms and has no response
    from it yet: the surveys waiting for the household, oldest deadline first."""
    if not room_ids:
        return []
    plans = session.exec(select(SurveyPlan).where(SurveyPlan.status == PlanStatus.OPEN, SurveyPlan.ends_on >= today)
                         .order_by(SurveyPlan.ends_on, SurveyPlan.id)).all()
    tasks = []
    for plan in plans:
        answered = select(SurveyResponse.room_id).where(SurveyResponse.plan_id == plan.id)
        rooms = session.execute(sa.select(Room.id).where(
            Room.id.in_(targeted_households(session, plan.id)), col(Room.id).in_(sorted(room_ids)),
            Room.id.not_in(answered)).order_by(Room.sort_key)).scalars().all()
        tasks.extend((plan, room_id) for room_id in rooms)
    return tasks


def published_for(session: Session, community_ids: frozenset[int]) -> list[tuple[SurveyPlan, list[int]]]:
    """Published plans that asked any of these communities, newest first, with those of the communities they
    asked."""
    if not community_ids:
        return []
    rows = session.execute(sa.select(SurveyPlan, SurveyTarget.community_id)
                           .join(SurveyTarget, SurveyTarget.plan_id == SurveyPlan.id)
                           .where(SurveyPlan.status == PlanStatus.PUBLISHED,
                                  col(SurveyTarget.community_id).in_(sorted(community_ids)))
                           .order_by(col(SurveyPlan.published_at).desc(), col(SurveyPlan.id).desc())).all()
    found: dict[int, tuple[SurveyPlan, list[int]]] = {}
    for plan, community_id in rows:
        plan_communities = found.setdefault(plan.id, (plan, []))[1]
        if community_id not in plan_communities:
            plan_communities.append(community_id)
    return list(found.values())


def community_results(session: Session, plan: SurveyPlan, community_id: int, language: str) -> dict:
    """A published plan's results for one community, as its owners read them."""
    community = session.get(Community, community_id)
    return {**_owner_results(session, plan, language, frozenset({community_id})),
            "community": community.name if community else ""}
