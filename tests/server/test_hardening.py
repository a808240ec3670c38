"""The ways around masking and the abuse an attacker could reach, each tried against the production server.

Raw socket.io events and HTTP requests, as a script would send them: masked data that rebuilds an ID
number, phone guesses by search, page error reports that forge log lines, a language that grows a cache,
bodies read before the session is known, refusals that flood the audit log, staff of other communities in
a picker, pages of other sites opening the event socket, and crafted ids that used to raise.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import time
import uuid

import pytest
import socketio
import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.auth.models import User, UserCommunity
from pm_admin.core.audit import AuditEvent
from pm_admin.core.base_state import AppState
from pm_admin.owners.models import Owner, Ownership
from pm_admin.owners.states.detail import MemberForm, OwnerDetailState, OwnerEditForm
from pm_admin.owners.states.owners import OwnersState
from pm_admin.places.models import Community
from pm_admin.tickets.states.board import TicketBoardState
from pm_admin.users.states.users import UsersState
from tests.server.test_crafted_events import state_delta, toasts
from tests.support import factories
from tests.support.login import cookie_for
from tests.support.loop import run
from tests.support.ws_client import STATE_PREFIX, CraftedClient, event_name

pytestmark = pytest.mark.server

FRONTEND_EXCEPTION = f"{STATE_PREFIX}.reflex___state____frontend_event_exception_state.handle_frontend_exception"
UPDATE_VARS = f"{STATE_PREFIX}.reflex___state____update_vars_internal_state.update_vars_internal"


def wait_for(condition, timeout: float = 60.0, what: str = "condition"):
    """Poll until ``condition()`` is truthy (events queued on one token run one after another)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def new_user(db, role: str, community_code: str = "C01") -> str:
    """A fresh account, so budgets and counts of other tests on the shared server do not mix in."""
    username = f"{role}.{uuid.uuid4().hex[:8]}"
    with Session(db) as session:
        community = session.exec(select(Community).where(Community.code == community_code)).one()
        factories.user(session, role, communities=(community,), username=username)
        session.commit()
    return username


def audit_rows(db, username: str, action: str) -> int:
    with Session(db) as session:
        return session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(
            AuditEvent.actor_name == username, AuditEvent.action == action)) or 0


def test_an_owner_page_sends_nothing_that_rebuilds_the_id_number(live_server, db):
    with Session(db) as session:
        c01 = session.exec(select(Community.id).where(Community.code == "C01")).one()
        owner = session.exec(select(Owner).join(Ownership, Ownership.owner_id == Owner.id).where(
            Ownership.community_id == c01, col(Owner.id_number_enc).is_not(None),
            col(Owner.birth_date).is_not(None))).first()
    born = owner.birth_date
    for username in ("demo.cs", "demo.steward", "demo.archivist", "demo.manager"):
        cookie = cookie_for(live_server.base_url, username)

        async def scenario(cookie=cookie):
            async with CraftedClient(live_server.base_url, cookie=cookie) as client:
                await client.hydrate(f"/owners/{owner.id}")
                return await client.send(event_name(OwnerDetailState, "load"), path=f"/owners/{owner.id}",
                                         query={"owner_id": str(owner.id)})

        updates = run(scenario())
        profile = state_delta(updates, OwnerDetailState)["profile_rx_state_"]
        sent = json.dumps(updates, ensure_ascii=False)
        assert re.fullmatch(r"\d{4}\*{10}[\dX]{4}", profile["id_number"]), (username, profile["id_number"])
        assert profile["birth_date"] == f"{born.year}-**-**", username
        for form in (born.isoformat(), born.strftime("%Y%m%d"), born.strftime("%m-%d")):
            assert form not in sent, (username, form)


def test_phone_guesses_stop_after_the_budget_and_are_audited(live_server, db):
    username = new_user(db, "cs")
    cookie = cookie_for(live_server.base_url, username, password=factories.PASSWORD)
    guesses = [f"138{n:04d}5678" for n in range(31)]

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/owners")
            await client.send(event_name(OwnersState, "load"), path="/owners")
            for guess in guesses:  # queued on the token, run one after another
                await client.send(event_name(OwnersState, "set_filter"), {"key": "q", "value": guess})
            wait_for(lambda: audit_rows(db, username, "owner.pii_lookup_burst"), what="the burst flag")
            return await client.send(event_name(OwnersState, "set_filter"), {"key": "q", "value": "13912345678"})

    last = run(scenario())
    assert any("过于频繁" in toast for toast in toasts(last))
    assert audit_rows(db, username, "owner.pii_lookup") == 30
    assert audit_rows(db, username, "owner.pii_lookup_burst") == 1
    with Session(db) as session:
        logged = session.exec(select(AuditEvent.changes).where(AuditEvent.actor_name == username,
                                                               AuditEvent.action == "owner.pii_lookup")).all()
    assert all(re.fullmatch(r"138\*{4}5678", row["search"]) for row in logged)


