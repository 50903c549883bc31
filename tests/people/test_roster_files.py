"""Files that are not a readable roster get a clear Chinese message, and nothing is
written."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import Workbook

from houbei.people.models import Person
from houbei.people.roster.services import RosterUnreadable, analyse_roster, import_roster
from tests.roster.workbooks import simple_roster, workbook_bytes, write

pytestmark = pytest.mark.django_db

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def encrypted_xlsx_bytes() -> bytes:
    # What Excel writes for a workbook with an open password: a Compound File holding an
    # "EncryptionInfo" and an "EncryptedPackage" stream (names in UTF-16).
    return (
        OLE
        + b"\x00" * 504
        + "EncryptionInfo".encode("utf-16-le")
        + b"\x00" * 64
        + "EncryptedPackage".encode("utf-16-le")
    )


def xls_bytes() -> bytes:
    return OLE + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 512


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (xls_bytes(), "名册.xls", "旧版 Excel"),
        (encrypted_xlsx_bytes(), "名册.xlsx", "密码"),
        ("工号,姓名\nT1,王静\n".encode(), "名册.csv", "CSV"),
        ("工号,姓名\nT1,王静\n".encode("gbk"), "名册.xlsx", "CSV"),
        (docx_bytes(), "名册.xlsx", "Word"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "名册.xlsx", "图片"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 100, "photo.jpg", "图片"),
        (b"%PDF-1.7\n", "名册.pdf", "PDF"),
        (simple_roster(2)[:300], "名册.xlsx", "损坏"),
        (b"PK\x03\x04" + b"\x00" * 200, "名册.xlsx", "损坏"),
        (b"", "名册.xlsx", "空"),
        (workbook_bytes({"Sheet1": []}), "空.xlsx", "表头"),
        (workbook_bytes({"Sheet1": [["名单"], ["王静"]]}), "无表头.xlsx", "表头"),
        (workbook_bytes({"Sheet1": [["工号", "姓名"]]}), "只有表头.xlsx", "没有数据行"),
    ],
)
def test_unreadable_files_get_a_clear_message_and_write_nothing(
    school, tmp_path, data, name, expected
) -> None:
    path = write(tmp_path, data, name)
    with pytest.raises(RosterUnreadable) as caught:
        analyse_roster(school=school, path=path)
    assert expected in str(caught.value.message)
    with pytest.raises(RosterUnreadable):
        import_roster(actor=None, school=school, path=path, filename=name)
    assert Person.objects.count() == 0


def test_file_over_the_size_limit_is_refused(school, tmp_path, settings) -> None:
    settings.ROSTER_MAX_BYTES = 1000
    path = write(tmp_path, simple_roster(50))
    with pytest.raises(RosterUnreadable, match="超过了上限"):
        analyse_roster(school=school, path=path)


def test_zip_bomb_is_refused(school, tmp_path, settings) -> None:
    settings.ROSTER_MAX_BYTES = 200_000
    workbook = Workbook()
    workbook.active.append(["工号", "姓名"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", b"\x00" * 20_000_000)
    path = write(tmp_path, buffer.getvalue())
    with pytest.raises(RosterUnreadable, match="解压后过大"):
        analyse_roster(school=school, path=path)


def test_xlsx_with_the_wrong_extension_is_read_by_its_content(school, tmp_path) -> None:
    path = write(tmp_path, simple_roster(2), "名册.xls")
    assert analyse_roster(school=school, path=path).counts()["created"] == 2
