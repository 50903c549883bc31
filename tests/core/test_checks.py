"""The system check that Chinese fonts are installed for the PDF documents."""

from __future__ import annotations

import stat

from houbei.core import checks


def test_the_machine_running_the_tests_has_the_chinese_fonts():
    """CI installs fonts-noto-cjk; without them the PDFs have no Chinese, so this fails
    rather than letting the documents' tests be the first to notice."""
    assert checks.check_chinese_fonts() == [], checks.INSTALL


def _fake_fc_list(tmp_path, output: str) -> str:
    script = tmp_path / "fc-list"
    script.write_text(f"#!/bin/sh\nprintf '{output}'\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script)


def test_no_chinese_font_is_a_warning_naming_the_package(tmp_path, monkeypatch):
    fake = _fake_fc_list(tmp_path, "DejaVu Sans\\n")
    monkeypatch.setattr(checks.shutil, "which", lambda name: fake)
    [warning] = checks.check_chinese_fonts()
    assert warning.id == "houbei.W001"
    assert warning.hint == "apt-get install fonts-noto-cjk"


def test_a_chinese_font_passes(tmp_path, monkeypatch):
    fake = _fake_fc_list(tmp_path, "Noto Sans CJK SC,Noto Sans CJK SC Regular\\n")
    monkeypatch.setattr(checks.shutil, "which", lambda name: fake)
    assert checks.check_chinese_fonts() == []


def test_without_fontconfig_nothing_can_be_said(monkeypatch):
    monkeypatch.setattr(checks.shutil, "which", lambda name: None)
    [warning] = checks.check_chinese_fonts()
    assert warning.id == "houbei.W002"
