"""Satisfaction surveys: plans and questionnaires, one-time owner links, staff entry, scores against the
previous period, improvement actions, published results, scope."""

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from pm_admin.core.clock import local_today
from pm_admin.core.errors import ConcurrencyConflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.owners.models import Owner, Ownership
from pm_admin.surveys import queries
from pm_admin.surveys.models import ImprovementAction, SurveyAnswer, SurveyLink, SurveyQuestion, SurveyScore
from pm_admin.surveys.services import actions, plans, responses
from pm_admin.surveys.services.plans import PlanInput, QuestionInput
from tests.support import factories

TODAY = local_today()


def own(session, room) -> None:
    owner = Owner(name=f"业主{room.id}", name_pinyin="yezhu", name_initials="yz")
    session.add(owner)
    session.flush()
    session.add(Ownership(owner_id=owner.id, room_id=room.id, community_id=room.community_id, sort_key=room.sort_key,
                          started_on=date(2020, 1, 1)))
    session.flush()


@pytest.fixture
def estate(session):
    community, building, unit, room = factories.place_tree(session)
    rooms = [room] + [factories.room(session, unit, number=f"{n}01", floor=n) for n in range(2, 6)]
    for r in rooms[:4]:  # the fifth room has no owner: not a household to survey
        own(session, r)
    steward = factories.user(session, "steward", communities=(community,))
    building.steward_user_id = steward.id
    session.add(building)
    other, _, _, other_room = factories.place_tree(session)
    own(session, other_room)
    manager = factories.user(session, "manager", communities=(community,))
    other_manager = factories.user(session, "manager", communities=(other,))
    return {"community": community, "rooms": rooms, "other": other, "other_room": other_room,
            "manager": factories.sign_in(session, manager), "steward": factories.sign_in(session, steward),
            "other_manager": factories.sign_in(session, other_manager), "steward_user": steward}


def make_plan(session, estate, *, title="年度满意度调查", year=TODAY.year, kind="h2", copy_from=None,
              starts=TODAY - timedelta(days=10), ends=TODAY + timedelta(days=20), questions=True):
    plan = plans.create_plan(session, actor=estate["manager"], copy_from=copy_from, data=PlanInput(
        title=title, year=year, period_kind=kind, starts_on=str(starts), ends_on=str(ends),
        community_ids=[estate["community"].id], threshold=75))
    if questions and copy_from is None:
        for text, indicator in (("客服人员态度", "service"), ("维修及时性", "repair"), ("楼道保洁", "cleaning")):
            plans.save_question(session, actor=estate["manager"], plan_id=plan.id,
                                data=QuestionInput(kind="rating", text=text, indicator=indicator))
        plans.save_question(session, actor=estate["manager"], plan_id=plan.id, data=QuestionInput(
            kind="single", text="您最关心的问题", options="停车\n噪音\n绿化"))
        plans.save_question(session, actor=estate["manager"], plan_id=plan.id, data=QuestionInput(
            kind="text", text="其他建议", required=False))
    return plan


def answers_for(session, plan, ratings: tuple[int, int, int], topic="停车") -> dict:
    qs = session.exec(select(SurveyQuestion).where(SurveyQuestion.plan_id == plan.id)
                      .order_by(SurveyQuestion.position)).all()
    values = dict(zip([q.id for q in qs if q.kind == "rating"], ratings, strict=True))
    values.update({q.id: topic for q in qs if q.kind == "single"})
    return values


