"""A manager opens /reports, reads last month's report of their first community (stored on the way) and downloads it
as PDF and XLSX; the running month says it is provisional. The weekly repair-callback batch list prints as PDF."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from playwright.sync_api import expect
from sqlmodel import Session, select

from pm_admin.core.clock import local_today
from pm_admin.dashboards.axes import month_label
from pm_admin.places.models import Community
from pm_admin.reports.contents import SECTIONS
from pm_admin.reports.models import MonthlyReport
from pm_admin.reports.months import previous_month
from tests.browser.conftest import screenshot
from tests.browser.test_login_and_menus import at_home, log_in
from tests.browser.test_tickets import pick

pytestmark = pytest.mark.browser


def test_a_manager_downloads_the_months_pdf_and_xlsx(page, db):
    with Session(db) as session:
        community = session.exec(select(Community).where(Community.code == "C01")).one()
    last_month = previous_month(local_today())
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.locator("[data-nav='reports']").filter(visible=True).first.click()
    title = page.get_by_test_id("report-title")
    expect(title).to_have_text(f"{community.name} {month_label(last_month, 'zh-CN')} 月度服务报告")
    expect(page.get_by_test_id("report-status")).to_contain_text("已存档")
    expect(page.get_by_test_id("report-section")).to_have_count(len(SECTIONS))
    with Session(db) as session:  # asking for a closed month stored it
        assert session.exec(select(MonthlyReport).where(MonthlyReport.community_id == community.id,
                                                        MonthlyReport.month == last_month)).first() is not None
    screenshot(page, "reports-monthly")

    reconnects = []  # a download must not drop the page's socket: its reconnect would reload the filters (see below)
    page.on("websocket", lambda socket: reconnects.append(socket.url))
    with page.expect_download() as pdf:
        page.get_by_test_id("report-pdf").click()
    data = pdf.value.path().read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 10_000
    assert pdf.value.suggested_filename == f"monthly-report-C01-{last_month:%Y-%m}.pdf"
    with page.expect_download() as xlsx:
        page.get_by_test_id("report-xlsx").click()
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.value.path().read_bytes()))
    assert community.name in workbook["概要"]["B2"].value and len(workbook.sheetnames) == len(SECTIONS) + 1  # + 概要

    this_month = local_today().replace(day=1)
    # The month picked after the downloads stays picked (it once snapped back now and then: a download navigated, the
    # socket dropped, and its reconnect on this pick ran the page's load again with the address from before the pick).
    pick(page, page.get_by_test_id("filter-month"), month_label(this_month, "zh-CN"))
    expect(page.get_by_test_id("filter-month")).to_have_text(month_label(this_month, "zh-CN"))
    page.wait_for_url(re.compile(rf"month={this_month:%Y-%m}"))
    expect(page.get_by_test_id("report-status")).to_contain_text("暂定")
    assert reconnects == []
    screenshot(page, "reports-monthly-provisional")


def test_the_weekly_callback_batch_prints(page):
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.locator("[data-nav='callback_batch']").filter(visible=True).first.click()
    expect(page.get_by_test_id("callback-batch")).to_be_visible()
    expect(page.get_by_role("heading", name="维修回访批次单")).to_be_visible()
    screenshot(page, "reports-callback-batch")
    with page.expect_download() as pdf:
        page.get_by_test_id("batch-pdf").click()
    assert pdf.value.path().read_bytes().startswith(b"%PDF-")
