"""The owner's profile: requests to change their contact data (decided by staff), and their channel preferences.

A request is the owner's words, not a change: the registry changes only when a staff member with ``owners.edit``
in the owner's community approves it, through the owner registry (owner history, archive change record, audit,
as for any staff edit). A new first phone is also the account's sign-in phone from then on, so it must be a mobile
no other account signs in with. Typed phones are stored encrypted while the request waits and shown masked; the
decision wipes them (the registry then holds the number). The owner is told of the decision in the portal inbox.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.crypto import decrypt, encrypt
from pm_admin.core.errors import DomainError, FieldErrors, NotFound, PermissionDenied
from pm_admin.core.ids import is_id
from pm_admin.core.masking import mask_phone
from pm_admin.core.parsers import clean_reason, clean_text
from pm_admin.core.permissions import OwnerPrincipal, Perm, PortalPerm, Principal
from pm_admin.core.scoping import expect_version, load_scoped
from pm_admin.notify import services as notify_services
from pm_admin.notify.models import Channel, Recipient
from pm_admin.notify.outbox import Address, enqueue
from pm_admin.owners.models import Owner
from pm_admin.owners.services.records import owner_phones
from pm_admin.owners.services.registry import update_contact
from pm_admin.owners.validation import parse_phone
from pm_admin.portal.models import ContactRequest, OwnerAccount, PersonKind, RequestStatus
from pm_admin.portal.services.invitations import phone_key

ENTITY = "contact_request"
PROFILE_PATH = "/portal/profile"
OWNER_CHANNELS = (Channel.SMS, Channel.EMAIL)  # what an owner may switch off (never the inbox, never emergencies)
MIN_REJECT_REASON = 2


@dataclasses.dataclass
class ContactChange:
    """What the owner typed; blank leaves a field as it is."""

    phone: str = ""
    phone2: str = ""
    drop_phone2: bool = False
    address: str = ""


def _owner_of(owner: OwnerPrincipal) -> int:
    """Only an owner changes the registry's contact data of their own record (not a household member or tenant)."""
    if owner.person_kind != PersonKind.OWNER or owner.owner_id is None or not owner.rooms:
        raise PermissionDenied("portal.profile_owner_only")
    return owner.owner_id


def _same_phone(typed, stored: list[str], position: int) -> bool:
    if position >= len(stored):
        return False
    parsed = parse_phone(stored[position] or "")
    return parsed is not None and parsed.e164 == typed.e164


def waiting_request(session: Session, account_id: int) -> ContactRequest | None:
    return session.exec(select(ContactRequest).where(ContactRequest.account_id == account_id,
                                                     ContactRequest.status == RequestStatus.PENDING)).first()


def request_change(session: Session, *, owner: OwnerPrincipal, data: ContactChange,
                   now: datetime | None = None) -> ContactRequest:
    """File a request (one waiting at a time). Fields equal to what is stored are not changes; nothing changed is
    refused."""
    owner.require(PortalPerm.PROFILE)
    owner_id = _owner_of(owner)
    stored_owner = session.get(Owner, owner_id)
    stored = owner_phones(session, owner_id)
    errors = FieldErrors()
    phone = phone2 = None
    if data.phone.strip():
        phone = parse_phone(data.phone)
        if phone is None or not phone.is_mobile:
            errors.add("phone", "portal.phone_mobile_required")
        elif _same_phone(phone, stored, 0):
            phone = None
        elif (taken := session.exec(select(OwnerAccount.id).where(
                OwnerAccount.phone_index == phone_key(phone.display))).first()) is not None \
                and taken != owner.account_id:
            errors.add("phone", "portal.phone_has_account")
    drop_phone2 = bool(data.drop_phone2) and len(stored) > 1
    if data.phone2.strip():
        phone2 = parse_phone(data.phone2)
        if phone2 is None:
            errors.add("phone2", "owners.phone_invalid")
        elif data.drop_phone2:
            errors.add("phone2", "portal.phone2_or_drop")
        elif _same_phone(phone2, stored, 1):
            phone2 = None
    address = clean_text(errors, "address", data.address, max_length=200)
    if address == stored_owner.address:
        address = ""
    errors.raise_if_any()
    if phone is None and phone2 is None and not drop_phone2 and not address:
        errors.add("form", "portal.nothing_changed")
        errors.raise_if_any()
    if waiting_request(session, owner.account_id) is not None:
        raise DomainError("portal.request_waiting")
    request = ContactRequest(
        account_id=owner.account_id, owner_id=owner_id, community_id=owner.rooms[0].community_id,
        phone_enc=encrypt(phone.display) if phone else None, phone_masked=mask_phone(phone.display) if phone else "",
        phone2_enc=encrypt(phone2.display) if phone2 else None,
        phone2_masked=mask_phone(phone2.display) if phone2 else "", drop_phone2=drop_phone2,
        address=address or None, created_at=now or utcnow())
    session.add(request)
    try:
        session.flush()
    except IntegrityError as error:  # the same owner submitted twice at once: one waits, the other is refused
        raise DomainError("portal.request_waiting") from error
    record(session, action="portal.contact_requested", actor_name=f"owner_account:{owner.account_id}",
           client=owner.client, entity_type="owner", entity_id=owner_id, community_id=request.community_id,
           details=_masked_changes(request))
    return request


