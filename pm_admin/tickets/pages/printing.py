"""Print layouts of the ticket desk (A4, ``ui.printing``): one ticket with its timeline and callbacks, and the day's
review 日清日审 by department."""

from __future__ import annotations

import reflex as rx

from pm_admin.tickets.states.printing import TicketPrintState
from pm_admin.tickets.states.review import DailyReviewState
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.printing import print_facts, print_note, print_section, print_sheet, print_table

P, R = TicketPrintState, DailyReviewState


def _contact() -> rx.Component:
    k = P.ticket
    return rx.cond(k["kind"] == "anonymous", t("tickets.anonymous_submitter"), rx.fragment(
        k["contact_name"].to(str),
        rx.cond(k["contact_relation"].to(str) != "", "（" + k["contact_relation"].to(str) + "）", ""), " ",
        k["contact_phone"].to(str)))


def _callback_result(c: rx.Var) -> rx.Component:
    return rx.cond(c["reached"], rx.cond(c["satisfied"] == "true", t("tickets.satisfied"), t("tickets.unsatisfied")),
                   t("tickets.unreachable"))


def _event_what(e: rx.Var) -> rx.Component:
    return rx.fragment(t_prefixed("tickets.event.", e["kind"]), rx.cond(e["to"] != "", rx.fragment(
        "：", rx.cond(e["kind"] == "tier", t_prefixed("tickets.tier.", e["to"]), t_prefixed("tickets.status.", e["to"])))))


def ticket_print_page() -> rx.Component:
    k = P.ticket
    return rx.cond(P.missing, print_note(t("error.not_found")), print_sheet(
        rx.fragment(t("tickets.print_title"), " ", k["code"].to(str)),
        print_facts([
            ("tickets.col.title", k["title"].to(str)),
            ("tickets.col.status", t_prefixed("tickets.status.", k["status"])),
            ("tickets.col.tier", t_prefixed("tickets.tier.", k["tier"])),
            ("tickets.col.kind", t_prefixed("tickets.kind.", k["kind"])),
            ("tickets.col.channel", t_prefixed("tickets.channel.", k["channel"])),
            ("tickets.col.category", k["category"].to(str)),
            ("tickets.col.department", k["department"].to(str)),
            ("tickets.col.assignee", k["assignee"].to(str)),
            ("tickets.col.room", k["room"].to(str)),
            ("tickets.col.contact", _contact()),
            ("tickets.contact_time", k["contact_time"].to(str)),
            ("tickets.col.created_at", rx.fragment(k["created_at"].to(str), " · ", k["created_by"].to(str))),
            ("tickets.respond_due", rx.fragment(k["respond_due"].to(str), " → ", k["responded_at"].to(str))),
            ("tickets.onsite_due", k["onsite_due"].to(str)),
            ("tickets.col.resolve_due", rx.fragment(k["resolve_due"].to(str), " → ", k["resolved_at"].to(str))),
            ("tickets.closed_at", k["closed_at"].to(str)),
        ]),
        print_section("tickets.col.description", rx.el.p(k["description"].to(str), class_name="print-text")),
        rx.cond(k["plan"] != "", print_section("tickets.plan", rx.el.p(k["plan"].to(str), class_name="print-text"))),
        rx.cond(k["resolution"] != "", print_section(
            "tickets.resolution", rx.el.p(k["resolution"].to(str), class_name="print-text"))),
        print_section("tickets.timeline", print_table(
            ["tickets.print.at", "tickets.print.by", "tickets.print.what", "tickets.print.body"], P.events,
            lambda e: [e["at"], e["actor"], _event_what(e), e["body"]], widths=["17%", "12%", "23%", "48%"],
            testid="print-timeline")),
        print_section("tickets.callbacks", rx.cond(P.callbacks.length() == 0, print_note(t("tickets.no_callbacks")),
                                                   print_table(
            ["tickets.print.number", "tickets.method", "tickets.print.result", "tickets.scores",
             "tickets.callback_comment", "tickets.print.at"], P.callbacks,
            lambda c: [c["number"], t_prefixed("tickets.method.", c["method"]), _callback_result(c), c["scores"],
                       c["comment"], rx.fragment(c["done_at"], " ", c["done_by"])],
            widths=["7%", "9%", "12%", "16%", "34%", "22%"], testid="print-callbacks"))),
        print_note(t("common.printed_at"), " ", P.printed_at),
        back="/tickets/" + k["id"].to(str), testid="print-ticket",
    ))


def _review_row(row: rx.Var) -> list:
    late = rx.cond(row["missed"] != "", t_prefixed("tickets.missed.", row["missed"]), "")
    held = rx.cond(row["hold_until"] != "", rx.fragment(t("tickets.hold_until"), " ", row["hold_until"]), "")
    progress = rx.cond(row["progress_at"] != "", rx.fragment(
        row["progress_at"], " ", row["progress_by"], " ", t_prefixed("tickets.event.", row["progress_kind"]),
        rx.cond(row["progress_to"] != "", rx.fragment(" → ", t_prefixed("tickets.status.", row["progress_to"]))),
        rx.cond(row["progress"] != "", rx.fragment("：", row["progress"]))), "")
    return [row["code"], row["title"], rx.fragment(t_prefixed("tickets.tier.", row["tier"]), " / ",
                                                   t_prefixed("tickets.status.", row["status"])),
            rx.fragment(row["room"], " ", row["assignee"]), row["resolve_due"], rx.fragment(late, " ", held), progress]


def review_print_page() -> rx.Component:
    f = R.figures
    return print_sheet(
        t("tickets.review_title"),
        print_facts([(f"tickets.review.{key}", f[key].to(str)) for key in ("new", "closed", "overdue", "due_soon",
                                                                           "on_hold")]),
        rx.cond(R.truncated, print_note(t("tickets.review_truncated"))),
        rx.cond(R.groups.length() == 0, print_note(t("tickets.review_clear"))),
        rx.foreach(R.groups, lambda group: rx.el.section(
            rx.el.h2(group["department"], " (", group["tickets"].to(list).length(), ")", class_name="print-heading"),
            print_table(["tickets.col.code", "tickets.col.title", "tickets.print.tier_status", "tickets.print.room_assignee",
                         "tickets.col.resolve_due", "tickets.col.missed", "tickets.col.progress"],
                        group["tickets"].to(list[dict]), _review_row,
                        widths=["17%", "16%", "11%", "13%", "11%", "10%", "22%"]),
            class_name="print-section")),
        subtitle=rx.fragment(t("tickets.review_intro"), " ", R.day),
        back="/tickets/review", testid="print-review",
    )
