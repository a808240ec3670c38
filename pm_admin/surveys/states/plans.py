"""Survey plans list and the new-plan dialog."""

from __future__ import annotations

from datetime import date
from typing import Any

import reflex as rx

from pm_admin.core.base_state import ProtectedState
from pm_admin.core.choices import select_options
from pm_admin.core.clock import local_today
from pm_admin.core.db import off_loop, read_only
from pm_admin.core.dialog_form import DialogForm, close_dialogs
from pm_admin.core.guard import requires
from pm_admin.core.ids import is_id
from pm_admin.core.permissions import Perm
from pm_admin.places.queries import community_options
from pm_admin.surveys import queries
from pm_admin.surveys.models import Method
from pm_admin.surveys.services import plans

PLAN_FIELDS = ("title", "year", "period_kind", "starts_on", "ends_on", "threshold", "purpose", "copy_from",
               "buildings")


def _default_period(today: date) -> dict[str, str]:
    half = "h1" if today.month <= 6 else "h2"
    start, end = (f"{today.year}-01-01", f"{today.year}-06-30") if half == "h1" else (
        f"{today.year}-07-01", f"{today.year}-12-31")
    return {"year": str(today.year), "period_kind": half, "starts_on": start, "ends_on": end}


class SurveyPlansState(ProtectedState):
    rows: list[dict[str, Any]] = []
    can_manage: bool = False

    def _load(self) -> None:
        with read_only() as session:
            self.rows = queries.plan_rows(session, self.principal)

    @requires(Perm.SURVEYS_VIEW)
    async def load(self):
        self.can_manage = self.principal.has(Perm.SURVEYS_MANAGE)
        await close_dialogs(self)
        await off_loop(self._load)


class NewPlanForm(DialogForm, SurveyPlansState):
    """A survey plan: title, period, methods, target communities (and buildings), threshold, the questionnaire
    copied from an earlier plan."""

    community_choices: list[dict[str, str]] = []
    copy_choices: list[dict[str, str]] = []

    @requires(Perm.SURVEYS_MANAGE)
    def open_new(self):
        with read_only() as session:
            self.community_choices = select_options(community_options(session, self.principal))
        self.copy_choices = [{"value": str(r["id"]), "label": f"{r['period']} {r['title']}"} for r in self.rows]
        self._open({**_default_period(local_today()), "title": "", "threshold": "80", "purpose": "", "buildings": "",
                    "copy_from": self.copy_choices[0]["value"] if self.copy_choices else ""})

    @requires(Perm.SURVEYS_MANAGE)
    def save(self, form: dict[str, Any]):
        values = {key: str(form.get(key, "")) for key in PLAN_FIELDS}
        communities = [int(key.split(":", 1)[1]) for key, on in form.items()
                       if key.startswith("community:") and on and is_id(key.split(":", 1)[1])]
        methods = [m for m in Method if form.get(f"method:{m}")]
        data = plans.PlanInput(title=values["title"], year=values["year"], period_kind=values["period_kind"],
                               starts_on=values["starts_on"], ends_on=values["ends_on"], methods=methods,
                               purpose=values["purpose"], threshold=values["threshold"], community_ids=communities)
        copy_from = int(values["copy_from"]) if is_id(values["copy_from"]) else None

        def write(session):
            data.building_ids = plans.building_ids_from_labels(session, values["buildings"])
            return plans.create_plan(session, actor=self.principal, data=data, copy_from=copy_from).id

        return self._submit(values, write)

    def _saved(self, result: Any = None):
        self._close()
        return rx.redirect(f"/surveys/{result}")
