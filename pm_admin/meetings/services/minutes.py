"""Minutes 会议纪要 from the template of seed 002 §7.2 (时间, 地点, 出席, 议题, 讨论, 决议, 待办), their review by a
manager (draft → minutes_pending → approved, or back to draft with a note) and publication to the owners."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.errors import DomainError, FieldErrors
from pm_admin.core.i18n import translate
from pm_admin.core.parsers import clean_reason, clean_text
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version
from pm_admin.meetings import publication
from pm_admin.meetings.models import Meeting, MeetingAction, MeetingInvitee, MeetingStatus
from pm_admin.meetings.services.common import audit, load_meeting, require_status
from pm_admin.meetings.services.meetings import quorum
from pm_admin.places.models import Community

MAX_MINUTES = 8000


def minutes_values(meeting: Meeting) -> dict[str, str]:
    return {"discussion": meeting.discussion, "resolutions": meeting.resolutions}


def save_minutes(session: Session, *, actor: Principal, meeting_id: Any, expected_version: int | None,
                 discussion: str, resolutions: str) -> Meeting:
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_MANAGE)
    require_status(meeting, MeetingStatus.DRAFT)
    expect_version(meeting, expected_version, lambda: minutes_values(meeting))
    errors = FieldErrors()
    discussion = clean_text(errors, "discussion", discussion, max_length=MAX_MINUTES)
    resolutions = clean_text(errors, "resolutions", resolutions, max_length=MAX_MINUTES)
    errors.raise_if_any()
    before = minutes_values(meeting)
    meeting.discussion, meeting.resolutions = discussion, resolutions
    session.add(meeting)
    session.flush()
    audit(session, actor, "meeting.minutes_save", meeting,
          **{k: [len(before[k]), len(v)] for k, v in minutes_values(meeting).items() if before[k] != v})
    return meeting


def _attended(session: Session, meeting: Meeting) -> list[MeetingInvitee]:
    return list(session.exec(select(MeetingInvitee).where(
        MeetingInvitee.meeting_id == meeting.id, MeetingInvitee.attended == True)  # noqa: E712
        .order_by(MeetingInvitee.kind, col(MeetingInvitee.id))).all())


def submit_minutes(session: Session, *, actor: Principal, meeting_id: Any) -> Meeting:
    """Written minutes go to a manager: they need a discussion or resolutions and at least one person signed in."""
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_MANAGE)
    require_status(meeting, MeetingStatus.DRAFT)
    if not (meeting.discussion or meeting.resolutions):
        raise DomainError("meetings.minutes_empty")
    if not _attended(session, meeting):
        raise DomainError("meetings.nobody_signed_in")
    meeting.status, meeting.submitted_by, meeting.review_note = MeetingStatus.MINUTES_PENDING, actor.username, ""
    session.add(meeting)
    session.flush()
    audit(session, actor, "meeting.minutes_submit", meeting)
    return meeting


def approve_minutes(session: Session, *, actor: Principal, meeting_id: Any) -> Meeting:
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_APPROVE)
    require_status(meeting, MeetingStatus.MINUTES_PENDING)
    meeting.status, meeting.approved_by, meeting.approved_at = MeetingStatus.APPROVED, actor.username, utcnow()
    session.add(meeting)
    session.flush()
    audit(session, actor, "meeting.minutes_approve", meeting)
    return meeting


def return_minutes(session: Session, *, actor: Principal, meeting_id: Any, note: str) -> Meeting:
    """Sent back to be rewritten, with the reason."""
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_APPROVE)
    require_status(meeting, MeetingStatus.MINUTES_PENDING)
    errors = FieldErrors()
    note = clean_reason(errors, "note", note, max_length=500)
    errors.raise_if_any()
    meeting.status, meeting.review_note = MeetingStatus.DRAFT, note
    session.add(meeting)
    session.flush()
    audit(session, actor, "meeting.minutes_return", meeting, note=note)
    return meeting


def publish(session: Session, *, actor: Principal, meeting_id: Any) -> Meeting:
    """Approved minutes go to every owner of the community as a notice of kind 会议纪要."""
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_MANAGE)
    require_status(meeting, MeetingStatus.APPROVED)
    reference = publication.publish_minutes(session, actor=actor, meeting=meeting,
                                            body=minutes_markdown(session, meeting, "zh-CN"))
    meeting.status, meeting.published_at, meeting.notice_ref = MeetingStatus.PUBLISHED, utcnow(), reference
    session.add(meeting)
    session.flush()
    audit(session, actor, "meeting.publish", meeting, notice=reference)
    return meeting


# ---------------------------------------------------------------- the template


def _escape(text: str) -> str:
    """Typed text stays text in the Markdown: no heading, list or link syntax of its own at a line's start."""
    return "\n".join(line.replace("[", "［").replace("]", "］").lstrip("#>") for line in text.splitlines())


def minutes_sections(session: Session, meeting: Meeting, language: str) -> list[tuple[str, str]]:
    """The seven sections of the template, label and text, in order."""
    tr = lambda key, **p: translate(key, language, **p)  # noqa: E731
    attended = _attended(session, meeting)
    figure = quorum(session, meeting)
    people = "、".join(f"{i.name}（{tr('meetings.invitee.' + str(i.kind))}）" for i in attended) or "–"
    if figure.size:
        people += "\n\n" + tr("meetings.quorum_line", attended=figure.attended, size=figure.size,
                            percent=figure.percent, result=tr("meetings.quorum_reached" if figure.reached
                                                              else "meetings.quorum_missed"))
    actions = session.exec(select(MeetingAction).where(MeetingAction.meeting_id == meeting.id)
                           .order_by(col(MeetingAction.id))).all()
    todo = "\n".join(f"- {_escape(a.description)}（{tr('meetings.responsible')}：{a.responsible_name}，"
                     f"{tr('meetings.due_on')}：{a.due_on.isoformat()}）" for a in actions) or "–"
    agenda = "\n".join(f"{n}. {_escape(item)}" for n, item in enumerate(meeting.agenda, 1)) or "–"
    return [
        (tr("meetings.minutes.time"), meeting.starts_at.astimezone(DISPLAY_ZONE).strftime("%Y-%m-%d %H:%M")),
        (tr("meetings.minutes.place"), _escape(meeting.place)),
        (tr("meetings.minutes.attendance"), people),
        (tr("meetings.minutes.agenda"), agenda),
        (tr("meetings.minutes.discussion"), _escape(meeting.discussion) or "–"),
        (tr("meetings.minutes.resolutions"), _escape(meeting.resolutions) or "–"),
        (tr("meetings.minutes.todo"), todo),
    ]


def minutes_markdown(session: Session, meeting: Meeting, language: str) -> str:
    community = session.get(Community, meeting.community_id)
    title = translate("meetings.minutes.heading", language, community=community.name if community else "",
                      title=_escape(meeting.title))
    parts = [f"## {title}"]
    parts += [f"**{label}**\n\n{text}" for label, text in minutes_sections(session, meeting, language)]
    return "\n\n".join(parts)

