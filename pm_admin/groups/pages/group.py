"""One VIP群: header (群主, rules version, join link) and its tabs — 入群申请, 成员, 违规处理, 群主任务, 群消息,
处理记录, 群规, 本季度检查, 本周摘要 — with the dialogs of each action."""

from __future__ import annotations

import reflex as rx

from pm_admin.groups.models import ViolationCategory
from pm_admin.groups.services.daily import CHECKLIST
from pm_admin.groups.states.group import EVIDENCE_INPUT as EVIDENCE
from pm_admin.groups.states.group import (
    AdminForm,
    ApplicationForm,
    GroupState,
    PostForm,
    ReportForm,
    RulesForm,
    ViolationForm,
)
from pm_admin.tickets.models import Kind
from pm_admin.tickets.pages.parts import TIER_OPTIONS
from pm_admin.ui.forms import confirm_button, field, form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import simple_table
from pm_admin.ui.uploads import file_input

S = GroupState
TABS = ("applications", "members", "violations", "tasks", "posts", "log", "rules", "check", "digest")
CATEGORIES = [{"value": str(c)} for c in ViolationCategory]
TICKET_KINDS = [{"value": str(k)} for k in (Kind.REQUEST, Kind.REPAIR, Kind.COMPLAINT, Kind.SUGGESTION)]
DIGEST = ("members", "joined", "removed", "violations_reported", "violations_confirmed", "questions", "answered",
          "tickets", "suggestions")
APP_COLORS = {"submitted": "orange", "invited": "blue", "joined": "green", "rejected": "red"}
VIOLATION_COLORS = {"reported": "orange", "awaiting_second": "amber", "confirmed": "red", "dismissed": "gray",
                    "overturned": "green"}
SANCTION_COLORS = {"warning": "amber", "mute": "orange", "removal": "red"}
GROUP_OWNER_OR_APPROVER = S.group["i_own_it"].to(bool) | S.can_approve


def _small(label_key: str, on_click, testid: str, **props) -> rx.Component:
    return rx.button(t(label_key), size="1", variant=props.pop("variant", "soft"), on_click=on_click,
                     data_testid=testid, **props)


def _check(ok: rx.Var, note: rx.Var, testid: str) -> rx.Component:
    return rx.hstack(rx.cond(ok.to(bool), rx.icon("circle-check", size=14, color="var(--green-10)"),
                             rx.icon("circle-x", size=14, color="var(--red-10)")),
                     rx.text(note, size="1", data_testid=testid), spacing="1", align="start")


def header() -> rx.Component:
    g = S.group
    return rx.vstack(
        rx.hstack(rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("nav.groups"), spacing="1", align="center"),
                          href="/groups", size="2"),
                  rx.heading(g["name"], size="5", data_testid="group-heading"),
                  rx.badge(t_prefixed("groups.channel.", g["channel"].to(str)), color_scheme="gray"),
                  rx.badge(rx.cond(S.rules["number"].to(int) > 0, t("groups.rules_version") + " v"
                                   + S.rules["number"].to(str), t("groups.no_rules")),
                           variant="outline", color_scheme=rx.cond(S.rules["number"].to(int) > 0, "green", "orange"),
                           data_testid="group-rules-version"),
                  align="center", spacing="3", wrap="wrap"),
        rx.text(t("groups.owner"), "：", g["owner"], size="2", color_scheme="gray"),
        rx.cond(g["join_link"].to(str) != "",
                rx.text(t("groups.join_link"), "：", rx.link(g["join_link"].to(str), href=g["join_link"].to(str),
                                                            is_external=True, data_testid="group-join-link"),
                        size="2"),
                rx.text(t("groups.no_join_link"), size="1", color_scheme="gray")),
        spacing="1", width="100%")


