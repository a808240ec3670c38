"""Key rotation for personal data: re-encrypt under the newest key and rebuild blind indexes.

Run ``python -m pm_admin.cli rotate-keys`` after putting a new key first in ``PM_FIELD_KEYS``
(keep the old one after it until the command has finished) or after changing
``PM_BLIND_INDEX_KEY``.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session, select

from pm_admin.core.crypto import decrypt, reencrypt
from pm_admin.owners.models import HouseholdMember, Occupant, Owner, OwnerPhone
from pm_admin.owners.services.records import id_index, phone_index
from pm_admin.owners.validation import parse_phone

BATCH = 1000


def _phone_index(display: str | None) -> str | None:
    parsed = parse_phone(display) if display else None
    return phone_index(parsed) if parsed else None


def _id_index(value: str | None) -> str | None:
    return id_index(value) if value else None


# (model, encrypted column, index column, how to index the plaintext)
ENCRYPTED_COLUMNS: tuple[tuple[type, str, str, Callable[[str | None], str | None]], ...] = (
    (Owner, "id_number_enc", "id_number_index", _id_index),
    (OwnerPhone, "phone_enc", "phone_index", _phone_index),
    (HouseholdMember, "phone_enc", "phone_index", _phone_index),
    (HouseholdMember, "id_number_enc", "id_number_index", _id_index),
    (Occupant, "phone_enc", "phone_index", _phone_index),
    (Occupant, "id_number_enc", "id_number_index", _id_index),
)


def rotate_personal_data(session: Session) -> dict[str, int]:
    """Re-encrypt every personal-data value with the first key and recompute its blind index."""
    counts: dict[str, int] = {}
    for model, enc_column, index_column, index_of in ENCRYPTED_COLUMNS:
        name = f"{model.__tablename__}.{enc_column}"
        counts[name] = 0
        last_id = 0
        while True:
            rows = session.exec(select(model).where(model.id > last_id).order_by(model.id).limit(BATCH)).all()
            if not rows:
                break
            for row in rows:
                token = getattr(row, enc_column)
                if token:
                    setattr(row, enc_column, reencrypt(token))
                    setattr(row, index_column, index_of(decrypt(token)))
                    session.add(row)
                    counts[name] += 1
            last_id = rows[-1].id
            session.flush()
    return counts
