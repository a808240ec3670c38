"""One-time codes sent by SMS through the outbox: for activation and for signing in without a password."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pm_admin.core.clock import utcnow
from pm_admin.core.crypto import decrypt
from pm_admin.notify.models import Channel, Recipient
from pm_admin.notify.outbox import Address, enqueue
from pm_admin.portal.models import CodePurpose, OneTimeCode, OwnerAccount
from pm_admin.settings import get_settings

CODE_LIFETIME = timedelta(minutes=10)
CODE_TRIES = 5  # wrong entries that spend a code
RESEND_AFTER = timedelta(seconds=60)
CODES_PER_DAY = 10  # per account: an SMS costs money and annoys a person someone else is typing the phone of


def _hash(code: str) -> str:
    return hmac.new(get_settings().secret_key.encode(), code.encode(), hashlib.sha256).hexdigest()


def send_code(session: Session, account: OwnerAccount, purpose: CodePurpose, now: datetime | None = None) -> bool:
    """Write a code and its SMS; False (nothing sent) when the account had one a moment ago or too many today."""
    now = now or utcnow()
    recent = session.exec(select(OneTimeCode.created_at).where(
        OneTimeCode.account_id == account.id, OneTimeCode.created_at > now - timedelta(days=1))
        .order_by(col(OneTimeCode.created_at).desc())).all()
    if len(recent) >= CODES_PER_DAY or (recent and now - recent[0] < RESEND_AFTER):
        return False
    code = f"{secrets.randbelow(10 ** 6):06d}"
    row = OneTimeCode(account_id=account.id, purpose=purpose, code_hash=_hash(code), created_at=now,
                      expires_at=now + CODE_LIFETIME)
    session.add(row)
    session.flush()
    enqueue(session, key=f"owner_code:{row.id}", urgent=True,  # a code the owner asked for is never switched off
            to=Address(Recipient.OWNER_ACCOUNT, account.id, Channel.SMS, decrypt(account.phone_enc), account.language),
            template="notify.portal_code", params={"code": code, "minutes": int(CODE_LIFETIME.total_seconds() // 60)},
            community_id=account.community_id, cause=f"owner_account:{account.id}")
    return True


def use_code(session: Session, account: OwnerAccount, purpose: CodePurpose, code: str,
             now: datetime | None = None) -> bool:
    """Spend the account's newest live code if ``code`` matches it; a wrong try counts against it."""
    now = now or utcnow()
    row = session.exec(select(OneTimeCode).where(
        OneTimeCode.account_id == account.id, OneTimeCode.purpose == purpose, col(OneTimeCode.used_at).is_(None),
        OneTimeCode.expires_at > now, OneTimeCode.failures < CODE_TRIES)
        .order_by(col(OneTimeCode.created_at).desc())).first()
    if row is None:
        return False
    if not hmac.compare_digest(row.code_hash, _hash(code.strip())):
        session.execute(sa.update(OneTimeCode).where(OneTimeCode.id == row.id)
                        .values(failures=OneTimeCode.failures + 1))
        return False
    row.used_at = now
    session.add(row)
    return True
