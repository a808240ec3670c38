"""消息记录: what was sent to whom through which channel, and how far it got."""

from __future__ import annotations

import reflex as rx

from pm_admin.notify.models import Channel, Delivery
from pm_admin.notify.states.log import DeliveryLogState
from pm_admin.ui.filters import choose, filter_bar, switch
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t
from pm_admin.ui.table import Column, data_table

S = DeliveryLogState
STATUS_COLORS = (("queued", "gray"), ("sending", "blue"), ("sent", "blue"), ("delivered", "green"),
                 ("read", "green"), ("failed", "amber"), ("dead", "red"), ("skipped", "gray"))


def delivery_log_page() -> rx.Component:
    columns = [
        Column("created_at", "notify.col.created_at", sortable=True),
        Column("channel", "notify.col.channel", render=lambda r: rx.text(r["channel_label"], size="2")),
        Column("address", "notify.col.address"),
        Column("title", "notify.col.title"),
        Column("cause", "notify.col.cause", render=lambda r: rx.cond(
            r["cause"].to(str).startswith("ticket:"),
            rx.link(r["cause"], href="/tickets/" + r["cause"].to(str).split(":")[1]), rx.text(r["cause"], size="2"))),
        Column("status", "notify.col.status", sortable=True, render=lambda r: rx.tooltip(rx.badge(
            r["status_label"], color_scheme=rx.match(r["status"], *STATUS_COLORS, "gray")),
            content=rx.cond(r["last_error"] != "", r["last_error"], r["status_label"]))),
        Column("attempts", "notify.col.attempts", sortable=True),
    ]
    return rx.vstack(
        rx.cond(S.in_development, notice(t("notify.development_explain"), icon="flask-conical", size="1")),
        filter_bar(S, choose(S, "status", [{"value": d.value} for d in Delivery], "common.all",
                             label_prefix="notify.status."),
                   choose(S, "channel", [{"value": c.value} for c in Channel], "common.all",
                          label_prefix="notify.channel."),
                   rx.cond(S.in_development, switch(S, "development", "notify.only_development")),
                   search_key="notify.cause_hint"),
        data_table(S, columns, testid="delivery-log", actions=lambda row: rx.cond(
            S.can_retry & row["can_retry"].to(bool),
            rx.button(t("notify.retry"), size="1", variant="soft", on_click=S.retry(row["id"]),
                      data_testid="delivery-retry"))),
        spacing="4", width="100%",
    )
