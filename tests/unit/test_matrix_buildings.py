"""The rows of the building × indicator heatmap: every building once, as people read them."""

from pm_admin.places.models import natural_key
from pm_admin.surveys.queries import MatrixBuilding as B
from pm_admin.surveys.queries import matrix_rows


def test_names_sort_numbers_by_value():
    names = ["10栋", "商铺", "2栋", "B10栋", "1栋", "B2栋"]
    assert sorted(names, key=natural_key) == ["1栋", "2栋", "10栋", "B2栋", "B10栋", "商铺"]


def test_one_community_lists_its_buildings_by_name_in_natural_order():
    rows = [B(31, "10", "10栋", "C01", "翠湖花园"), B(32, "2", "2栋", "C01", "翠湖花园"), B(33, "1", "1栋", "C01", "翠湖花园")]
    assert matrix_rows(rows) == [(33, "1栋"), (32, "2栋"), (31, "10栋")]


def test_several_communities_name_theirs_and_keep_equal_building_names_apart():
    rows = [B(41, "2", "2栋", "C02", "锦绣华府"), B(31, "10", "10栋", "C01", "翠湖花园"), B(32, "2", "2栋", "C01", "翠湖花园")]
    assert matrix_rows(rows) == [(32, "翠湖花园 2栋"), (31, "翠湖花园 10栋"), (41, "锦绣华府 2栋")]


def test_a_name_used_twice_gets_the_building_code_so_no_row_is_merged_away():
    rows = [B(51, "S1", "商铺", "C01", "翠湖花园"), B(52, "S2", "商铺", "C01", "翠湖花园"), B(53, "3", "3栋", "C01", "翠湖花园")]
    assert [label for _, label in matrix_rows(rows)] == ["3栋", "商铺 (C01-S1)", "商铺 (C01-S2)"]