def test_plan_validation_speaks_per_field(session, estate):
    with pytest.raises(ValidationFailed) as error:
        plans.create_plan(session, actor=estate["manager"], data=PlanInput(
            title=" ", year="19", period_kind="h3", starts_on="2026-07-01", ends_on="2026-06-01", methods=["fax"],
            threshold="101", community_ids=[estate["other"].id]))
    assert set(error.value.fields) == {"title", "year", "period_kind", "ends_on", "methods", "threshold",
                                       "community_ids"}
    plan = make_plan(session, estate, questions=False)
    with pytest.raises(ValidationFailed) as error:
        plans.save_question(session, actor=estate["manager"], plan_id=plan.id,
                            data=QuestionInput(kind="rating", text="保洁", indicator="weather"))
    assert set(error.value.fields) == {"indicator"}
    with pytest.raises(ValidationFailed) as error:
        plans.save_question(session, actor=estate["manager"], plan_id=plan.id,
                            data=QuestionInput(kind="multiple", text="多选", options="只有一个"))
    assert set(error.value.fields) == {"options"}
    with pytest.raises(DomainError) as refused:  # nothing to score yet
        plans.open_plan(session, actor=estate["manager"], plan_id=plan.id)
    assert refused.value.key == "surveys.needs_rating_question"
    with pytest.raises(PermissionDenied):
        plans.create_plan(session, actor=estate["steward"], data=PlanInput(
            title="x", year=2026, period_kind="h2", starts_on="2026-07-01", ends_on="2026-12-31",
            community_ids=[estate["community"].id]))


def test_an_owner_answers_once_through_the_link_and_the_score_moves(session, estate):
    plan = make_plan(session, estate)
    plans.open_plan(session, actor=estate["manager"], plan_id=plan.id)
    links = responses.issue_links(session, actor=estate["manager"], plan_id=plan.id,
                                  community_id=estate["community"].id)
    assert sorted(link.room_code for link in links) == sorted(r.code for r in estate["rooms"][:4])  # households only
    stored = session.exec(select(SurveyLink.token_hash)).all()
    assert links[0].token not in stored and responses.token_hash(links[0].token) in stored  # only the hash is kept
    seen = queries.link_questionnaire(session, plan.id, responses.link_for(session, links[0].token).room_id)
    assert seen["room"] == links[0].room_code and len(seen["questions"]) == 5
    before = queries.results(session, estate["manager"], plan.id, "zh-CN")
    assert before["index"] is None

    with pytest.raises(ValidationFailed) as error:  # a required rating left out, a rating of 7
        qs = answers_for(session, plan, (5, 5, 5))
        first_rating = next(iter(qs))
        qs[first_rating] = 7
        responses.answer_by_link(session, token=links[0].token, answers={**qs, min(qs) + 1: ""})
    assert set(error.value.fields) == {f"q{first_rating}", f"q{first_rating + 1}"}
    assert session.exec(select(SurveyLink.used_at).where(SurveyLink.used_at.is_not(None))).first() is None

    responses.answer_by_link(session, token=links[0].token, answers=answers_for(session, plan, (5, 4, 3)))
    after = queries.results(session, estate["manager"], plan.id, "zh-CN")
    scores = {row["indicator"]: row["score"] for row in after["indicators"]}
    assert (scores["service"], scores["repair"], scores["cleaning"]) == (100.0, 75.0, 50.0)
    assert after["index"] == 75.0  # equal weights
    with pytest.raises(DomainError) as refused:
        responses.answer_by_link(session, token=links[0].token, answers=answers_for(session, plan, (1, 1, 1)))
    assert refused.value.key == "surveys.link_used"
    with pytest.raises(DomainError) as refused:
        responses.link_for(session, "made-up-token")
    assert refused.value.key == "surveys.link_unknown"
    with pytest.raises(DomainError) as refused:  # the plan's last day has passed
        responses.link_for(session, links[1].token, now=datetime.now(UTC) + timedelta(days=40))
    assert refused.value.key == "surveys.link_expired"


