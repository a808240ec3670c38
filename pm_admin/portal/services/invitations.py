"""Inviting a person of the registry to the portal: an account in state invited and a one-time activation link."""

from __future__ import annotations

import dataclasses
import hashlib
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.audit import record
from pm_admin.core.clock import utcnow
from pm_admin.core.crypto import blind_index, decrypt, encrypt
from pm_admin.core.errors import DomainError, NotFound
from pm_admin.core.permissions import Perm, Principal
from pm_admin.notify.models import Channel, Recipient
from pm_admin.notify.outbox import Address, enqueue
from pm_admin.owners.validation import parse_phone
from pm_admin.portal import people
from pm_admin.portal.models import AccountStatus, Invitation, OwnerAccount, PersonKind
from pm_admin.portal.staff_queries import owners_to_invite

INVITATION_LIFETIME = timedelta(days=14)
ACTIVATION_PATH = "/portal/activate/"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def phone_key(phone: str) -> str | None:
    """The blind index an account is found by at sign-in (the same normalisation as the owner registry)."""
    parsed = parse_phone(phone)
    return blind_index("phone", parsed.e164) if parsed else None


@dataclasses.dataclass(frozen=True)
class IssuedInvitation:
    account_id: int
    name: str
    token: str
    expires_at: datetime

    @property
    def path(self) -> str:
        return ACTIVATION_PATH + self.token


def _account_for(session: Session, kind: PersonKind, person: people.Person) -> OwnerAccount:
    account = session.exec(select(OwnerAccount).where(OwnerAccount.person_kind == kind,
                                                      OwnerAccount.person_id == person.person_id)).first()
    key = phone_key(person.phone)
    if key is None:
        raise DomainError("portal.person_has_no_mobile")
    taken = session.exec(select(OwnerAccount.id).where(OwnerAccount.phone_index == key)).first()
    if taken is not None and (account is None or taken != account.id):
        raise DomainError("portal.phone_has_account")
    if account is None:
        account = OwnerAccount(person_kind=kind, person_id=person.person_id, community_id=person.rooms[0].community_id,
                               display_name=person.name, phone_enc=encrypt(person.phone), phone_index=key)
    elif account.status == AccountStatus.DISABLED:
        raise DomainError("portal.account_disabled")
    else:  # the registry's phone may have changed since the last invitation
        account.display_name, account.phone_enc, account.phone_index = person.name, encrypt(person.phone), key
    session.add(account)
    session.flush()
    return account


def invite(session: Session, *, actor: Principal, person_kind: str, person_id: int, send: bool = False,
           now: datetime | None = None) -> IssuedInvitation:
    """A fresh activation link for the person (earlier unused links stop working); ``send`` also texts it."""
    actor.require(Perm.OWNER_ACCOUNTS_MANAGE)
    now = now or utcnow()
    kind = PersonKind(person_kind)
    found = people.person(session, kind, person_id)
    if found is None:
        raise NotFound("person")
    if not found.rooms:
        raise DomainError("portal.person_has_no_room")
    for room in found.rooms:
        actor.require_community(room.community_id)
    account = _account_for(session, kind, found)
    if account.status == AccountStatus.ACTIVE:
        raise DomainError("portal.account_already_active")
    session.execute(sa.update(Invitation).where(Invitation.account_id == account.id, col(Invitation.used_at).is_(None),
                                                Invitation.expires_at > now).values(expires_at=now))
    token = secrets.token_urlsafe(24)
    invitation = Invitation(account_id=account.id, token_hash=token_hash(token), created_by=actor.audit_user_id,
                            created_at=now, expires_at=now + INVITATION_LIFETIME)
    session.add(invitation)
    session.flush()
    issued = IssuedInvitation(account.id, account.display_name, token, invitation.expires_at)
    if send:
        enqueue(session, key=f"owner_invitation:{invitation.id}",
                to=Address(Recipient.OWNER_ACCOUNT, account.id, Channel.SMS, decrypt(account.phone_enc)),
                template="notify.portal_invitation", params={"name": account.display_name, "path": issued.path},
                community_id=account.community_id, cause=f"owner_account:{account.id}")
    record(session, action="portal.invited", actor=actor, entity_type="owner_account", entity_id=account.id,
           community_id=account.community_id,
           details={"person_kind": str(kind), "person_id": person_id, "sent": send})
    return issued


def open_invitation(session: Session, token: str, now: datetime | None = None) -> tuple[Invitation, OwnerAccount]:
    """The live invitation of a link and its account, or a refusal that does not say why (used, expired, unknown)."""
    now = now or utcnow()
    invitation = session.exec(select(Invitation).where(Invitation.token_hash == token_hash(token or ""))).first()
    account = session.get(OwnerAccount, invitation.account_id) if invitation else None
    if (invitation is None or account is None or invitation.used_at is not None or invitation.expires_at <= now
            or account.status != AccountStatus.INVITED):
        raise DomainError("portal.invitation_invalid")
    return invitation, account


@dataclasses.dataclass(frozen=True)
class PrintedInvitation:
    room_code: str
    name: str
    issued: IssuedInvitation


def invite_building(session: Session, *, actor: Principal, building_id: int,
                    now: datetime | None = None) -> list[PrintedInvitation]:
    """Fresh links for a building's owners not yet active, for the steward to print and hand out (each print voids
    the links printed before). Owners without a mobile number on record are left out (the registry must have one)."""
    printed, seen = [], set()
    for owner_id, room_code, name in owners_to_invite(session, actor, building_id):
        if owner_id in seen:  # an owner of two rooms of the building gets one link
            continue
        seen.add(owner_id)
        try:
            issued = invite(session, actor=actor, person_kind=PersonKind.OWNER.value, person_id=owner_id, now=now)
        except DomainError:  # no mobile, or a phone another account already uses: shown on the accounts page
            continue
        printed.append(PrintedInvitation(room_code, name, issued))
    return printed
