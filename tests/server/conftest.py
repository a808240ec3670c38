"""Fixtures of the server tests: the live server's database, for arranging and checking what events did."""

from __future__ import annotations

import pytest

from pm_admin.core.db import make_engine


@pytest.fixture(scope="module")
def db(live_server):
    engine = make_engine(live_server.database_url)
    yield engine
    engine.dispose()
