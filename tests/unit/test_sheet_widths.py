"""How wide a spreadsheet column must be for its text (core.tables): CJK characters take two columns."""

from pm_admin.core.tables import WRAP_WIDTH, display_width, fitted_widths


def test_cjk_and_full_width_characters_count_two():
    assert display_width("TS-20261122-0001") == 16
    assert display_width("楼道灯不亮") == 10
    assert display_width("Ａ１（") == 6  # full-width forms
    assert display_width("第一行\nsecond line") == 11  # the longest line
    assert display_width(None) == 0 and display_width(12.5) == 4


def test_widths_fit_the_widest_cell_within_bounds():
    rows = [["工单号", "标题", "x"], ["TS-20261122-0001", "楼" * 40, ""]]
    assert fitted_widths(rows) == [18, WRAP_WIDTH + 2, 8]
