"""``houbei serve``: serve the app (granian; ``--dev`` for Django's autoreloading server)."""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from houbei.demo.serving import database_label, serve


class Command(BaseCommand):
    help = "启动 Web 服务（granian；--dev 使用 Django 开发服务器并自动重载）。不创建任何数据。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=1, help="granian 工作进程数")
        parser.add_argument("--dev", action="store_true", help="使用 Django 开发服务器（自动重载）")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"数据库：{database_label()}")
        code = serve(
            host=options["host"],
            port=options["port"],
            workers=options["workers"],
            dev=options["dev"],
            say=self.stdout.write,
        )
        if code:
            raise SystemExit(code)
