"""The audit log is append-only and scoped."""

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from pm_admin.audit.models import AuditEvent
from pm_admin.audit.queries import AuditFilter, list_events
from pm_admin.audit.services import diff, record
from pm_admin.core.errors import PermissionDenied
from pm_admin.core.paging import PageRequest
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


def test_manager_sees_own_community_events_admin_sees_all(session):
    mine, theirs = factories.community(session), factories.community(session)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(mine,)))
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    record(session, action="probe.mine", community_id=mine.id, actor_name="x")
    record(session, action="probe.theirs", community_id=theirs.id, actor_name="x")
    session.flush()
    seen = {row.action for row in list_events(session, manager, PageRequest(page_size=200), AuditFilter(action="probe")).rows}
    assert seen == {"probe.mine"}
    seen = {row.action for row in list_events(session, admin, PageRequest(page_size=200), AuditFilter(action="probe")).rows}
    assert seen == {"probe.mine", "probe.theirs"}


def test_audit_page_needs_permission(session):
    cs = factories.sign_in(session, factories.user(session, "cs"))
    with pytest.raises(PermissionDenied):
        list_events(session, cs, PageRequest(), AuditFilter())


def test_changes_read_as_field_old_new_lines():
    from pm_admin.audit.queries import describe_changes

    assert describe_changes({"area": ["88.50", "95.00"], "roles": [None, ["cs"]], "rooms": 12}) == \
        'area: 88.50 → 95.00\nroles: ∅ → ["cs"]\nrooms: 12'
