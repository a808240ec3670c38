"""改进与待办: what the community owed its owners in the month and whether it delivered (README, "Monthly report").

Read from the stored times, so a closed month gives the same figures whenever it is computed. M = the end of the
month's last day (Shanghai), or now while the month runs.
* ``suggestions_replied_on_time`` = suggestions whose reply was due on a day of the month, replied by the end of that
  day ÷ those suggestions (意见箱, seed 003 5.27).
* ``suggestions_overdue`` = suggestions received before M, not replied at M, whose due day ended before M (the home
  page's 答复逾期的建议 as it stood at M).
* ``meeting_actions_done_on_time`` = meeting action items due on a day of the month, done by the end of that day ÷
  those items; ``meeting_actions_overdue`` = items created before M, not done at M, whose due day ended before M.
* ``improvements_published`` = 整改公示 notices of the community sent in the month.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlmodel import col

from pm_admin.comms.models import Notice, NoticeKind
from pm_admin.core.clock import DISPLAY_ZONE, as_utc
from pm_admin.dashboards.figures import count, local_bounds, rate
from pm_admin.meetings.models import MeetingAction
from pm_admin.reports.kpi_sections import figure_table
from pm_admin.reports.sections import Context, Section
from pm_admin.suggestions.models import Suggestion

S, A = Suggestion, MeetingAction


def _by_due_day(rows) -> tuple[int, int]:
    """(done by the end of the due day, due) over rows of (due day, done time). Per row in Python: a due day's
    local midnight has no portable SQL, and a community has a few such rows a month."""
    on_time = sum(1 for due, done in rows if done is not None
                  and as_utc(done) < datetime.combine(due + timedelta(days=1), time.min, DISPLAY_ZONE))
    return on_time, len(rows)


def action_figures(ctx: Context) -> dict[str, dict]:
    session, period = ctx.session, ctx.period
    first, moment = local_bounds(period.start, period.end, ctx.now)
    day_of_moment = moment.astimezone(DISPLAY_ZONE).date()
    suggestions_due = session.execute(sa.select(S.reply_due_on, S.replied_at).where(
        S.community_id == ctx.community_id, S.reply_due_on >= period.start, S.reply_due_on <= period.end)).all()
    late_suggestions = session.scalar(sa.select(sa.func.count(S.id)).where(
        S.community_id == ctx.community_id, S.received_at < moment, S.reply_due_on < day_of_moment,
        sa.or_(col(S.replied_at).is_(None), S.replied_at >= moment)))
    actions_due = session.execute(sa.select(A.due_on, A.done_at).where(
        A.community_id == ctx.community_id, A.due_on >= period.start, A.due_on <= period.end)).all()
    late_actions = session.scalar(sa.select(sa.func.count(A.id)).where(
        A.community_id == ctx.community_id, A.created_at < moment, A.due_on < day_of_moment,
        sa.or_(col(A.done_at).is_(None), A.done_at >= moment)))
    published = session.scalar(sa.select(sa.func.count(Notice.id)).where(
        Notice.community_id == ctx.community_id, Notice.kind == NoticeKind.RECTIFICATION,
        col(Notice.sent_at).is_not(None), Notice.sent_at >= first, Notice.sent_at < moment))
    return {"suggestions_replied_on_time": rate(*_by_due_day(suggestions_due)).as_json(),
            "suggestions_overdue": count(int(late_suggestions or 0)).as_json(),
            "meeting_actions_done_on_time": rate(*_by_due_day(actions_due)).as_json(),
            "meeting_actions_overdue": count(int(late_actions or 0)).as_json(),
            "improvements_published": count(int(published or 0)).as_json()}


SECTION = Section("actions", action_figures, figure_table)
