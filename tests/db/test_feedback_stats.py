"""业主反馈统计 on hand-made tickets and suggestions: per Shanghai day × channel, channel × top-level category, and the
most common issues; the counts worked out by hand (README, "Owner feedback statistics")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import select

from pm_admin.core.errors import PermissionDenied
from pm_admin.dashboards import charts, kpis
from pm_admin.dashboards.periods import period_for
from pm_admin.dashboards.tables import chart_table
from pm_admin.suggestions.models import Outcome, Suggestion, SuggestionStatus
from pm_admin.tickets.models import TicketCategory
from pm_admin.tickets.services import registration
from pm_admin.tickets.services.registration import TicketInput
from tests.support import factories

NOVEMBER = period_for("last_month", date(2026, 12, 5))  # 1–30 November 2026, wholly past
NOW = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def category(session, code: str) -> TicketCategory:
    return session.exec(select(TicketCategory).where(TicketCategory.code == code)).one()


@pytest.fixture
def desks(session):
    """Two communities, a manager of the first, an executive of every community."""
    here, _, unit, room = factories.place_tree(session)
    there, _, _, there_room = factories.place_tree(session)
    cs = factories.sign_in(session, factories.user(session, "cs", communities=(here, there)))
    return {"here": here, "room": room, "there": there, "there_room": there_room, "cs": cs,
            "manager": factories.sign_in(session, factories.user(session, "manager", communities=(here,))),
            "executive": factories.sign_in(session, factories.user(session, "executive", all_communities=True))}


def ticket(session, desks, at, channel, code, title, *, kind="complaint", room="room"):
    anonymous = kind == "anonymous"
    return registration.create_ticket(session, actor=desks["cs"], now=at, data=TicketInput(
        kind=kind, category_id=category(session, code).id, tier="normal", channel=channel, title=title,
        room_id=None if anonymous else desks[room].id, community_id=desks["here"].id if anonymous else None))


def suggestion(session, desks, at, channel, code, content, *, community="here", ticket_id=None):
    row = Suggestion(community_id=desks[community].id, channel=channel, category_id=category(session, code).id,
                     content=content, received_at=at, received_by="cs", reply_due_on=at.date() + timedelta(days=7),
                     ticket_id=ticket_id, status=SuggestionStatus.TRIAGED if ticket_id else SuggestionStatus.NEW,
                     outcome=Outcome.TICKET if ticket_id else None)
    session.add(row)
    session.flush()
    return row


@pytest.fixture
def feedback(session, desks):
    # In the period (1–30 November, Shanghai days)
    ticket(session, desks, utc(10, 31, 16, 30), "wechat_group", "public_facilities", "地下车库漏水")  # 1 Nov 00:30
    ticket(session, desks, utc(11, 3, 2), "hotline", "cleaning", "楼道垃圾未清运")  # 3 Nov 10:00
    ticket(session, desks, utc(11, 3, 15, 30), "online", "elevator", "电梯异响")  # 3 Nov 23:30: still the 3rd
    ticket(session, desks, utc(11, 3, 16, 30), "patrol", "elevator", "电梯异响")  # 4 Nov 00:30: the 4th
    ticket(session, desks, utc(11, 30, 15, 59), "anonymous", "cleaning", "楼道垃圾未清运", kind="anonymous")  # 30 Nov
    suggestion(session, desks, utc(11, 3, 15, 30), "portal", "elevator", "电梯按钮失灵，希望尽快维修")  # 3 Nov 23:30
    suggestion(session, desks, utc(11, 10, 4), "box", "public_facilities", "建议增加楼道照明")
    suggestion(session, desks, utc(11, 10, 5), "group", "safety", "停车位不够")  # a top-level category itself
    # A slip turned into a ticket two days later: one piece of feedback, counted as the suggestion on the 12th.
    opened = ticket(session, desks, utc(11, 14, 2), "suggestion_box", "public_facilities", "电梯灯不亮")
    suggestion(session, desks, utc(11, 12, 2), "box", "public_facilities", "电梯灯不亮", ticket_id=opened.id)
    # Outside the period: 31 Oct 23:30 and 1 Dec 00:00 in Shanghai
    ticket(session, desks, utc(10, 31, 15, 30), "hotline", "elevator", "电梯异响")
    ticket(session, desks, utc(11, 30, 16), "hotline", "elevator", "电梯异响")
    suggestion(session, desks, utc(10, 31, 15, 30), "portal", "elevator", "电梯按钮失灵")
    # Another community, same day
    ticket(session, desks, utc(11, 3, 2), "hotline", "elevator", "电梯异响", room="there_room")
    suggestion(session, desks, utc(11, 3, 2), "portal", "elevator", "电梯按钮失灵", community="there")
    return desks


def stats(session, principal, community_id=None, language="zh-CN"):
    return kpis.feedback_statistics(session, principal, NOVEMBER, community_id, language, now=NOW)


def per_day(found: dict) -> dict[tuple[str, str], int]:
    """(day, channel) → count, non-zero only."""
    return {(day, s["channel"]): s["counts"][n] for s in found["series"] for n, day in enumerate(found["days"])
            if s["counts"][n]}


def test_feedback_is_counted_per_shanghai_day_and_mapped_channel(session, feedback):
    found = stats(session, feedback["manager"], feedback["here"].id)
    assert found["days"][0] == "2026-11-01" and found["days"][-1] == "2026-11-30" and len(found["days"]) == 30
    assert per_day(found) == {
        ("2026-11-01", "group"): 1,  # wechat_group ticket at 00:30 local
        ("2026-11-03", "hotline"): 1,
        ("2026-11-03", "online"): 2,  # an online ticket and a portal suggestion, both at 23:30 local
        ("2026-11-04", "visit"): 1,  # patrol, at 16:30 UTC on the 3rd
        ("2026-11-10", "suggestion_box"): 1,
        ("2026-11-10", "group"): 1,  # the owner group's suggestion
        ("2026-11-12", "suggestion_box"): 1,  # the slip; its ticket on the 14th is not counted again
        ("2026-11-30", "anonymous"): 1,
    }
    every_day = [sum(s["counts"][n] for s in found["series"]) for n in range(len(found["days"]))]
    assert every_day[13] == 0 and every_day.count(0) == 30 - 6  # days without feedback stay, as zero
    assert (found["tickets"], found["suggestions"], found["total"]) == (5, 4, 9)
    assert [s["channel"] for s in found["series"]] == ["online", "hotline", "front_desk", "suggestion_box", "group",
                                                       "meeting", "visit", "anonymous"]
    assert found["series"][0]["name"] == "线上/业主端"


def test_the_channel_table_counts_top_level_categories(session, feedback):
    found = stats(session, feedback["manager"])  # the manager's own scope: the first community only
    names = [c["name"] for c in found["categories"]]
    assert names == ["物业服务", "设施设备", "环境卫生", "安全管理", "邻里关系"]
    table = {row["channel"]: dict(zip(names, row["counts"], strict=True)) | {"total": row["total"]}
             for row in found["table"]}
    assert table["online"] == {"物业服务": 0, "设施设备": 2, "环境卫生": 0, "安全管理": 0, "邻里关系": 0, "total": 2}
    assert table["group"]["设施设备"] == 1 and table["group"]["安全管理"] == 1 and table["group"]["total"] == 2
    assert table["suggestion_box"]["设施设备"] == 2
    assert table["hotline"]["环境卫生"] == table["anonymous"]["环境卫生"] == table["visit"]["设施设备"] == 1
    assert table["front_desk"]["total"] == table["meeting"]["total"] == 0
    assert found["category_totals"] == [0, 6, 2, 1, 0] and sum(found["category_totals"]) == found["total"] == 9

    header, rows = chart_table("feedback_channels", {"feedback": found}, "zh-CN")
    assert header == ["渠道", *names, "合计"]
    assert rows[0] == ["线上/业主端", 0, 2, 0, 0, 0, 2] and rows[-1] == ["合计", 0, 6, 2, 1, 0, 9]
    header, rows = chart_table("feedback_daily", {"feedback": stats(session, feedback["manager"], language="en")}, "en")
    assert header[0] == "Day" and header[1] == "Online / portal" and rows[2][0] == "2026-11-03" and rows[2][-1] == 3
    assert rows[-1][-1] == 9 and len(rows) == 31


def test_the_most_common_issues_join_ticket_titles_and_suggestions(session, feedback):
    issues = stats(session, feedback["manager"], feedback["here"].id)["top_issues"]
    # 电梯: two tickets (the slip's ticket is its suggestion) + two suggestions; 楼道: two tickets + one suggestion.
    assert issues[:5] == [
        {"word": "电梯", "tickets": 2, "suggestions": 2, "count": 4},
        {"word": "楼道", "tickets": 2, "suggestions": 1, "count": 3},
        {"word": "垃圾", "tickets": 2, "suggestions": 0, "count": 2},
        {"word": "异响", "tickets": 2, "suggestions": 0, "count": 2},
        {"word": "清运", "tickets": 2, "suggestions": 0, "count": 2},
    ]
    assert len(issues) == 10 and all(i["count"] == 1 for i in issues[5:])
    header, rows = chart_table("feedback_issues", {"feedback": {"top_issues": issues}}, "zh-CN")
    assert header == ["排名", "关键词", "工单数", "建议数", "合计"] and rows[0] == [1, "电梯", 2, 2, 4]


def test_scope_is_the_principals(session, feedback):
    company = stats(session, feedback["executive"])
    assert (company["tickets"], company["suggestions"], company["total"]) == (6, 5, 11)
    assert per_day(company)[("2026-11-03", "online")] == 3 and per_day(company)[("2026-11-03", "hotline")] == 2
    assert company["top_issues"][0] == {"word": "电梯", "tickets": 3, "suggestions": 3, "count": 6}
    there = stats(session, feedback["executive"], feedback["there"].id)
    assert (there["tickets"], there["suggestions"]) == (1, 1)
    with pytest.raises(PermissionDenied):
        stats(session, feedback["manager"], feedback["there"].id)


def test_the_dashboard_carries_the_section_and_its_figure(session, feedback):
    data = kpis.dashboard(session, feedback["manager"], NOVEMBER, None, "en", now=NOW)
    assert data["feedback"]["total"] == 9
    figure = charts.figures(data, "en")["feedback_daily"]
    assert figure.layout.barmode == "stack" and figure.layout.xaxis.type == "category"
    # Channels with feedback only, each a bar per day labelled in the reader's language
    assert [trace.name for trace in figure.data] == ["Online / portal", "Hotline", "Suggestion box", "Owner group",
                                                     "Visit / patrol", "Anonymous"]
    assert list(figure.data[0].x)[:3] == ["Nov 1", "Nov 2", "Nov 3"] and list(figure.data[0].y)[2] == 2
