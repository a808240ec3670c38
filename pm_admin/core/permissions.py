"""Roles, permission codes and the Principal every service and query is given.

Which role holds which permission is data (table ``role_permission``, seeded by the
migrations); this module only names the codes so that code cannot misspell them.
"""

from __future__ import annotations

import dataclasses
import enum
from datetime import date

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from pm_admin.core.errors import PermissionDenied


class Role(enum.StrEnum):
    ADMIN = "admin"  # 系统管理员
    MANAGER = "manager"  # 项目经理
    CS = "cs"  # 客服专员
    STEWARD = "steward"  # 管家
    TECHNICIAN = "technician"  # 维修工
    ARCHIVIST = "archivist"  # 档案管理员
    EXECUTIVE = "executive"  # 公司高管


class Perm(enum.StrEnum):
    PLACES_VIEW = "places.view"
    PLACES_MANAGE = "places.manage"
    COMMUNITIES_MANAGE = "communities.manage"
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW = "audit.view"
    OWNERS_VIEW = "owners.view"
    OWNERS_EDIT = "owners.edit"
    OWNERS_REVEAL_PII = "owners.reveal_pii"
    OWNERS_EXPORT = "owners.export"
    OWNERS_EXPORT_PII = "owners.export_pii"
    OWNERS_IMPORT = "owners.import"
    ARCHIVES_VIEW = "archives.view"
    ARCHIVES_MANAGE = "archives.manage"
    ARCHIVES_REQUEST = "archives.request"
    ARCHIVES_APPROVE = "archives.approve"
    ARREARS_VIEW = "arrears.view"
    ARREARS_MANAGE = "arrears.manage"
    ARREARS_FOLLOW_UP = "arrears.follow_up"
    CENSUS_MANAGE = "census.manage"
    CENSUS_WORK = "census.work"
    TICKETS_VIEW = "tickets.view"
    TICKETS_CREATE = "tickets.create"
    TICKETS_WORK = "tickets.work"
    TICKETS_OWN = "tickets.own"
    TICKETS_APPROVE = "tickets.approve"
    TICKETS_CALLBACK = "tickets.callback"
    TICKETS_REVIEW = "tickets.review"
    TICKETS_SETTINGS = "tickets.settings"
    SURVEYS_VIEW = "surveys.view"  # plans, response rates, results
    SURVEYS_MANAGE = "surveys.manage"  # plans, questionnaires, owner links, publishing, improvement actions
    SURVEYS_ENTER = "surveys.enter"  # responses taken by phone, visit or paper
    DASHBOARD_VIEW = "dashboard.view"  # the executive KPI dashboard
    OWNER_ACCOUNTS_MANAGE = "owner_accounts.manage"  # invite owners to the portal, disable an owner account
    API_TOKENS_MANAGE = "api_tokens.manage"  # integration tokens of the REST API
    NOTICES_VIEW = "notices.view"  # notices of their communities, acknowledgement, the call list
    NOTICES_DRAFT = "notices.draft"  # write notices and submit them for approval
    NOTICES_APPROVE = "notices.approve"  # approve, send an emergency at once, withdraw, progress updates
    NOTIFY_VIEW = "notify.view"  # the outbox's delivery log
    NOTIFY_MANAGE = "notify.manage"  # send a dead or failed message again
    MEETINGS_VIEW = "meetings.view"  # meetings, minutes, action items, the committee roster
    MEETINGS_MANAGE = "meetings.manage"  # plan meetings, sign-in, write minutes, action items, publish, the roster
    MEETINGS_APPROVE = "meetings.approve"  # review and approve minutes
    ACTIVITIES_VIEW = "activities.view"  # community activities, sign-ups, attendance and reviews
    ACTIVITIES_MANAGE = "activities.manage"  # plan activities, sign-up by staff, check-in, the review
    SUGGESTIONS_VIEW = "suggestions.view"  # the suggestion box 意见箱 and the feedback statistics
    GROUPS_VIEW = "groups.view"  # VIP owner groups: members, applications, violations, the moderation log
    GROUPS_MANAGE = "groups.manage"  # decide applications, review violations, confirm group-owner tasks, checks
    GROUPS_APPROVE = "groups.approve"  # the second approver of a removal, fee-check overrides, appeals
    SUGGESTIONS_MANAGE = "suggestions.manage"  # enter slips, triage, reply, close, improvement actions
    FAQ_VIEW = "faq.view"  # the FAQ knowledge base, asking it for a caller, the query log
    FAQ_MANAGE = "faq.manage"  # entries, phrasings, synonyms; turning unanswered questions into entries
    SCORECARDS_OWN = "scorecards.own"  # one's own scorecard 绩效
    SCORECARDS_TEAM = "scorecards.team"  # the scorecards of the staff of one's communities
    SCORECARDS_DEPARTMENTS = "scorecards.departments"  # departments' scorecards across the reader's communities
    REPORTS_VIEW = "reports.view"  # the monthly reports of their communities (generate, download XLSX/PDF)
    INSPECTIONS_VIEW = "inspections.view"  # inspection schedules, tasks and results, rectifications and their notices
    INSPECTIONS_WORK = "inspections.work"  # work through an inspection checklist, recheck a rectification
    INSPECTIONS_MANAGE = "inspections.manage"  # equipment, templates, schedules; a rectification's party and deadline
    VISITS_VIEW = "visits.view"  # the visit programme: tasks, visit records, promised replies
    VISITS_RECORD = "visits.record"  # record visits of their communities (issues to tickets / suggestions), replies
    VISITS_PLAN = "visits.plan"  # visit plans per community and generating their tasks
    VISITS_REPORT = "visits.report"  # completion per steward and community, households not reached


