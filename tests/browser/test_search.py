"""The header's global search: Ctrl+K opens the palette, results grouped, ↓ + Enter opens the owner; a cs of C01
never finds an owner of C02; phones only masked."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import expect
from sqlmodel import Session

from pm_admin.owners.models import Owner, Ownership
from pm_admin.places.models import Community
from tests.browser.conftest import screenshot
from tests.browser.test_login_and_menus import at_home, log_in


def _owner_names(db, community_code: str) -> set[str]:
    with Session(db) as session:
        return set(session.scalars(sa.select(Owner.name).join(Ownership, Ownership.owner_id == Owner.id)
                                   .join(Community, Community.id == Ownership.community_id)
                                   .where(Community.code == community_code, Ownership.ended_on.is_(None))).all())


def _open_palette(page):
    """Ctrl+K, once the page has hydrated (a key pressed before that reaches no React handler)."""
    page.get_by_test_id("community-switcher").filter(has_text=re.compile(r"\S")).wait_for()
    for _ in range(20):
        page.keyboard.press("Control+k")
        if page.get_by_test_id("global-search").count():
            break
        page.wait_for_timeout(250)
    box = page.get_by_test_id("global-search-input")
    expect(box).to_be_focused()
    return box


def test_ctrl_k_finds_an_owner_by_name_and_arrow_enter_opens_it(page, db):
    c01 = _owner_names(db, "C01")
    name = sorted(n for n in c01 if len(n) == 3)[0]  # a whole name: few owners share it
    with Session(db) as session:
        owner_ids = set(session.scalars(sa.select(Owner.id).where(Owner.name == name)).all())
    log_in(page, "demo.cs")
    page.wait_for_url(at_home)
    _open_palette(page).fill(name)
    owners = page.locator("[data-testid=search-group][data-group=owners]")
    expect(owners.get_by_test_id("search-hit").first).to_contain_text(name)
    palette = page.get_by_test_id("global-search")
    assert "****" in palette.inner_text()  # the owner's phone, masked
    assert not re.search(r"1\d{10}", palette.inner_text())  # never a whole number
    screenshot(page, "search-palette")
    href = owners.get_by_test_id("search-hit").first.get_attribute("href")
    page.keyboard.press("ArrowDown")
    expect(owners.get_by_test_id("search-hit").first).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/owners/\d+$"))
    assert page.url.endswith(href) and int(href.rsplit("/", 1)[1]) in owner_ids
    expect(page.get_by_test_id("global-search")).to_have_count(0)  # the palette closed behind it


def test_a_cs_of_c01_never_finds_an_owner_of_c02(page, db):
    only_c02 = sorted(n for n in _owner_names(db, "C02") - _owner_names(db, "C01") if len(n) == 3)[0]
    log_in(page, "demo.cs")
    page.wait_for_url(at_home)
    _open_palette(page).fill(only_c02)
    expect(page.get_by_test_id("search-nothing")).to_be_visible()
    expect(page.locator("[data-testid=search-group][data-group=owners]")).to_have_count(0)
    # The header box opens the same palette; a room code of C01 finds the room and its archive.
    page.keyboard.press("Escape")
    page.get_by_test_id("global-search-open").click()
    page.get_by_test_id("global-search-input").fill("C01-1-1-")
    expect(page.locator("[data-testid=search-group][data-group=rooms] [data-testid=search-hit]").first) \
        .to_contain_text("C01-1-1-")
    screenshot(page, "search-palette-rooms")
