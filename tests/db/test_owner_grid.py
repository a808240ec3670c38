"""The owner grid sorts by its sensible columns in SQL, and an export is the view as shown."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest

from pm_admin.billing.models import RoomArrears
from pm_admin.core.clock import local_today
from pm_admin.core.files import issue_download, redeem_download
from pm_admin.core.paging import PageRequest
from pm_admin.owners import queries
from pm_admin.owners.files import export_params
from pm_admin.owners.grid_view import COLUMNS
from pm_admin.owners.services import registry as owner_registry
from pm_admin.owners.services.owner_input import OwnerInput
from tests.support import factories

# name, room number, floor, area, occupancy, VIP, days owned, arrears
PEOPLE = [
    ("王芳", "1001", 10, "120.50", "rented", False, 30, "800"),
    ("艾米", "201", 2, "60.00", "vacant", True, 400, ""),
    ("张三", "302", 3, "88.00", "owner_occupied", False, 90, "25.5"),
    ("陈晨", "1002", 10, "95.25", "owner_occupied", True, 1000, ""),
]


@pytest.fixture
def world(session):
    community, _, unit, _ = factories.place_tree(session)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    for n, (name, number, floor, area, occupancy, vip, days, arrears) in enumerate(PEOPLE):
        room = factories.room(session, unit, number=number, floor=floor, area=area)
        room.occupancy = occupancy
        session.add(room)
        owner_registry.create_owner(session, actor=manager, room_id=room.id, started_on=local_today() - timedelta(days=days),
                              data=OwnerInput(name=name, phones=[f"1390000{n:04d}"], is_vip=vip))
        if arrears:
            session.add(RoomArrears(room_id=room.id, community_id=community.id, amount=Decimal(arrears),
                                    since=local_today() - timedelta(days=60)))
    session.flush()
    return manager


def names(session, principal, sort: str, descending: bool = False) -> list[str]:
    page = queries.owner_grid(session, principal, PageRequest(page_size=50, sort=sort, descending=descending),
                              queries.OwnerFilter())
    return [row.name for row in page.rows]


ROOM_ORDER = ["艾米", "张三", "王芳", "陈晨"]  # 201, 302, 1001, 1002: numbers in natural order


@pytest.mark.parametrize(("sort", "ascending", "descending"), [
    ("room_code", ROOM_ORDER, ROOM_ORDER[::-1]),
    ("building_name", ROOM_ORDER, ROOM_ORDER[::-1]),
    ("name", ["艾米", "陈晨", "王芳", "张三"], ["张三", "王芳", "陈晨", "艾米"]),  # pinyin: ai, chen, wang, zhang
    ("area", ["艾米", "张三", "陈晨", "王芳"], ["王芳", "陈晨", "张三", "艾米"]),
    # Ties stay in room order under the flipped key.
    ("occupancy", ["张三", "陈晨", "王芳", "艾米"], ["艾米", "王芳", "张三", "陈晨"]),
    ("is_vip", ["张三", "王芳", "艾米", "陈晨"], ["艾米", "陈晨", "张三", "王芳"]),
    ("started_on", ["陈晨", "艾米", "张三", "王芳"], ["王芳", "张三", "艾米", "陈晨"]),
    ("arrears", ["艾米", "陈晨", "张三", "王芳"], ["王芳", "张三", "艾米", "陈晨"]),  # none, none, 25.50, 800
])
def test_the_grid_sorts_by_each_sortable_column_both_ways(session, world, sort, ascending, descending):
    assert sort in queries.SORTABLE and sort in COLUMNS
    assert names(session, world, sort) == ascending
    assert names(session, world, sort, descending=True) == descending


def test_columns_that_cannot_sort_fall_back_to_room_order(session, world):
    assert not {"phone", "id_number", "tags"} & set(queries.SORTABLE)
    assert names(session, world, "phone") == ROOM_ORDER


def test_an_export_is_the_view_as_shown(session, world):
    columns = ["name", "room_code", "area", "is_vip", "arrears"]
    params = export_params(queries.OwnerFilter(), fmt="csv", full_pii=False, language="en", sort="area",
                           descending=True, columns=columns)
    ticket = issue_download(session, principal=world, kind="owners_export", params=params)
    text = b"".join(redeem_download(session, principal=world, ticket_id=ticket).chunks).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0] == ["Owner name", "Room code", "Area", "VIP", "Arrears"]
    assert [line[0] for line in lines[1:]] == ["王芳", "陈晨", "张三", "艾米"]
    assert lines[1][2:] == ["120.50", "No", "800.00"]
    # Without chosen columns (the import round trip): every column, in room order.
    ticket = issue_download(session, principal=world, kind="owners_export", params=export_params(
        queries.OwnerFilter(), fmt="csv", full_pii=False, language="zh-CN"))
    text = b"".join(redeem_download(session, principal=world, ticket_id=ticket).chunks).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:3] == ["房号", "业主姓名", "性别"] and "面积" in lines[0]
    assert [line[1] for line in lines[1:]] == ROOM_ORDER
