"""Archive pages: the catalog, one archive's documents and records, the access-request queue."""

from __future__ import annotations

import reflex as rx

from pm_admin.archives.services.common import MAX_SCAN_BYTES
from pm_admin.archives.states.archives import (
    DOC_TYPES,
    UPLOAD_INPUT,
    AccessLogList,
    ArchiveDetailState,
    ArchivesState,
    ChangesList,
    EntryForm,
    MyRequestsList,
    RemarksForm,
    ReplaceForm,
    RequestForm,
    VoidForm,
)
from pm_admin.archives.states.requests import (
    AccessRequestsState,
    ActiveList,
    DecisionForm,
    MineList,
    PendingList,
)
from pm_admin.ui.filters import filter_bar, place_pickers, search
from pm_admin.ui.forms import form_dialog, form_error_banner, form_field, notice
from pm_admin.ui.i18n import t, t_prefixed
from pm_admin.ui.table import Column, data_table, icon_action, simple_table
from pm_admin.ui.uploads import file_input

A, D, R = ArchivesState, ArchiveDetailState, AccessRequestsState
SCANS = ".pdf,.jpg,.jpeg,.png,.tif,.tiff"


def list_pager(records, testid: str) -> rx.Component:
    """Total and previous/next of one of the page's paged lists (a PagedMixin substate)."""
    return rx.hstack(
        rx.text(t("common.total_rows"), ": ", records.total, size="1", color_scheme="gray"),
        rx.spacer(),
        rx.icon_button(rx.icon("chevron-left", size=14), on_click=records.go_to_page(records.page - 1),
                       disabled=records.page <= 1, variant="soft", size="1", aria_label=t("common.previous_page")),
        rx.text(records.page, " / ", records.pages, size="1"),
        rx.icon_button(rx.icon("chevron-right", size=14), on_click=records.go_to_page(records.page + 1),
                       disabled=records.page >= records.pages, variant="soft", size="1",
                       aria_label=t("common.next_page")),
        align="center", spacing="2", padding_top="6px", width="100%", data_testid=testid,
    )


def status_badge(status: rx.Var) -> rx.Component:
    return rx.badge(t_prefixed("archives.status.", status), color_scheme=rx.match(
        status, ("approved", "green"), ("pending", "amber"), ("rejected", "red"), ("revoked", "red"), "gray"))


# ---------------------------------------------------------------- catalog


def catalog_page() -> rx.Component:
    columns = [
        Column("room_code", "archives.col.room"),
        Column("archive_no", "archives.col.archive_no", render=lambda row: rx.link(
            row["archive_no"], href="/archives/" + row["id"].to(str), data_testid="archive-link")),
        Column("owner_names", "archives.col.owners"),
        Column("moved_in", "archives.col.moved_in"),
        Column("pages", "archives.col.pages"),
        Column("entries", "archives.col.entries"),
        Column("remarks", "archives.col.remarks", render=lambda row: rx.hstack(
            rx.text(row["remarks"], size="2"),
            rx.cond(row["voided"].to(int) > 0, rx.text(t("archives.voided_short"), " ", row["voided"], size="2",
                                                       color_scheme="gray")), spacing="2")),
    ]
    return rx.fragment(
        filter_bar(
            A, *place_pickers(A), search(A, "archives.search_hint"),
            search(A, "archives.owner_search_hint", key="owner", icon="user-round", testid="owner-search"),
            end=[
                rx.link(rx.button(rx.icon("printer", size=14), t("common.print"), variant="soft"),
                        href=A.print_href, is_external=True, data_testid="print-catalog"),
                rx.button(rx.icon("file-spreadsheet", size=14), t("archives.export_catalog"), variant="soft",
                          on_click=A.export_catalog, data_testid="export-catalog"),
                rx.cond(A.can_manage, rx.form(rx.hstack(
                    rx.el.label(t("archives.open_for_room"), html_for="archive-room-code", white_space="nowrap",
                                style={"font-size": "var(--font-size-2)", "color": "var(--gray-11)"}),
                    rx.input(name="room_code", id="archive-room-code", placeholder=t("archives.room_code_to_open"),
                             width="190px", data_testid="archive-room-code"),
                    rx.button(rx.icon("folder-plus", size=14), t("archives.create"), type="submit"), spacing="2",
                    align="center"),
                    on_submit=A.create, width="auto")),
                rx.link(rx.button(rx.icon("inbox", size=14), t("nav.archive_requests"), variant="soft"),
                        href="/archives/requests"),
            ],
        ),
        form_error_banner(A.create_error),
        data_table(A, columns, testid="archive-catalog"),
    )


# ---------------------------------------------------------------- one archive