def applications_tab() -> rx.Component:
    def row(a: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(a["name"], rx.text(a["created_at"], size="1", color_scheme="gray")),
            rx.table.cell(a["room"]),
            rx.table.cell(_check(a["identity_ok"], a["identity_note"], "application-identity")),
            rx.table.cell(_check(a["fee_ok"], a["fee_note"], "application-fee")),
            rx.table.cell(rx.badge(t_prefixed("groups.app_status.", a["status"]), data_testid="application-status",
                                   color_scheme=rx.match(a["status"], *APP_COLORS.items(), "gray"))),
            rx.table.cell(rx.cond(a["reject_reason"] != "", rx.text(a["reject_reason"], size="1", color="var(--red-11)",
                                                                   data_testid="application-reason")),
                          rx.cond(a["override_reason"] != "", rx.text(t("groups.override"), "：",
                                                                     a["override_reason"], size="1"))),
            rx.table.cell(rx.hstack(
                rx.cond(S.can_manage & (a["status"] == "submitted"),
                        _small("groups.do.approve", ApplicationForm.open_decision(a["id"], "approve"),
                               "application-approve", variant="solid")),
                rx.cond(S.can_manage & ((a["status"] == "submitted") | (a["status"] == "invited")),
                        _small("groups.do.reject", ApplicationForm.open_decision(a["id"], "reject"),
                               "application-reject", color_scheme="red")),
                rx.cond(S.can_approve & a["can_override"].to(bool),
                        _small("groups.do.override", ApplicationForm.open_decision(a["id"], "override"),
                               "application-override")),
                rx.cond(S.can_manage & GROUP_OWNER_OR_APPROVER & (a["status"] == "invited"),
                        confirm_button("groups.do.confirm_joined", title_key="groups.confirm_joined_confirm",
                                       subject=a["name"].to(str) + " · " + a["room"].to(str),
                                       explain_key="groups.confirm_joined_explain",
                                       on_confirm=S.confirm_joined(a["id"]), testid="application-joined",
                                       color_scheme="green", size="1")),
                spacing="1", wrap="wrap")),
            data_testid="application-row")
    return rx.vstack(
        simple_table(["groups.applicant", "groups.room", "groups.identity_check", "groups.fee_check", "common.status",
                      "groups.reason", "common.actions"], S.applications, row, "applications-table"),
        width="100%")


def member_status(m: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("groups.member_status.", m["status"]),
                    rx.cond(m["status"] == "muted", rx.text.span(" ", t("groups.until"), " ", m["muted_until"])),
                    color_scheme=rx.match(m["status"], ("active", "green"), ("muted", "orange"), "gray"),
                    data_testid="member-status")


def members_tab() -> rx.Component:
    def row(m: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(rx.hstack(rx.text(m["name"], size="2"),
                                    rx.cond(m["admin"].to(bool), rx.badge(t("groups.admin"), color_scheme="blue",
                                                                          data_testid="member-admin")),
                                    spacing="2", align="center")),
            rx.table.cell(m["room"]), rx.table.cell(member_status(m)), rx.table.cell(m["joined_at"]),
            rx.table.cell(rx.hstack(
                rx.cond(S.can_manage & (m["status"] != "removed"),
                        _small("groups.do.report", ReportForm.open_report(m["id"]), "member-report",
                               color_scheme="red")),
                rx.cond(S.can_approve & (m["status"] != "removed") & ~m["admin"].to(bool),
                        _small("groups.do.elect", AdminForm.open_admin(m["id"]), "member-elect")),
                spacing="2")),
            data_testid="member-row")
    return rx.vstack(
        simple_table(["groups.member", "groups.room", "common.status", "groups.joined_at", "common.actions"],
                     S.members, row, "members-table"),
        width="100%")


