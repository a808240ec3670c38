"""The guard's rules, and the structural promise that no app handler escapes them."""

import dataclasses

import pytest
from reflex.state import State

import pm_admin.pages  # noqa: F401 - loads every page state
from pm_admin.core.base_state import AppState, PortalState, ProtectedState
from pm_admin.core.guard import Guard, guard_of, judge, request_cookies
from pm_admin.core.permissions import OwnerPrincipal, PortalPerm, Principal


def app_states() -> list[type]:
    found, stack = [], [State]
    while stack:
        cls = stack.pop()
        if cls.__module__.startswith("pm_admin."):
            found.append(cls)
        stack.extend(cls.get_substates())
    return found


def principal(*permissions: str, must_change: bool = False) -> Principal:
    return Principal(user_id=1, username="u", display_name="U", roles=frozenset({"cs"}),
                     permissions=frozenset(permissions), all_communities=False, community_ids=frozenset({1}),
                     session_id=1, must_change_password=must_change)


def test_app_states_are_found():
    names = {cls.__name__ for cls in app_states()}
    assert {"AppState", "ProtectedState", "ShellState", "RoomsState", "UsersState", "LoginState"} <= names


def test_every_handler_of_an_app_state_is_declared_except_setvar():
    undeclared = []
    for cls in app_states():
        for name, handler in cls.event_handlers.items():
            if name == "setvar":
                assert guard_of(handler) is None  # refused by the middleware
                continue
            if guard_of(handler) is None:
                undeclared.append(f"{cls.__name__}.{name}")
    assert undeclared == []


def test_only_login_language_and_owner_survey_handlers_are_public():
    public = {f"{cls.__name__}.{name}" for cls in app_states() for name, handler in cls.event_handlers.items()
              if (guard := guard_of(handler)) is not None and guard.public}
    # Owners answer surveys without a staff login: the one-time token in the URL is their credential.
    # Owners sign in and activate with their phone, password, code or invitation link.
    assert public == {"AppState.set_language", "LoginState.login", "LoginState.prepare", "OwnerSurveyState.load",
                      "OwnerSurveyState.submit", "PublicResultsState.load", "PortalLoginState.prepare",
                      "PortalLoginState.use_code", "PortalLoginState.remember_phone", "PortalLoginState.send_code",
                      "PortalLoginState.login", "ActivationState.load", "ActivationState.send_code",
                      "ActivationState.activate"}


def test_portal_states_hold_only_owner_handlers_and_staff_states_no_owner_handlers():
    for cls in app_states():
        for name, handler in cls.event_handlers.items():
            guard = guard_of(handler)
            if guard is None or guard.public:
                continue
            assert guard.owner == issubclass(cls, PortalState), f"{cls.__name__}.{name}"
        if issubclass(cls, PortalState):
            assert not cls.computed_vars or set(cls.computed_vars) <= set(AppState.computed_vars), cls.__name__


OWNER = OwnerPrincipal(account_id=1, display_name="王业主", person_kind="owner", owner_id=1, rooms=(), session_id=1)


def test_an_owner_session_never_passes_a_staff_guard_nor_a_staff_session_an_owner_guard():
    staff = principal("tickets.view", "tickets.create")
    assert judge(Guard("tickets.view"), True, None, owner=OWNER).reason == "not_signed_in"
    assert not judge(Guard(), True, None, owner=OWNER).allowed
    refused = judge(Guard(PortalPerm.TICKETS, owner=True), True, staff)
    assert (refused.allowed, refused.reason, refused.portal) == (False, "not_signed_in", True)
    assert judge(Guard(PortalPerm.TICKETS, owner=True), True, None, owner=OWNER).allowed
    limited = dataclasses.replace(OWNER, permissions=frozenset({PortalPerm.HOME}))
    assert judge(Guard(PortalPerm.TICKETS, owner=True), True, None, owner=limited).reason == "missing_permission"


def test_protected_states_have_only_guarded_computed_vars():
    for cls in app_states():
        if not issubclass(cls, ProtectedState):
            continue
        for name, var in cls.computed_vars.items():
            assert getattr(var._fget, "__pm_guard__", None) is not None, f"{cls.__name__}.{name}"


def test_public_state_holds_no_data_vars():
    # AppState is sent to anonymous clients: language only.
    assert set(AppState.base_vars) == {"lang"}