def entry_actions(entry: rx.Var) -> rx.Component:
    has_file = entry["file_id"].to(int) > 0
    file_url = "/archives/file/" + entry["file_id"].to(str)
    return rx.hstack(
        rx.cond(has_file & (D.grant_until != ""), rx.fragment(
            rx.link(icon_action("eye", "archives.view", rx.noop()), href=file_url, is_external=True,
                    data_testid="view-document"),
            rx.link(icon_action("download", "archives.download", rx.noop()), href=file_url + "?download=1",
                    is_external=True),
        )),
        rx.cond(D.can_manage & ~entry["voided"].to(bool), rx.fragment(
            icon_action("file-up", "archives.replace", ReplaceForm.open_replace(entry["id"])),
            icon_action("ban", "archives.void", VoidForm.open_void(entry["id"]), color_scheme="red"),
        )),
        spacing="1",
    )


def entries_table() -> rx.Component:
    def row(entry: rx.Var) -> rx.Component:
        return rx.table.row(
            rx.table.cell(t_prefixed("doc.", entry["doc_type"]), rx.cond(entry["voided"], rx.badge(
                t("archives.voided"), color_scheme="gray", margin_left="6px"))),
            rx.table.cell(entry["title"]), rx.table.cell(entry["pages"]), rx.table.cell(entry["copies"]),
            rx.table.cell(entry["doc_date"]), rx.table.cell(entry["handed_over_by"]),
            rx.table.cell(entry["received_by"]),
            rx.table.cell(rx.cond(entry["voided"], rx.text(entry["void_reason"], size="1", color_scheme="gray"),
                                  entry["remarks"])),
            rx.table.cell(rx.cond(entry["versions"].to(int) > 0, rx.text(entry["file_name"], " (v", entry["versions"],
                                                                         ")", size="1"), "—")),
            rx.table.cell(entry_actions(entry)),
            opacity=rx.cond(entry["voided"], "0.55", "1"),
            data_row_id=entry["id"].to(str),
        )

    return simple_table(["archives.col.doc_type", "archives.col.title", "archives.col.pages", "archives.col.copies",
                         "archives.col.doc_date", "archives.col.handed_over_by", "archives.col.received_by",
                         "archives.col.remarks", "archives.col.scan", "common.actions"],
                        D.entries, row, "archive-entries")


def access_panel() -> rx.Component:
    return rx.card(rx.vstack(
        rx.cond(D.grant_until != "",
                notice(t("archives.grant_until"), " ", D.grant_until, icon="key-round", color_scheme="green",
                       data_testid="grant-active"),
                notice(t("archives.confidential"), icon="lock", color_scheme="amber")),
        rx.cond(D.can_request & (D.grant_until == ""),
                rx.button(rx.icon("hand", size=14), t("archives.request_access"), on_click=RequestForm.open_request,
                          data_testid="request-access")),
        rx.foreach(MyRequestsList.rows, lambda r: rx.hstack(
            status_badge(r["status"]), rx.text(r["requested_at"], size="1", color_scheme="gray"),
            rx.text(r["reason"], size="2"),
            rx.cond(r["decision_note"] != "", rx.text("· ", r["decided_by"], ": ", r["decision_note"], size="1")),
            rx.cond(r["revoked_by"] != "", rx.text("· ", t("archives.revoked_by"), " ", r["revoked_by"], ": ",
                                                   r["revoke_note"], size="1")),
            spacing="2", align="center", data_testid="my-request")),
        rx.cond(MyRequestsList.pages > 1, list_pager(MyRequestsList, "my-requests-pager")),
        spacing="3", width="100%",
    ), width="100%")


