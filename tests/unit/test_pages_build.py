"""Every page builds, and every literal catalog key a page shows exists: building a page with a missing key
raises here (``ui.i18n.t`` asks ``core.i18n.missing``), not only when a regex family happens to cover it."""

from __future__ import annotations

import pytest

from pm_admin.core import i18n
from pm_admin.pages import register_pages


class RecordingApp:
    def __init__(self) -> None:
        self.pages: dict[str, object] = {}

    def add_page(self, component, *, route: str, **_options) -> None:
        self.pages[route] = component


PAGES = RecordingApp()
register_pages(PAGES)


@pytest.mark.parametrize("route", sorted(PAGES.pages))
def test_the_page_builds_with_every_key_in_the_catalogs(route):
    assert PAGES.pages[route]() is not None


def test_a_missing_key_fails_in_tests_and_is_marked_in_development(monkeypatch):
    from pm_admin.ui.i18n import t

    with pytest.raises(i18n.MissingMessage):
        t("nav.no_such_page")
    with pytest.raises(i18n.MissingMessage):
        i18n.translate("error.no_such_error", "en")

    class Development:
        env = "development"

    monkeypatch.setattr(i18n, "get_settings", lambda: Development())
    assert i18n.translate("error.no_such_error", "en") == "⟦error.no_such_error⟧"
    assert i18n.translate("error.required", "en") == "Required"


def test_the_compiled_state_carries_no_catalog():
    """The app's initial state (what the page bundle embeds) has no catalog: the browser gets its own
    language's with the first state it receives."""
    from pm_admin.core.base_state import AppState

    assert AppState().t == {}
