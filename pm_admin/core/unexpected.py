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
