"""Archive scans over HTTP: refused without a grant, after expiry, out of scope or by guessing; always logged."""

from __future__ import annotations

import socket
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, select

from pm_admin.archives.models import AccessLog, AccessRequest, Archive, ArchiveEntry, ArchiveFile
from pm_admin.archives.services import access as archive_access
from pm_admin.auth.models import LoginSession, User
from pm_admin.auth.services import principal_for
from pm_admin.core.clock import utcnow
from pm_admin.core.permissions import ClientInfo
from pm_admin.places.models import Community
from tests.support import factories
from tests.support.login import cookie_for

pytestmark = pytest.mark.server


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


def get(base: str, file_id: int | str, cookie: str | None = None) -> httpx.Response:
    return httpx.get(f"{base}/archives/file/{file_id}", headers={"Cookie": cookie} if cookie else {})


def test_refusals_are_logged_and_only_an_approved_unexpired_grant_opens(live_server, db):
    base = live_server.base_url
    archive_id, file_id = scanned(db, 2)
    assert get(base, file_id).status_code == 401
    cs = cookie_for(base, "demo.cs")
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
        archive_access.decide_request(session, actor=manager, request_id=request.id, approve=True, hours=1)
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
    outsider = cookie_for(base, "mgr.c03", password=factories.PASSWORD)
    response = get(base, file_id, outsider)
    missing = get(base, 999_999, outsider)
    # Another community's real document answers exactly like a missing one: ids cannot be probed.
    assert (response.status_code, response.content) == (missing.status_code, missing.content)
    assert response.status_code == 404 and "不存在".encode() in response.content
    assert log_rows(db, file_id)[-1] == ("mgr.c03", "denied", "out_of_scope")  # the log keeps the real reason
    _, other_c01_file = scanned(db, 4)
    assert get(base, other_c01_file, outsider).status_code == 404
    assert get(base, "abc", outsider).status_code == 404  # not a number: no such document
    assert get(base, "9" * 40, outsider).status_code == 404  # too big for the database: no such document
    with Session(db) as session:
        reasons = session.exec(select(AccessLog.reason).where(AccessLog.username == "mgr.c03")).all()
    assert reasons.count("out_of_scope") == 2 and reasons.count("no_such_document") == 3


def raw_get(base: str, raw_path: str, cookie: str) -> tuple[int, bytes]:
    """A GET with the path exactly as written: no client normalises "../" away (httpx and browsers do)."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=20) as connection:
        connection.sendall(f"GET {raw_path} HTTP/1.1\r\nHost: {host}:{port}\r\nCookie: {cookie}\r\n"
                           "Connection: close\r\n\r\n".encode())
        data = b""
        while chunk := connection.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def test_traversal_paths_reach_no_file_outside_the_archive_route(live_server, db):
    """"/archives/file/../../…" sent raw, also percent-encoded: nothing is served from the data or project
    folders (the database, its settings), and the app answers "not found"."""
    base = live_server.base_url
    cs = cookie_for(base, "demo.cs")
    database = Path(live_server.database_url.removeprefix("sqlite:///"))
    assert database.read_bytes()[:15] == b"SQLite format 3"
    for raw_path in (f"/archives/file/../../{database.name}", f"/archives/file/../../../{database.parent.name}/"
                     f"{database.name}", "/archives/file/../../pyproject.toml", "/archives/file/%2e%2e/%2e%2e/pyproject.toml",
                     "/archives/file/..%2f..%2fpyproject.toml", "/archives/file/1/../../../rxconfig.py"):
        status, body = raw_get(base, raw_path, cs)
        assert status == 404, (raw_path, status, body[:200])
        assert b"SQLite format" not in body and b"[project]" not in body and b"rx.Config" not in body, raw_path
