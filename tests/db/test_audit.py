"""The audit log is append-only and scoped."""

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from pm_admin.audit.queries import AuditFilter, count_recent, list_events
from pm_admin.auth.services import authenticate
from pm_admin.auth.throttle import ACCOUNT
from pm_admin.core.audit import AuditEvent, diff, record
from pm_admin.core.clock import utcnow
from pm_admin.core.errors import PermissionDenied
from pm_admin.core.paging import PageRequest
from pm_admin.core.permissions import ClientInfo
from tests.support import factories

SOURCE = Path(__file__).resolve().parents[2] / "pm_admin"


def test_database_refuses_update_and_delete_of_audit_rows(engine):
    with Session(engine) as session:
        record(session, action="test.append_only", actor_name="pytest")
        session.commit()
    for statement in ("UPDATE audit_event SET action = 'tampered'", "DELETE FROM audit_event"):
        with Session(engine) as session, pytest.raises(sa.exc.DBAPIError) as error:
            session.execute(sa.text(statement))
            session.commit()
        assert "append-only" in str(error.value)
    with Session(engine) as session:
        assert session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "tampered")) == 0


def test_no_code_path_updates_or_deletes_audit_events():
    offending = []
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"\b(?:delete|update)\(\s*AuditEvent\b", text) or re.search(
                r"(?i)(?:update|delete\s+from)\s+audit_event", text):
            offending.append(path.name)
    assert offending == []


def test_diff_keeps_only_changed_fields_and_redacts_secrets():
    assert diff({"a": 1, "b": "x", "password_hash": "h1"}, {"a": 1, "b": "y", "password_hash": "h2"}) == {
        "b": ["x", "y"], "password_hash": ["***", "***"]}
    assert diff(None, {"roles": {"cs", "admin"}}) == {"roles": [None, ["admin", "cs"]]}


def events(session, principal, filters: AuditFilter, language: str = "zh-CN"):
    return list_events(session, principal, PageRequest(page_size=200), filters, language).rows


def actions(session, principal, filters: AuditFilter) -> set[str]:
    return {row.action for row in events(session, principal, filters)}


def test_manager_sees_own_community_events_admin_sees_all(session):
    mine, theirs = factories.community(session), factories.community(session)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(mine,)))
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    record(session, action="probe.mine", entity_type="probe", community_id=mine.id, actor_name="x")
    record(session, action="probe.theirs", entity_type="probe", community_id=theirs.id, actor_name="x")
    session.flush()
    assert actions(session, manager, AuditFilter(entity_type="probe")) == {"probe.mine"}
    assert actions(session, admin, AuditFilter(entity_type="probe")) == {"probe.mine", "probe.theirs"}


def test_audit_page_needs_permission(session):
    cs = factories.sign_in(session, factories.user(session, "cs"))
    with pytest.raises(PermissionDenied):
        list_events(session, cs, PageRequest(), AuditFilter())


def test_changes_read_as_field_old_new_lines_in_the_readers_language():
    from pm_admin.audit.queries import describe_changes

    changes = {"area": ["88.50", "95.00"], "roles": [None, ["cs", "steward"]], "is_active": [True, False],
               "name": ["1栋", "一号楼"], "rooms": 12}
    assert describe_changes(changes, "zh-CN", "building") == \
        "面积 (㎡): 88.50 → 95.00\n角色: ∅ → 客服专员、管家\n启用: 是 → 否\n名称: 1栋 → 一号楼\nrooms: 12"
    assert describe_changes(changes, "en", "owner").splitlines()[1:4] == [
        "Roles: ∅ → Customer service, Steward", "Active: Yes → No", "Name: 1栋 → 一号楼"]
    names = {3: "翠湖花园", 5: "锦绣华府"}
    assert describe_changes({"community_ids": [[3], [3, 5]], "community_id": 5}, "zh-CN", "user", names) == \
        "负责小区: 翠湖花园 → 翠湖花园、锦绣华府\n小区: 锦绣华府"
    assert describe_changes({"community_ids": [3, 5]}, "en", "", names) == "Communities: 翠湖花园, 锦绣华府"


def failed_sign_ins(session, username: str, times: int, ip: str) -> None:
    for _ in range(times):
        assert not authenticate(session, username=username, password="wrong-password", client=ClientInfo(ip=ip)).ok


