"""bcrypt with a SHA-256 pre-hash.

bcrypt reads at most 72 bytes; a 64-character Chinese password is 192 bytes of UTF-8.
Pre-hashing to base64(SHA-256) (44 ASCII bytes) keeps every character significant and
avoids bcrypt's NUL-byte truncation.
"""

from __future__ import annotations

import base64
import hashlib
import unicodedata

import bcrypt

from pm_admin.settings import get_settings

MIN_LENGTH = 8
MAX_LENGTH = 256


def _prehash(password: str) -> bytes:
    # NFC so that the same characters typed on different keyboards/IMEs match.
    normalized = unicodedata.normalize("NFC", password)
    return base64.b64encode(hashlib.sha256(normalized.encode("utf-8")).digest())


def hash_password(password: str, rounds: int | None = None) -> str:
    rounds = rounds or get_settings().bcrypt_rounds
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(rounds)).decode("ascii")


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return bcrypt.checkpw(_prehash(password), password_hash.encode("ascii"))
    except ValueError:
        return False


def hash_rounds(password_hash: str) -> int:
    return int(password_hash.split("$")[2])


# Verifying against this when the username is unknown makes both cases cost the same.
_DUMMY_HASH: str | None = None


def dummy_verify(password: str) -> None:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password("dummy-password-for-timing")
    verify_password(password, _DUMMY_HASH)


def password_problems(password: str) -> str | None:
    """An i18n key describing why a new password is not acceptable, else None."""
    if len(password) < MIN_LENGTH:
        return "auth.password_too_short"
    if len(password) > MAX_LENGTH:
        return "auth.password_too_long"
    if password.strip() != password and not password.strip():
        return "auth.password_blank"
    return None
