"""Every route of the app, with the on_load events that fetch its data; staff pages get the shell's frame here."""

from __future__ import annotations

import functools
from collections.abc import Callable

import reflex as rx

from pm_admin.activities.pages.activities import activities_page
from pm_admin.activities.pages.activity import activity_page, check_in_page
from pm_admin.activities.states.activities import ActivitiesState
from pm_admin.activities.states.activity import ActivityState
from pm_admin.api.pages.tokens import api_tokens_page
from pm_admin.api.states.tokens import ApiTokensState
from pm_admin.archives.pages.archives import archive_page, catalog_page, requests_page
from pm_admin.archives.pages.printing import catalog_print_page
from pm_admin.archives.states.archives import ArchiveDetailState, ArchivesState
from pm_admin.archives.states.printing import CatalogPrintState
from pm_admin.archives.states.requests import AccessRequestsState
from pm_admin.arrears.pages.arrears import arrears_page
from pm_admin.arrears.states.arrears import ArrearsState
from pm_admin.audit.pages.audit import audit_page
from pm_admin.audit.states.audit import AuditState
from pm_admin.auth.pages.login import login_page
from pm_admin.auth.states.sign_in import LoginState
from pm_admin.census.pages.census import census_page
from pm_admin.census.states.census import CensusState
from pm_admin.comms.pages.detail import notice_detail_page
from pm_admin.comms.pages.notices import notices_page
from pm_admin.comms.pages.owner_notice import portal_notice_page
from pm_admin.comms.states.detail import NoticeDetailState
from pm_admin.comms.states.notices import NoticesState
from pm_admin.comms.states.owner_notice import PortalNoticeState
from pm_admin.dashboards.pages.dashboard import dashboard_page
from pm_admin.dashboards.states.dashboard import DashboardState
from pm_admin.faq.pages.faq import faq_page
from pm_admin.faq.states.faq import FaqState
from pm_admin.groups.pages.group import group_page
from pm_admin.groups.pages.groups import groups_page
from pm_admin.groups.states.group import GroupState
from pm_admin.groups.states.groups import GroupsState
from pm_admin.home.pages.header import reminder_bell, search_palette
from pm_admin.home.pages.home import home_page
from pm_admin.home.states.header import BellState
from pm_admin.home.states.home import HomeState
from pm_admin.inspections.pages.check import task_page
from pm_admin.inspections.pages.mine import my_inspections_page
from pm_admin.inspections.pages.notice import notice_page as rectification_notice_page
from pm_admin.inspections.pages.rectification import rectification_page
from pm_admin.inspections.pages.rectifications import rectifications_page
from pm_admin.inspections.pages.setup import setup_page as inspection_setup_page
from pm_admin.inspections.pages.tasks import inspections_page
from pm_admin.inspections.states.check import InspectionTaskState
from pm_admin.inspections.states.mine import MyInspectionsState
from pm_admin.inspections.states.notice import RectificationNoticeState
from pm_admin.inspections.states.rectification import RectificationState
from pm_admin.inspections.states.rectifications import RectificationsState
from pm_admin.inspections.states.setup import SetupState as InspectionSetupState
from pm_admin.inspections.states.tasks import InspectionsState
from pm_admin.meetings.pages.meeting import meeting_page
from pm_admin.meetings.pages.meetings import committee_page, meetings_page
from pm_admin.meetings.states.committee import CommitteeState
from pm_admin.meetings.states.meeting import MeetingState
from pm_admin.meetings.states.meetings import MeetingsState
from pm_admin.notify.pages.log import delivery_log_page
from pm_admin.notify.states.log import DeliveryLogState
from pm_admin.owners.pages.detail import owner_detail_page
from pm_admin.owners.pages.importing import import_page
from pm_admin.owners.pages.owners import owners_page
from pm_admin.owners.states.detail import OwnerDetailState
from pm_admin.owners.states.importing import OwnerImportState
from pm_admin.owners.states.owners import OwnersState
from pm_admin.places.pages.places import buildings_page, communities_page, rooms_page
from pm_admin.places.states.places import BuildingsState, CommunitiesState, RoomsState
from pm_admin.portal.pages.activities import portal_activities_page
from pm_admin.portal.pages.contact_requests import contact_requests_page
from pm_admin.portal.pages.faq import portal_faq_page
from pm_admin.portal.pages.groups import portal_groups_page
from pm_admin.portal.pages.home import portal_home_page
from pm_admin.portal.pages.notices import portal_notices_page
from pm_admin.portal.pages.profile import portal_profile_page
from pm_admin.portal.pages.report import portal_feedback_page, portal_report_page
from pm_admin.portal.pages.sign_in import activation_page, portal_login_page
from pm_admin.portal.pages.staff_accounts import owner_accounts_page
from pm_admin.portal.pages.suggestions import portal_suggestions_page
from pm_admin.portal.pages.surveys import portal_results_page, portal_survey_page, portal_surveys_page
from pm_admin.portal.pages.tickets import portal_ticket_page, portal_tickets_page
from pm_admin.portal.states.activities import PortalActivitiesState
from pm_admin.portal.states.contact_requests import ContactRequestsState
from pm_admin.portal.states.faq import PortalFaqState
from pm_admin.portal.states.groups import PortalGroupsState
from pm_admin.portal.states.home import PortalHomeState
from pm_admin.portal.states.notices import PortalNoticesState
from pm_admin.portal.states.profile import PortalProfileState
from pm_admin.portal.states.report import PortalReportState
from pm_admin.portal.states.sign_in import ActivationState, PortalLoginState
from pm_admin.portal.states.staff_accounts import OwnerAccountsState
from pm_admin.portal.states.suggestions import PortalSuggestionsState
from pm_admin.portal.states.surveys import PortalResultsState, PortalSurveysState, PortalSurveyState
from pm_admin.portal.states.tickets import PortalTicketsState, PortalTicketState
from pm_admin.reports.pages.monthly import monthly_page
from pm_admin.reports.pages.weekly import weekly_page
from pm_admin.reports.states.monthly import MonthlyReportState
from pm_admin.reports.states.weekly import CallbackBatchState
from pm_admin.scorecards.page import scorecards_page
from pm_admin.scorecards.state import ScorecardsState
from pm_admin.shell import access
from pm_admin.shell.layout import frame, print_frame
from pm_admin.shell.password_page import password_page
from pm_admin.shell.state import ShellState
from pm_admin.suggestions.pages.box import suggestions_page
from pm_admin.suggestions.pages.suggestion import suggestion_page
from pm_admin.suggestions.states.box import SuggestionsState
from pm_admin.suggestions.states.suggestion import SuggestionState
from pm_admin.surveys.pages.owner import owner_survey_page, public_results_page
from pm_admin.surveys.pages.plan import plan_page
from pm_admin.surveys.pages.plans import plans_page
from pm_admin.surveys.states.owner import OwnerSurveyState, PublicResultsState
from pm_admin.surveys.states.plan import SurveyPlanState
from pm_admin.surveys.states.plans import SurveyPlansState
from pm_admin.tickets.pages.board import board_page
from pm_admin.tickets.pages.detail import ticket_page
from pm_admin.tickets.pages.listing import list_page
from pm_admin.tickets.pages.orders import orders_page
from pm_admin.tickets.pages.printing import review_print_page, ticket_print_page
from pm_admin.tickets.pages.queue import queue_page
from pm_admin.tickets.pages.review import review_page
from pm_admin.tickets.pages.settings import settings_page
from pm_admin.tickets.states.board import TicketBoardState
from pm_admin.tickets.states.detail import TicketDetailState
from pm_admin.tickets.states.listing import TicketListState
from pm_admin.tickets.states.orders import MyOrdersState
from pm_admin.tickets.states.printing import TicketPrintState
from pm_admin.tickets.states.queue import CallbackQueueState
from pm_admin.tickets.states.review import DailyReviewState
from pm_admin.tickets.states.settings import TicketSettingsState
from pm_admin.ui.i18n import t
from pm_admin.users.pages.users import users_page
from pm_admin.users.states.users import UsersState
from pm_admin.visits.pages.plans import plans_page as visit_plans_page
from pm_admin.visits.pages.report import report_page as visit_report_page
from pm_admin.visits.pages.visits import visits_page
from pm_admin.visits.states.plans import VisitPlansState
from pm_admin.visits.states.report import VisitReportState
from pm_admin.visits.states.visits import VisitsState