def test_page_error_reports_cannot_write_to_the_log_signed_out_or_forge_lines_signed_in(live_server, db):
    marker = uuid.uuid4().hex
    forged = f"boom\n2026-12-04 INFO fake line {marker}\n" + "A" * 15_000
    cookie = cookie_for(live_server.base_url, "demo.cs")

    async def scenario():
        async with CraftedClient(live_server.base_url) as anonymous:
            await anonymous.send(FRONTEND_EXCEPTION, {"info": "anon " + forged, "component_stack": ""})
            await anonymous.send(f"{STATE_PREFIX}.no_such_handler", {})
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/")
            await client.send(FRONTEND_EXCEPTION, {"info": "signed " + forged, "component_stack": ""})
            # 50 KB is over what any argument may carry: refused, not written.
            await client.send(FRONTEND_EXCEPTION, {"info": "huge " + forged * 4, "component_stack": ""})
            await client.send(f"{STATE_PREFIX}.setvar", {"var_name": "is_hydrated", "value": True})

    before = live_server.log_path.read_text(errors="replace")
    run(scenario())
    lines = wait_for(lambda: [line for line in live_server.log_path.read_text(errors="replace")[len(before):]
                              .splitlines() if marker in line], what="the signed-in report in the log")
    added = live_server.log_path.read_text(errors="replace")[len(before):]
    assert "anon boom" not in added and "huge boom" not in added  # signed out, or oversized: not written at all
    assert len(lines) == 1 and "signed boom\\n2026-12-04 INFO fake line" in lines[0]  # one line, newline shown
    assert len(lines[0]) < 2_500 and not any(line.startswith("2026-12-04 INFO fake") for line in added.splitlines())
    assert "Traceback" not in added


def process_group_rss_kb(pid: int) -> int:
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.getpgid(int(entry)) != pid:
                continue
            with open(f"/proc/{entry}/status") as status:
                total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total


def test_a_language_the_app_does_not_have_falls_back_and_grows_nothing(live_server):
    lang_var = f"{AppState.get_full_name()}.lang"

    async def scenario():
        async with CraftedClient(live_server.base_url) as client:
            await client.hydrate("/login")
            for _ in range(300):
                await client.send(UPDATE_VARS, {"vars": {lang_var: f"xx-{uuid.uuid4().hex}" * 20}})
            return await client.send(f"{AppState.get_full_name()}.set_language", {"lang": "en"})

    before = process_group_rss_kb(live_server.process.pid)
    updates = run(scenario())
    grown_mb = (process_group_rss_kb(live_server.process.pid) - before) / 1024
    assert state_delta(updates, AppState).get("lang_rx_state_") == "en"
    assert grown_mb < 25, f"the server grew {grown_mb:.0f} MB for 300 made-up languages"


def test_refusals_of_a_signed_in_user_are_budgeted_with_a_summary(live_server, db):
    username = new_user(db, "technician")
    cookie = cookie_for(live_server.base_url, username, password=factories.PASSWORD)

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/")
            for _ in range(45):
                await client.send(event_name(UsersState, "load"), path="/admin/users")
            # Each send returned once the server had processed its event: every refusal is recorded by now.
            await asyncio.to_thread(wait_for, lambda: audit_rows(db, username, "guard.refusals_over_budget"),
                                    what="the over-budget row")

    run(scenario())
    assert audit_rows(db, username, "guard.refused:load") == 30
    assert audit_rows(db, username, "guard.refusals_over_budget") == 1


def test_assignee_choices_hold_only_staff_of_the_users_communities(live_server, db):
    cookie = cookie_for(live_server.base_url, "demo.cs")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/tickets/board")
            return await client.send(event_name(TicketBoardState, "load"), path="/tickets/board")

    choices = state_delta(run(scenario()), TicketBoardState)["choices_rx_state_"]["assignee"]
    with Session(db) as session:
        c01 = session.exec(select(Community.id).where(Community.code == "C01")).one()
        c01_staff = set(session.exec(select(UserCommunity.user_id).where(UserCommunity.community_id == c01)).all())
        outside = set(session.exec(select(User.id).where(col(User.username).like("c02.%"))).all())
    offered = {int(choice["value"]) for choice in choices}
    assert offered and offered <= c01_staff and not offered & outside


def test_the_event_socket_refuses_pages_of_another_origin(live_server):
    async def connect(origin: str) -> bool:
        client = socketio.AsyncClient(reconnection=False)
        try:
            await client.connect(f"{live_server.base_url}?token={uuid.uuid4()}", socketio_path="/_event",
                                 transports=["websocket"], headers={"Origin": origin}, namespaces=["/_event"],
                                 wait_timeout=10)
        except socketio.exceptions.ConnectionError:
            await client.eio.disconnect()  # closes its HTTP session now, not in a garbage collection after the loop
            return False
        await client.disconnect()
        return True

    assert run(connect(live_server.base_url))
    assert not run(connect("http://evil.example"))
    assert not run(connect(live_server.base_url.replace("127.0.0.1", "127.0.0.2")))