def dialogs() -> rx.Component:
    e, r, v, q, m = EntryForm, ReplaceForm, VoidForm, RequestForm, RemarksForm
    entry = form_dialog(
        e, title=t("archives.add_entry"), testid="entry-form", on_submit=e.submit_entry,
        save_props={"loading": e.busy},
        fields=[
            form_field(e, "doc_type", "archives.col.doc_type", rx.select.root(
                rx.select.trigger(width="100%"),
                rx.select.content(*[rx.select.item(t(f"doc.{d}"), value=d) for d in DOC_TYPES]),
                name="doc_type", default_value=e.values["doc_type"].to(str))),
            form_field(e, "title", "archives.col.title"),
            rx.grid(
                form_field(e, "pages", "archives.col.pages", type_="number"),
                form_field(e, "copies", "archives.col.copies", type_="number"),
                form_field(e, "doc_date", "archives.col.doc_date", type_="date"),
                columns="3", spacing="3", width="100%"),
            rx.grid(
                form_field(e, "handed_over_by", "archives.col.handed_over_by"),
                form_field(e, "received_by", "archives.col.received_by"),
                columns="2", spacing="3", width="100%"),
            form_field(e, "remarks", "archives.col.remarks"),
            form_field(e, "file", "archives.col.scan", file_input(UPLOAD_INPUT, SCANS, "entry-file")),
            rx.text(t("archives.scan_hint_max").to(str).replace("{max_mb}", str(MAX_SCAN_BYTES // (1024 * 1024))),
                    size="1", color_scheme="gray"),
        ],
    )
    replace = form_dialog(
        r, title=t("archives.replace"), testid="replace-form", on_submit=r.submit_replacement,
        save_props={"loading": r.busy},
        fields=[
            rx.text(t_prefixed("doc.", r.subject["doc_type"].to(str)), " · ", r.subject["title"].to(str),
                    weight="bold"),
            form_field(r, "reason", "archives.replace_reason"),
            form_field(r, "file", "archives.col.scan", file_input(UPLOAD_INPUT, SCANS, "replace-file")),
        ],
    )
    void = form_dialog(
        v, title=t("archives.void"), testid="void-form",
        fields=[rx.text(t_prefixed("doc.", v.subject["doc_type"].to(str)), " · ", v.subject["title"].to(str),
                        weight="bold", data_testid="void-subject"),
                notice(t("archives.void_explain"), icon="info", size="1"),
                form_field(v, "reason", "archives.void_reason")],
    )
    request = form_dialog(
        q, title=t("archives.request_access"), testid="request-form",
        fields=[notice(t("archives.request_explain"), icon="info", size="1"),
                form_field(q, "reason", "archives.request_reason")],
    )
    remarks = form_dialog(
        m, title=t("archives.edit_remarks"), testid="remarks-form",
        fields=[form_field(m, "remarks", "archives.col.remarks", rx.text_area(
            name="remarks", default_value=m.values["remarks"].to(str), max_length=500, rows="3", width="100%"))],
    )
    return rx.fragment(entry, replace, void, request, remarks)


def records_tabs() -> rx.Component:
    return rx.tabs.root(
        rx.tabs.list(rx.tabs.trigger(t("archives.tab_changes"), value="changes"),
                     rx.tabs.trigger(t("archives.tab_versions"), value="versions"),
                     rx.cond(D.can_manage, rx.tabs.trigger(t("archives.tab_access_log"), value="log",
                                                           data_testid="tab-access-log"))),
        rx.tabs.content(rx.box(simple_table(["audit.time", "archives.change_kind", "archives.detail_col", "audit.actor"],
                                            ChangesList.rows, lambda c: rx.table.row(
                                                rx.table.cell(c["occurred_at"]),
                                                rx.table.cell(t_prefixed("archives.change.", c["kind"])),
                                                rx.table.cell(c["detail"]), rx.table.cell(c["actor_name"])),
                                            "archive-changes"), list_pager(ChangesList, "changes-pager"),
                               padding_top="12px"), value="changes"),
        rx.tabs.content(rx.box(simple_table(["archives.col.scan", "archives.version", "archives.size", "archives.sha256",
                                             "audit.time", "audit.actor", "archives.replace_reason"],
                                            D.versions, lambda v: rx.table.row(
                                                rx.table.cell(v["filename"]), rx.table.cell("v", v["version_no"]),
                                                rx.table.cell(v["size"]),
                                                rx.table.cell(rx.code(v["sha256"].to(str)[:16], size="1")),
                                                rx.table.cell(v["uploaded_at"]), rx.table.cell(v["uploaded_by"]),
                                                rx.table.cell(v["replace_reason"])), "archive-versions"),
                               padding_top="12px"), value="versions"),
        rx.tabs.content(rx.box(simple_table(["audit.time", "audit.actor", "archives.action", "audit.outcome",
                                             "archives.refusal"],
                                            AccessLogList.rows, lambda r: rx.table.row(
                                                rx.table.cell(r["occurred_at"]), rx.table.cell(r["username"]),
                                                rx.table.cell(t_prefixed("archives.action.", r["action"])),
                                                rx.table.cell(rx.badge(t_prefixed("audit.outcome.", r["outcome"]),
                                                                       color_scheme=rx.cond(r["outcome"] == "ok",
                                                                                            "green", "red"))),
                                                rx.table.cell(rx.cond(r["reason"] != "", t_prefixed(
                                                    "archives.refusal.", r["reason"]), ""))), "access-log"),
                               list_pager(AccessLogList, "access-log-pager"), padding_top="12px"), value="log"),
        default_value="changes", width="100%",
    )


def archive_page() -> rx.Component:
    h = D.header
    return rx.fragment(
        rx.cond(D.found, rx.vstack(
            rx.link(rx.hstack(rx.icon("arrow-left", size=14), t("nav.archives"), spacing="1"), href="/archives",
                    size="2"),
            rx.hstack(
                rx.vstack(rx.heading(h["archive_no"].to(str), size="6", data_testid="archive-no"),
                          rx.text(h["community_name"].to(str), " · ", t("archives.col.owners"), ": ",
                                  h["owner_names"].to(str), size="2", color_scheme="gray"),
                          rx.hstack(rx.text(t("archives.col.remarks"), ": ", h["remarks"].to(str), size="2",
                                            data_testid="archive-remarks"),
                                    rx.cond(D.can_manage, icon_action("pencil", "archives.edit_remarks",
                                                                      RemarksForm.open_remarks)),
                                    spacing="1", align="center"),
                          spacing="1"),
                rx.spacer(),
                rx.cond(D.can_manage, rx.button(rx.icon("file-plus", size=14), t("archives.add_entry"),
                                                on_click=EntryForm.open_entry, data_testid="add-entry")),
                width="100%", align="center"),
            access_panel(),
            rx.box(entries_table(), width="100%", overflow_x="auto"),
            records_tabs(),
            spacing="4", width="100%"),
            notice(t("archives.not_found"), icon="circle-alert", color_scheme="gray")),
        dialogs(),
    )


# ---------------------------------------------------------------- requests


def request_row(request: rx.Var, actions: bool) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(request["archive_no"], href="/archives/" + request["archive_id"].to(str))),
        rx.table.cell(request["requester_name"]), rx.table.cell(request["reason"]),
        rx.table.cell(request["requested_at"]), rx.table.cell(status_badge(request["status"])),
        rx.table.cell(request["expires_at"]),
        rx.table.cell(rx.cond(request["status"] == "pending", rx.cond(
            request["own"],  # nobody approves their own request
            rx.text(t("archives.awaiting_other_manager"), size="1", color_scheme="gray", data_testid="awaiting-other"),
            rx.hstack(
                rx.button(t("archives.approve"), size="1", color_scheme="green",
                          on_click=DecisionForm.open_decision(request["id"], True, False), data_testid="approve-request"),
                rx.button(t("archives.reject"), size="1", variant="soft", color_scheme="red",
                          on_click=DecisionForm.open_decision(request["id"], False, False)), spacing="2")),
            rx.button(t("archives.revoke"), size="1", variant="soft", color_scheme="red",
                      on_click=DecisionForm.open_decision(request["id"], False, True))) if actions else request["decided_by"]),
    )


