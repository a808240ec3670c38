"""The executive dashboard in the browser: Plotly charts render with Chinese labels, the period filter changes the
figures (and the URL), time axes read as days or months in the reader's language, the heatmap labels every
building, the community filter follows the header's switcher, a manager's hot topic opens the ticket list
filtered by that word."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from pm_admin.dashboards.axes import day_label, month_label
from pm_admin.dashboards.periods import period_for
from tests.browser.conftest import ARTIFACTS, screenshot
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser
# volume, complaints, SLA, time to resolve, callbacks, valid complaints, repeats, arrears; feedback per day
KPI_CHARTS = 9
SURVEY_CHARTS = 3


def ticks(page, chart: str, axis: str = "x") -> list[str]:
    return page.get_by_test_id(f"chart-{chart}").locator(f"g.{axis}tick text").all_text_contents()


def expect_time_axes(page, period_key: str, language: str) -> None:
    """The volume chart starts at the period's first day (or month), the monthly charts at its first month:
    labels of the reader's language, never Plotly's own date ticks."""
    period = period_for(period_key)
    first_bucket = day_label(period.start, language) if period.daily else month_label(period.start, language)
    expect(page.get_by_test_id("chart-volume").locator("g.xtick text").first).to_have_text(first_bucket)
    expect(page.get_by_test_id("chart-callbacks").locator("g.xtick text").first).to_have_text(
        month_label(period.start, language))
    for chart in ("volume", "complaints", "callbacks", "valid_complaints", "repeats"):
        assert not any(re.search(r"\d:\d\d|^\d{4}-\d\d", tick) for tick in ticks(page, chart)), chart


def pick_period(page, name: str, key: str) -> None:
    page.get_by_test_id("dashboard-period").click()
    page.get_by_role("option", name=name, exact=True).click()
    page.wait_for_url(re.compile(rf"period={key}"))


def settled_screenshot(page, name: str) -> None:
    page.wait_for_timeout(800)  # Plotly animates its first draw
    screenshot(page, name)


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
    expect_time_axes(page, "this_month", "zh-CN")
    settled_screenshot(page, "dashboard-this_month-zh")
    this_month = created.inner_text()
    pick_period(page, "近 12 个月", "last_12_months")
    expect(created).not_to_have_text(this_month)
    assert int(created.inner_text().replace(",", "")) > int(this_month.replace(",", ""))
    expect(page.get_by_test_id("hot-topic").first).to_be_visible()
    expect_time_axes(page, "last_12_months", "zh-CN")
    settled_screenshot(page, "dashboard-last_12_months-zh")

    page.get_by_role("radio", name="EN").click()  # the figures follow the language switch, no reload needed
    expect_time_axes(page, "last_12_months", "en")
    settled_screenshot(page, "dashboard-last_12_months-en")
    pick_period(page, "This month", "this_month")
    expect_time_axes(page, "this_month", "en")
    settled_screenshot(page, "dashboard-this_month-en")


def test_the_owner_feedback_section_shows_days_channels_and_top_issues(page):
    log_in(page, "demo.executive")
    page.wait_for_url(at_home)
    page.goto("/dashboard?period=last_12_months")
    section = page.get_by_test_id("feedback-section")
    expect(section.get_by_text("业主反馈统计")).to_be_visible()
    expect(page.get_by_test_id("feedback-counts")).to_have_text(re.compile(r"^合计 [1-9]\d*"))
    expect(page.get_by_test_id("chart-feedback_daily").locator(".js-plotly-plot")).to_be_visible()
    expect(page.get_by_test_id("feedback-channel-row")).to_have_count(9)  # eight channels and the total
    expect(page.get_by_test_id("feedback-channel-row").first.locator("th")).to_have_text("线上/业主端")
    expect(page.get_by_test_id("feedback-issue")).to_have_count(10)
    expect(page.get_by_test_id("download-feedback_channels-xlsx")).to_be_visible()
    page.wait_for_timeout(800)  # Plotly animates its first draw
    box = section.bounding_box()  # in page coordinates, so the sticky header stays at the top, not over it
    top = box["y"] + page.evaluate("window.scrollY")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-feedback-last_12_months-zh.png"), full_page=True,
                    clip={"x": box["x"], "y": top, "width": box["width"], "height": box["height"]})


def test_the_satisfaction_heatmap_labels_every_building_in_natural_order(page):
    log_in(page, "demo.executive")
    page.wait_for_url(at_home)
    page.goto("/dashboard")
    heatmap = page.get_by_test_id("chart-satisfaction_matrix").locator(".js-plotly-plot")
    expect(heatmap).to_be_visible()
    rows = heatmap.evaluate("plot => plot.data[0].y")
    assert len(rows) > 20  # the demo surveys every building of three communities
    expect(heatmap.locator("g.ytick text")).to_have_count(len(rows))
    assert sorted(heatmap.locator("g.ytick text").all_text_contents()) == sorted(rows)  # each row its label
    assert rows.index("翠湖花园 2栋") < rows.index("翠湖花园 10栋")


def test_the_community_filter_follows_the_header_switcher(page):
    log_in(page, "demo.executive")
    page.wait_for_url(at_home)
    page.goto("/dashboard")
    created, community = page.get_by_test_id("kpi-created"), page.get_by_test_id("dashboard-community")
    expect(community).to_have_text("全部小区")
    expect(created).to_have_text(re.compile(r"^[\d,]+$"))
    company = created.inner_text()

    page.get_by_test_id("community-switcher").click()
    page.get_by_role("option", name="锦绣华府", exact=True).click()  # the header reloads the page
    expect(community).to_have_text("锦绣华府")
    expect(created).not_to_have_text(company)
    pick_period(page, "近 12 个月", "last_12_months")
    expect(community).to_have_text("锦绣华府")
    assert "community=" not in page.url  # the header's choice is not pinned in the URL: a later switch wins

    page.get_by_test_id("community-switcher").click()
    page.get_by_role("option", name="全部小区", exact=True).click()
    expect(community).to_have_text("全部小区")
    pick_period(page, "本月", "this_month")
    expect(created).to_have_text(company)


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