def violations_tab() -> rx.Component:
    def row(v: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(v["member"]),
            rx.table.cell(t_prefixed("groups.category.", v["category"])),
            rx.table.cell(rx.text(v["description"], size="1"),
                          rx.cond(v["appeal"] != "", rx.text(t("groups.appeal"), "：", v["appeal"], size="1",
                                                            color_scheme="blue", data_testid="violation-appeal"))),
            rx.table.cell(rx.text(v["reported_by"], size="1"), rx.text(v["reported_at"], size="1", color_scheme="gray")),
            rx.table.cell(rx.badge(t_prefixed("groups.violation_status.", v["status"]), data_testid="violation-status",
                                   color_scheme=rx.match(v["status"], *VIOLATION_COLORS.items(), "gray"))),
            rx.table.cell(rx.cond(v["sanction"] != "", rx.badge(
                t_prefixed("groups.sanction.", v["sanction"]), variant="outline", data_testid="violation-sanction",
                color_scheme=rx.match(v["sanction"], *SANCTION_COLORS.items(), "gray"))),
                rx.cond(v["reviewed_by"] != "", rx.text(t("groups.reviewer"), "：", v["reviewed_by"], size="1",
                                                       color_scheme="gray")),
                rx.cond(v["second_approver"] != "", rx.text(t("groups.second_approver"), "：", v["second_approver"],
                                                           size="1", color_scheme="gray",
                                                           data_testid="violation-second-approver"))),
            rx.table.cell(rx.hstack(
                rx.cond(v["has_evidence"].to(bool), rx.icon_button(rx.icon("image", size=12), size="1", variant="ghost",
                                                                   aria_label=t("groups.evidence"),
                                                                   on_click=S.evidence(v["id"]))),
                rx.cond(S.can_manage & (v["status"] == "reported"), rx.fragment(
                    _small("groups.do.confirm", ViolationForm.open_violation(v["id"], "confirm"), "violation-confirm",
                           variant="solid"),
                    _small("groups.do.dismiss", ViolationForm.open_violation(v["id"], "dismiss"),
                           "violation-dismiss"))),
                rx.cond(S.can_approve & (v["status"] == "awaiting_second"),
                        _small("groups.do.second", ViolationForm.open_violation(v["id"], "second"), "violation-second",
                               color_scheme="red", variant="solid")),
                rx.cond(S.can_approve & v["appeal_open"].to(bool),
                        _small("groups.do.appeal", ViolationForm.open_violation(v["id"], "appeal"),
                               "violation-decide-appeal")),
                spacing="1", wrap="wrap")),
            data_testid="violation-row")
    return rx.vstack(
        notice(t("groups.ladder"), icon="scale", size="1"),
        simple_table(["groups.member", "groups.category", "groups.description", "groups.reported_by", "common.status",
                      "groups.sanction", "common.actions"], S.violations, row, "violations-table"),
        width="100%")


def tasks_tab() -> rx.Component:
    def row(task: rx.Var) -> rx.Component:
        admission = (task["application_id"].to(int) > 0) & (task["member"] == "")
        who = t_prefixed("groups.task.", task["kind"]).to(str) + " · " + task["subject"].to(str)
        return rx.table.row(
            rx.table.cell(rx.badge(t_prefixed("groups.task.", task["kind"]))),
            rx.table.cell(task["member"]), rx.table.cell(task["created_at"]),
            rx.table.cell(rx.cond(S.can_manage & GROUP_OWNER_OR_APPROVER, rx.cond(
                admission,
                confirm_button("groups.do.confirm_joined", title_key="groups.confirm_joined_confirm", subject=who,
                               explain_key="groups.confirm_joined_explain",
                               on_confirm=S.confirm_joined(task["application_id"]), testid="task-joined", size="1",
                               variant="soft"),
                confirm_button("groups.do.done", title_key="groups.task_done_confirm", subject=who,
                               explain_key="groups.task_done_explain", on_confirm=S.confirm_task(task["id"]),
                               testid="task-done", size="1", variant="soft")))),
            data_testid="task-row")
    return rx.vstack(
        notice(t("groups.tasks_explain"), icon="smartphone", size="1"),
        simple_table(["groups.task_kind", "groups.member", "groups.created_at", "common.actions"],
                     S.tasks, row, "tasks-table"),
        width="100%")


