"""常见问题: the ask box for a cs on the phone (the answer, the top three, or a ticket to open), the knowledge base
with its entry dialog, and the unanswered questions turned into entries in one step."""

from __future__ import annotations

import reflex as rx

from pm_admin.faq.states.faq import EntryForm, FaqState
from pm_admin.faq.states.synonyms import SynonymsState
from pm_admin.ui.filters import filter_bar, pick
from pm_admin.ui.forms import confirm_button, confirm_icon, field, form_dialog, form_field, notice, select_input
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table, icon_action, table_body

S = FaqState


def _answer_card(answer: rx.Var) -> rx.Component:
    return rx.card(rx.vstack(
        rx.hstack(rx.icon("circle-check", size=16, color="var(--green-10)"),
                  rx.text(answer["question"], weight="medium", size="3", data_testid="faq-answer-question"),
                  rx.cond(answer["category"] != "", rx.badge(answer["category"], variant="soft")),
                  align="center", spacing="2"),
        rx.box(rx.markdown(answer["answer"].to(str)), data_testid="faq-answer"),
        spacing="2", width="100%"), width="100%")


def _proposal(p: rx.Var) -> rx.Component:
    return rx.button(p["question"], variant="outline", on_click=S.choose(p["entry_id"]), width="100%",
                     justify="start", data_testid="faq-proposal")


def ask_box() -> rx.Component:
    reply = rx.vstack(
        rx.cond(S.reply_answer.length() > 0, _answer_card(S.reply_answer)),
        rx.cond(S.reply_proposals.length() > 0, rx.vstack(
            rx.text(t("faq.did_you_mean"), size="2", color_scheme="gray"),
            rx.foreach(S.reply_proposals, _proposal), spacing="2", width="100%", data_testid="faq-proposals")),
        rx.cond(S.reply_ticket.length() > 0, notice(
            t("faq.ticket_offer_staff"), " ",
            rx.link(t("faq.open_ticket"), href="/tickets", data_testid="faq-ticket-link"),
            icon="wrench", color_scheme="orange", data_testid="faq-ticket-offer")),
        spacing="3", width="100%")
    return rx.card(rx.vstack(
        rx.hstack(rx.icon("phone", size=16), rx.text(t("faq.ask_title"), weight="medium"), align="center"),
        rx.form(rx.hstack(
            rx.box(select_input("community_id", S.choices["community"].to(list[dict[str, str]]),
                                value=S.ask_community, on_change=S.pick_ask_community, testid="faq-ask-community"),
                   min_width="160px"),
            rx.input(name="text", placeholder=t("faq.ask_placeholder"), width="100%", max_length=500,
                     data_testid="faq-ask-input"),
            rx.button(rx.icon("search", size=14), t("faq.ask"), type="submit", data_testid="faq-ask-submit"),
            rx.cond(S.reply_band != "", rx.button(t("faq.clear"), type="button", variant="soft", color_scheme="gray",
                                                  on_click=S.clear_reply)),
            spacing="2", width="100%", align="center"),
            on_submit=S.ask, key=S.ask_key.to(str), width="100%"),
        rx.cond(S.ask_error != "", rx.text(S.ask_error, size="1", color="var(--red-11)", role="alert")),
        reply, spacing="3", width="100%"), width="100%", data_testid="faq-ask-box")


def entry_dialog() -> rx.Component:
    d = EntryForm
    return form_dialog(d, title=rx.cond(d.editing, t("faq.edit_entry"), t("faq.new_entry")), testid="faq-entry-form",
                       max_width="640px", fields=[
        rx.cond(d.from_query != "", notice(t("faq.from_query"), " ", d.from_query, icon="message-circle-question",
                                           size="1")),
        rx.cond(d.editing, rx.fragment(), form_field(d, "community_id", "places.community", select_input(
            "community_id", d.community_choices, default=d.values["community_id"], testid="faq-entry-community"))),
        form_field(d, "question", "faq.question", data_testid="faq-entry-question"),
        form_field(d, "phrasings", "faq.phrasings", rx.text_area(
            name="phrasings", default_value=d.values["phrasings"], rows="3", width="100%",
            data_testid="faq-entry-phrasings"), hint_key="faq.phrasings_hint"),
        form_field(d, "answer", "faq.answer", rx.text_area(
            name="answer", default_value=d.values["answer"], rows="5", width="100%", data_testid="faq-entry-answer"),
            hint_key="faq.answer_hint"),
        rx.hstack(form_field(d, "category", "faq.category", data_testid="faq-entry-category"),
                  form_field(d, "valid_until", "faq.valid_until", type_="date", data_testid="faq-entry-valid-until"),
                  spacing="3", width="100%"),
    ])


def _entry_actions(row: rx.Var) -> rx.Component:
    return rx.cond(S.can_manage, icon_action("pencil", "common.edit", EntryForm.open_edit(row["id"].to(str)),
                                             data_testid="faq-entry-edit"))


