"""Personal data at rest: Fernet encryption (newest key first) and keyed blind indexes.

Ciphertexts are randomised, so equality search goes through the blind index: an HMAC of the
normalised value under a separate key. The plaintext never reaches the database.
"""

from __future__ import annotations

import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from pm_admin.settings import get_settings


@functools.cache
def _cipher(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key) for key in keys])


def cipher() -> MultiFernet:
    return _cipher(get_settings().field_keys)


def encrypt(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    return cipher().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str | None) -> str | None:
    if not token:
        return None
    try:
        return cipher().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as error:
        raise RuntimeError("personal data could not be decrypted: wrong PM_FIELD_KEYS?") from error


def reencrypt(token: str | None) -> str | None:
    """The same plaintext under the newest key (for key rotation)."""
    return cipher().rotate(token.encode("ascii")).decode("ascii") if token else token


def blind_index(kind: str, normalized: str | None, key: str | None = None) -> str | None:
    """Stable keyed digest for exact search; ``kind`` separates phone and ID-number spaces."""
    if not normalized:
        return None
    secret = (key or get_settings().blind_index_key).encode()
    return hmac.new(secret, f"{kind}:{normalized}".encode(), hashlib.sha256).hexdigest()[:40]
