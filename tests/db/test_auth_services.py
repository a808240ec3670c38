"""Accounts, login, throttling and sessions against a real database (SQLite and PostgreSQL)."""

from datetime import timedelta

import pytest
from sqlmodel import select

from pm_admin.auth import services
from pm_admin.auth.models import LoginSession, LoginThrottle, User
from pm_admin.auth.throttle import ACCOUNT, issue_device_token
from pm_admin.auth.throttle import CLIENT as CLIENT_BUCKET
from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import PermissionDenied, ValidationFailed
from pm_admin.core.permissions import SYSTEM, ClientInfo
from pm_admin.settings import get_settings
from pm_admin.users import services as accounts
from tests.support import factories

CLIENT = ClientInfo(ip="10.1.1.1", user_agent="pytest")
LONG_CHINESE = "物业管理后台安全密码测试" * 5 + "长度足够"


def audit_actions(session) -> list[str]:
    return list(session.exec(select(AuditEvent.action).order_by(AuditEvent.id)).all())


def login(session, username, password, client=CLIENT, device_token=None, now=None):
    return services.authenticate(session, username=username, password=password, client=client,
                                 device_token=device_token, now=now)


def test_a_64_character_chinese_password_registers_and_logs_in(session):
    accounts.create_user(session, actor=SYSTEM, username="zhang.san", display_name="张三", password=LONG_CHINESE,
                         roles=["cs"], community_ids=[factories.community(session).id])
    assert login(session, "zhang.san", LONG_CHINESE).ok
    assert not login(session, "zhang.san", LONG_CHINESE[:-1] + "错").ok


def test_create_user_validates_fields_and_audits(session):
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    with pytest.raises(ValidationFailed) as error:
        accounts.create_user(session, actor=admin, username="X!", display_name=" ", password="short", roles=[])
    assert set(error.value.fields) == {"username", "display_name", "password", "roles", "community_ids"}
    community = factories.community(session)
    created = accounts.create_user(session, actor=admin, username=" Li.Si ", display_name="李四",
                                   password="Good-Pass-1", roles=["cs"], community_ids=[community.id])
    assert created.username == "li.si" and created.must_change_password
    # bcrypt at the configured cost: 12 outside tests (tests/unit/test_passwords.py), 4 in this suite.
    assert created.password_hash.startswith(f"$2b${get_settings().bcrypt_rounds:02d}$")
    with pytest.raises(ValidationFailed) as error:
        accounts.create_user(session, actor=admin, username="li.si", display_name="李四", password="Good-Pass-1",
                             roles=["cs"], community_ids=[community.id])
    assert error.value.fields["username"][0] == "users.username_taken"
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.create")).all()[-1]
    assert event.actor_user_id == admin.user_id
    assert event.changes["roles"] == [None, ["cs"]]
    assert "password_hash" not in event.changes


def test_only_user_managers_create_users(session):
    cs = factories.sign_in(session, factories.user(session, "cs"))
    with pytest.raises(PermissionDenied):
        accounts.create_user(session, actor=cs, username="sneaky", display_name="x", password="Good-Pass-1",
                             roles=["admin"])


def test_failed_logins_are_audited_and_do_not_reveal_which_part_was_wrong(session):
    factories.user(session, "cs", username="wang")
    unknown = login(session, "nobody", "whatever-1")
    wrong = login(session, "wang", "whatever-1")
    assert unknown.message_key == wrong.message_key == "auth.invalid_credentials"
    assert audit_actions(session)[-2:] == ["auth.login_failed", "auth.login_failed"]


def test_growing_delay_after_repeated_failures_for_an_account(session):
    factories.user(session, "cs", username="zhao")
    now = utcnow()
    for _ in range(ACCOUNT.free_failures):
        assert login(session, "zhao", "bad-password", now=now).message_key == "auth.invalid_credentials"
    blocked = login(session, "zhao", factories.PASSWORD, now=now)
    assert not blocked.ok and blocked.message_key == "auth.throttled" and blocked.wait_seconds == 1
    assert login(session, "zhao", "bad-password", now=now + timedelta(seconds=2)).message_key == "auth.invalid_credentials"
    assert login(session, "zhao", factories.PASSWORD, now=now + timedelta(seconds=2)).wait_seconds == 2
    # The delay always ends: the right password works once it has passed.
    assert login(session, "zhao", factories.PASSWORD, now=now + timedelta(seconds=5)).ok


