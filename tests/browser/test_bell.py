"""The header bell counts the user's waiting work as the services count it, each figure a link to its list; it says
没有未读提醒 only when there is nothing."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import expect
from sqlmodel import Session, select

from pm_admin.auth.models import LoginSession, User
from pm_admin.auth.services import principal_for
from pm_admin.core.clock import utcnow
from pm_admin.core.permissions import ClientInfo
from pm_admin.home.reminders import reminders
from tests.browser.conftest import screenshot
from tests.browser.test_login_and_menus import at_home, log_in


def _expected(db, username: str):
    with Session(db) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        login = LoginSession(user_id=user.id, created_at=utcnow(), last_seen_at=utcnow())
        session.add(login)
        session.flush()
        found = reminders(session, principal_for(session, login, user, ClientInfo(ip="127.0.0.1", user_agent="t")))
        session.rollback()
    return [r for r in found if r.count > 0]


def test_the_managers_bell_counts_what_the_services_count_and_links_to_the_lists(page, db):
    log_in(page, "demo.manager")
    page.wait_for_url(at_home)
    expected = _expected(db, "demo.manager")
    assert expected, "the demo data gives a manager waiting work"
    page.get_by_test_id("notice-bell").click()
    panel = page.get_by_test_id("bell-panel")
    expect(panel.get_by_test_id("bell-item")).to_have_count(len(expected))
    for reminder in expected:
        expect(panel.locator(f"[data-key='{reminder.key}'] [data-testid=bell-count]")).to_have_text(str(reminder.count))
    expect(panel.get_by_test_id("bell-empty")).to_have_count(0)
    screenshot(page, "bell-manager")
    first = expected[0]
    panel.locator(f"[data-key='{first.key}']").click()
    page.wait_for_url(lambda url: urlsplit(url).path == urlsplit(first.href).path)
    assert urlsplit(page.url).query == urlsplit(first.href).query
    expect(page.get_by_test_id("no-access")).to_have_count(0)


def test_a_cs_bell_and_an_executive_with_nothing_waiting(page, db):
    log_in(page, "demo.cs")
    page.wait_for_url(at_home)
    expected = _expected(db, "demo.cs")
    page.get_by_test_id("notice-bell").click()
    panel = page.get_by_test_id("bell-panel")
    expect(panel.get_by_test_id("bell-item")).to_have_count(len(expected))
    for reminder in expected:
        expect(panel.locator(f"[data-key='{reminder.key}'] [data-testid=bell-count]")).to_have_text(str(reminder.count))
    if expected:
        overdue = next((r for r in expected if r.key == "bell.tickets_overdue"), expected[0])
        panel.locator(f"[data-key='{overdue.key}']").click()
        page.wait_for_url(lambda url: urlsplit(url).path == urlsplit(overdue.href).path)
    page.context.clear_cookies()
    log_in(page, "demo.executive")
    page.wait_for_url(at_home)
    assert _expected(db, "demo.executive") == []
    page.get_by_test_id("notice-bell").click()
    expect(page.get_by_test_id("bell-empty")).to_have_text("没有未读提醒")
    expect(page.get_by_test_id("notice-count")).to_have_count(0)
    screenshot(page, "bell-executive-empty")
