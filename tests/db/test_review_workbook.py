"""The daily review's XLSX 日清日审表 (issue 17 item 9): columns as wide as their content (a CJK character counts two),
the title, figures and header frozen above the rows, long progress notes wrapped instead of one endless line."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import openpyxl

from pm_admin.core.clock import local_today
from pm_admin.core.tables import display_width
from pm_admin.tickets.files import COLUMN_KEYS, review_xlsx
from pm_admin.tickets.services import handling
from tests.support.ticket_desk import new_ticket

NOTE = "已联系供水公司，预计明天上午到场更换阀门，期间请业主关闭总阀并注意楼下邻居家天花板是否渗水"


def test_the_review_workbook_fits_its_columns_and_keeps_the_header_in_view(session, desk):
    five_hours_ago = datetime.now(UTC) - timedelta(hours=5)
    late = new_ticket(session, desk, tier="urgent", title="地下车库积水严重影响出行", now=five_hours_ago)
    handling.add_comment(session, actor=desk["cs"], ticket_id=late.id, body=NOTE, public=False)
    new_ticket(session, desk, tier="urgent", title="电梯困人", code="water_power", now=five_hours_ago)
    file = review_xlsx(session, desk["cs"], {"day": local_today().isoformat(), "language": "zh-CN"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(file.chunks))).active
    lines = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert lines[0][0] == "日清日审" and lines[1][0:10:2] == ["今日新增", "今日关闭", "当前超时", "两小时内到期", "挂起中"]
    header, rows = lines[2], lines[3:]
    assert header[:3] == ["责任部门", "工单号", "标题"] and len(header) == len(COLUMN_KEYS)
    assert sheet.freeze_panes == "A4" and all(sheet.cell(3, i).font.b for i in range(1, len(header) + 1))
    assert len(rows) == 2
    width = {i: sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width for i in range(1, len(header) + 1)}
    # Fitted: the title column as wide as the longest title, counting each Chinese character twice.
    assert width[3] == display_width("地下车库积水严重影响出行") + 2 == 26
    assert width[2] == len(late.code) + 2
    # The progress (the latest note, 90 characters wide) stops at 50 and wraps.
    progress = next(row for row in rows if row[1] == late.code)[11]
    assert NOTE in progress and width[12] == 52
    late_line = 4 + [row[1] for row in rows].index(late.code)
    assert sheet.cell(late_line, 12).alignment.wrap_text and not sheet.cell(late_line, 2).alignment.wrap_text
