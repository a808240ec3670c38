"""Planning a meeting and holding it: details and agenda, invitees, sign-in and the quorum, attachments."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from pm_admin.auth.queries import staff_of
from pm_admin.core.clock import DISPLAY_ZONE, utcnow
from pm_admin.core.errors import FieldErrors, NotFound, PermissionDenied
from pm_admin.core.files import Download, UploadPurpose, discard_upload, private_dir, read_upload, store_by_hash
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text, parse_choice, parse_local_time
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import community_of, expect_version, load_scoped
from pm_admin.meetings.models import (
    DocType,
    InviteeKind,
    Meeting,
    MeetingAttachment,
    MeetingInvitee,
    MeetingKind,
    MeetingStatus,
    Topic,
)
from pm_admin.meetings.services.common import audit, load_meeting, require_status, room_and_owner
from pm_admin.meetings.services.roster import committee

MAX_AGENDA_ITEMS = 20
ATTACHMENT_PURPOSE = "meeting_attachment"
ATTACHMENT_UPLOAD = UploadPurpose(Perm.MEETINGS_MANAGE, 30 * 1024 * 1024,
                                  (".pdf", ".docx", ".xlsx", ".jpg", ".jpeg", ".png"))
QUORUM_RULE = "more_than_half"  # attended committee members × 2 > committee size


@dataclasses.dataclass
class MeetingInput:
    community_id: Any = ""
    kind: str = MeetingKind.QUARTERLY.value
    topic: str = ""
    title: str = ""
    starts_at: str = ""  # 2026-12-10T14:00, Shanghai time (a datetime-local input)
    place: str = ""
    agenda: str = ""  # one item per line


def _clean(errors: FieldErrors, data: MeetingInput) -> dict[str, Any]:
    kind = parse_choice(errors, "kind", data.kind, MeetingKind, key="meetings.kind_invalid", default=None)
    topic = ""
    if kind == MeetingKind.TOPIC:
        topic = str(parse_choice(errors, "topic", data.topic, Topic, key="meetings.topic_required", default="") or "")
    agenda = [line.strip()[:200] for line in str(data.agenda or "").splitlines() if line.strip()]
    if len(agenda) > MAX_AGENDA_ITEMS:
        errors.add("agenda", "meetings.agenda_too_long", max=MAX_AGENDA_ITEMS)
    return {"kind": kind, "topic": topic,
            "title": clean_text(errors, "title", data.title, max_length=100, required=True),
            "starts_at": parse_local_time(errors, "starts_at", data.starts_at, invalid="meetings.time_invalid"),
            "place": clean_text(errors, "place", data.place, max_length=100, required=True),
            "agenda": agenda}


def meeting_values(meeting: Meeting) -> dict[str, Any]:
    """What the meeting form shows (and a conflict names)."""
    return {"kind": str(meeting.kind), "topic": meeting.topic, "title": meeting.title,
            "starts_at": meeting.starts_at.astimezone(DISPLAY_ZONE).strftime("%Y-%m-%dT%H:%M"),
            "place": meeting.place, "agenda": "\n".join(meeting.agenda)}


def create_meeting(session: Session, *, actor: Principal, data: MeetingInput) -> Meeting:
    actor.require(Perm.MEETINGS_MANAGE)
    errors = FieldErrors()
    community_id = community_of(errors, actor, data.community_id)
    values = _clean(errors, data)
    errors.raise_if_any()
    meeting = Meeting(community_id=community_id, created_by=actor.username, **values)
    session.add(meeting)
    session.flush()
    audit(session, actor, "meeting.create", meeting, kind=str(meeting.kind), title=meeting.title,
          starts_at=meeting.starts_at)
    return meeting


def update_meeting(session: Session, *, actor: Principal, meeting_id: Any, expected_version: int | None,
                   data: MeetingInput) -> Meeting:
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_MANAGE)
    require_status(meeting, MeetingStatus.DRAFT)
    expect_version(meeting, expected_version, lambda: meeting_values(meeting))
    errors = FieldErrors()
    values = _clean(errors, data)
    errors.raise_if_any()
    before = meeting_values(meeting)
    for key, value in values.items():
        setattr(meeting, key, value)
    session.add(meeting)
    session.flush()
    record_after = meeting_values(meeting)
    audit(session, actor, "meeting.update", meeting, **{k: [before[k], v] for k, v in record_after.items()
                                                        if before[k] != v})
    return meeting


# ---------------------------------------------------------------- invitees and sign-in


def _meeting_day(meeting: Meeting) -> date:
    return meeting.starts_at.astimezone(DISPLAY_ZONE).date()


def _add_invitee(session: Session, meeting: Meeting, kind: InviteeKind, person_id: int, name: str,
                 note: str) -> MeetingInvitee | None:
    exists = session.exec(select(MeetingInvitee.id).where(
        MeetingInvitee.meeting_id == meeting.id, MeetingInvitee.kind == kind,
        MeetingInvitee.person_id == person_id)).first()
    if exists is not None:
        return None
    invitee = MeetingInvitee(meeting_id=meeting.id, kind=kind, person_id=person_id, name=name, note=note)
    session.add(invitee)
    return invitee


def invite_committee(session: Session, *, actor: Principal, meeting_id: Any) -> int:
    """Every member serving on the meeting's day; returns how many were added."""
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_MANAGE)
    require_status(meeting, MeetingStatus.DRAFT)
    added = [m.name for m in committee(session, meeting.community_id, _meeting_day(meeting))
             if _add_invitee(session, meeting, InviteeKind.COMMITTEE, m.id, m.name, str(m.position))]
    session.flush()
    audit(session, actor, "meeting.invite", meeting, kind="committee", names=added)
    return len(added)


