"""Message catalogs: one per language, ``core/locales/<language>.json``, every user-facing string in it."""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path
from typing import Any

from pm_admin.settings import get_settings

logger = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).with_name("locales")
LANGUAGES = ("zh-CN", "en")
DEFAULT_LANGUAGE = "zh-CN"


def supported_language(language: object) -> str:
    """The language itself when the app has it, else the default: whatever a client sends as its language
    (any string, through Reflex's storage sync) never reaches a cache key or a file name."""
    return language if isinstance(language, str) and language in LANGUAGES else DEFAULT_LANGUAGE


@functools.cache
def _load(language: str) -> dict[str, str]:
    return json.loads((LOCALES_DIR / f"{language}.json").read_text(encoding="utf-8"))


def catalog(language: str) -> dict[str, str]:
    return _load(supported_language(language))


class MissingMessage(KeyError):
    """A key the catalogs do not have: raised in tests, so that any test showing it fails."""


def missing(key: str) -> str:
    """What a missing key shows: tests fail, development shows a marker nobody overlooks, production the key
    (logged once)."""
    env = get_settings().env
    if env == "test":
        raise MissingMessage(key)
    if env == "development":
        return f"⟦{key}⟧"
    _log_missing(key)
    return key


@functools.cache
def _log_missing(key: str) -> None:
    logger.warning("message key missing from the catalogs: %s", key)


def has_key(key: str) -> bool:
    return key in catalog(DEFAULT_LANGUAGE)


def translate(key: str, language: str = DEFAULT_LANGUAGE, **params: Any) -> str:
    text = catalog(language).get(key) or catalog(DEFAULT_LANGUAGE).get(key)
    if text is None:
        return missing(key)
    if not params:
        return text
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):
        return text


def bilingual(key: str, **params: Any) -> str:
    """Both languages, for messages shown before we know the reader's language."""
    return f"{translate(key, 'zh-CN', **params)} / {translate(key, 'en', **params)}"
