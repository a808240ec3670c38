"""Role home pages: each role's figures count the right rows, only in the user's communities, and link
to pages the user may open."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from pm_admin.archives.services import access as archive_access
from pm_admin.archives.services import catalog as archive_catalog
from pm_admin.archives.services import entries as archive_entries
from pm_admin.arrears import services as arrears
from pm_admin.auth.models import LoginSession, User
from pm_admin.auth.services import authenticate
from pm_admin.census import services as census
from pm_admin.census.models import CensusTask
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.i18n import LANGUAGES, catalog
from pm_admin.core.permissions import SYSTEM, ClientInfo, Principal
from pm_admin.home.queries import home_figures
from pm_admin.inspections.models import InspectionTask, InspectionTemplate
from pm_admin.inspections.services import setup as inspection_setup
from pm_admin.inspections.services import tasks as inspection_tasks
from pm_admin.owners.services.owner_input import OwnerInput
from pm_admin.owners.services.registry import create_owner
from pm_admin.places.models import Room
from pm_admin.places.services import assign_steward, set_household_work_role
from pm_admin.shell.nav import NAV_ITEMS
from pm_admin.surveys.models import SurveyQuestion
from pm_admin.surveys.services import plans, responses
from pm_admin.surveys.services.plans import PlanInput, QuestionInput
from pm_admin.tickets.models import TicketCategory
from pm_admin.tickets.services import actions, registration
from pm_admin.tickets.services.actions import ActionInput
from pm_admin.tickets.services.registration import TicketInput
from pm_admin.visits.services import plans as visit_plans
from pm_admin.visits.services import records as visit_records
from tests.support import factories

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai
TODAY = date(2026, 11, 25)
ROLES = ("admin", "manager", "cs", "steward", "technician", "archivist", "executive")


@dataclass
class Side:
    """One community with a user per role and some of everything; two of them test the scope."""

    community: object
    users: dict[str, Principal]
    accounts: dict[str, object]
    rooms: list
    tickets: dict[str, object]


def category_id(session, code: str) -> int:
    return session.exec(select(TicketCategory.id).where(TicketCategory.code == code)).one()


def build_side(session, name: str) -> Side:
    community, building, unit, r1 = factories.place_tree(session)
    r2 = factories.room(session, unit, number="102")
    other_unit = factories.unit(session, factories.building(session, community, code="2"))
    r3 = factories.room(session, other_unit, number="101")  # a building without this steward
    accounts = {role: factories.user(session, role, communities=(community,)) for role in ROLES
                if role not in ("admin", "executive")}
    users = {role: factories.sign_in(session, account) for role, account in accounts.items()}
    manager, cs, steward = users["manager"], users["cs"], users["steward"]
    # The stewards do this community's census and arrears follow-ups (the option; cs is the default).
    set_household_work_role(session, actor=manager, community_id=community.id, expected_version=community.version,
                            role="steward")
    assign_steward(session, actor=manager, building_id=building.id, steward_user_id=accounts["steward"].id)
    for n, room in enumerate((r1, r2, r3)):
        create_owner(session, actor=manager, room_id=room.id, data=OwnerInput(name=f"{name}业主{n}",
                                                                              phones=[f"1380000000{n}"]))

    def ticket(tier: str, hours_ago: float, *steps: tuple[str, str, dict]):
        created = NOW - timedelta(hours=hours_ago)
        made = registration.create_ticket(session, actor=cs, now=created, data=TicketInput(
            kind="complaint", category_id=category_id(session, "cleaning"), tier=tier, channel="hotline",
            title=f"{name}楼道垃圾", room_id=r1.id))
        for n, (to, actor, data) in enumerate(steps, start=1):
            actions.drop(session, actor=users[actor], ticket_id=made.id, expected_version=made.version, to_status=to,
                         data=ActionInput(**data), now=created + timedelta(minutes=10 * n))
        return made

    assigned = {"assignee_id": accounts["technician"].id}
    made = {
        # today, never answered: the 15-minute response target has passed
        "urgent_today": ticket("urgent", 1),
        # 23:00 yesterday in Shanghai, answered in time: open, not late
        "normal_yesterday": ticket("normal", 11, ("assigned", "cs", assigned)),
        # answered, but the 24 h resolution target passed six hours ago
        "important_late": ticket("important", 30, ("assigned", "cs", assigned)),
        # resolved an hour ago: waits for its callback, no longer on the SLA clock
        "resolved": ticket("normal", 2, ("assigned", "cs", assigned), ("in_progress", "technician", {}),
                           ("resolved", "technician", {"resolution": "已清运"})),
        # past 72 h but on hold: the clock is paused
        "on_hold": ticket("normal", 80, ("assigned", "cs", assigned), ("in_progress", "technician", {}),
                          ("on_hold", "technician", {"reason": "等待配件到货", "hold_until": "2026-12-31"})),
    }
    # Arrears: both rooms' cases fell due 20 days ago; only r1 is in the steward's building.
    for room in (r1, r3):
        arrears.set_arrears(session, actor=manager, room_id=room.id, amount="1200", since=TODAY - timedelta(days=90),
                            today=TODAY - timedelta(days=20))
    # Census: tasks for the three households; the steward has done r1's.
    census.open_quarter(session, actor=manager, community_id=community.id, quarter="2026Q4")
    done = session.exec(select(CensusTask).where(CensusTask.room_id == r1.id)).one()
    census.complete_task(session, actor=steward, task_id=done.id, changed=False)
    # An open survey of the community; r1 has answered.
    plan = plans.create_plan(session, actor=manager, data=PlanInput(
        title=f"{name}满意度调查", year=2026, period_kind="h2", starts_on="2026-11-01", ends_on="2026-12-31",
        community_ids=[community.id]))
    plans.save_question(session, actor=manager, plan_id=plan.id,
                        data=QuestionInput(kind="rating", text="总体满意度", indicator="service"))
    plans.open_plan(session, actor=manager, plan_id=plan.id)
    rating = session.exec(select(SurveyQuestion.id).where(SurveyQuestion.plan_id == plan.id)).one()
    responses.enter_response(session, actor=steward, plan_id=plan.id, room_code=r1.code, method="phone",
                             answers={rating: 5})
    # Visits: weekly rounds (last week's missed) and the door-to-door round; the steward visited r1 today and
    # promised a reply for tomorrow.
    visit_plan_ids = [visit_plans.save_plan(session, actor=manager, data=visit_plans.PlanInput(
        community_id=community.id, kind=kind, starts_on="2026-01-01")).id for kind in ("weekly", "door_to_door")]
    for day in (TODAY - timedelta(days=7), TODAY):
        for plan_id in visit_plan_ids:
            visit_plans.generate(session, actor=manager, plan_id=plan_id, day=day)
    visit_records.record_visit(session, actor=steward, today=TODAY, data=visit_records.VisitInput(
        room_code=r1.code, visited_on=TODAY.isoformat(), topics="了解近况", issues=[visit_records.IssueInput(
            text="单元门禁坏了", action="pending", promised_on=(TODAY + timedelta(days=1)).isoformat())]))
    # Archives of r1 and r2: one entry filed this month, one last month; two pending requests.
    first, second = (archive_catalog.ensure_archive(session, actor=SYSTEM, room_id=room.id) for room in (r1, r2))
    month_start = datetime.combine(TODAY.replace(day=1), time.min, DISPLAY_ZONE)
    for filed_at in (month_start, month_start - timedelta(seconds=1)):
        entry = archive_entries.add_entry(session, actor=users["archivist"], archive_id=first.id,
                                   data=archive_entries.EntryInput(doc_type="convention"))
        entry.created_at = filed_at
    archive_access.request_access(session, actor=users["archivist"], archive_id=first.id, reason="核对交付资料")
    archive_access.request_access(session, actor=cs, archive_id=second.id, reason="核对业主联系方式")
    session.flush()
    return Side(community, users, accounts, [r1, r2, r3], made)


@pytest.fixture
def sides(session):
    return build_side(session, "甲"), build_side(session, "乙")


def figures(session, principal, now=NOW) -> dict[str, str]:
    return {f.key: f.value for s in home_figures(session, principal, now=now).sections for f in s.figures}


def picked(values: dict[str, str], *keys: str) -> dict[str, str]:
    return {key: values[key] for key in keys}


def section_keys(session, principal) -> list[str]:
    return [s.key for s in home_figures(session, principal, now=NOW).sections]


def test_each_role_has_its_own_home(session, sides):
    mine = sides[0]
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    executive = factories.sign_in(session, factories.user(session, "executive", all_communities=True))
    pages = {role: section_keys(session, principal) for role, principal in
             {**mine.users, "admin": admin, "executive": executive}.items()}
    assert pages == {
        "admin": ["home.section.accounts", "home.places"],
        "executive": ["home.section.company", "home.places"],
        "manager": ["home.section.management", "home.places"],
        "cs": ["home.section.ticket_desk", "home.places"],
        "steward": ["home.section.my_buildings", "home.places"],
        "technician": ["home.section.work_orders", "home.places"],
        "archivist": ["home.section.archives", "home.places"],
    }


def test_every_figure_is_labelled_and_links_to_a_page_the_user_may_open(session, sides):
    executive = factories.sign_in(session, factories.user(session, "executive", all_communities=True))
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))
    for principal in (*sides[0].users.values(), executive, admin):
        home = home_figures(session, principal, now=NOW)
        for section in home.sections:
            for language in LANGUAGES:
                labels = catalog(language)
                assert section.key in labels and all(f.key in labels for f in section.figures)
            for figure in section.figures:
                [page] = [item for item in NAV_ITEMS if item.href == figure.href.split("?")[0]]
                assert page.permission is None or principal.has(page.permission), (figure, principal.roles)


def test_the_service_desk_counts_its_communitys_tickets(session, sides):
    mine = sides[0]
    assert figures(session, mine.users["cs"]) == {
        "home.tickets_today": "2",  # 09:00 and 08:00; 23:00 yesterday is not today in Shanghai
        "home.open_urgent": "1", "home.open_important": "1", "home.open_normal": "3",
        "home.tickets_overdue": "2",  # urgent unanswered, important unresolved; not on hold, not resolved
        "home.callbacks_due": "1",
        # r3's case and census task: its building has no steward, so they are anyone's to take
        "home.follow_ups_overdue": "1", "home.census_open": "1",
        # no committee meeting planned this quarter, no meeting action items, no suggestion
        "home.quarterly_meeting_missing": "1", "home.meeting_actions_overdue": "0", "home.suggestions_overdue": "0",
        "home.group_applications": "0", "home.group_tasks": "0",
        # r3's door-to-door visit: its building has no steward, anyone may take it
        "home.my_visit_tasks_open": "1", "home.my_visit_tasks_missed": "0", "home.my_visit_replies_due": "0",
        "home.communities": "1", "home.buildings": "2", "home.units": "2", "home.rooms": "3", "home.area": "265.50",
    }
    # The other community's desk sees its own five, not these.
    before = figures(session, sides[1].users["cs"])
    actions.drop(session, actor=mine.users["cs"], ticket_id=mine.tickets["urgent_today"].id,
                 expected_version=mine.tickets["urgent_today"].version, to_status="assigned",
                 data=ActionInput(assignee_id=mine.accounts["technician"].id), now=NOW)
    assert figures(session, sides[1].users["cs"]) == before
    # Answered, though late: still overdue, for its on-site deadline (30 minutes for urgent), until work starts.
    assert figures(session, mine.users["cs"])["home.tickets_overdue"] == "2"
    urgent = mine.tickets["urgent_today"]
    actions.drop(session, actor=mine.users["cs"], ticket_id=urgent.id, expected_version=urgent.version,
                 to_status="in_progress", data=ActionInput(), now=NOW)
    assert figures(session, mine.users["cs"])["home.tickets_overdue"] == "1"


def test_a_technician_sees_only_their_own_orders(session, sides):
    mine = sides[0]
    assert picked(figures(session, mine.users["technician"]), "home.my_orders", "home.my_orders_overdue") == {
        "home.my_orders": "3",  # assigned ×2 and on hold; the resolved one is done
        "home.my_orders_overdue": "1",  # the important one; on hold does not run late
    }
    late = figures(session, mine.users["technician"], now=NOW + timedelta(days=3))
    assert late["home.my_orders_overdue"] == "2"  # the yesterday one is now past its 72 h too


def test_inspection_cards_count_the_technicians_checklists_and_the_managers_overdue_work(session, sides):
    mine = sides[0]
    daily = session.exec(select(InspectionTemplate).where(InspectionTemplate.name == "电梯机房日检")).one()
    schedule = inspection_setup.create_schedule(session, actor=mine.users["manager"], today=TODAY, data=(
        inspection_setup.ScheduleInput(community_id=mine.community.id, template_id=daily.id,
                                       assignee_id=mine.accounts["technician"].id)))
    keys = ("home.rectifications_overdue", "home.inspections_overdue")
    assert figures(session, mine.users["technician"])["home.my_inspections_due"] == "1"  # today's check
    assert picked(figures(session, mine.users["manager"]), *keys) == {
        "home.rectifications_overdue": "0", "home.inspections_overdue": "0"}
    tomorrow = NOW + timedelta(days=1)
    assert picked(figures(session, mine.users["manager"], now=tomorrow), *keys) == {
        "home.rectifications_overdue": "0", "home.inspections_overdue": "1"}  # not done on its day
    task = session.exec(select(InspectionTask).where(InspectionTask.schedule_id == schedule.id)).one()
    answers = [inspection_tasks.ItemAnswer(result="pass") for _ in task.items]
    answers[1] = inspection_tasks.ItemAnswer(result="fail", note="控制柜异响")
    inspection_tasks.submit_task(session, actor=mine.users["technician"], task_id=task.id,
                                 expected_version=task.version, answers=answers, now=NOW)
    assert figures(session, mine.users["technician"])["home.my_inspections_due"] == "0"
    late = NOW + timedelta(days=daily.rectify_days + 1)  # the rectification's deadline has passed
    assert picked(figures(session, mine.users["manager"], now=late), *keys) == {
        "home.rectifications_overdue": "1", "home.inspections_overdue": "0"}
    assert picked(figures(session, sides[1].users["manager"], now=late), *keys) == {
        "home.rectifications_overdue": "0", "home.inspections_overdue": "0"}  # the other community's


def test_a_steward_sees_the_work_of_their_buildings(session, sides):
    values = figures(session, sides[0].users["steward"])
    assert picked(values, "home.follow_ups_overdue", "home.census_open", "home.surveys_to_enter") == {
        "home.follow_ups_overdue": "2",  # r1's case, and r3's whose building has no steward (anyone may take it)
        "home.census_open": "2",  # r2, and r3 whose building has no steward (any steward may take it); r1 is done
        "home.surveys_to_enter": "1",  # r2; r1 answered, r3 is not in the steward's buildings
    }
    assert picked(values, "home.my_visit_tasks_open", "home.my_visit_tasks_missed", "home.my_visit_replies_due") == {
        "home.my_visit_tasks_open": "3",  # this week's round (1 of 3 visits), r2's and r3's door-to-door visits
        "home.my_visit_tasks_missed": "1",  # last week's round
        "home.my_visit_replies_due": "1",  # promised for tomorrow
    }


def test_when_cs_do_the_household_work_their_desk_counts_it_and_the_steward_has_none(session, sides):
    mine = sides[0]
    community = mine.community
    set_household_work_role(session, actor=mine.users["manager"], community_id=community.id,
                            expected_version=community.version, role="cs")  # the default of a new community
    desk, steward = figures(session, mine.users["cs"]), figures(session, mine.users["steward"])
    assert picked(desk, "home.follow_ups_overdue", "home.census_open") == {
        "home.follow_ups_overdue": "2", "home.census_open": "2"}  # r1 and r3's cases; r2 and r3's census
    assert picked(steward, "home.follow_ups_overdue", "home.census_open") == {
        "home.follow_ups_overdue": "0", "home.census_open": "0"}


def test_an_archivist_counts_archives_entries_and_own_requests(session, sides):
    values = figures(session, sides[0].users["archivist"])
    assert (values["home.archives"], values["home.entries_this_month"], values["home.my_pending_requests"]) == (
        "2", "1", "1")


def test_a_manager_sees_decisions_and_risks_of_their_community(session, sides):
    values = figures(session, sides[0].users["manager"])
    assert values["home.requests_to_decide"] == "2"  # the archivist's and the desk's, not the other community's
    assert values["home.tickets_overdue"] == "2"
    assert (values["home.arrears_coverage"], values["home.follow_ups_overdue_all"]) == ("0%", "2")
    assert values["home.rooms"] == "3"
    assert (values["home.visit_tasks_open"], values["home.visit_tasks_missed"], values["home.visit_replies_due"]) == (
        "3", "1", "1")  # the community's, as the steward's above
    assert figures(session, sides[1].users["manager"])["home.visit_replies_due"] == "1"  # its own, not these
    occupancy = home_figures(session, sides[0].users["manager"], now=NOW).occupancy
    assert occupancy == {"owner_occupied": 3, "rented": 0, "vacant": 0}
    assert home_figures(session, sides[0].users["cs"], now=NOW).occupancy is None  # the desk needs no breakdown


def test_a_figure_two_roles_share_shows_once(session, sides):
    both = factories.sign_in(session, factories.user(session, "manager", "cs", communities=(sides[0].community,)))
    home = home_figures(session, both, now=NOW)
    assert [s.key for s in home.sections] == ["home.section.management", "home.section.ticket_desk", "home.places"]
    shown = [f.key for s in home.sections for f in s.figures]
    assert shown.count("home.tickets_overdue") == 1 and "home.callbacks_due" in shown


def test_an_executive_sees_company_kpis_across_communities(session, sides):
    executive = factories.sign_in(session, factories.user(session, "executive", all_communities=True))
    home = home_figures(session, executive, now=NOW)
    company = home.sections[0]
    assert (company.link_key, company.link_href) == ("home.open_dashboard", "/dashboard")
    registered = [t for side in sides for t in side.tickets.values()
                  if t.created_at.astimezone(DISPLAY_ZONE).date().replace(day=1) == TODAY.replace(day=1)]
    values = {f.key: f.value for f in company.figures}
    assert values["home.kpi_tickets"] == str(len(registered)) == "10"
    assert values["home.arrears_coverage"] == "0%"  # four open cases, none followed up
    # Every community's rooms (other tests may have committed some to the shared database, hence the count).
    assert sum(home.occupancy.values()) == session.scalar(sa.select(sa.func.count(Room.id))) >= 6


def test_an_admin_sees_live_sessions_and_failed_sign_ins(session, sides):
    mine, theirs = sides
    now = utcnow()
    admin = factories.sign_in(session, factories.user(session, "admin", all_communities=True))

    def live(account, **times):
        session.add(LoginSession(user_id=account.id, token_hash=f"token-{account.id}",
                                 created_at=now - times.get("age", timedelta(minutes=20)),
                                 last_seen_at=now - times.get("idle", timedelta(minutes=1)),
                                 revoked_at=times.get("revoked")))

    live(mine.accounts["cs"])
    live(theirs.accounts["cs"])
    live(mine.accounts["manager"], idle=timedelta(minutes=45))  # idle too long
    live(mine.accounts["steward"], age=timedelta(hours=13))  # past the absolute limit
    live(mine.accounts["archivist"], revoked=now)  # signed out
    for username in (mine.accounts["cs"].username, theirs.accounts["cs"].username, "nobody"):
        authenticate(session, username=username, password="wrong-password", client=ClientInfo(ip="10.9.9.9"))
    session.flush()
    values = figures(session, admin, now=now)
    assert (values["home.active_sessions"], values["home.failed_logins"]) == ("2", "3")
    picked_mine = factories.sign_in(session, session.get(User, admin.user_id), current_community_id=mine.community.id)
    values = figures(session, picked_mine, now=now)
    assert values["home.active_sessions"] == "1"  # the picked community's accounts
    assert values["home.failed_logins"] == "3"  # sign-ins belong to no community: all of them
    assert figures(session, mine.users["manager"], now=now)["home.failed_logins"] == "1"  # its own cs only
