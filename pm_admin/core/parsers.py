"""Field parsers every service shares: one error key per problem, whichever domain's form it is.

Each parser takes the form's ``FieldErrors``, adds at most one error for its field and returns a usable value
(never raises), so a form collects every problem in one pass."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any, TypeVar

from pm_admin.core.clock import DISPLAY_ZONE
from pm_admin.core.errors import FieldErrors

MIN_REASON = 2


Choice = TypeVar("Choice", bound=Enum)


def parse_day(text: Any) -> date | None:
    """A day as people type it: 2024-05-01 (a date input), 2024/5/1 or 2024.5.1 (a spreadsheet); None if not one."""
    if isinstance(text, date):
        return text
    for separator in ("-", "/", "."):
        parts = str(text or "").strip().split(separator)
        if len(parts) == 3 and all(part.isdigit() for part in parts) and len(parts[0]) == 4:
            try:
                return date(int(parts[0]), int(parts[1]), int(parts[2]))
            except ValueError:
                return None
    return None


def parse_date(errors: FieldErrors, field: str, raw: Any, *, required: bool = True,
               not_before: date | None = None, not_after: date | None = None,
               too_early: str = "error.date_in_past", too_late: str = "error.date_in_future") -> date | None:
    """A day (``parse_day``) within the bounds given; ``too_early``/``too_late`` name the field's own message for
    a day outside them."""
    if not isinstance(raw, date) and not str(raw or "").strip():
        if required:
            errors.add(field, "error.required")
        return None
    day = parse_day(raw)
    if day is None:
        errors.add(field, "error.date_invalid")
        return None
    if not_after is not None and day > not_after:
        errors.add(field, too_late, day=not_after.isoformat())
    elif not_before is not None and day < not_before:
        errors.add(field, too_early, day=not_before.isoformat())
    return day


def parse_local_time(errors: FieldErrors, field: str, raw: Any, *, invalid: str) -> datetime | None:
    """A date and time as a ``datetime-local`` input sends it (2026-12-10T14:00, or with a space), Shanghai time
    unless it names its zone; ``invalid`` is the field's own message for one that is not a time."""
    text = str(raw or "").strip().replace(" ", "T")
    if not text:
        errors.add(field, "error.required")
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        errors.add(field, invalid)
        return None
    return moment.replace(tzinfo=DISPLAY_ZONE) if moment.tzinfo is None else moment


def clean_reason(errors: FieldErrors, field: str, text: Any, *, min_length: int = MIN_REASON,
                 max_length: int = 2000, key: str = "error.reason_required") -> str:
    """A reason, note or plan someone must write: trimmed, at least ``min_length`` characters."""
    reason = str(text or "").strip()
    if len(reason) < min_length:
        errors.add(field, key, min=min_length)
    elif len(reason) > max_length:
        errors.add(field, "error.too_long", max=max_length)
    return reason


def clean_text(errors: FieldErrors, field: str, text: Any, *, max_length: int, required: bool = False) -> str:
    value = str(text or "").strip()
    if required and not value:
        errors.add(field, "error.required")
    elif len(value) > max_length:
        errors.add(field, "error.too_long", max=max_length)
    return value


def parse_amount(errors: FieldErrors, field: str, raw: Any, *, high: Decimal, positive: bool = False,
                 places: int = 2, key: str = "error.amount_invalid") -> Decimal:
    """A money amount or a measure: "1,200.50", "¥300" and "80%" read as numbers; at most ``places`` decimals,
    at least 0 (above 0 when ``positive``), below ``high``. ``key`` is the field's own "not a number" message."""
    try:
        amount = Decimal(str(raw).strip().replace(",", "").replace("¥", "").rstrip("%"))
    except InvalidOperation:
        amount = Decimal("NaN")
    step = Decimal(1).scaleb(-places)
    if not amount.is_finite() or (amount < 0 and not positive):
        errors.add(field, key)
    elif positive and amount <= 0:
        errors.add(field, "error.must_be_positive")
    elif amount >= high:
        errors.add(field, "error.out_of_range", low=str(step if positive else Decimal(0).quantize(step)),
                   high=str(high - step))
    elif amount.as_tuple().exponent < -places:
        errors.add(field, "error.decimal_places", places=places)
    else:
        return amount.quantize(step)
    return Decimal(0)


def parse_choice(errors: FieldErrors, field: str, raw: Any, choices: type[Choice], *, key: str,
                 default: Choice | None) -> Choice | None:
    """One of an enum's values; otherwise ``key`` beside the field (and ``default``, so checking goes on)."""
    try:
        return choices(raw)
    except ValueError:
        errors.add(field, key)
        return default
