"""Owner changes as people read them: field names from the catalog, yes/no and gender in words."""

from __future__ import annotations

from typing import Any

from pm_admin.core.i18n import translate

EMPTY = "∅"


def value_text(field: str, value: Any, language: str) -> str:
    text = str(value) if value is not None else ""
    if field == "is_vip" and text in {"True", "False"}:
        return translate("common.yes" if text == "True" else "common.no", language)
    if field == "gender" and text:
        return translate(f"gender.{text}", language)
    return text


def change_line(field: str, old: Any, new: Any, language: str) -> str:
    return (f"{translate(f'field.{field}', language)}: {value_text(field, old, language) or EMPTY} → "
            f"{value_text(field, new, language) or EMPTY}")


def differences(mine: dict[str, Any], theirs: dict[str, Any], language: str) -> list[str]:
    """What another person's save changed, field by field, against what this user loaded."""
    return [change_line(field, mine[field], theirs.get(field, ""), language)
            for field in mine if str(mine[field]) != str(theirs.get(field, ""))]