def invite_owner(session: Session, *, actor: Principal, meeting_id: Any, room_code: str) -> MeetingInvitee | None:
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_MANAGE)
    require_status(meeting, MeetingStatus.DRAFT)
    found = room_and_owner(session, meeting.community_id, room_code)
    if found is None:
        errors = FieldErrors()
        errors.add("room_code", "meetings.room_without_owner")
        errors.raise_if_any()
    room, owner = found
    invitee = _add_invitee(session, meeting, InviteeKind.OWNER, owner.id, owner.name, room.code)
    session.flush()
    audit(session, actor, "meeting.invite", meeting, kind="owner", names=[owner.name], room=room.code)
    return invitee



def invite_staff(session: Session, *, actor: Principal, meeting_id: Any, user_id: Any) -> MeetingInvitee | None:
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_MANAGE)
    require_status(meeting, MeetingStatus.DRAFT)
    user = next((u for u in staff_of(session, meeting.community_id) if is_id(user_id) and u.id == int(user_id)), None)
    if user is None:
        raise NotFound("user")
    invitee = _add_invitee(session, meeting, InviteeKind.STAFF, user.id, user.display_name, user.username)
    session.flush()
    audit(session, actor, "meeting.invite", meeting, kind="staff", names=[user.display_name])
    return invitee


def _invitee(session: Session, meeting: Meeting, invitee_id: Any) -> MeetingInvitee:
    invitee = session.get(MeetingInvitee, int(invitee_id)) if is_id(invitee_id) else None
    if invitee is None or invitee.meeting_id != meeting.id:
        raise NotFound("meeting_invitee")
    return invitee


def remove_invitee(session: Session, *, actor: Principal, meeting_id: Any, invitee_id: Any) -> None:
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_MANAGE)
    require_status(meeting, MeetingStatus.DRAFT)
    invitee = _invitee(session, meeting, invitee_id)
    session.delete(invitee)
    session.flush()
    audit(session, actor, "meeting.uninvite", meeting, kind=str(invitee.kind), name=invitee.name)