def test_staff_entry_weights_rates_and_the_steward_view(session, estate):
    plan = make_plan(session, estate)
    plans.set_weight(session, actor=estate["manager"], plan_id=plan.id, indicator="service", weight=3)
    plans.open_plan(session, actor=estate["manager"], plan_id=plan.id)
    rooms = estate["rooms"]
    responses.enter_response(session, actor=estate["steward"], plan_id=plan.id, room_code=rooms[0].code,
                             method="phone", answers=answers_for(session, plan, (5, 1, 1)))
    responses.enter_response(session, actor=estate["steward"], plan_id=plan.id, room_code=rooms[1].code.lower(),
                             method="visit", answers=answers_for(session, plan, (3, 3, 3), topic="噪音"))
    with pytest.raises(DomainError) as refused:
        responses.enter_response(session, actor=estate["steward"], plan_id=plan.id, room_code=rooms[0].code,
                                 method="phone", answers=answers_for(session, plan, (5, 5, 5)))
    assert refused.value.key == "surveys.already_answered"
    with pytest.raises(ValidationFailed) as error:  # an empty room and a room of another community
        responses.enter_response(session, actor=estate["steward"], plan_id=plan.id, room_code=rooms[4].code,
                                 method="phone", answers=answers_for(session, plan, (5, 5, 5)))
    assert set(error.value.fields) == {"room_code"}
    with pytest.raises(ValidationFailed):
        responses.enter_response(session, actor=estate["steward"], plan_id=plan.id,
                                 room_code=estate["other_room"].code, method="phone",
                                 answers=answers_for(session, plan, (5, 5, 5)))
    result = queries.results(session, estate["manager"], plan.id, "zh-CN")
    scores = {row["indicator"]: row["score"] for row in result["indicators"]}
    assert (scores["service"], scores["repair"], scores["cleaning"]) == (75.0, 25.0, 25.0)
    assert result["index"] == round((3 * 75 + 25 + 25) / 5, 1)
    assert [s["name"] for s in result["stewards"]] == [estate["steward_user"].display_name]
    rates = queries.response_rates(session, estate["manager"], plan.id)
    assert (rates[0]["level"], rates[0]["households"], rates[0]["responses"], rates[0]["rate"]) == (
        "community", 4, 2, 50.0)
    [listed] = queries.plan_rows(session, estate["manager"])
    assert (listed["households"], listed["responses"], listed["rate"]) == (4, 2, 50.0)
    # The rollup equals the answers it summarises.
    rollup = session.execute(sa.select(sa.func.sum(SurveyScore.rating_sum), sa.func.sum(SurveyScore.rating_count))
                             .where(SurveyScore.plan_id == plan.id)).one()
    raw = session.execute(sa.select(sa.func.sum(SurveyAnswer.rating), sa.func.count(SurveyAnswer.rating))
                          .join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
                          .where(SurveyQuestion.plan_id == plan.id)).one()
    assert tuple(rollup) == tuple(raw) == (5 + 1 + 1 + 3 + 3 + 3, 6)


