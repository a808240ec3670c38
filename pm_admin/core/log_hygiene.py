"""What Reflex logs about a client's events carries that client's text: keep it to one short line.

Reflex looks an event's handler up before any middleware runs, and logs a name no handler has with a full
traceback and the whole event (payload included); its socket handler logs malformed event data in full.
A script could fill the log with both. The filter on those loggers writes each such record as one line of
at most ``MAX_CHARS`` characters, control characters shown escaped, with no traceback for an unknown
handler name, and at most ``PER_MINUTE`` records a minute per logger (then one line saying so).
"""

from __future__ import annotations

import logging
import time

from pm_admin.core.unexpected import one_log_line

CLIENT_EVENT_LOGGERS = ("reflex.app", "reflex.state", "reflex_base.event.processor.event_processor",
                        "reflex_base.event.processor.base_state_processor")
MAX_CHARS = 2_000
PER_MINUTE = 60
UNKNOWN_HANDLER = "No registered handler found for event"


class ClientTextFilter(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self._minute, self._used = 0, 0

    def _within_budget(self) -> bool:
        minute = int(time.monotonic() // 60)
        if minute != self._minute:
            self._minute, self._used = minute, 0
        self._used += 1
        return self._used <= PER_MINUTE

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._within_budget():
            if self._used == PER_MINUTE + 1:
                record.msg, record.args, record.exc_info, record.exc_text = (
                    f"more than {PER_MINUTE} records about client events this minute: the rest are dropped",
                    (), None, None)
                return True
            return False
        error = record.exc_info[1] if record.exc_info else None
        if error is not None and UNKNOWN_HANDLER in str(error):  # a made-up name: no traceback, a warning
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg, record.args = f"refused an event no handler has: {error}", ()
        record.msg, record.args = one_log_line(record.getMessage(), MAX_CHARS), ()
        return True


def install() -> None:
    """Once, when the app is imported (so the server has it from its first event)."""
    for name in CLIENT_EVENT_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, ClientTextFilter) for f in logger.filters):
            logger.addFilter(ClientTextFilter())
