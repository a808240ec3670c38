"""How personal data looks on screen by default.

Nothing shown together may rebuild a masked value. A resident ID number is region (6 digits), birth date
(8), sequence and check digit (4): a mask that kept the region and the last four next to a birth date
would give the whole number away. So the ID keeps only the first 4 and last 4 digits, and the birth date
keeps only its year; both come back in full only through an audited reveal.
"""

from __future__ import annotations

import re
from datetime import date


def mask_phone(phone: str | None) -> str:
    """``13812345678`` → ``138****5678``; landlines keep area code and last 4 digits."""
    if not phone:
        return ""
    if "-" in phone:
        area, rest = phone.split("-", 1)
        return f"{area}-{'*' * max(0, len(rest) - 4)}{rest[-4:]}"
    if len(phone) <= 7:
        return "*" * max(0, len(phone) - 2) + phone[-2:]
    return f"{phone[:3]}{'*' * (len(phone) - 7)}{phone[-4:]}"


def mask_id_number(id_number: str | None) -> str:
    """``11010519491231002X`` → ``1101**********002X``; also re-masks the older ``110105********002X`` form
    (history and audit rows written before), so it can be applied to anything shown as an ID number."""
    if not id_number:
        return ""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return f"{id_number[:4]}{'*' * (len(id_number) - 8)}{id_number[-4:]}"


def mask_birth_date(value: date | str | None) -> str:
    """``1949-12-31`` → ``1949-**-**``: the year only (an age band for a steward), never the day."""
    if not value:
        return ""
    text = value.isoformat() if isinstance(value, date) else str(value)
    return f"{text[:4]}-**-**" if len(text) >= 4 and text[:4].isdigit() else "****-**-**"


# The mask of earlier versions (region and last four: 110105********002X) inside stored text.
_OLDER_ID_MASK = re.compile(r"(?<![0-9])([0-9]{4})[0-9]{2}(\*{8}[0-9Xx]{4})(?![0-9])")


def remask_older_ids(text: str) -> str:
    """Text written before (append-only records, which are never rewritten) shows IDs in today's mask."""
    return _OLDER_ID_MASK.sub(r"\1**\2", text)
