"""业主反馈统计 (seed 002 §4.1): the owner feedback received per local day, channel and top-level category, and the
most common issues (README, "Owner feedback statistics").

Feedback = tickets registered (every kind) + suggestions received in the suggestion box; a ticket opened from a
suggestion (转工单, ``suggestion.ticket_id``) is the same feedback and counts once, as the suggestion on the day it
was received. Both sources speak one channel vocabulary (``CHANNELS``). Counts are grouped in SQL per Shanghai day
(``core.local_date``); days without feedback count 0. Top issues: jieba keywords
(``keywords.title_keywords``) of ticket titles, read from the keyword rollup, plus those of suggestion contents,
each item once per word.

Takes a resolved scope (``kpis.community_scope``: None = every community) like ``complaint_kpis``; the wrapper in
``kpis`` checks the principal.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, col

from pm_admin.core.local_date import local_date
from pm_admin.core.permissions import in_communities
from pm_admin.dashboards.complaint_kpis import rollup_scope
from pm_admin.dashboards.figures import local_bounds
from pm_admin.dashboards.keywords import title_keywords
from pm_admin.dashboards.models import TicketKeywordMonth
from pm_admin.dashboards.periods import Period
from pm_admin.suggestions.models import Suggestion, SuggestionChannel
from pm_admin.tickets.models import Channel, Ticket, TicketCategory

TOP_ISSUES = 10

# The statistics' channels, in display order, and what each gathers from the two sources.
CHANNELS = ("online", "hotline", "front_desk", "suggestion_box", "group", "meeting", "visit", "anonymous")
TICKET_CHANNELS = {
    Channel.ONLINE: "online", Channel.HOTLINE: "hotline", Channel.FRONT_DESK: "front_desk",
    Channel.SUGGESTION_BOX: "suggestion_box", Channel.WECHAT_GROUP: "group", Channel.MEETING: "meeting",
    Channel.VISIT: "visit", Channel.PATROL: "visit", Channel.ANONYMOUS: "anonymous",
}
SUGGESTION_CHANNELS = {
    SuggestionChannel.PORTAL: "online", SuggestionChannel.BOX: "suggestion_box", SuggestionChannel.VISIT: "visit",
    SuggestionChannel.MEETING: "meeting", SuggestionChannel.GROUP: "group",
    SuggestionChannel.FRONT_DESK: "front_desk",
}
assert set(TICKET_CHANNELS) == set(Channel) and set(SUGGESTION_CHANNELS) == set(SuggestionChannel)
assert set(TICKET_CHANNELS.values()) | set(SUGGESTION_CHANNELS.values()) == set(CHANNELS)

def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _from_suggestions():
    """Ids of tickets opened from a suggestion (counted as the suggestion)."""
    return sa.select(Suggestion.ticket_id).where(col(Suggestion.ticket_id).is_not(None))


TOP = sa.func.coalesce(TicketCategory.parent_id, TicketCategory.id)  # categories are two levels deep


def _grouped(session: Session, model, moment, channel_column, scope, first: datetime, after: datetime,
             *where) -> list[tuple[date, str, int, int]]:
    day = local_date(moment)
    statement = (sa.select(day, channel_column, TOP, sa.func.count())
                 .join(TicketCategory, TicketCategory.id == model.category_id)
                 .where(moment >= first, moment < after, in_communities(model.community_id, scope), *where)
                 .group_by(day, channel_column, TOP))
    return [(_as_date(d), str(channel), int(category), int(number))
            for d, channel, category, number in session.execute(statement).all()]


def _top_issues(session: Session, scope, period: Period, first: datetime, after: datetime) -> list[dict]:
    """Suggestion contents are read and split here (the box gets a few a day); ticket words come from the
    keyword rollup, minus the titles of tickets opened from a suggestion (their suggestion counts). The rollup is
    per month: every dashboard period starts on the first of a month and ends at a month's end or now."""
    suggested = Counter(word for content in session.scalars(sa.select(Suggestion.content).where(
        Suggestion.received_at >= first, Suggestion.received_at < after, in_communities(Suggestion.community_id, scope)))
        for word in title_keywords(content))
    opened = Counter(word for title in session.scalars(sa.select(Ticket.title).where(
        Ticket.created_at >= first, Ticket.created_at < after, in_communities(Ticket.community_id, scope),
        col(Ticket.id).in_(_from_suggestions()))) for word in title_keywords(title or ""))
    K = TicketKeywordMonth
    total = sa.func.sum(K.tickets)
    rollup = sa.select(K.word, total).where(
        rollup_scope(K.community_id, scope), K.month >= period.months[0], K.month <= period.months[-1]) \
        .group_by(K.word)
    # Every word that could reach the top: the suggestions' words, and the ticket words at least as frequent as
    # the (TOP_ISSUES + words with deductions)-th; any other word has fewer than TOP_ISSUES words above it.
    depth = TOP_ISSUES + len(opened)
    threshold = session.execute(rollup.having(total > 0).order_by(total.desc()).offset(depth - 1).limit(1)).first()
    wanted = total >= (threshold[1] if threshold else 1)
    if suggested:
        wanted = sa.or_(wanted, col(K.word).in_(sorted(suggested)))
    tickets = {word: int(number) - opened[word] for word, number in session.execute(rollup.having(wanted)).all()}
    issues = [{"word": word, "tickets": max(tickets.get(word, 0), 0), "suggestions": suggested[word]}
              for word in set(tickets) | set(suggested)]
    for issue in issues:
        issue["count"] = issue["tickets"] + issue["suggestions"]
    issues = [i for i in issues if i["count"] > 0]
    return sorted(issues, key=lambda i: (-i["count"], i["word"]))[:TOP_ISSUES]


