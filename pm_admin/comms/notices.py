"""The life of a notice: draft → pending approval (a manager approves; an emergency the duty manager may send at
once, reviewed after) → scheduled → sent → expired, or withdrawn with a reason. Content is frozen once scheduled; a
correction is a new notice linked to the old one. Sending writes one household row per room and, per portal
account and channel, one outbox message, in the transaction that sends it."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.comms import audience
from pm_admin.comms.models import Group, Notice, NoticeHousehold, NoticeKind, NoticeStatus, NoticeUpdate
from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.crypto import decrypt
from pm_admin.core.errors import DomainError, FieldErrors
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import Perm, Principal
from pm_admin.core.scoping import expect_version, load_scoped
from pm_admin.notify.models import Channel, Recipient
from pm_admin.notify.outbox import Address, Outgoing, enqueue, enqueue_many
from pm_admin.places.models import Building, Room, Unit
from pm_admin.portal.people import accounts_of_rooms

CHANNELS = (Channel.INBOX.value, Channel.SMS.value)
EDITABLE = (NoticeStatus.DRAFT, NoticeStatus.PENDING)
STAGES = ("in_progress", "restored")
PLACEHOLDER = re.compile(r"\{[^{}\n]{1,12}\}")


@dataclasses.dataclass
class NoticeInput:
    kind: str
    title: str
    body: str
    community_id: int
    building_ids: list[int] = dataclasses.field(default_factory=list)
    unit_ids: list[int] = dataclasses.field(default_factory=list)
    room_ids: list[int] = dataclasses.field(default_factory=list)
    group: str = Group.ALL.value
    channels: list[str] = dataclasses.field(default_factory=lambda: [Channel.INBOX.value])
    send_at: datetime | None = None
    valid_until: datetime | None = None
    pinned: bool = False
    requires_ack: bool = False
    escalate_after_minutes: int = 60
    category: str = ""
    source: str = ""


def _checked(session: Session, actor: Principal, data: NoticeInput, now: datetime) -> dict:
    errors = FieldErrors()
    if data.kind not in {k.value for k in NoticeKind}:
        errors.add("kind", "comms.kind_invalid")
    title = clean_text(errors, "title", data.title, max_length=100, required=True)
    body = clean_text(errors, "body", data.body, max_length=8000, required=True)
    if data.group not in {g.value for g in Group}:
        errors.add("group", "comms.group_invalid")
    channels = sorted(set(data.channels))
    if not channels or any(c not in CHANNELS for c in channels):
        errors.add("channels", "comms.channels_invalid")
    if Channel.INBOX.value not in channels:
        channels = [Channel.INBOX.value, *channels]  # the portal always keeps a copy the owner can come back to
    emergency = data.kind == NoticeKind.EMERGENCY
    if emergency and data.valid_until is None:
        errors.add("valid_until", "comms.emergency_needs_valid_until")
    if data.valid_until is not None and data.valid_until <= (data.send_at or now):
        errors.add("valid_until", "comms.valid_until_past")
    if not 5 <= int(data.escalate_after_minutes or 0) <= 24 * 60:
        errors.add("escalate_after_minutes", "comms.escalate_invalid")
    actor.require_community(data.community_id)
    for model, ids, field in ((Building, data.building_ids, "building_ids"), (Unit, data.unit_ids, "unit_ids"),
                              (Room, data.room_ids, "room_ids")):
        found = session.exec(select(sa.func.count()).select_from(model).where(
            col(model.id).in_(ids), model.community_id == data.community_id)).one() if ids else 0
        if found != len(set(ids)):
            errors.add(field, "comms.place_not_in_community")  # a crafted id or another community's
    errors.raise_if_any()
    return {"kind": NoticeKind(data.kind), "title": title, "body": body, "community_id": data.community_id,
            "building_ids": sorted(set(data.building_ids)), "unit_ids": sorted(set(data.unit_ids)),
            "room_ids": sorted(set(data.room_ids)), "group": Group(data.group), "channels": channels,
            "send_at": data.send_at, "valid_until": data.valid_until, "pinned": data.pinned,
            "requires_ack": data.requires_ack or emergency, "escalate_after_minutes": int(data.escalate_after_minutes),
            "category": data.category[:16], "source": data.source[:40]}


def _audit(session: Session, notice: Notice, actor: Principal, action: str, **details) -> None:
    record(session, action=f"notice.{action}", actor=actor, entity_type="notice", entity_id=notice.id,
           community_id=notice.community_id, details={"title": notice.title, **details})


def places_of(notice: Notice) -> audience.Places:
    return audience.Places(notice.community_id, tuple(notice.building_ids), tuple(notice.unit_ids),
                           tuple(notice.room_ids), str(notice.group))


def draft_notice(session: Session, *, actor: Principal, data: NoticeInput, corrects_id: int | None = None,
                 now: datetime | None = None) -> Notice:
    actor.require(Perm.NOTICES_DRAFT)
    values = _checked(session, actor, data, now or utcnow())
    if corrects_id is not None:
        load_scoped(session, Notice, corrects_id, actor)
    notice = Notice(**values, corrects_id=corrects_id, created_by=actor.username, created_at=now or utcnow())
    session.add(notice)
    session.flush()
    _audit(session, notice, actor, "drafted", kind=str(notice.kind))
    return notice


def update_draft(session: Session, *, actor: Principal, notice_id: int, expected_version: int,
                 data: NoticeInput) -> Notice:
    actor.require(Perm.NOTICES_DRAFT)
    notice = load_scoped(session, Notice, notice_id, actor)
    expect_version(notice, expected_version)
    if notice.status not in EDITABLE:
        raise DomainError("comms.frozen")  # scheduled or sent: a correction is a new notice
    for field, value in _checked(session, actor, data, utcnow()).items():
        setattr(notice, field, value)
    notice.status = NoticeStatus.DRAFT  # changed content needs approving again
    session.add(notice)
    _audit(session, notice, actor, "edited")
    return notice


def _filled_in(notice: Notice) -> None:
    """A template's {范围}, {开始时间} … left in would reach every household as they are."""
    if PLACEHOLDER.search(notice.title) or PLACEHOLDER.search(notice.body):
        raise DomainError("comms.placeholders_left")


