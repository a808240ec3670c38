"""One error shape for every refusal, in both languages:
``{"error": {"code", "message": {"zh-CN", "en"}, "fields": {name: {"code", "message"}}}}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException

from pm_admin.core.errors import ConcurrencyConflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.i18n import LANGUAGES, translate

logger = logging.getLogger(__name__)


class FieldProblem(BaseModel):
    code: str
    message: dict[str, str]


class ErrorBody(BaseModel):
    code: str
    message: dict[str, str]
    fields: dict[str, FieldProblem] = {}


class ErrorResponse(BaseModel):
    error: ErrorBody


def messages(key: str, /, **params: Any) -> dict[str, str]:
    return {language: translate(key, language, **params) for language in LANGUAGES}


def error_response(status: int, key: str, /, *, fields: dict[str, FieldProblem] | None = None,
                   headers: dict[str, str] | None = None, **params: Any) -> JSONResponse:
    """``status`` and ``key`` are positional only: a message's own parameters may use those names (the
    ``status`` of ``activities.wrong_status``)."""
    body = ErrorResponse(error=ErrorBody(code=key, message=messages(key, **params), fields=fields or {}))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


class ApiRefusal(Exception):
    """A refusal the API itself decides (a bad cursor, a token without the scope, too many requests)."""

    def __init__(self, status: int, key: str, headers: dict[str, str] | None = None, **params: Any) -> None:
        super().__init__(key)
        self.status, self.key, self.headers, self.params = status, key, headers, params


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiRefusal)
    async def refused(_request: Request, error: ApiRefusal):
        return error_response(error.status, error.key, headers=error.headers, **error.params)

    @app.exception_handler(ValidationFailed)
    async def invalid(_request: Request, error: ValidationFailed):
        fields = {name: FieldProblem(code=key, message=messages(key, **params))
                  for name, (key, params) in error.fields.items()}
        return error_response(422, "error.validation_failed", fields=fields)

    @app.exception_handler(NotFound)
    async def missing(_request: Request, _error: NotFound):
        return error_response(404, "error.not_found")

    @app.exception_handler(PermissionDenied)
    async def denied(_request: Request, error: PermissionDenied):
        # Out of scope reads as missing: an id of another community or owner says nothing about it.
        if error.key in ("error.out_of_scope", "portal.not_your_room"):
            return error_response(404, "error.not_found")
        return error_response(403, "error.permission_denied")

    @app.exception_handler(ConcurrencyConflict)
    @app.exception_handler(StaleDataError)
    async def conflict(_request: Request, _error: Exception):
        return error_response(409, "error.conflict")

    @app.exception_handler(DomainError)
    async def domain(_request: Request, error: DomainError):
        return error_response(422, error.key, **error.params)

    @app.exception_handler(RequestValidationError)
    async def malformed(_request: Request, error: RequestValidationError):
        fields = {}
        for problem in error.errors():
            name = ".".join(str(part) for part in problem.get("loc", ())[1:]) or "body"
            fields[name] = FieldProblem(code="error.invalid_value", message=messages("error.invalid_value"))
        return error_response(422, "error.validation_failed", fields=fields)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception):
        logger.exception("api: unexpected error on %s %s", request.method, request.url.path, exc_info=error)
        return error_response(500, "error.unexpected")

    @app.exception_handler(HTTPException)
    async def http(_request: Request, error: HTTPException):
        key = {404: "error.not_found", 405: "api.method_not_allowed"}.get(error.status_code, "error.invalid_request")
        return error_response(error.status_code, key)
