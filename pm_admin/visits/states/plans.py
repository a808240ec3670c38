"""走访计划 (/visits/plans): the plans of the manager's communities, the plan dialog, generating tasks on demand."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.clock import local_today
from pm_admin.core.db import off_loop, read_only, unit_of_work
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.permissions import Perm
from pm_admin.places.queries import community_options
from pm_admin.visits import queries
from pm_admin.visits.models import PlanKind
from pm_admin.visits.services import plans


class VisitPlansState(ProtectedState):
    plans: list[dict[str, Any]] = []

    def _load(self) -> None:
        with read_only() as session:
            self.plans = queries.plans(session, self.principal)

    def _plan(self, plan_id: int) -> dict[str, Any] | None:
        """A plan of the list on screen."""
        return next((row for row in self.plans if row["id"] == plan_id), None)

    @requires(Perm.VISITS_PLAN)
    async def load(self):
        await close_dialogs(self)
        await off_loop(self._load)

    @requires(Perm.VISITS_PLAN)
    def generate(self, plan_id: int):
        """This period's tasks of the plan, now (the daily job does the same each night)."""
        with unit_of_work() as session:
            created = plans.generate(session, actor=self.principal, plan_id=plan_id)
        self._load()
        return rx.toast.success(self._tr("visits.generated", count=created))


class PlanForm(DialogForm, VisitPlansState):
    _ENTITY: ClassVar[str] = "visit_plan"
    _CHECKBOXES: ClassVar[frozenset[str]] = frozenset({"is_active"})
    community_choices: list[dict[str, str]] = []

    @requires(Perm.VISITS_PLAN)
    def open_new(self):
        with read_only() as session:
            self.community_choices = select_options(community_options(session, self.principal))
        first = self.community_choices[0]["value"] if self.community_choices else ""
        self._open({"community_id": first, "kind": PlanKind.WEEKLY.value, "target": str(plans.DEFAULT_TARGET[
            PlanKind.WEEKLY]), "times_per_year": "1", "starts_on": local_today().isoformat(), "is_active": True})

    @requires(Perm.VISITS_PLAN)
    def open_edit(self, plan_id: int):
        row = self._plan(plan_id)
        if row is None:
            return rx.toast.error(self._tr("visits.task_not_listed"))
        self._open({"community_id": str(row["community_id"]), "kind": row["kind"], "target": str(row["target"]),
                    "times_per_year": str(row["times_per_year"]), "starts_on": row["starts_on"],
                    "is_active": row["is_active"]}, record_id=plan_id, version=row["version"],
                   subject={"community": row["community"], "kind": row["kind"]})
        return None

    @requires(Perm.VISITS_PLAN)
    def save(self, form: dict[str, Any]):
        data = plans.PlanInput(community_id=form.get("community_id", ""), kind=str(form.get("kind", "")),
                               target=form.get("target", ""), times_per_year=form.get("times_per_year", "1"),
                               starts_on=form.get("starts_on", ""), is_active=form.get("is_active") in (True, "on"))
        return self._submit(form, lambda session: plans.save_plan(
            session, actor=self.principal, data=data, plan_id=self._record_id or None,
            expected_version=self._version or None))
