"""``houbei backup FILE``: write the whole database to one backup file.

See ``houbei.audit.backup`` for what the file holds. The backup is recorded in the audit
trail as ``system.backup.created`` with the file's data hash."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from houbei.audit.backup import BackupError, command_reason, write_backup


class Command(BaseCommand):
    help = "Back up the whole database to FILE (a zip with a manifest)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="where to write the backup (.zip)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = write_backup(options["file"], reason=command_reason("backup"))
        except BackupError as exc:
            raise CommandError(str(exc.message)) from exc
        manifest = result.manifest
        tables = sum(1 for n in manifest["counts"].values() if n)
        self.stdout.write(
            f"备份已写入 {result.path}：{result.records} 条记录（{tables} 个数据表有数据），"
            f"审计链到第 {manifest['audit_head']['seq']} 条，"
            f"数据 SHA-256 {manifest['data']['sha256']}"
        )
