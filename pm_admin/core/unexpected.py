"""What a user sees when a handler fails for a reason that is not theirs: a short two-language toast.

The traceback goes to the server log only (Reflex's default toast is English-only and says nothing useful).
"""

import logging
import traceback

import reflex as rx

from pm_admin.core.i18n import bilingual

logger = logging.getLogger("pm_admin")


def unexpected_error_toast(exception: Exception):
    logger.error("unexpected error in an event handler\n%s",
                 "".join(traceback.format_exception(type(exception), exception, exception.__traceback__)))
    return rx.toast.error(bilingual("error.unexpected"), id="unexpected-error")


FRONTEND_REPORT_CHARS = 2_000


def one_log_line(text: str, limit: int = FRONTEND_REPORT_CHARS) -> str:
    """Client text made safe for the log: control characters (newlines that would forge log lines, escapes
    that would colour a terminal) shown as \\n / \\x1b, and at most ``limit`` characters."""
    shown = "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text[:limit])
    return shown[:limit] + ("…" if len(text) > limit or len(shown) > limit else "")


def log_frontend_exception(exception: Exception) -> None:
    """A browser's report of an error in the page (signed-in users only, see the guard): one line."""
    logger.warning("frontend error reported by the browser: %s", one_log_line(str(exception)))
