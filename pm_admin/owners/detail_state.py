"""Owner detail state: profile, rooms, household, occupants, history, timeline; edits and reveal.

Revealed personal data is never a state var, so it is never pickled into Redis (REDIS_URL) or kept by the
in-process state manager. What remains: the plain values cross the websocket once (in the reveal event's
``_set_value`` payloads) and sit in the page's DOM until hidden, the page left or reloaded, another owner
opened, or REVEAL_SECONDS pass (a browser timer clicks "hide"; a tab asleep past that keeps them until it
wakes). The audit log records who revealed what and why.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.change_text import differences
from pm_admin.core.db import read_only, unit_of_work
from pm_admin.core.errors import ConcurrencyConflict, NotFound, ValidationFailed
from pm_admin.core.form_state import FormMixin
from pm_admin.core.guard import requires
from pm_admin.core.ids import route_id
from pm_admin.core.permissions import Perm
from pm_admin.owners import lookups, queries
from pm_admin.owners.services import household as owner_household
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import registry as owner_registry
from pm_admin.owners.services import reveal as owner_reveal
from pm_admin.owners.state import split_tags
from pm_admin.owners.timeline import owner_timeline

# Revealed values live only in these read-only inputs of the page, at most this long.
REVEAL_REFS = {"id_number": "revealed-id-number", "phones": "revealed-phones", "birth_date": "revealed-birth-date"}
REVEAL_SECONDS = 60
# Side-dialog values shown but not typed: a submission never overwrites them.
SIDE_DISPLAY_ONLY = frozenset({"editing", "room_code"})


class OwnerDetailState(FormMixin, ProtectedState):
    owner_found: bool = False
    profile: dict[str, Any] = {}
    rooms: list[dict[str, Any]] = []
    members: list[dict[str, Any]] = []
    occupants: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    timeline: list[dict[str, Any]] = []
    can_edit: bool = False
    can_reveal: bool = False
    # Whether revealed values are on screen. The values themselves never enter the state (which Redis would
    # keep): the reveal event writes them straight into two read-only inputs of the page (rx.set_value);
    # hiding, a reload, another owner, leaving the page or REVEAL_SECONDS empty them again.
    revealed: bool = False
    reveal_open: bool = False
    reveal_error: str = ""
    # Secondary dialogs: household member, occupant, owner change.
    side_dialog: str = ""
    side_form: dict[str, Any] = {}
    side_key: int = 0
    side_errors: dict[str, str] = {}
    side_conflict: str = ""
    duplicate: dict[str, Any] = {}  # {"name": …} of the registered owner a transfer may go to
    _owner_id: int = 0
    # Record ids and versions a dialog works on: set when it opens, never taken from a submitted form.
    _owner_version: int = 0
    _side_member_id: int = 0
    _side_member_version: int = 0
    _side_room_id: int = 0
    _duplicate_id: int = 0

    def _reload(self) -> None:
        principal, owner_id = self.principal, self._owner_id
        with read_only() as session:
            profile = queries.owner_profile(session, principal, owner_id)
            self.owner_found = profile is not None
            if profile is None:
                self.profile, self.rooms, self.members, self.occupants, self.changes, self.timeline = {}, [], [], [], [], []
                return
            self.profile = profile.model_dump()
            self.rooms = [r.model_dump() for r in queries.owned_rooms(session, principal, owner_id)]
            self.members = [m.model_dump() for m in queries.household(session, principal, owner_id)]
            self.occupants = [o.model_dump() for o in queries.occupants(session, principal, owner_id)]
            self.changes = [c.model_dump() for c in queries.change_history(session, principal, owner_id, self.lang)]
            self.timeline = [t.model_dump() for t in owner_timeline(session, principal, owner_id, self.lang)]

    @requires(Perm.OWNERS_VIEW)
    def load(self):
        principal = self.principal
        raw = str(self.rx_router_page.params.get("owner_id", ""))
        self._owner_id = route_id(raw)
        self.can_edit = principal.has(Perm.OWNERS_EDIT)
        self.can_reveal = principal.has(Perm.OWNERS_REVEAL_PII)
        self.reveal_open, self.side_dialog, self.dialog_open = False, "", False
        self._reload()
        return self._clear_revealed()

    # ------------------------------------------------------------ edit profile

    @staticmethod
    def _editable(profile: dict[str, Any]) -> dict[str, Any]:
        """The profile fields the edit form shows as they are (phones, ID number and birth date are typed anew:
        the form never holds them in full; left blank, the stored ones stay)."""
        return {"name": profile["name"], "gender": profile["gender"], "birth_date": "",
                "address": profile["address"], "is_vip": profile["is_vip"], "tags": "、".join(profile["tags"]),
                "notes": profile["notes"]}

    @requires(Perm.OWNERS_EDIT)
    def open_edit(self):
        if not self.owner_found:
            raise NotFound("owner")
        self._owner_version = int(self.profile["version"])
        self._open_form({**self._editable(self.profile), "id_number": "", "phone": "", "phone2": "",
                         "drop_phone2": False})

    @requires(Perm.OWNERS_EDIT)
    def save(self, form: dict[str, Any]):
        data = owner_input.OwnerInput(
            name=str(form.get("name", "")), gender=str(form.get("gender") or "unknown"),
            id_number=str(form.get("id_number", "")),
            phones=[str(form.get("phone", "")), str(form.get("phone2", ""))], address=str(form.get("address", "")),
            is_vip=bool(form.get("is_vip")), tags=split_tags(str(form.get("tags", ""))),
            notes=str(form.get("notes", "")), drop_phone2=bool(form.get("drop_phone2")),
            birth_date=str(form.get("birth_date") or "").strip() or None)  # blank keeps the stored date
        try:
            with unit_of_work() as session:
                allowed = lookups.form_id_lookup(session, self.principal, id_number=data.id_number,
                                                 owner_id=self._owner_id)
            if not allowed:
                raise lookups.throttled_field("id_number")
            with unit_of_work() as session:
                owner_registry.update_owner(session, actor=self.principal, owner_id=self._owner_id,
                                      expected_version=self._owner_version, data=data)
        except (ValidationFailed, ConcurrencyConflict) as error:
            self._save_failed(error, form)
            return None
        self.dialog_open = False
        self._reload()
        return rx.toast.success(self._tr("common.saved"))

    def _save_failed(self, error: Exception, submitted: dict[str, Any]) -> None:
        """A conflict shows, field by field, what the other person saved, and keeps the input. The form then
        carries the current version: saving again, after reading the changes, is a deliberate overwrite."""
        self._keep_input(submitted)
        if not isinstance(error, ConcurrencyConflict):
            super()._save_failed(error, submitted)
            return
        p = self.profile
        mine = {"name": p["name"], "gender": p["gender"], "birth_date": p["birth_date"], "address": p["address"],
                "notes": p["notes"], "is_vip": p["is_vip"], "tags": ", ".join(p["tags"]),
                "phones": ", ".join(p["phones"]), "id_number": p["id_number"]}
        self.errors = {}
        self.conflict = self._tr("owners.conflict", changes=self._tr("owners.clause_separator").join(
            differences(mine, error.current, self.lang)) or "—")
        loaded = self._editable(p)
        self._reload()
        if self.owner_found:
            # Three-way: a field this user did not touch takes the colleague's value; a field they changed keeps
            # theirs. Saving again is then a deliberate choice over what the banner showed.
            fresh = self._editable(self.profile)
            typed = {**loaded, **{k: v for k, v in submitted.items() if k in loaded},
                     "is_vip": bool(submitted.get("is_vip"))}
            merged = {k: fresh[k] if str(typed[k]) == str(loaded[k]) else typed[k] for k in loaded}
            self.form = {**{k: v for k, v in self.form.items() if k != "version"}, **merged}
            self._owner_version = int(self.profile["version"])
            self.form_key += 1

    # ------------------------------------------------------------ reveal personal data

    @requires(Perm.OWNERS_REVEAL_PII)
    def open_reveal(self):
        self.reveal_open, self.reveal_error = True, ""

    @requires()
    def close_reveal(self, _open: bool = False):
        self.reveal_open = False

    @requires(Perm.OWNERS_REVEAL_PII)
    def reveal(self, form: dict[str, Any]):
        try:
            with unit_of_work() as session:
                shown = owner_reveal.reveal_pii(session, actor=self.principal, owner_id=self._owner_id,
                                            reason=str(form.get("reason", "")))
        except ValidationFailed as error:
            self.reveal_error = next(iter(self._field_messages(error).values()))
            return None
        self.revealed, self.reveal_open = True, False
        hide_later = (f"clearTimeout(window.pmRevealTimer); window.pmRevealTimer = setTimeout(() => "
                      f"document.querySelector('[data-testid=hide-pii]')?.click(), {REVEAL_SECONDS * 1000})")
        return [rx.set_value(REVEAL_REFS["id_number"], shown.id_number or "—"),
                rx.set_value(REVEAL_REFS["phones"], self._tr("import.list_separator").join(shown.phones) or "—"),
                rx.set_value(REVEAL_REFS["birth_date"], shown.birth_date or "—"), rx.call_script(hide_later)]

    def _clear_revealed(self):
        self.revealed = False
        return [rx.set_value(ref, "") for ref in REVEAL_REFS.values()]

    @requires()
    def hide_revealed(self):
        return self._clear_revealed()

    # ------------------------------------------------------------ household, occupants, owner change

    def _open_side(self, dialog: str, values: dict[str, Any], *, member_id: int = 0, member_version: int = 0,
                   room_id: int = 0) -> None:
        self.side_dialog, self.side_form, self.side_errors, self.duplicate = dialog, values, {}, {}
        self._side_member_id, self._side_member_version, self._side_room_id = member_id, member_version, room_id
        self._duplicate_id = 0
        self.side_conflict = ""
        self.side_key += 1

    @requires()
    def close_side(self, _open: bool = False):
        self.side_dialog = ""

    def _keep_side_input(self, form: dict[str, Any]) -> None:
        """Keep what the user typed in the dialog's own input fields; nothing else of the submission."""
        typed = {k: v for k, v in form.items() if k in self.side_form and k not in SIDE_DISPLAY_ONLY}
        self.side_form = {**self.side_form, **typed}
        self.side_key += 1

    def _side_failed(self, error: ValidationFailed, form: dict[str, Any]) -> None:
        self._keep_side_input(form)
        self.side_errors = self._field_messages(error)

    def _side_done(self):
        self.side_dialog = ""
        self._reload()
        return rx.toast.success(self._tr("common.saved"))

    @requires(Perm.OWNERS_EDIT)
    def open_member(self, member_id: int = 0):
        member = next((m for m in self.members if m["id"] == member_id), None)
        if member is None:
            self._open_side("member", {"editing": False, "relation": "spouse", "name": "", "phone": "",
                                       "id_number": ""})
        else:
            self._open_side("member", {"editing": True, "relation": member["relation"], "name": member["name"],
                                       "phone": "", "id_number": ""},
                            member_id=int(member["id"]), member_version=int(member["version"]))

    @requires(Perm.OWNERS_EDIT)
    def save_member(self, form: dict[str, Any]):
        """Add a member, or correct the one the dialog was opened for (its id and version stay server-side)."""
        fields = {"relation": str(form.get("relation", "")), "name": str(form.get("name", "")),
                  "phone": str(form.get("phone", "")), "id_number": str(form.get("id_number", ""))}
        try:
            with unit_of_work() as session:
                if self._side_member_id:
                    owner_household.update_member(session, actor=self.principal, member_id=self._side_member_id,
                                           expected_version=self._side_member_version, **fields)
                else:
                    owner_household.add_member(session, actor=self.principal, owner_id=self._owner_id, **fields)
        except ValidationFailed as error:
            self._side_failed(error, form)
            return None
        except ConcurrencyConflict:
            self._side_failed(ValidationFailed({}), form)
            self.side_conflict = self._tr("owners.member_conflict")
            self._reload()
            current = next((m for m in self.members if m["id"] == self._side_member_id), None)
            if current is not None:
                self._side_member_version = int(current["version"])
            return None
        return self._side_done()

    @requires(Perm.OWNERS_EDIT)
    def remove_member(self, member_id: int):
        member = next((m for m in self.members if m["id"] == member_id), None)
        if member is None:
            return None
        with unit_of_work() as session:
            owner_household.remove_member(session, actor=self.principal, member_id=member_id,
                                   expected_version=int(member["version"]))
        self._reload()
        return rx.toast.success(self._tr("common.saved"))

    @requires(Perm.OWNERS_EDIT)
    def open_occupant(self, room_id: int):
        if any(r["room_id"] == room_id and not r["ended_on"] for r in self.rooms):
            self._open_side("occupant", {"kind": "tenant", "name": "", "phone": "", "id_number": "",
                                         "started_on": date.today().isoformat()}, room_id=room_id)

    @requires(Perm.OWNERS_EDIT)
    def add_occupant(self, form: dict[str, Any]):
        try:
            with unit_of_work() as session:
                owner_household.add_occupant(session, actor=self.principal, room_id=self._side_room_id,
                                      kind=str(form.get("kind", "")), name=str(form.get("name", "")),
                                      phone=str(form.get("phone", "")), id_number=str(form.get("id_number", "")),
                                      started_on=str(form.get("started_on", "")))
        except ValidationFailed as error:
            self._side_failed(error, form)
            return None
        return self._side_done()

    @requires(Perm.OWNERS_EDIT)
    def end_occupant(self, occupant_id: int):
        if not any(o["id"] == occupant_id for o in self.occupants):
            return None
        with unit_of_work() as session:
            owner_household.end_occupant(session, actor=self.principal, occupant_id=occupant_id, ended_on=date.today())
        self._reload()
        return rx.toast.success(self._tr("common.saved"))

    @requires(Perm.OWNERS_EDIT)
    def open_transfer(self, room_id: int):
        room = next((r for r in self.rooms if r["room_id"] == room_id and not r["ended_on"]), None)
        if room is not None:
            self._open_side("transfer", {"room_code": room["room_code"], "transfer_date": date.today().isoformat(),
                                         "name": "", "gender": "unknown", "id_number": "", "phone": "",
                                         "share": "100"}, room_id=room_id)

    @requires(Perm.OWNERS_EDIT)
    def transfer(self, form: dict[str, Any]):
        """业主更替 to a new owner, or to the registered owner the duplicate ID number pointed at."""
        try:
            new_owner = owner_input.OwnerInput(name=str(form.get("name", "")), gender=str(form.get("gender") or "unknown"),
                                            id_number=str(form.get("id_number", "")),
                                            phones=[str(form.get("phone", ""))])
            with unit_of_work() as session:
                owner = owner_registry.change_room_owner(
                    session, actor=self.principal, room_id=self._side_room_id,
                    transfer_date=str(form.get("transfer_date", "")),
                    new_owner_id=self._duplicate_id or None,
                    new_owner=None if self._duplicate_id else new_owner, share=str(form.get("share") or "100"),
                    expected_owner_id=self._owner_id)
        except owner_input.DuplicateOwner as duplicate:
            self._side_failed(duplicate, form)
            self._duplicate_id, self.duplicate = duplicate.existing_id, {"name": duplicate.existing_name}
            return None
        except ValidationFailed as error:
            self._side_failed(error, form)
            return None
        except ConcurrencyConflict as conflict:
            # The room changed hands meanwhile: say to whom, keep the dialog and what was typed.
            self._keep_side_input(form)
            self.side_errors = {}
            self.side_conflict = self._tr("owners.transfer_conflict",
                                          owners=self._tr("import.list_separator").join(
                                              conflict.current.get("owner_names", [])) or "—")
            self._reload()
            return None
        self.side_dialog = ""
        return [rx.toast.success(self._tr("owners.transfer_done")), rx.redirect(f"/owners/{owner.id}")]