def sign_in(session: Session, *, actor: Principal, meeting_id: Any, invitee_id: Any, attended: bool) -> None:
    """签到: who came (while the minutes are still being written)."""
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_MANAGE)
    require_status(meeting, MeetingStatus.DRAFT)
    invitee = _invitee(session, meeting, invitee_id)
    if invitee.attended == bool(attended):
        return
    invitee.attended, invitee.signed_at = bool(attended), utcnow() if attended else None
    session.add(invitee)
    session.flush()
    audit(session, actor, "meeting.sign_in", meeting, name=invitee.name, attended=bool(attended))


@dataclasses.dataclass(frozen=True)
class Quorum:
    attended: int  # committee members signed in
    size: int  # members serving on the meeting's day
    reached: bool  # attended × 2 > size (more than half)

    @property
    def percent(self) -> int | None:
        return round(100 * self.attended / self.size) if self.size else None


def quorum(session: Session, meeting: Meeting) -> Quorum:
    """Attended committee members ÷ committee size; reached with more than half of the members present."""
    size = len(committee(session, meeting.community_id, _meeting_day(meeting)))
    attended = session.scalar(sa.select(sa.func.count(MeetingInvitee.id)).where(
        MeetingInvitee.meeting_id == meeting.id, MeetingInvitee.kind == InviteeKind.COMMITTEE,
        MeetingInvitee.attended == sa.true())) or 0
    return Quorum(attended, size, size > 0 and attended * 2 > size)


# ---------------------------------------------------------------- attachments


def sniff_document(data: bytes, filename: str) -> str | None:
    """The document's type told by its bytes (the name only picks among zip-based Office files)."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"PK\x03\x04"):
        lower = filename.lower()
        if lower.endswith(".docx"):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if lower.endswith(".xlsx"):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def stored_path(sha256: str) -> Path:
    return private_dir("meetings", sha256[:2]) / sha256


def attach_document(session: Session, *, actor: Principal, meeting_id: Any, upload_id: str,
                    doc_type: str) -> MeetingAttachment:
    meeting = load_meeting(session, actor, meeting_id, Perm.MEETINGS_MANAGE)
    require_status(meeting, MeetingStatus.DRAFT, MeetingStatus.MINUTES_PENDING)
    errors = FieldErrors()
    kind = parse_choice(errors, "doc_type", doc_type, DocType, key="meetings.doc_type_invalid", default=None)
    upload, data = read_upload(session, principal=actor, upload_id=upload_id, purpose_name=ATTACHMENT_PURPOSE)
    content_type = sniff_document(data, upload.filename)
    if content_type is None:
        errors.add("file", "meetings.not_a_document")
    if errors.fields:
        discard_upload(session, upload.id)
        errors.raise_if_any()
    digest = hashlib.sha256(data).hexdigest()
    store_by_hash(stored_path(digest), data, digest)
    attachment = MeetingAttachment(meeting_id=meeting.id, doc_type=kind, filename=upload.filename,
                                   content_type=content_type, size=len(data), sha256=digest,
                                   uploaded_by=actor.username)
    session.add(attachment)
    discard_upload(session, upload.id)
    session.flush()
    audit(session, actor, "meeting.attach", meeting, file=upload.filename, doc_type=str(kind), sha256=digest)
    return attachment


def attachment_download(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    """A document of a meeting the caller may see: a missing id and another community's read alike."""
    principal.require(Perm.MEETINGS_VIEW)
    attachment = session.get(MeetingAttachment, int(params["attachment_id"])) if is_id(
        params.get("attachment_id")) else None
    if attachment is None:
        raise NotFound("meeting_attachment")
    try:
        meeting = load_scoped(session, Meeting, attachment.meeting_id, principal, entity="meeting")
    except PermissionDenied as refused:
        raise NotFound("meeting_attachment") from refused
    path = stored_path(attachment.sha256)
    audit(session, principal, "meeting.attachment_read", meeting, file=attachment.filename)
    return Download(attachment.filename, attachment.content_type, [path.read_bytes()])


DOWNLOADS = {"meeting_attachment": attachment_download}
