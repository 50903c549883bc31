"""``houbei import-roster FILE --school CODE [--commit]``

A dry run by default: reads the roster, prints what would happen and every error as
``工作表 行 列: 原因``, and exits with status 1 if there is any error. With ``--commit``
the roster is imported all or nothing (as the system user) and the counts are printed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from houbei.core.errors import DomainError
from houbei.organisation.models import School
from houbei.people.roster.parse import Problem
from houbei.people.roster.services import (
    STAGE_LABELS,
    RosterInvalid,
    RosterUnreadable,
    analyse_roster,
    import_roster,
)

COUNT_LABELS = (
    ("created", "新增"),
    ("updated", "更新"),
    ("unchanged", "不变"),
    ("history_added", "新增任职经历"),
    ("history_updated", "更新任职经历"),
    ("honours_added", "新增荣誉"),
    ("honours_updated", "更新荣誉"),
    ("appraisals_added", "新增年度考核"),
    ("appraisals_updated", "更正年度考核"),
    ("untouched", "文件中未列出（不受影响）"),
)


def problem_line(problem: Problem) -> str:
    where = " ".join(
        str(part) for part in (problem.sheet, problem.row, problem.column) if part not in (None, "")
    )
    return f"{where}: {problem.message}" if where else problem.message


class Command(BaseCommand):
    help = "Import an Excel roster into a school (dry run unless --commit)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the .xlsx roster")
        parser.add_argument("--school", required=True, help="school code")
        parser.add_argument(
            "--commit", action="store_true", help="import (all or nothing); default: dry run"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}", returncode=1)
        school = School.objects.filter(code=options["school"]).first()
        if school is None:
            raise CommandError(f"没有代码为“{options['school']}”的学校。", returncode=1)
        verbose = options["verbosity"] >= 2

        def progress(stage: str, done: int, total: int) -> None:
            if verbose and (done == total or done % 2000 == 0):
                self.stderr.write(f"{STAGE_LABELS.get(stage, stage)} {done}/{total}")

        try:
            if options["commit"]:
                result = import_roster(
                    actor=None, school=school, path=path, filename=path.name, on_progress=progress
                )
                self._counts(result.counts, "已导入")
                self.stdout.write(f"审计记录 #{result.audit_seq}")
                return
            plan = analyse_roster(school=school, path=path, on_progress=progress)
        except RosterInvalid as error:
            self._fail(error.plan.errors, str(error.message))
        except RosterUnreadable as error:
            raise CommandError(f"文件: {error.message}", returncode=1) from error
        except DomainError as error:
            raise CommandError(str(error.message), returncode=1) from error
        for note in plan.notes:
            self.stdout.write("说明 " + problem_line(note))
        self._counts(plan.counts(), "预览（未写入）")
        if plan.errors:
            self._fail(plan.errors, f"共 {len(plan.errors)} 处错误，不能导入。")
        self.stdout.write("没有错误。加上 --commit 即可导入。")

    def _counts(self, counts: dict[str, int], title: str) -> None:
        parts = [f"{label} {counts.get(key, 0)}" for key, label in COUNT_LABELS]
        self.stdout.write(f"{title}：" + "，".join(parts))

    def _fail(self, errors: list[Problem], summary: str) -> None:
        for problem in errors:
            self.stderr.write(problem_line(problem))
        raise CommandError(summary, returncode=1)
