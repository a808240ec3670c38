"""Fixtures of the server tests: the live server's database, for arranging and checking what events did, and a
client of its REST API."""

from __future__ import annotations

import httpx
import pytest

from pm_admin.core.db import make_engine


@pytest.fixture(scope="module")
def db(live_server):
    engine = make_engine(live_server.database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def api(live_server):
    """A client of the live server's REST API (``/api/v1``)."""
    with httpx.Client(base_url=live_server.base_url + "/api/v1", timeout=30) as client:
        yield client
