"""Demo surveys: four half-yearly plans over every community (three scored, the current one collecting),
answered by about a third of the households, with building-to-building differences and a slow improvement."""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import DISPLAY_ZONE, local_today, utcnow
from pm_admin.owners.models import Ownership
from pm_admin.places.models import Building, Community, Room
from pm_admin.surveys.models import (
    ActionStatus,
    ImprovementAction,
    Indicator,
    PeriodKind,
    PlanStatus,
    QuestionKind,
    SurveyAnswer,
    SurveyPlan,
    SurveyQuestion,
    SurveyResponse,
    SurveyTarget,
    SurveyWeight,
)
from pm_admin.surveys.services.actions import propose_actions
from pm_admin.surveys.services.responses import rebuild_scores

QUESTIONS = (
    ("客服人员的服务态度和响应速度", Indicator.SERVICE), ("报修后维修的及时性和质量", Indicator.REPAIR),
    ("楼道、电梯和公共区域的清洁", Indicator.CLEANING), ("小区绿化的养护", Indicator.GREENING),
    ("门岗、巡逻和车辆管理", Indicator.SECURITY), ("电梯、门禁、照明等设施的运行", Indicator.FACILITIES),
    ("通知公告和意见反馈的及时性", Indicator.COMMUNICATION),
)
WEIGHTS = {Indicator.SERVICE: 3, Indicator.REPAIR: 3, Indicator.CLEANING: 2, Indicator.GREENING: 1,
           Indicator.SECURITY: 2, Indicator.FACILITIES: 2, Indicator.COMMUNICATION: 1}
TOPICS = ("停车管理", "噪音", "宠物管理", "绿化", "快递收发", "电梯维护")
REMARKS = ("希望晚上加强巡逻", "电梯经常停运，请尽快维修", "保洁很用心，谢谢", "停车位太少", "希望多组织社区活动")


def _halves(today: date, count: int = 4) -> list[tuple[int, PeriodKind, date, date]]:
    year, second = today.year, today.month > 6
    current = (year, PeriodKind.SECOND_HALF if second else PeriodKind.FIRST_HALF)
    periods = [current]
    while len(periods) < count:
        y, kind = periods[-1]
        periods.append((y, PeriodKind.FIRST_HALF) if kind == PeriodKind.SECOND_HALF else (y - 1, PeriodKind.SECOND_HALF))
    return [(y, k, date(y, 1, 1) if k == PeriodKind.FIRST_HALF else date(y, 7, 1),
             date(y, 6, 30) if k == PeriodKind.FIRST_HALF else date(y, 12, 31)) for y, k in reversed(periods)]


def _rooms(owned_only: bool) -> sa.Select:
    statement = sa.select(Room.id, Room.community_id, Room.building_id, Building.steward_user_id) \
        .join(Building, Building.id == Room.building_id)
    if owned_only:
        statement = statement.where(sa.exists().where(Ownership.room_id == Room.id, col(Ownership.ended_on).is_(None)))
    return statement


def seed_surveys(session: Session, rng: random.Random, today: date | None = None) -> int:
    """Four half-years for the demo; returns the number of responses."""
    return _seed_periods(session, rng, session.execute(_rooms(owned_only=True)).all(), today,
                         closed_share=0.35, current_share=0.12)


