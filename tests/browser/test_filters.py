"""A filter bar of the screen kit: the choices live in the address, a reload keeps them, reset clears every input."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_login_and_menus import at_home, log_in

pytestmark = pytest.mark.browser


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def pick(page, testid: str, option: str) -> None:
    page.get_by_test_id(testid).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_room_filters_cascade_live_in_the_url_and_reset_clears_the_search_box(page):
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    page.goto("/places/rooms")
    rows = page.get_by_test_id("rooms-table").locator("[data-row-id]")
    expect(rows.first).to_be_visible()
    # Until a community is chosen the building picker says why it has nothing to offer (issue 17).
    expect(page.get_by_test_id("filter-building")).to_have_text("先选择小区")
    expect(page.get_by_test_id("filter-building")).to_be_disabled()
    expect(page.get_by_test_id("filter-unit")).to_have_text("先选择楼栋")
    pick(page, "filter-community", "锦绣华府")
    page.wait_for_url(re.compile(r"community=\d+"))
    page.get_by_test_id("filter-building").click()
    names = page.get_by_role("option").all_inner_texts()
    assert names.index("2栋") < names.index("10栋")  # natural order (issue 17)
    page.keyboard.press("Escape")
    pick(page, "filter-building", "2栋")  # the community's buildings only
    page.wait_for_url(re.compile(r"building=\d+"))
    search = page.get_by_test_id("search-input")
    search.fill("C02-2")
    search.press("Enter")
    page.wait_for_url(re.compile(r"q=C02-2"))
    expect(rows.first).to_contain_text("C02-2-")

    page.reload()  # the view comes back from the address
    expect(page.get_by_test_id("search-input")).to_have_value("C02-2")
    expect(page.get_by_test_id("filter-building")).to_have_text("2栋")
    expect(rows.first).to_contain_text("C02-2-")
    assert set(query(page)) == {"community", "building", "q"}
    screenshot(page, "rooms-filtered")

    pick(page, "filter-community", "翠湖花园")  # another community: its building is no longer chosen
    page.wait_for_url(lambda url: "building=" not in url and "community=" in url)
    expect(page.get_by_test_id("filter-building")).to_have_text("全部楼栋")

    page.get_by_test_id("filters-reset").click()
    page.wait_for_url(lambda url: urlsplit(url).query == "")
    expect(page.get_by_test_id("search-input")).to_have_value("")  # the typed text goes too, not only the state
    expect(page.get_by_test_id("filter-community")).to_have_text("全部小区")
    expect(rows.first).to_be_visible()
