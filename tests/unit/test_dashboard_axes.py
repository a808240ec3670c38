"""The dashboard's time axes read in the reader's language, for every period the filter offers."""

from datetime import date

import pytest

from pm_admin.dashboards.axes import bucket_label, bucket_labels
from pm_admin.dashboards.kpis import month_label as iso_month
from pm_admin.dashboards.periods import PERIOD_KEYS, period_for

TODAY = date(2026, 5, 20)  # the quarter began in April; the last 12 months reach back into 2025


def volume_buckets(key: str) -> list[str]:
    """The buckets the KPI data names for the volume chart: ISO days under two months, else ISO months."""
    period = period_for(key, TODAY)
    return [d.isoformat() for d in period.days] if period.daily else [iso_month(m) for m in period.months]


def month_buckets(key: str) -> list[str]:
    """The buckets of the monthly charts (callbacks, valid complaints, complaints, repeats)."""
    return [iso_month(m) for m in period_for(key, TODAY).months]


@pytest.mark.parametrize(("bucket", "chinese", "english"), [
    ("2025-12-01", "12月1日", "Dec 1"),
    ("2026-02-28", "2月28日", "Feb 28"),
    ("2026-01", "2026年1月", "Jan 2026"),
    ("2025-12", "2025年12月", "Dec 2025"),
])
def test_a_bucket_reads_as_a_day_or_a_month_in_each_language(bucket, chinese, english):
    assert bucket_label(bucket, "zh-CN") == chinese
    assert bucket_label(bucket, "en") == english


VOLUME_AXES = {  # period → (first, last, count) in Chinese and English
    "this_month": (("5月1日", "5月20日", 20), ("May 1", "May 20", 20)),
    "last_month": (("4月1日", "4月30日", 30), ("Apr 1", "Apr 30", 30)),
    "this_quarter": (("4月1日", "5月20日", 50), ("Apr 1", "May 20", 50)),
    "this_year": (("2026年1月", "2026年5月", 5), ("Jan 2026", "May 2026", 5)),
    "last_12_months": (("2025年6月", "2026年5月", 12), ("Jun 2025", "May 2026", 12)),
}
MONTH_AXES = {
    "this_month": (["2026年5月"], ["May 2026"]),
    "last_month": (["2026年4月"], ["Apr 2026"]),
    "this_quarter": (["2026年4月", "2026年5月"], ["Apr 2026", "May 2026"]),
    "this_year": (["2026年1月", "2026年2月", "2026年3月", "2026年4月", "2026年5月"],
                  ["Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026"]),
    "last_12_months": (["2025年6月", "2025年7月", "2025年8月", "2025年9月", "2025年10月", "2025年11月", "2025年12月",
                        "2026年1月", "2026年2月", "2026年3月", "2026年4月", "2026年5月"],
                       ["Jun 2025", "Jul 2025", "Aug 2025", "Sep 2025", "Oct 2025", "Nov 2025", "Dec 2025",
                        "Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026", "May 2026"]),
}


def test_every_period_key_has_its_expected_axes():
    assert set(VOLUME_AXES) == set(MONTH_AXES) == set(PERIOD_KEYS)


@pytest.mark.parametrize("key", PERIOD_KEYS)
@pytest.mark.parametrize(("language", "index"), [("zh-CN", 0), ("en", 1)])
def test_the_volume_axis_of_every_period_reads_in_the_readers_language(key, language, index):
    labels = bucket_labels(volume_buckets(key), language)
    first, last, count = VOLUME_AXES[key][index]
    assert (labels[0], labels[-1], len(labels)) == (first, last, count)
    assert len(set(labels)) == len(labels)  # a category axis merges equal labels


@pytest.mark.parametrize("key", PERIOD_KEYS)
@pytest.mark.parametrize(("language", "index"), [("zh-CN", 0), ("en", 1)])
def test_the_monthly_axes_of_every_period_read_in_the_readers_language(key, language, index):
    assert bucket_labels(month_buckets(key), language) == MONTH_AXES[key][index]
