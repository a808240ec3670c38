"""Fixtures shared by the database tests."""

import pytest

from tests.support.ticket_desk import make_desk


@pytest.fixture
def desk(session):
    return make_desk(session)
