"""How wide a spreadsheet column must be for its text (core.tables): CJK characters take two columns; what wraps."""

import io

from openpyxl import load_workbook

from pm_admin.core.tables import WRAP_WIDTH, display_width, export_workbook, fitted_widths, table_sheet, workbook_bytes


def test_cjk_and_full_width_characters_count_two():
    assert display_width("TS-20261122-0001") == 16
    assert display_width("楼道灯不亮") == 10
    assert display_width("Ａ１（") == 6  # full-width forms
    assert display_width("第一行\nsecond line") == 11  # the longest line
    assert display_width(None) == 0 and display_width(12.5) == 4


def test_widths_fit_the_widest_cell_within_bounds():
    rows = [["工单号", "标题", "x"], ["TS-20261122-0001", "楼" * 40, ""]]
    assert fitted_widths(rows) == [18, WRAP_WIDTH + 2, 8]


def test_a_table_wraps_its_long_cells_but_not_the_title_above_it():
    workbook = export_workbook()
    table_sheet(workbook, "批次单", ["序号", "标题"], [[1, "楼" * 30]], widths=[5, 20],
                above=[["翠湖花园 维修回访批次单（2026-11-16 – 2026-11-22）"]], below=[["工单太多，只列出前 2000 张"]])
    sheet = load_workbook(io.BytesIO(workbook_bytes(workbook)))["批次单"]
    assert [sheet.column_dimensions[c].width for c in "AB"] == [5, 20] and sheet.freeze_panes == "A3"
    assert sheet["B3"].alignment.wrap_text  # a cell wider than its column wraps
    assert not sheet["A1"].alignment.wrap_text and not sheet["A4"].alignment.wrap_text  # run on to the right