def test_an_attacker_cannot_lock_out_the_owner_of_a_known_device(session):
    factories.user(session, "cs", username="chen")
    device = issue_device_token(get_settings().secret_key, "chen")
    now = utcnow()
    attacker = ClientInfo(ip="203.0.113.9")
    for minute in range(60):
        login(session, "chen", f"guess-{minute}", client=attacker, now=now + timedelta(minutes=minute))
    later = now + timedelta(minutes=60)
    # Without the device cookie the account bucket is full (bounded by its cap) ...
    assert login(session, "chen", factories.PASSWORD, client=ClientInfo(ip="10.9.9.9"), now=later).message_key \
        == "auth.throttled"
    # ... with it, the owner signs in at once from their usual browser.
    assert login(session, "chen", factories.PASSWORD, client=ClientInfo(ip="10.9.9.9"), device_token=device,
                 now=later).ok


OFFICE = ClientInfo(ip="198.51.100.7")


def fail_from(session, client, usernames, start):
    """Wrong passwords a minute apart (past each delay); returns the time of the last one."""
    for minute, username in enumerate(usernames):
        now = start + timedelta(minutes=minute)
        assert login(session, username, "bad-password", client=client, now=now).message_key \
            == "auth.invalid_credentials"
    return now


def test_a_known_device_is_not_held_up_by_its_address(session):
    factories.user(session, "cs", username="chen")
    device = issue_device_token(get_settings().secret_key, "chen")
    now = fail_from(session, OFFICE, [f"guess{n}" for n in range(CLIENT_BUCKET.free_failures + 2)], utcnow())
    assert login(session, "chen", factories.PASSWORD, client=OFFICE, now=now).message_key == "auth.throttled"
    assert login(session, "chen", factories.PASSWORD, client=OFFICE, device_token=device, now=now).ok


def test_a_success_forgives_only_that_accounts_failures_at_the_address(session):
    factories.user(session, "cs", username="alice")
    factories.user(session, "cs", username="carol")
    now = fail_from(session, OFFICE, ["alice"] * 4 + [f"x{n}" for n in range(8)], utcnow())  # 12: a 4 s wait
    assert login(session, "carol", factories.PASSWORD, client=OFFICE, now=now).message_key == "auth.throttled"
    later = now + timedelta(seconds=5)
    assert login(session, "alice", factories.PASSWORD, client=OFFICE, now=later).ok
    # Alice's four typos left the count (8 remain), so Carol's one typo costs her no wait.
    fail_from(session, OFFICE, ["carol"], later)
    assert login(session, "carol", factories.PASSWORD, client=OFFICE, now=later).ok


def test_a_sprayer_cannot_wash_its_address_by_signing_into_its_own_account(session):
    factories.user(session, "cs", username="mallory")
    factories.user(session, "cs", username="carol")
    now = fail_from(session, OFFICE, [f"victim{n}" for n in range(12)], utcnow())
    later = now + timedelta(seconds=5)
    assert login(session, "mallory", factories.PASSWORD, client=OFFICE, now=later).ok
    fail_from(session, OFFICE, ["victim12"], later)  # the 13th failure: 8 s
    blocked = login(session, "carol", factories.PASSWORD, client=OFFICE, now=later)
    assert blocked.message_key == "auth.throttled" and blocked.wait_seconds == 8


def hammer(session, username, times, now, **where):
    """Wrong passwords as fast as the throttle lets them in; returns the time of the last one."""
    for _ in range(times):
        result = login(session, username, "bad-password", now=now, **where)
        if result.message_key == "auth.throttled":
            now += timedelta(seconds=result.wait_seconds)
            result = login(session, username, "bad-password", now=now, **where)
        assert result.message_key == "auth.invalid_credentials"
    return now


def throttle_failures(session, key):
    return session.exec(select(LoginThrottle.failures).where(LoginThrottle.key == key)).first()


