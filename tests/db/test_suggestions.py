"""The suggestion box 意见箱: a slip entered by staff with its photo (checked by content, served to staff only), an
owner's suggestion from the portal for their own room, triage (accepted / ticket / declined with a reason /
duplicate), the reply that reaches the writer's inbox through the outbox, the due date and the overdue list,
closing, the improvement action published as 整改公示, another community's suggestion and crafted ids refused."""

from datetime import timedelta

import pytest
from sqlmodel import select

from pm_admin.comms.models import Notice, NoticeKind, NoticeStatus
from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import local_today
from pm_admin.core.errors import ConcurrencyConflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.files import issue_download, redeem_download, store_upload
from pm_admin.core.paging import PageRequest
from pm_admin.home.queries import home_figures
from pm_admin.notify.models import OutboxMessage
from pm_admin.settings import get_settings
from pm_admin.suggestions import queries
from pm_admin.suggestions.models import Outcome, Suggestion, SuggestionStatus
from pm_admin.suggestions.services import intake, triage
from pm_admin.tickets.models import Channel, Ticket
from tests.support import factories
from tests.support.owners_portal import activated, new_owner
from tests.support.ticket_desk import category

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def box(session, desk):
    owner = new_owner(session, desk)
    desk["account"] = activated(session, desk, owner)
    desk["steward"] = factories.sign_in(session, factories.user(session, "steward", communities=(desk["community"],)))
    desk["executive"] = factories.sign_in(session, factories.user(session, "executive", communities=(desk["community"],)))
    other, _, _, other_room = factories.place_tree(session)
    desk["other"], desk["other_room"] = other, other_room
    desk["other_manager"] = factories.sign_in(session, factories.user(session, "manager", communities=(other,)))
    return desk


def ver(session, suggestion_id):
    """The stored version, as a page that has just loaded the suggestion would send it."""
    row = session.get(Suggestion, suggestion_id) if isinstance(suggestion_id, int) else None
    return row.version if row else 1


def slip(session, box, *, content="建议在3栋门口加装自行车棚", room_code="", photo=None, actor="steward", **extra):
    upload_id = ""
    if photo is not None:
        upload_id = store_upload(session, principal=box[actor], purpose_name=intake.SLIP_PURPOSE,
                                 filename="slip.png", data=photo).id
    return intake.enter_suggestion(session, actor=box[actor], photo_upload_id=upload_id, data=intake.SuggestionInput(
        community_id=box["community"].id, channel=extra.pop("channel", "box"),
        category_id=category(session, "cleaning").id, content=content, room_code=room_code, **extra))


def test_a_slip_keeps_its_photo_for_staff_and_its_reply_is_due_in_the_set_days(session, box):
    suggestion = slip(session, box, room_code=box["room"].code, submitter_name="王先生", photo=PNG)
    assert suggestion.status == SuggestionStatus.NEW and suggestion.room_id == box["room"].id
    assert suggestion.reply_due_on == local_today() + timedelta(days=get_settings().suggestion_reply_days)
    ticket = issue_download(session, principal=box["manager"], kind="suggestion_slip",
                            params={"suggestion_id": suggestion.id})
    assert b"".join(redeem_download(session, principal=box["manager"], ticket_id=ticket).chunks) == PNG
    # Outside the community the photo reads as a missing suggestion.
    ticket = issue_download(session, principal=box["other_manager"], kind="suggestion_slip",
                            params={"suggestion_id": suggestion.id})
    with pytest.raises(PermissionDenied):
        redeem_download(session, principal=box["other_manager"], ticket_id=ticket)


def test_what_is_not_a_photo_an_unknown_room_and_empty_text_are_refused_next_to_their_fields(session, box):
    with pytest.raises(ValidationFailed) as refused:
        slip(session, box, content=" ", room_code="X-9-9")
    assert set(refused.value.fields) == {"content", "room_code"}
    with pytest.raises(ValidationFailed) as refused:
        slip(session, box, photo=b"%PDF-1.4 not an image")
    assert set(refused.value.fields) == {"photo"}
    with pytest.raises(ValidationFailed) as refused:
        slip(session, box, channel="portal")  # staff never write as the portal
    assert set(refused.value.fields) == {"channel"}
    assert session.exec(select(Suggestion)).all() == []


