"""Deterministic, idempotent demo data: communities, buildings, units, rooms and one user per role.

The demo accounts share a password printed in the README, so a production database gets
them only when the operator asks by name (``seed --demo``); otherwise production is seeded
with the first admin alone.
"""

from __future__ import annotations

import dataclasses
import random
from decimal import Decimal

from faker import Faker
from sqlmodel import Session, select

from pm_admin.auth.models import User
from pm_admin.core.audit import record
from pm_admin.core.permissions import SYSTEM
from pm_admin.dashboards.rollups import rebuild as rebuild_dashboard_rollups
from pm_admin.demo.custody import seed_custody
from pm_admin.demo.inspections import seed_inspections
from pm_admin.demo.owners import seed_demo_owners
from pm_admin.demo.surveys import seed_surveys
from pm_admin.demo.tickets import field_staff_usernames, seed_tickets
from pm_admin.faq.demo_kb import seed_faq
from pm_admin.household_work.services import reassign_all
from pm_admin.places.models import Building, Community, Occupancy, Room, Unit, room_code, room_sort_key
from pm_admin.places.services import create_building, create_community, create_unit
from pm_admin.settings import Settings
from pm_admin.surveys.models import SurveyPlan
from pm_admin.tickets.services.round_history import rebuild as rebuild_rounds
from pm_admin.users.services import create_user, ensure_admin

DEMO_PASSWORD = "Demo@2026"
COMMUNITY_NAMES = ("翠湖花园", "锦绣华府", "御景名苑")
LAYOUTS = (("2室1厅1卫", 62, 78), ("2室2厅1卫", 78, 92), ("3室2厅1卫", 88, 110), ("3室2厅2卫", 105, 128),
           ("4室2厅2卫", 130, 160))
OCCUPANCY_WEIGHTS = ((Occupancy.OWNER_OCCUPIED, 70), (Occupancy.RENTED, 20), (Occupancy.VACANT, 10))


@dataclasses.dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: str
    communities: tuple[str, ...]  # community codes; empty with all_communities
    all_communities: bool = False


DEMO_USERS = (
    DemoUser("demo.admin", "系统管理员（演示）", "admin", (), True),
    DemoUser("demo.manager", "李经理", "manager", ("C01", "C02")),
    DemoUser("demo.cs", "王客服", "cs", ("C01",)),
    DemoUser("demo.steward", "张管家", "steward", ("C01",)),
    DemoUser("demo.technician", "赵师傅", "technician", ("C01",)),
    DemoUser("demo.archivist", "陈档案", "archivist", ("C01", "C02")),
    DemoUser("demo.executive", "刘总", "executive", (), True),
)


@dataclasses.dataclass
class SeedReport:
    communities: int = 0
    buildings: int = 0
    units: int = 0
    rooms: int = 0
    owners: int = 0
    users: int = 0
    tickets: int = 0
    survey_responses: int = 0
    faq_entries: int = 0
    inspection_schedules: int = 0


def _seed_rooms(session: Session, rng: random.Random, community: Community, building: Building, unit: Unit,
                per_floor: int) -> int:
    rooms = []
    for floor in range(1, building.floors + 1):
        for position in range(1, per_floor + 1):
            layout, low, high = LAYOUTS[(position + rng.randrange(2)) % len(LAYOUTS)]
            number = f"{floor}{position:02d}"
            occupancy = rng.choices([o for o, _ in OCCUPANCY_WEIGHTS], [w for _, w in OCCUPANCY_WEIGHTS])[0]
            rooms.append(Room(
                community_id=community.id, building_id=building.id, unit_id=unit.id, number=number,
                code=room_code(community.code, building.code, unit.code, number),
                sort_key=room_sort_key(community.code, building.code, unit.code, floor, number), floor=floor,
                area=Decimal(rng.randint(low * 100, high * 100)) / 100, layout=layout, occupancy=occupancy,
            ))
    session.add_all(rooms)
    return len(rooms)