def test_an_admin_clears_an_accounts_sign_in_delays_and_only_those(session):
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    alice = factories.user(session, "cs", username="alice")
    factories.user(session, "cs", username="bob")
    device = issue_device_token(get_settings().secret_key, "alice")
    attacker = ClientInfo(ip="203.0.113.9")
    now = hammer(session, "alice", 4, utcnow(), client=OFFICE)
    now = hammer(session, "bob", 6, now, client=attacker)
    now = hammer(session, "alice", 6, now, client=attacker)
    now = hammer(session, "alice", 6, now, device_token=device)
    assert login(session, "alice", factories.PASSWORD, client=OFFICE, now=now).message_key == "auth.throttled"
    assert login(session, "alice", factories.PASSWORD, device_token=device, now=now).message_key == "auth.throttled"

    # Her account and device counters, and her share at the two addresses.
    assert accounts.unlock_login(session, actor=admin, user_id=alice.id) == 4
    assert login(session, "alice", factories.PASSWORD, client=OFFICE, now=now).ok
    assert login(session, "alice", factories.PASSWORD, device_token=device, now=now).ok
    assert throttle_failures(session, "ip:198.51.100.7") is None
    assert throttle_failures(session, "ip:203.0.113.9") == 6  # Bob's failures there stay
    assert throttle_failures(session, "acct:bob") == 6
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "user.unlock_login")).one()
    assert (event.actor_user_id, event.entity_id) == (admin.user_id, str(alice.id))


def test_only_user_managers_clear_sign_in_delays(session):
    cs = factories.sign_in(session, factories.user(session, "cs"))
    target = factories.user(session, "cs", username="target")
    with pytest.raises(PermissionDenied):
        accounts.unlock_login(session, actor=cs, user_id=target.id)


def test_disabled_accounts_cannot_log_in(session):
    account = factories.user(session, "cs", username="disabled.one")
    account.is_active = False
    session.add(account)
    assert login(session, "disabled.one", factories.PASSWORD).message_key == "auth.account_disabled"


def test_a_sign_in_records_the_time_without_making_the_account_an_edit_of_its_own(session):
    """Signing in must not bump the account's version: an admin's edit opened before, or a second sign-in of the
    same account at the same moment, would be refused as a concurrent change."""
    account = factories.user(session, "cs", username="qian")
    version = account.version
    assert login(session, "qian", factories.PASSWORD).ok and login(session, "qian", factories.PASSWORD).ok
    session.expire_all()
    stored = session.get(User, account.id)
    assert stored.version == version and stored.last_login_at is not None


def test_ticket_is_single_use_and_short_lived(session):
    factories.user(session, "cs", username="sun")
    ticket = login(session, "sun", factories.PASSWORD).ticket
    issued = services.exchange_ticket(session, ticket=ticket)
    assert issued is not None and issued.username == "sun"
    assert services.exchange_ticket(session, ticket=ticket) is None
    late = login(session, "sun", factories.PASSWORD).ticket
    assert services.exchange_ticket(session, ticket=late, now=utcnow() + timedelta(minutes=2)) is None


def start_session(session, username="zhou", roles=("manager",)):
    account = factories.user(session, *roles, username=username)
    ticket = login(session, username, factories.PASSWORD).ticket
    return account, services.exchange_ticket(session, ticket=ticket).token


def test_session_resolves_to_a_principal_with_permissions_from_data(session):
    account, token = start_session(session)
    principal = services.resolve_session(session, token=token, client=CLIENT)
    assert principal.user_id == account.id
    assert {"places.view", "places.manage", "audit.view"} <= principal.permissions
    assert "users.manage" not in principal.permissions
    assert services.resolve_session(session, token="forged", client=CLIENT) is None


def test_idle_timeout_is_30_minutes(session):
    _, token = start_session(session)
    now = utcnow()
    assert services.resolve_session(session, token=token, client=CLIENT, now=now + timedelta(minutes=29))
    # Activity moved the idle clock.
    assert services.resolve_session(session, token=token, client=CLIENT, now=now + timedelta(minutes=58))
    assert services.resolve_session(session, token=token, client=CLIENT, now=now + timedelta(minutes=89)) is None
    assert "auth.session_expired" in audit_actions(session)


def test_polls_do_not_keep_an_idle_session_alive(session):
    _, token = start_session(session)
    now = utcnow()
    for minute in range(1, 30):  # the notice bell and board poll every few seconds; once a minute is enough here
        assert services.resolve_session(session, token=token, client=CLIENT, now=now + timedelta(minutes=minute),
                                        counts_as_activity=False)
    assert services.resolve_session(session, token=token, client=CLIENT, now=now + timedelta(minutes=31),
                                    counts_as_activity=False) is None
    expired = session.exec(select(LoginSession).where(LoginSession.revoke_reason == "idle_timeout")).one()
    assert expired.last_seen_at < now + timedelta(minutes=1)


