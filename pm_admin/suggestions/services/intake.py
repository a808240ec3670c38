"""Suggestions coming in: a slip from the box (entered by staff, with a photo of it), something heard on a visit,
at a meeting, in an owner group or at the front desk, and an owner's own from the portal."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from pm_admin.core.clock import local_today, utcnow
from pm_admin.core.errors import FieldErrors, NotFound
from pm_admin.core.files import Download, UploadPurpose, discard_upload, private_dir, read_upload, store_by_hash
from pm_admin.core.ids import is_id
from pm_admin.core.parsers import clean_text
from pm_admin.core.permissions import OwnerPrincipal, Perm, PortalPerm, Principal
from pm_admin.core.scoping import community_of
from pm_admin.places.models import Room
from pm_admin.suggestions.models import Suggestion, SuggestionChannel
from pm_admin.suggestions.services.common import audit, load_suggestion, reply_due
from pm_admin.tickets.models import TicketCategory
from pm_admin.tickets.services.evidence import sniff_media

SLIP_PURPOSE = "suggestion_slip"
SLIP_UPLOAD = UploadPurpose(Perm.SUGGESTIONS_MANAGE, 15 * 1024 * 1024, (".jpg", ".jpeg", ".png", ".webp"))
STAFF_CHANNELS = tuple(c for c in SuggestionChannel if c != SuggestionChannel.PORTAL)
CONTENT_LENGTH = 2000


@dataclasses.dataclass
class SuggestionInput:
    community_id: Any = ""
    channel: str = SuggestionChannel.BOX.value
    category_id: Any = ""
    content: str = ""
    room_code: str = ""  # a signed slip or a visit: the room it came from (optional)
    submitter_name: str = ""
    source: str = ""


def _category(session: Session, errors: FieldErrors, category_id: Any) -> int | None:
    category = session.get(TicketCategory, int(category_id)) if is_id(category_id) else None
    if category is None or not category.is_active:
        errors.add("category_id", "suggestions.choose_category")
        return None
    return category.id


def _room(session: Session, errors: FieldErrors, community_id: int, code: str) -> int | None:
    code = str(code or "").strip().upper()
    if not code:
        return None
    room = session.exec(select(Room).where(Room.community_id == community_id, Room.code == code)).first()
    if room is None:
        errors.add("room_code", "suggestions.room_unknown")
        return None
    return room.id


def slip_path(sha256: str) -> Path:
    return private_dir("suggestions", sha256[:2]) / sha256


def _store_photo(session: Session, actor: Principal, errors: FieldErrors, upload_id: str) -> tuple[str, str]:
    upload, data = read_upload(session, principal=actor, upload_id=upload_id, purpose_name=SLIP_PURPOSE)
    content_type = sniff_media(data)
    if content_type is None or not content_type.startswith("image/"):
        errors.add("photo", "suggestions.not_a_photo")
        return "", ""
    digest = hashlib.sha256(data).hexdigest()
    store_by_hash(slip_path(digest), data, digest)
    discard_upload(session, upload.id)
    return digest, content_type


def enter_suggestion(session: Session, *, actor: Principal, data: SuggestionInput,
                     photo_upload_id: str = "") -> Suggestion:
    """A suggestion staff received (a box slip, a visit, a meeting, a group, the front desk)."""
    actor.require(Perm.SUGGESTIONS_MANAGE)
    errors = FieldErrors()
    community_id = community_of(errors, actor, data.community_id)
    if data.channel not in STAFF_CHANNELS:
        errors.add("channel", "suggestions.channel_invalid")
    category_id = _category(session, errors, data.category_id)
    content = clean_text(errors, "content", data.content, max_length=CONTENT_LENGTH, required=True)
    name = clean_text(errors, "submitter_name", data.submitter_name, max_length=40)
    source = clean_text(errors, "source", data.source, max_length=64)
    room_id = _room(session, errors, community_id, data.room_code) if community_id else None
    errors.raise_if_any()
    photo = _store_photo(session, actor, errors, photo_upload_id) if photo_upload_id else ("", "")
    errors.raise_if_any()
    suggestion = Suggestion(community_id=community_id, channel=SuggestionChannel(data.channel),
                            category_id=category_id, content=content, room_id=room_id, submitter_name=name,
                            source=source, photo_sha256=photo[0], photo_type=photo[1], received_by=actor.username,
                            reply_due_on=reply_due(local_today()))
    session.add(suggestion)
    session.flush()
    audit(session, actor, "suggestion.enter", suggestion, channel=data.channel, photo=bool(photo[0]))
    return suggestion


def submit_from_portal(session: Session, *, owner: OwnerPrincipal, room_id: Any, category_id: Any,
                       content: str) -> Suggestion:
    """An owner's suggestion for one of their rooms; the reply reaches their portal inbox."""
    owner.require(PortalPerm.FEEDBACK)
    errors = FieldErrors()
    room = None
    if not is_id(room_id):
        errors.add("room_id", "portal.choose_room")
    else:
        room = owner.room(int(room_id))  # refuses a room that is not theirs
    category = _category(session, errors, category_id)
    text = clean_text(errors, "content", content, max_length=CONTENT_LENGTH, required=True)
    errors.raise_if_any()
    suggestion = Suggestion(community_id=room.community_id, channel=SuggestionChannel.PORTAL, category_id=category,
                            content=text, room_id=room.room_id, account_id=owner.account_id, language=owner.language,
                            submitter_name=owner.display_name[:40], received_by=f"owner:{owner.account_id}",
                            received_at=utcnow(), reply_due_on=reply_due(local_today()))
    session.add(suggestion)
    session.flush()
    return suggestion


def slip_photo(session: Session, principal: Principal, params: dict[str, Any]) -> Download:
    """The slip's photo for a download ticket: staff who may see the suggestion."""
    suggestion = load_suggestion(session, principal, params.get("suggestion_id"), Perm.SUGGESTIONS_VIEW)
    if not suggestion.photo_sha256:
        raise NotFound("suggestion_photo")
    extension = {"image/png": "png", "image/webp": "webp"}.get(suggestion.photo_type, "jpg")
    return Download(f"意见箱-{suggestion.id}.{extension}", suggestion.photo_type,
                    [slip_path(suggestion.photo_sha256).read_bytes()])


DOWNLOADS = {"suggestion_slip": slip_photo}
