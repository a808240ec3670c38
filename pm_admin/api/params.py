"""What every router of the API shares: the documented refusals, and the typed headers, ids and paging parameters."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Path, Query

from pm_admin.api import cursors
from pm_admin.api.callers import IntegrationCaller, OwnerCaller, integration_caller, owner_caller
from pm_admin.api.errors import ErrorResponse
from pm_admin.core.ids import MAX_ID

ERRORS = {status: {"model": ErrorResponse} for status in (400, 401, 403, 404, 409, 422, 429)}
Owner = Annotated[OwnerCaller, Depends(owner_caller)]
Integration = Annotated[IntegrationCaller, Depends(integration_caller)]
Language = Annotated[str | None, Header(alias="Accept-Language", max_length=200)]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
Limit = Annotated[int, Query(ge=1, le=cursors.MAX_LIMIT)]
Cursor = Annotated[str | None, Query(max_length=64)]