def posts_tab() -> rx.Component:
    def row(p: rx.Var) -> rx.Component:
        logged = (p["ticket_id"].to(int) > 0) | (p["suggestion_id"].to(int) > 0)
        return rx.table.row(
            rx.table.cell(p["posted_at"]), rx.table.cell(p["member"]),
            rx.table.cell(rx.text(p["text"], size="1", white_space="pre-wrap")),
            rx.table.cell(rx.cond(p["is_question"].to(bool), rx.cond(
                p["answered"].to(bool), rx.badge(t("groups.answered"), color_scheme="green"),
                rx.badge(t("groups.unanswered"), color_scheme="orange")))),
            rx.table.cell(rx.cond(p["ticket_id"].to(int) > 0, rx.link(t("groups.ticket"), href="/tickets/"
                                                                     + p["ticket_id"].to(str), size="1")),
                          rx.cond(p["suggestion_id"].to(int) > 0, rx.link(t("groups.suggestion"), href="/suggestions/"
                                                                         + p["suggestion_id"].to(str), size="1"))),
            rx.table.cell(rx.cond(S.can_manage, rx.hstack(
                rx.cond(p["is_question"].to(bool) & ~p["answered"].to(bool),
                        _small("groups.do.answered", S.mark_answered(p["id"]), "post-answered")),
                rx.cond(~logged, rx.fragment(
                    _small("groups.do.to_ticket", PostForm.open_post(p["id"], "ticket"), "post-ticket"),
                    _small("groups.do.to_suggestion", PostForm.open_post(p["id"], "suggestion"), "post-suggestion"))),
                spacing="1", wrap="wrap"))),
            data_testid="post-row")
    return rx.vstack(
        rx.cond(S.can_manage, rx.card(rx.form(rx.vstack(
            rx.text_area(name="text", rows="2", width="100%", placeholder=t("groups.post_hint"),
                         data_testid="post-text"),
            rx.hstack(
                rx.select.root(rx.select.trigger(placeholder=t("groups.post_member")), rx.select.content(rx.foreach(
                    S.members, lambda m: rx.select.item(m["name"].to(str) + " " + m["room"].to(str),
                                                   value=m["id"].to(str)))),
                    name="member_id", size="1"),
                rx.checkbox(t("groups.is_question"), name="is_question", default_checked=True),
                rx.spacer(),
                rx.button(t("groups.do.log_post"), type="submit", size="1", data_testid="post-log"),
                spacing="3", align="center", width="100%"),
            rx.cond(S.form_error != "", rx.text(S.form_error, size="1", color="var(--red-11)", role="alert")),
            width="100%"), on_submit=S.log_post, key="post-" + S.form_key.to(str), width="100%"), width="100%")),
        simple_table(["groups.posted_at", "groups.member", "groups.post", "groups.question", "groups.logged_as",
                      "common.actions"], S.posts, row, "posts-table"),
        width="100%")


def log_tab() -> rx.Component:
    return simple_table(["groups.at", "groups.actor", "groups.action", "groups.member", "groups.reason",
                         "groups.change"],
                        S.log, lambda e: rx.table.row(
                            rx.table.cell(e["at"]), rx.table.cell(e["actor"]),
                            rx.table.cell(t_prefixed("groups.log.", e["action"])), rx.table.cell(e["member"]),
                            rx.table.cell(rx.text(e["reason"], size="1")), rx.table.cell(e["change"]),
                            data_testid="log-row"), "log-table")


def rules_tab() -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.heading(t("groups.rules"), " v", S.rules["number"].to(str), size="3"),
                  rx.text(S.rules["published_at"], size="1", color_scheme="gray"), rx.spacer(),
                  rx.cond(S.can_approve, rx.button(rx.icon("pencil", size=14), t("groups.do.publish_rules"), size="1",
                                                   variant="soft", on_click=RulesForm.open_rules,
                                                   data_testid="publish-rules")),
                  width="100%", align="center", spacing="3"),
        rx.cond(S.rules["text"].to(str) != "", rx.text(S.rules["text"], size="2", white_space="pre-wrap",
                                                      data_testid="rules-text"),
                rx.text(t("groups.no_rules"), size="2", color_scheme="gray")),
        spacing="2", width="100%"), width="100%")


