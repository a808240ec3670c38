"""Integration tokens: only admins create them, shown once and hashed at rest, scopes map to permissions, the
communities bound them, revoking ends them; both steps audited."""

import pytest
from sqlmodel import select

from pm_admin.api import tokens
from pm_admin.api.models import ApiToken
from pm_admin.core.audit import AuditEvent
from pm_admin.core.errors import PermissionDenied, ValidationFailed
from pm_admin.core.permissions import ClientInfo, Perm
from tests.support import factories


@pytest.fixture
def admin(session):
    return factories.sign_in(session, factories.user(session, "admin", all_communities=True))


def test_a_token_is_shown_once_hashed_at_rest_and_holds_only_its_scopes(session, admin):
    community = factories.community(session)
    issued = tokens.create(session, actor=admin, name="呼叫中心", scopes=["tickets:create"],
                           community_ids=[community.id])
    row = session.get(ApiToken, issued.id)
    assert issued.token.startswith("pmi_") and issued.token not in str(row.model_dump())
    found = tokens.resolve(session, issued.token, ClientInfo(ip="10.1.1.1"))
    assert found.principal.permissions == {Perm.TICKETS_CREATE, Perm.TICKETS_VIEW}
    assert found.principal.community_ids == {community.id} and not found.principal.all_communities
    assert found.principal.username == "api:呼叫中心"
    tokens.revoke(session, actor=admin, token_id=issued.id)
    assert tokens.resolve(session, issued.token, ClientInfo()) is None
    actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity_type == "api_token")).all()
    assert sorted(actions) == ["api.token_created", "api.token_revoked"]


def test_only_admins_create_tokens_and_bad_scopes_are_refused(session, admin):
    community = factories.community(session)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    with pytest.raises(PermissionDenied):
        tokens.create(session, actor=manager, name="x", scopes=["kpis:read"], community_ids=[community.id])
    with pytest.raises(ValidationFailed) as refused:
        tokens.create(session, actor=admin, name="", scopes=["root"], community_ids=[])
    assert set(refused.value.fields) == {"name", "scopes", "community_ids"}
    assert tokens.resolve(session, "pmi_forged", ClientInfo()) is None
