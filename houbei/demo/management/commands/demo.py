"""``houbei demo``: migrate, build the demo school (once), print the accounts, serve."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from houbei.demo.builder import DEMO_PASSWORD, SCHOOL_NAME, NotAnEmptyDatabase, build_demo
from houbei.demo.elections import saved_links
from houbei.demo.serving import database_label, serve, table, url_of


class Command(BaseCommand):
    help = (
        "在当前配置的数据库（默认 SQLite）中建立演示学校“市八初级中学”并启动服务。"
        "已建立过则跳过创建，直接启动。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="只建立演示数据，不启动服务")
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args: Any, **options: Any) -> None:
        say = self.stdout.write
        say(f"数据库：{database_label()}")
        call_command("migrate", interactive=False, verbosity=0)
        try:
            result = build_demo(
                progress=lambda message: say(f"  {message}"),
                base_url=url_of(options["host"], options["port"]).rstrip("/"),
            )
        except NotAnEmptyDatabase as error:
            raise CommandError(str(error.message)) from error
        if result.created:
            say(
                self.style.SUCCESS(
                    f"演示数据已建立（{result.seconds:.1f} 秒）：{result.people} 名教职工，"
                    f"{result.history_rows} 条任职经历，{result.honours} 项荣誉。"
                )
            )
        else:
            say(f"演示数据已存在（{SCHOOL_NAME}），跳过创建。")
        rows = [("用户名", "角色", "学校或区", "关联教职工")]
        rows += [(a.username, a.role_label, a.school, a.person or "—") for a in result.accounts]
        say("")
        say(f"演示账号（仅供演示！密码均为 {DEMO_PASSWORD}，除非已在系统中修改）：")
        say(table(rows))
        say("")
        if result.cycles:
            say("选拔周期：")
            for line in result.cycles:
                say(f"  {line}")
            say("")
        if result.rotations:
            say("双向选择与轮岗锻炼：")
            for line in result.rotations:
                say(f"  {line}")
            say("")
        slips, links = (result.slips_pdf, result.vote_links) if result.created else saved_links()
        if slips:
            say(f"演示会场投票的选票（可打印，用手机扫码投票）：{slips}")
        if links:
            say("或直接打开其中一张选票的投票链接：")
            for link in links:
                say(f"  {link}")
        say("")
        if options["no_serve"]:
            say(f"启动服务：houbei serve，然后打开 {url_of(options['host'], options['port'])}")
            return
        code = serve(host=options["host"], port=options["port"], say=say)
        if code:
            raise SystemExit(code)
