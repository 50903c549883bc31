"""``houbei recount FILE``: recount an election from its anonymised export, without the
database, and check it against the digest and the counts stated beside it.

The file is what ``houbei export ballot-results --election ID --format json`` (or the
election page's "匿名选票" download) writes: the lists, every ballot's marks, every
receipt, the counts of the other records (codes used online and on paper, the ballots
the audit trail recorded at the tally) and the digest. The command counts the ballots
with the same pure function the server uses (``tally.count``), recomputes the SHA-256
digest (``tally.digest``), checks that ballots, receipts and the stated counts agree,
prints the figures per list, then "摘要一致" or what does not agree, and exits 1 on any
mismatch (2 when the file cannot be read) — so the 监票人 can run it on their own
machine, with nothing but this file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from houbei.ballots.results import percent
from houbei.ballots.tally import ListSpec, Tally, count, digest


def _specs(data: Mapping[str, Any]) -> list[ListSpec]:
    return [
        ListSpec(
            int(item["id"]),
            str(item["name"]),
            int(item["quota"]),
            tuple((int(c["id"]), str(c["name"])) for c in item["candidates"]),
        )
        for item in data["lists"]
    ]


def _ballots(data: Mapping[str, Any]) -> list[dict[str, list[int]]]:
    """The ballots as marks; ValueError naming the first ballot that is not one."""
    out = []
    for number, ballot in enumerate(data["ballots"], start=1):
        if not isinstance(ballot, dict) or not all(
            isinstance(marked, list) and all(type(c) is int for c in marked)
            for marked in ballot.values()
        ):
            raise ValueError(f"第{number}张选票格式不对：{json.dumps(ballot, ensure_ascii=False)}")
        out.append({str(k): list(v) for k, v in ballot.items()})
    return out


def count_problems(counts: Mapping[str, Any], ballots: int, receipts: list[str]) -> list[str]:
    """Where the ballots and receipts in the file disagree with the counts stated beside
    them: each ballot used one code, each online ballot left one receipt, and the audit
    trail recorded the number of ballots at the tally."""
    problems = []
    if counts.get("ballots") != ballots:
        problems.append(f"文件写明选票{counts.get('ballots')}张，实有{ballots}张")
    if counts.get("receipts") != len(receipts):
        problems.append(f"文件写明回执{counts.get('receipts')}个，实有{len(receipts)}个")
    if len(set(receipts)) != len(receipts):
        problems.append("有重复的回执码")
    online, paper = counts.get("codes_used_online"), counts.get("codes_used_paper")
    if online is not None and paper is not None:
        if online + paper != ballots:
            problems.append(
                f"用过的投票码{online + paper}个（网上{online}、纸质{paper}），选票{ballots}张"
            )
        if online != len(receipts):
            problems.append(f"网上用过的投票码{online}个，回执{len(receipts)}个")
    at_tally = counts.get("ballots_at_tally")
    if at_tally is not None and at_tally != ballots:
        problems.append(f"计票时审计记录为选票{at_tally}张，现有{ballots}张")
    return problems


class Command(BaseCommand):
    help = "Recount an election from its anonymised export and check the digest and counts."
    # Nothing here touches the database: no checks, no migrations.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the anonymised export (JSON)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            specs = _specs(data)
            ballots = _ballots(data)
            receipts = [str(r) for r in data["receipts"]]
            counts = data["counts"]
            published = str(data.get("digest") or "")
            at_tally = str(data.get("digest_at_tally") or "")
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise CommandError(f"无法读取 {path}：{error}", returncode=2) from error

        tally = count(specs, ballots)
        self._print(data, tally, len(receipts))
        problems = count_problems(counts, len(ballots), receipts)
        recomputed = digest(ballots, receipts)
        say = self.stdout.write
        say(f"重新计算的摘要：{recomputed}")
        say(f"公布的摘要：    {published}")
        digest_ok = recomputed == published and at_tally in ("", published)
        if recomputed != published:
            problems.append("摘要不一致：选票或回执与计票时不同")
        if at_tally and at_tally != published:
            problems.append("文件中的摘要与计票时审计记录的摘要不同")
        if problems:
            say("摘要一致。" if digest_ok else "摘要不一致。")
            for problem in problems:
                self.stderr.write(f"不一致：{problem}")
            raise SystemExit(1)
        say(self.style.SUCCESS("摘要一致，数目相符，计票结果可复核。"))

    def _print(self, data: Mapping[str, Any], tally: Tally, receipts: int) -> None:
        say = self.stdout.write
        election = data.get("election") or {}
        say(f"{election.get('title', '')}（{election.get('key', '')}）")
        say(f"选票 {tally.ballots} 张，回执 {receipts} 个")
        for lr in tally.lists:
            say(
                f"{lr.name}（限选{lr.quota}人）：有效{lr.valid}张，无效{lr.void}张，"
                f"弃权{lr.blank}张"
            )
            for c in lr.candidates:
                say(f"  第{c.rank}位  {c.name}  {c.votes}票  {percent(c.share)}")
