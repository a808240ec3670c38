"""Domain errors carry i18n message keys, never user-facing text."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of errors a service raises for the UI to show."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NotFound(DomainError):
    def __init__(self, entity: str) -> None:
        super().__init__("error.not_found", entity=entity)


class PermissionDenied(DomainError):
    def __init__(self, reason: str = "error.permission_denied", **params: Any) -> None:
        super().__init__(reason, **params)


class ConcurrencyConflict(DomainError):
    """The row changed since the user loaded it; ``current`` is what is stored now."""

    def __init__(self, current: dict[str, Any] | None = None) -> None:
        super().__init__("error.conflict")
        self.current = current or {}


class ValidationFailed(DomainError):
    """One or more fields are invalid; ``fields`` maps field name to (key, params)."""

    def __init__(self, fields: dict[str, tuple[str, dict[str, Any]]]) -> None:
        super().__init__("error.validation")
        self.fields = fields


class FieldErrors:
    """Collects field errors while validating a form, then raises them together."""

    def __init__(self) -> None:
        self.fields: dict[str, tuple[str, dict[str, Any]]] = {}

    def add(self, field: str, key: str, **params: Any) -> None:
        self.fields.setdefault(field, (key, params))

    def raise_if_any(self) -> None:
        if self.fields:
            raise ValidationFailed(self.fields)