@dataclasses.dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, for the audit log."""

    ip: str = ""
    user_agent: str = ""


@dataclasses.dataclass(frozen=True)
class Principal:
    """The signed-in user as the server knows it for one event."""

    user_id: int
    username: str
    display_name: str
    roles: frozenset[str]
    permissions: frozenset[str]
    all_communities: bool
    community_ids: frozenset[int]
    session_id: int
    current_community_id: int | None = None
    must_change_password: bool = False
    client: ClientInfo = ClientInfo()
    is_system: bool = False

    @property
    def audit_user_id(self) -> int | None:
        """The user an audit row names; none for the system's own jobs."""
        return None if self.is_system else self.user_id

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if not self.has(permission):
            raise PermissionDenied("error.permission_denied", permission=permission)

    def can_access_community(self, community_id: int | None) -> bool:
        if community_id is None:
            return self.all_communities
        return self.all_communities or community_id in self.community_ids

    def require_community(self, community_id: int | None) -> None:
        if not self.can_access_community(community_id):
            raise PermissionDenied("error.out_of_scope")

    def community_filter(self) -> frozenset[int] | None:
        """Communities a list should show: the header's selection, else the whole scope.

        ``None`` means every community (company-wide users with no selection).
        """
        if self.current_community_id is not None and self.can_access_community(self.current_community_id):
            return frozenset({self.current_community_id})
        return None if self.all_communities else self.community_ids

    def scope_clause(self, community_column) -> ColumnElement[bool]:
        return in_communities(community_column, self.community_filter())


def in_communities(community_column, scope: frozenset[int] | None) -> ColumnElement[bool]:
    """The rows of the scope's communities: ``None`` every community, an empty scope none."""
    if scope is None:
        return sa.true()
    return community_column.in_(sorted(scope)) if scope else sa.false()


SYSTEM = Principal(user_id=0, username="system", display_name="系统", roles=frozenset(Role),
                   permissions=frozenset(Perm), all_communities=True, community_ids=frozenset(), session_id=0,
                   is_system=True)
"""The app's own jobs (daily runs, migrations, demo seeding, the first admin): every permission and community,
named "system" in the audit log. Never the principal of a browser event: the guard only builds signed-in users."""


class PortalPerm(enum.StrEnum):
    """What an owner account may do in the portal and the owner API. Owners hold all of them for their own rooms;
    staff permissions never reach an owner, nor these a staff member."""

    HOME = "portal.home"
    TICKETS = "portal.tickets"  # report, follow and rate the tickets of their rooms
    FEEDBACK = "portal.feedback"  # anonymous feedback, suggestions to the suggestion box
    NOTICES = "portal.notices"
    SURVEYS = "portal.surveys"
    PROFILE = "portal.profile"


@dataclasses.dataclass(frozen=True)
class OwnerRoom:
    room_id: int
    community_id: int
    since: date  # tickets of the room from this day on are theirs (a new owner does not read the last one's)


@dataclasses.dataclass(frozen=True)
class OwnerPrincipal:
    """A signed-in owner (or a household member or tenant the registry lists) as the server knows it for one event.

    Not a ``Principal``: no staff service accepts it, and staff sessions never become one.
    """

    account_id: int
    display_name: str
    person_kind: str  # owner | member | occupant
    owner_id: int | None  # the registry owner the account speaks for (none for a tenant)
    rooms: tuple[OwnerRoom, ...]
    session_id: int
    language: str = "zh-CN"
    permissions: frozenset[str] = frozenset(PortalPerm)
    client: ClientInfo = ClientInfo()

    @property
    def room_ids(self) -> frozenset[int]:
        return frozenset(room.room_id for room in self.rooms)

    @property
    def community_ids(self) -> frozenset[int]:
        return frozenset(room.community_id for room in self.rooms)

    def has(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str) -> None:
        if not self.has(permission):
            raise PermissionDenied("error.permission_denied", permission=permission)

    def room(self, room_id: object) -> OwnerRoom:
        """One of the account's rooms, or a refusal that does not say whether the room exists."""
        for room in self.rooms:
            if room.room_id == room_id:
                return room
        raise PermissionDenied("portal.not_your_room")
