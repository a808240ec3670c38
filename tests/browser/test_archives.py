"""Archive access end to end: request → a manager approves → view the scan → the access log has it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from pm_admin.archives.models import AccessLog, Archive, ArchiveEntry, ArchiveFile
from tests.browser.conftest import another_browser, screenshot
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser


def scanned_archive(db) -> tuple[int, int]:
    """An archive of C01 with a scan (the demo scans the first archives), and that scan's id."""
    with Session(db) as session:
        archive_id, file_id = session.exec(
            select(Archive.id, ArchiveFile.id).join(ArchiveEntry, ArchiveEntry.archive_id == Archive.id)
            .join(ArchiveFile, ArchiveFile.entry_id == ArchiveEntry.id)
            .where(Archive.archive_no.startswith("C01-")).order_by(Archive.id.desc())).first()
    return archive_id, file_id


def test_request_approve_view_and_log(browser, live_server, db):
    archive_id, file_id = scanned_archive(db)
    (cs_context, cs), (manager_context, manager) = (another_browser(browser, live_server) for _ in range(2))
    try:
        log_in(cs, "demo.cs")
        cs.wait_for_url(at_home)
        # Without a grant the document is refused, and the refusal is logged.
        assert cs.request.get(f"/archives/file/{file_id}").status == 403
        cs.goto(f"/archives/{archive_id}")
        expect(cs.get_by_test_id("archive-entries")).to_be_visible()
        assert cs.get_by_test_id("view-document").count() == 0
        cs.get_by_test_id("request-access").click()
        cs.get_by_test_id("request-form").locator("input[name=reason]").fill("业主委托核对房屋交付验收表")
        cs.get_by_test_id("request-form-save").click()
        expect(cs.get_by_test_id("my-request").first).to_contain_text("待审批")
        screenshot(cs, "archive-request-pending")

        log_in(manager, "demo.manager")
        manager.wait_for_url(at_home)
        manager.goto("/archives/requests")
        pending = manager.get_by_test_id("pending-requests")
        expect(pending).to_contain_text("业主委托核对房屋交付验收表")
        row = pending.locator("tr", has_text="业主委托核对房屋交付验收表")
        row.get_by_test_id("approve-request").click()
        manager.get_by_test_id("decision-save").click()
        expect(manager.get_by_test_id("active-grants")).to_contain_text("王客服")  # by name, not "demo.cs"
        expect(manager.get_by_role("dialog")).to_have_count(0)
        screenshot(manager, "archive-requests-approved")

        cs.reload()
        expect(cs.get_by_test_id("grant-active")).to_be_visible()
        view = cs.get_by_test_id("view-document").first
        assert re.fullmatch(r"/archives/file/\d+", view.get_attribute("href"))
        # Click it as the user would: the scan opens in a new tab, served through the checked route.
        with cs_context.expect_event("response", lambda r: re.search(r"/archives/file/\d+$", r.url)) as served:
            view.click()
        response = served.value  # (chromium hands the body to its PDF viewer: the headers tell what came)
        assert response.status == 200 and response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith("inline; filename*=UTF-8''")
        assert "no-store" in response.headers["cache-control"]
        screenshot(cs, "archive-granted")

        manager.goto(f"/archives/{archive_id}")
        manager.get_by_test_id("tab-access-log").click()
        log = manager.get_by_test_id("access-log")
        # Newest first: the view that just succeeded, above the refusal from before the request.
        first_row = log.locator("tbody tr").first
        expect(first_row).to_contain_text("王客服")
        expect(first_row).to_contain_text("查看")
        expect(first_row).to_contain_text("成功")
        expect(log.locator("tbody tr", has_text="未获批准").first).to_contain_text("王客服")
        screenshot(manager, "archive-access-log")
    finally:
        cs_context.close()
        manager_context.close()
    with Session(db) as session:
        outcomes = session.exec(select(AccessLog.outcome).where(AccessLog.username == "demo.cs",
                                                                AccessLog.archive_id == archive_id)).all()
    assert "ok" in outcomes and "denied" in outcomes