def test_a_real_event_between_polls_moves_the_idle_clock(session):
    _, token = start_session(session)
    now = utcnow()
    assert services.resolve_session(session, token=token, client=CLIENT, now=now + timedelta(minutes=20))
    for minute in range(21, 50):
        assert services.resolve_session(session, token=token, client=CLIENT, now=now + timedelta(minutes=minute),
                                        counts_as_activity=False)
    assert services.resolve_session(session, token=token, client=CLIENT, now=now + timedelta(minutes=51),
                                    counts_as_activity=False) is None


def test_absolute_timeout_is_12_hours_even_when_active(session):
    _, token = start_session(session)
    now = utcnow()
    for step in range(1, 36):  # active every 20 minutes for 11 h 40 min
        assert services.resolve_session(session, token=token, client=CLIENT, now=now + timedelta(minutes=20 * step))
    assert services.resolve_session(session, token=token, client=CLIENT,
                                    now=now + timedelta(hours=12, minutes=5)) is None


def test_logout_invalidates_the_server_side_session(session):
    _, token = start_session(session)
    principal = services.resolve_session(session, token=token, client=CLIENT)
    services.revoke_session(session, principal=principal)
    assert services.resolve_session(session, token=token, client=CLIENT) is None


def test_password_change_keeps_this_session_and_ends_the_others(session):
    account, token = start_session(session)
    other = services.exchange_ticket(session, ticket=login(session, account.username, factories.PASSWORD).ticket).token
    principal = services.resolve_session(session, token=token, client=CLIENT)
    refusal = services.change_password(session, principal=principal, current_password="wrong", new_password="短")
    assert set(refusal.fields) == {"current_password", "new_password"}
    assert services.change_password(session, principal=principal, current_password=factories.PASSWORD,
                                    new_password=LONG_CHINESE) is None
    assert services.resolve_session(session, token=token, client=CLIENT) is not None
    assert services.resolve_session(session, token=other, client=CLIENT) is None
    assert login(session, account.username, LONG_CHINESE).ok


