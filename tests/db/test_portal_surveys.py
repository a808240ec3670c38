"""Surveys in the portal: a plan asking the owner's room is a task while it takes answers; the portal answer goes
through the links' response service (one per room, online), so a used link and a portal answer refuse each other;
published results and actions of the owner's community only; another owner's room, other plans and crafted ids
are refused."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from pm_admin.core.audit import AuditEvent
from pm_admin.core.clock import local_today
from pm_admin.core.errors import DomainError, NotFound, PermissionDenied, ValidationFailed
from pm_admin.core.permissions import SYSTEM
from pm_admin.owners.services.owner_input import OwnerInput
from pm_admin.owners.services.registry import create_owner
from pm_admin.portal import queries
from pm_admin.portal import surveys as portal_surveys
from pm_admin.surveys.models import ImprovementAction, SurveyLink, SurveyQuestion, SurveyResponse
from pm_admin.surveys.services import actions, plans, responses
from pm_admin.surveys.services.plans import PlanInput, QuestionInput
from tests.support import factories
from tests.support.owners_portal import activated, new_owner
from tests.support.ticket_desk import NOW

TODAY = local_today()


@pytest.fixture
def owners(session, desk):
    owner = activated(session, desk, new_owner(session, desk), now=NOW)
    neighbour = activated(session, desk, new_owner(session, desk, room="other_room", name="李邻居",
                                                   phone="13900139000"), now=NOW)
    return owner, neighbour


def make_plan(session, community_ids, *, title="年度满意度调查", starts=TODAY - timedelta(days=10),
              ends=TODAY + timedelta(days=20), open_it=True):
    plan = plans.create_plan(session, actor=SYSTEM, data=PlanInput(
        title=title, year=TODAY.year, period_kind="h2", starts_on=str(starts), ends_on=str(ends),
        community_ids=list(community_ids), threshold=75))
    for text, indicator in (("客服人员态度", "service"), ("维修及时性", "repair")):
        plans.save_question(session, actor=SYSTEM, plan_id=plan.id,
                            data=QuestionInput(kind="rating", text=text, indicator=indicator))
    plans.save_question(session, actor=SYSTEM, plan_id=plan.id,
                        data=QuestionInput(kind="text", text="其他建议", required=False))
    if open_it:
        plans.open_plan(session, actor=SYSTEM, plan_id=plan.id)
    return plan


def answers(session, plan, service=5, repair=3):
    ratings = session.exec(select(SurveyQuestion.id).where(SurveyQuestion.plan_id == plan.id,
                                                           SurveyQuestion.kind == "rating")
                           .order_by(SurveyQuestion.position)).all()
    return dict(zip(ratings, (service, repair), strict=True))


def test_an_open_plan_is_a_task_of_the_owners_room_until_it_is_answered_online(session, desk, owners):
    owner, _ = owners
    plan = make_plan(session, [desk["community"].id])
    [task] = portal_surveys.tasks(session, owner)
    assert (task["plan_id"], task["room_id"]) == (plan.id, desk["room"].id)
    assert task["path"] == f"/portal/surveys/{plan.id}/{desk['room'].id}" and desk["room"].code in task["room"]
    assert queries.home(session, owner, "zh-CN")["pending_surveys"] == 1
    view = portal_surveys.questionnaire(session, owner, str(plan.id), str(desk["room"].id))
    assert not view["answered"] and [q["text"] for q in view["questions"]] == ["客服人员态度", "维修及时性", "其他建议"]

    with pytest.raises(ValidationFailed) as refused:  # a required rating left out: nothing written
        portal_surveys.answer(session, owner, plan.id, desk["room"].id, {next(iter(answers(session, plan))): 4})
    assert len(refused.value.fields) == 1
    assert session.exec(select(SurveyResponse)).all() == []

    portal_surveys.answer(session, owner, str(plan.id), str(desk["room"].id), answers(session, plan))
    response = session.exec(select(SurveyResponse).where(SurveyResponse.plan_id == plan.id)).one()
    assert (response.room_id, str(response.method), response.entered_by) == (desk["room"].id, "online", "")
    assert portal_surveys.tasks(session, owner) == []
    assert queries.home(session, owner, "zh-CN")["pending_surveys"] == 0
    assert portal_surveys.questionnaire(session, owner, plan.id, desk["room"].id)["answered"]
    audit = session.exec(select(AuditEvent).where(AuditEvent.action == "surveys.portal_response")).one()
    assert audit.actor_name == f"owner_account:{owner.account_id}" and audit.entity_id == str(desk["room"].id)
    with pytest.raises(DomainError) as twice:
        portal_surveys.answer(session, owner, plan.id, desk["room"].id, answers(session, plan))
    assert twice.value.key == "surveys.already_answered"


def test_a_link_and_the_portal_answer_refuse_each_other(session, desk, owners):
    owner, neighbour = owners
    plan = make_plan(session, [desk["community"].id])
    links = {link.room_code: link.token for link in responses.issue_links(
        session, actor=desk["manager"], plan_id=plan.id, community_id=desk["community"].id)}
    # The portal first: the room's link is spent in the same transaction and says so.
    portal_surveys.answer(session, owner, plan.id, desk["room"].id, answers(session, plan))
    assert session.exec(select(SurveyLink.used_at).where(SurveyLink.room_id == desk["room"].id)).one() is not None
    with pytest.raises(DomainError) as used:
        responses.answer_by_link(session, token=links[desk["room"].code], answers=answers(session, plan, 1, 1))
    assert used.value.key == "surveys.link_used"
    # The link first: the portal task is gone and a portal answer is refused.
    responses.answer_by_link(session, token=links[desk["other_room"].code], answers=answers(session, plan, 2, 2))
    assert portal_surveys.tasks(session, neighbour) == []
    with pytest.raises(DomainError) as answered:
        portal_surveys.answer(session, neighbour, plan.id, desk["other_room"].id, answers(session, plan))
    assert answered.value.key == "surveys.already_answered"
    methods = session.exec(select(SurveyResponse.room_id, SurveyResponse.method)
                           .where(SurveyResponse.plan_id == plan.id).order_by(SurveyResponse.room_id)).all()
    assert sorted((room, str(method)) for room, method in methods) == sorted(
        [(desk["room"].id, "online"), (desk["other_room"].id, "online")])


def test_a_link_still_open_when_staff_entered_the_households_answer_says_it_was_used(session, desk, owners):
    plan = make_plan(session, [desk["community"].id])
    links = {link.room_code: link.token for link in responses.issue_links(
        session, actor=desk["manager"], plan_id=plan.id, community_id=desk["community"].id)}
    responses.enter_response(session, actor=desk["manager"], plan_id=plan.id, room_code=desk["room"].code,
                             method="phone", answers=answers(session, plan))
    with pytest.raises(DomainError) as used:
        responses.link_for(session, links[desk["room"].code])
    assert used.value.key == "surveys.link_used"
    assert responses.link_for(session, links[desk["other_room"].code]).room_id == desk["other_room"].id


def test_another_owners_room_other_plans_and_crafted_ids_are_refused(session, desk, owners):
    owner, neighbour = owners
    plan = make_plan(session, [desk["community"].id])
    with pytest.raises(PermissionDenied):  # the neighbour's room
        portal_surveys.answer(session, owner, plan.id, desk["other_room"].id, answers(session, plan))
    assert portal_surveys.questionnaire(session, owner, plan.id, desk["other_room"].id) is None
    assert session.exec(select(SurveyResponse)).all() == []
    for crafted in ("1 OR 1=1", "-1", None, "99999999999999999999", "", 3.5):
        assert portal_surveys.questionnaire(session, owner, crafted, desk["room"].id) is None
        assert portal_surveys.questionnaire(session, owner, plan.id, crafted) is None
        with pytest.raises((NotFound, PermissionDenied)):
            portal_surveys.answer(session, owner, crafted, desk["room"].id, answers(session, plan))
    with pytest.raises(NotFound):  # a plan id that does not exist
        portal_surveys.answer(session, owner, 99999999, desk["room"].id, answers(session, plan))

    elsewhere, *_ = factories.place_tree(session)
    theirs = make_plan(session, [elsewhere.id], title="别的小区的调查")
    draft = make_plan(session, [desk["community"].id], title="还在设计的调查", open_it=False)
    assert {t["plan_id"] for t in portal_surveys.tasks(session, owner)} == {plan.id}
    for other in (theirs, draft):
        assert portal_surveys.questionnaire(session, owner, other.id, desk["room"].id) is None
        with pytest.raises(NotFound):
            portal_surveys.answer(session, owner, other.id, desk["room"].id, answers(session, other))

    # Past its last day (Shanghai) the plan takes no answer, as its links; closed, neither.
    late = datetime.combine(plan.ends_on + timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=1)
    with pytest.raises(DomainError) as ended:
        responses.answer_for_room(session, owner=owner, plan_id=plan.id, room_id=desk["room"].id,
                                  answers=answers(session, plan), now=late)
    assert ended.value.key == "surveys.link_expired"
    actions.close_plan(session, actor=SYSTEM, plan_id=plan.id)
    assert portal_surveys.tasks(session, owner) == [] and portal_surveys.tasks(session, neighbour) == []
    with pytest.raises(DomainError) as closed:
        portal_surveys.answer(session, owner, plan.id, desk["room"].id, answers(session, plan))
    assert closed.value.key == "surveys.link_expired"


def test_published_results_and_actions_of_the_owners_community_only(session, desk, owners):
    owner, neighbour = owners
    elsewhere, _, unit, far_room = factories.place_tree(session)
    far_owner = create_owner(session, actor=SYSTEM, room_id=far_room.id, started_on=TODAY - timedelta(days=900),
                             data=OwnerInput(name="远方业主", phones=["13700137000"]))
    far = activated(session, {"cs": SYSTEM}, far_owner, now=NOW)
    plan = make_plan(session, [desk["community"].id, elsewhere.id])
    portal_surveys.answer(session, owner, plan.id, desk["room"].id, answers(session, plan, 5, 1))  # repair: 0
    portal_surveys.answer(session, far, plan.id, far_room.id, answers(session, plan, 5, 5))
    assert portal_surveys.published(session, owner, "zh-CN") == []  # not published yet
    actions.close_plan(session, actor=SYSTEM, plan_id=plan.id)
    proposed = session.exec(select(ImprovementAction).where(ImprovementAction.plan_id == plan.id)).one()
    assert proposed.community_id == desk["community"].id
    actions.update_action(session, actor=SYSTEM, action_id=proposed.id, expected_version=proposed.version,
                          data=actions.ActionInput(measure="报修两小时内上门", department_id=str(proposed.department_id),
                                                   due_on=str(TODAY), status="in_progress"))
    plans.publish_plan(session, actor=SYSTEM, plan_id=plan.id)

    [line] = portal_surveys.published(session, owner, "zh-CN")
    assert (line["plan_id"], line["community"], line["actions"]) == (plan.id, desk["community"].name, 1)
    [mine] = portal_surveys.results(session, owner, str(plan.id), "zh-CN")
    scores = {row["name"]: row["score"] for row in mine["indicators"]}
    assert mine["responses"] == 1 and (scores["客服"], scores["维修"]) == (100.0, 0.0) and mine["index"] == 50.0
    assert [a["measure"] for a in mine["actions"]] == ["报修两小时内上门"]
    [theirs] = portal_surveys.results(session, far, plan.id, "zh-CN")  # the other community: its own figures
    assert theirs["responses"] == 1 and theirs["index"] == 100.0 and theirs["actions"] == []
    assert portal_surveys.results(session, neighbour, plan.id, "zh-CN")[0]["community"] == desk["community"].name
    for crafted in ("1 OR 1=1", -1, None, 99999999):
        assert portal_surveys.results(session, owner, crafted, "zh-CN") is None
    only_elsewhere = make_plan(session, [elsewhere.id], title="另一小区的调查")
    portal_surveys.answer(session, far, only_elsewhere.id, far_room.id, answers(session, only_elsewhere))
    actions.close_plan(session, actor=SYSTEM, plan_id=only_elsewhere.id)
    plans.publish_plan(session, actor=SYSTEM, plan_id=only_elsewhere.id)
    assert portal_surveys.results(session, owner, only_elsewhere.id, "zh-CN") is None  # asked none of theirs
    assert [line["plan_id"] for line in portal_surveys.published(session, owner, "zh-CN")] == [plan.id]
