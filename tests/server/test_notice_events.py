"""Notices against crafted calls: a cs user's approve event is refused by the guard, and a notice for C01 never
reaches an owner of C02 — neither in the portal's events nor through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session, select

from pm_admin.auth.models import User
from pm_admin.comms import notices
from pm_admin.comms.models import Notice, NoticeStatus
from pm_admin.comms.notices import NoticeInput
from pm_admin.comms.states.notices import NoticesState
from pm_admin.comms.states.owner_notice import PortalNoticeState
from pm_admin.places.models import Community
from tests.server.api_support import owner_token, owners_without_account
from tests.server.test_crafted_events import audit_count, state_delta
from tests.support import factories
from tests.support.login import cookie_for
from tests.support.loop import run
from tests.support.ws_client import CraftedClient, event_name

pytestmark = pytest.mark.server


def c01_notice(db, status: str) -> int:
    """A C01 notice drafted (and, for "sent", approved and sent to the portal) by the demo manager."""
    with Session(db) as session:
        manager = factories.sign_in(session, session.exec(select(User).where(User.username == "demo.manager")).one())
        c01 = session.exec(select(Community.id).where(Community.code == "C01")).one()
        notice = notices.draft_notice(session, actor=manager, data=NoticeInput(
            kind="announcement", title=f"C01 内部通知 {status}", body="只发给 C01", community_id=c01,
            valid_until=datetime.now(UTC) + timedelta(days=3)))
        notices.submit(session, actor=manager, notice_id=notice.id)
        if status == "sent":
            notices.approve(session, actor=manager, notice_id=notice.id, expected_version=notice.version)
        session.commit()
        return notice.id


def test_a_cs_approve_event_is_refused_and_audited(live_server, db):
    notice_id = c01_notice(db, "pending")
    cookie = cookie_for(live_server.base_url, "demo.cs")
    before = audit_count(db, "guard.refused:approve")

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie) as client:
            await client.hydrate("/notices")
            await client.send(event_name(NoticesState, "load"), path="/notices")
            return await client.send(event_name(NoticesState, "approve"), {"notice_id": notice_id}, path="/notices")

    run(scenario())
    with Session(db) as session:
        assert session.get(Notice, notice_id).status == NoticeStatus.PENDING
    assert audit_count(db, "guard.refused:approve") == before + 1


def test_a_c01_notice_never_reaches_a_c02_owner(live_server, db):
    notice_id = c01_notice(db, "sent")
    (c02_owner,) = owners_without_account(db, "C02", count=1)
    token = owner_token(live_server, db, c02_owner)
    api = httpx.Client(base_url=live_server.base_url + "/api/v1", headers={"Authorization": f"Bearer {token}"})
    assert all("C01 内部通知" not in item["title"] for item in api.get("/notices", params={"limit": 100}).json()["items"])

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=f"pm_portal={token}") as client:
            path = f"/portal/notices/{notice_id}"
            hydrate = await client.hydrate(path)
            load = await client.send(event_name(PortalNoticeState, "load"), path=path,
                                     query={"notice_id": str(notice_id)})
            return hydrate, load

    hydrate, load = run(scenario())
    assert "只发给 C01" not in str(hydrate + load)
    assert state_delta(load, PortalNoticeState).get("missing_rx_state_") is True