def check_tab() -> rx.Component:
    return rx.card(rx.form(rx.vstack(
        rx.hstack(rx.heading(t("groups.check_title"), size="3"), rx.spacer(),
                  rx.badge(rx.cond(S.checked, t("groups.checked"), t("groups.not_checked")),
                           color_scheme=rx.cond(S.checked, "green", "orange"), data_testid="check-state"),
                  width="100%", align="center"),
        *[rx.checkbox(t(f"groups.checklist.{item}"), name=item, default_checked=S.check[item].to(bool),
                      disabled=~S.can_manage, data_testid=f"check-{item}") for item in CHECKLIST],
        rx.text_area(name="note", default_value=S.check_note, rows="2", width="100%",
                     placeholder=t("groups.check_note"), disabled=~S.can_manage),
        rx.cond(S.can_manage, rx.button(t("common.save"), type="submit", size="2", data_testid="check-save")),
        spacing="2", width="100%"), on_submit=S.record_check, key="check-" + S.form_key.to(str), width="100%"),
        width="100%")


def digest_tab() -> rx.Component:
    return rx.card(rx.vstack(
        rx.text(t("groups.week"), " ", S.week, size="2", color_scheme="gray"),
        rx.grid(*[rx.vstack(rx.text(t(f"groups.digest.{key}"), size="1", color_scheme="gray"),
                            rx.text(S.digest[key].to(str), size="5", weight="bold", data_testid=f"digest-{key}"),
                            spacing="0") for key in DIGEST],
                columns=rx.breakpoints(initial="3", md="5"), spacing="4", width="100%"),
        spacing="3", width="100%"), width="100%")


def application_dialog() -> rx.Component:
    d, s = ApplicationForm, ApplicationForm.subject
    return form_dialog(d, title=t_prefixed("groups.do.", d.mode), testid="application-form", fields=[
        rx.text(s["name"].to(str), " · ", s["room"].to(str), weight="medium"),
        _check(s["identity_ok"], s["identity_note"].to(str), "dialog-identity"),
        _check(s["fee_ok"], s["fee_note"].to(str), "dialog-fee"),
        rx.cond(d.mode != "approve", rx.vstack(
            rx.text(rx.cond(d.mode == "override", t("groups.override_reason"), t("groups.reject_reason")), size="2",
                    weight="medium"),
            form_field(d, "reason", None, rx.text_area(name="reason", default_value=d.values["reason"], rows="3",
                                                       width="100%", data_testid="application-reason-input")),
            spacing="1", width="100%"),
                rx.cond(d.errors["reason"], rx.text(d.errors["reason"], size="1", color="var(--red-11)",
                                                    role="alert"))),
    ])


def admin_dialog() -> rx.Component:
    d = AdminForm
    return form_dialog(d, title=t("groups.do.elect"), description=rx.text(d.subject["name"], " · ", d.subject["room"]),
                       testid="admin-form", fields=[
        rx.hstack(form_field(d, "term_start", "groups.term_start", type_="date", data_testid="admin-term-start"),
                  form_field(d, "term_end", "groups.term_end", type_="date", data_testid="admin-term-end"),
                  spacing="3", width="100%"),
        form_field(d, "elected_on", "groups.elected_on", type_="date", hint_key="groups.elected_hint"),
    ])


def report_dialog() -> rx.Component:
    d = ReportForm
    return form_dialog(d, title=t("groups.do.report"), testid="report-form", fields=[
        rx.text(d.subject["name"].to(str), " · ", d.subject["room"].to(str), weight="medium"),
        form_field(d, "category", "groups.category", select_input(
            "category", CATEGORIES, default=d.values["category"], label_prefix="groups.category.",
            testid="report-category")),
        form_field(d, "description", "groups.description", rx.text_area(
            name="description", default_value=d.values["description"], rows="3", width="100%",
            data_testid="report-description")),
        form_field(d, "reported_by", "groups.reported_by", hint_key="groups.reported_by_hint"),
        field("groups.evidence", file_input(EVIDENCE, "image/jpeg,image/png,image/webp", "report-evidence"),
              d.errors["evidence"], hint_key="groups.evidence_hint"),
    ])


