"""The owner timeline gathers what every feature knows about the owner's rooms while they owned them."""

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from pm_admin.archives.models import Archive, ArchiveChange
from pm_admin.arrears.models import ArrearsCase, FollowUp
from pm_admin.core.clock import local_today
from pm_admin.owners.services import registry as owner_registry
from pm_admin.owners.services.owner_input import OwnerInput
from pm_admin.owners.timeline import owner_timeline
from pm_admin.surveys.models import SurveyPlan, SurveyResponse
from pm_admin.tickets.models import Callback, TicketCategory
from pm_admin.tickets.services import registration
from pm_admin.tickets.services.registration import TicketInput
from tests.support import factories

TODAY = local_today()
NOW = datetime.now(UTC)


def test_every_feature_appends_to_the_timeline_of_the_owner_of_the_day(session):
    community, _, _, room = factories.place_tree(session)
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(community,)))
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(community,)))
    previous = owner_registry.create_owner(session, actor=manager, room_id=room.id, started_on=TODAY - timedelta(days=900),
                                     data=OwnerInput(name="旧业主", phones=["13800000001"]))
    owner = owner_registry.change_room_owner(session, actor=manager, room_id=room.id,
                                       transfer_date=TODAY - timedelta(days=100),
                                       new_owner=OwnerInput(name="新业主", phones=["13800000002"]))
    category = session.exec(select(TicketCategory).where(TicketCategory.code == "cleaning")).one()
    ticket = registration.create_ticket(session, actor=cs, data=TicketInput(
        kind="complaint", category_id=category.id, tier="normal", channel="hotline", title="楼道垃圾未清运",
        room_id=room.id))
    session.add(Callback(ticket_id=ticket.id, attempt=1, method="phone", reached=True, satisfied=True,
                         comment="很满意", done_by="cs"))
    archive = session.exec(select(Archive).where(Archive.room_id == room.id)).one()  # opened by the owner change
    session.add(ArchiveChange(archive_id=archive.id, kind="entry_added", detail="房屋交付验收表", actor_name="档案员"))
    session.add(ArchiveChange(archive_id=archive.id, kind="entry_added", detail="业主临时公约", actor_name="档案员",
                              occurred_at=NOW - timedelta(days=400)))  # the previous owner's time
    plan = SurveyPlan(title="年度满意度调查", year=TODAY.year, period_kind="year", starts_on=TODAY, ends_on=TODAY)
    session.add(plan)
    session.flush()
    session.add(SurveyResponse(plan_id=plan.id, room_id=room.id, community_id=community.id,
                               building_id=room.building_id, method="phone", entered_by="管家"))
    case = ArrearsCase(room_id=room.id, community_id=community.id, building_id=room.building_id,
                       opened_on=TODAY - timedelta(days=20), next_due_on=TODAY - timedelta(days=5))
    session.add(case)
    session.flush()
    session.add(FollowUp(case_id=case.id, done_on=TODAY - timedelta(days=10), channel="phone", result="答应月底缴清",
                         promise_date=TODAY + timedelta(days=5), reason_category="forgot", actor_name="管家"))
    session.flush()

    items = owner_timeline(session, manager, owner.id, "zh-CN")
    kinds = {item.kind for item in items}
    assert {"ownership", "ticket", "callback", "archive", "survey", "arrears"} <= kinds
    assert [i.detail for i in items if i.kind == "archive"] == ["房屋交付验收表 · 档案员"]
    callback = next(i for i in items if i.kind == "callback")
    assert ticket.code in callback.detail and callback.link == f"/tickets/{ticket.id}"
    follow_up = next(i for i in items if i.title_key == "timeline.arrears_follow_up")
    assert "电话" in follow_up.detail and "答应月底缴清" in follow_up.detail
    assert [i.at for i in items] == sorted((i.at for i in items), reverse=True)

    earlier = owner_timeline(session, manager, previous.id, "zh-CN")
    assert [i.detail for i in earlier if i.kind == "archive"] == ["业主临时公约 · 档案员"]
    assert not {"survey", "arrears", "ticket"} & {i.kind for i in earlier}
