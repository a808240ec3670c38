"""Crafted events against the archive, arrears and census handlers (issue 4 item 9: "guessing its handler").

Each hostile event goes through the production server's real event pipeline and must be refused:
nothing changes in the database, no data comes back, and the refusal is audited.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.archives.models import AccessRequest, Archive
from pm_admin.archives.services import catalog as archive_catalog
from pm_admin.archives.states.archives import ArchiveDetailState, EntryForm, ReplaceForm, RequestForm
from pm_admin.archives.states.requests import AccessRequestsState, ActiveList, DecisionForm, PendingList
from pm_admin.arrears.models import ArrearsCase, CaseStatus, FollowUp
from pm_admin.arrears.states.arrears import ArrearsState, FollowUpForm, HistoryDialog
from pm_admin.auth.models import User
from pm_admin.billing.models import RoomArrears
from pm_admin.census.models import CensusTask, TaskStatus
from pm_admin.census.services import quarter_of
from pm_admin.census.states.census import CensusState, CompleteForm
from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import local_today
from pm_admin.core.permissions import SYSTEM
from pm_admin.owners.models import Ownership
from pm_admin.places.models import Room
from tests.server.test_crafted_events import community_id, state_delta, toasts
from tests.support.login import cookie_for
from tests.support.loop import run
from tests.support.ws_client import CraftedClient, event_name

pytestmark = pytest.mark.server


def user_id(db, username: str) -> int:
    with Session(db) as session:
        return session.exec(select(User.id).where(User.username == username)).one()


def denials(db, action: str, reason: str | None = None) -> int:
    """Audited refusals of one kind (and reason): the guard's before the handler, or the handler's own."""
    with Session(db) as session:
        rows = session.exec(select(AuditEvent.changes).where(AuditEvent.action == action,
                                                             AuditEvent.outcome == "denied")).all()
    return sum(1 for changes in rows if reason is None or (changes or {}).get("reason") == reason)


@pytest.fixture(scope="module")
def c03_room(db) -> int:
    """A room of C03 with an owner: none of the demo users but the admin and executive may touch it."""
    with Session(db) as session:
        return session.exec(select(Ownership.room_id).where(
            Ownership.community_id == community_id(db, "C03"), col(Ownership.ended_on).is_(None))).first()


def pending_request(db, *, room_id: int | None = None, archive_id: int | None = None, requester: str) -> int:
    with Session(db) as session:
        if archive_id is None:
            archive_id = archive_catalog.ensure_archive(session, actor=SYSTEM, room_id=room_id).id
        archive = session.get(Archive, archive_id)
        request = AccessRequest(archive_id=archive.id, community_id=archive.community_id,
                                requester_id=user_id(db, requester), requester_name=requester, reason="核对业主临时公约")
        session.add(request)
        session.commit()
        return request.id


def request_state(db, request_id: int) -> tuple[str, str, object]:
    with Session(db) as session:
        request = session.get(AccessRequest, request_id)
        return str(request.status), request.decided_by, request.expires_at


def c01_archive(db) -> int:
    with Session(db) as session:
        return session.exec(select(Archive.id).where(Archive.community_id == community_id(db, "C01"))
                            .order_by(Archive.id)).first()


async def decide(client: CraftedClient, request_id: int, approve: bool = True, note: str = "同意查阅"):
    await client.hydrate("/archives/requests")
    await client.send(event_name(AccessRequestsState, "load"), path="/archives/requests")
    opened = await client.send(event_name(DecisionForm, "open_decision"),
                               {"request_id": request_id, "approve": approve, "revoke": False})
    decided = await client.send(event_name(DecisionForm, "decide"), {"form": {"note": note}})
    return opened, decided


def test_cs_cannot_decide_an_access_request(live_server, db):
    request_id = pending_request(db, archive_id=c01_archive(db), requester="demo.steward")
    before = denials(db, "guard.refused:decide", "missing_permission")
    cs = cookie_for(live_server.base_url, "demo.cs")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cs) as client:
            return await decide(client, request_id)

    opened, decided = run(scenario())
    assert state_delta(opened, DecisionForm) == {} and toasts(opened)  # open_decision: approvers only
    assert state_delta(decided, DecisionForm) == {} and toasts(decided)
    assert request_state(db, request_id) == ("pending", "", None)
    assert denials(db, "guard.refused:decide", "missing_permission") == before + 1


def test_a_manager_cannot_approve_their_own_request_nor_another_communitys(live_server, db, c03_room):
    own = pending_request(db, archive_id=c01_archive(db), requester="demo.manager")
    foreign = pending_request(db, room_id=c03_room, requester="demo.cs")
    before_self = denials(db, "guard.refused_in_handler", "archives.no_self_approval")
    before_scope = denials(db, "guard.refused_in_handler", "error.out_of_scope")
    manager = cookie_for(live_server.base_url, "demo.manager")  # C01 + C02

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=manager) as client:
            _, mine = await decide(client, own)
            _, theirs = await decide(client, foreign)
            return mine, theirs

    mine, theirs = run(scenario())
    for updates in (mine, theirs):
        assert toasts(updates)
        assert not state_delta(updates, PendingList).get("rows_rx_state_")
        assert not state_delta(updates, ActiveList).get("rows_rx_state_")
    assert request_state(db, own) == ("pending", "", None)
    assert request_state(db, foreign) == ("pending", "", None)
    assert denials(db, "guard.refused_in_handler", "archives.no_self_approval") == before_self + 1
    assert denials(db, "guard.refused_in_handler", "error.out_of_scope") == before_scope + 1


def test_loading_another_communitys_archive_sends_nothing_and_is_audited(live_server, db, c03_room):
    with Session(db) as session:
        foreign = archive_catalog.ensure_archive(session, actor=SYSTEM, room_id=c03_room)
        session.commit()
        foreign_id, foreign_no = foreign.id, foreign.archive_no
    own_id = c01_archive(db)
    before = denials(db, "guard.refused_in_handler", "error.out_of_scope")
    cs = cookie_for(live_server.base_url, "demo.cs")  # C01 only

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cs) as client:
            path = f"/archives/{own_id}"
            await client.hydrate(path)
            own = await client.send(event_name(ArchiveDetailState, "load"), path=path,
                                    query={"archive_id": str(own_id)})
            path = f"/archives/{foreign_id}"
            theirs = await client.send(event_name(ArchiveDetailState, "load"), path=path,
                                       query={"archive_id": str(foreign_id)})
            await client.send(event_name(RequestForm, "open_request"))
            request = await client.send(event_name(RequestForm, "save"), {"form": {"reason": "想看看别的小区"}})
            return own, theirs, request

    own, theirs, request = run(scenario())
    assert state_delta(own, ArchiveDetailState)["found_rx_state_"] is True  # the page works in scope
    delta = state_delta(theirs, ArchiveDetailState)
    assert toasts(theirs) and foreign_no not in str(theirs)
    # What the previous archive showed is cleared, not left on screen under the foreign id.
    assert delta["found_rx_state_"] is False and delta["header_rx_state_"] == {} and delta["entries_rx_state_"] == []
    assert toasts(request)
    with Session(db) as session:
        assert session.exec(select(AccessRequest).where(AccessRequest.reason == "想看看别的小区")).first() is None
    assert denials(db, "guard.refused_in_handler", "error.out_of_scope") == before + 2


def test_census_of_another_community_cannot_be_completed_or_opened(live_server, db, c03_room):
    c03 = community_id(db, "C03")
    quarter = quarter_of(local_today())
    with Session(db) as session:
        room = session.get(Room, c03_room)
        owner_id = session.exec(select(Ownership.owner_id).where(Ownership.room_id == room.id,
                                                                 col(Ownership.ended_on).is_(None))).first()
        task = session.exec(select(CensusTask).where(CensusTask.quarter == quarter,
                                                     CensusTask.room_id == room.id)).first()
        if task is None:
            task = CensusTask(quarter=quarter, room_id=room.id, community_id=c03, building_id=room.building_id,
                              owner_id=owner_id)
            session.add(task)
            session.commit()
        task_id = task.id
        c03_tasks = session.scalar(sa.select(sa.func.count(CensusTask.id)).where(CensusTask.community_id == c03))
    before = denials(db, "guard.refused_in_handler", "error.out_of_scope")
    steward, manager = cookie_for(live_server.base_url, "demo.steward"), cookie_for(live_server.base_url, "demo.manager")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=steward) as client:
            await client.hydrate("/census")
            await client.send(event_name(CensusState, "load"), path="/census")
            await client.send(event_name(CompleteForm, "open_complete"), {"task_id": task_id, "changed": False})
            complete = await client.send(event_name(CompleteForm, "save"), {"form": {"note": "已核实"}})
            steward_opens = await client.send(event_name(CensusState, "open_quarter"),
                                              {"form": {"community_id": str(c03)}})
        async with CraftedClient(live_server.base_url, cookie=manager) as client:
            await client.hydrate("/census")
            await client.send(event_name(CensusState, "load"), path="/census")
            manager_opens = await client.send(event_name(CensusState, "open_quarter"),
                                              {"form": {"community_id": str(c03)}})
        return complete, steward_opens, manager_opens

    complete, steward_opens, manager_opens = run(scenario())
    for updates in (complete, steward_opens, manager_opens):
        assert toasts(updates)
        assert not state_delta(updates, CensusState).get("rows_rx_state_")
        assert not state_delta(updates, CensusState).get("completion_rx_state_")
    with Session(db) as session:
        stored = session.get(CensusTask, task_id)
        assert (stored.status, stored.completed_by) == (TaskStatus.PENDING, "")
        assert session.scalar(sa.select(sa.func.count(CensusTask.id)).where(CensusTask.community_id == c03)) == c03_tasks
    assert denials(db, "guard.refused_in_handler", "error.out_of_scope") == before + 2  # complete, manager's open
    assert denials(db, "guard.refused:open_quarter", "missing_permission") >= 1  # the steward may not open one


def test_a_follow_up_cannot_be_logged_on_another_communitys_case(live_server, db, c03_room):
    c03 = community_id(db, "C03")
    today = local_today()
    with Session(db) as session:
        room = session.get(Room, c03_room)
        if session.get(RoomArrears, room.id) is None:
            session.add(RoomArrears(room_id=room.id, community_id=c03, amount=Decimal("880.00"),
                                    since=today - timedelta(days=90)))
        case = session.exec(select(ArrearsCase).where(ArrearsCase.room_id == room.id,
                                                      ArrearsCase.status == CaseStatus.OPEN)).first()
        if case is None:
            case = ArrearsCase(room_id=room.id, community_id=c03, building_id=room.building_id, opened_on=today,
                               next_due_on=today)
            session.add(case)
        session.commit()
        case_id, due = case.id, case.next_due_on
    steward = cookie_for(live_server.base_url, "demo.steward")  # C01

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=steward) as client:
            await client.hydrate("/arrears")
            await client.send(event_name(ArrearsState, "load"), path="/arrears")
            opened = await client.send(event_name(FollowUpForm, "open_follow_up"), {"case_id": case_id})
            history = await client.send(event_name(HistoryDialog, "open_history"), {"case_id": case_id})
            saved = await client.send(event_name(FollowUpForm, "save"), {"form": {
                "channel": "phone", "result": "已电话提醒", "reason_category": "forgot", "promise_date": "",
                "ticket_code": ""}})
            return opened, history, saved

    opened, history, saved = run(scenario())
    for updates in (opened, history, saved):  # a case not on the page opens nothing; a save then is refused
        for dialog in (FollowUpForm, HistoryDialog):
            delta = state_delta(updates, dialog)
            assert not delta.get("subject_rx_state_") and not delta.get("history_rx_state_")
            assert delta.get("opened_rx_state_") in (None, False)
    assert toasts(saved)
    with Session(db) as session:
        assert session.exec(select(FollowUp).where(FollowUp.case_id == case_id)).first() is None
        stored = session.get(ArrearsCase, case_id)
        assert (stored.last_follow_up_on, stored.next_due_on) == (None, due)


def test_upload_refusals_show_their_numbers_not_placeholders(live_server, db):
    """The route answers {"error": "files.too_large", "max_mb": …}: the message must carry the number."""
    too_large = {"ok": False, "error": "files.too_large", "max_mb": 30}
    archive_id = c01_archive(db)
    archivist, manager = (cookie_for(live_server.base_url, name) for name in ("demo.archivist", "demo.manager"))

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=archivist) as client:
            path = f"/archives/{archive_id}"
            await client.hydrate(path)
            await client.send(event_name(ArchiveDetailState, "load"), path=path, query={"archive_id": str(archive_id)})
            replacement = await client.send(event_name(ReplaceForm, "save_replacement"), {"upload": too_large})
            entry = await client.send(event_name(EntryForm, "save_entry"), {"upload": too_large})
        async with CraftedClient(live_server.base_url, cookie=manager) as client:
            await client.hydrate("/arrears")
            await client.send(event_name(ArrearsState, "load"), path="/arrears")
            imported = await client.send(event_name(ArrearsState, "run_import"), {"upload": {**too_large, "max_mb": 10}})
        return replacement, entry, imported

    replacement, entry, imported = run(scenario())
    for updates, dialog in ((replacement, ReplaceForm), (entry, EntryForm)):
        assert state_delta(updates, dialog)["errors_rx_state_"] == {"file": "文件过大（最大 30 MB）"}
    assert state_delta(imported, ArrearsState)["import_message_rx_state_"] == "文件过大（最大 10 MB）"
