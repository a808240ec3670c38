"""The columns an owner spreadsheet has, how a file's headings map to them and how problems name them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from pm_admin.core.errors import DomainError
from pm_admin.core.i18n import translate
from pm_admin.core.tables import (
    ImportRejected,
)
from pm_admin.owners.models import Gender

MAX_ROWS = 20_000


MAX_BYTES = 20 * 1024 * 1024


CHUNK = 500


@dataclasses.dataclass(frozen=True)
class ImportColumn:
    """A column of the file format: ``zh``/``en`` are the header words a file may use (the template writes the
    Chinese ones); on screen a column is named from the catalog (``column_label``)."""

    key: str
    zh: str
    en: str
    required: bool = False

    def header(self, language: str) -> str:
        return self.zh if language == "zh-CN" else self.en


IMPORT_COLUMNS = (
    ImportColumn("room_code", "房号", "Room code", True),
    ImportColumn("name", "业主姓名", "Owner name", True),
    ImportColumn("gender", "性别", "Gender"),
    ImportColumn("id_number", "身份证号", "ID number"),
    ImportColumn("phone", "手机号", "Phone", True),
    ImportColumn("phone2", "备用电话", "Other phone"),
    ImportColumn("address", "通讯地址", "Address"),
    ImportColumn("vip", "VIP", "VIP"),
    ImportColumn("tags", "标签", "Tags"),
    ImportColumn("share", "产权比例", "Share %"),
    ImportColumn("started_on", "入住日期", "Since"),
    ImportColumn("notes", "备注", "Notes"),
)


# Export adds these for reading; an import of an exported file ignores them.
EXPORT_ONLY_COLUMNS = (
    ImportColumn("community_name", "小区", "Community"),
    ImportColumn("building_name", "楼栋", "Building"),
    ImportColumn("unit_name", "单元", "Unit"),
    ImportColumn("occupancy", "使用状态", "Occupancy"),
    ImportColumn("area", "面积", "Area"),
    ImportColumn("arrears", "欠费金额", "Arrears"),
)


EXPORT_COLUMNS = IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS


# The grid's column keys where the export calls them otherwise.
GRID_TO_EXPORT = {"is_vip": "vip"}


HEADER_KEYS = {text.strip().lower(): column.key for column in IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS
               for text in (column.zh, column.en, column.key)}


TRUE_WORDS, FALSE_WORDS = {"是", "yes", "y", "true", "1", "vip"}, {"否", "no", "n", "false", "0"}


# None: blank or unknown, which keeps a stored gender (a new owner's comes from the ID number).
GENDER_WORDS = {"男": Gender.MALE, "male": Gender.MALE, "m": Gender.MALE,
                "女": Gender.FEMALE, "female": Gender.FEMALE, "f": Gender.FEMALE,
                "": None, "未知": None, "unknown": None}


Progress = Callable[[int, int], None]


def map_columns(header: list[str]) -> list[str | None]:
    keys = [HEADER_KEYS.get(h.strip().lower()) for h in header]
    unknown = [h for h, k in zip(header, keys, strict=True) if k is None and h.strip()]
    if unknown:
        raise ImportRejected("import.unknown_columns", columns="、".join(unknown[:5]))
    missing = [c.key for c in IMPORT_COLUMNS if c.required and c.key not in keys]
    if missing:
        raise ImportRejected("import.missing_columns", columns=missing)  # named in the reader's language
    return keys


# Screen labels of the columns (catalog keys) where the grid's "owners.col.<key>" does not fit.
LABEL_KEYS = {"phone2": "owners.phone2", "address": "owners.address", "vip": "owners.col.is_vip",
              "notes": "owners.notes"}


def column_label(key: str, language: str) -> str:
    return translate(LABEL_KEYS.get(key, f"owners.col.{key}"), language)


def rejection_text(rejected: DomainError, language: str) -> str:
    """A refused file's message in the reader's language; missing columns by the header words to add."""
    params = dict(rejected.params)
    if isinstance(params.get("columns"), list):
        by_key = {column.key: column for column in EXPORT_COLUMNS}
        params["columns"] = translate("import.list_separator", language).join(
            by_key[key].header(language) if key in by_key else key for key in params["columns"])
    return translate(rejected.key, language, **params)
