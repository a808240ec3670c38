"""Message catalogs: ``core/locales/<language>.json`` plus one file per domain in ``core/locales/<domain>/``."""

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
    merged: dict[str, str] = {}
    for path in (LOCALES_DIR / f"{language}.json", *sorted(LOCALES_DIR.glob(f"*/{language}.json"))):
        entries = json.loads(path.read_text(encoding="utf-8"))
        clash = merged.keys() & entries.keys()
        if clash:  # one key, one meaning: a domain file may not silently override another
            raise ValueError(f"{path}: keys defined twice: {sorted(clash)[:5]}")
        merged.update(entries)
    return merged


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