@pytest.mark.parametrize(
    ("guard", "user", "allowed", "reason"),
    [
        (None, principal("x"), False, "undeclared_handler"),
        (Guard(public=True), None, True, ""),
        (Guard(), None, False, "not_signed_in"),
        (Guard(), principal(), True, ""),
        (Guard("users.manage"), principal("places.view"), False, "missing_permission"),
        (Guard("users.manage"), principal("users.manage"), True, ""),
        (Guard("places.view"), principal("places.view", must_change=True), False, "password_change_required"),
        (Guard(before_password_change=True), principal(must_change=True), True, ""),
    ],
)
def test_judge(guard, user, allowed, reason):
    verdict = judge(guard, True, user)
    assert (verdict.allowed, verdict.reason) == (allowed, reason)


def test_only_the_framework_events_a_browser_sends_pass_without_a_declaration():
    for name in ("hydrate_and_load", "on_load_internal", "update_vars_internal"):
        assert judge(None, False, None, name).allowed
    # Reflex's setvar on its own states, and names no state has, are refused (no traceback in the log).
    assert judge(None, False, principal(), "setvar").reason == "undeclared_handler"
    assert judge(None, False, principal(), "no_such_handler", handler_exists=False).reason == "unknown_handler"
    # A page's error report writes to the server log: signed-in users only.
    assert not judge(None, False, None, "handle_frontend_exception").allowed
    assert judge(None, False, principal(), "handle_frontend_exception").allowed


def test_handler_arguments_are_checked_before_the_handler_runs():
    from pm_admin.core.event_args import payload_problem
    from pm_admin.owners.states.owners import OwnersState
    from pm_admin.places.states.places import BuildingForm

    open_edit = BuildingForm.event_handlers["open_edit"].fn
    assert payload_problem(open_edit, {"building_id": 12}) is None
    assert payload_problem(open_edit, {"building_id": "12"}) is None
    assert payload_problem(open_edit, {"building_id": "9" * 40}) == "bad_number"
    assert payload_problem(open_edit, {"building_id": 10**30}) == "bad_number"
    assert payload_problem(open_edit, {"building_id": True}) == "bad_number"
    assert payload_problem(open_edit, {"nope": 1}) == "unknown_argument"
    set_filter = OwnersState.event_handlers["set_filter"].fn
    assert payload_problem(set_filter, {"key": "q", "value": "x" * 20_001}) == "text_too_long"
    assert payload_problem(set_filter, {"key": "q", "value": {"a": {"b": {"c": {"d": {"e": 1}}}}}}) == "bad_form"
    assert payload_problem(set_filter, ["q"]) == "bad_payload"


def test_session_cookie_is_read_from_the_connection_headers():
    router_data = {"headers": {"cookie": "a=1; pm_session=tok-123; pm_lang=en"}}
    assert request_cookies(router_data)["pm_session"] == "tok-123"
    assert "pm_session" not in request_cookies({"headers": {"cookie": "garbage;;=="}})
    assert request_cookies({}) == {}


def test_the_timer_driven_handlers_are_marked_as_polls():
    from pm_admin.shell.state import ShellState
    from pm_admin.tickets.states.board import TicketBoardState

    assert guard_of(ShellState.event_handlers["poll_notices"]).poll
    assert guard_of(TicketBoardState.event_handlers["poll"]).poll
    # A user's click is activity.
    assert not guard_of(ShellState.event_handlers["open_notice"]).poll


def test_refusals_of_one_caller_are_audited_up_to_a_budget_then_summarised():
    from datetime import UTC, datetime, timedelta

    from pm_admin.core.refusals import RefusalBudget

    budget, start = RefusalBudget(limit=3, window=timedelta(minutes=10)), datetime(2026, 12, 1, tzinfo=UTC)
    taken = [budget.take("ip:10.0.0.9", start) for _ in range(6)]
    assert [t.record for t in taken] == [True, True, True, False, False, False]
    assert [t.crossed for t in taken] == [False, False, False, True, False, False]  # one "over budget" row
    assert budget.take("user:7", start).record  # another caller has its own budget
    next_window = budget.take("ip:10.0.0.9", start + timedelta(minutes=10))
    assert next_window.record and next_window.unrecorded_before == 3  # the summary of what went unrecorded


def test_kit_handlers_ask_for_the_permission_their_state_declares():
    """Paging and filter handlers come from the kit's mixins with ``@requires(PAGE)``: each state using them
    names its page's permission, or the guard would refuse them all."""
    from pm_admin.core.guard import PAGE, page_guard

    missing = []
    for cls in app_states():
        for name, handler in cls.event_handlers.items():
            guard = guard_of(handler)
            if guard is not None and guard.permission == PAGE:
                resolved = page_guard(guard, cls)
                if resolved.permission in (None, PAGE):
                    missing.append(f"{cls.__name__}.{name}")
    assert missing == []
    assert judge(Guard(permission=PAGE), True, principal("places.view")).reason == "undeclared_handler"