def violation_dialog() -> rx.Component:
    d, s = ViolationForm, ViolationForm.subject
    return form_dialog(d, title=t_prefixed("groups.do.", d.mode), testid="violation-form", fields=[
        rx.text(s["member"].to(str), " · ", t_prefixed("groups.category.", s["category"].to(str)), weight="medium"),
        rx.text(s["description"].to(str), size="2"),
        rx.match(
            d.mode,
            ("confirm", notice(t("groups.confirm_explain"), icon="scale", size="1")),
            ("second", notice(t("groups.second_explain"), " ", s["reviewed_by"].to(str), icon="users",
                              color_scheme="red", size="1")),
            ("appeal", rx.vstack(rx.text(t("groups.appeal"), "：", s["appeal"].to(str), size="2"),
                                 rx.checkbox(t("groups.upheld"), name="upheld", data_testid="appeal-upheld"),
                                 width="100%")),
            rx.fragment()),
        rx.cond(d.mode != "second", rx.vstack(
            rx.text(rx.match(d.mode, ("dismiss", t("groups.dismiss_reason")), ("appeal", t("groups.appeal_decision")),
                             t("groups.review_note")), size="2", weight="medium"),
            form_field(d, "note", None, rx.text_area(name="note", default_value=d.values["note"], rows="3",
                                                     width="100%", data_testid="violation-note")),
            spacing="1", width="100%"),
                rx.cond(d.errors["note"], rx.text(d.errors["note"], size="1", color="var(--red-11)", role="alert",
                                                  data_testid="violation-error"))),
    ])


def post_dialog() -> rx.Component:
    d = PostForm
    return form_dialog(d, title=t_prefixed("groups.do.to_", d.mode), testid="post-form", fields=[
        rx.text(d.subject["text"].to(str), size="2"),
        form_field(d, "category_id", "groups.ticket_category", select_input(
            "category_id", d.ticket_categories, default=d.values["category_id"], testid="post-category")),
        rx.cond(d.mode == "ticket", rx.hstack(
            form_field(d, "kind", "tickets.col.kind", select_input("kind", TICKET_KINDS, default=d.values["kind"],
                                                               label_prefix="tickets.kind.")),
            form_field(d, "tier", "tickets.col.tier", select_input("tier", TIER_OPTIONS, default=d.values["tier"],
                                                               label_prefix="tickets.tier.")),
            spacing="3", width="100%")),
    ])


def rules_dialog() -> rx.Component:
    d = RulesForm
    return form_dialog(d, title=t("groups.do.publish_rules"), testid="rules-form", max_width="640px", fields=[
        form_field(d, "text", "groups.rules", rx.text_area(name="text", default_value=d.values["text"], rows="10",
                                                           width="100%", data_testid="rules-input"),
                   hint_key="groups.rules_hint")])


def group_page() -> rx.Component:
    contents = {"applications": applications_tab, "members": members_tab, "violations": violations_tab,
                "tasks": tasks_tab, "posts": posts_tab, "log": log_tab, "rules": rules_tab, "check": check_tab,
                "digest": digest_tab}
    return rx.fragment(
        rx.cond(S.missing, notice(t("groups.not_found"), icon="circle-alert", color_scheme="red"), rx.vstack(
            header(),
            rx.tabs.root(
                rx.tabs.list(*[rx.tabs.trigger(t(f"groups.tab.{tab}"), value=tab, data_testid=f"tab-{tab}")
                               for tab in TABS], wrap="wrap"),
                *[rx.tabs.content(rx.box(contents[tab](), padding_top="12px", width="100%"), value=tab)
                  for tab in TABS],
                default_value="applications", width="100%"),
            spacing="4", width="100%")),
        application_dialog(), admin_dialog(), report_dialog(), violation_dialog(), post_dialog(), rules_dialog())
