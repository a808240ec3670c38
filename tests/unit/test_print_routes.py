"""The print layouts (issue 17 item 9) are guarded like the pages they print: the same permission, checked by the
shell before their load runs (a role without it gets the 无权限 page), and the same queries for the scope."""

import pytest

from pm_admin.pages import register_pages
from pm_admin.shell import access
from tests.unit.test_pages_build import RecordingApp

PRINTS = {"/print/tickets/[ticket_id]": "/tickets/[ticket_id]", "/print/tickets/review": "/tickets/review",
          "/print/archives": "/archives"}


@pytest.fixture(scope="module", autouse=True)
def registered():
    register_pages(RecordingApp())


@pytest.mark.parametrize("route", sorted(PRINTS))
def test_a_print_layout_asks_for_its_pages_permission(route):
    printed, page = access.page_of(route), access.page_of(PRINTS[route])
    assert printed is not None and printed.permissions == page.permissions
    assert printed.after == ()  # no header, so no bell to load


def test_the_print_layouts_need_these_permissions():
    assert access.page_of("/print/tickets/review").permissions == ("tickets.review",)
    assert access.page_of("/print/archives").permissions == ("archives.view",)
