"""How personal data looks on screen by default."""

from __future__ import annotations


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
    """``11010519491231002X`` → ``110105********002X``."""
    if not id_number:
        return ""
    if len(id_number) < 10:
        return "*" * len(id_number)
    return f"{id_number[:6]}{'*' * (len(id_number) - 10)}{id_number[-4:]}"
