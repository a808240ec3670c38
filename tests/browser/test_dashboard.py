"""The executive dashboard in the browser: Plotly charts render with Chinese labels, the period filter changes the
figures (and the URL), a manager's hot topic opens the ticket list filtered by that word."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser
KPI_CHARTS = 8  # volume, complaints, SLA, time to resolve, callbacks, valid complaints, repeats, arrears
SURVEY_CHARTS = 3


def test_the_executive_reads_the_kpis_as_charts_and_changes_the_period(page):
    log_in(page, "demo.executive")
    page.wait_for_url(at_home)
    page.goto("/dashboard")
    created = page.get_by_test_id("kpi-created")
    expect(created).to_have_text(re.compile(r"^[\d,]+$"))
    plots = page.locator(".js-plotly-plot")
    expect(plots.nth(KPI_CHARTS - 1)).to_be_visible()
    assert plots.count() in (KPI_CHARTS, KPI_CHARTS + SURVEY_CHARTS)
    # Chinese axis labels are drawn as SVG text by Plotly (top-level categories of the volume chart).
    expect(page.get_by_test_id("chart-volume").locator("svg text", has_text="设施设备").first).to_be_attached()
    this_month = created.inner_text()
    page.get_by_test_id("dashboard-period").click()
    page.get_by_role("option", name="近 12 个月", exact=True).click()
    expect(created).not_to_have_text(this_month)
    page.wait_for_url(re.compile(r"period=last_12_months"))
    assert int(created.inner_text().replace(",", "")) > int(this_month.replace(",", ""))
    expect(page.get_by_test_id("hot-topic").first).to_be_visible()
    page.wait_for_timeout(800)  # Plotly animates its first draw
    screenshot(page, "dashboard-executive")


def test_a_manager_follows_a_hot_topic_to_the_ticket_list(page):
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto("/dashboard?period=last_12_months")
    topic = page.get_by_test_id("hot-topic").first
    expect(topic).to_be_visible()
    word = topic.inner_text().split()[0]
    topic.click()
    page.wait_for_url(re.compile(r"/tickets\?q="))
    expect(page.get_by_test_id("ticket-list").get_by_text(word).first).to_be_visible()