@pytest.fixture
def sign_in_trouble(session):
    """Failed sign-ins on a cs account of A (until throttled), one of B, and an unknown username."""
    a, b = factories.community(session), factories.community(session)
    staff_a = factories.user(session, "cs", communities=(a,))
    staff_b = factories.user(session, "cs", communities=(b,))
    failed_sign_ins(session, staff_a.username, ACCOUNT.free_failures + 1, "10.0.0.1")  # the last one is throttled
    failed_sign_ins(session, staff_b.username, 1, "10.0.0.2")
    failed_sign_ins(session, "no-such-user", 1, "10.0.0.3")
    record(session, action="probe.community", entity_type="probe", community_id=a.id, actor_name="x")
    session.flush()
    return {"a": a, "b": b, "staff_a": staff_a.username, "staff_b": staff_b.username}


def names(rows) -> set[tuple[str, str]]:
    return {(row.actor_name, row.action) for row in rows}


def test_a_manager_sees_the_sign_in_trouble_of_staff_of_their_communities(session, sign_in_trouble):
    t = sign_in_trouble
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(t["a"],)))
    seen = names(events(session, manager, AuditFilter(entity_type="")))
    # Failed and throttled attempts on A's account; nothing of B's staff or of unknown usernames.
    assert (t["staff_a"], "auth.login_failed") in seen and (t["staff_a"], "auth.login_throttled") in seen
    assert not {name for name, _ in seen} & {t["staff_b"], "no-such-user"}
    since = utcnow() - timedelta(hours=24)
    assert count_recent(session, manager, action="auth.login_failed", since=since) == ACCOUNT.free_failures


def test_an_admin_sees_every_sign_in_whatever_community_is_picked(session, sign_in_trouble):
    t = sign_in_trouble
    admin_user = factories.user(session, "admin", all_communities=True)
    picked_b = factories.sign_in(session, admin_user, current_community_id=t["b"].id)
    seen = names(events(session, picked_b, AuditFilter(action="auth.login_failed")))
    assert {t["staff_a"], t["staff_b"], "no-such-user"} <= {name for name, _ in seen}
    since = utcnow() - timedelta(hours=24)
    assert count_recent(session, picked_b, action="auth.login_failed", since=since) >= ACCOUNT.free_failures + 2
    assert actions(session, picked_b, AuditFilter(entity_type="probe")) == set()  # A's events stay out of B's view
    # The page's community filter narrows to A: its events and its staff's sign-ins, not B's or strangers'.
    admin = factories.sign_in(session, admin_user)
    in_a = events(session, admin, AuditFilter(community_id=t["a"].id))
    assert {"probe.community", "auth.login_failed", "auth.login_throttled"} <= {row.action for row in in_a}
    assert {row.actor_name for row in in_a if row.action.startswith("auth.")} == {t["staff_a"]}


def test_the_community_filter_cannot_reach_outside_the_scope(session, sign_in_trouble):
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(sign_in_trouble["a"],)))
    assert events(session, manager, AuditFilter(community_id=sign_in_trouble["b"].id)) == []


def test_day_filters_are_company_local_days(session):
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    # 17:30 UTC on the 24th is 01:30 on the 25th in Shanghai, and shows as such.
    event = record(session, action="probe.night", entity_type="probe", actor_name="x")
    event.occurred_at = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)
    session.flush()
    def on(day: date) -> set[str]:
        return actions(session, admin, AuditFilter(entity_type="probe", since=day, until=day))
    assert on(date(2026, 11, 25)) == {"probe.night"}
    assert on(date(2026, 11, 24)) == set()
    [row] = events(session, admin, AuditFilter(entity_type="probe"))
    assert row.occurred_at == "2026-11-25 01:30:00"


def test_action_filter_takes_a_code_and_its_detailed_forms_and_rows_are_labelled(session):
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    for action in ("guard.refused:load", "guard.refused_in_handler", "owner.update"):
        record(session, action=action, entity_type="owner", entity_id="probe-7", actor_name="x")
    session.flush()
    probe = AuditFilter(entity_id="probe-7")
    assert actions(session, admin, AuditFilter(action="guard.refused", entity_id="probe-7")) == {"guard.refused:load"}
    labels = {(row.action_label, row.entity_label) for row in events(session, admin, probe, "en")}
    assert labels == {("Request refused · load", "Owner"), ("Action refused", "Owner"), ("Owner changed", "Owner")}
    assert {row.action_label for row in events(session, admin, probe)} == {"请求被拒绝 · load", "操作被拒绝", "修改业主信息"}
