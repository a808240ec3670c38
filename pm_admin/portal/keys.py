"""Key rotation for the portal's personal data: owner accounts' sign-in phones (and their blind index, which a new
``PM_BLIND_INDEX_KEY`` changes) and the phones of contact change requests still waiting."""

from __future__ import annotations

from sqlmodel import Session, col, select

from pm_admin.core.crypto import decrypt, reencrypt
from pm_admin.portal.models import ContactRequest, OwnerAccount
from pm_admin.portal.services.invitations import phone_key

BATCH = 1000


def rotate_portal_data(session: Session) -> dict[str, int]:
    counts = {"owner_account.phone_enc": 0, "owner_contact_request.phone_enc": 0}
    last_id = 0
    while rows := session.exec(select(OwnerAccount).where(OwnerAccount.id > last_id)
                               .order_by(OwnerAccount.id).limit(BATCH)).all():
        for account in rows:
            account.phone_enc = reencrypt(account.phone_enc)
            account.phone_index = phone_key(decrypt(account.phone_enc) or "") or account.phone_index
            session.add(account)
            counts["owner_account.phone_enc"] += 1
        last_id = rows[-1].id
        session.flush()
    waiting = col(ContactRequest.phone_enc).is_not(None) | col(ContactRequest.phone2_enc).is_not(None)
    for request in session.exec(select(ContactRequest).where(waiting)).all():
        request.phone_enc, request.phone2_enc = reencrypt(request.phone_enc), reencrypt(request.phone2_enc)
        session.add(request)
        counts["owner_contact_request.phone_enc"] += 1
    session.flush()
    return counts

