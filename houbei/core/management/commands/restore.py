"""``houbei restore FILE``: load a backup into this database.

Only into an empty database, unless ``--force``, which first empties the backed-up
tables (asking for confirmation unless ``--yes``). The whole restore is one transaction:
a refused or failed restore leaves the database as it was. See ``houbei.audit.backup``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from houbei.audit.backup import BackupError, command_reason, restore_backup


class Command(BaseCommand):
    help = "Restore a backup FILE into this (empty) database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file (.zip)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="replace the data of a database that is not empty (asks first)",
        )
        parser.add_argument(
            "--yes", action="store_true", help="with --force: do not ask for confirmation"
        )
        parser.add_argument(
            "--ignore-key-mismatch",
            action="store_true",
            help="restore although the backup was made with another HOUBEI_FIELD_KEY "
            "(its national ID numbers will not be readable)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["force"] and not options["yes"]:
            self._confirm()
        try:
            manifest = restore_backup(
                options["file"],
                replace=options["force"],
                ignore_key_mismatch=options["ignore_key_mismatch"],
                reason=command_reason("restore"),
            )
        except BackupError as exc:
            raise CommandError(str(exc.message)) from exc
        records = sum(manifest["counts"].values())
        self.stdout.write(
            f"已从 {options['file']} 恢复 {records} 条记录（备份时间 {manifest['created_at']}，"
            f"Houbei {manifest['houbei_version']}）；审计链校验通过。"
        )

    def _confirm(self) -> None:
        database = connection.settings_dict.get("NAME")
        prompt = (
            f"这将清空数据库 {database} 中的全部业务数据和登录会话，并用备份替换。\n输入 yes 继续："
        )
        if not sys.stdin.isatty():
            raise CommandError("清空数据库需要确认：请在终端中运行，或加 --yes。")
        if input(prompt).strip().lower() != "yes":
            raise CommandError("已取消，数据库未改动。")
