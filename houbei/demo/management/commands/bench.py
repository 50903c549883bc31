"""``houbei bench NAME [ARGS…]`` / ``houbei bench all``: run benchmarks in a scratch database."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from houbei.demo.bench import BENCH_DIR, discover, run_one


def split_runner_options(args: list[str]) -> tuple[dict[str, Any], list[str]]:
    """Separate the runner's own options (``--keep``, ``--bench-dir DIR``) from the bench's
    arguments. They may come anywhere before a ``--``; everything after it is the bench's."""
    options: dict[str, Any] = {}
    rest: list[str] = []
    items = iter(args)
    for item in items:
        if item == "--":
            rest.extend(items)
            break
        if item == "--keep":
            options["keep"] = True
        elif item == "--bench-dir":
            options["bench_dir"] = next(items, None)
        elif item.startswith("--bench-dir="):
            options["bench_dir"] = item.split("=", 1)[1]
        else:
            rest.append(item)
    return options, rest


class Command(BaseCommand):
    help = (
        "运行 bench/NAME.py 的 main(argv)（all：按顺序运行全部基准），每个基准使用一个临时数据库，"
        "结束后删除，不触碰演示或正式数据。输出 JSON 行。"
    )
    # The system checks would open the configured database (JSONField support probe) and,
    # on SQLite, create its file; a benchmark must leave that database alone.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="基准名（bench/ 下的文件名，不含 .py），或 all")
        parser.add_argument(
            "bench_args",
            nargs=argparse.REMAINDER,
            help="传给基准 main(argv) 的参数；--keep 保留临时数据库并打印其名称（用于排查）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        runner, argv = split_runner_options(list(options["bench_args"] or []))
        bench_dir = Path(runner.get("bench_dir") or BENCH_DIR)
        name: str = options["name"]
        names = discover(bench_dir) if name == "all" else [name]
        if not names:
            raise CommandError(f"{bench_dir} 下没有基准。")

        def log(message: str) -> None:
            # Progress goes to stderr so stdout stays pure JSON lines.
            print(message, file=sys.stderr, flush=True)

        failed = []
        for each in names:
            try:
                code = run_one(
                    each, argv, bench_dir=bench_dir, keep=runner.get("keep", False), log=log
                )
            except LookupError as error:
                raise CommandError(str(error)) from error
            if code:
                failed.append(f"{each} (exit {code})")
        if failed:
            raise CommandError("基准失败：" + "，".join(failed))
