"""The in-process caches: what a commit makes stale at once, what only age does, and what never counts."""

from __future__ import annotations

from datetime import timedelta

from pm_admin.auth import services, session_cache
from pm_admin.auth.models import LoginSession
from pm_admin.core import change_watch
from pm_admin.core.clock import utcnow
from pm_admin.core.permissions import SYSTEM, ClientInfo
from pm_admin.dashboards import view as dashboard_view
from pm_admin.places.models import Room
from pm_admin.users import services as accounts
from tests.support import factories

CLIENT = ClientInfo(ip="10.2.2.2", user_agent="pytest")


def signed_in(session, *roles, username="wu.cache"):
    account = factories.user(session, *roles, username=username)
    ticket = services.authenticate(session, username=username, password=factories.PASSWORD, client=CLIENT).ticket
    token = services.exchange_ticket(session, ticket=ticket).token
    session.commit()
    return account, token


def test_a_committed_change_bumps_its_topic_and_a_rolled_back_one_does_not(session):
    change_watch.watch("test_rooms", Room)
    before = change_watch.generation("test_rooms")
    community, building, unit, room = factories.place_tree(session)
    session.flush()
    assert change_watch.generation("test_rooms") == before  # flushed, not committed
    session.commit()
    assert change_watch.generation("test_rooms") == before + 1
    room.layout = "2室1厅"
    session.flush()
    session.rollback()
    assert change_watch.generation("test_rooms") == before + 1


def test_a_resolved_session_is_remembered_until_a_sign_out_is_committed(session):
    account, token = signed_in(session, "cs")
    assert services.remembered_session(token, CLIENT) is None  # never resolved yet
    principal = services.resolve_session(session, token=token, client=CLIENT)
    session.commit()
    remembered = services.remembered_session(token, ClientInfo(ip="10.2.2.3", user_agent="other"))
    assert remembered is not None and remembered.user_id == account.id and remembered.client.ip == "10.2.2.3"
    assert remembered.permissions == principal.permissions
    services.revoke_session(session, principal=principal)
    session.commit()
    assert services.remembered_session(token, CLIENT) is None
    assert services.resolve_session(session, token=token, client=CLIENT) is None


def test_a_role_change_is_seen_by_the_next_event_and_an_idle_touch_is_not_a_change(session):
    account, token = signed_in(session, "cs", username="zheng.cache")
    services.resolve_session(session, token=token, client=CLIENT)
    session.commit()
    login = session.get(LoginSession, services.resolve_session(session, token=token, client=CLIENT).session_id)
    login.last_seen_at = utcnow()  # the idle clock's touch: not who the session is
    session.commit()
    assert services.remembered_session(token, CLIENT) is not None
    accounts.update_user(session, actor=SYSTEM, user_id=account.id, expected_version=account.version,
                         display_name=account.display_name, roles=["cs", "steward"], community_ids=[],
                         all_communities=True, is_active=True)
    session.commit()
    assert services.remembered_session(token, CLIENT) is None
    assert "steward" in services.resolve_session(session, token=token, client=CLIENT).roles


def test_a_remembered_session_is_not_used_for_an_event_that_moves_the_idle_clock(session):
    _, token = signed_in(session, "cs", username="feng.cache")
    services.resolve_session(session, token=token, client=CLIENT)
    session.commit()
    later = utcnow() + services.TOUCH_INTERVAL + timedelta(seconds=1)
    assert services.remembered_session(token, CLIENT, now=utcnow()) is not None
    assert services.remembered_session(token, CLIENT, counts_as_activity=True, now=later) is None
    assert services.remembered_session(token, CLIENT, counts_as_activity=False, now=later) is None  # too old too
    assert services.remembered_session(token, CLIENT, counts_as_activity=False,
                                       now=utcnow() + session_cache.MAX_AGE / 2) is not None


def test_the_dashboard_view_is_built_once_and_again_after_a_committed_change_once_it_is_not_fresh(session):
    community, building, unit, room = factories.place_tree(session)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,),
                                                        username="chu.cache"))
    session.commit()
    first = dashboard_view.dashboard_view(session, manager, "this_month", None, "zh-CN")
    assert dashboard_view.dashboard_view(session, manager, "this_month", None, "zh-CN") is first
    assert dashboard_view.dashboard_view(session, manager, "this_month", None, "en") is not first
    assert "template" not in first.figures["volume"]["layout"] and first.figures["volume"]["data"] is not None
    room.layout = "3室2厅"
    session.commit()
    fresh = utcnow() + dashboard_view.FRESH_FOR / 2
    assert dashboard_view.dashboard_view(session, manager, "this_month", None, "zh-CN", now=fresh) is first
    stale = utcnow() + dashboard_view.FRESH_FOR + timedelta(seconds=1)
    rebuilt = dashboard_view.dashboard_view(session, manager, "this_month", None, "zh-CN", now=stale)
    assert rebuilt is not first
    assert dashboard_view.dashboard_view(session, manager, "this_month", None, "zh-CN", now=stale) is rebuilt
    too_old = stale + dashboard_view.MAX_AGE + timedelta(seconds=1)
    assert dashboard_view.dashboard_view(session, manager, "this_month", None, "zh-CN", now=too_old) is not rebuilt


def test_community_choices_are_remembered_but_a_transaction_sees_its_own_new_community(session):
    from pm_admin.places.queries import community_options

    first = factories.community(session)
    session.commit()
    everyone = factories.sign_in(session, factories.user(session, "admin", all_communities=True,
                                                         username="he.cache"))
    assert first.id in [c for c, _ in community_options(session, everyone)]
    second = factories.community(session)
    session.flush()  # not committed: the cached list must not answer this transaction
    assert second.id in [c for c, _ in community_options(session, everyone)]
    session.commit()
    assert second.id in [c for c, _ in community_options(session, everyone)]
