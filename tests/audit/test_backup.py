"""Backup and restore in one database: everything comes back exactly, and every kind of
bad file or unsafe situation is refused with a clear message, leaving the database as it
was. (tests/audit/test_backup_cross.py restores onto the other database kind.)"""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from houbei.accounts.models import ApiToken
from houbei.audit.backup import DATA_NAME, MANIFEST_NAME, backed_up_models
from houbei.audit.models import AuditEntry, AuditHead
from houbei.audit.services import check_chain
from houbei.people.models import Person

from ..factories import make_person
from .conftest import snapshot

pytestmark = pytest.mark.django_db


def _backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", str(path), stdout=out)
    return out.getvalue()


def _restore(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *args, stdout=out)
    return out.getvalue()


def _rewrite(source: Path, target: Path, *, manifest=None, data=None) -> None:  # type: ignore[no-untyped-def]
    """Copy a backup, changing its manifest (a function of the dict) or data (of bytes)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w") as zout:
        m = json.loads(zin.read(MANIFEST_NAME))
        d = zin.read(DATA_NAME)
        zout.writestr(DATA_NAME, data(d) if data else d)
        zout.writestr(MANIFEST_NAME, json.dumps(manifest(m) if manifest else m))


@pytest.fixture
def backup_file(school_data, tmp_path) -> Path:  # type: ignore[no-untyped-def]
    path = tmp_path / "houbei.zip"
    _backup(path)
    return path


def test_backup_writes_manifest_and_records_the_backup(school_data, tmp_path):
    path = tmp_path / "b.zip"
    before = AuditHead.objects.get(id=1).seq
    output = _backup(path)
    assert str(path) in output
    with zipfile.ZipFile(path) as zf:
        manifest = json.loads(zf.read(MANIFEST_NAME))
        data = zf.read(DATA_NAME)
    assert manifest["format"] == "houbei-backup" and manifest["format_version"] == 1
    assert manifest["houbei_version"]
    applied = MigrationRecorder(connection).applied_migrations()
    assert {(a, n) for a, names in manifest["migrations"].items() for n in names} == set(applied)
    for model in backed_up_models():
        assert manifest["counts"][model._meta.label_lower] == model._base_manager.count() - (
            1 if model is AuditEntry else 0  # the backup's own entry comes after the dump
        )
    assert manifest["counts"]["people.person"] == 2
    assert manifest["audit_head"]["seq"] == before
    import hashlib

    assert manifest["data"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert len(data.splitlines()) == sum(manifest["counts"].values())
    entry = AuditEntry.objects.get(seq=before + 1)
    assert entry.action == "system.backup.created" and entry.school is None
    assert entry.new["sha256"] == manifest["data"]["sha256"]
    assert entry.new["records"] == sum(manifest["counts"].values())
    assert "命令行 houbei backup" in entry.reason
    # Password hashes and encrypted national IDs are inside: owner-only.
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_backup_into_a_missing_folder_fails_cleanly(school_data, tmp_path):
    head = AuditHead.objects.get(id=1).seq
    with pytest.raises(CommandError, match="无法写入备份文件"):
        _backup(tmp_path / "no-such-folder" / "b.zip")
    assert AuditHead.objects.get(id=1).seq == head
    assert not list(tmp_path.iterdir())


def test_restore_with_force_brings_back_every_row_exactly(school_data, backup_file):
    before = snapshot()
    entries = before["audit.auditentry"]
    backed_up = len(entries) - 1  # the last one records the backup itself
    # Change things after the backup, so the restore has something to undo.
    make_person(school_data["person"].school, name="备份后新增")
    Person.objects.filter(pk=school_data["person"].pk).update(name="改名")

    output = _restore(backup_file, "--force", "--yes")
    assert "审计链校验通过" in output

    after = snapshot()
    for label, rows in before.items():
        if label in {"audit.auditentry", "audit.audithead"}:
            continue
        assert after[label] == rows, label
    assert after["audit.auditentry"][:backed_up] == entries[:backed_up]
    restored = AuditEntry.objects.order_by("-seq").first()
    assert restored.seq == backed_up + 1
    assert restored.action == "system.backup.restored"
    assert restored.new["replaced_existing"] is True
    assert check_chain().ok
    # auto_now_add kept its time; the national ID still decrypts with this key.
    token = ApiToken.objects.get()
    assert token.created_at == next(
        r["fields"]["created_at"] for r in before["accounts.apitoken"] if r["pk"] == token.pk
    )
    from houbei.people import national_id

    chen = Person.objects.get(pk=school_data["person"].pk)
    assert national_id.decrypt(chen.national_id_encrypted) == "11010519491231002X"
    assert chen.name == "陈晔"


def test_new_rows_after_a_restore_get_fresh_ids(school_data, backup_file):
    highest = Person.objects.order_by("-pk").first().pk
    _restore(backup_file, "--force", "--yes")
    newcomer = make_person(school_data["person"].school, name="恢复后新增")
    assert newcomer.pk > highest


def test_restore_refuses_a_database_that_is_not_empty(school_data, backup_file):
    before = snapshot()
    with pytest.raises(CommandError, match=r"目标数据库不是空的.*--force"):
        _restore(backup_file)
    assert snapshot() == before


def test_force_without_yes_needs_a_terminal(school_data, backup_file, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    before = snapshot()
    with pytest.raises(CommandError, match="需要确认"):
        _restore(backup_file, "--force")
    assert snapshot() == before


def test_force_asks_and_stops_unless_told_yes(school_data, backup_file, monkeypatch):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stdin", Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    before = snapshot()
    with pytest.raises(CommandError, match="已取消"):
        _restore(backup_file, "--force")
    assert snapshot() == before
    monkeypatch.setattr("builtins.input", lambda prompt: "yes")
    assert "审计链校验通过" in _restore(backup_file, "--force")


def test_corrupt_data_is_refused(school_data, backup_file, tmp_path):
    bad = tmp_path / "bad.zip"
    _rewrite(backup_file, bad, data=lambda d: d.replace("陈晔".encode(), "陈烨".encode()))
    before = snapshot()
    with pytest.raises(CommandError, match=r"备份文件已损坏.*SHA-256"):
        _restore(bad, "--force", "--yes")
    assert snapshot() == before


def test_a_file_that_is_not_a_backup_is_refused(tmp_path, db):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(CommandError, match="不是 Houbei 备份文件"):
        _restore(junk)
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(CommandError, match=r"缺少 manifest\.json"):
        _restore(other)
    with pytest.raises(CommandError, match="找不到备份文件"):
        _restore(tmp_path / "missing.zip")


def test_unknown_migration_is_refused_by_name(school_data, backup_file, tmp_path):
    def future(m):  # type: ignore[no-untyped-def]
        m["migrations"]["people"].append("0099_future_field")
        return m

    bad = tmp_path / "future.zip"
    _rewrite(backup_file, bad, manifest=future)
    with pytest.raises(
        CommandError,
        match=r"备份文件来自不兼容的版本（迁移 people\.0099_future_field 不存在于本系统）",
    ):
        _restore(bad, "--force", "--yes")


def test_backup_from_an_older_schema_is_refused(school_data, backup_file, tmp_path):
    def older(m):  # type: ignore[no-untyped-def]
        m["migrations"]["audit"].remove("0003_append_only_triggers")
        return m

    bad = tmp_path / "older.zip"
    _rewrite(backup_file, bad, manifest=older)
    with pytest.raises(CommandError, match=r"较旧的版本.*audit\.0003_append_only_triggers"):
        _restore(bad, "--force", "--yes")


def test_other_format_version_is_refused(school_data, backup_file, tmp_path):
    def v2(m):  # type: ignore[no-untyped-def]
        m["format_version"] = 2
        return m

    bad = tmp_path / "v2.zip"
    _rewrite(backup_file, bad, manifest=v2)
    with pytest.raises(CommandError, match="格式版本 2 不受支持"):
        _restore(bad, "--force", "--yes")


def test_backup_made_with_another_national_id_key_is_refused(school_data, backup_file, settings):
    settings.FIELD_ENCRYPTION_KEY = "another-key"
    with pytest.raises(CommandError, match="HOUBEI_FIELD_KEY"):
        _restore(backup_file, "--force", "--yes")
    assert "审计链校验通过" in _restore(backup_file, "--force", "--yes", "--ignore-key-mismatch")


def test_backup_with_a_broken_audit_chain_is_refused_and_nothing_changes(
    school_data, backup_file, tmp_path
):
    """A forger edits an entry in the file and fixes the file's checksum; the restore
    loads everything, finds the chain broken, and rolls the whole restore back."""
    import hashlib

    def edit(d: bytes) -> bytes:
        return d.replace("核对档案".encode(), "伪造理由".encode())

    edited = edit(backup_file.read_bytes() and zipfile.ZipFile(backup_file).read(DATA_NAME))

    def fix_hash(m):  # type: ignore[no-untyped-def]
        m["data"]["sha256"] = hashlib.sha256(edited).hexdigest()
        return m

    bad = tmp_path / "forged.zip"
    _rewrite(backup_file, bad, manifest=fix_hash, data=edit)
    forged_seq = AuditEntry.objects.get(reason="核对档案").seq
    make_person(school_data["person"].school, name="恢复前的数据")
    before = snapshot()
    with pytest.raises(CommandError, match=f"审计链在第 {forged_seq} 条处断开"):
        _restore(bad, "--force", "--yes")
    assert snapshot() == before
