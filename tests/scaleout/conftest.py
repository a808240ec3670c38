"""The scale-out test keeps each test's outcome on its item, so a failure can show the workers' and nginx's logs."""

from __future__ import annotations

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    if call.when == "call":
        item.call_report = outcome.get_result()