def _masked_changes(request: ContactRequest) -> dict:
    return {"request": request.id, "phone": request.phone_masked, "phone2": request.phone2_masked,
            "drop_phone2": request.drop_phone2, "address": request.address is not None}


def withdraw(session: Session, *, owner: OwnerPrincipal, request_id: object) -> None:
    """The owner takes back their own waiting request (another's, or a decided one, reads as missing)."""
    owner.require(PortalPerm.PROFILE)
    request = session.get(ContactRequest, int(request_id)) if is_id(request_id) else None
    if request is None or request.account_id != owner.account_id or request.status != RequestStatus.PENDING:
        raise NotFound(ENTITY)
    _close(request, RequestStatus.WITHDRAWN, None, utcnow())
    session.add(request)
    session.flush()
    record(session, action="portal.contact_withdrawn", actor_name=f"owner_account:{owner.account_id}",
           client=owner.client, entity_type="owner", entity_id=request.owner_id, community_id=request.community_id,
           details={"request": request.id})


def _close(request: ContactRequest, status: RequestStatus, actor: Principal | None, now: datetime) -> None:
    request.status, request.decided_at = status, now
    if actor is not None:
        request.decided_by, request.decided_by_name = actor.audit_user_id, actor.display_name
    request.phone_enc = request.phone2_enc = None  # the registry holds the number now, or nobody needs it


def _waiting(session: Session, actor: Principal, request_id: object, expected_version: int | None) -> ContactRequest:
    actor.require(Perm.OWNERS_EDIT)
    request = load_scoped(session, ContactRequest, request_id, actor, entity=ENTITY)
    expect_version(request, expected_version, lambda: {"status": str(request.status)})
    if request.status != RequestStatus.PENDING:
        raise DomainError("portal.request_decided")
    return request


def _tell_owner(session: Session, request: ContactRequest, outcome: str, params: dict) -> None:
    account = session.get(OwnerAccount, request.account_id)
    enqueue(session, key=f"contact_request:{request.id}:{outcome}:owner_account:{account.id}:inbox",
            to=Address(Recipient.OWNER_ACCOUNT, account.id, Channel.INBOX, language=account.language),
            template=f"notify.contact_{outcome}", params={**params, "path": PROFILE_PATH},
            community_id=request.community_id, cause=f"owner:{request.owner_id}")


def approve(session: Session, *, actor: Principal, request_id: object, expected_version: int | None,
            now: datetime | None = None) -> ContactRequest:
    """Apply the request to the registry as ``actor``'s edit; a new first phone also becomes the sign-in phone."""
    request = _waiting(session, actor, request_id, expected_version)
    phone = decrypt(request.phone_enc) or ""
    update_contact(session, actor=actor, owner_id=request.owner_id, phone=phone,
                   phone2=decrypt(request.phone2_enc) or "", drop_phone2=request.drop_phone2, address=request.address)
    account = session.get(OwnerAccount, request.account_id)
    if phone and account is not None:
        key = phone_key(phone)
        taken = session.exec(select(OwnerAccount.id).where(OwnerAccount.phone_index == key)).first()
        if taken is not None and taken != account.id:  # another account took the number since the request
            raise DomainError("portal.phone_has_account")
        account.phone_enc, account.phone_index = encrypt(phone), key
        session.add(account)
    _close(request, RequestStatus.APPROVED, actor, now or utcnow())
    session.add(request)
    session.flush()
    record(session, action="portal.contact_approved", actor=actor, entity_type="owner", entity_id=request.owner_id,
           community_id=request.community_id, details=_masked_changes(request))
    _tell_owner(session, request, "approved", {})
    return request


def reject(session: Session, *, actor: Principal, request_id: object, expected_version: int | None, reason: str,
           now: datetime | None = None) -> ContactRequest:
    """Refuse the request with a reason the owner reads in the portal; the registry is not touched."""
    request = _waiting(session, actor, request_id, expected_version)
    errors = FieldErrors()
    reason = clean_reason(errors, "reason", reason, min_length=MIN_REJECT_REASON, max_length=200)
    errors.raise_if_any()
    _close(request, RequestStatus.REJECTED, actor, now or utcnow())
    request.reason = reason
    session.add(request)
    session.flush()
    record(session, action="portal.contact_rejected", actor=actor, entity_type="owner", entity_id=request.owner_id,
           community_id=request.community_id, details={**_masked_changes(request), "reason": reason})
    _tell_owner(session, request, "rejected", {"reason": reason})
    return request


# ------------------------------------------------------------------ channel preferences

def set_channel(session: Session, *, owner: OwnerPrincipal, channel: str, enabled: bool) -> None:
    """Switch SMS or e-mail notices off (or on again). Emergencies and the codes the owner asks for are sent
    regardless; the portal inbox always receives everything."""
    owner.require(PortalPerm.PROFILE)
    if channel not in OWNER_CHANNELS:
        raise DomainError("error.invalid_request")
    if notify_services.set_preference(session, Recipient.OWNER_ACCOUNT, owner.account_id, channel, bool(enabled)):
        account = session.get(OwnerAccount, owner.account_id)
        record(session, action="portal.channel_preference", actor_name=f"owner_account:{owner.account_id}",
               client=owner.client, entity_type="owner_account", entity_id=owner.account_id,
               community_id=account.community_id if account else None,
               details={"channel": channel, "enabled": bool(enabled)})
