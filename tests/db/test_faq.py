"""The FAQ assistant's services: a community's entries never answer another community's owner, company-wide ones
answer everyone; staff without faq.manage or outside the community are refused; a synonym staff add changes what
matches; every question is logged with its band and outcome; an unanswered question becomes an entry in one step and
then answers; the index follows edits; withdrawn and expired entries stop answering."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import local_today
from pm_admin.core.errors import ConcurrencyConflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.permissions import OwnerPrincipal, OwnerRoom
from pm_admin.faq import editing, services
from pm_admin.faq.demo_kb import seed_faq
from pm_admin.faq.editing import EntryInput
from pm_admin.faq.models import AskChannel, Band, FaqEntry, FaqQuery, QueryOutcome
from tests.support import factories


def owner_of(community, room, account_id=9001) -> OwnerPrincipal:
    return OwnerPrincipal(account_id=account_id, display_name="王业主", person_kind="owner", owner_id=None,
                          rooms=(OwnerRoom(room.id, community.id, date(2020, 1, 1)),), session_id=0)


@pytest.fixture
def faq(session, desk):
    other, _, _, other_room = factories.place_tree(session)
    desk["other"], desk["other_room"] = other, other_room
    desk["other_manager"] = factories.sign_in(session, factories.user(session, "manager", communities=(other,)))
    desk["steward"] = factories.sign_in(session, factories.user(session, "steward", communities=(desk["community"],)))
    desk["head_office"] = factories.sign_in(session, factories.user(session, "manager", all_communities=True))
    desk["owner"] = owner_of(desk["community"], desk["room"])
    desk["other_owner"] = owner_of(other, other_room, account_id=9002)
    return desk


def entry(session, actor, community, question, answer="答案", phrasings=(), **extra):
    return editing.create_entry(session, actor=actor, data=EntryInput(
        community_id=community.id if community is not None else "", question=question, answer=answer,
        category=extra.pop("category", "其他"), phrasings=list(phrasings), **extra))


def ask(session, asker, community, text, channel=AskChannel.PORTAL):
    return services.ask(session, asker=asker, community_id=community.id, text=text, channel=channel)


def test_a_communitys_entry_never_answers_another_communitys_owner(session, faq):
    own = entry(session, faq["manager"], faq["community"], "游泳池几点开放？", "6:00–22:00",
                phrasings=("泳池开放时间", "游泳馆几点关门"))
    entry(session, faq["other_manager"], faq["other"], "会所健身房怎么办卡？", "到会所前台办理",
          phrasings=("健身房办卡", "健身房年卡多少钱"))
    reply = ask(session, faq["owner"], faq["community"], "泳池几点开放")
    assert reply.band == Band.HIGH and reply.answer.entry_id == own.id
    # The other community's gym is not in this community's index at all, whatever the owner asks.
    reply = ask(session, faq["owner"], faq["community"], "健身房办卡")
    assert all(p.question != "会所健身房怎么办卡？" for p in (*reply.proposals, *filter(None, [reply.answer])))
    assert reply.band in (Band.LOW, Band.MIDDLE) and reply.answer is None
    # Nor may the owner ask in a community they do not live in.
    with pytest.raises(PermissionDenied):
        ask(session, faq["owner"], faq["other"], "健身房办卡")
    assert ask(session, faq["other_owner"], faq["other"], "健身房办卡").band == Band.HIGH


def test_company_wide_entries_answer_every_community_and_only_head_office_keeps_them(session, faq):
    with pytest.raises(PermissionDenied):
        entry(session, faq["manager"], None, "物业费怎么交？")
    shared = entry(session, faq["head_office"], None, "物业费怎么交？", "业主端缴费", phrasings=("在哪交物业费",))
    for owner, community in ((faq["owner"], faq["community"]), (faq["other_owner"], faq["other"])):
        assert ask(session, owner, community, "在哪交物业费？").answer.entry_id == shared.id
    with pytest.raises(PermissionDenied):
        editing.update_entry(session, actor=faq["manager"], entry_id=shared.id, expected_version=shared.version,
                              data=EntryInput(question="改", answer="改"))
    # … though community staff read it.
    assert editing.load_entry(session, faq["steward"], shared.id, "faq.view").id == shared.id


def test_staff_without_the_permission_or_outside_the_community_are_refused(session, faq):
    with pytest.raises(PermissionDenied):  # a steward reads and asks but does not keep the knowledge base
        entry(session, faq["steward"], faq["community"], "问题")
    with pytest.raises(PermissionDenied):
        entry(session, faq["other_manager"], faq["community"], "问题")
    mine = entry(session, faq["manager"], faq["community"], "小区几点锁大门？")
    with pytest.raises(PermissionDenied):
        editing.update_entry(session, actor=faq["other_manager"], entry_id=mine.id, expected_version=mine.version,
                              data=EntryInput(question="改", answer="改"))
    with pytest.raises(PermissionDenied):
        editing.set_active(session, actor=faq["steward"], entry_id=mine.id, expected_version=mine.version,
                            active=False)
    with pytest.raises(PermissionDenied):
        editing.save_synonym(session, actor=faq["steward"], community_id=faq["community"].id, word="管理费",
                              canonical="物业费")
    with pytest.raises(PermissionDenied):  # staff ask for a caller of their own communities only
        ask(session, faq["other_manager"], faq["community"], "几点锁门", AskChannel.STAFF)
    with pytest.raises(PermissionDenied):  # the tech holds no faq permission
        ask(session, faq["tech"], faq["community"], "几点锁门", AskChannel.STAFF)
    with pytest.raises(PermissionDenied):  # an owner is not staff
        ask(session, faq["owner"], faq["community"], "几点锁门", AskChannel.STAFF)
    with pytest.raises(NotFound):
        editing.update_entry(session, actor=faq["manager"], entry_id="1 or 1=1", expected_version=1,
                              data=EntryInput(question="改", answer="改"))
    assert ask(session, faq["steward"], faq["community"], "几点锁大门", AskChannel.STAFF).band == Band.HIGH


def test_a_synonym_staff_add_makes_another_word_match(session, faq):
    target = entry(session, faq["manager"], faq["community"], "垃圾清运车几点来？", "每天早上 6 点",
                   phrasings=("垃圾车什么时候来收",))
    entry(session, faq["manager"], faq["community"], "小区班车时刻表？", "见公告栏", phrasings=("班车几点发车",))
    before = ask(session, faq["owner"], faq["community"], "收废品的车几点到")
    assert before.answer is None
    editing.save_synonym(session, actor=faq["manager"], community_id=faq["community"].id, word="收废品的车",
                          canonical="垃圾清运车")
    after = ask(session, faq["owner"], faq["community"], "收废品的车几点到")
    assert after.band == Band.HIGH and after.answer.entry_id == target.id
    assert after.answer.answer == "每天早上 6 点"
    # Another community's synonym does not reach this one.
    editing.save_synonym(session, actor=faq["other_manager"], community_id=faq["other"].id, word="班车",
                          canonical="垃圾清运车")
    assert ask(session, faq["owner"], faq["community"], "班车几点发车").answer.question == "小区班车时刻表？"
    with pytest.raises(ValidationFailed) as refused:
        editing.save_synonym(session, actor=faq["manager"], community_id=faq["community"].id, word="電梯",
                              canonical="电梯")
    assert set(refused.value.fields) == {"canonical"}
    synonyms = editing.list_synonyms(session, actor=faq["manager"], community_id=faq["community"].id)
    assert [s.word for s in synonyms] == ["收废品的车"]
    editing.delete_synonym(session, actor=faq["manager"], synonym_id=synonyms[0].id)
    assert ask(session, faq["owner"], faq["community"], "收废品的车几点到").answer is None
    assert {e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity_type == "faq_synonym"))} == {
        "faq.synonym_save", "faq.synonym_delete"}


def test_every_question_is_logged_with_its_band_and_outcome(session, faq):
    seed_faq(session)
    replies = [ask(session, faq["owner"], faq["community"], "物業費怎麼交"),  # traditional characters
               ask(session, faq["owner"], faq["community"], "停车", AskChannel.API),
               ask(session, faq["steward"], faq["community"], "附近有没有好的幼儿园", AskChannel.STAFF),
               ask(session, faq["owner"], faq["community"], "我家厨房水管漏水了")]
    assert [r.band for r in replies] == [Band.HIGH, Band.MIDDLE, Band.LOW, Band.TICKET]
    assert replies[0].answer.question == "物业费怎么缴纳？"
    assert len(replies[1].proposals) == 3 and replies[1].answer is None
    assert replies[2].ticket.title == "附近有没有好的幼儿园" and replies[2].ticket.channel == "hotline"
    assert replies[3].ticket.description == "我家厨房水管漏水了" and replies[3].ticket.channel == "online"
    logged = session.exec(select(FaqQuery).where(FaqQuery.community_id == faq["community"].id)
                          .order_by(FaqQuery.id)).all()
    assert [q.id for q in logged] == [r.query_id for r in replies]
    assert [(q.channel, q.band, q.outcome) for q in logged] == [
        (AskChannel.PORTAL, Band.HIGH, QueryOutcome.ANSWERED), (AskChannel.API, Band.MIDDLE, QueryOutcome.PROPOSED),
        (AskChannel.STAFF, Band.LOW, QueryOutcome.TICKET_OFFERED),
        (AskChannel.PORTAL, Band.TICKET, QueryOutcome.TICKET_OFFERED)]
    assert logged[0].asker == "owner:9001" and logged[1].asker == "api:9001"
    assert logged[2].asker == faq["steward"].username
    assert logged[0].best_entry_id == replies[0].answer.entry_id and logged[0].score > 0.6
    # The owner picks a proposal; the log says which. Another owner cannot touch the query.
    chosen = replies[1].proposals[1]
    services.choose(session, asker=faq["owner"], query_id=replies[1].query_id, entry_id=chosen.entry_id)
    assert session.get(FaqQuery, replies[1].query_id).outcome == QueryOutcome.CHOSEN
    with pytest.raises(PermissionDenied):
        services.ticket_opened(session, asker=faq["other_owner"], query_id=replies[3].query_id)
    services.ticket_opened(session, asker=faq["owner"], query_id=replies[3].query_id)
    assert session.get(FaqQuery, replies[3].query_id).outcome == QueryOutcome.TICKET_OPENED
    with pytest.raises(ValidationFailed):
        ask(session, faq["owner"], faq["community"], "   ")


def test_an_unanswered_question_becomes_an_entry_in_one_step(session, faq):
    entry(session, faq["manager"], faq["community"], "物业费怎么交？", phrasings=("在哪交物业费",))
    missed = ask(session, faq["owner"], faq["community"], "小区的充电宝可以借吗")
    answered = ask(session, faq["owner"], faq["community"], "在哪交物业费")
    elsewhere = ask(session, faq["other_owner"], faq["other"], "快递柜坏了")
    assert missed.band == Band.LOW and answered.band == Band.HIGH
    listed = editing.unanswered(session, actor=faq["cs"])
    assert [q.id for q in listed] == [missed.query_id]  # not the answered one, not the other community's
    assert elsewhere.query_id in [q.id for q in editing.unanswered(session, actor=faq["other_manager"])]
    with pytest.raises(PermissionDenied):
        editing.entry_from_query(session, actor=faq["steward"], query_id=missed.query_id,
                                  data=EntryInput(answer="可以"))
    with pytest.raises(PermissionDenied):
        editing.entry_from_query(session, actor=faq["other_manager"], query_id=missed.query_id,
                                  data=EntryInput(answer="可以"))
    made = editing.entry_from_query(session, actor=faq["cs"], query_id=missed.query_id, data=EntryInput(
        question="共享充电宝在哪里借？", answer="服务中心前台可免费借用，押金 0 元。", category="服务中心"))
    assert made.community_id == faq["community"].id and made.question == "共享充电宝在哪里借？"
    assert editing.phrasings_of(session, made.id) == ["小区的充电宝可以借吗"]
    handled = session.get(FaqQuery, missed.query_id)
    assert handled.handled_entry_id == made.id and handled.handled_by == faq["cs"].username
    assert editing.unanswered(session, actor=faq["cs"]) == []
    again = ask(session, faq["owner"], faq["community"], "小区的充电宝可以借吗？")
    assert again.band == Band.HIGH and again.answer.entry_id == made.id
    with pytest.raises(DomainError) as refused:
        editing.entry_from_query(session, actor=faq["cs"], query_id=missed.query_id, data=EntryInput(answer="x"))
    assert refused.value.key == "faq.query_handled"
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "faq.entry_from_query")).one()
    assert audit.entity_type == "faq_entry" and audit.entity_id == str(made.id) and audit.changes["query"] == missed.query_id
    editing.dismiss_query(session, actor=faq["other_manager"], query_id=elsewhere.query_id)
    assert editing.unanswered(session, actor=faq["other_manager"]) == []


def test_the_index_follows_edits_withdrawals_and_valid_until(session, faq):
    pool = entry(session, faq["manager"], faq["community"], "游泳池几点开放？", "6:00–22:00")
    assert ask(session, faq["owner"], faq["community"], "游泳池几点开放").answer.answer == "6:00–22:00"
    pool = editing.update_entry(session, actor=faq["manager"], entry_id=pool.id, expected_version=pool.version,
                                 data=EntryInput(question="游泳池几点开放？", answer="夏季 6:00–22:00",
                                                 phrasings="泳池开放时间\n泳池开放时间\n游泳馆几点关门"))
    assert editing.phrasings_of(session, pool.id) == ["泳池开放时间", "游泳馆几点关门"]
    assert ask(session, faq["owner"], faq["community"], "游泳馆几点关门").answer.answer == "夏季 6:00–22:00"
    with pytest.raises(ConcurrencyConflict):
        editing.update_entry(session, actor=faq["manager"], entry_id=pool.id, expected_version=pool.version - 1,
                              data=EntryInput(question="x", answer="y"))
    added = editing.add_phrasing(session, actor=faq["cs"], entry_id=pool.id, text="泳池啥时候开门")
    with pytest.raises(ValidationFailed):
        editing.add_phrasing(session, actor=faq["cs"], entry_id=pool.id, text="泳池啥时候开门")
    editing.remove_phrasing(session, actor=faq["cs"], phrasing_id=added.id)
    editing.set_active(session, actor=faq["manager"], entry_id=pool.id, expected_version=pool.version, active=False)
    assert ask(session, faq["owner"], faq["community"], "游泳池几点开放").answer is None
    assert editing.list_entries(session, actor=faq["steward"]) == []
    pool = session.get(FaqEntry, pool.id)
    editing.set_active(session, actor=faq["manager"], entry_id=pool.id, expected_version=pool.version, active=True)
    assert [e.id for e in editing.list_entries(session, actor=faq["steward"], search="游泳")] == [pool.id]
    notice = entry(session, faq["manager"], faq["community"], "春节期间垃圾清运时间？", "照常清运",
                   valid_until=local_today() - timedelta(days=1))
    reply = services.ask(session, asker=faq["owner"], community_id=faq["community"].id, text="春节期间垃圾清运时间",
                         channel="portal")
    assert reply.answer is None or reply.answer.entry_id != notice.id
    actions = [e.action for e in session.exec(select(AuditEvent).where(AuditEvent.entity_type == "faq_entry",
                                                                        AuditEvent.entity_id == str(pool.id))
                                              .order_by(AuditEvent.id))]
    assert actions == ["faq.entry_create", "faq.entry_update", "faq.phrasing_add", "faq.phrasing_remove",
                       "faq.entry_deactivate", "faq.entry_activate"]


def test_seed_faq_loads_the_demo_knowledge_base_once(session):
    from pm_admin.faq.demo_kb import ENTRIES

    assert seed_faq(session) == len(ENTRIES) >= 60
    assert seed_faq(session) == 0
    assert all(2 <= len(e.phrasings) <= 4 for e in ENTRIES)
