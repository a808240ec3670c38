"""The report pages against crafted events: a manager who puts another company community in the address gets no
report and no download ticket for it, only a toast; their own community's file is issued as usual."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from pm_admin.core.files import DownloadTicket
from pm_admin.reports.states.monthly import MonthlyReportState
from pm_admin.reports.states.weekly import CallbackBatchState
from tests.server.test_crafted_events import community_id, toasts
from tests.support.login import cookie_for
from tests.support.loop import run
from tests.support.ws_client import CraftedClient, event_name, frontend_events

pytestmark = pytest.mark.server
OUT_OF_SCOPE = "该记录不在您负责的小区范围内"


def tickets(db) -> int:
    with Session(db) as session:
        return session.scalar(sa.select(sa.func.count(DownloadTicket.id)))


def download_url(updates) -> str | None:
    found = re.search(r"/files/download/[\w-]+", str(frontend_events(updates)))
    return found.group(0) if found else None


def test_a_report_of_another_community_is_refused_before_any_download(live_server, db):
    c01, c03 = community_id(db, "C01"), community_id(db, "C03")  # demo.manager holds C01 and C02
    before = tickets(db)

    async def download(client, state, path: str, filters: dict) -> list:
        query = "&".join(f"{key}={value}" for key, value in filters.items())
        await client.send(event_name(state, "load"), path=f"{path}?{query}", query=filters)
        return await client.send(event_name(state, "download"), {"file_format": "pdf"}, path=f"{path}?{query}",
                                 query=filters)

    async def scenario():
        async with CraftedClient(live_server.base_url, cookie=cookie_for(live_server.base_url, "demo.manager")) as client:
            await client.hydrate("/reports")
            month = await download(client, MonthlyReportState, "/reports", {"community": str(c03)})
            week = await download(client, CallbackBatchState, "/reports/callback-batch", {"community": str(c03)})
            own = await download(client, MonthlyReportState, "/reports", {"community": str(c01)})
        return month, week, own

    month, week, own = run(scenario())
    for refused in (month, week):
        assert download_url(refused) is None and any(OUT_OF_SCOPE in toast for toast in toasts(refused))
    assert download_url(own) is not None  # the same handler issues the manager's own community's file
    assert tickets(db) == before + 1
