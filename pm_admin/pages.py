"""Every route of the app, with the on_load events that fetch its data; staff pages get the shell's frame here."""

from __future__ import annotations

import functools
from collections.abc import Callable

import reflex as rx

from pm_admin.archives.pages import archive_page, catalog_page, requests_page
from pm_admin.archives.requests_state import AccessRequestsState
from pm_admin.archives.state import ArchiveDetailState, ArchivesState
from pm_admin.arrears.pages import arrears_page
from pm_admin.arrears.state import ArrearsState
from pm_admin.audit.pages.audit import audit_page
from pm_admin.audit.state import AuditState
from pm_admin.auth.pages.login import login_page
from pm_admin.auth.state import LoginState
from pm_admin.census.pages import census_page
from pm_admin.census.state import CensusState
from pm_admin.dashboards.pages import dashboard_page
from pm_admin.dashboards.state import DashboardState
from pm_admin.home.pages.home import home_page
from pm_admin.home.state import HomeState
from pm_admin.owners.detail_state import OwnerDetailState
from pm_admin.owners.import_state import OwnerImportState
from pm_admin.owners.pages.detail import owner_detail_page
from pm_admin.owners.pages.importing import import_page
from pm_admin.owners.pages.owners import owners_page
from pm_admin.owners.state import OwnersState
from pm_admin.places.pages.places import buildings_page, communities_page, rooms_page
from pm_admin.places.state import BuildingsState, CommunitiesState, RoomsState
from pm_admin.shell.layout import frame
from pm_admin.shell.password_page import password_page
from pm_admin.shell.state import ShellState
from pm_admin.surveys.owner_state import OwnerSurveyState, PublicResultsState
from pm_admin.surveys.pages.owner import owner_survey_page, public_results_page
from pm_admin.surveys.pages.plan import plan_page
from pm_admin.surveys.pages.plans import plans_page
from pm_admin.surveys.plan_state import SurveyPlanState
from pm_admin.surveys.plans_state import SurveyPlansState
from pm_admin.tickets.board_state import TicketBoardState
from pm_admin.tickets.detail_state import TicketDetailState
from pm_admin.tickets.list_state import TicketListState
from pm_admin.tickets.orders_state import MyOrdersState
from pm_admin.tickets.pages.board import board_page
from pm_admin.tickets.pages.detail import ticket_page
from pm_admin.tickets.pages.listing import list_page
from pm_admin.tickets.pages.orders import orders_page
from pm_admin.tickets.pages.queue import queue_page
from pm_admin.tickets.pages.review import review_page
from pm_admin.tickets.pages.settings import settings_page
from pm_admin.tickets.queue_state import CallbackQueueState
from pm_admin.tickets.review_state import DailyReviewState
from pm_admin.tickets.settings_state import TicketSettingsState
from pm_admin.ui.i18n import t
from pm_admin.users.pages import users_page
from pm_admin.users.state import UsersState


def page_title(key: str) -> rx.Var:
    """The browser tab's title, in the reader's language (it follows the language switch)."""
    return t(key) + " · " + t("app.name")


def framed(content: Callable[[], rx.Component], title_key: str) -> Callable[[], rx.Component]:
    """A staff page: the shell's sidebar and header around the domain's content (domains never import the shell)."""
    @functools.wraps(content)
    def page() -> rx.Component:
        return frame(title_key, content())
    return page


def register_pages(app: rx.App) -> None:
    app.add_page(login_page, route="/login", title=page_title("login.submit"), on_load=LoginState.prepare)
    # Owners' pages: the token in the URL is the credential, no staff login.
    app.add_page(owner_survey_page, route="/s/[token]", title=t("nav.surveys"),
                 on_load=OwnerSurveyState.load)
    app.add_page(public_results_page, route="/s/results/[token]", title=t("nav.surveys"),
                 on_load=PublicResultsState.load)
    protected = [
        (home_page, "/", "nav.home", HomeState.load),
        (dashboard_page, "/dashboard", "nav.dashboard", DashboardState.load),
        (owners_page, "/owners", "nav.owners", OwnersState.load),
        (import_page, "/owners/import", "import.title", OwnerImportState.load),
        (owner_detail_page, "/owners/[owner_id]", "owners.detail", OwnerDetailState.load),
        (catalog_page, "/archives", "nav.archives", ArchivesState.load),
        (requests_page, "/archives/requests", "nav.archive_requests", AccessRequestsState.load),
        (archive_page, "/archives/[archive_id]", "archives.detail", ArchiveDetailState.load),
        (board_page, "/tickets/board", "nav.ticket_board", TicketBoardState.load),
        (list_page, "/tickets", "nav.tickets", TicketListState.load),
        (queue_page, "/tickets/callbacks", "nav.callbacks", CallbackQueueState.load),
        (review_page, "/tickets/review", "nav.review", DailyReviewState.load),
        (settings_page, "/admin/tickets", "nav.ticket_settings", TicketSettingsState.load),
        (ticket_page, "/tickets/[ticket_id]", "nav.ticket", TicketDetailState.load),
        (orders_page, "/my-orders", "nav.my_orders", MyOrdersState.load),
        (arrears_page, "/arrears", "nav.arrears", ArrearsState.load),
        (census_page, "/census", "nav.census", CensusState.load),
        (plans_page, "/surveys", "nav.surveys", SurveyPlansState.load),
        (plan_page, "/surveys/[plan_id]", "nav.surveys", SurveyPlanState.load),
        (communities_page, "/places/communities", "nav.communities", CommunitiesState.load),
        (buildings_page, "/places/buildings", "nav.buildings", BuildingsState.load),
        (rooms_page, "/places/rooms", "nav.rooms", RoomsState.load),
        (users_page, "/admin/users", "nav.users", UsersState.load),
        (audit_page, "/audit", "nav.audit", AuditState.load),
        (password_page, "/account/password", "nav.password", None),
    ]
    for content, route, title_key, load in protected:
        on_load = [ShellState.load] + ([load] if load is not None else [])
        app.add_page(framed(content, title_key), route=route, title=page_title(title_key), on_load=on_load)
