"""Is this file an Excel workbook we can read? Checked from its bytes, not its name.

Schools send what they have: old .xls files, CSV exports, Word documents renamed to
.xlsx, photos of a roster, password-protected workbooks. Each gets a message that says
what the file is and what to do, before openpyxl ever sees it."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

from django.utils.translation import gettext as _

from .parse import RosterFileError

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Compound File: .xls, .doc, encrypted .xlsx
ZIP_SIGNATURE = b"PK\x03\x04"
# A workbook's XML compresses about tenfold; far more than that is a zip bomb, not a roster.
MAX_EXPANSION = 50

_OTHER_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG", "图片（PNG）"),
    (b"\xff\xd8\xff", "图片（JPEG）"),
    (b"GIF8", "图片（GIF）"),
    (b"BM", "图片（BMP）"),
    (b"%PDF", "PDF 文件"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf", "7z 压缩包"),
    (b"{\\rtf", "RTF 文档"),
)


def check_size(size: int, limit: int) -> None:
    if size == 0:
        raise RosterFileError(_("文件是空的。"))
    if size > limit:
        raise RosterFileError(
            _(
                "文件大小 %(size).1f MB，超过了上限 %(limit).1f MB。请删去无关的工作表或图片后再上传。"
            )
            % {"size": size / 1024 / 1024, "limit": limit / 1024 / 1024}
        )


def check_workbook(path: Path, limit: int) -> None:
    """Raise ``RosterFileError`` unless ``path`` looks like an .xlsx workbook that is not
    encrypted, not corrupt and not a zip bomb."""
    size = path.stat().st_size
    check_size(size, limit)
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE_SIGNATURE):
        # Excel stores a password-protected .xlsx as a Compound File with an
        # EncryptionInfo stream; anything else in that container is the old .xls format
        # (or a .doc).
        data = path.read_bytes()
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise RosterFileError(
                _(
                    "文件设置了打开密码（已加密），无法读取。请在 Excel 中取消密码（文件→信息→保护工作簿）后另存为 .xlsx 再上传。"
                )
            )
        if "WordDocument".encode("utf-16-le") in data:
            raise RosterFileError(_("这是 Word 文档，不是 Excel 表格。请上传 .xlsx 格式的名册。"))
        raise RosterFileError(
            _(
                "这是旧版 Excel（.xls，97-2003 格式）文件。请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再上传。"
            )
        )
    for signature, kind in _OTHER_SIGNATURES:
        if head.startswith(signature):
            raise RosterFileError(
                _("这是%(kind)s，不是 Excel 表格。请上传 .xlsx 格式的名册。") % {"kind": kind}
            )
    if not head.startswith(ZIP_SIGNATURE):
        if _looks_like_text(path):
            raise RosterFileError(
                _(
                    "这是文本或 CSV 文件，不是 Excel 工作簿。请在 Excel 中打开后“另存为”.xlsx 再上传。"
                )
            )
        raise RosterFileError(_("无法识别的文件类型。请上传 Excel 工作簿（.xlsx）。"))
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise RosterFileError(
            _("文件已损坏（压缩结构不完整），无法读取。请重新从 Excel 保存后上传。")
        ) from None
    if "word/document.xml" in names:
        raise RosterFileError(
            _("这是 Word 文档（.docx），不是 Excel 表格。请上传 .xlsx 格式的名册。")
        )
    if "ppt/presentation.xml" in names:
        raise RosterFileError(_("这是 PowerPoint 文件，不是 Excel 表格。请上传 .xlsx 格式的名册。"))
    if "content.xml" in names and "mimetype" in names:
        raise RosterFileError(
            _("这是 WPS/OpenOffice（.ods 等）格式。请“另存为”Excel 工作簿（.xlsx）后再上传。")
        )
    if "xl/workbook.xml" not in names and not any(n.endswith("workbook.xml") for n in names):
        raise RosterFileError(_("这是一个压缩包，但不是 Excel 工作簿。请上传 .xlsx 格式的名册。"))
    if expanded > max(limit, size) * MAX_EXPANSION:
        raise RosterFileError(_("文件解压后过大，疑似损坏或异常文件，无法读取。"))


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as fh:
        sample = fh.read(4096)
    if b"\x00" in sample:
        return False
    for encoding in ("utf-8", "gb18030"):
        # Incremental: the sample may end in the middle of a character.
        try:
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        return True
    return False
