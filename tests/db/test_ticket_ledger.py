"""The ticket ledger 工单台账 (issue 17 item 9): the list's filtered view as XLSX — the rows the grid shows, in its
order and the reader's scope, with the seed's columns, the contact's phone masked, widths fitted, the header frozen
and the export audited."""

from __future__ import annotations

import dataclasses
import io
from datetime import timedelta

import openpyxl
import pytest
from sqlmodel import select

from pm_admin.core.audit import AuditEvent
from pm_admin.core.files import issue_download, redeem_download
from pm_admin.core.paging import PageRequest
from pm_admin.core.tables import display_width
from pm_admin.tickets import queries
from pm_admin.tickets.ledger import COLUMNS, LedgerView, ledger
from pm_admin.tickets.services import actions, callbacks
from pm_admin.tickets.services.callbacks import CallbackInput
from pm_admin.tickets.services.contact import ContactInput
from tests.support import factories
from tests.support.ticket_desk import NOW, new_ticket

PHONE = "13812345678"
LONG = "业主反映：" + "楼上卫生间渗水至楼下天花板，墙面起皮发霉，" * 6


@pytest.fixture
def tickets(session, desk):
    """Five tickets of the desk's community, one of another community (out of the cs's scope)."""
    made = {
        "noise": new_ticket(session, desk, title="楼上夜间噪音", code="noise", now=NOW,
                            contact=ContactInput(name="王女士", phone=PHONE, relation="owner")),
        "leak": new_ticket(session, desk, kind="repair", tier="urgent", code="water_power", title="卫生间漏水",
                           description=LONG, now=NOW + timedelta(minutes=1)),
        "lamp": new_ticket(session, desk, kind="request", title="楼道灯不亮", code="cleaning",
                           room="other_room", now=NOW + timedelta(minutes=2)),
        "done": new_ticket(session, desk, title="垃圾未清运", now=NOW + timedelta(minutes=3)),
        "hostile": new_ticket(session, desk, title='=HYPERLINK("http://evil.example","x")',
                              now=NOW + timedelta(minutes=4)),
    }
    done = made["done"]
    for step in (lambda t: actions.assign(session, actor=desk["cs"], ticket_id=t.id, expected_version=t.version,
                                          assignee_id=desk["tech_user"].id, now=NOW + timedelta(hours=1)),
                 lambda t: actions.start(session, actor=desk["tech"], ticket_id=t.id, expected_version=t.version,
                                         now=NOW + timedelta(hours=2)),
                 lambda t: actions.resolve(session, actor=desk["tech"], ticket_id=t.id, expected_version=t.version,
                                           resolution="已清运并消毒", now=NOW + timedelta(hours=3))):
        done = step(done)
    callbacks.record_callback(session, actor=desk["cs"], ticket_id=done.id, now=NOW + timedelta(hours=5),
                              data=CallbackInput(method="phone", reached=True, satisfied=True, comment="很满意"))
    elsewhere, _, _, room = factories.place_tree(session)
    stranger = factories.sign_in(session, factories.user(session, "cs", communities=(elsewhere,)))
    made["elsewhere"] = new_ticket(session, {"cs": stranger, "room": room}, title="别的小区的工单",
                                   now=NOW + timedelta(minutes=5))
    made["elsewhere_community"] = elsewhere
    return made


def grid_codes(session, principal, view: LedgerView) -> list[str]:
    page = queries.ticket_list(session, principal, PageRequest(page_size=200, sort=view.sort,
                                                               descending=view.descending),
                               view.filters, status=view.status)
    return [row.code for row in page.rows]


VIEWS = [
    LedgerView(queries.TicketFilter(), status="open"),
    LedgerView(queries.TicketFilter(), status=""),
    LedgerView(queries.TicketFilter(kind="repair")),
    LedgerView(queries.TicketFilter(search="楼"), status="", sort="code"),
    LedgerView(queries.TicketFilter(), status="closed"),
    LedgerView(queries.TicketFilter(), status="", sort="created_at", descending=False),
]


@pytest.mark.parametrize("view", VIEWS, ids=range(len(VIEWS)))
def test_the_ledger_holds_the_rows_the_grid_shows_in_its_order(session, desk, tickets, view):
    rows = ledger(session, desk["cs"], view).rows
    assert [row["code"] for row in rows] == grid_codes(session, desk["cs"], view)
    assert rows, "each view has rows"
    assert tickets["elsewhere"].code not in [row["code"] for row in rows]