def test_an_executive_may_read_but_not_enter_and_another_community_is_refused(session, box):
    with pytest.raises(PermissionDenied):
        slip(session, box, actor="executive")
    with pytest.raises(PermissionDenied):
        intake.enter_suggestion(session, actor=box["other_manager"], data=intake.SuggestionInput(
            community_id=box["community"].id, channel="box", category_id=category(session, "cleaning").id,
            content="越权"))
    suggestion = slip(session, box)
    with pytest.raises(PermissionDenied):
        triage.accept(session, actor=box["other_manager"], suggestion_id=suggestion.id, expected_version=ver(session, suggestion.id))
    with pytest.raises(NotFound):
        triage.accept(session, actor=box["manager"], suggestion_id="1 or 1=1", expected_version=None)
    page = queries.suggestions(session, box["executive"], PageRequest(), queries.SuggestionFilter())
    assert [row["id"] for row in page.rows] == [suggestion.id]
    assert queries.suggestions(session, box["other_manager"], PageRequest(), queries.SuggestionFilter()).total == 0


def test_an_owner_writes_from_the_portal_and_reads_the_reply_in_the_inbox(session, box):
    account = box["account"]
    with pytest.raises(PermissionDenied):  # a room that is not theirs
        intake.submit_from_portal(session, owner=account, room_id=box["other_room"].id,
                                  category_id=category(session, "cleaning").id, content="不是我的房间")
    mine = intake.submit_from_portal(session, owner=account, room_id=box["room"].id,
                                     category_id=category(session, "cleaning").id, content="垃圾桶每天清两次")
    with pytest.raises(DomainError):  # the reply comes after triage
        triage.reply(session, actor=box["cs"], suggestion_id=mine.id, expected_version=ver(session, mine.id), text="已收到您的建议")
    triage.accept(session, actor=box["cs"], suggestion_id=mine.id, expected_version=mine.version, note="合理")
    with pytest.raises(ValidationFailed):  # a reply says something
        triage.reply(session, actor=box["cs"], suggestion_id=mine.id, expected_version=ver(session, mine.id), text="好")
    triage.reply(session, actor=box["cs"], suggestion_id=mine.id, expected_version=ver(session, mine.id),
                 text="已安排保洁每日上下午各清运一次")
    message = session.exec(select(OutboxMessage).where(OutboxMessage.template == "notify.suggestion_replied")).one()
    assert message.recipient_id == account.account_id and "上下午" in message.params["reply"]
    seen = queries.owner_suggestions(session, account, "zh-CN")
    assert [(s["status"], s["outcome"]) for s in seen] == [("replied", "accepted")]
    triage.close(session, actor=box["cs"], suggestion_id=mine.id, expected_version=ver(session, mine.id))
    assert session.get(Suggestion, mine.id).status == SuggestionStatus.CLOSED


def test_a_stale_copy_cannot_triage_over_a_newer_one(session, box):
    suggestion = slip(session, box)
    version = suggestion.version
    triage.accept(session, actor=box["cs"], suggestion_id=suggestion.id, expected_version=version)
    with pytest.raises(ConcurrencyConflict):
        triage.decline(session, actor=box["manager"], suggestion_id=suggestion.id, expected_version=version,
                       reason="与小区规划不符")


def test_triage_to_a_ticket_keeps_the_channel_and_the_room(session, box):
    suggestion = slip(session, box, room_code=box["room"].code, channel="visit", content="楼道灯坏了\n已经一周")
    ticket = triage.open_ticket(session, actor=box["cs"], suggestion_id=suggestion.id, expected_version=ver(session, suggestion.id),
                                kind="repair")
    stored = session.get(Ticket, ticket.id)
    assert (stored.channel, stored.room_id, stored.title) == (Channel.VISIT, box["room"].id, "楼道灯坏了")
    assert session.get(Suggestion, suggestion.id).outcome == Outcome.TICKET
    with pytest.raises(DomainError):  # triaged once
        triage.open_ticket(session, actor=box["cs"], suggestion_id=suggestion.id, expected_version=ver(session, suggestion.id))


