"""The sidebar: each entry names the permission it needs; the server filters by role."""

from __future__ import annotations

import dataclasses

from pm_admin.core.permissions import Perm, Principal


@dataclasses.dataclass(frozen=True)
class NavItem:
    key: str
    href: str
    icon: str
    permission: str | tuple[str, ...] | None  # any one of them; None: every signed-in user


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("home", "/", "layout-dashboard", None),
    NavItem("dashboard", "/dashboard", "chart-column", Perm.DASHBOARD_VIEW),
    NavItem("scorecards", "/scorecards", "medal", (Perm.SCORECARDS_OWN, Perm.SCORECARDS_TEAM,
                                                    Perm.SCORECARDS_DEPARTMENTS)),
    NavItem("reports", "/reports", "file-bar-chart", Perm.REPORTS_VIEW),
    NavItem("ticket_board", "/tickets/board", "kanban", Perm.TICKETS_VIEW),
    NavItem("tickets", "/tickets", "list-todo", Perm.TICKETS_VIEW),
    NavItem("callbacks", "/tickets/callbacks", "phone-call", Perm.TICKETS_CALLBACK),
    NavItem("review", "/tickets/review", "calendar-check", Perm.TICKETS_REVIEW),
    NavItem("callback_batch", "/reports/callback-batch", "clipboard-check", Perm.TICKETS_CALLBACK),
    NavItem("my_orders", "/my-orders", "wrench", Perm.TICKETS_OWN),
    NavItem("my_inspections", "/my-inspections", "clipboard-check", Perm.INSPECTIONS_WORK),
    NavItem("inspections", "/inspections", "shield-check", Perm.INSPECTIONS_VIEW),
    NavItem("rectifications", "/rectifications", "fire-extinguisher", Perm.INSPECTIONS_VIEW),
    NavItem("inspection_setup", "/inspections/setup", "calendar-cog", Perm.INSPECTIONS_MANAGE),
    NavItem("owners", "/owners", "contact", Perm.OWNERS_VIEW),
    NavItem("owner_accounts", "/owner-accounts", "smartphone", Perm.OWNER_ACCOUNTS_MANAGE),
    NavItem("contact_requests", "/owner-requests", "user-pen", Perm.OWNERS_EDIT),
    NavItem("groups", "/groups", "messages-square", Perm.GROUPS_VIEW),
    NavItem("notices", "/notices", "megaphone", Perm.NOTICES_VIEW),
    NavItem("messages", "/messages", "send", Perm.NOTIFY_VIEW),
    NavItem("archives", "/archives", "archive", Perm.ARCHIVES_VIEW),
    NavItem("archive_requests", "/archives/requests", "key-round", Perm.ARCHIVES_REQUEST),
    NavItem("arrears", "/arrears", "wallet", Perm.ARREARS_VIEW),
    NavItem("census", "/census", "clipboard-list", Perm.CENSUS_WORK),
    NavItem("surveys", "/surveys", "smile", Perm.SURVEYS_VIEW),
    NavItem("meetings", "/meetings", "users-round", Perm.MEETINGS_VIEW),
    NavItem("committee", "/meetings/committee", "user-check", Perm.MEETINGS_VIEW),
    NavItem("activities", "/activities", "party-popper", Perm.ACTIVITIES_VIEW),
    NavItem("suggestions", "/suggestions", "inbox", Perm.SUGGESTIONS_VIEW),
    NavItem("faq", "/faq", "message-circle-question", Perm.FAQ_VIEW),
    NavItem("visits", "/visits", "footprints", Perm.VISITS_VIEW),
    NavItem("visit_plans", "/visits/plans", "calendar-range", Perm.VISITS_PLAN),
    NavItem("visit_report", "/visits/report", "chart-pie", Perm.VISITS_REPORT),
    NavItem("communities", "/places/communities", "building-2", Perm.PLACES_VIEW),
    NavItem("buildings", "/places/buildings", "building", Perm.PLACES_VIEW),
    NavItem("rooms", "/places/rooms", "door-open", Perm.PLACES_VIEW),
    NavItem("users", "/admin/users", "users", Perm.USERS_MANAGE),
    NavItem("ticket_settings", "/admin/tickets", "settings-2", Perm.TICKETS_SETTINGS),
    NavItem("api_tokens", "/admin/api-tokens", "key-round", Perm.API_TOKENS_MANAGE),
    NavItem("audit", "/audit", "scroll-text", Perm.AUDIT_VIEW),
)


def visible_nav_keys(principal: Principal) -> list[str]:
    return [item.key for item in NAV_ITEMS if item.permission is None or any(
        principal.has(permission) for permission in
        ((item.permission,) if isinstance(item.permission, str) else item.permission))]