def feedback_statistics(session: Session, scope: frozenset[int] | None, period: Period, now: datetime,
                        categories: list[tuple[int, str]], channel_names: dict[str, str]) -> dict:
    """Per day × channel (the stacked chart), channel × top-level category (the table), and the top issues.

    ``categories``: the top-level categories as (id, name), in order; ``channel_names``: each channel's label.
    """
    first, after = local_bounds(period.start, period.end, now)
    ticket_rows = _grouped(session, Ticket, Ticket.created_at, Ticket.channel, scope, first, after,
                           col(Ticket.id).not_in(_from_suggestions()))
    suggestion_rows = _grouped(session, Suggestion, Suggestion.received_at, Suggestion.channel, scope, first, after)
    days = period.days
    index = {day: n for n, day in enumerate(days)}
    per_day = {channel: [0] * len(days) for channel in CHANNELS}
    matrix: dict[tuple[str, int], int] = Counter()
    for rows, mapping in ((ticket_rows, TICKET_CHANNELS), (suggestion_rows, SUGGESTION_CHANNELS)):
        for day, raw, category, number in rows:
            channel = mapping[raw]
            if day in index:  # "now" caps the period's last day: nothing later can be in it
                per_day[channel][index[day]] += number
            matrix[channel, category] += number
    known = [c for c, _ in categories]
    names = dict(categories)
    extra = sorted({c for _, c in matrix if c not in names})  # never with two-level categories, but never lost
    columns = [{"id": c, "name": names.get(c, str(c))} for c in known + extra]
    table = [{"channel": channel, "name": channel_names[channel],
              "counts": [matrix.get((channel, c["id"]), 0) for c in columns],
              "total": sum(matrix.get((channel, c["id"]), 0) for c in columns)} for channel in CHANNELS]
    return {
        "days": [d.isoformat() for d in days],
        "series": [{"channel": channel, "name": channel_names[channel], "counts": per_day[channel]}
                   for channel in CHANNELS],
        "categories": columns,
        "table": table,
        "category_totals": [sum(row["counts"][n] for row in table) for n in range(len(columns))],
        "tickets": sum(number for *_, number in ticket_rows),
        "suggestions": sum(number for *_, number in suggestion_rows),
        "total": sum(number for rows in (ticket_rows, suggestion_rows) for *_, number in rows),
        "top_issues": _top_issues(session, scope, period, first, after),
    }
