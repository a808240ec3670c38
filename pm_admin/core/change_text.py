"""Changes as people read them: field names from the catalog (``field.<name>``), yes/no and codes in words.

Used by the audit page, conflict messages of edit dialogs and the owner history.
"""

from __future__ import annotations

from typing import Any

from pm_admin.core.i18n import catalog, translate
from pm_admin.core.masking import mask_birth_date, mask_id_number

EMPTY = "∅"
# Fields whose stored codes have their own catalog prefix.
CODED_FIELDS = {"gender": "gender.", "occupancy": "occupancy.", "roles": "role.", "household_work_role": "role."}
# Personal data as every change line shows it, whatever an older row stored (the audit log cannot be rewritten).
MASKED_FIELDS = {"birth_date": mask_birth_date, "id_number": mask_id_number, "member_id_number": mask_id_number}


def field_label(field: str, language: str, entity: str = "") -> str:
    """``field.<entity>.<field>`` where one word means different things (a community's 名称, an owner's
    姓名), else ``field.<field>``, else the code itself."""
    known = catalog("zh-CN")
    for key in ((f"field.{entity}.{field}",) if entity else ()) + (f"field.{field}",):
        if key in known:
            return translate(key, language)
    return field


def value_text(field: str, value: Any, language: str) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool) or str(value) in {"True", "False", "true", "false"}:
        return translate("common.yes" if str(value).lower() == "true" else "common.no", language)
    if isinstance(value, (list, tuple)):
        return ("、" if language.startswith("zh") else ", ").join(value_text(field, item, language) for item in value)
    if isinstance(value, dict):
        return ("；" if language.startswith("zh") else "; ").join(f"{field_label(key, language)}: {value_text(key, item, language)}"
                        for key, item in value.items())
    if field in MASKED_FIELDS:
        return MASKED_FIELDS[field](str(value))
    prefix = CODED_FIELDS.get(field)
    if prefix and f"{prefix}{value}" in catalog(language):
        return translate(f"{prefix}{value}", language)
    return str(value)


def change_line(field: str, old: Any, new: Any, language: str, entity: str = "") -> str:
    return (f"{field_label(field, language, entity)}: {value_text(field, old, language) or EMPTY} → "
            f"{value_text(field, new, language) or EMPTY}")


def differences(mine: dict[str, Any], theirs: dict[str, Any], language: str, entity: str = "") -> list[str]:
    """What another person's save changed, field by field, against what this user loaded."""
    return [change_line(field, mine[field], theirs[field], language, entity)
            for field in mine if field in theirs and str(mine[field]) != str(theirs[field])]
