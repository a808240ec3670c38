"""What the dispatcher hands a channel and what a channel answers: no database, no retries, no throttles here."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from typing import Any, Protocol


class Result(enum.StrEnum):
    SENT = "sent"  # the provider accepted it
    DELIVERED = "delivered"  # it reached the person (the inbox: at once)
    RETRY = "retry"  # a passing failure: try again later (timeouts, "too fast", the provider's own errors)
    PERMANENT = "permanent"  # this message will never go through as it is (a refused address, a wrong template)


@dataclasses.dataclass(frozen=True)
class Outgoing:
    """One message as a channel sees it: the address decrypted, the text rendered in the reader's language.

    ``key`` is the outbox key, unique per message. Every channel passes it to its provider as that provider's
    idempotency handle (e-mail: the Message-ID; SMS: the out-id), so a message sent twice — the one in flight
    when a dispatcher died — can be recognised as one by whoever receives it."""

    id: int
    key: str
    address: str | None
    title: str
    body: str
    template: str
    params: dict[str, Any]
    language: str
    urgent: bool = False


@dataclasses.dataclass(frozen=True)
class Outcome:
    result: Result
    provider_message_id: str = ""
    error: str = ""
    # At the earliest this many seconds before another try (a provider saying "too fast" says how long).
    retry_after: float | None = None

    @classmethod
    def sent(cls, provider_message_id: str = "") -> "Outcome":
        return cls(Result.SENT, provider_message_id=provider_message_id[:128])

    @classmethod
    def delivered(cls, provider_message_id: str = "") -> "Outcome":
        return cls(Result.DELIVERED, provider_message_id=provider_message_id[:128])

    @classmethod
    def retry(cls, error: str, retry_after: float | None = None) -> "Outcome":
        return cls(Result.RETRY, error=error[:500], retry_after=retry_after)

    @classmethod
    def permanent(cls, error: str) -> "Outcome":
        return cls(Result.PERMANENT, error=error[:500])


class Sender(Protocol):
    """One channel. ``configured`` False: nothing to send through (development outbox, or dead in production)."""

    configured: bool
    # Why it is not configured, naming the settings to set (the last_error of a message in production).
    missing: str

    def send(self, message: Outgoing) -> Outcome: ...

    def throttle_key(self, message: Outgoing) -> str | None:
        """A narrower limit than the channel's own, e.g. one WeCom robot; None for none."""
        ...

    def close(self) -> None: ...


def key_digest(key: str, length: int = 32) -> str:
    """A short stable token of an outbox key, for providers that limit what an id may contain."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:length]
