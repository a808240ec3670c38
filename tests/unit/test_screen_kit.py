"""The screen kit: every dialog is a DialogForm, every filter bar a UrlFilters state; their rules without a server."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from reflex.state import State

import pm_admin.pages  # noqa: F401 - loads every page state
from pm_admin.core.dialog_form import DialogForm, dialog_classes
from pm_admin.core.ids import InvalidId
from pm_admin.core.url_filters import UrlFilters
from tests.unit.test_guard import app_states

PACKAGE = Path(pm_admin.pages.__file__).parent


def test_every_dialog_of_the_pages_is_drawn_by_the_kit():
    """``rx.dialog.root`` appears only in ui/forms.py (form_dialog, view_dialog), whose open flag, close and key
    come from a DialogForm substate."""
    outside = [str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
               if "rx.dialog.root" in path.read_text() and path.name != "forms.py"]
    assert outside == []


def test_no_state_hand_rolls_dialog_bookkeeping():
    """Open flags, dialog names and dialog keys live in DialogForm substates only."""
    hand_rolled = [f"{cls.__name__}.{name}" for cls in app_states() if not issubclass(cls, DialogForm)
                   for name in cls.base_vars if re.search(r"(_open$|^dialog|dialog_key|^pending$|^step$)", name)]
    assert hand_rolled == []


def test_dialogs_keep_record_ids_and_versions_on_the_server():
    dialogs = [cls for cls in app_states() if issubclass(cls, DialogForm)]
    assert len(dialogs) >= 30
    for cls in dialogs:
        assert not {"id", "version", "record_id"} & set(cls.base_vars), cls.__name__
        backend = {name for name, field in cls.__fields__.items() if field._backend}
        assert {"_record_id", "_version", "_loaded"} <= backend, cls.__name__
        assert cls.get_parent_state() in dialog_parents(), cls.__name__


def dialog_parents() -> set[type]:
    return {cls for cls in app_states() if dialog_classes(cls)}


def test_list_pages_keep_their_filters_in_the_url():
    with_filters = {cls.__name__ for cls in app_states() if issubclass(cls, UrlFilters) and
                    not issubclass(cls, DialogForm)}
    assert {"RoomsState", "BuildingsState", "CommunitiesState", "UsersState", "OwnersState", "ArchivesState",
            "ArrearsState", "CensusState", "AuditState", "TicketBoardState", "TicketListState",
            "DashboardState"} <= with_filters


@pytest.fixture(scope="module")
def root():
    return State(_reflex_internal_init=True)


def substate(root, cls):
    return root.get_substate(cls.get_full_name().split(".")[1:])


def test_a_conflict_keeps_what_this_user_changed_and_takes_the_rest_from_the_colleague(root):
    from pm_admin.places.states.places import RoomForm

    dialog = substate(root, RoomForm)
    dialog._open({"number": "101", "area": "88.50", "layout": "2室"}, record_id=7, version=3)
    key = dialog.form_key
    dialog._keep_input({"number": "101", "area": "90", "layout": "2室", "id": 99, "version": 100})
    assert dialog.values == {"number": "101", "area": "90", "layout": "2室"}  # no id, no version
    assert (dialog._record_id, dialog._version, dialog.form_key) == (7, 3, key)  # the typed inputs stay mounted
    dialog._conflicted({"number": "101", "area": "88.50", "layout": "3室", "version": 4})
    assert dialog.values == {"number": "101", "area": "90", "layout": "3室"}
    assert dialog._version == 4 and dialog.form_key == key + 1
    assert "3室" in dialog.conflict
    dialog._close()
    assert not dialog.opened and dialog.values["layout"] == "3室"  # a closing dialog keeps its content


def test_typed_personal_data_never_enters_the_dialog_state(root):
    from pm_admin.owners.states.detail import MemberForm

    dialog = substate(root, MemberForm)
    dialog._open({"relation": "spouse", "name": "", "phone": "", "id_number": ""})
    dialog._keep_input({"relation": "child", "name": "张三", "phone": "13800000000", "id_number": "110105194912310021"})
    assert dialog.values == {"relation": "child", "name": "张三", "phone": "", "id_number": ""}


def test_filters_from_an_address_and_back(root):
    from pm_admin.places.states.places import RoomsState

    rooms = substate(root, RoomsState)
    rooms._read_url({"community": "abc", "building": "12", "occupancy": "nonsense", "q": " 3-2 ", "page": "2",
                     "sort": "-area"})
    assert rooms.filters == {"community": "", "building": "12", "unit": "", "occupancy": "", "q": "3-2"}
    assert (rooms.page, rooms.sort, rooms.descending) == (2, "area", True)
    assert rooms._url_params() == {"building": "12", "q": "3-2", "page": "2", "sort": "-area"}
    assert rooms._children("community") == {"building", "unit"}
    with pytest.raises(InvalidId):
        rooms._clean_filter("community", "9" * 30)  # a crafted id typed into an event: refused, not kept


# Dashboard tables are drawn only when they have rows (an empty period says so in a sentence instead).
TABLES_WITHOUT_THE_KIT = {"dashboards/pages/dashboard.py"}


def test_every_table_body_comes_from_the_kit_so_an_empty_table_says_so():
    """``ui.table.table_body`` adds the 暂无数据 row (issue 17 item 10); a hand-rolled body would show nothing."""
    hand_rolled = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                         if "rx.table.body(" in path.read_text() and path.name != "table.py")
    assert hand_rolled == sorted(TABLES_WITHOUT_THE_KIT)


def test_an_empty_table_says_no_data_across_its_columns():
    import reflex as rx

    from pm_admin.ui.table import simple_table

    rendered = str(simple_table(["common.status", "common.actions"], rx.Var.create([]),
                                lambda row: rx.table.row(), "probe").render())
    assert "common.no_rows" in rendered and "colSpan:2" in rendered


TIER_TOKEN = r"(?:Tier\.(URGENT|IMPORTANT|NORMAL)|[\"'](urgent|important|normal)[\"'])"


def test_tiers_are_always_listed_urgent_important_normal():
    """Issue 17 item 10: 紧急 / 重要 / 一般 in every list and form. Pickers iterate ``Tier`` (or the tickets'
    ``TIER_OPTIONS``); a sequence of tiers spelled out anywhere keeps that order too."""
    from pm_admin.tickets.models import Tier
    from pm_admin.tickets.pages.parts import TIER_OPTIONS

    assert [o["value"] for o in TIER_OPTIONS] == ["urgent", "important", "normal"] == [str(t) for t in Tier]
    rank = {"urgent": 0, "important": 1, "normal": 2}
    sequence = re.compile(rf"{TIER_TOKEN}(?:\s*,\s*{TIER_TOKEN})+")
    out_of_order = []
    for path in PACKAGE.rglob("*.py"):
        for match in sequence.finditer(path.read_text()):
            tiers = [t.lower() for t in re.findall(r"URGENT|IMPORTANT|NORMAL|urgent|important|normal", match.group())]
            if [rank[t] for t in tiers] != sorted(rank[t] for t in tiers):
                out_of_order.append(f"{path.relative_to(PACKAGE)}: {match.group()}")
    assert out_of_order == []
