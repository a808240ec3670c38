"""Owner detail state: profile, rooms, household, occupants, history, timeline; edits and reveal.

Revealed personal data is never a state var, so it is never pickled into Redis (REDIS_URL) or kept by the
in-process state manager. What remains: the plain values cross the websocket once (in the reveal event's
``_set_value`` payloads) and sit in the page's DOM until hidden, the page left or reloaded, another owner
opened, or REVEAL_SECONDS pass (a browser timer clicks "hide"; a tab asleep past that keeps them until it
wakes). The audit log records who revealed what and why.
"""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.change_text import differences
from pm_admin.core.clock import local_today
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import ConcurrencyConflict, NotFound, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import route_id
from pm_admin.core.permissions import Perm
from pm_admin.owners import lookups, queries
from pm_admin.owners.services import household as owner_household
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import registry as owner_registry
from pm_admin.owners.services import reveal as owner_reveal
from pm_admin.owners.states.duplicate_offer import RegisteredOwnerOffer
from pm_admin.owners.states.owners import form_owner_input
from pm_admin.owners.timeline import owner_timeline

# Revealed values live only in these read-only inputs of the page, at most this long.
REVEAL_REFS = {"id_number": "revealed-id-number", "phones": "revealed-phones", "birth_date": "revealed-birth-date"}
REVEAL_SECONDS = 60
# Personal data typed into a dialog stays in the page: never copied into the state.
TYPED_PII = frozenset({"id_number", "phone", "phone2", "birth_date"})


class OwnerDetailState(ProtectedState):
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
    _owner_id: int = 0

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

    def _load(self) -> None:
        self._reload()

    @requires(Perm.OWNERS_VIEW)
    async def load(self):
        raw = str(self.rx_router_page.params.get("owner_id", ""))
        self._owner_id = route_id(raw)
        self.can_edit = self.principal.has(Perm.OWNERS_EDIT)
        self.can_reveal = self.principal.has(Perm.OWNERS_REVEAL_PII)
        await close_dialogs(self)
        await off_loop(self._reload)
        return self._clear_revealed()

    def _clear_revealed(self):
        self.revealed = False
        return [rx.set_value(ref, "") for ref in REVEAL_REFS.values()]

    @requires()
    def hide_revealed(self):
        return self._clear_revealed()

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
    def end_occupant(self, occupant_id: int):
        if not any(o["id"] == occupant_id for o in self.occupants):
            return None
        with unit_of_work() as session:
            owner_household.end_occupant(session, actor=self.principal, occupant_id=occupant_id, ended_on=local_today())
        self._reload()
        return rx.toast.success(self._tr("common.saved"))


# ---------------------------------------------------------------- edit the profile


def _editable(profile: dict[str, Any]) -> dict[str, Any]:
    """The profile fields the edit form shows as they are (phones, ID number and birth date are typed anew:
    the form never holds them in full; left blank, the stored ones stay)."""
    return {"name": profile["name"], "gender": profile["gender"], "address": profile["address"],
            "is_vip": profile["is_vip"], "tags": "、".join(profile["tags"]), "notes": profile["notes"]}


class OwnerEditForm(DialogForm, OwnerDetailState):
    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset({"is_vip"})
    _PRIVATE: ClassVar[frozenset[str]] = TYPED_PII

    @requires(Perm.OWNERS_EDIT)
    def open_edit(self):
        if not self.owner_found:
            raise NotFound("owner")
        self._open({**_editable(self.profile), "id_number": "", "phone": "", "phone2": "", "birth_date": ""},
                   record_id=self._owner_id, version=int(self.profile["version"]))

    @requires(Perm.OWNERS_EDIT)
    def save(self, form: dict[str, Any]):
        self._require_open()
        data = form_owner_input(form)
        data.drop_phone2 = bool(form.get("drop_phone2"))
        data.birth_date = str(form.get("birth_date") or "").strip() or None  # blank keeps the stored date
        try:
            with unit_of_work() as session:  # the lookup is audited even when the save is refused
                allowed = lookups.form_id_lookup(session, self.principal, id_number=data.id_number,
                                                 owner_id=self._owner_id)
            if not allowed:
                raise lookups.throttled_field("id_number")
            with unit_of_work() as session:
                owner_registry.update_owner(session, actor=self.principal, owner_id=self._owner_id,
                                      expected_version=self._version, data=data)
        except (ValidationFailed, ConcurrencyConflict) as error:
            self._refused(error, form)
            return None
        return self._saved()

    def _conflicted(self, current: dict[str, Any]) -> None:
        """What the colleague saved, in words (their phones and ID number masked as everywhere); then, three-way,
        a field this user did not touch takes the colleague's value and one they changed keeps theirs. Saving
        again is a deliberate choice over what the banner showed."""
        p = self.profile
        mine = {"name": p["name"], "gender": p["gender"], "birth_date": p["birth_date"], "address": p["address"],
                "notes": p["notes"], "is_vip": p["is_vip"], "tags": ", ".join(p["tags"]),
                "phones": ", ".join(p["phones"]), "id_number": p["id_number"]}
        self.conflict = self._tr("owners.conflict", changes=self._tr("owners.clause_separator").join(
            differences(mine, current, self.lang)) or "—")
        self._reload()
        if self.owner_found:
            fresh = _editable(self.profile)
            untouched = {k: fresh[k] for k in fresh if str(self.values.get(k)) == str(self._loaded.get(k))}
            self.values, self._loaded = {**self.values, **untouched}, {**self._loaded, **fresh}
            self._version = int(self.profile["version"])
        self.form_key += 1


# ---------------------------------------------------------------- reveal personal data


