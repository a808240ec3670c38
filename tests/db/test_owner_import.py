"""Owner import (dry run, all-or-nothing upsert, garbage files) and export files."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from pm_admin.core.errors import PermissionDenied
from pm_admin.owners import services
from pm_admin.owners.models import Owner, Ownership
from pm_admin.owners.queries import OwnerFilter, export_rows
from pm_admin.owners.spreadsheet import (
    IMPORT_COLUMNS,
    ImportRejected,
    commit_import,
    export_csv,
    export_xlsx,
    plan_import,
    template,
)
from tests.support import factories

HEADER = [c.zh for c in IMPORT_COLUMNS]


def csv_bytes(rows: list[list[str]], header=HEADER, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def row(code, name, id_number="", phone="13800000000", **extra):
    values = {"room_code": code, "name": name, "gender": "", "id_number": id_number, "phone": phone, "phone2": "",
              "address": "", "vip": "否", "tags": "", "share": "", "started_on": "2021-03-01", "notes": ""}
    values.update(extra)
    return [values[c.key] for c in IMPORT_COLUMNS]


@pytest.fixture
def setup(session):
    community, building, unit, _ = factories.place_tree(session)
    rooms = [factories.room(session, unit, number=f"{n}01", floor=n) for n in range(2, 6)]
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    return manager, rooms


def owners_count(session) -> int:
    return session.exec(select(func.count(Owner.id))).one()


def test_two_bad_rows_are_reported_and_nothing_is_written_then_the_fixed_file_imports(session, setup):
    manager, rooms = setup
    before = owners_count(session)
    bad = csv_bytes([
        row(rooms[0].code, "赵一", "11010519491231002X", "13811112222"),
        row(rooms[1].code, "钱二", "110105194912310021", "13811113333"),  # wrong check digit
        row(rooms[2].code, "孙三", "", "12345"),  # invalid phone
        row(rooms[3].code, "李四", "", "13811114444", vip="是", tags="业委会、楼长"),
    ])
    plan = plan_import(session, manager, "owners.csv", bad)
    assert [(e.row, e.column, e.key) for e in plan.errors] == [
        (3, "id_number", "owners.id_check_digit"), (4, "phone", "owners.phone_invalid")]
    with pytest.raises(ImportRejected):
        commit_import(session, manager, plan, source="test")
    assert owners_count(session) == before

    fixed = csv_bytes([
        row(rooms[0].code, "赵一", "11010519491231002X", "13811112222"),
        row(rooms[1].code, "钱二", "", "13811113333"),
        row(rooms[2].code, "孙三", "", "13811115555"),
        row(rooms[3].code, "李四", "", "13811114444", vip="是", tags="业委会、楼长"),
    ])
    plan = plan_import(session, manager, "owners.csv", fixed)
    assert plan.errors == [] and plan.creates == 4
    result = commit_import(session, manager, plan, source="test")
    assert (result.created, result.updated, result.rooms_linked) == (4, 0, 4)
    assert owners_count(session) == before + 4
    li = session.exec(select(Owner).where(Owner.name == "李四")).one()
    assert li.is_vip and sorted(services.owner_tags(session, li.id)) == ["业委会", "楼长"]


def test_upsert_by_room_code_and_id_number(session, setup):
    manager, rooms = setup
    existing = services.create_owner(session, actor=manager, room_id=rooms[0].id,
                                     data=services.OwnerInput(name="周五", id_number="11010519491231002X",
                                                              phones=["13700000001"]))
    data = csv_bytes([
        row(rooms[0].code, "周五", "11010519491231002X", "13700000009", address="新的地址"),  # update
        row(rooms[1].code, "周五", "11010519491231002X", "13700000009"),  # same owner, a second room
    ])
    plan = plan_import(session, manager, "owners.csv", data)
    assert plan.errors == [] and (plan.creates, plan.updates) == (0, 1)
    result = commit_import(session, manager, plan, source="test")
    assert (result.created, result.updated, result.rooms_linked) == (0, 1, 1)
    session.refresh(existing)
    assert existing.address == "新的地址"
    assert services.owner_phones(session, existing.id) == ["13700000009"]
    rooms_of = session.exec(select(Ownership.room_id).where(Ownership.owner_id == existing.id)).all()
    assert sorted(rooms_of) == sorted([rooms[0].id, rooms[1].id])


def test_rows_that_contradict_each_other(session, setup):
    manager, rooms = setup
    data = csv_bytes([
        row(rooms[0].code, "吴六", "11010519491231002X"),
        row(rooms[0].code, "吴六", "11010519491231002X"),  # same key twice
        row(rooms[1].code, "郑七", "11010519491231002X"),  # same ID, other name
        row("C99-9-9-999", "王八"),  # no such room
        row(rooms[2].code, "冯九", share="70"),
        row(rooms[2].code, "陈十", share="40"),  # 110% of one room
    ])
    keys = [(e.row, e.key) for e in plan_import(session, manager, "x.csv", data).errors]
    assert keys == [(3, "import.duplicate_row"), (4, "import.id_name_mismatch"), (5, "import.room_unknown"),
                    (7, "owners.share_exceeds")]


def test_rooms_outside_scope_are_unknown_to_the_importer(session, setup):
    manager, _ = setup
    _, _, _, foreign_room = factories.place_tree(session)
    errors = plan_import(session, manager, "x.csv", csv_bytes([row(foreign_room.code, "外人")])).errors
    assert [e.key for e in errors] == ["import.room_unknown"]


def test_only_importers_may_import(session, setup):
    _, rooms = setup
    cs = factories.sign_in(session, factories.user(session, "cs"))
    with pytest.raises(PermissionDenied):
        plan_import(session, cs, "x.csv", csv_bytes([row(rooms[0].code, "某人")]))


@pytest.mark.parametrize(("filename", "content", "key"), [
    ("empty.csv", b"", "import.empty_file"),
    ("header.csv", csv_bytes([]), "import.no_rows"),
    ("binary.csv", b"\x00\x01\x02PK\x03\x04" * 100, "import.unreadable"),
    ("fake.xlsx", b"this is not a zip file", "import.unreadable"),
    ("owners.pdf", b"%PDF-1.4", "files.wrong_type"),
    ("wrong.csv", "姓名,电话\n张三,138\n".encode(), "import.unknown_columns"),
    ("missing.csv", "房号,业主姓名\nC01,张三\n".encode(), "import.missing_columns"),
    ("huge.csv", b"x" * (21 * 1024 * 1024), "files.too_large"),
])
def test_garbage_files_get_a_clear_message_and_change_nothing(session, setup, filename, content, key):
    manager, _ = setup
    before = owners_count(session)
    with pytest.raises(ImportRejected) as rejected:
        plan_import(session, manager, filename, content)
    assert rejected.value.key == key
    assert owners_count(session) == before


def test_gbk_csv_from_chinese_excel_and_xlsx_files(session, setup):
    manager, rooms = setup
    gbk = csv_bytes([row(rooms[0].code, "褚十一")], encoding="gb18030")
    assert plan_import(session, manager, "gbk.csv", gbk).errors == []
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(row(rooms[1].code, "卫十二", "11010519491231002X"))
    sheet.append(row(rooms[2].code, "蒋十三", 110105194912310020))  # a number cell: Excel rounds 18 digits
    buffer = io.BytesIO()
    workbook.save(buffer)
    errors = plan_import(session, manager, "owners.xlsx", buffer.getvalue()).errors
    assert [(e.row, e.key) for e in errors] == [(3, "import.id_as_number")]


def test_ten_thousand_rows_report_progress(session, setup):
    manager, _ = setup
    community = factories.community(session)
    building = factories.building(session, community, floors=100)
    unit = factories.unit(session, building)
    rooms = [factories.room(session, unit, number=f"{n:04d}", floor=n % 100 + 1) for n in range(200)]
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    rows = [row(rooms[n % 200].code, f"业主{n}", "", f"139{n:08d}", share="0.5") for n in range(10_000)]
    seen = []
    plan = plan_import(session, manager, "big.csv", csv_bytes(rows), progress=lambda done, total: seen.append(done))
    assert plan.errors == [] and plan.total == 10_000
    assert seen[0] < seen[-1] == 10_000 and len(seen) >= 10


def test_export_files_and_template_open_and_carry_the_rows(session, setup):
    manager, rooms = setup
    services.create_owner(session, actor=manager, room_id=rooms[0].id,
                          data=services.OwnerInput(name="韩梅梅", id_number="11010519491231002X",
                                                   phones=["13812345678"]))
    rows = list(export_rows(session, manager, OwnerFilter(), full_pii=False))
    text = b"".join(export_csv(rows, "zh-CN")).decode("utf-8-sig")
    assert "韩梅梅" in text and "138****5678" in text and "13812345678" not in text
    sheet = load_workbook(io.BytesIO(export_xlsx(rows, "en"))).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][:2] == ["Room code", "Owner name"] and values[1][1] == "韩梅梅"
    blank = load_workbook(io.BytesIO(template("xlsx"))).active
    assert [c.value for c in blank[1]] == HEADER
    assert template("csv").decode("utf-8-sig").strip() == ",".join(HEADER)
