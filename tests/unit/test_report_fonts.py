"""The printed reports' CJK font: the configured TrueType file embedded, or reportlab's built-in STSong-Light when the
file is missing (nothing embedded; PDF readers bring that font)."""

from __future__ import annotations

import types
from pathlib import Path

import pytest

from pm_admin.reports import fonts, weekly_render
from pm_admin.settings import DEFAULT_REPORT_FONT

BATCH = {"community": {"id": 1, "code": "C01", "name": "翠湖花园"}, "week": "2026-11-16", "end": "2026-11-22",
         "rows": [], "truncated": False}


def pdf_with_font(monkeypatch, path: str) -> bytes:
    monkeypatch.setattr(fonts, "get_settings", lambda: types.SimpleNamespace(report_font=path))
    return weekly_render.batch_pdf(BATCH, "zh-CN")


@pytest.mark.skipif(not Path(DEFAULT_REPORT_FONT).exists(), reason=f"{DEFAULT_REPORT_FONT} is not installed")
def test_the_configured_font_is_embedded(monkeypatch):
    pdf = pdf_with_font(monkeypatch, DEFAULT_REPORT_FONT)
    assert pdf.startswith(b"%PDF-") and b"/FontFile2" in pdf and b"STSong-Light" not in pdf


def test_a_missing_font_file_falls_back_to_the_builtin_cid_font(monkeypatch, tmp_path):
    pdf = pdf_with_font(monkeypatch, str(tmp_path / "missing.ttc"))
    assert pdf.startswith(b"%PDF-") and b"/STSong-Light" in pdf and b"/FontFile2" not in pdf
