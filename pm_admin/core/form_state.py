"""Dialog-form bookkeeping for states that edit records: errors beside fields, conflicts kept."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.core.change_text import differences
from pm_admin.core.errors import ConcurrencyConflict, ValidationFailed
from pm_admin.core.guard import requires


class FormMixin(rx.State, mixin=True):
    """Dialog form state: the record being edited, field errors and a concurrency conflict."""

    dialog_open: bool = False
    form: dict[str, Any] = {}
    form_key: int = 0
    errors: dict[str, str] = {}
    conflict: str = ""
    # What the dialog opened with (record id and version included): the server's copy, never the browser's.
    _loaded: dict[str, Any] = {}

    # Keys that identify the record: a submitted form can never set them.
    _RECORD_KEYS: ClassVar[frozenset[str]] = frozenset({"id", "version"})
    # The entity edited, for field names in conflict messages (``field.<entity>.<field>``).
    _ENTITY: ClassVar[str] = ""

    def _open_form(self, values: dict[str, Any]) -> None:
        self.form, self.errors, self.conflict = values, {}, ""
        self._loaded = dict(values)
        self.form_key += 1
        self.dialog_open = True

    def _keep_input(self, submitted: dict[str, Any]) -> None:
        """After a refused save the dialog shows what the user typed, not the stored values."""
        typed = {k: v for k, v in submitted.items() if k in self.form and k not in self._RECORD_KEYS}
        self.form = {**self.form, **typed, **{k: self._loaded[k] for k in self._RECORD_KEYS if k in self._loaded}}
        self.form_key += 1

    def _save_failed(self, error: Exception, submitted: dict[str, Any]) -> None:
        self._keep_input(submitted)
        if isinstance(error, ValidationFailed):
            self.errors = self._field_messages(error)
        elif isinstance(error, ConcurrencyConflict):
            self._conflicted(error.current)

    def _conflicted(self, current: dict[str, Any]) -> None:
        """Say what the other person saved and keep what this user changed; fields this user left alone take
        the other person's values. The dialog then carries the current version, so saving again, after
        reading the changes, is deliberate."""
        version, self.conflict = self._describe_conflict(self._loaded, current)
        theirs = {k: v for k, v in current.items() if k in self._loaded and k not in self._RECORD_KEYS}
        untouched = {k: v for k, v in theirs.items() if k in self.form and str(self.form[k]) == str(self._loaded[k])}
        self._loaded = {**self._loaded, **theirs, **({"version": version} if version is not None else {})}
        self.form = {**self.form, **untouched, **{k: self._loaded[k] for k in self._RECORD_KEYS if k in self._loaded}}
        self.errors = {}

    def _describe_conflict(self, loaded: dict[str, Any], current: dict[str, Any]) -> tuple[int | None, str]:
        """(the stored version, the message naming each field the other person changed)."""
        theirs = {k: v for k, v in current.items() if k != "version"}
        changes = differences({k: v for k, v in loaded.items() if k not in self._RECORD_KEYS}, theirs, self.lang,
                              self._ENTITY)
        message = self._tr("error.conflict_detail", current="；".join(changes) or self._tr("error.conflict_unseen"))
        return current.get("version"), message

    def _saved(self):
        """Close the dialog, show the fresh page and confirm."""
        self.dialog_open = False
        self._load()
        return rx.toast.success(self._tr("common.saved"))

    @requires()
    def close_dialog(self, _open: bool = False):
        self.dialog_open = False