def test_closing_proposes_actions_and_the_next_period_compares_and_publishes(session, estate):
    first = make_plan(session, estate, title="上半年调查", kind="h1", starts=TODAY - timedelta(days=200),
                      ends=TODAY - timedelta(days=150))
    plans.open_plan(session, actor=estate["manager"], plan_id=first.id)
    responses.enter_response(session, actor=estate["manager"], plan_id=first.id, room_code=estate["rooms"][0].code,
                             method="paper", answers=answers_for(session, first, (4, 2, 5)))
    actions.close_plan(session, actor=estate["manager"], plan_id=first.id)
    proposed = session.exec(select(ImprovementAction).where(ImprovementAction.plan_id == first.id)).all()
    assert [(str(a.indicator), a.score) for a in proposed] == [("repair", 25.0)]  # under the threshold of 75

    second = make_plan(session, estate, title="下半年调查", copy_from=first.id)
    copied = queries.questions(session, second.id)
    assert [q["text"] for q in copied] == [q["text"] for q in queries.questions(session, first.id)]
    plans.open_plan(session, actor=estate["manager"], plan_id=second.id)
    responses.enter_response(session, actor=estate["manager"], plan_id=second.id, room_code=estate["rooms"][0].code,
                             method="phone", answers=answers_for(session, second, (4, 4, 5)))
    result = queries.results(session, estate["manager"], second.id, "zh-CN")
    repair = next(r for r in result["indicators"] if r["indicator"] == "repair")
    assert (repair["score"], repair["previous"], repair["delta"]) == (75.0, 25.0, 50.0)
    assert result["previous_index"] == round((75 + 25 + 100) / 3, 1)
    trend = queries.satisfaction_trend(session, estate["manager"], None)
    assert [t["period"] for t in trend] == [f"{TODAY.year}H1", f"{TODAY.year}H2"]

    action = proposed[0]
    with pytest.raises(ValidationFailed) as error:
        actions.update_action(session, actor=estate["manager"], action_id=action.id, expected_version=action.version,
                              data=actions.ActionInput(measure="", department_id="", due_on="明天", status="done"))
    assert set(error.value.fields) == {"measure", "department_id", "due_on", "result"}
    saved = actions.update_action(session, actor=estate["manager"], action_id=action.id,
                                  expected_version=action.version, data=actions.ActionInput(
                                      measure="报修两小时内上门", department_id=str(action.department_id),
                                      due_on=str(TODAY), status="in_progress"))
    with pytest.raises(ConcurrencyConflict):
        actions.update_action(session, actor=estate["manager"], action_id=action.id, expected_version=1,
                              data=actions.ActionInput(measure="另一个措施", department_id=str(action.department_id),
                                                       due_on=str(TODAY), status="proposed"))
    assert saved.version == 2
    with pytest.raises(DomainError):
        plans.publish_plan(session, actor=estate["manager"], plan_id=second.id)  # still open
    published = plans.publish_plan(session, actor=estate["manager"], plan_id=first.id)
    public = queries.public_results(session, published.public_token, "zh-CN")
    assert public["responses"] == 1 and public["actions"][0]["measure"] == "报修两小时内上门"
    assert queries.public_results(session, "guess", "zh-CN") is None


def test_other_communities_see_nothing(session, estate):
    plan = make_plan(session, estate)
    plans.open_plan(session, actor=estate["manager"], plan_id=plan.id)
    with pytest.raises(NotFound):
        queries.results(session, estate["other_manager"], plan.id, "zh-CN")
    with pytest.raises(NotFound):
        responses.issue_links(session, actor=estate["other_manager"], plan_id=plan.id,
                              community_id=estate["community"].id)
    assert queries.plan_rows(session, estate["other_manager"]) == []
    [row] = queries.plan_rows(session, estate["manager"])
    assert (row["id"], row["households"], row["responses"]) == (plan.id, 4, 0)  # the ownerless room is not asked


def test_a_plan_can_target_single_buildings_by_label(session, estate):
    community = estate["community"]
    second = factories.building(session, community, code="2")
    extra = factories.room(session, factories.unit(session, second), number="301", floor=3)
    own(session, extra)
    label = f"{community.code}-2"
    with pytest.raises(ValidationFailed) as error:
        plans.building_ids_from_labels(session, f"{label}，{community.code}-99")
    assert set(error.value.fields) == {"building_ids"}
    plan = plans.create_plan(session, actor=estate["manager"], data=PlanInput(
        title="2栋专项调查", year=TODAY.year, period_kind="year", starts_on=str(TODAY), ends_on=str(TODAY),
        community_ids=[community.id], building_ids=plans.building_ids_from_labels(session, label.lower())))
    households = session.exec(responses.targeted_households(session, plan.id)).all()
    assert [row[0] for row in households] == [extra.id]  # the first building's four households are not asked
    assert queries.plan_rows(session, estate["manager"])[0]["households"] == 1


