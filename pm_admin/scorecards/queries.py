"""Scorecards 绩效 (seeds 000 §七(四)2, 003 5.28, 004): who may read which card, and the rows of each view.

A staff member reads their own card; a manager the cards of the staff of their communities; an executive (and a
manager, within their communities) the departments'. Every figure is defined in ``ticket_figures`` and
``household_figures`` and links to the tickets behind it (``tickets_behind``).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.models import User, UserCommunity, UserRole
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.errors import NotFound, PermissionDenied
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import Perm, Principal, Role
from pm_admin.dashboards.figures import Figure
from pm_admin.dashboards.periods import PERIOD_KEYS, Period, period_for
from pm_admin.scorecards.field_figures import FIELD_FIGURES, department_rectifications, field_figures
from pm_admin.scorecards.household_figures import HOUSEHOLD_FIGURES, household_figures
from pm_admin.scorecards.ticket_figures import CS_FIGURES, HANDLER_FIGURES, Scope, cs_figures, handler_figures
from pm_admin.tickets.models import Department

STAFF_ROLES = (Role.TECHNICIAN, Role.CS, Role.STEWARD)
# Which figure groups a role's card shows (a person with several roles sees each group once).
ROLE_GROUPS = {Role.TECHNICIAN: ("handler", "field"), Role.CS: ("cs", "handler"),
               Role.STEWARD: ("household", "handler"), Role.MANAGER: ("handler",)}
GROUP_FIGURES = {"handler": HANDLER_FIGURES, "cs": CS_FIGURES, "household": HOUSEHOLD_FIGURES,
                 "field": FIELD_FIGURES}
ALL_FIGURES = (*HANDLER_FIGURES, *CS_FIGURES, *HOUSEHOLD_FIGURES, *FIELD_FIGURES)
DEPARTMENT_FIGURES = (*HANDLER_FIGURES, "rectifications_on_time")


@dataclasses.dataclass(frozen=True)
class Card:
    subject: str  # user | department
    subject_id: int
    name: str
    roles: tuple[str, ...]
    groups: tuple[str, ...]
    figures: dict[str, Figure]


def period_of(key: str, now: datetime) -> Period:
    """The period named ``key`` (this month when unknown) as of ``now``'s Shanghai day."""
    return period_for(key if key in PERIOD_KEYS else PERIOD_KEYS[0], now.astimezone(DISPLAY_ZONE).date())


def scope_of(principal: Principal, community_id: int | None) -> Scope:
    if community_id:
        principal.require_community(community_id)
        return frozenset({community_id})
    return principal.community_filter()


def _roles(session: Session, user_ids: list[int]) -> dict[int, tuple[str, ...]]:
    found: dict[int, list[str]] = {}
    for user_id, role in session.execute(sa.select(UserRole.user_id, UserRole.role_code)
                                         .where(col(UserRole.user_id).in_(user_ids))).all():
        found.setdefault(user_id, []).append(role)
    return {user: tuple(sorted(roles)) for user, roles in found.items()}


def _groups(roles: tuple[str, ...]) -> tuple[str, ...]:
    groups: list[str] = []
    for role in roles:
        groups += [g for g in ROLE_GROUPS.get(role, ()) if g not in groups]
    return tuple(sorted(groups, key=list(GROUP_FIGURES).index))


def _user_cards(session: Session, users: list[User], scope: Scope, period: Period, now: datetime) -> list[Card]:
    """Each figure group is read once for all the users, and only when one of their cards shows it (a technician's
    own card reads no household figures)."""
    roles = _roles(session, [u.id for u in users])
    shown = {group for user in users for group in _groups(roles.get(user.id, ()))}
    handler = handler_figures(session, scope, period, now) if "handler" in shown else {}
    calls = cs_figures(session, scope, period, now) if "cs" in shown else {}
    households = household_figures(session, scope, period, now) if "household" in shown else {}
    field = field_figures(session, scope, period, now) if "field" in shown else {}
    cards = []
    for user in users:
        figures = {**handler.get(user.id, {}), **calls.get(user.username, {}), **households.get(user.id, {}),
                   **field.get(user.id, {})}
        cards.append(Card("user", user.id, user.display_name, roles.get(user.id, ()),
                          _groups(roles.get(user.id, ())), figures))
    return cards


def own_card(session: Session, principal: Principal, period_key: str, community_id: int | None = None,
             now: datetime | None = None) -> Card:
    principal.require(Perm.SCORECARDS_OWN)
    user = session.get(User, principal.user_id)
    if user is None:
        raise NotFound("user")
    now = now or utcnow()
    return _user_cards(session, [user], scope_of(principal, community_id), period_of(period_key, now), now)[0]


def _team(scope: Scope) -> list[sa.ColumnElement[bool]]:
    """Who is on the team: active technicians, cs and stewards of the scope's communities."""
    where = [User.is_active == sa.true(), col(User.id).in_(
        select(UserRole.user_id).where(col(UserRole.role_code).in_([str(r) for r in STAFF_ROLES])))]
    if scope is not None:
        where.append(col(User.id).in_(
            select(UserCommunity.user_id).where(col(UserCommunity.community_id).in_(sorted(scope)))))
    return where


def team_members(session: Session, scope: Scope) -> list[User]:
    """The team (``_team``), by name."""
    return list(session.exec(select(User).where(*_team(scope)).order_by(User.display_name, User.id)).all())


def team_cards(session: Session, principal: Principal, period_key: str, community_id: int | None = None,
               now: datetime | None = None) -> list[Card]:
    principal.require(Perm.SCORECARDS_TEAM)
    scope, now = scope_of(principal, community_id), now or utcnow()
    return _user_cards(session, team_members(session, scope), scope, period_of(period_key, now), now)


def department_cards(session: Session, principal: Principal, period_key: str, community_id: int | None = None,
                     now: datetime | None = None, language: str = "zh-CN") -> list[Card]:
    principal.require(Perm.SCORECARDS_DEPARTMENTS)
    now, scope = now or utcnow(), scope_of(principal, community_id)
    period = period_of(period_key, now)
    figures = handler_figures(session, scope, period, now, by_department=True)
    rectifications = department_rectifications(session, scope, period, now)
    departments = session.exec(select(Department).order_by(Department.id)).all()
    return [Card("department", d.id, d.name if language == "zh-CN" or not d.name_en else d.name_en, (),
                 ("handler",), {**figures.get(d.id, {}), **rectifications.get(d.id, {})}) for d in departments]


def require_subject(session: Session, principal: Principal, subject: str, subject_id: object,
                    community_id: int | None) -> tuple[str, int]:
    """The card a drill-down may open: one's own, a team member's (manager), a department (executive)."""
    if not is_id(subject_id) or subject not in ("user", "department"):
        raise NotFound("scorecard")
    subject_id = int(subject_id)
    if subject == "department":
        principal.require(Perm.SCORECARDS_DEPARTMENTS)
        if session.get(Department, subject_id) is None:
            raise NotFound("department")
        return subject, subject_id
    if subject_id == principal.user_id and principal.has(Perm.SCORECARDS_OWN):
        return subject, subject_id
    principal.require(Perm.SCORECARDS_TEAM)
    on_team = sa.exists().where(User.id == subject_id, *_team(scope_of(principal, community_id)))
    if not session.scalar(sa.select(on_team)):
        raise PermissionDenied("error.out_of_scope")
    return subject, subject_id
