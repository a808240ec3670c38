"""Owner satisfaction surveys 业主满意度调查 (seed 000 §七, 002 §3.3): plans, questionnaires whose rating
questions map to weighted indicators, responses by staff or through one-time owner links, score rollups,
improvement actions 整改措施 and published results."""

from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from pm_admin.core.clock import utcnow
from pm_admin.core.mixins import version_column
from pm_admin.core.types import UTCDateTime, str_enum


class Indicator(enum.StrEnum):
    """What a rating question measures (seed 003 5.28 names the repair ones; 002 §4.1 "不同服务项目")."""

    SERVICE = "service"  # 客服
    REPAIR = "repair"  # 维修
    CLEANING = "cleaning"  # 保洁
    GREENING = "greening"  # 绿化
    SECURITY = "security"  # 安保
    FACILITIES = "facilities"  # 设施
    COMMUNICATION = "communication"  # 沟通


class PeriodKind(enum.StrEnum):
    YEAR = "year"
    FIRST_HALF = "h1"
    SECOND_HALF = "h2"


class Method(enum.StrEnum):
    ONLINE = "online"  # owner link
    PAPER = "paper"
    PHONE = "phone"
    VISIT = "visit"


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"  # questionnaire being built
    OPEN = "open"  # collecting responses
    CLOSED = "closed"  # scored; actions follow
    PUBLISHED = "published"  # results shown to owners


class QuestionKind(enum.StrEnum):
    RATING = "rating"  # 1–5
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"


class ActionStatus(enum.StrEnum):
    PROPOSED = "proposed"
    IN_PROGRESS = "in_progress"
    DONE = "done"


_plan_version = version_column()


class SurveyPlan(SQLModel, table=True):
    __tablename__ = "survey_plan"
    __table_args__ = (sa.UniqueConstraint("year", "period_kind", "title", name="uq_survey_plan_period_title"),)
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=60)
    year: int
    period_kind: PeriodKind = Field(sa_type=str_enum(PeriodKind, 8))
    purpose: str = Field(default="", max_length=500)
    methods: str = Field(default="online,phone", max_length=40)  # comma-separated Method values
    starts_on: date
    ends_on: date
    threshold: int = Field(default=80)  # an indicator scoring below proposes an improvement action
    status: PlanStatus = Field(default=PlanStatus.DRAFT, sa_type=str_enum(PlanStatus, 12))
    public_token: str = Field(default="", max_length=32)  # set when published: the owners' results page
    created_by: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    # When collecting stopped: the figures of a period are those of the plan closed last by then.
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_plan_version)
    __mapper_args__ = {"version_id_col": _plan_version}


class SurveyTarget(SQLModel, table=True):
    """A plan covers whole communities or single buildings of them."""

    __tablename__ = "survey_target"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="survey_plan.id", index=True)
    community_id: int = Field(foreign_key="community.id")
    building_id: int | None = Field(default=None, foreign_key="building.id")


class SurveyWeight(SQLModel, table=True):
    __tablename__ = "survey_weight"
    plan_id: int = Field(foreign_key="survey_plan.id", primary_key=True)
    indicator: Indicator = Field(sa_type=str_enum(Indicator, 16), primary_key=True)
    weight: int = Field(default=1)  # relative weight in the satisfaction index


class SurveyQuestion(SQLModel, table=True):
    __tablename__ = "survey_question"
    __table_args__ = (sa.Index("ix_survey_question_plan", "plan_id", "position"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="survey_plan.id")
    position: int
    kind: QuestionKind = Field(sa_type=str_enum(QuestionKind, 12))
    text: str = Field(max_length=200)
    options: str = Field(default="", max_length=1000)  # choices, one per line
    indicator: Indicator | None = Field(default=None, sa_type=str_enum(Indicator, 16))  # rating questions
    required: bool = Field(default=True)


class SurveyLink(SQLModel, table=True):
    """A one-time link for one household; only the token's hash is kept."""

    __tablename__ = "survey_link"
    __table_args__ = (sa.UniqueConstraint("plan_id", "room_id", name="uq_survey_link_plan_room"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="survey_plan.id")
    room_id: int = Field(foreign_key="room.id")
    token_hash: str = Field(max_length=64, unique=True)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SurveyResponse(SQLModel, table=True):
    """One per household and plan, whoever entered it."""

    __tablename__ = "survey_response"
    __table_args__ = (sa.UniqueConstraint("plan_id", "room_id", name="uq_survey_response_plan_room"),
                      sa.Index("ix_survey_response_plan_building", "plan_id", "community_id", "building_id"))
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="survey_plan.id")
    room_id: int = Field(foreign_key="room.id")
    community_id: int = Field(foreign_key="community.id")
    building_id: int = Field(foreign_key="building.id")
    steward_id: int | None = Field(default=None, foreign_key="app_user.id")  # the building's steward then
    method: Method = Field(sa_type=str_enum(Method, 8))
    entered_by: str = Field(default="", max_length=64)  # "" for an owner's own answer
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SurveyAnswer(SQLModel, table=True):
    __tablename__ = "survey_answer"
    response_id: int = Field(foreign_key="survey_response.id", primary_key=True)
    question_id: int = Field(foreign_key="survey_question.id", primary_key=True)
    rating: int | None = None
    choices: str = Field(default="", max_length=1000)  # chosen options, one per line
    text: str = Field(default="", max_length=1000)


class SurveyScore(SQLModel, table=True):
    """Rating sums per plan × building × steward × indicator, kept current by the response services:
    every score on the results page and the dashboard is a sum over these few rows."""

    __tablename__ = "survey_score"
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="survey_plan.id")
    community_id: int = Field(foreign_key="community.id")
    building_id: int = Field(foreign_key="building.id")
    steward_id: int = Field(default=0)  # 0: no steward (a real FK cannot be part of the key when absent)
    indicator: Indicator = Field(sa_type=str_enum(Indicator, 16))
    rating_sum: int = Field(default=0)
    rating_count: int = Field(default=0)
    __table_args__ = (sa.UniqueConstraint("plan_id", "building_id", "steward_id", "indicator",
                                          name="uq_survey_score_key"),
                      sa.Index("ix_survey_score_plan_community", "plan_id", "community_id"),
                      # Covering, in GROUP BY order: the company-wide trend streams it without sorting.
                      sa.Index("ix_survey_score_plan_indicator", "plan_id", "indicator", "community_id", "rating_sum",
                               "rating_count"))


_action_version = version_column()


class ImprovementAction(SQLModel, table=True):
    """整改措施: proposed for an indicator under the plan's threshold, then owned by a department."""

    __tablename__ = "improvement_action"
    __table_args__ = (sa.UniqueConstraint("plan_id", "community_id", "indicator", name="uq_action_plan_indicator"),)
    id: int | None = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="survey_plan.id")
    community_id: int = Field(foreign_key="community.id")
    indicator: Indicator = Field(sa_type=str_enum(Indicator, 16))
    score: float  # the score that triggered it
    measure: str = Field(default="", max_length=500)
    department_id: int | None = Field(default=None, foreign_key="department.id")
    due_on: date | None = None
    status: ActionStatus = Field(default=ActionStatus.PROPOSED, sa_type=str_enum(ActionStatus, 12))
    result: str = Field(default="", max_length=500)
    updated_by: str = Field(default="", max_length=64)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column=_action_version)
    __mapper_args__ = {"version_id_col": _action_version}
