"""A dialog whose typed ID number may belong to a registered owner: the refusal offers that owner instead."""

from __future__ import annotations

from typing import Any

import reflex as rx

from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.owners.services import owner_input


class RegisteredOwnerOffer(rx.State, mixin=True):
    duplicate: dict[str, Any] = {}  # {"name": …} of the registered owner the ID number belongs to
    _duplicate_id: int = 0  # that owner: set by the server when it offers them, never by the browser

    def _forget_offer(self) -> None:
        self.duplicate, self._duplicate_id = {}, 0

    def _refused(self, error: ValidationFailed | ConcurrencyConflict, submitted: dict[str, Any]):
        super()._refused(error, submitted)
        if isinstance(error, owner_input.DuplicateOwner):
            self._duplicate_id, self.duplicate = error.existing_id, {"name": error.existing_name}