def test_declined_needs_a_reason_and_a_duplicate_names_an_earlier_one_of_the_community(session, box):
    first, second = slip(session, box), slip(session, box, content="再次建议加装车棚")
    with pytest.raises(ValidationFailed):
        triage.decline(session, actor=box["cs"], suggestion_id=first.id, expected_version=ver(session, first.id), reason="")
    other = intake.enter_suggestion(session, actor=box["other_manager"], data=intake.SuggestionInput(
        community_id=box["other"].id, channel="box", category_id=category(session, "cleaning").id, content="别处"))
    for original in (second.id, other.id, "x"):
        with pytest.raises(ValidationFailed):
            triage.mark_duplicate(session, actor=box["cs"], suggestion_id=second.id, expected_version=ver(session, second.id),
                                  original_id=original)
    triage.mark_duplicate(session, actor=box["cs"], suggestion_id=second.id, expected_version=ver(session, second.id),
                          original_id=first.id)
    assert queries.suggestion_detail(session, box["cs"], first.id)["duplicates"] == f"#{second.id}"
    events = session.exec(select(AuditEvent.action).where(AuditEvent.entity_type == "suggestion")).all()
    assert "suggestion.duplicate" in events


def test_overdue_is_an_unanswered_suggestion_past_its_due_date(session, box):
    late, answered, fresh = slip(session, box), slip(session, box), slip(session, box)
    for row in (late, answered):
        row.reply_due_on = local_today() - timedelta(days=1)
        session.add(row)
    session.flush()
    triage.accept(session, actor=box["cs"], suggestion_id=answered.id, expected_version=ver(session, answered.id))
    triage.reply(session, actor=box["cs"], suggestion_id=answered.id, expected_version=ver(session, answered.id), text="已答复业主的建议")
    page = queries.suggestions(session, box["manager"], PageRequest(), queries.SuggestionFilter(overdue=True))
    assert [row["id"] for row in page.rows] == [late.id]
    assert queries.overdue_count(session, box["manager"]) == 1
    assert queries.overdue_count(session, box["other_manager"]) == 0
    on_home = [f for s in home_figures(session, box["manager"]).sections for f in s.figures
               if f.key == "home.suggestions_overdue"]
    assert [(f.value, f.href) for f in on_home] == [("1", "/suggestions?overdue=1")]
    assert fresh.id not in [row["id"] for row in page.rows]


def test_an_accepted_suggestion_publishes_its_improvement_as_a_rectification_notice(session, box):
    suggestion = slip(session, box, room_code=box["room"].code, submitter_name="王先生")
    with pytest.raises(DomainError):
        triage.set_improvement(session, actor=box["manager"], suggestion_id=suggestion.id, expected_version=ver(session, suggestion.id),
                               data=triage.ImprovementInput(measure="十二月底前在3栋门口加装车棚", publish=True))
    triage.accept(session, actor=box["manager"], suggestion_id=suggestion.id, expected_version=ver(session, suggestion.id))
    with pytest.raises(PermissionDenied):  # a steward may not draft notices
        triage.set_improvement(session, actor=box["steward"], suggestion_id=suggestion.id, expected_version=ver(session, suggestion.id),
                               data=triage.ImprovementInput(measure="十二月底前在3栋门口加装车棚", publish=True))
    triage.set_improvement(session, actor=box["manager"], suggestion_id=suggestion.id, expected_version=ver(session, suggestion.id),
                           data=triage.ImprovementInput(measure="十二月底前在3栋门口加装车棚", publish=True))
    notice = session.exec(select(Notice).where(Notice.source == f"suggestion:{suggestion.id}")).one()
    assert (notice.kind, notice.status) == (NoticeKind.RECTIFICATION, NoticeStatus.PENDING)
    assert "加装车棚" in notice.body and "王先生" not in notice.body and box["room"].code not in notice.body
    with pytest.raises(DomainError):  # published once
        triage.set_improvement(session, actor=box["manager"], suggestion_id=suggestion.id, expected_version=ver(session, suggestion.id),
                               data=triage.ImprovementInput(measure="改为明年一月", publish=False))
