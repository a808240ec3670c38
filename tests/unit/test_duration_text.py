"""Durations read in the reader's language (issue 17: 2天19小时, not 2d19h)."""

import pytest

from pm_admin.tickets.queries import duration_text


@pytest.mark.parametrize(("minutes", "language", "expected"), [
    (4020, "zh-CN", "2天19小时"), (4020, "en", "2d 19h"), (185, "zh-CN", "3小时05分"), (185, "en", "3h 05m"),
    (-185, "zh-CN", "3小时05分"), (1440, "zh-CN", "1天0小时"), (59, "en", "0h 59m")])
def test_a_span_in_the_readers_words(minutes, language, expected):
    assert duration_text(minutes, language) == expected