def test_guessing_the_current_password_is_throttled_and_audited_like_a_login(session):
    account, token = start_session(session)
    principal = services.resolve_session(session, token=token, client=CLIENT)
    now = utcnow()
    for attempt in range(ACCOUNT.free_failures):
        refusal = services.change_password(session, principal=principal, current_password=f"guess-{attempt}",
                                           new_password="New-Pass-2026", now=now)
        assert refusal.fields["current_password"][0] == "auth.current_password_wrong"
    # Even the right password waits now, and so does a sign-in to the account from a new browser.
    blocked = services.change_password(session, principal=principal, current_password=factories.PASSWORD,
                                       new_password="New-Pass-2026", now=now)
    assert blocked.fields["current_password"] == ("auth.password_check_throttled", {"seconds": 1})
    assert login(session, account.username, factories.PASSWORD, now=now).message_key == "auth.throttled"
    events = session.exec(select(AuditEvent).where(AuditEvent.actor_user_id == account.id)
                          .where(AuditEvent.action.startswith("auth.password_check")).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["auth.password_check_failed"] * 5 + ["auth.password_check_throttled"]
    assert {e.outcome for e in events} == {"failed", "denied"}
    later = now + timedelta(seconds=2)
    assert services.change_password(session, principal=principal, current_password=factories.PASSWORD,
                                    new_password="New-Pass-2026", now=later) is None
    assert login(session, account.username, "New-Pass-2026", now=later).ok


def test_disabling_a_user_ends_their_sessions(session):
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    account, token = start_session(session, username="to.disable", roles=("cs",))
    accounts.update_user(session, actor=admin, user_id=account.id, expected_version=account.version,
                         display_name="x", roles=["cs"], community_ids=[factories.community(session).id],
                         all_communities=False, is_active=False)
    assert services.resolve_session(session, token=token, client=CLIENT) is None
    assert session.exec(select(LoginSession.revoke_reason).where(LoginSession.user_id == account.id)).all() \
        == ["disabled"]


def test_admin_cannot_remove_own_admin_role(session):
    account = factories.user(session, "admin", all_communities=True)
    admin = factories.sign_in(session, account)
    with pytest.raises(ValidationFailed):
        accounts.update_user(session, actor=admin, user_id=account.id, expected_version=account.version,
                             display_name="x", roles=["cs"], community_ids=[], all_communities=True, is_active=True)


def test_switching_community_is_limited_to_scope(session):
    mine, theirs = factories.community(session), factories.community(session)
    principal = factories.sign_in(session, factories.user(session, "manager", communities=(mine,)))
    services.select_community(session, principal=principal, community_id=mine.id)
    with pytest.raises(PermissionDenied):
        services.select_community(session, principal=principal, community_id=theirs.id)
    assert session.get(LoginSession, principal.session_id).current_community_id == mine.id


def test_bootstrap_admin_is_created_once(session):
    first = accounts.ensure_admin(session, username="root.admin", password="Initial-Pass-1")
    assert first is not None and first.must_change_password
    assert accounts.ensure_admin(session, username="another", password="Initial-Pass-1") is None
    assert session.exec(select(User).where(User.username == "another")).first() is None


def test_the_users_page_for_one_community_lists_its_staff_and_the_company_wide_accounts(session):
    from pm_admin.core.paging import PageRequest
    from pm_admin.users.queries import list_users

    a, b = factories.community(session), factories.community(session)
    admin = factories.user(session, "admin", all_communities=True)
    factories.user(session, "executive", all_communities=True, username="exec_all")
    factories.user(session, "cs", communities=(a,), username="cs_of_a")
    factories.user(session, "cs", communities=(b,), username="cs_of_b")
    looking_at_a = factories.sign_in(session, admin, current_community_id=a.id)
    names = {row.username for row in list_users(session, looking_at_a, PageRequest(page_size=100)).rows}
    assert {"cs_of_a", "exec_all", admin.username} <= names
    assert "cs_of_b" not in names


def test_an_account_that_must_change_its_password_gets_no_files_over_http(session):
    from starlette.requests import Request

    from pm_admin.auth.http import principal_of
    from pm_admin.core.guard import SESSION_COOKIE

    account, token = start_session(session, username="fresh_admin", roles=("admin",))
    request = Request({"type": "http", "method": "GET", "path": "/files/download/x", "client": ("10.1.1.1", 1),
                       "headers": [(b"cookie", f"{SESSION_COOKIE}={token}".encode())]})
    assert principal_of(session, request).user_id == account.id
    account.must_change_password = True
    session.add(account)
    session.flush()
    assert principal_of(session, request) is None


def test_an_account_manager_of_one_community_hands_out_no_more_than_their_own_reach(session):
    import dataclasses

    a, b = factories.community(session), factories.community(session)
    signed_in = factories.sign_in(session, factories.user(session, "manager", communities=(a,)))
    # Permissions are data: a company may give a project manager the accounts page of their community.
    manager = dataclasses.replace(signed_in, permissions=signed_in.permissions | {"users.manage"})

    def create(username, **scope):
        return accounts.create_user(session, actor=manager, username=username, display_name="新同事",
                                    password="Temp-Pass-2026", **{"roles": ["cs"], **scope})

    for scope, field in (({"community_ids": [b.id]}, "community_ids"), ({"all_communities": True}, "community_ids"),
                         ({"community_ids": [a.id], "roles": ["admin"]}, "roles")):
        with pytest.raises(ValidationFailed) as refused:
            create("too_far", **scope)
        assert field in refused.value.fields
    colleague = create("cs_of_a", community_ids=[a.id])
    assert services.communities_of(session, colleague.id) == {a.id}
    outsider = factories.user(session, "cs", communities=(b,))
    with pytest.raises(PermissionDenied):
        accounts.update_user(session, actor=manager, user_id=outsider.id, expected_version=outsider.version,
                             display_name="改名", roles=["cs"], community_ids=[a.id], all_communities=False,
                             is_active=True)
    with pytest.raises(PermissionDenied):
        accounts.reset_password(session, actor=manager, user_id=outsider.id, new_password="Other-Pass-2026")


def test_a_technician_starts_on_their_orders_and_the_desk_on_the_home_page(session):
    community = factories.community(session)
    for username, role in (("li.shifu", "technician"), ("wang.kefu", "cs"), ("zhao.jingli", "manager")):
        accounts.create_user(session, actor=SYSTEM, username=username, display_name=username, password=LONG_CHINESE,
                             roles=[role], community_ids=[community.id])
    assert [login(session, name, LONG_CHINESE).landing for name in ("li.shifu", "wang.kefu", "zhao.jingli")] == [
        "/my-orders", "/", "/"]