def test_crafted_ids_get_a_clear_refusal_not_a_traceback(live_server, db):
    cookie = cookie_for(live_server.base_url, "demo.cs")
    with Session(db) as session:
        c02 = session.exec(select(Community.id).where(Community.code == "C02")).one()
        outside = session.exec(select(Ownership.owner_id).where(Ownership.community_id == c02)).first()

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/owners")
            await client.send(event_name(OwnersState, "load"), path="/owners")
            huge = await client.send(event_name(OwnersState, "set_filter"), {"key": "community", "value": "9" * 30})
            letters = await client.send(event_name(OwnersState, "set_filter"), {"key": "community", "value": "abc"})
            await client.hydrate(f"/owners/{outside}")
            await client.send(event_name(OwnerDetailState, "load"), path=f"/owners/{outside}",
                              query={"owner_id": str(outside)})
            edit = await client.send(event_name(OwnerEditForm, "open_edit"), path=f"/owners/{outside}")
            number = await client.send(event_name(MemberForm, "open_member"), {"member_id": 10**30},
                                       path=f"/owners/{outside}")
            return huge, letters, edit, number

    before = live_server.log_path.read_text(errors="replace")
    huge, letters, edit, number = run(scenario())
    assert any("编号无效" in t for t in toasts(huge)) and any("编号无效" in t for t in toasts(letters))
    assert any("不存在" in t for t in toasts(edit))
    assert any("请求无效" in t for t in toasts(number))
    added = live_server.log_path.read_text(errors="replace")[len(before):]
    assert "Traceback" not in added and "OverflowError" not in added and "KeyError" not in added


def raw_post(base: str, path: str, headers: dict[str, str], first_chunk: bytes) -> socket.socket:
    """A chunked POST, its headers and first chunk sent, the rest left to the caller."""
    host, port = base.removeprefix("http://").split(":")
    connection = socket.create_connection((host, int(port)), timeout=10)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    connection.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{head}\r\n".encode())
    connection.sendall(f"{len(first_chunk):x}\r\n".encode() + first_chunk + b"\r\n")
    return connection


def test_an_upload_is_refused_before_its_body_is_read(live_server):
    """A chunked 60 MB body without a session: the 401 comes after the first chunk, not after 60 MB."""
    connection = raw_post(live_server.base_url, "/files/upload/ticket_evidence",
                          {"Transfer-Encoding": "chunked", "Content-Type": "multipart/form-data; boundary=x"},
                          b"--x\r\n" + b"A" * 65536)
    with connection:
        connection.settimeout(10)
        answer = connection.recv(4096)  # the rest of the 60 MB is never sent: an old server would wait for it
    assert answer.startswith(b"HTTP/1.1 401")


def test_a_chunked_upload_over_the_limit_is_cut_off_while_it_streams(live_server):
    cookie = cookie_for(live_server.base_url, "demo.cs")
    connection = raw_post(live_server.base_url, "/files/upload/arrears_import",
                          {"Transfer-Encoding": "chunked", "Content-Type": "multipart/form-data; boundary=x",
                           "Cookie": cookie},
                          b'--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n')
    sent, answer = 0, b""
    with connection:
        connection.settimeout(0.05)
        chunk = b"B" * (1024 * 1024)
        while sent < 60 * 1024 * 1024 and not answer:
            try:
                connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
                answer = connection.recv(4096)
            except TimeoutError:
                continue
            except OSError:  # the server closed the connection after answering
                break
        if not answer:
            connection.settimeout(10)
            try:
                answer = connection.recv(4096)
            except ConnectionResetError:
                answer = b""
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert sent < 20 * 1024 * 1024  # the arrears import takes 10 MB: cut off near it, not at 60


def test_dialog_actions_sent_without_their_dialog_do_nothing_and_raise_nothing(live_server):
    """A script can send a dialog's save without opening it (no record behind it): nothing happens, no traceback."""
    from pm_admin.archives.states.archives import ArchiveDetailState
    from pm_admin.surveys.states.plan import SurveyPlanState
    from pm_admin.tickets.states.detail import TicketDetailState

    cookie = cookie_for(live_server.base_url, "demo.manager")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/")
            for state, handler, payload in (
                    (ArchiveDetailState, "void", {"form": {"reason": "作废测试"}}),
                    (ArchiveDetailState, "save_replacement", {"upload": {"ok": True, "upload_id": "x"}}),
                    (SurveyPlanState, "save_action", {"form": {"measure": "x"}}),
                    (TicketDetailState, "confirm_move", {"form": {"reason": "x"}})):
                await client.send(event_name(state, handler), payload)

    before = live_server.log_path.read_text(errors="replace")
    run(scenario())
    added = live_server.log_path.read_text(errors="replace")[len(before):]
    assert "Traceback" not in added and "KeyError" not in added, added[-2000:]
