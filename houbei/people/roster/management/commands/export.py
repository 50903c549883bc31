"""``houbei export KIND --format json|xlsx --school CODE [--output FILE] [filters]``

Runs a registered exporter (``houbei.core.exports``), e.g. ``houbei export roster
--format xlsx --school shiba --status on``, or the eligibility board, ``houbei export
eligibility --school shiba [--rule-set ID] [--as-of 2021-02-26] [--target level:3]
[--verdict eligible]`` (the school's default rule set unless ``--rule-set``). JSON goes
to standard output unless ``--output`` is given; a workbook is written to ``--output``
or, by default, to the exporter's file name in the current directory. ``houbei export
ballot-results --school shiba --election ID --format xlsx|docx|json`` writes an
election's results workbook, its Word 推荐结果汇总表, or the anonymised ballots that
``houbei recount`` checks. ``houbei export pool --school shiba --cycle 2021 --format
json|xlsx`` writes the reserve pool (后备干部名单) of the school's complete cycle of that
year. ``houbei export assignments --school shiba [--round ID | --term 2026-1] [--status
active] --format json|xlsx`` writes the school's rotation assignments (轮岗安排). The
export is audited as a system action."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from houbei.core import exports
from houbei.core.errors import DomainError
from houbei.organisation.models import School
from houbei.people.filters import parse_filters
from houbei.people.roster.exports import RosterExportRequest

# Command-line option → the list's query parameter (see houbei.people.filters).
FILTER_OPTIONS = {
    "status": "post_status",
    "establishment": "establishment",
    "political_status": "political_status",
    "gender": "gender",
    "subject": "subject",
    "q": "q",
    "archived": "archived",
    "age_min": "age_min",
    "age_max": "age_max",
}
# The eligibility board's options (``eligibility.exports.EligibilityExportRequest``).
ELIGIBILITY_OPTIONS = ("rule_set", "as_of", "target", "verdict")


class Command(BaseCommand):
    help = "Export a list (e.g. the staff roster) as JSON or Excel."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", help="what to export: " + ", ".join(exports.kinds()))
        parser.add_argument("--format", choices=exports.all_formats(), default="xlsx")
        parser.add_argument("--school", required=True, help="school code")
        parser.add_argument("--output", type=Path, help="file to write")
        parser.add_argument("--status", help="post status: on, off, transferred, retired")
        parser.add_argument("--establishment", help="in / out")
        parser.add_argument("--political-status", dest="political_status")
        parser.add_argument("--gender", help="M / F")
        parser.add_argument("--subject")
        parser.add_argument("--q", help="name or staff number contains")
        parser.add_argument(
            "--archived", help="'archived' or 'all' (default: people in the register)"
        )
        parser.add_argument("--age-min", dest="age_min")
        parser.add_argument("--age-max", dest="age_max")
        parser.add_argument(
            "--full-ids",
            action="store_true",
            help="national ID numbers in full (audited; needs --reason)",
        )
        parser.add_argument("--reason", default="", help="why full ID numbers are exported")
        parser.add_argument(
            "--rule-set", dest="rule_set", help="eligibility: rule set id (default: the school's)"
        )
        parser.add_argument("--as-of", dest="as_of", help="eligibility: reference date YYYY-MM-DD")
        parser.add_argument("--target", help="eligibility: level:N or post:CODE")
        parser.add_argument(
            "--election", help="ballot-results: the election's id (its page is /ballots/ID/)"
        )
        parser.add_argument("--cycle", help="pool: the selection cycle's year, e.g. 2021")
        parser.add_argument("--round", help="assignments: a two-way selection round's id")
        parser.add_argument("--term", help="assignments: a term, e.g. 2026-1 (2026学年第一学期)")
        parser.add_argument(
            "--verdict",
            help="eligibility: eligible, flagged, ineligible, incomplete, out_of_scope, "
            "or all (default: everyone in scope)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        school = School.objects.filter(code=options["school"]).first()
        if school is None:
            raise CommandError(f"没有代码为“{options['school']}”的学校。", returncode=1)
        params = {
            param: options[option]
            for option, param in FILTER_OPTIONS.items()
            if options.get(option) not in (None, "")
        }
        if options["full_ids"] and not options["reason"].strip():
            raise CommandError("导出完整身份证号时请用 --reason 说明用途。", returncode=1)
        given = [o for o in ELIGIBILITY_OPTIONS if options.get(o) not in (None, "")]
        filters: Any
        if options.get("cycle") and options["kind"] != "pool":
            raise CommandError("--cycle 只用于 pool 导出。", returncode=1)
        if (options.get("round") or options.get("term")) and options["kind"] != "assignments":
            raise CommandError("--round、--term 只用于 assignments 导出。", returncode=1)
        if options["kind"] == "assignments":
            # --status is the assignment's status here (planned, active, completed, ended).
            if set(params) - {"post_status"} or given or options["full_ids"] or options["election"]:
                raise CommandError(
                    "assignments 导出只接受 --round、--term 和 --status。", returncode=1
                )
            filters = {o: options.get(o) for o in ("round", "term", "status")}
        elif options["kind"] == "ballot-results":
            if params or given or options["full_ids"]:
                raise CommandError("ballot-results 导出只接受 --election。", returncode=1)
            filters = {"election": options.get("election")}
        elif options.get("election"):
            raise CommandError("--election 只用于 ballot-results 导出。", returncode=1)
        elif options["kind"] == "pool":
            if params or given or options["full_ids"]:
                raise CommandError("pool 导出只接受 --cycle。", returncode=1)
            filters = {"cycle": options.get("cycle")}
        elif options["kind"] == "eligibility":
            if params or options["full_ids"]:
                raise CommandError("名册的筛选条件不能用于 eligibility 导出。", returncode=1)
            # As text: the exporter parses and checks it (people does not import
            # eligibility, which builds on it).
            filters = {o: options[o] for o in given}
        elif given:
            raise CommandError(
                "--rule-set、--as-of、--target、--verdict 只用于 eligibility 导出。", returncode=1
            )
        else:
            filters = parse_filters(params)
            if options["kind"] == "roster":
                filters = RosterExportRequest(
                    people=filters, full_national_ids=options["full_ids"], reason=options["reason"]
                )
        try:
            file = exports.run_export(
                options["kind"], school, actor=None, filters=filters, fmt=options["format"]
            )
        except DomainError as error:
            raise CommandError(str(error.message), returncode=1) from error
        output: Path | None = options["output"]
        if output is None and options["format"] == "json":
            self.stdout.write(file.content.decode())
            return
        output = output or Path(file.filename)
        output.write_bytes(file.content)
        self.stderr.write(f"已写入 {output}（{len(file.content)} 字节）")
