"""System checks of what the machine must provide for Houbei's documents.

WeasyPrint finds its fonts through fontconfig. Without a Chinese font installed it does
not fail: it writes PDFs whose Chinese characters are missing glyphs, which a school would
only notice on paper. ``manage.py check`` (and every command that runs the checks, such as
``runserver`` and ``migrate``) says so first."""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

from django.core.checks import Warning, register

INSTALL = "apt-get install fonts-noto-cjk"


def chinese_font_families() -> list[str] | None:
    """The font families fontconfig has for Chinese, or None when fontconfig's ``fc-list``
    is not installed (nothing can be said then)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    out = subprocess.run(  # noqa: S603  (fc-list found on PATH, fixed arguments)
        [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
    ).stdout
    return sorted({family.strip() for line in out.splitlines() for family in line.split(",")})


@register("houbei")
def check_chinese_fonts(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    families = chinese_font_families()
    if families is None:
        return [
            Warning(
                "未找到fontconfig（fc-list），无法确认是否安装了中文字体；"
                "PDF文书需要中文字体才能显示汉字。",
                hint="安装 fontconfig 与中文字体：apt-get install fontconfig fonts-noto-cjk",
                id="houbei.W002",
            )
        ]
    if not any("CJK SC" in family for family in families):
        return [
            Warning(
                "未安装Noto CJK中文字体：生成的PDF文书（选票、公示、考察材料等）将无法显示汉字。",
                hint=INSTALL,
                id="houbei.W001",
            )
        ]
    return []