def update_text(session: Session, *, actor: Principal, notice_id: int, expected_version: int, title: str,
                body: str) -> Notice:
    """A draft's or pending notice's title and text, everything else as stored (a pending one back to draft)."""
    stored = load_scoped(session, Notice, notice_id, actor)
    return update_draft(session, actor=actor, notice_id=notice_id, expected_version=expected_version, data=NoticeInput(
        kind=str(stored.kind), title=title, body=body, community_id=stored.community_id,
        building_ids=stored.building_ids, unit_ids=stored.unit_ids, room_ids=stored.room_ids, group=str(stored.group),
        channels=stored.channels, send_at=stored.send_at, valid_until=stored.valid_until, pinned=stored.pinned,
        requires_ack=stored.requires_ack, escalate_after_minutes=stored.escalate_after_minutes,
        category=stored.category, source=stored.source))


def submit(session: Session, *, actor: Principal, notice_id: int) -> Notice:
    actor.require(Perm.NOTICES_DRAFT)
    notice = load_scoped(session, Notice, notice_id, actor)
    if notice.status != NoticeStatus.DRAFT:
        raise DomainError("comms.not_a_draft")
    _filled_in(notice)
    notice.status = NoticeStatus.PENDING
    session.add(notice)
    _audit(session, notice, actor, "submitted")
    return notice


def approve(session: Session, *, actor: Principal, notice_id: int, expected_version: int,
            now: datetime | None = None) -> Notice:
    """A manager approves what they read (the version): scheduled, and sent at once when its time has come."""
    actor.require(Perm.NOTICES_APPROVE)
    now = now or utcnow()
    notice = load_scoped(session, Notice, notice_id, actor)
    expect_version(notice, expected_version)
    if notice.status != NoticeStatus.PENDING:
        raise DomainError("comms.not_pending")
    notice.status, notice.approved_by, notice.approved_at = NoticeStatus.SCHEDULED, actor.username, now
    session.add(notice)
    _audit(session, notice, actor, "approved")
    if notice.send_at is None or notice.send_at <= now:
        send(session, notice, now)
    return notice