class RevealForm(DialogForm, OwnerDetailState):
    @requires(Perm.OWNERS_REVEAL_PII)
    def open_reveal(self):
        self._open({"reason": ""})

    @requires(Perm.OWNERS_REVEAL_PII)
    def reveal(self, form: dict[str, Any]):
        self._require_open()
        try:
            with unit_of_work() as session:
                shown = owner_reveal.reveal_pii(session, actor=self.principal, owner_id=self._owner_id,
                                            reason=str(form.get("reason", "")))
        except ValidationFailed as error:
            self._refused(error, form)
            return None
        self.revealed = True
        self._close()
        hide_later = (f"clearTimeout(window.pmRevealTimer); window.pmRevealTimer = setTimeout(() => "
                      f"document.querySelector('[data-testid=hide-pii]')?.click(), {REVEAL_SECONDS * 1000})")
        return [rx.set_value(REVEAL_REFS["id_number"], shown.id_number or "—"),
                rx.set_value(REVEAL_REFS["phones"], self._tr("import.list_separator").join(shown.phones) or "—"),
                rx.set_value(REVEAL_REFS["birth_date"], shown.birth_date or "—"), rx.call_script(hide_later)]


# ---------------------------------------------------------------- household, occupants, owner change


class MemberForm(DialogForm, OwnerDetailState):
    """Add a household member, or correct the one the dialog was opened for (its id and version stay here)."""

    _PRIVATE: ClassVar[frozenset[str]] = TYPED_PII

    @requires(Perm.OWNERS_EDIT)
    def open_member(self, member_id: int = 0):
        member = next((m for m in self.members if m["id"] == member_id), None)
        if member is None:
            self._open({"relation": "spouse", "name": "", "phone": "", "id_number": ""})
        else:
            self._open({"relation": member["relation"], "name": member["name"], "phone": "", "id_number": ""},
                       record_id=int(member["id"]), version=int(member["version"]))

    @requires(Perm.OWNERS_EDIT)
    def save(self, form: dict[str, Any]):
        fields = {key: str(form.get(key, "")) for key in ("relation", "name", "phone", "id_number")}
        return self._submit(form, lambda session: owner_household.update_member(
            session, actor=self.principal, member_id=self._record_id, expected_version=self._version, **fields)
            if self._record_id else owner_household.add_member(session, actor=self.principal, owner_id=self._owner_id,
                                                        **fields))

    def _conflicted(self, current: dict[str, Any]) -> None:
        self.conflict = self._tr("owners.member_conflict")
        self._reload()
        member = next((m for m in self.members if m["id"] == self._record_id), None)
        if member is not None:
            self._version = int(member["version"])


class OccupantForm(DialogForm, OwnerDetailState):
    """A tenant or occupant of the room the dialog was opened for."""

    _PRIVATE: ClassVar[frozenset[str]] = TYPED_PII

    @requires(Perm.OWNERS_EDIT)
    def open_occupant(self, room_id: int):
        if any(r["room_id"] == room_id and not r["ended_on"] for r in self.rooms):
            self._open({"kind": "tenant", "name": "", "phone": "", "id_number": "",
                        "started_on": local_today().isoformat()}, record_id=room_id)

    @requires(Perm.OWNERS_EDIT)
    def save(self, form: dict[str, Any]):
        return self._submit(form, lambda session: owner_household.add_occupant(
            session, actor=self.principal, room_id=self._record_id, kind=str(form.get("kind", "")),
            name=str(form.get("name", "")), phone=str(form.get("phone", "")), id_number=str(form.get("id_number", "")),
            started_on=str(form.get("started_on", ""))))


class TransferForm(RegisteredOwnerOffer, DialogForm, OwnerDetailState):
    """业主更替 of the room the dialog was opened for: to a new owner, or to the registered owner the ID number
    belongs to."""

    _PRIVATE: ClassVar[frozenset[str]] = TYPED_PII

    @requires(Perm.OWNERS_EDIT)
    def open_transfer(self, room_id: int):
        room = next((r for r in self.rooms if r["room_id"] == room_id and not r["ended_on"]), None)
        if room is not None:
            self._forget_offer()
            self._open({"transfer_date": local_today().isoformat(), "name": "", "gender": "unknown", "id_number": "",
                        "phone": "", "share": "100"}, record_id=room_id, subject={"room_code": room["room_code"]})

    @requires(Perm.OWNERS_EDIT)
    def save(self, form: dict[str, Any]):
        self._require_open()
        new_owner = owner_input.OwnerInput(name=str(form.get("name", "")), gender=str(form.get("gender") or "unknown"),
                                        id_number=str(form.get("id_number", "")), phones=[str(form.get("phone", ""))])
        try:
            with unit_of_work() as session:
                owner = owner_registry.change_room_owner(
                    session, actor=self.principal, room_id=self._record_id,
                    transfer_date=str(form.get("transfer_date", "")), new_owner_id=self._duplicate_id or None,
                    new_owner=None if self._duplicate_id else new_owner, share=str(form.get("share") or "100"),
                    expected_owner_id=self._owner_id)
        except (ValidationFailed, ConcurrencyConflict) as error:
            self._refused(error, form)
            return None
        self._close()
        return [rx.toast.success(self._tr("owners.transfer_done")), rx.redirect(f"/owners/{owner.id}")]

    def _conflicted(self, current: dict[str, Any]) -> None:
        """The room changed hands meanwhile: say to whom; the dialog keeps what was typed."""
        self.conflict = self._tr("owners.transfer_conflict", owners=self._tr("import.list_separator").join(
            current.get("owner_names", [])) or "—")
        self._reload()
