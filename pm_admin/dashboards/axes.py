"""Tick labels of the dashboard's time axes, in the reader's language (no Reflex here).

The KPI data names its buckets by ISO day ("2025-12-01") or ISO month ("2025-12"). Plotly would read those as
dates and draw a time axis with its own English ticks ("23:59:59.9996 Nov 30" around a single month), so the
charts draw category axes labelled here: 12月1日 / Dec 1 and 2025年12月 / Dec 2025.
"""

from __future__ import annotations

from datetime import date

from pm_admin.core.i18n import translate

ISO_DAY_LENGTH = len("2025-12-01")


def _month_name(month: int, language: str) -> str:
    return translate(f"dashboard.axis.month_name.{month}", language)


def day_label(day: date, language: str) -> str:
    return translate("dashboard.axis.day", language, month_name=_month_name(day.month, language), day=day.day)


def month_label(month: date, language: str) -> str:
    return translate("dashboard.axis.month", language, month_name=_month_name(month.month, language), year=month.year)


def bucket_label(bucket: str, language: str) -> str:
    """The label of a bucket named by ISO day or ISO month."""
    if len(bucket) == ISO_DAY_LENGTH:
        return day_label(date.fromisoformat(bucket), language)
    return month_label(date.fromisoformat(f"{bucket}-01"), language)


def bucket_labels(buckets: list[str], language: str) -> list[str]:
    return [bucket_label(bucket, language) for bucket in buckets]
