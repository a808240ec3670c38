"""Personal data at rest: the raw database file holds no phone or ID number; keys rotate."""

from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from cryptography.fernet import Fernet
from sqlmodel import Session, select

from pm_admin.core import crypto
from pm_admin.core.audit import AuditEvent
from pm_admin.core.db import make_engine
from pm_admin.core.files import DownloadTicket, issue_download, redeem_download
from pm_admin.core.paging import PageRequest
from pm_admin.core.saved_views import list_views, save_view
from pm_admin.owners import queries
from pm_admin.owners.files import export_params
from pm_admin.owners.grid_view import GridView, parse_query, query_string
from pm_admin.owners.keys import rotate_personal_data
from pm_admin.owners.models import Owner, OwnerPhone
from pm_admin.owners.services import household as owner_household
from pm_admin.owners.services import owner_input
from pm_admin.owners.services import registry as owner_registry
from pm_admin.owners.services import reveal as owner_reveal
from pm_admin.owners.validation import id_check_char
from pm_admin.settings import get_settings
from tests.support import factories
from tests.support.database import upgrade

PEOPLE = [("张三", "11010519491231002X", "13812345678"),
          ("李四", "44030419900101001" + id_check_char("44030419900101001"), "13998765432"),
          ("王五", "31010419851212123" + id_check_char("31010419851212123"), "010-62345678")]


def raw_bytes(db_file: Path) -> bytes:
    parts = [db_file, db_file.with_name(db_file.name + "-wal")]
    return b"".join(p.read_bytes() for p in parts if p.exists())


@pytest.fixture
def sqlite_file(tmp_path):
    db_file = tmp_path / "pii.db"
    upgrade(f"sqlite:///{db_file}")
    engine = make_engine(f"sqlite:///{db_file}")
    yield db_file, engine
    engine.dispose()


def seed_people(engine) -> None:
    with Session(engine) as session:
        community, building, unit, _ = factories.place_tree(session)
        manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
        for n, (name, id_number, phone) in enumerate(PEOPLE):
            room = factories.room(session, unit, number=f"9{n}1", floor=9)
            owner = owner_registry.create_owner(session, actor=manager, room_id=room.id,
                                          data=owner_input.OwnerInput(name=name, id_number=id_number, phones=[phone]))
            owner_household.add_member(session, actor=manager, owner_id=owner.id, relation="child", name=f"{name}之子",
                                phone=phone.replace("138", "136"), id_number=id_number)
            owner_household.add_occupant(session, actor=manager, room_id=room.id, kind="tenant", name="租客",
                                  phone="13500001111", id_number=id_number)
            owner_reveal.reveal_pii(session, actor=manager, owner_id=owner.id, reason="核实身份")
        session.commit()


def test_raw_database_file_contains_no_phone_or_id_number(sqlite_file):
    db_file, engine = sqlite_file
    seed_people(engine)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = raw_bytes(db_file)
    assert "张三".encode() in raw  # the names are there: the grep does look at the data
    for _, id_number, phone in PEOPLE:
        digits = phone.replace("-", "")
        for needle in (id_number, id_number[:14], phone, digits, digits[-8:], "13500001111"):
            assert needle.encode() not in raw, needle


def pii_needles() -> list[str]:
    needles = ["13500001111"]
    for _, id_number, phone in PEOPLE:
        digits = phone.replace("-", "")
        needles += [id_number, id_number[:14], phone, digits, digits[-8:]]
    return needles


def test_searching_by_phone_or_id_number_writes_no_plaintext(sqlite_file):
    """Search, export and save the view for every phone and ID number: the file still holds none of them."""
    db_file, engine = sqlite_file
    seed_people(engine)
    with Session(engine) as session:
        manager = factories.sign_in(session, factories.user(session, "manager", all_communities=True))
        for n, (_, id_number, phone) in enumerate(PEOPLE):
            for text in (phone, id_number, id_number.lower(), phone.replace("-", " ")):
                filters = queries.OwnerFilter(search=text, vip="no")
                assert queries.owner_grid(session, manager, PageRequest(), filters).total == 1
                for full_pii in (False, True):
                    ticket = issue_download(session, principal=manager, kind="owners_export", params=export_params(
                        filters, fmt="csv", full_pii=full_pii, language="zh-CN"))
                    session.flush()
                    exported = b"".join(redeem_download(session, principal=manager, ticket_id=ticket).chunks)
                    assert exported.decode("utf-8-sig").count("\n") == 2  # the header and the one owner found
                view = GridView(filters={"q": text, "vip": "no"}, sort="name")
                address_bar = query_string(view)
                assert text not in address_bar and "qm=" in address_bar
                params = dict(parse_qsl(address_bar))
                assert parse_query(params, known_search=text).filters["q"] == text  # this tab gets its search back
                assert parse_query(params).filters["q"] == ""  # a shared link carries no search
                save_view(session, principal=manager, page="owners", name=f"v{n}{len(text)}",
                          query=query_string(view, saved=True))
        session.commit()
        assert session.exec(select(DownloadTicket)).all()
        assert {v.query for v in list_views(session, manager, "owners")} == {"vip=no&sort=name"}
        audited = " ".join(str(e.changes["filters"]) for e in session.exec(
            select(AuditEvent).where(AuditEvent.action == "owner.export")).all())
        assert "138****5678" in audited and "1101**********002X" in audited  # what was searched, masked
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = raw_bytes(db_file)
    assert b"138****5678" in raw and "张三".encode() in raw  # the grep does see the audit and the names
    for needle in pii_needles():
        assert needle.encode() not in raw, needle


def test_rotation_moves_every_value_to_the_new_key(sqlite_file, monkeypatch):
    _, engine = sqlite_file
    seed_people(engine)
    old_key = get_settings().field_keys[0]
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("PM_FIELD_KEYS", f"{new_key},{old_key}")
    get_settings.cache_clear()
    try:
        with Session(engine) as session:
            counts = rotate_personal_data(session)
            session.commit()
        assert counts["owner.id_number_enc"] == 3 and counts["owner_phone.phone_enc"] == 3
        assert counts["household_member.id_number_enc"] == 3 and counts["occupant.phone_enc"] == 3
        monkeypatch.setenv("PM_FIELD_KEYS", new_key)  # the old key is gone
        get_settings.cache_clear()
        with Session(engine) as session:
            owner = session.exec(select(Owner).where(Owner.name == "张三")).one()
            assert crypto.decrypt(owner.id_number_enc) == "11010519491231002X"
            tokens = session.exec(select(OwnerPhone.phone_enc)).all()
            assert all(Fernet(new_key).decrypt(t.encode()) for t in tokens)
    finally:
        get_settings.cache_clear()


def test_blind_index_key_change_is_repaired_by_reindexing(sqlite_file, monkeypatch):
    _, engine = sqlite_file
    seed_people(engine)
    monkeypatch.setenv("PM_BLIND_INDEX_KEY", "a-brand-new-blind-index-key-" + "x" * 20)
    get_settings.cache_clear()
    try:
        with Session(engine) as session:
            admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
            search = queries.OwnerFilter(search="13812345678")
            assert queries.owner_grid(session, admin, PageRequest(), search).total == 0  # stale indexes
            rotate_personal_data(session)
            assert queries.owner_grid(session, admin, PageRequest(), search).total == 1
    finally:
        get_settings.cache_clear()
