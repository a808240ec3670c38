"""Dialog-form bookkeeping for states that edit records: errors beside fields, conflicts kept."""

from __future__ import annotations

import json
from typing import Any

import reflex as rx

from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.core.guard import requires


class FormMixin(rx.State, mixin=True):
    """Dialog form state: the record being edited, field errors and a concurrency conflict."""

    dialog_open: bool = False
    form: dict[str, Any] = {}
    form_key: int = 0
    errors: dict[str, str] = {}
    conflict: str = ""

    def _open_form(self, values: dict[str, Any]) -> None:
        self.form, self.errors, self.conflict = values, {}, ""
        self.form_key += 1
        self.dialog_open = True

    def _keep_input(self, submitted: dict[str, Any]) -> None:
        """After a refused save the dialog shows what the user typed, not the stored values."""
        self.form = {**self.form, **{k: v for k, v in submitted.items() if k in self.form}}
        self.form_key += 1

    def _save_failed(self, error: Exception, submitted: dict[str, Any]) -> None:
        self._keep_input(submitted)
        if isinstance(error, ValidationFailed):
            self.errors = self._field_messages(error)
        elif isinstance(error, ConcurrencyConflict):
            self.errors = {}
            self.conflict = self._tr("error.conflict_detail",
                                     current=json.dumps(error.current, ensure_ascii=False))

    def _saved(self):
        """Close the dialog, show the fresh page and confirm."""
        self.dialog_open = False
        self._load()
        return rx.toast.success(self._tr("common.saved"))

    @requires()
    def close_dialog(self, _open: bool = False):
        self.dialog_open = False