def test_the_links_workbook_holds_working_links_and_the_results_workbook_the_scores(session, estate):
    import io

    from openpyxl import load_workbook

    from pm_admin.surveys.files import links_xlsx, results_xlsx

    plan = make_plan(session, estate)
    plans.open_plan(session, actor=estate["manager"], plan_id=plan.id)
    download = links_xlsx(session, estate["manager"], {"plan_id": plan.id, "community_id": estate["community"].id,
                                                       "origin": "https://pm.example.com"})
    rows = list(load_workbook(io.BytesIO(b"".join(download.chunks))).active.iter_rows(values_only=True))
    assert rows[0] == ("房号", "链接") and len(rows) == 5
    room_code, url = rows[1]
    assert url.startswith("https://pm.example.com/s/")
    responses.answer_by_link(session, token=url.rsplit("/", 1)[1], answers=answers_for(session, plan, (5, 3, 1)))
    workbook = load_workbook(io.BytesIO(b"".join(results_xlsx(session, estate["manager"], {"plan_id": plan.id})
                                                 .chunks)))
    cells = [row for row in workbook.worksheets[0].iter_rows(values_only=True)]
    assert ("满意度指数", 50, "上期", None, None) in cells
    assert ("客服", 1, 100.0, None, None) in cells


def test_every_questionnaire_change_is_audited(session, estate):
    from pm_admin.core.audit import AuditEvent

    plan = make_plan(session, estate)
    question = session.exec(select(SurveyQuestion).where(SurveyQuestion.plan_id == plan.id)
                            .order_by(SurveyQuestion.position)).first()
    plans.save_question(session, actor=estate["manager"], plan_id=plan.id, question_id=question.id,
                        data=QuestionInput(kind="rating", text="客服人员服务态度", indicator="service"))
    plans.set_weight(session, actor=estate["manager"], plan_id=plan.id, indicator="service", weight=3)
    plans.delete_question(session, actor=estate["manager"], plan_id=plan.id, question_id=question.id)
    second = make_plan(session, estate, title="第二次调查", questions=False)
    plans.copy_questionnaire(session, actor=estate["manager"], plan_id=second.id, source_plan_id=plan.id)
    events = session.exec(select(AuditEvent).where(AuditEvent.action.like("surveys.%"))
                          .order_by(AuditEvent.id)).all()
    assert [e.action for e in events if e.action != "surveys.create_plan"][-4:] == [
        "surveys.save_question", "surveys.set_weight", "surveys.delete_question", "surveys.copy_questionnaire"]
    edited = [e for e in events if e.action == "surveys.save_question"][-1]
    assert "客服人员态度" in str(edited.changes) and "客服人员服务态度" in str(edited.changes)


# ---------------------------------------------------------------- the satisfaction index (issue 11 item 12)


def rated_plan(session, manager, communities, *, title, kind, starts, ends):
    """Two service questions (their answers pool), repair, an optional cleaning one; weights 3, 2, 1 and 5 for
    greening, which nobody rates."""
    plan = plans.create_plan(session, actor=manager, data=PlanInput(
        title=title, year=starts.year, period_kind=kind, starts_on=str(starts), ends_on=str(ends),
        community_ids=[c.id for c in communities]))
    for text, indicator, required in (("客服态度", "service", True), ("客服响应", "service", True),
                                      ("维修质量", "repair", True), ("楼道保洁", "cleaning", False)):
        plans.save_question(session, actor=manager, plan_id=plan.id,
                            data=QuestionInput(kind="rating", text=text, indicator=indicator, required=required))
    for indicator, weight in (("service", 3), ("repair", 2), ("cleaning", 1), ("greening", 5)):
        plans.set_weight(session, actor=manager, plan_id=plan.id, indicator=indicator, weight=weight)
    plans.open_plan(session, actor=manager, plan_id=plan.id)
    return plan


def rate(session, manager, plan, room, ratings: tuple) -> None:
    qs = [q.id for q in session.exec(select(SurveyQuestion).where(SurveyQuestion.plan_id == plan.id)
                                     .order_by(SurveyQuestion.position)).all()]
    responses.enter_response(session, actor=manager, plan_id=plan.id, room_code=room.code, method="phone",
                             answers={q: r for q, r in zip(qs, ratings, strict=True) if r is not None})


def closed_at(session, plan, when: datetime) -> None:
    plan.closed_at = when  # a hand-made closing time (close_plan stamps "now")
    session.add(plan)
    session.flush()