def _unanswered_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["asked"], size="2")),
        rx.table.cell(rx.text(row["community"], size="2")),
        rx.table.cell(rx.text(t_prefixed("faq.channel.", row["channel"]), size="2")),
        rx.table.cell(rx.text(row["asked_at"], size="2")),
        rx.table.cell(rx.cond(S.can_manage, rx.hstack(
            rx.button(rx.icon("plus", size=14), t("faq.to_entry"), size="1",
                      on_click=EntryForm.open_from_query(row["id"]), data_testid="faq-to-entry"),
            confirm_button("faq.dismiss", title_key="faq.dismiss_confirm", subject=row["asked"].to(str),
                           explain_key="faq.dismiss_explain", on_confirm=S.dismiss(row["id"]), testid="faq-dismiss",
                           color_scheme="gray", size="1", variant="soft"),
            spacing="2"))),
        data_row_id=row["id"])


def unanswered_list() -> rx.Component:
    return rx.vstack(
        rx.text(t("faq.unanswered_explain"), size="2", color_scheme="gray"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(key)) for key in (
                "faq.asked", "places.community", "faq.channel", "faq.asked_at", "common.actions")])),
            table_body(S.unanswered, _unanswered_row, 5),
            width="100%", variant="surface"),
        spacing="3", width="100%", data_testid="faq-unanswered")


def _synonym_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(row["word"], size="2")),
        rx.table.cell(rx.text("→ ", row["canonical"], size="2")),
        rx.table.cell(rx.cond(row["community"] != "", rx.text(row["community"], size="2"),
                              rx.badge(t("faq.company_wide"), variant="soft"))),
        rx.table.cell(rx.cond(row["deletable"] != "", confirm_icon(
            "trash-2", "common.delete", title_key="faq.synonym_delete_confirm",
            subject=row["word"].to(str) + " → " + row["canonical"].to(str), explain_key="faq.synonym_delete_explain",
            on_confirm=SynonymsState.remove(row["id"]), testid="faq-synonym-delete"))),
        data_testid="faq-synonym-row")


def synonyms_list() -> rx.Component:
    y = SynonymsState
    return rx.vstack(
        rx.text(t("faq.synonyms_explain"), size="2", color_scheme="gray"),
        rx.cond(S.can_manage, rx.form(rx.hstack(
            rx.box(select_input("community_id", y.synonym_scopes, default=y.synonym_scope,
                                testid="faq-synonym-scope"), min_width="160px"),
            field(None, rx.input(name="word", placeholder=t("faq.synonym_word"), max_length=20,
                                 data_testid="faq-synonym-word"), y.synonym_errors["word"]),
            field(None, rx.input(name="canonical", placeholder=t("faq.synonym_canonical"), max_length=20,
                                 data_testid="faq-synonym-canonical"), y.synonym_errors["canonical"]),
            rx.button(rx.icon("plus", size=14), t("faq.add_synonym"), type="submit", data_testid="faq-synonym-add"),
            spacing="2", align="start", width="100%"), on_submit=y.add, key=y.synonym_key.to(str), width="100%")),
        rx.cond(y.synonym_errors["community_id"], rx.text(y.synonym_errors["community_id"], size="1",
                                                           color="var(--red-11)", role="alert")),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(t(key)) for key in (
                "faq.synonym_word", "faq.synonym_canonical", "places.community", "common.actions")])),
            table_body(y.synonyms, _synonym_row, 4),
            width="100%", variant="surface"),
        spacing="3", width="100%", data_testid="faq-synonyms")


def faq_page() -> rx.Component:
    columns = [
        Column("question", "faq.question", sortable=True, render=lambda r: rx.vstack(
            rx.text(r["question"], weight="medium", size="2"),
            rx.text(r["answer"], size="1", color_scheme="gray"), spacing="1")),
        Column("phrasings", "faq.phrasing_count"),
        Column("category", "faq.category", sortable=True),
        Column("community", "places.community", render=lambda r: rx.cond(
            r["company_wide"].to(bool), rx.badge(t("faq.company_wide"), variant="soft"),
            rx.text(r["community"], size="2"))),
        Column("valid_until", "faq.valid_until"),
        Column("updated_at", "faq.updated_at", sortable=True),
    ]
    entries = rx.vstack(
        filter_bar(S, pick(S, "community", "shell.all_communities"),
                   pick(S, "category", "faq.all_categories", testid="filter-category"),
                   search_key="faq.search",
                   end=[rx.cond(S.can_manage, rx.button(rx.icon("plus", size=14), t("faq.new_entry"),
                                                        on_click=EntryForm.open_new, data_testid="faq-new-entry"))]),
        data_table(S, columns, testid="faq-entries", actions=_entry_actions),
        spacing="3", width="100%")
    return rx.fragment(rx.vstack(
        ask_box(),
        rx.tabs.root(
            rx.tabs.list(rx.tabs.trigger(t("faq.entries"), value="entries", data_testid="faq-tab-entries"),
                         rx.tabs.trigger(t("faq.unanswered"), " ",
                                         rx.badge(S.unanswered.length(), color_scheme=rx.cond(
                                             S.unanswered.length() > 0, "orange", "gray")),
                                         value="unanswered", data_testid="faq-tab-unanswered"),
                         rx.tabs.trigger(t("faq.synonyms"), value="synonyms", on_click=SynonymsState.open_tab,
                                         data_testid="faq-tab-synonyms")),
            rx.tabs.content(rx.box(entries, padding_top="12px"), value="entries"),
            rx.tabs.content(rx.box(unanswered_list(), padding_top="12px"), value="unanswered"),
            rx.tabs.content(rx.box(synonyms_list(), padding_top="12px"), value="synonyms"),
            default_value="entries", width="100%"),
        spacing="4", width="100%"), entry_dialog())
