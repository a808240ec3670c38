"""Pinyin keys for searching Chinese names by Latin letters ("zs" or "zhangs" finds 张三)."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin

# pypinyin reads characters as in common words; as surnames these read differently
# (pypinyin has no surname mode yet, mozillazg/python-pinyin#297).
SURNAME_READINGS = {
    "单": ["shan"], "曾": ["zeng"], "解": ["xie"], "区": ["ou"], "仇": ["qiu"], "查": ["zha"], "朴": ["piao"],
    "翟": ["zhai"], "乐": ["yue"], "缪": ["miao"], "覃": ["qin"], "盖": ["ge"], "种": ["chong"], "繁": ["po"],
    "秘": ["bi"], "冼": ["xian"], "华": ["hua"], "过": ["guo"], "纪": ["ji"], "燕": ["yan"], "折": ["she"],
    "那": ["na"], "薄": ["bo"], "员": ["yun"], "宿": ["su"], "召": ["shao"],
    "尉迟": ["yu", "chi"], "万俟": ["mo", "qi"], "单于": ["chan", "yu"], "长孙": ["zhang", "sun"],
}


def _syllables(name: str) -> list[str]:
    for length in (2, 1):
        if (reading := SURNAME_READINGS.get(name[:length])) is not None:
            return reading + lazy_pinyin(name[length:], style=Style.NORMAL, errors="default")
    return lazy_pinyin(name, style=Style.NORMAL, errors="default")


def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) in lower case, e.g. ("zhangsan", "zs")."""
    syllables = [s.lower().replace(" ", "") for s in _syllables(name.strip())]
    syllables = [s for s in syllables if s]
    return "".join(syllables)[:256], "".join(s[0] for s in syllables)[:64]
