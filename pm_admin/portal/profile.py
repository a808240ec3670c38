"""What the owner's profile page reads: who they are (phone masked), their rooms, the registry's contact data of
their own record, their waiting or last decided change request, and their channel preferences."""

from __future__ import annotations

from sqlmodel import Session, col, select

from pm_admin.core.clock import local_text
from pm_admin.core.crypto import decrypt
from pm_admin.core.masking import mask_phone
from pm_admin.core.permissions import OwnerPrincipal, PortalPerm
from pm_admin.notify import services as notify_services
from pm_admin.notify.models import Recipient
from pm_admin.owners.models import Owner
from pm_admin.owners.services.records import owner_phones
from pm_admin.portal.models import ContactRequest, OwnerAccount, PersonKind, RequestStatus
from pm_admin.portal.queries import room_labels


def request_view(request: ContactRequest) -> dict:
    return {"id": request.id, "created_at": local_text(request.created_at), "phone": request.phone_masked,
            "phone2": request.phone2_masked, "drop_phone2": request.drop_phone2, "address": request.address or "",
            "status": str(request.status), "reason": request.reason, "decided_at": local_text(request.decided_at)}


NO_REQUEST = {"id": 0, "created_at": "", "phone": "", "phone2": "", "drop_phone2": False, "address": "", "status": "",
              "reason": "", "decided_at": ""}


def can_request(owner: OwnerPrincipal) -> bool:
    return owner.person_kind == PersonKind.OWNER and owner.owner_id is not None and bool(owner.rooms)


def profile(session: Session, owner: OwnerPrincipal) -> dict:
    owner.require(PortalPerm.PROFILE)
    account = session.get(OwnerAccount, owner.account_id)
    requesting = can_request(owner)
    phones = owner_phones(session, owner.owner_id) if requesting else []
    stored = session.get(Owner, owner.owner_id) if requesting else None
    requests = session.exec(select(ContactRequest).where(
        ContactRequest.account_id == owner.account_id, ContactRequest.status != RequestStatus.WITHDRAWN)
        .order_by(col(ContactRequest.id).desc()).limit(1)).all()
    latest = request_view(requests[0]) if requests else NO_REQUEST
    waiting = latest["status"] == RequestStatus.PENDING
    preferences = notify_services.preferences(session, Recipient.OWNER_ACCOUNT, owner.account_id)
    return {"name": owner.display_name, "phone": mask_phone(decrypt(account.phone_enc)),
            "rooms": room_labels(session, owner), "can_request": requesting,
            "phone1": mask_phone(phones[0]) if phones else "", "phone2": mask_phone(phones[1]) if len(phones) > 1 else "",
            "address": stored.address if stored else "",
            # Both always carry every key (the page tests them): the waiting request, or the last decided one.
            "has_waiting": waiting, "waiting": latest if waiting else NO_REQUEST,
            "has_decided": bool(latest["id"]) and not waiting, "decided": NO_REQUEST if waiting else latest,
            "sms": preferences["sms"], "email": preferences["email"]}