def page_title(key: str) -> rx.Var:
    """The browser tab's title, in the reader's language (it follows the language switch)."""
    return t(key) + " · " + t("app.name")


def framed(content: Callable[[], rx.Component], title_key: str) -> Callable[[], rx.Component]:
    """A staff page: the shell's sidebar and header around the domain's content (domains never import the shell)."""
    @functools.wraps(content)
    def page() -> rx.Component:
        return frame(title_key, content(), search=search_palette(), bell=reminder_bell())
    return page


def printed(content: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
    """A print layout: the content alone on an A4 sheet, no sidebar or header, checked like a framed page."""
    @functools.wraps(content)
    def page() -> rx.Component:
        return print_frame(content())
    return page


def register_pages(app: rx.App) -> None:
    app.add_page(login_page, route="/login", title=page_title("login.submit"), on_load=LoginState.prepare)
    # Owners' pages: the token in the URL is the credential, no staff login.
    app.add_page(owner_survey_page, route="/s/[token]", title=t("nav.surveys"),
                 on_load=OwnerSurveyState.load)
    app.add_page(public_results_page, route="/s/results/[token]", title=t("nav.surveys"),
                 on_load=PublicResultsState.load)
    # The owner portal: its own sign-in and session; the portal frame is in the domain (no staff shell).
    app.add_page(portal_login_page, route="/portal/login", title=page_title("portal.sign_in"),
                 on_load=PortalLoginState.prepare)
    app.add_page(activation_page, route="/portal/activate/[token]", title=page_title("portal.activate_title"),
                 on_load=ActivationState.load)
    for content, route, title_key, load in (
            (portal_home_page, "/portal", "portal.nav.home", PortalHomeState.load),
            (portal_report_page, "/portal/report", "portal.nav.report", PortalReportState.load),
            (portal_feedback_page, "/portal/feedback", "portal.nav.feedback", PortalReportState.load),
            (portal_tickets_page, "/portal/tickets", "portal.nav.tickets", PortalTicketsState.load),
            (portal_notices_page, "/portal/notices", "portal.notices", PortalNoticesState.load),
            (portal_notice_page, "/portal/notices/[notice_id]", "portal.notices", PortalNoticeState.load),
            (portal_ticket_page, "/portal/tickets/[ticket_id]", "portal.ticket", PortalTicketState.load),
            (portal_surveys_page, "/portal/surveys", "portal.nav.surveys", PortalSurveysState.load),
            (portal_survey_page, "/portal/surveys/[plan_id]/[room_id]", "portal.survey", PortalSurveyState.load),
            (portal_results_page, "/portal/results/[plan_id]", "portal.survey_results", PortalResultsState.load),
            (portal_activities_page, "/portal/activities", "portal.nav.activities", PortalActivitiesState.load),
            (portal_suggestions_page, "/portal/suggestions", "portal.nav.suggestions", PortalSuggestionsState.load),
            (portal_faq_page, "/portal/faq", "portal.nav.faq", PortalFaqState.load),
            (portal_groups_page, "/portal/groups", "portal.nav.groups", PortalGroupsState.load),
            (portal_profile_page, "/portal/profile", "portal.nav.profile", PortalProfileState.load)):
        app.add_page(content, route=route, title=page_title(title_key), on_load=load)
    protected = [
        (home_page, "/", "nav.home", HomeState.load),
        (dashboard_page, "/dashboard", "nav.dashboard", DashboardState.load),
        (scorecards_page, "/scorecards", "nav.scorecards", ScorecardsState.load),
        (monthly_page, "/reports", "nav.reports", MonthlyReportState.load),
        (weekly_page, "/reports/callback-batch", "nav.callback_batch", CallbackBatchState.load),
        (owners_page, "/owners", "nav.owners", OwnersState.load),
        (import_page, "/owners/import", "import.title", OwnerImportState.load),
        (groups_page, "/groups", "nav.groups", GroupsState.load),
        (group_page, "/groups/[group_id]", "nav.groups", GroupState.load),
        (owner_accounts_page, "/owner-accounts", "nav.owner_accounts", OwnerAccountsState.load),
        (contact_requests_page, "/owner-requests", "nav.contact_requests", ContactRequestsState.load),
        (delivery_log_page, "/messages", "nav.messages", DeliveryLogState.load),
        (notices_page, "/notices", "nav.notices", NoticesState.load),
        (notice_detail_page, "/notices/[notice_id]", "nav.notices", NoticeDetailState.load),
        (owner_detail_page, "/owners/[owner_id]", "owners.detail", OwnerDetailState.load),
        (catalog_page, "/archives", "nav.archives", ArchivesState.load),
        (requests_page, "/archives/requests", "nav.archive_requests", AccessRequestsState.load),
        (archive_page, "/archives/[archive_id]", "archives.detail", ArchiveDetailState.load),
        (board_page, "/tickets/board", "nav.ticket_board", TicketBoardState.load),
        (list_page, "/tickets", "nav.tickets", TicketListState.load),
        (queue_page, "/tickets/callbacks", "nav.callbacks", CallbackQueueState.load),
        (review_page, "/tickets/review", "nav.review", DailyReviewState.load),
        (settings_page, "/admin/tickets", "nav.ticket_settings", TicketSettingsState.load),
        (api_tokens_page, "/admin/api-tokens", "nav.api_tokens", ApiTokensState.load),
        (ticket_page, "/tickets/[ticket_id]", "nav.ticket", TicketDetailState.load),
        (orders_page, "/my-orders", "nav.my_orders", MyOrdersState.load),
        (my_inspections_page, "/my-inspections", "nav.my_inspections", MyInspectionsState.load),
        (inspections_page, "/inspections", "nav.inspections", InspectionsState.load),
        (inspection_setup_page, "/inspections/setup", "nav.inspection_setup", InspectionSetupState.load),
        (task_page, "/inspections/tasks/[task_id]", "inspections.task_heading", InspectionTaskState.load),
        (rectifications_page, "/rectifications", "nav.rectifications", RectificationsState.load),
        (rectification_page, "/rectifications/[rectification_id]", "nav.rectifications", RectificationState.load),
        (arrears_page, "/arrears", "nav.arrears", ArrearsState.load),
        (census_page, "/census", "nav.census", CensusState.load),
        (plans_page, "/surveys", "nav.surveys", SurveyPlansState.load),
        (plan_page, "/surveys/[plan_id]", "nav.surveys", SurveyPlanState.load),
        (meetings_page, "/meetings", "nav.meetings", MeetingsState.load),
        (committee_page, "/meetings/committee", "nav.committee", CommitteeState.load),
        (meeting_page, "/meetings/[meeting_id]", "nav.meetings", MeetingState.load),
        (activities_page, "/activities", "nav.activities", ActivitiesState.load),
        (activity_page, "/activities/[activity_id]", "nav.activities", ActivityState.load),
        (check_in_page, "/activities/[activity_id]/check-in", "activities.check_in_view", ActivityState.load),
        (suggestions_page, "/suggestions", "nav.suggestions", SuggestionsState.load),
        (suggestion_page, "/suggestions/[suggestion_id]", "nav.suggestions", SuggestionState.load),
        (faq_page, "/faq", "nav.faq", FaqState.load),
        (visits_page, "/visits", "nav.visits", VisitsState.load),
        (visit_plans_page, "/visits/plans", "nav.visit_plans", VisitPlansState.load),
        (visit_report_page, "/visits/report", "nav.visit_report", VisitReportState.load),
        (communities_page, "/places/communities", "nav.communities", CommunitiesState.load),
        (buildings_page, "/places/buildings", "nav.buildings", BuildingsState.load),
        (rooms_page, "/places/rooms", "nav.rooms", RoomsState.load),
        (users_page, "/admin/users", "nav.users", UsersState.load),
        (audit_page, "/audit", "nav.audit", AuditState.load),
        (password_page, "/account/password", "nav.password", None),
    ]
    for content, route, title_key, load in protected:
        # The shell checks the page's permission and then sends the page's load and the bell's (shell.access): a
        # page the role may not use shows 无权限 and never sends a load the server would refuse.
        access.register(route, title_key, load, after=(BellState.load,))
        app.add_page(framed(content, title_key), route=route, title=page_title(title_key), on_load=ShellState.load)
    # Print layouts (A4) of a ticket, the daily review, the archive catalog and a rectification notice: the same permission and scope as
    # their pages, not in the menu (each page's 打印 button opens its layout).
    for content, route, title_key, load in (
            (ticket_print_page, "/print/tickets/[ticket_id]", "tickets.print_title", TicketPrintState.load),
            (review_print_page, "/print/tickets/review", "tickets.review_title", DailyReviewState.load),
            (catalog_print_page, "/print/archives", "archives.catalog_title", CatalogPrintState.load),
            (rectification_notice_page, "/rectifications/[rectification_id]/notice", "inspections.notice_heading",
             RectificationNoticeState.load)):
        access.register(route, title_key, load)
        app.add_page(printed(content), route=route, title=page_title(title_key), on_load=ShellState.load)