def test_the_scope_is_the_readers(session, desk, tickets):
    everything = LedgerView(queries.TicketFilter(), status="")
    assert {row["code"] for row in ledger(session, desk["cs"], everything).rows} == {
        tickets[k].code for k in ("noise", "leak", "lamp", "done", "hostile")}
    account = factories.user(session, "manager", communities=(desk["community"], tickets["elsewhere_community"]))
    both = factories.sign_in(session, account)
    assert tickets["elsewhere"].code in {row["code"] for row in ledger(session, both, everything).rows}
    # The header's community switcher narrows the reader's scope, as it narrows the grid.
    narrowed = factories.sign_in(session, account, current_community_id=desk["community"].id)
    codes = [row["code"] for row in ledger(session, narrowed, everything).rows]
    assert tickets["elsewhere"].code not in codes and codes == grid_codes(session, narrowed, everything)


def test_a_row_has_the_seeds_columns_with_the_phone_masked(session, desk, tickets):
    rows = {row["code"]: row for row in ledger(session, desk["cs"], LedgerView(queries.TicketFilter())).rows}
    noise, done = rows[tickets["noise"].code], rows[tickets["done"].code]
    assert noise["contact"] == "王女士（业主）" and noise["phone"] == "138****5678"
    assert (noise["channel"], noise["kind"], noise["tier"], noise["status"]) == ("热线", "投诉", "一般", "待受理")
    assert noise["created_at"] == "2026-11-22 10:00" and noise["room"] == desk["room"].code
    assert done["resolution"] == "已清运并消毒" and done["resolved_at"] == "2026-11-22 13:00"
    assert done["callback"] == "满意 · 电话 · 2026-11-22 15:00：很满意" and done["closed_at"] == "2026-11-22 15:00"
    assert done["assignee"] == "测试用户" and done["status"] == "已关闭"
    assert all(PHONE not in value for row in rows.values() for value in row.values())


def test_the_workbook_fits_its_columns_freezes_the_header_and_is_audited(session, desk, tickets):
    params = LedgerView(queries.TicketFilter(), status="").params("zh-CN")
    file = redeem_download(session, principal=desk["cs"], ticket_id=issue_download(
        session, principal=desk["cs"], kind="ticket_ledger", params=params))
    data = b"".join(file.chunks)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header, *rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert header == ["工单号", "登记时间", "小区", "来源渠道", "类型", "分类", "紧急程度", "房号", "联系人", "联系电话",
                      "标题", "详细描述", "责任部门", "处理人", "状态", "处理结果", "办结时间", "回访结果", "关闭时间"]
    assert len(header) == len(COLUMNS) and sheet.freeze_panes == "A2" and sheet["A1"].font.b
    assert [row[0] for row in rows] == grid_codes(session, desk["cs"], LedgerView.of(params))
    assert PHONE.encode() not in data and "138****5678" in [row[9] for row in rows]
    widths = {column: sheet.column_dimensions[column].width for column in "ABCDEFGHIJKLMNOPQRS"}
    code_width = max(display_width(row[0]) for row in [header, *rows])
    assert widths["A"] == code_width + 2  # fitted to the longest code
    assert widths["K"] == max(display_width(row[10]) for row in [header, *rows]) + 2  # titles: CJK count two
    assert widths["L"] == 52  # the long description stops growing at 50 and wraps
    leak_row = next(i for i, row in enumerate(rows, start=2) if row[0] == tickets["leak"].code)
    assert sheet.cell(leak_row, 12).alignment.wrap_text
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    assert file.filename.startswith("工单台账-") and file.filename.endswith(".xlsx")
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "ticket.ledger_export")).one()
    assert audit.changes["rows"] == len(rows) and audit.actor_user_id == desk["cs"].user_id


def test_a_view_too_big_is_cut_and_says_so(session, desk, tickets):
    cut = ledger(session, desk["cs"], LedgerView(queries.TicketFilter(), status=""), limit=2)
    assert len(cut.rows) == 2 and cut.total == 5


def test_the_view_survives_the_download_ticket(session, desk):
    view = LedgerView(queries.TicketFilter(community_id=3, overdue=True, search="漏水"), status="open", sort="code",
                      descending=True)
    assert LedgerView.of(view.params("en")) == view
    assert dataclasses.asdict(view.filters) == view.params("en")["filters"]
