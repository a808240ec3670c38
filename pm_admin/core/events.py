"""Cross-domain effects: a lower domain publishes a fact, higher domains react in the same transaction.

A publisher never imports its subscribers (that would point the layers the wrong way). Every subscription is
made in one place, ``pm_admin.wiring.install()``, which the app, the command line and the tests call; until it
has run, publishing raises, so a script that forgets it fails at once instead of silently skipping archive
tracking, the household work or the KPI rollups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlmodel import Session

Handler = Callable[[Session, Any], None]
BatchHandler = Callable[[Session, Sequence[Any]], None]

_handlers: defaultdict[type, list[tuple[Handler, BatchHandler | None]]] = defaultdict(list)
_installed = False


class NotWired(RuntimeError):
    """Raised until ``install()`` of ``pm_admin/wiring.py`` has run."""

    def __str__(self) -> str:
        return "cross-domain subscriptions are not installed: call install() of pm_admin/wiring.py first"


def subscribe(event_type: type, handler: Handler, *, batch: BatchHandler | None = None) -> Handler:
    """``handler(session, event)`` for every published ``event_type``; ``batch(session, events)`` takes many
    at once (a spreadsheet import) in one pass, when given."""
    _handlers[event_type].append((handler, batch))
    return handler


def unsubscribe(event_type: type, handler: Handler) -> None:
    _handlers[event_type] = [(known, batch) for known, batch in _handlers[event_type] if known is not handler]


def mark_installed() -> None:
    global _installed
    _installed = True


def is_installed() -> bool:
    return _installed


def require_installed() -> None:
    if not _installed:
        raise NotWired()


def publish(session: Session, event: Any) -> None:
    require_installed()
    for handler, _ in _handlers[type(event)]:
        handler(session, event)


def publish_all(session: Session, events: Sequence[Any]) -> None:
    """Many events of one type, handed over together to the handlers that take a batch."""
    require_installed()
    if not events:
        return
    for handler, batch in _handlers[type(events[0])]:
        if batch is not None:
            batch(session, events)
        else:
            for event in events:
                handler(session, event)
