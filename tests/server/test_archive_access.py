"""Archive scans over HTTP: refused without a grant, after expiry, out of scope or by guessing; always logged."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlmodel import Session, select

from pm_admin.archives import services
from pm_admin.archives.models import AccessLog, AccessRequest, Archive, ArchiveEntry, ArchiveFile
from pm_admin.auth.models import LoginSession, User
from pm_admin.auth.services import principal_for
from pm_admin.core.clock import utcnow
from pm_admin.core.db import make_engine
from pm_admin.core.permissions import ClientInfo
from pm_admin.places.models import Community
from tests.server.test_crafted_events import run, sign_in
from tests.support import factories

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def db(live_server):
    engine = make_engine(live_server.database_url)
    yield engine
    engine.dispose()


def scanned(db, offset: int) -> tuple[int, int]:
    with Session(db) as session:
        return session.exec(
            select(Archive.id, ArchiveFile.id).join(ArchiveEntry, ArchiveEntry.archive_id == Archive.id)
            .join(ArchiveFile, ArchiveFile.entry_id == ArchiveEntry.id).where(Archive.archive_no.startswith("C01-"))
            .order_by(Archive.id, ArchiveFile.id).offset(offset)).first()


def log_rows(db, file_id: int) -> list[tuple[str, str, str]]:
    with Session(db) as session:
        return [(r.username, r.outcome, r.reason) for r in session.exec(
            select(AccessLog).where(AccessLog.file_id == file_id).order_by(AccessLog.id)).all()]


def get(base: str, file_id: int, cookie: str | None = None) -> httpx.Response:
    return httpx.get(f"{base}/archives/file/{file_id}", headers={"Cookie": cookie} if cookie else {})


def test_refusals_are_logged_and_only_an_approved_unexpired_grant_opens(live_server, db):
    base = live_server.base_url
    archive_id, file_id = scanned(db, 2)
    assert get(base, file_id).status_code == 401
    cs = run(sign_in(base, "demo.cs"))
    refused = get(base, file_id, cs)
    assert refused.status_code == 403 and "批准" in refused.text
    with Session(db) as session:  # demo.cs asks, demo.manager approves (as the pages would)
        cs_user = session.exec(select(User).where(User.username == "demo.cs")).one()
        manager_user = session.exec(select(User).where(User.username == "demo.manager")).one()
        login = LoginSession(user_id=manager_user.id, created_at=utcnow(), last_seen_at=utcnow())
        session.add(login)
        session.flush()
        manager = principal_for(session, login, manager_user, ClientInfo())
        request = AccessRequest(archive_id=archive_id, community_id=session.get(Archive, archive_id).community_id,
                                requester_id=cs_user.id, requester_name=cs_user.username, reason="测试查阅流程")
        session.add(request)
        session.flush()
        services.decide_request(session, actor=manager, request_id=request.id, approve=True, hours=1)
        session.commit()
        request_id = request.id
    granted = get(base, file_id, cs)
    assert granted.status_code == 200 and granted.content.startswith(b"%PDF")
    assert "no-store" in granted.headers["cache-control"]
    with Session(db) as session:  # an hour later
        request = session.get(AccessRequest, request_id)
        request.expires_at = utcnow() - timedelta(minutes=1)
        session.add(request)
        session.commit()
    assert get(base, file_id, cs).status_code == 403
    assert log_rows(db, file_id)[-4:] == [("anonymous", "denied", "not_signed_in"), ("demo.cs", "denied", "no_grant"),
                                          ("demo.cs", "ok", ""), ("demo.cs", "denied", "grant_expired_or_revoked")]


def test_another_communitys_manager_and_guessed_urls_are_refused_and_logged(live_server, db):
    base = live_server.base_url
    _, file_id = scanned(db, 3)
    with Session(db) as session:
        c03 = session.exec(select(Community).where(Community.code == "C03")).one()
        factories.user(session, "manager", communities=(c03,), username="mgr.c03")
        session.commit()
    outsider = run(sign_in(base, "mgr.c03", password=factories.PASSWORD))
    response = get(base, file_id, outsider)
    assert response.status_code == 403
    assert log_rows(db, file_id)[-1] == ("mgr.c03", "denied", "out_of_scope")
    for guess in (file_id + 1, 999_999):
        assert get(base, guess, outsider).status_code in (403, 404)
    assert httpx.get(f"{base}/archives/file/../../pm_admin.db", headers={"Cookie": outsider}).status_code == 404
    with Session(db) as session:
        reasons = session.exec(select(AccessLog.reason).where(AccessLog.username == "mgr.c03")).all()
    assert "out_of_scope" in reasons and "no_such_document" in reasons