def send_emergency_now(session: Session, *, actor: Principal, notice_id: int, expected_version: int,
                       now: datetime | None = None) -> Notice:
    """The duty manager sends an emergency without waiting for approval; another manager reviews it after."""
    actor.require(Perm.NOTICES_APPROVE)
    now = now or utcnow()
    notice = load_scoped(session, Notice, notice_id, actor)
    expect_version(notice, expected_version)
    if notice.kind != NoticeKind.EMERGENCY or notice.status not in EDITABLE:
        raise DomainError("comms.not_an_emergency_draft")
    _filled_in(notice)
    notice.status, notice.approved_by, notice.approved_at = NoticeStatus.SCHEDULED, actor.username, now
    notice.review_needed, notice.send_at = True, now
    session.add(notice)
    _audit(session, notice, actor, "sent_at_once")
    send(session, notice, now)
    return notice


def review(session: Session, *, actor: Principal, notice_id: int) -> Notice:
    actor.require(Perm.NOTICES_APPROVE)
    notice = load_scoped(session, Notice, notice_id, actor)
    if not notice.review_needed or notice.approved_by == actor.username:
        raise DomainError("comms.review_by_another")
    notice.review_needed, notice.reviewed_by = False, actor.username
    session.add(notice)
    _audit(session, notice, actor, "reviewed")
    return notice


def send(session: Session, notice: Notice, now: datetime) -> int:
    """One household row per room reached and, per portal account and channel, one outbox message."""
    if notice.status != NoticeStatus.SCHEDULED:
        raise DomainError("comms.not_scheduled")
    reached = audience.households(session, places_of(notice))
    accounts = accounts_of_rooms(session, [room_id for room_id, _ in reached])
    urgent = notice.kind == NoticeKind.EMERGENCY
    outgoing = []
    for room_id, building_id in reached:
        session.add(NoticeHousehold(notice_id=notice.id, room_id=room_id, building_id=building_id,
                                    accounts=len(accounts[room_id])))
        for account in accounts[room_id]:
            for channel in notice.channels:
                address = decrypt(account.phone_enc) if channel == Channel.SMS else None
                outgoing.append(Outgoing(
                    key=f"notice:{notice.id}:{room_id}:{account.id}:{channel}", urgent=urgent,
                    to=Address(Recipient.OWNER_ACCOUNT, account.id, Channel(channel), address, account.language),
                    template="notify.notice", params={"title": notice.title, "path": f"/portal/notices/{notice.id}",
                                                      "kind": str(notice.kind)},
                    community_id=notice.community_id, cause=f"notice:{notice.id}"))
    session.flush()
    enqueue_many(session, outgoing)
    notice.status, notice.sent_at = NoticeStatus.SENT, now
    session.add(notice)
    session.flush()
    return len(reached)


def send_due(session: Session, now: datetime | None = None) -> int:
    """Scheduled notices whose time has come go out; sent ones past their validity expire."""
    now = now or utcnow()
    due = session.exec(select(Notice).where(Notice.status == NoticeStatus.SCHEDULED, Notice.send_at <= now)).all()
    for notice in due:
        send(session, notice, now)
    session.execute(sa.update(Notice).where(Notice.status == NoticeStatus.SENT, col(Notice.valid_until).is_not(None),
                                            Notice.valid_until <= now).values(status=NoticeStatus.EXPIRED))
    return len(due)


def withdraw(session: Session, *, actor: Principal, notice_id: int, reason: str) -> Notice:
    actor.require(Perm.NOTICES_APPROVE)
    notice = load_scoped(session, Notice, notice_id, actor)
    errors = FieldErrors()
    reason = clean_text(errors, "reason", reason, max_length=200, required=True)
    errors.raise_if_any()
    if notice.status in (NoticeStatus.WITHDRAWN, NoticeStatus.EXPIRED):
        raise DomainError("comms.already_closed")
    notice.status, notice.withdrawn_reason = NoticeStatus.WITHDRAWN, reason
    session.add(notice)
    _audit(session, notice, actor, "withdrawn", reason=reason)
    return notice


