"""The REST API's small parts: the request budget, cursors, choices that must follow the models, and the one
shape of a refusal."""

import json
from typing import get_args

import pytest

from pm_admin.api.callers import RateLimiter
from pm_admin.api.cursors import decode, encode, next_cursor
from pm_admin.api.errors import ApiRefusal, error_response
from pm_admin.api.integration_routes import TicketStatus
from pm_admin.api.schemas import NewTicket
from pm_admin.portal.services.tickets import OWNER_KINDS
from pm_admin.tickets.models import Status


def test_the_budget_refuses_past_the_limit_then_frees_up_as_the_window_slides():
    limiter = RateLimiter()
    assert [limiter.take("a", 3, now=t) for t in (0.0, 1.0, 2.0)] == [0, 0, 0]
    assert limiter.take("a", 3, now=2.5) == 58  # until the first call leaves the window
    assert limiter.take("b", 3, now=2.5) == 0  # each caller has their own
    assert limiter.take("a", 3, now=60.0) == 0


def test_cursors_round_trip_and_crafted_ones_are_refused():
    assert decode(encode(12345)) == 12345 and decode(None) is None
    assert next_cursor([{"id": 9}, {"id": 7}], 2) == encode(7) and next_cursor([{"id": 9}], 2) is None
    for crafted in ("%%%", "aWQ6LTE", encode(1) + "x" * 40, "MTIz"):
        with pytest.raises(ApiRefusal):
            decode(crafted)


def test_the_documented_choices_follow_the_models():
    assert set(get_args(TicketStatus)) == {status.value for status in Status}
    assert set(get_args(NewTicket.model_fields["kind"].annotation)) == {kind.value for kind in OWNER_KINDS}


def test_a_refusal_whose_message_has_a_status_parameter_keeps_its_own_status():
    answer = error_response(422, "activities.wrong_status", status="done")
    error = json.loads(answer.body)["error"]
    assert answer.status_code == 422 and error["code"] == "activities.wrong_status"
    assert "done" in error["message"]["en"] and "done" in error["message"]["zh-CN"]
