"""VIP群 in the portal (390 px first): groups I may join with 申请入群, my applications (the checks, the reason, the
join link once invited), my memberships, my confirmed violations with the one appeal."""

from __future__ import annotations

import reflex as rx

from pm_admin.portal.pages.layout import portal_frame
from pm_admin.portal.states.groups import PortalGroupsState
from pm_admin.ui.forms import notice
from pm_admin.ui.i18n import t, t_prefixed

S = PortalGroupsState
APP_COLORS = (("submitted", "orange"), ("invited", "blue"), ("joined", "green"), ("rejected", "red"))


def _check(ok: rx.Var, note: rx.Var, testid: str) -> rx.Component:
    return rx.hstack(rx.cond(ok.to(bool), rx.icon("circle-check", size=14, color="var(--green-10)"),
                             rx.icon("circle-x", size=14, color="var(--red-10)")),
                     rx.text(note, size="2", data_testid=testid), spacing="2", align="start")


def _group(g: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(g["name"], weight="medium", size="3"),
        rx.cond(g["rules"] != "", rx.box(rx.text(t("portal.group_rules"), size="1", color_scheme="gray"),
                                         rx.text(g["rules"], size="1", white_space="pre-wrap"), width="100%")),
        rx.cond(g["rooms"].to(list).length() > 0, rx.form(rx.hstack(
            rx.el.input(type="hidden", name="group_id", value=g["id"].to(str)),
            rx.select.root(rx.select.trigger(data_testid="portal-group-room"), rx.select.content(rx.foreach(
                g["rooms"].to(list[dict[str, str]]), lambda r: rx.select.item(r["label"], value=r["value"]))),
                name="room_id", default_value=g["room"].to(str), size="3"),
            rx.button(t("portal.group_apply"), type="submit", size="3", data_testid="portal-group-apply"),
            spacing="2", align="center", width="100%"), on_submit=S.apply, width="100%",
            key=S.form_key.to(str)),
            rx.text(t("portal.group_all_rooms"), size="2", color_scheme="gray")),
        spacing="2", width="100%"), width="100%", data_testid="portal-group")


def _application(a: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.text(a["group"], weight="medium", size="2"), rx.spacer(),
                  rx.badge(t_prefixed("groups.app_status.", a["status"]), size="2",
                           color_scheme=rx.match(a["status"], *APP_COLORS, "gray"),
                           data_testid="portal-application-status"),
                  width="100%", align="center"),
        rx.text(a["created_at"], size="1", color_scheme="gray"),
        _check(a["identity_ok"], a["identity_note"], "portal-application-identity"),
        _check(a["fee_ok"], a["fee_note"], "portal-application-fee"),
        rx.cond(a["reject_reason"] != "", rx.box(
            rx.text(t("portal.group_reason"), size="1", color_scheme="gray"),
            rx.text(a["reject_reason"], size="2", color="var(--red-11)", data_testid="portal-application-reason"),
            background="var(--red-2)", padding="8px", border_radius="6px", width="100%")),
        rx.cond(a["link"] != "", rx.box(
            rx.text(t("portal.group_invited"), size="2"),
            rx.link(a["link"], href=a["link"], is_external=True, size="2", data_testid="portal-application-link"),
            rx.cond(a["qr"] != "", rx.image(src=a["qr"], width="160px", height="160px", alt=t("portal.group_qr"),
                                            data_testid="portal-application-qr")),
            background="var(--accent-2)", padding="8px", border_radius="6px", width="100%")),
        spacing="2", width="100%"), width="100%", data_testid="portal-application")


def _membership(m: rx.Var) -> rx.Component:
    return rx.card(rx.hstack(
        rx.text(m["group"], weight="medium", size="2"), rx.spacer(),
        rx.badge(t_prefixed("groups.member_status.", m["status"]),
                 rx.cond(m["status"] == "muted", rx.text.span(" ", t("groups.until"), " ", m["muted_until"])),
                 color_scheme=rx.match(m["status"], ("active", "green"), ("muted", "orange"), "gray"), size="2",
                 data_testid="portal-membership-status"),
        align="center", width="100%"), width="100%", data_testid="portal-membership")


def _violation(v: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.text(t_prefixed("groups.category.", v["category"]), weight="medium", size="2"), rx.spacer(),
                  rx.badge(t_prefixed("groups.sanction.", v["sanction"]), color_scheme="orange",
                           data_testid="portal-violation-sanction"),
                  rx.cond(v["status"] == "overturned", rx.badge(t("groups.violation_status.overturned"),
                                                               color_scheme="green")),
                  width="100%", align="center"),
        rx.text(v["at"], size="1", color_scheme="gray"),
        rx.cond(v["appeal"] != "", rx.text(t("groups.appeal"), "：", v["appeal"], size="2",
                                          data_testid="portal-violation-appeal")),
        rx.cond(v["decision"] != "", rx.text(t("portal.group_decision"), "：", v["decision"], size="2")),
        rx.cond(v["can_appeal"].to(bool), rx.form(rx.vstack(
            rx.el.input(type="hidden", name="violation_id", value=v["id"].to(str)),
            rx.text_area(name="text", rows="3", width="100%", placeholder=t("portal.group_appeal_hint"),
                         data_testid="portal-appeal-text"),
            rx.button(t("portal.group_appeal"), type="submit", size="3", width="100%", variant="soft",
                      data_testid="portal-appeal-submit"),
            spacing="2", width="100%"), on_submit=S.appeal, width="100%", key=S.form_key.to(str))),
        spacing="2", width="100%"), width="100%", data_testid="portal-violation")


def portal_groups_page() -> rx.Component:
    return portal_frame(
        "portal.nav.groups",
        notice(t("portal.groups_explained"), icon="users"),
        rx.foreach(S.groups, _group),
        rx.cond(S.groups.length() == 0, rx.text(t("portal.no_groups"), size="2", color_scheme="gray")),
        rx.cond(S.applications.length() > 0, rx.heading(t("portal.my_group_applications"), size="3")),
        rx.foreach(S.applications, _application),
        rx.cond(S.memberships.length() > 0, rx.heading(t("portal.my_groups"), size="3")),
        rx.foreach(S.memberships, _membership),
        rx.cond(S.violations.length() > 0, rx.heading(t("portal.my_group_violations"), size="3")),
        rx.foreach(S.violations, _violation),
    )