def seed_places(session: Session, rng: random.Random, fake: Faker, report: SeedReport) -> dict[str, int]:
    ids = {}
    for index, name in enumerate(COMMUNITY_NAMES, start=1):
        code = f"C{index:02d}"
        community = session.exec(select(Community).where(Community.code == code)).first()
        if community is not None:
            ids[code] = community.id
            continue
        address = f"{fake.city()}{fake.district()}区{fake.street_name()}{rng.randint(1, 999)}号"
        community = create_community(session, actor=SYSTEM, code=code, name=name, address=address)
        report.communities += 1
        ids[code] = community.id
        rooms_before = report.rooms
        for building_no in range(1, rng.randint(12, 15) + 1):
            floors = rng.choice((18, 24, 26, 28, 32))
            building = create_building(session, actor=SYSTEM, community_id=community.id, code=str(building_no),
                                       name=f"{building_no}栋", floors=floors)
            report.buildings += 1
            for unit_no in range(1, rng.choice((2, 2, 3)) + 1):
                unit = create_unit(session, actor=SYSTEM, building_id=building.id, code=str(unit_no),
                                   name=f"{unit_no}单元")
                report.units += 1
                report.rooms += _seed_rooms(session, rng, community, building, unit, per_floor=rng.choice((2, 3)))
        session.flush()
        # Rooms are bulk-inserted; one audit event records the batch.
        record(session, action="demo.seed_rooms", actor_name="system", entity_type="community",
               entity_id=community.id, community_id=community.id, details={"rooms": report.rooms - rooms_before})
        report.owners += seed_demo_owners(session, community.id, rng=rng, fake=fake)
    return ids


def seed_users(session: Session, community_ids: dict[str, int], report: SeedReport) -> None:
    for demo in DEMO_USERS:
        if session.exec(select(User.id).where(User.username == demo.username)).first() is not None:
            continue
        create_user(
            session, actor=SYSTEM, username=demo.username, display_name=demo.display_name, password=DEMO_PASSWORD,
            roles=[demo.role], community_ids=[community_ids[c] for c in demo.communities],
            all_communities=demo.all_communities, must_change_password=False,
        )
        report.users += 1


def seed_demo(session: Session, *, seed: int = 2026) -> SeedReport:
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    report = SeedReport()
    community_ids = seed_places(session, rng, fake, report)
    seed_users(session, community_ids, report)
    for code in ("C01", "C02"):
        seed_custody(session, community_code=code, rng=rng)
    for code in community_ids:
        report.tickets += seed_tickets(session, community_code=code, rng=rng, password=DEMO_PASSWORD)
    if community_ids and session.exec(select(SurveyPlan.id)).first() is None:
        report.survey_responses = seed_surveys(session, rng)
    report.faq_entries = seed_faq(session)
    report.inspection_schedules = seed_inspections(session)
    if report.tickets:  # the tickets were bulk-inserted, past the services that keep rounds and rollups current
        rebuild_rounds(session)
        rebuild_dashboard_rollups(session)
    reassign_all(session)  # household work of communities whose cs staff came with the ticket desk's seeding
    return report


def database_is_empty(session: Session) -> bool:
    return session.exec(select(Community.id)).first() is None


def demo_usernames_present(session: Session) -> list[str]:
    """Demo accounts that exist and are active, i.e. the published password would open them: one per role,
    then the field staff of the demo communities."""
    names = [u.username for u in DEMO_USERS] + [
        name for index in range(1, len(COMMUNITY_NAMES) + 1) for name in field_staff_usernames(f"C{index:02d}")]
    active = set(session.exec(
        select(User.username).where(User.username.in_(names), User.is_active == True)  # noqa: E712
    ).all())
    return [name for name in names if name in active]


@dataclasses.dataclass(frozen=True)
class SeedOutcome:
    first_admin_created: bool
    demo: SeedReport | None  # None when no demo data was loaded; see skipped
    skipped: str = ""  # "production" (no --demo) or "not_empty" (--if-empty on a used database)


def seed_for_environment(
    session: Session,
    *,
    settings: Settings,
    admin_username: str,
    admin_password: str,
    demo_requested: bool = False,
    if_empty: bool = False,
    seed: int = 2026,
) -> SeedOutcome:
    """What ``pm-admin seed`` loads: demo data outside production, the first admin alone in production."""
    first_admin_created = False
    if settings.is_production:
        # Without demo.admin the first admin is the only way in.
        first_admin_created = ensure_admin(session, username=admin_username, password=admin_password) is not None
        if not demo_requested:
            return SeedOutcome(first_admin_created, None, skipped="production")
    if if_empty and not database_is_empty(session):
        return SeedOutcome(first_admin_created, None, skipped="not_empty")
    return SeedOutcome(first_admin_created, seed_demo(session, seed=seed))