@pytest.fixture
def indexed(session, estate):
    both = factories.sign_in(session, factories.user(session, "manager", communities=(estate["community"],
                                                                                      estate["other"])))
    plan = rated_plan(session, both, (estate["community"], estate["other"]), title="年度调查", kind="year",
                      starts=date(2029, 1, 1), ends=date(2029, 12, 31))
    a0, a1 = estate["rooms"][:2]
    rate(session, both, plan, a0, (5, 4, 3, 2))
    rate(session, both, plan, a1, (4, 4, 5, None))
    rate(session, both, plan, estate["other_room"], (1, 1, 1, 1))
    actions.close_plan(session, actor=both, plan_id=plan.id)
    assert plan.closed_at is not None  # closing stamps the time
    # Closed at 01:00 on 1 January 2030 in Shanghai: still 31 December 2029 in UTC.
    closed_at(session, plan, datetime(2029, 12, 31, 17, 0, tzinfo=UTC))
    executive = factories.sign_in(session, factories.user(session, "executive", all_communities=True))
    return {**estate, "plan": plan, "both": both, "executive": executive}


def test_the_satisfaction_index_of_a_scope_matches_a_hand_computation(session, indexed):
    mine = queries.satisfaction_index(session, indexed["manager"], date(2030, 1, 1))
    # This community: service 5, 4, 4, 4 → mean 4.25 → 81.25; repair 3, 5 → 4 → 75; cleaning 2 → 25; greening has
    # no answers, so its weight 5 is left out. Σ wᵢ·sᵢ = 3·81.25 + 2·75 + 1·25 = 418.75, Σ wᵢ = 6.
    assert (mine.plan_id, mine.plan_title) == (indexed["plan"].id, "年度调查")
    assert (mine.numerator, mine.denominator) == (pytest.approx(418.75), 6)
    assert mine.value == pytest.approx(418.75 / 6)  # 69.7916…, never rounded here
    # Every community: service 5, 4, 4, 4, 1, 1 → 19/6 → 54.1666…; repair 3, 5, 1 → 50; cleaning 2, 1 → 12.5.
    company = queries.satisfaction_index(session, indexed["executive"], date(2030, 1, 1))
    assert (company.plan_id, company.denominator) == (indexed["plan"].id, 6)
    assert company.numerator == pytest.approx(3 * 1300 / 24 + 2 * 50 + 12.5)  # 275
    other = queries.satisfaction_index(session, indexed["executive"], date(2030, 1, 1),
                                       community_id=indexed["other"].id)
    assert (other.numerator, other.denominator, other.value) == (pytest.approx(0.0), 6, pytest.approx(0.0))


def test_the_index_is_of_the_plan_closed_last_by_the_day_in_shanghai(session, indexed):
    manager = indexed["manager"]
    assert queries.satisfaction_index(session, manager, date(2029, 12, 31)) == queries.SatisfactionIndex(
        None, "", None, None, None)  # closed on 1 January in Shanghai, not yet on 31 December
    later = rated_plan(session, indexed["both"], (indexed["community"],), title="回访调查", kind="h1",
                       starts=date(2030, 1, 1), ends=date(2030, 6, 30))
    rate(session, indexed["both"], later, indexed["rooms"][0], (5, 5, 5, 5))
    assert queries.satisfaction_index(session, manager, date(2030, 7, 1)).plan_id == indexed["plan"].id  # open
    actions.close_plan(session, actor=indexed["both"], plan_id=later.id)
    closed_at(session, later, datetime(2030, 7, 1, 2, 0, tzinfo=UTC))
    assert queries.satisfaction_index(session, manager, date(2030, 7, 1)).value == pytest.approx(100.0)
    # A back-dated day keeps the earlier plan's figure.
    assert queries.satisfaction_index(session, manager, date(2030, 6, 30)).value == pytest.approx(418.75 / 6)
    # A plan of only the other community is never this community's.
    elsewhere = rated_plan(session, indexed["other_manager"], (indexed["other"],), title="专项调查", kind="h2",
                           starts=date(2030, 7, 1), ends=date(2030, 7, 31))
    actions.close_plan(session, actor=indexed["other_manager"], plan_id=elsewhere.id)
    closed_at(session, elsewhere, datetime(2030, 8, 1, 2, 0, tzinfo=UTC))
    assert queries.satisfaction_index(session, manager, date(2030, 8, 2)).plan_id == later.id
    unanswered = queries.satisfaction_index(session, indexed["executive"], date(2030, 8, 2),
                                            community_id=indexed["other"].id)
    assert (unanswered.plan_id, unanswered.value, unanswered.numerator) == (elsewhere.id, None, None)
    technician = factories.sign_in(session, factories.user(session, "technician",
                                                           communities=(indexed["community"],)))
    with pytest.raises(PermissionDenied):
        queries.satisfaction_index(session, technician, date(2030, 8, 2))
    with pytest.raises(PermissionDenied):
        queries.satisfaction_index(session, manager, date(2030, 8, 2), community_id=indexed["other"].id)


