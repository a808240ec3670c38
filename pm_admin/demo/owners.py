"""Demo owners for demo rooms: households, tenants, co-owners, some owner changes, arrears.

Rows are written with bulk INSERTs (one per table) so that tens of thousands of owners seed in
seconds; the same writer feeds the benchmark.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from faker import Faker
from sqlmodel import Session, select

from pm_admin.billing.models import RoomArrears
from pm_admin.core.audit import record
from pm_admin.core.clock import DISPLAY_ZONE, local_today
from pm_admin.core.crypto import encrypt
from pm_admin.owners.models import HouseholdMember, Occupant, Owner, OwnerChange, OwnerPhone, Ownership, OwnerTag
from pm_admin.owners.pinyin import pinyin_keys
from pm_admin.owners.services.household import encrypted_contact
from pm_admin.owners.services.records import id_index
from pm_admin.owners.validation import (
    Phone,
    birth_date_from_id,
    gender_from_id,
    id_check_char,
    id_number_problem,
    parse_phone,
)
from pm_admin.places.models import Occupancy, Room

TAGS = ("业委会", "楼长", "独居老人", "孕妇", "残障", "党员", "志愿者", "宠物", "装修中", "投诉多")
OWNED_SHARE = 0.93  # rooms with an owner (vacant rooms are usually owned too)
CO_OWNED_SHARE = 0.15
PREVIOUS_OWNER_SHARE = 0.04
ARREARS_SHARE = 0.06


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    phone: Phone


class FakerPeople:
    """Faker zh_CN people: real-looking names, addresses, valid ID numbers and mobiles."""

    def __init__(self, fake: Faker) -> None:
        self.fake = fake
        self.seen: set[str] = set()  # an ID number belongs to one person

    def phone(self) -> Phone:
        while True:
            parsed = parse_phone(self.fake.phone_number())
            if parsed is not None and parsed.is_mobile:
                return parsed

    def person(self) -> Person:
        while True:
            id_number = self.fake.ssn(min_age=22, max_age=85)
            if int(id_number[6:10]) <= local_today().year - 20 and id_number not in self.seen \
                    and id_number_problem(id_number) is None:
                self.seen.add(id_number)
                return Person(self.fake.name(), id_number, self.phone())

    def name(self) -> str:
        return self.fake.name()

    def address(self) -> str:
        return self.fake.address()[:200]


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国建华志强晓东海燕文博子涵雨轩欣怡浩然梓萱俊杰思远嘉怡"
REGIONS = ("110105", "110108", "310104", "310115", "440106", "440305", "330106", "320102", "510107", "420106")


class SyntheticPeople:
    """Fast made-up people for the 100,000-owner benchmark (valid check digits and mobiles)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def phone(self) -> Phone:
        number = f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"
        return Phone(e164=f"+86{number}", display=number, is_mobile=True)

    def person(self) -> Person:
        rng = self.rng
        while True:
            born = date(rng.randint(1940, 2000), rng.randint(1, 12), rng.randint(1, 28))
            first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
            if first17 not in self.seen:
                self.seen.add(first17)
                break
        given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        return Person(rng.choice(SURNAMES) + given, first17 + id_check_char(first17), self.phone())

    def name(self) -> str:
        return self.person().name

    def address(self) -> str:
        return f"{self.rng.choice(('北京市', '上海市', '广州市', '深圳市'))}某路{self.rng.randint(1, 999)}号"


def _owner_row(people, person: Person, vip: bool) -> dict:
    full, initials = pinyin_keys(person.name)
    return {"name": person.name, "name_pinyin": full, "name_initials": initials,
            "gender": gender_from_id(person.id_number), "birth_date": birth_date_from_id(person.id_number),
            "id_number_enc": encrypt(person.id_number), "id_number_index": id_index(person.id_number),
            "address": people.address(), "is_vip": vip, "notes": ""}


def _encrypted_phone(phone: Phone | None) -> dict:
    contact = encrypted_contact(phone, None)
    return {"phone_enc": contact["phone_enc"], "phone_index": contact["phone_index"]}


def _insert_owners(session: Session, rows: list[dict]) -> list[int]:
    result = session.execute(sa.insert(Owner).returning(Owner.id, sort_by_parameter_order=True), rows)
    return [row[0] for row in result.all()]


