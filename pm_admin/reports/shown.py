"""Figures and names as a report prints them: rates as percentages, counts as whole numbers, "–" where there is
nothing to divide by, each with the numerator and denominator it came from; categories in the reader's language."""

from __future__ import annotations

DASH = "–"


def percent(value: float | None, digits: int = 1, signed: bool = False) -> str:
    if value is None:
        return DASH
    return f"{100 * value:+.{digits}f}%" if signed else f"{100 * value:.{digits}f}%"


def number(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:.{digits}f}"


def whole(value: float | None) -> str:
    return DASH if value is None else f"{int(value):,}"


def fraction(figure: dict) -> str:
    """"3 / 4" for a rate, "" for a count (its value is its numerator)."""
    if figure.get("denominator") is None:
        return ""
    return f"{_plain(figure['numerator'])} / {_plain(figure['denominator'])}"


def _plain(value: float | None) -> str:
    if value is None:
        return DASH
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def category_name(category: dict, language: str) -> str:
    """A category as a snapshot keeps it (both names), in the reader's language."""
    return category["zh"] if language == "zh-CN" else category["en"]
