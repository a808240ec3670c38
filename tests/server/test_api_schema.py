"""Schemathesis against the running app's OpenAPI document: generated requests to every operation, as an owner
and as an integration; no answer is a server error and every answer matches the document (status, type, body).

The operations are walked here rather than through schemathesis' pytest plugin, which does not run under pytest 9."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.server.api_support import cli, owner_token, owners_without_account

pytestmark = pytest.mark.server
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 15


@pytest.fixture(scope="module")
def callers(live_server, db):
    (owner_id,) = owners_without_account(db, "C02", count=1)
    integration = cli(live_server, "api-token", "--name", "schemathesis", "--scope", "tickets:create", "--scope",
                      "tickets:read", "--scope", "kpis:read", "--community", "C02", "--per-minute", "6000")
    return {"owner": owner_token(live_server, db, owner_id), "integration": integration}


def exercise(operation, base_url: str, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def answers_within_document(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    answers_within_document()


def test_every_operation_answers_within_its_document(live_server, callers):
    schema = schemathesis.openapi.from_url(live_server.base_url + "/api/v1/openapi.json")
    base_url = live_server.base_url + "/api/v1"
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == "DELETE" and operation.path == "/auth/token":
            continue  # signing out would end the token the other operations use (test_api.py signs out)
        token = callers["integration"] if operation.path.startswith("/integration") else callers["owner"]
        exercise(operation, base_url, {"Authorization": f"Bearer {token}"})
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 14, checked  # every operation of the document was exercised
