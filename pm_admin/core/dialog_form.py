"""One dialog of a page: ``class RoomForm(DialogForm, RoomsState)`` — a substate of the page's state.

A subclass says what the dialog opens with and which service saves it; the kit does the rest:

* ``opened`` apart from the content, so a closing dialog keeps its title and text while it fades;
* ``values`` the inputs start from, ``subject`` what the dialog is about (shown, never typed), ``errors`` beside
  the fields in the reader's language, ``conflict`` naming field by field what a colleague saved first;
* the record id and version stay on the server (``_record_id``, ``_version``): a submitted form never sets them;
* a refused save keeps what the user typed: the inputs stay as they are (they are not remounted), and ``values``
  takes the typed text so a later remount shows it too; typed personal data (``_PRIVATE``: an ID number, a
  phone) stays in the page only, never in the state;
* after a conflict ``values`` holds the merge and ``form_key`` remounts the uncontrolled inputs to show it.

Being a substate of the page's state, a dialog reads and writes the page's vars (``self.rows``,
``self._load()``) as its own. A page's ``load`` closes its dialogs with ``await close_dialogs(self)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from pm_admin.core.change_text import differences
from pm_admin.core.db import unit_of_work
from pm_admin.core.errors import ConcurrencyConflict, DomainError, ValidationFailed
from pm_admin.core.guard import requires


class DialogForm(rx.State, mixin=True):
    opened: bool = False
    editing: bool = False  # a stored record (its id is server-side), not a new one
    values: dict[str, Any] = {}
    subject: dict[str, Any] = {}
    errors: dict[str, str] = {}
    conflict: str = ""
    form_key: int = 0
    _record_id: int = 0
    _version: int = 0
    # What the inputs held when the dialog opened (then what the colleague saved): a conflict's three-way merge.
    _loaded: dict[str, Any] = {}

    # The entity edited, for field names in conflict messages (``field.<entity>.<field>``).
    _ENTITY: ClassVar[str] = ""
    # The toast of a save.
    _SAVED: ClassVar[str] = "common.saved"
    # Inputs holding personal data: what is typed there is never copied into the state.
    _PRIVATE: ClassVar[frozenset[str]] = frozenset()
    # Checkboxes: absent from a submission means unticked.
    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset()

    # ------------------------------------------------------------ what a subclass calls

    def _open(self, values: dict[str, Any], *, record_id: int = 0, version: int = 0,
              subject: dict[str, Any] | None = None) -> None:
        self.values, self._loaded, self.subject = dict(values), dict(values), dict(subject or {})
        self._record_id, self._version, self.editing = int(record_id or 0), int(version or 0), bool(record_id)
        self.errors, self.conflict = {}, ""
        self.form_key += 1
        self.opened = True

    def _close(self) -> None:
        self.opened = False

    def _require_open(self) -> None:
        """A save with no dialog open (a crafted event) is refused: the dialog's record is what was opened."""
        if not self.opened:
            raise DomainError("error.invalid_request")

    def _submit(self, form: dict[str, Any], write: Callable[[Session], Any]):
        """Save through ``write`` in one transaction: refused, the dialog stays with the input and the reasons;
        saved, it closes and the page reloads."""
        self._require_open()
        try:
            with unit_of_work() as session:
                result = write(session)
        except (ValidationFailed, ConcurrencyConflict) as error:
            return self._refused(error, form)
        return self._saved(result)

    def _refused(self, error: ValidationFailed | ConcurrencyConflict, submitted: dict[str, Any]):
        """The dialog shows what the user typed and why it was refused (beside the fields, or the conflict).
        A subclass may answer otherwise (close and toast) by returning events."""
        self._keep_input(submitted)
        self.errors, self.conflict = {}, ""
        if isinstance(error, ValidationFailed):
            self.errors = self._field_messages(error)
        else:
            self._conflicted(error.current)

    def _fail(self, field: str, key: str, **params: Any) -> None:
        """One message beside one field, the input kept (a refusal the state itself decides, e.g. a throttle)."""
        self.errors = {field: self._tr(key, **params)}

    # ------------------------------------------------------------ hooks a subclass may override

    def _saved(self, result: Any = None):
        """Close, show the fresh page and confirm."""
        self._close()
        self._after_save()
        return rx.toast.success(self._tr(self._SAVED))

    def _after_save(self) -> None:
        self._load()

    # ------------------------------------------------------------ the kit's own

    def _keep_input(self, submitted: dict[str, Any]) -> None:
        """Only the dialog's own inputs: a submission adds no key and never reaches the record id or version."""
        typed = {k: v for k, v in submitted.items() if k in self.values and k not in self._PRIVATE}
        typed |= {k: submitted.get(k) in (True, "on", "true") for k in self._CHECKBOXES if k in self.values}
        self.values = {**self.values, **typed}

    def _conflicted(self, current: dict[str, Any]) -> None:
        """Say what the other person saved and keep what this user changed; fields this user left alone take
        the other person's values. The dialog then carries the current version, so saving again, after
        reading the changes, is deliberate."""
        theirs = {k: v for k, v in current.items() if k in self._loaded and k not in self._PRIVATE}
        changes = differences(self._loaded, theirs, self.lang, self._ENTITY)
        self.conflict = self._tr("error.conflict_detail",
                                 current="；".join(changes) or self._tr("error.conflict_unseen"))
        untouched = {k: v for k, v in theirs.items() if k in self.values and str(self.values[k]) == str(self._loaded[k])}
        self._loaded = {**self._loaded, **theirs}
        self.values = {**self.values, **untouched}
        if current.get("version") is not None:
            self._version = int(current["version"])
        self.form_key += 1  # the inputs show the merge

    @requires()
    def close(self, _open: bool = False):
        self.opened = False


def dialog_classes(state_cls: type) -> list[type]:
    """The dialogs of a page state: its DialogForm substates."""
    return [sub for sub in state_cls.get_substates() if issubclass(sub, DialogForm)]


async def close_dialogs(state: rx.State) -> None:
    """A page (re)loaded starts with its dialogs closed."""
    for dialog_cls in dialog_classes(type(state)):
        (await state.get_state(dialog_cls)).opened = False
