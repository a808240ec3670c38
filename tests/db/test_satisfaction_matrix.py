"""The dashboard's building × indicator heatmap from hand-made score rows: every scored building is a row, named
as people read it, in natural order."""

from datetime import date

from pm_admin.surveys.models import PlanStatus, SurveyPlan, SurveyScore
from pm_admin.surveys.queries import building_indicator_matrix
from tests.support import factories


def scored_plan(session, buildings) -> SurveyPlan:
    plan = SurveyPlan(title="矩阵测试", year=2025, period_kind="h2", starts_on=date(2025, 7, 1),
                      ends_on=date(2025, 12, 31), status=PlanStatus.CLOSED)
    session.add(plan)
    session.flush()
    for n, building in enumerate(buildings):  # building n: every service rating 1 + n % 5 (score 25·(n % 5))
        session.add(SurveyScore(plan_id=plan.id, community_id=building.community_id, building_id=building.id,
                                indicator="service", rating_sum=2 * (1 + n % 5), rating_count=2))
    session.flush()
    return plan


def test_every_building_is_a_row_in_natural_order(session):
    first, second = factories.community(session), factories.community(session)
    if first.code > second.code:
        first, second = second, first
    ten, two, one = (factories.building(session, first, code=code) for code in ("10", "2", "1"))
    other_two = factories.building(session, second, code="2")
    scored_plan(session, [ten, two, one, other_two])
    manager = factories.sign_in(session, factories.user(session, "manager", communities=(first,)))
    executive = factories.sign_in(session, factories.user(session, "executive", all_communities=True))

    mine = building_indicator_matrix(session, manager, None)
    assert mine["buildings"] == ["1栋", "2栋", "10栋"]
    assert [row[0] for row in mine["scores"]] == [50.0, 25.0, 0.0]  # each row keeps its own building's scores

    everyone = building_indicator_matrix(session, executive, None)
    assert everyone["buildings"] == [f"{first.name} 1栋", f"{first.name} 2栋", f"{first.name} 10栋",
                                     f"{second.name} 2栋"]
    assert [row[0] for row in everyone["scores"]] == [50.0, 25.0, 0.0, 75.0]
