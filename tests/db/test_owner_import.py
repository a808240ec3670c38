"""Owner import (dry run, all-or-nothing upsert, garbage files) and export files."""

import csv
import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import func, select

from pm_admin.core.errors import NotFound, PermissionDenied
from pm_admin.core.files import StoredUpload, issue_download, redeem_download, store_upload
from pm_admin.core.permissions import SYSTEM
from pm_admin.core.tables import ImportRejected
from pm_admin.owners.files import IMPORT_PURPOSE
from pm_admin.owners.models import Owner, OwnerChange, Ownership
from pm_admin.owners.queries import OwnerFilter, export_rows
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import records as owner_records
from pm_admin.owners.services import registry as owner_registry
from pm_admin.owners.spreadsheet.columns import IMPORT_COLUMNS, column_label, rejection_text
from pm_admin.owners.spreadsheet.commit import commit_import
from pm_admin.owners.spreadsheet.export import contact_details, export_csv, export_xlsx, template
from pm_admin.owners.spreadsheet.plan import plan_import
from pm_admin.owners.spreadsheet.uploaded import check_upload, import_upload
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


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    for values in rows:
        workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def corrupt_xlsx() -> bytes:
    """A valid zip holding a workbook whose sheet XML is broken."""
    original = zipfile.ZipFile(io.BytesIO(xlsx_bytes([HEADER])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as broken:
        for name in original.namelist():
            broken.writestr(name, b"<sheetData><row" if name == "xl/worksheets/sheet1.xml" else original.read(name))
    return buffer.getvalue()


def stored_state(session, owner_ids) -> dict:
    """Everything an import may touch, per owner, with personal data in the clear."""
    session.expire_all()
    state = {}
    for owner_id in owner_ids:
        owner = session.get(Owner, owner_id)
        ownerships = session.exec(select(Ownership.room_id, Ownership.share, Ownership.started_on, Ownership.ended_on)
                                  .where(Ownership.owner_id == owner_id).order_by(Ownership.room_id)).all()
        state[owner_id] = {**owner_records.owner_snapshot(session, owner), "version": owner.version,
                           "phones": owner_records.owner_phones(session, owner_id), "ownerships": [tuple(o) for o in ownerships],
                           "history": len(session.exec(select(OwnerChange.id).where(OwnerChange.owner_id == owner_id)).all())}
    return state


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
    assert li.is_vip and sorted(owner_records.owner_tags(session, li.id)) == ["业委会", "楼长"]


def test_upsert_by_room_code_and_id_number(session, setup):
    manager, rooms = setup
    existing = owner_registry.create_owner(session, actor=manager, room_id=rooms[0].id,
                                     data=owner_input.OwnerInput(name="周五", id_number="11010519491231002X",
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
    assert owner_records.owner_phones(session, existing.id) == ["13700000009"]
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
    ("long_field.csv", csv_bytes([row("C01", "张三", notes="长" * 140_000)]), "import.unreadable"),  # > 128 KB
    ("corrupt.xlsx", corrupt_xlsx(), "import.unreadable"),
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
    owner_registry.create_owner(session, actor=manager, room_id=rooms[0].id,
                          data=owner_input.OwnerInput(name="韩梅梅", id_number="11010519491231002X",
                                                   phones=["13812345678", "13987654321"], is_vip=True))
    rows = list(export_rows(session, manager, OwnerFilter(), full_pii=False))
    details = contact_details(session, [r.owner_id for r in rows], full_pii=False)
    text = b"".join(export_csv(rows, details, "zh-CN")).decode("utf-8-sig")
    assert "韩梅梅" in text and "138****5678" in text and "13812345678" not in text
    assert "139****4321" in text and "13987654321" not in text  # the second phone is masked like the first
    zh_values = list(csv.reader(io.StringIO(text)))[1]
    assert (zh_values[2], zh_values[7], zh_values[15]) == ("女", "是", "自住")
    sheet = load_workbook(io.BytesIO(export_xlsx(rows, details, "en"))).active
    values = [[c.value for c in r] for r in sheet.iter_rows()]
    assert values[0][:2] == ["Room code", "Owner name"] and values[1][1] == "韩梅梅"
    assert (values[1][2], values[1][7], values[1][15]) == ("Female", "Yes", "Owner-occupied")
    blank = load_workbook(io.BytesIO(template("xlsx")))
    assert [c.value for c in blank.active[1]] == HEADER and blank.sheetnames == ["业主", "说明"]
    assert "留空的单元格保留原有内容" in blank["说明"]["A1"].value
    english = load_workbook(io.BytesIO(template("xlsx", "en")))
    assert [c.value for c in english.active[1]] == HEADER  # the file format stays Chinese …
    assert english.sheetnames == ["Owners", "Help"]  # … what the reader reads follows their language
    assert "a blank cell keeps the stored value" in english["Help"]["A1"].value
    assert english["Help"]["A2"].value.startswith("Example") and english["Help"]["A3"].value == HEADER[0]
    assert template("csv").decode("utf-8-sig").strip() == ",".join(HEADER)


@pytest.mark.parametrize(("language", "filename"), [("zh-CN", "业主导入模板.xlsx"), ("en", "owner-import-template.xlsx")])
def test_template_file_is_named_in_the_users_language(session, setup, language, filename):
    manager, _ = setup
    ticket = issue_download(session, principal=manager, kind="owners_template",
                            params={"fmt": "xlsx", "language": language})
    assert redeem_download(session, principal=manager, ticket_id=ticket).filename == filename


def test_an_update_changes_only_filled_in_cells_and_records_what_changed(session, setup):
    manager, rooms = setup
    owner = owner_registry.create_owner(session, actor=manager, room_id=rooms[0].id, share="60", data=owner_input.OwnerInput(
        name="沈一", id_number="11010519491231002X", phones=["13700000001", "010-62345678"], address="幸福路 1 号",
        is_vip=True, tags=["业委会"], notes="钥匙在前台"))
    owner_registry.create_owner(session, actor=manager, room_id=rooms[0].id, share="40",
                          data=owner_input.OwnerInput(name="沈二", phones=["13700000002"]))
    history_before = len(session.exec(select(OwnerChange.id).where(OwnerChange.owner_id == owner.id)).all())
    minimal = csv_bytes([[rooms[0].code, "沈一", "13700000009", "11010519491231002X"]],
                        header=["房号", "业主姓名", "手机号", "身份证号"])
    plan = plan_import(session, manager, "minimal.csv", minimal)
    assert plan.errors == []  # a blank share keeps the 60 % held, so the room does not exceed 100 %
    assert commit_import(session, manager, plan, source="test").updated == 1
    session.refresh(owner)
    assert (owner.address, owner.is_vip, owner.notes) == ("幸福路 1 号", True, "钥匙在前台")
    assert owner_records.owner_tags(session, owner.id) == ["业委会"]
    assert owner_records.owner_phones(session, owner.id) == ["13700000009", "010-62345678"]
    assert session.exec(select(Ownership.share).where(Ownership.owner_id == owner.id)).one() == Decimal("60.00")
    changes = session.exec(select(OwnerChange).where(OwnerChange.owner_id == owner.id)
                           .order_by(OwnerChange.id)).all()[history_before:]
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("phones", "137****0001, 010-****5678", "137****0009, 010-****5678")]

    # Every column present but blank: still nothing erased, and nothing to record.
    plan = plan_import(session, manager, "blank.csv", csv_bytes([row(rooms[0].code, "沈一", "11010519491231002X",
                                                                     "13700000009", vip="", started_on="")]))
    assert commit_import(session, manager, plan, source="test").updated == 0
    session.refresh(owner)
    assert (owner.address, owner.is_vip, owner.notes) == ("幸福路 1 号", True, "钥匙在前台")
    assert len(session.exec(select(OwnerChange.id).where(OwnerChange.owner_id == owner.id)).all()) == \
        history_before + 1


@pytest.mark.parametrize(("fmt", "language"), [("csv", "zh-CN"), ("xlsx", "en")])
def test_an_export_with_full_personal_data_imports_back_without_any_change(session, setup, fmt, language):
    manager, rooms = setup
    full = owner_registry.create_owner(session, actor=manager, room_id=rooms[0].id, data=owner_input.OwnerInput(
        name="秦一", gender="female", id_number="11010519491231002X", phones=["13700000001", "010-62345678"],
        address="幸福路 1 号", is_vip=True, tags=["业委会", "楼长"], notes="=2楼漏水，已报修\n第二行"))
    owner_registry.link_owner_to_room(session, actor=manager, owner_id=full.id, room_id=rooms[1].id, share="50")
    co_owner = owner_registry.create_owner(session, actor=manager, room_id=rooms[1].id, share="50",
                                      data=owner_input.OwnerInput(name="尤二", phones=["13700000002"]))
    plain = owner_registry.create_owner(session, actor=manager, room_id=rooms[2].id,
                                  data=owner_input.OwnerInput(name="许三", phones=["13700000003"]))
    owner_ids = [full.id, co_owner.id, plain.id]
    before = stored_state(session, owner_ids)
    rows = list(export_rows(session, manager, OwnerFilter(), full_pii=True))
    details = contact_details(session, [r.owner_id for r in rows], full_pii=True)
    exported = b"".join(export_csv(rows, details, language)) if fmt == "csv" else export_xlsx(rows, details, language)
    plan = plan_import(session, manager, f"export.{fmt}", exported)
    assert plan.errors == [] and plan.total == 4
    result = commit_import(session, manager, plan, source="test")
    assert (result.created, result.updated, result.rooms_linked) == (0, 0, 0)
    assert stored_state(session, owner_ids) == before


def test_an_id_number_of_an_owner_outside_the_users_communities_is_an_error(session, setup):
    manager, rooms = setup
    _, _, foreign_unit, foreign_room = factories.place_tree(session)
    foreign = owner_registry.create_owner(session, actor=SYSTEM, room_id=foreign_room.id, data=owner_input.OwnerInput(
        name="外区业主", id_number="11010519491231002X", phones=["13700000001"]))
    other_foreign_room = factories.room(session, foreign_unit, number="102")
    shared = owner_registry.create_owner(session, actor=SYSTEM, room_id=other_foreign_room.id, data=owner_input.OwnerInput(
        name="两区业主", id_number="110105194912310038", phones=["13700000002"]))
    # An owner of two communities (linked by someone with both: the manager may not link a foreign owner).
    owner_registry.link_owner_to_room(session, actor=SYSTEM, owner_id=shared.id, room_id=rooms[2].id)
    before = stored_state(session, [foreign.id, shared.id])
    count_before = owners_count(session)
    data = csv_bytes([
        row(rooms[0].code, "新业主", "", "13800000001"),
        row(rooms[1].code, "改名", "11010519491231002X", "13800000002"),
        row(rooms[2].code, "两区业主", "110105194912310038", "13800000003"),  # also owns here: may be updated
    ])
    plan = plan_import(session, manager, "x.csv", data)
    assert [(e.row, e.column, e.key) for e in plan.errors] == [(3, "id_number", "import.id_out_of_scope")]
    with pytest.raises(ImportRejected):
        commit_import(session, manager, plan, source="test")
    assert owners_count(session) == count_before and stored_state(session, [foreign.id, shared.id]) == before

    everywhere = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    assert plan_import(session, everywhere, "x.csv", data).errors == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_error_rows_are_numbered_as_in_the_file_blank_lines_included(session, setup, fmt):
    manager, rooms = setup
    blank = [""] * len(HEADER)
    table = [HEADER, blank, row(rooms[0].code, "甲"), blank, blank, row(rooms[1].code, "乙", phone="12345")]
    if fmt == "csv":
        data = "\n".join(",".join(values) for values in table).encode()
    else:
        data = xlsx_bytes(table)
    errors = plan_import(session, manager, f"gaps.{fmt}", data).errors
    assert [(e.row, e.column) for e in errors] == [(6, "phone")]


def test_csv_export_cells_never_start_a_formula_and_import_back_unchanged(session, setup):
    manager, rooms = setup
    risky = {"name": "=HYPERLINK(\"http://evil\",\"点我\")", "address": "@SUM(1+1)*cmd|' /C calc'!A0",
             "notes": "-2+3", "tags": ["+1"]}
    owner = owner_registry.create_owner(session, actor=manager, room_id=rooms[0].id, data=owner_input.OwnerInput(
        name=risky["name"], phones=["13700000001"], address=risky["address"], notes=risky["notes"],
        tags=risky["tags"]))
    owner_registry.create_owner(session, actor=manager, room_id=rooms[1].id,
                          data=owner_input.OwnerInput(name="\t=1+1", phones=["13700000002"]))
    before = stored_state(session, [owner.id])
    rows = list(export_rows(session, manager, OwnerFilter(), full_pii=True))
    details = contact_details(session, [r.owner_id for r in rows], full_pii=True)
    exported = b"".join(export_csv(rows, details, "zh-CN"))
    cells = [cell for line in csv.reader(io.StringIO(exported.decode("utf-8-sig"))) for cell in line]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert "'" + risky["name"] in cells and "'" + risky["address"] in cells and "'-2+3" in cells and "'+1" in cells
    # Re-imported, the apostrophes come off: nothing changes.
    plan = plan_import(session, manager, "export.csv", exported)
    by_row = {r.room_code: r for r in plan.rows}
    assert (by_row[rooms[0].code].name, by_row[rooms[0].code].address, by_row[rooms[0].code].notes,
            by_row[rooms[0].code].tags) == (risky["name"], risky["address"], "-2+3", ["+1"])
    assert commit_import(session, manager, plan, source="test").updated == 0
    assert stored_state(session, [owner.id]) == before


@pytest.mark.parametrize(("language", "message", "label"), [
    ("zh-CN", "缺少必填列：手机号", "手机号"), ("en", "Missing required columns: Phone", "Phone")])
def test_messages_name_columns_in_the_readers_language(session, setup, language, message, label):
    manager, rooms = setup
    with pytest.raises(ImportRejected) as rejected:
        plan_import(session, manager, "missing.csv", "房号,业主姓名\nC01,张三\n".encode())
    assert rejection_text(rejected.value, language) == message
    plan = plan_import(session, manager, "bad.csv", csv_bytes([row(rooms[0].code, "张三", phone="123")]))
    assert [column_label(e.column, language) for e in plan.errors] == [label]
    assert column_label("phone2", language) != column_label("phone", language)


def test_an_uploaded_sheet_is_checked_then_imported_once_and_its_upload_is_gone(session, setup):
    manager, rooms = setup
    before = owners_count(session)
    steps = []

    def progress(done, total):
        steps.append((done, total))

    bad = store_upload(session, principal=manager, purpose_name=IMPORT_PURPOSE, filename="bad.csv",
                       data=csv_bytes([row(rooms[0].code, "赵一", "", "12345")])).id
    assert [e.key for e in check_upload(session, manager, bad, progress).errors] == ["owners.phone_invalid"]
    plan, result = import_upload(session, manager, bad, check_progress=progress, write_progress=progress)
    assert result is None and len(plan.errors) == 1 and owners_count(session) == before
    assert session.get(StoredUpload, bad) is not None  # kept: the user may fix the sheet and check again

    good = store_upload(session, principal=manager, purpose_name=IMPORT_PURPOSE, filename="good.csv",
                        data=csv_bytes([row(rooms[0].code, "赵一"), row(rooms[1].code, "钱二", phone="13811113333")])).id
    assert check_upload(session, manager, good, progress).creates == 2 and owners_count(session) == before
    plan, result = import_upload(session, manager, good, check_progress=progress, write_progress=progress)
    assert (result.created, result.rooms_linked) == (2, 2) and owners_count(session) == before + 2
    assert session.get(StoredUpload, good) is None
    with pytest.raises(NotFound):  # imported once: the same upload cannot be imported again
        import_upload(session, manager, good, check_progress=progress, write_progress=progress)