def test_figures_round_once_and_an_open_plan_is_provisional_never_the_previous_period(session, estate):
    manager = estate["manager"]
    first = make_plan(session, estate, title="上半年", year=2029, kind="h1", starts=date(2029, 1, 1),
                      ends=date(2029, 6, 30))
    plans.open_plan(session, actor=manager, plan_id=first.id)
    responses.enter_response(session, actor=manager, plan_id=first.id, room_code=estate["rooms"][0].code,
                             method="paper", answers=answers_for(session, first, (4, 4, 4)))
    actions.close_plan(session, actor=manager, plan_id=first.id)
    middle = make_plan(session, estate, title="下半年", year=2029, kind="h2", starts=date(2029, 7, 1),
                       ends=date(2029, 12, 31))
    latest = make_plan(session, estate, title="年度", year=2030, kind="year", starts=date(2030, 1, 1),
                       ends=date(2030, 12, 31))
    for plan in (middle, latest):
        plans.open_plan(session, actor=manager, plan_id=plan.id)
    responses.enter_response(session, actor=manager, plan_id=middle.id, room_code=estate["rooms"][0].code,
                             method="paper", answers=answers_for(session, middle, (1, 1, 1)))
    # service 5, 4, 4 → 83.33…; repair 1, 1, 1 → 0; cleaning 1, 1, 2 → 8.33…: the index is 30.555… → 30.6
    # (rounding the scores first gave 30.5).
    for room, ratings in zip(estate["rooms"], ((5, 1, 1), (4, 1, 1), (4, 1, 2)), strict=False):
        responses.enter_response(session, actor=manager, plan_id=latest.id, room_code=room.code, method="phone",
                                 answers=answers_for(session, latest, ratings))
    result = queries.results(session, manager, latest.id, "zh-CN")
    assert (result["index"], result["provisional"]) == (30.6, True)
    assert {i["indicator"]: i["score"] for i in result["indicators"]}["service"] == 83.3
    # The previous period is the closed first half, not the open second half.
    assert plans.previous_plan_id(session, latest) == first.id
    assert result["previous_index"] == 75.0
    repair = next(i for i in result["indicators"] if i["indicator"] == "repair")
    assert (repair["score"], repair["previous"], repair["delta"]) == (0.0, 75.0, -75.0)
    assert queries.results(session, manager, first.id, "zh-CN")["provisional"] is False
    comparison = queries.indicator_comparison(session, manager, estate["community"].id)
    assert {(r["indicator"], r["previous"], r["provisional"]) for r in comparison if r["score"] is not None} == {
        ("service", 75.0, True), ("repair", 75.0, True), ("cleaning", 75.0, True)}
    trend = queries.satisfaction_trend(session, manager, estate["community"].id)
    assert [(p["label"], p["provisional"]) for p in trend] == [
        ("2029年上半年", False), ("2029年下半年（暂定）", True), ("2030年度（暂定）", True)]
    assert trend[-1]["index"] == pytest.approx((250 / 3 + 0 + 25 / 3) / 3)  # exact: the charts round