def seed_owners_for_rooms(session: Session, rooms: list[Room], *, rng: random.Random, people,
                          progress: Callable[[int], None] | None = None) -> int:
    """Owners (with phones, tags, households, tenants, arrears) for rooms; returns owners created."""
    today = local_today()
    owners: list[dict] = []
    extras: list[tuple[int, str, dict]] = []  # (owner position, kind, row) resolved once ids exist
    room_rows: list[dict] = []
    for room in rooms:
        if rng.random() > OWNED_SHARE:
            continue
        since = today - timedelta(days=rng.randint(200, 3650))
        holders = 2 if rng.random() < CO_OWNED_SHARE else 1
        transferred = rng.random() < PREVIOUS_OWNER_SHARE
        if transferred:
            owners.append(_owner_row(people, people.person(), False))
            extras.append((len(owners) - 1, "phone", {**_encrypted_phone(people.phone()), "is_primary": True}))
            extras.append((len(owners) - 1, "ownership", {
                "room_id": room.id, "community_id": room.community_id, "sort_key": room.sort_key, "share": Decimal(100),
                "started_on": since - timedelta(days=rng.randint(400, 2000)), "ended_on": since,
                "end_reason": "transfer"}))
            extras.append((len(owners) - 1, "change", _ownership_change(room, since, before=room.code, after="")))
        share = (Decimal(100) / holders).quantize(Decimal("0.01"))
        for holder in range(holders):
            person = people.person()
            owners.append(_owner_row(people, person, holder == 0 and rng.random() < 0.05))
            position = len(owners) - 1
            extras.append((position, "phone", {**_encrypted_phone(person.phone), "is_primary": True}))
            if rng.random() < 0.25:
                extras.append((position, "phone", {**_encrypted_phone(people.phone()), "is_primary": False}))
            if rng.random() < 0.18:
                for tag in rng.sample(TAGS, rng.randint(1, 2)):
                    extras.append((position, "tag", {"tag": tag}))
            extras.append((position, "ownership", {"room_id": room.id, "community_id": room.community_id,
                                                    "sort_key": room.sort_key, "share": share, "started_on": since, "ended_on": None,
                                                    "end_reason": ""}))
            if transferred:
                extras.append((position, "change", _ownership_change(room, since, before="", after=room.code)))
            if holder == 0 and room.occupancy == Occupancy.OWNER_OCCUPIED:
                for relation, with_phone in _household_shape(rng):
                    extras.append((position, "member", {"relation": relation, "name": people.name(),
                                                        **_encrypted_phone(people.phone() if with_phone else None)}))
        if room.occupancy == Occupancy.RENTED:
            for _ in range(rng.randint(1, 2)):
                room_rows.append({"kind": "occupant", "room_id": room.id, "community_id": room.community_id,
                                  "name": people.name(), **_encrypted_phone(people.phone()),
                                  "started_on": today - timedelta(days=rng.randint(30, 700))})
        if rng.random() < ARREARS_SHARE:
            room_rows.append({"kind": "arrears", "room_id": room.id, "community_id": room.community_id,
                              "amount": Decimal(rng.randint(300_00, 8000_00)) / 100,
                              "since": today - timedelta(days=rng.randint(20, 330))})
        if progress and len(owners) % 1000 == 0:
            progress(len(owners))
    _write(session, owners, extras, room_rows)
    return len(owners)


def _ownership_change(room: Room, day: date, *, before: str, after: str) -> dict:
    """The history row a real 业主更替 writes (see owners.services.change_room_owner)."""
    return {"occurred_at": datetime.combine(day, time(10), tzinfo=DISPLAY_ZONE).astimezone(UTC),
            "actor_name": "system", "kind": "ownership", "field": "room", "old_value": before, "new_value": after,
            "room_id": room.id}


def _household_shape(rng: random.Random) -> list[tuple[str, bool]]:
    shape = [("spouse", True)] if rng.random() < 0.75 else []
    shape += [("child", rng.random() < 0.3) for _ in range(rng.choice((0, 1, 1, 2)))]
    return shape + ([("parent", False)] if rng.random() < 0.2 else [])


def _write(session: Session, owners: list[dict], extras: list[tuple[int, str, dict]], room_rows: list[dict]) -> None:
    if not owners:
        return
    ids = _insert_owners(session, owners)
    tables = {"phone": OwnerPhone, "tag": OwnerTag, "ownership": Ownership, "member": HouseholdMember,
              "change": OwnerChange}
    grouped: dict[str, list[dict]] = {kind: [] for kind in tables}
    for position, kind, row in extras:
        grouped[kind].append({**row, "owner_id": ids[position]})
    for kind, rows in grouped.items():
        if rows:
            session.execute(sa.insert(tables[kind]), rows)
    occupants = [{k: v for k, v in r.items() if k != "kind"} for r in room_rows if r["kind"] == "occupant"]
    arrears = [{k: v for k, v in r.items() if k != "kind"} for r in room_rows if r["kind"] == "arrears"]
    if occupants:
        session.execute(sa.insert(Occupant), [{**o, "kind": "tenant"} for o in occupants])
    if arrears:
        session.execute(sa.insert(RoomArrears), arrears)


def seed_demo_owners(session: Session, community_id: int, *, rng: random.Random, fake: Faker) -> int:
    rooms = list(session.exec(select(Room).where(Room.community_id == community_id).order_by(Room.id)).all())
    created = seed_owners_for_rooms(session, rooms, rng=rng, people=FakerPeople(fake))
    record(session, action="demo.seed_owners", actor_name="system", entity_type="community", entity_id=community_id,
           community_id=community_id, details={"owners": created})
    return created
