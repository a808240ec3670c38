"""接口令牌 (/admin/api-tokens): integrations of the REST API and what each may do."""

from __future__ import annotations

import reflex as rx

from pm_admin.api.states.tokens import ApiTokensState, RevokeForm, TokenForm
from pm_admin.api.tokens import SCOPES
from pm_admin.ui.forms import form_dialog, form_field, notice
from pm_admin.ui.i18n import t
from pm_admin.ui.table import simple_table

S = ApiTokensState


def _row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row["name"]), rx.table.cell(rx.code(row["prefix"])), rx.table.cell(row["scopes"]),
        rx.table.cell(row["communities"]), rx.table.cell(row["per_minute"]), rx.table.cell(row["created_at"]),
        rx.table.cell(row["last_used_at"]),
        rx.table.cell(rx.cond(row["revoked"].to(bool), rx.badge(t("api.revoked"), color_scheme="gray"),
                              rx.button(t("api.revoke"), size="1", variant="soft", color_scheme="red",
                                        on_click=RevokeForm.open_revoke(row["id"]), data_testid="token-revoke"))),
        data_testid="token-row",
    )


def api_tokens_page() -> rx.Component:
    return rx.fragment(
        rx.vstack(
            notice(t("api.tokens_explain"), icon="key-round", size="1"),
            rx.hstack(rx.spacer(), rx.button(rx.icon("plus", size=14), t("api.new_token"), on_click=TokenForm.open_create,
                                             data_testid="token-new"), width="100%"),
            simple_table(["api.col.name", "api.col.prefix", "api.col.scopes", "api.col.communities",
                          "api.col.per_minute", "api.col.created_at", "api.col.last_used_at", "common.actions"],
                         S.rows, _row, "api-tokens"),
            spacing="4", width="100%"),
        token_dialog(),
        revoke_dialog(),
    )


def token_dialog() -> rx.Component:
    d = TokenForm
    return form_dialog(
        d, title=t("api.new_token"), testid="token-form", save_key="api.issue",
        save_props={"disabled": d.subject["token"].to(str) != ""},
        fields=[rx.cond(
            d.subject["token"].to(str) != "",
            rx.vstack(notice(t("api.token_shown_once"), icon="triangle-alert", color_scheme="amber", size="1"),
                      rx.code(d.subject["token"].to(str), word_break="break-all", data_testid="token-value"),
                      width="100%"),
            rx.vstack(
                form_field(d, "name", "api.col.name", data_testid="token-name"),
                rx.text(t("api.col.scopes"), size="2", weight="medium"),
                *[rx.checkbox(t(f"api.scope.{scope}"), name=f"scope:{scope}") for scope in SCOPES],
                rx.cond(d.errors["scopes"], rx.text(d.errors["scopes"], size="1", color="var(--red-11)")),
                rx.text(t("api.col.communities"), size="2", weight="medium"),
                rx.checkbox(t("api.all_communities"), name="all_communities"),
                rx.foreach(S.communities, lambda c: rx.checkbox(c["label"], name="community:" + c["value"])),
                rx.cond(d.errors["community_ids"], rx.text(d.errors["community_ids"], size="1",
                                                           color="var(--red-11)")),
                form_field(d, "per_minute", "api.col.per_minute", type_="number"),
                spacing="2", width="100%"),
        )],
    )


def revoke_dialog() -> rx.Component:
    d = RevokeForm
    return form_dialog(
        d, title=t("api.revoke_title"), testid="revoke-form", save_key="api.revoke", save_props={"color_scheme": "red"},
        fields=[rx.text(d.subject["name"].to(str), " · ", d.subject["prefix"].to(str), weight="bold"),
                notice(t("api.revoke_explain"), icon="triangle-alert", color_scheme="amber", size="1")],
    )
