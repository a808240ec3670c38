"""One activity: details and steps, staff roles, sign-ups (staff sign a household up by room), the review with its
figures; and the phone-sized check-in view of the day."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.activities import queries
from pm_admin.activities.services import plan, signups
from pm_admin.activities.states.activities import ACTIVITY_FIELDS
from pm_admin.core.base_state import ProtectedState
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.errors import DomainError, ValidationFailed
from pm_admin.core.guard import requires
from pm_admin.core.ids import route_id
from pm_admin.core.permissions import Perm


class ActivityState(ProtectedState):
    activity: dict[str, Any] = {}
    missing: bool = False
    staff: list[dict[str, Any]] = []
    signups: list[dict[str, Any]] = []
    figures: dict[str, Any] = {}
    evaluations: list[dict[str, Any]] = []
    staff_options: list[dict[str, str]] = []
    can_manage: bool = False
    form_key: int = 0
    form_error: str = ""

    def _activity_id(self) -> int:
        return int(self.activity.get("id") or 0)

    def _reload(self, activity_id: int) -> None:
        try:
            with read_only() as session:
                detail = queries.activity_detail(session, self.principal, activity_id)
                self.staff_options = queries.staff_options(session, self.principal, activity_id)
        except DomainError:
            self.activity, self.missing = {}, True
            return
        self.missing = False
        self.activity, self.staff, self.signups = detail["activity"], detail["staff"], detail["signups"]
        self.figures, self.evaluations = detail["figures"], detail["evaluations"]

    def _load(self) -> None:
        self._reload(self._activity_id())

    @requires(Perm.ACTIVITIES_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.ACTIVITIES_MANAGE)
        self.form_error = ""
        await close_dialogs(self)
        await off_loop(self._reload, route_id(str(self.rx_router_page.params.get("activity_id", ""))))

    def _run(self, work, success_key: str = "activities.saved"):
        try:
            with unit_of_work() as session:
                work(session)
        except ValidationFailed as error:
            self.form_error = next(iter(self._field_messages(error).values()))
            return None
        except DomainError as error:
            return rx.toast.error(self._tr(error.key, **error.params))
        self.form_error = ""
        self.form_key += 1
        self._load()
        return rx.toast.success(self._tr(success_key))

    @requires(Perm.ACTIVITIES_MANAGE)
    def open_signup(self):
        return self._run(lambda s: plan.open_signup(s, actor=self.principal, activity_id=self._activity_id()))

    @requires(Perm.ACTIVITIES_MANAGE)
    def close_signup(self):
        return self._run(lambda s: plan.close_signup(s, actor=self.principal, activity_id=self._activity_id()))

    @requires(Perm.ACTIVITIES_MANAGE)
    def mark_done(self):
        return self._run(lambda s: plan.mark_done(s, actor=self.principal, activity_id=self._activity_id()))

    @requires(Perm.ACTIVITIES_MANAGE)
    def assign_staff(self, form: dict[str, Any]):
        return self._run(lambda s: plan.assign_staff(s, actor=self.principal, activity_id=self._activity_id(),
                                                     user_id=str(form.get("user_id", "")),
                                                     role=str(form.get("role", ""))))

    @requires(Perm.ACTIVITIES_MANAGE)
    def remove_staff(self, staff_id: int):
        return self._run(lambda s: plan.remove_staff(s, actor=self.principal, activity_id=self._activity_id(),
                                                     staff_id=staff_id))

    @requires(Perm.ACTIVITIES_MANAGE)
    def sign_up_room(self, form: dict[str, Any]):
        return self._run(lambda s: signups.sign_up_room(
            s, actor=self.principal, activity_id=self._activity_id(), room_code=str(form.get("room_code", "")),
            people=str(form.get("people", "1"))), "activities.signed_up_toast")

    @requires(Perm.ACTIVITIES_MANAGE)
    def cancel_signup(self, signup_id: int):
        return self._run(lambda s: signups.cancel_by_staff(s, actor=self.principal, activity_id=self._activity_id(),
                                                           signup_id=signup_id))

    @requires(Perm.ACTIVITIES_MANAGE)
    def check_in(self, signup_id: int):
        return self._run(lambda s: signups.check_in(s, actor=self.principal, activity_id=self._activity_id(),
                                                    signup_id=signup_id), "activities.checked_in_toast")

    @requires(Perm.ACTIVITIES_MANAGE)
    def walk_in(self, form: dict[str, Any]):
        return self._run(lambda s: signups.walk_in(
            s, actor=self.principal, activity_id=self._activity_id(), room_code=str(form.get("room_code", "")),
            name=str(form.get("name", "")), people=str(form.get("people", "1"))), "activities.checked_in_toast")

    @requires(Perm.ACTIVITIES_MANAGE)
    def save_review(self, form: dict[str, Any]):
        return self._run(lambda s: plan.save_review(s, actor=self.principal, activity_id=self._activity_id(),
                                                    improvement=str(form.get("improvement", ""))))


class ActivityForm(DialogForm, ActivityState):
    """Editing the plan while sign-up has not closed."""

    _ENTITY: ClassVar[str] = "activity"

    @requires(Perm.ACTIVITIES_MANAGE)
    def open_edit(self):
        a = self.activity
        self._open({key: str(a.get(f"form_{key}", "")) for key in ACTIVITY_FIELDS if key != "community_id"},
                   record_id=int(a.get("id") or 0), version=int(a.get("version") or 0))

    @requires(Perm.ACTIVITIES_MANAGE)
    def save(self, form: dict[str, Any]):
        data = plan.ActivityInput(**{key: str(form.get(key, "")) for key in ACTIVITY_FIELDS if key != "community_id"})
        return self._submit(form, lambda session: plan.update_activity(
            session, actor=self.principal, activity_id=self._record_id, expected_version=self._version, data=data))
