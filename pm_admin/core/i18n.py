"""Message catalogs: one per language, ``core/locales/<language>.json``, every user-facing string in it."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

LOCALES_DIR = Path(__file__).with_name("locales")
LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"


@functools.cache
def catalog(language: str) -> dict[str, str]:
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    return json.loads((LOCALES_DIR / f"{language}.json").read_text(encoding="utf-8"))


def translate(key: str, language: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    text = catalog(language).get(key) or catalog(DEFAULT_LANGUAGE).get(key) or key
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def bilingual(key: str, **params: Any) -> str:
    """Both languages, for messages shown before we know the reader's language."""
    return f"{translate(key, 'zh-CN', **params)} / {translate(key, 'en', **params)}"
