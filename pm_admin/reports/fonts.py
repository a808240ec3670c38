"""The CJK font of the printed reports: the TrueType file ``PM_REPORT_FONT`` names (default: Debian's WenQuanYi Micro
Hei), embedded as a subset so the PDF prints the same on any printer; when that file is missing or unreadable,
reportlab's built-in CID font STSong-Light, which PDF readers bring themselves (nothing embedded)."""

from __future__ import annotations

import functools
import logging

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from pm_admin.settings import get_settings

EMBEDDED = "ReportCJK"
FALLBACK = "STSong-Light"
log = logging.getLogger(__name__)


@functools.cache
def _registered(path: str) -> str:
    try:
        pdfmetrics.registerFont(TTFont(EMBEDDED, path, subfontIndex=0))
        return EMBEDDED
    except (OSError, TTFError) as error:
        log.warning("report font %s not usable (%s): falling back to %s", path, error, FALLBACK)
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
        return FALLBACK


def cjk_font() -> str:
    """The registered font's name (registered once per process and path)."""
    return _registered(get_settings().report_font)