def add_update(session: Session, *, actor: Principal, notice_id: int, stage: str, body: str,
               now: datetime | None = None) -> NoticeUpdate:
    """处置进展 to the same households, through the outbox."""
    actor.require(Perm.NOTICES_APPROVE)
    notice = load_scoped(session, Notice, notice_id, actor)
    errors = FieldErrors()
    if stage not in STAGES:
        errors.add("stage", "comms.stage_invalid")
    body = clean_text(errors, "body", body, max_length=2000, required=True)
    errors.raise_if_any()
    if notice.status != NoticeStatus.SENT:
        raise DomainError("comms.not_sent")
    update = NoticeUpdate(notice_id=notice.id, stage=stage, body=body, at=now or utcnow(), by=actor.username)
    session.add(update)
    session.flush()
    rooms = [h.room_id for h in session.exec(select(NoticeHousehold).where(NoticeHousehold.notice_id == notice.id))]
    for accounts in accounts_of_rooms(session, rooms).values():
        for account in accounts:
            enqueue(session, key=f"notice_update:{update.id}:{account.id}", urgent=notice.kind == NoticeKind.EMERGENCY,
                    to=Address(Recipient.OWNER_ACCOUNT, account.id, Channel.INBOX, None, account.language),
                    template=f"notify.notice_{stage}", params={"title": notice.title, "body": body,
                                                               "path": f"/portal/notices/{notice.id}"},
                    community_id=notice.community_id, cause=f"notice:{notice.id}")
    _audit(session, notice, actor, "progress", stage=stage)
    return update


ESCALATION_SMS = 1
ESCALATION_CALL = 2


def escalate_due(session: Session, now: datetime | None = None) -> int:
    """Households that have not acknowledged an emergency in time: first an SMS to their accounts' phones, then
    (after the same time again) the steward's call list. Returns how many households moved up a step."""
    now = now or utcnow()
    moved = 0
    notices = session.exec(select(Notice).where(Notice.status == NoticeStatus.SENT, Notice.requires_ack == sa.true(),
                                                col(Notice.sent_at).is_not(None))).all()
    for notice in notices:
        waited = now - notice.sent_at
        step = timedelta(minutes=notice.escalate_after_minutes)
        target = ESCALATION_CALL if waited >= 2 * step else ESCALATION_SMS if waited >= step else 0
        if not target:
            continue
        late = session.exec(select(NoticeHousehold).where(
            NoticeHousehold.notice_id == notice.id, col(NoticeHousehold.acknowledged_at).is_(None),
            NoticeHousehold.escalation < target)).all()
        accounts = accounts_of_rooms(session, [h.room_id for h in late]) if late else {}
        for household in late:
            if household.escalation < ESCALATION_SMS:
                for account in accounts.get(household.room_id, []):
                    enqueue(session, key=f"notice_sms:{notice.id}:{household.room_id}:{account.id}", urgent=True,
                            to=Address(Recipient.OWNER_ACCOUNT, account.id, Channel.SMS,
                                       decrypt(account.phone_enc), account.language),
                            template="notify.notice_reminder", params={"title": notice.title,
                                                                       "path": f"/portal/notices/{notice.id}"},
                            community_id=notice.community_id, cause=f"notice:{notice.id}")
            household.escalation = target if household.accounts else ESCALATION_CALL  # no account: call at once
            session.add(household)
            moved += 1
    return moved


def record_call(session: Session, *, actor: Principal, notice_id: int, room_id: int, note: str,
                now: datetime | None = None) -> NoticeHousehold:
    """The steward called a household of the call list: the call, and what they said, on the record."""
    actor.require(Perm.NOTICES_VIEW)
    notice = load_scoped(session, Notice, notice_id, actor)
    household = session.get(NoticeHousehold, (notice.id, int(room_id)))
    if household is None:
        raise DomainError("comms.not_a_household")
    errors = FieldErrors()
    household.call_note = clean_text(errors, "note", note, max_length=200, required=True)
    errors.raise_if_any()
    household.called_at, household.called_by = now or utcnow(), actor.username
    household.acknowledged_at = household.acknowledged_at or household.called_at  # told by phone: it knows
    session.add(household)
    _audit(session, notice, actor, "called", room=int(room_id))
    return household
