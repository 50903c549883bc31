"""``houbei recount FILE``: recount an election from its anonymised export, without the
database, and check the published digest.

The file is what ``houbei export ballot-results --format json`` (or the election page's
"匿名选票" download) writes: the lists, every ballot's marks and every receipt. The
command counts the ballots with the same pure function the server uses, recomputes the
SHA-256 digest over the sorted ballots and receipts, checks that the counts in the file
agree with what it holds, prints the figures per list, and exits 1 on any mismatch —
so the 监票人 can run it on their own machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from houbei.ballots.results import percent
from houbei.ballots.tally import ListSpec, count, digest


class Command(BaseCommand):
    help = "Recount an election from its anonymised export and check the digest."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the anonymised export (JSON)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            specs = [
                ListSpec(
                    int(item["id"]),
                    str(item["name"]),
                    int(item["quota"]),
                    tuple((int(c["id"]), str(c["name"])) for c in item["candidates"]),
                )
                for item in data["lists"]
            ]
            ballots = data["ballots"]
            receipts = [str(r) for r in data["receipts"]]
            stated = data["counts"]
            published = str(data.get("digest", ""))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise CommandError(f"无法读取 {path}：{error}", returncode=2) from error

        say = self.stdout.write
        tally = count(specs, ballots)
        say(f"{data.get('election', {}).get('title', '')}")
        say(f"选票 {tally.ballots} 张，回执 {len(receipts)} 个")
        for lr in tally.lists:
            say(
                f"{lr.name}（限选{lr.quota}人）：有效{lr.valid}张，无效{lr.void}张，弃权{lr.blank}张"
            )
            for c in lr.candidates:
                say(f"  第{c.rank}位  {c.name}  {c.votes}票  {percent(c.share)}")
        problems = []
        if stated.get("ballots") != len(ballots):
            problems.append(f"文件写明选票{stated.get('ballots')}张，实有{len(ballots)}张")
        if stated.get("receipts") != len(receipts):
            problems.append(f"文件写明回执{stated.get('receipts')}个，实有{len(receipts)}个")
        if len(set(receipts)) != len(receipts):
            problems.append("有重复的回执码")
        recomputed = digest(ballots, receipts)
        say(f"重新计算的摘要：{recomputed}")
        say(f"公布的摘要：    {published}")
        if recomputed != published:
            problems.append("摘要不一致：选票或回执与公布时不同")
        if problems:
            for problem in problems:
                self.stderr.write(f"不一致：{problem}")
            raise SystemExit(1)
        say(self.style.SUCCESS("摘要一致，计票结果可复核。"))