REQUEST_HEADERS = ["archives.col.archive_no", "archives.requester", "archives.request_reason", "archives.requested_at",
                   "audit.outcome", "archives.expires_at", "common.actions"]


def requests_page() -> rx.Component:
    d = DecisionForm
    return rx.fragment(
        rx.vstack(
            rx.cond(R.can_approve, rx.vstack(
                rx.heading(t("archives.pending_queue"), size="4"),
                simple_table(REQUEST_HEADERS, PendingList.rows, lambda r: request_row(r, True),
                             "pending-requests"),
                list_pager(PendingList, "pending-pager"),
                rx.heading(t("archives.active_grants"), size="4"),
                simple_table(REQUEST_HEADERS, ActiveList.rows, lambda r: request_row(r, True),
                             "active-grants"),
                list_pager(ActiveList, "active-pager"),
                spacing="3", width="100%")),
            rx.heading(t("archives.my_requests"), size="4"),
            simple_table(REQUEST_HEADERS, MineList.rows, lambda r: request_row(r, False), "my-requests"),
            list_pager(MineList, "mine-pager"),
            spacing="4", width="100%",
        ),
        form_dialog(
            d, title=rx.cond(d.subject["revoke"].to(bool), t("archives.revoke"),
                             rx.cond(d.subject["approve"].to(bool), t("archives.approve"), t("archives.reject"))),
            testid="decision-form", on_submit=d.decide, save_props={"data_testid": "decision-save"},
            max_width="460px",
            fields=[
                rx.vstack(rx.text(d.subject["archive_no"].to(str), " · ", d.subject["requester"].to(str),
                                  weight="bold", data_testid="decision-subject"),
                          rx.text(d.subject["reason"].to(str), size="2", color_scheme="gray"), spacing="1"),
                rx.cond(d.subject["approve"].to(bool) & ~d.subject["revoke"].to(bool),
                        notice(t("archives.approve_explain"), size="1")),
                form_field(d, "note", None, rx.input(name="note", placeholder=t("archives.decision_note"),
                                                     width="100%")),
            ],
        ),
    )