def seed_responses(session: Session, *, responses: int, rng: random.Random | None = None) -> int:
    """About ``responses`` answers of every room (benchmarks: no owners needed), over as many half-years as one
    answer per room and period allows (at least four)."""
    rooms = session.execute(_rooms(owned_only=False)).all()
    halves = max(4, -(-responses // max(1, len(rooms))))
    share = min(1.0, responses / (halves * max(1, len(rooms))))
    return _seed_periods(session, rng or random.Random(5), rooms, None, closed_share=share, current_share=share,
                         halves=halves)


def _seed_periods(session: Session, rng: random.Random, households: list, today: date | None, *,
                  closed_share: float, current_share: float, halves: int = 4) -> int:
    today = today or local_today()
    communities = list(session.exec(select(Community.id)).all())
    quality = {b: rng.uniform(-0.8, 0.5) for b in {h.building_id for h in households}}
    bias = {i: rng.uniform(-0.6, 0.3) for i in Indicator}
    periods = _halves(today, halves)
    total = 0
    for index, (year, kind, starts, ends) in enumerate(periods):
        current = index == len(periods) - 1
        plan = SurveyPlan(title="业主满意度调查", year=year, period_kind=kind, purpose="了解业主对物业服务的满意程度，制定改进措施",
                          methods="online,phone,visit", starts_on=starts, ends_on=ends, threshold=80,
                          status=PlanStatus.OPEN if current else PlanStatus.CLOSED, created_by="demo.manager",
                          closed_at=None if current else min(
                              datetime.combine(ends + timedelta(days=10), time(10), DISPLAY_ZONE), utcnow()))
        session.add(plan)
        session.flush()
        session.add_all([SurveyTarget(plan_id=plan.id, community_id=c) for c in communities])
        session.add_all([SurveyWeight(plan_id=plan.id, indicator=i, weight=w) for i, w in WEIGHTS.items()])
        questions = [SurveyQuestion(plan_id=plan.id, position=n, kind=QuestionKind.RATING, text=text, indicator=i)
                     for n, (text, i) in enumerate(QUESTIONS, start=1)]
        questions.append(SurveyQuestion(plan_id=plan.id, position=len(questions) + 1, kind=QuestionKind.SINGLE,
                                        text="您最希望改进的方面", options="\n".join(TOPICS)))
        questions.append(SurveyQuestion(plan_id=plan.id, position=len(questions) + 1, kind=QuestionKind.TEXT,
                                        text="其他意见和建议", required=False))
        session.add_all(questions)
        session.flush()
        share, lift = (current_share, 0.25) if current else (closed_share, 0.12 * index)
        answered = [h for h in households if rng.random() < share]
        last_day = min(ends, today)
        responses = []
        for h in answered:
            day = starts + timedelta(days=rng.randint(0, max(0, (last_day - starts).days)))
            responses.append({"plan_id": plan.id, "room_id": h.id, "community_id": h.community_id,
                              "building_id": h.building_id, "steward_id": h.steward_user_id,
                              "method": rng.choice(("online", "phone", "visit", "paper")), "entered_by": "",
                              "created_at": datetime.combine(day, time(10), DISPLAY_ZONE)})
        session.execute(sa.insert(SurveyResponse), responses)
        ids = session.execute(sa.select(SurveyResponse.id, SurveyResponse.building_id)
                              .where(SurveyResponse.plan_id == plan.id)).all()
        answers = []
        for response_id, building_id in ids:
            for q in questions[:len(QUESTIONS)]:
                mean = 4.3 + quality[building_id] + bias[q.indicator] + lift
                answers.append({"response_id": response_id, "question_id": q.id, "choices": "", "text": "",
                                "rating": max(1, min(5, round(rng.gauss(mean, 0.8))))})
            answers.append({"response_id": response_id, "question_id": questions[-2].id, "rating": None,
                            "choices": rng.choice(TOPICS), "text": ""})
            if rng.random() < 0.2:
                answers.append({"response_id": response_id, "question_id": questions[-1].id, "rating": None,
                                "choices": "", "text": rng.choice(REMARKS)})
        for start in range(0, len(answers), 5000):
            session.execute(sa.insert(SurveyAnswer), answers[start:start + 5000])
        rebuild_scores(session, plan.id)
        if not current:
            propose_actions(session, plan)
        if index < 2:  # the older periods were published with their actions carried out
            plan.status, plan.public_token = PlanStatus.PUBLISHED, secrets.token_urlsafe(16)
            plan.published_at = datetime.combine(ends + timedelta(days=20), time(10), DISPLAY_ZONE)
            session.execute(sa.update(ImprovementAction).where(ImprovementAction.plan_id == plan.id).values(
                measure="制定专项整改方案，增加人员培训并每月检查", status=ActionStatus.DONE,
                due_on=ends + timedelta(days=90), result="已完成整改，业主反映明显改善", updated_by="demo.manager"))
        total += len(responses)
    return total
