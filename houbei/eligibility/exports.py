"""The eligibility board's export (kind ``eligibility``): every listed person's verdict and
per-rule results with their explanations, as a workbook to print or file, or as JSON.

The same evaluation as the board (``evaluation.evaluate``), a fixed number of queries
whatever the size of the school; always in Chinese, as a school document; every cell a
spreadsheet would run as a formula is neutralised; every export is audited with what it
contained (rule set, reference date, target, filter, format, rows)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from houbei.accounts.access import Cap, has_cap
from houbei.audit.services import record
from houbei.core.errors import DomainError, NotAllowed, ValidationFailed
from houbei.core.exports import CONTENT_TYPES, ExportFile, register
from houbei.organisation.models import School
from houbei.people.roster.exports import neutralise

from . import evaluation, loading
from .models import RuleSet
from .rules import Outcome, RuleError, RuleResult, Strength, Verdict, explain

VERDICT_IN_SCOPE, VERDICT_ALL = "", "all"
# Reference dates the rules' date arithmetic stays inside the calendar with.
EARLIEST_AS_OF, LATEST_AS_OF = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def _invalid(field: str, message: str) -> ValidationFailed:
    # The message is the error's own too: the board shows it as a message, the command
    # line prints it.
    return ValidationFailed({field: [message]}, message=message)


@dataclass(frozen=True)
class EligibilityExportRequest:
    """What to export. ``rule_set_id`` None is the school's default rule set; ``as_of``
    None its reference date (else today); ``target`` as the board takes it ("level:3",
    "post:<code>", "" for the rules' default); ``verdict`` "" lists everyone in scope,
    "all" everyone, a ``Verdict`` value only those people."""

    rule_set_id: int | None = None
    as_of: dt.date | None = None
    target: str = ""
    verdict: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> EligibilityExportRequest:
        """The request from text values (the command line's ``rule_set``, ``as_of``,
        ``target``, ``verdict``); ValidationFailed naming the value that does not fit."""
        text = {k: str(v).strip() for k, v in params.items() if v is not None}
        rule_set = text.get("rule_set", "")
        if rule_set and not rule_set.isdigit():
            raise _invalid(
                "rule_set", _("选拔条件编号应为整数，而不是“%(value)s”。") % {"value": rule_set}
            )
        as_of = None
        if text.get("as_of"):
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text["as_of"]):
                    raise ValueError(text["as_of"])
                as_of = dt.date.fromisoformat(text["as_of"])
            except ValueError:
                raise _invalid(
                    "as_of",
                    _("基准日应为日期，格式为 YYYY-MM-DD，而不是“%(value)s”。")
                    % {"value": text["as_of"]},
                ) from None
        return cls(
            rule_set_id=int(rule_set) if rule_set else None,
            as_of=as_of,
            target=text.get("target", ""),
            verdict=text.get("verdict", ""),
        )


class RuleSetNotFound(DomainError):
    status_code = 404


@dataclass
class _Line:
    """One listed person, with the explanation of every rule."""

    row: evaluation.Row
    results: tuple[RuleResult, ...]


def _rule_set(school: School, rule_set_id: int | None) -> RuleSet:
    rule_sets = RuleSet.objects.filter(school=school).select_related("school")
    if rule_set_id is None:
        found = rule_sets.filter(is_default=True).first()
        if found is None:
            raise RuleSetNotFound(_("本校尚未设定默认选拔条件，请指定要导出的选拔条件。"))
        return found
    found = rule_sets.filter(pk=rule_set_id).first()
    if found is None:
        raise RuleSetNotFound(_("本校没有编号为%(id)s的选拔条件。") % {"id": rule_set_id})
    return found


def _check_request(wanted: EligibilityExportRequest) -> None:
    _check_verdict(wanted.verdict)
    if wanted.as_of is not None and not EARLIEST_AS_OF <= wanted.as_of <= LATEST_AS_OF:
        raise _invalid(
            "as_of",
            _("基准日须在%(earliest)s至%(latest)s之间。")
            % {"earliest": EARLIEST_AS_OF, "latest": LATEST_AS_OF},
        )


def _check_verdict(verdict: str) -> None:
    if verdict not in (VERDICT_IN_SCOPE, VERDICT_ALL, *Verdict.values):
        raise _invalid(
            "verdict",
            _("结论“%(verdict)s”无效，可选：%(allowed)s。")
            % {"verdict": verdict, "allowed": "、".join([VERDICT_ALL, *Verdict.values])},
        )


def _listed(verdict: str, wanted: str) -> bool:
    if wanted == VERDICT_ALL:
        return True
    if wanted == VERDICT_IN_SCOPE:
        return verdict != Verdict.OUT_OF_SCOPE
    return verdict == wanted


def _evaluate(rule_set: RuleSet, wanted: EligibilityExportRequest) -> evaluation.Evaluation:
    try:
        result = evaluation.evaluate(rule_set, as_of=wanted.as_of, target=wanted.target)
    except RuleError as error:
        raise _invalid(
            "rules", _("选拔条件无法计算：%(error)s") % {"error": error.message}
        ) from error
    if wanted.target.strip() and not result.target_code:
        # ``parse_target`` reads an unknown target as none; a file that says it lists the
        # candidates for a post must be about that post.
        raise _invalid(
            "target",
            _("目标“%(target)s”无效：应为 level:<层级> 或 post:<本校岗位代码>。")
            % {"target": wanted.target},
        )
    return result


def _lines(result: evaluation.Evaluation, wanted: str) -> list[_Line]:
    """The listed people in the board's order; their whole records in two queries."""
    rows = [r for r in result.rows if _listed(r.verdict, wanted)]
    records = {r.id: r for r in loading.records_for([row.person for row in rows])}
    return [_Line(row, explain(result.plan, records[row.person.pk]).results) for row in rows]


def _outcome(value: str) -> str:
    return str(Outcome(value).label)


def _explanation_line(result: RuleResult) -> str:
    """ "条件（结果）：解释", and the ruling that set the result, if any."""
    ruling = result.ruling
    head = f"{result.label}（{_outcome(result.outcome)}）："
    if ruling is None:
        return head + result.text
    values = {
        "outcome": _outcome(result.outcome),
        "computed": _outcome(result.computed),
        "reason": ruling.reason,
        "by": ruling.by,
        "on": ruling.on.isoformat() if ruling.on else _("未记日期"),
    }
    if result.strength == Strength.MANUAL:
        # A manual rule's text only says it is not yet recorded; the record is the ruling.
        return head + _("人工记录：%(outcome)s；理由：%(reason)s（%(by)s，%(on)s）。") % values
    note = _(
        "【逐人认定：%(outcome)s（计算结果：%(computed)s）；理由：%(reason)s；%(by)s，%(on)s】"
    )
    return head + result.text + note % values


def _cell(result: RuleResult) -> str:
    """ "符合 6年2个月"; "（认定）" when a ruling set the result."""
    text = " ".join(t for t in (_outcome(result.outcome), result.short) if t)
    return text + _("（认定）") if result.ruling is not None else text


def _explanation(results: tuple[RuleResult, ...]) -> str:
    return "\n".join(_explanation_line(r) for r in results)


def _title(school: School, rule_set: RuleSet, result: evaluation.Evaluation) -> str:
    return "　".join(
        [
            school.name,
            rule_set.name,
            _("基准日：%(as_of)s") % {"as_of": result.as_of.isoformat()},
            result.target_label,
        ]
    )


# Widths of 序号, 工号, 姓名, 性别, 年龄, 结论, 优先; then each rule; then 说明.
_FIXED_WIDTHS = (6, 10, 10, 6, 6, 14, 6)
_RULE_WIDTH = 16
_EXPLANATION_WIDTH = 90


def _xlsx(
    school: School, rule_set: RuleSet, result: evaluation.Evaluation, lines: list[_Line]
) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    assert ws is not None
    ws.title = _("资格审查结果")
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    # As on the board: the kind of condition and its strength; the school's wording of
    # each is in the explanation.
    rule_labels = [
        f"{c.kind.label}\n（{Strength(c.rule.strength).label}）" for c in result.plan.rules
    ]
    headers = [
        _("序号"),
        _("工号"),
        _("姓名"),
        _("性别"),
        _("年龄"),
        _("结论"),
        _("优先"),
        *rule_labels,
        _("说明"),
    ]
    widths = [*_FIXED_WIDTHS, *[_RULE_WIDTH] * len(rule_labels), _EXPLANATION_WIDTH]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width

    ws.append([neutralise(_title(school, rule_set, result))])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    ws.append([neutralise(h) for h in headers])
    for cell in ws[2]:
        cell.font = bold
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    ws.freeze_panes = "D3"

    for number, line in enumerate(lines, start=1):
        person = line.row.person
        values: list[Any] = [
            number,
            person.staff_number,
            person.name,
            person.get_gender_display(),
            line.row.age,
            line.row.verdict_label,
            line.row.priority or None,
            *[_cell(r) for r in line.results],
            _explanation(line.results),
        ]
        ws.append([neutralise(v) for v in values])
        for cell in ws[ws.max_row]:
            cell.alignment = wrap

    counts = result.counts()
    ws.append([])
    ws.append([None] * 5 + [_("各结论人数（全部在册人员）")])
    ws.cell(row=ws.max_row, column=6).font = bold
    for verdict in Verdict:
        ws.append([None] * 5 + [str(verdict.label), counts[verdict.value]])
    ws.append([None] * 5 + [_("合计"), sum(counts.values())])
    ws.append([None] * 5 + [_("本表列出"), len(lines)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _json(
    school: School,
    rule_set: RuleSet,
    result: evaluation.Evaluation,
    lines: list[_Line],
    wanted: str,
) -> bytes:
    data = {
        "school": school.code,
        "school_name": school.name,
        "rule_set": {"id": rule_set.pk, "name": rule_set.name},
        "as_of": result.as_of,
        "target": result.target_code,
        "target_label": result.target_label,
        "verdict": wanted,
        "exported_at": timezone.now(),
        "rules": [
            {
                "key": c.rule.key,
                "type": c.rule.type,
                "strength": c.rule.strength,
                "label": c.rule.label,
                "params": dict(c.rule.params),
                "exempt_reason": c.prep.exempt_reason,
            }
            for c in result.plan.rules
        ],
        "counts": result.counts(),
        "count": len(lines),
        "people": [
            {
                "person_id": line.row.person.pk,
                "staff_number": line.row.person.staff_number,
                "name": line.row.person.name,
                "gender": line.row.person.gender,
                "age": line.row.age,
                "verdict": line.row.verdict,
                "verdict_label": line.row.verdict_label,
                "priority": line.row.priority,
                "results": [
                    {
                        "key": r.key,
                        "outcome": r.outcome,
                        "computed": r.computed,
                        "short": r.short,
                        "text": r.text,
                        "ruling": None
                        if r.ruling is None
                        else {
                            "outcome": r.ruling.outcome,
                            "reason": r.ruling.reason,
                            "by": r.ruling.by,
                            "on": r.ruling.on,
                        },
                    }
                    for r in line.results
                ],
            }
            for line in lines
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=1, cls=DjangoJSONEncoder).encode()


@register("eligibility")
def export_eligibility(
    school: School,
    *,
    actor: Any,
    filters: EligibilityExportRequest | Mapping[str, Any] | None,
    fmt: str,
) -> ExportFile:
    """The eligibility board of ``school`` as ``fmt`` ("xlsx" or "json"). ``filters`` is
    a request, or its text values (``EligibilityExportRequest.from_params``).

    A user needs ``Cap.ELIGIBILITY_VIEW`` in ``school`` (``NotAllowed`` otherwise);
    ``actor`` None is the command line. Raises ``RuleSetNotFound`` for a rule set not of
    the school (or no default), ``ValidationFailed`` for an unknown verdict or target or a
    rule that cannot be computed. Audit: ``eligibility.board.exported`` with the rule set,
    reference date, target, filter, format and row count."""
    if isinstance(filters, Mapping):
        wanted = EligibilityExportRequest.from_params(filters)
    else:
        wanted = filters or EligibilityExportRequest()
    if actor is not None and (
        not has_cap(actor, Cap.ELIGIBILITY_VIEW) or actor.school_id != school.pk
    ):
        raise NotAllowed()
    _check_request(wanted)
    rule_set = _rule_set(school, wanted.rule_set_id)
    # A school document: Chinese whatever the language of the screen it was asked from;
    # the explanations are written as they are computed, so the evaluation runs inside.
    with translation.override("zh-hans"):
        result = _evaluate(rule_set, wanted)
        lines = _lines(result, wanted.verdict)
        if fmt == "xlsx":
            content = _xlsx(school, rule_set, result, lines)
        else:
            content = _json(school, rule_set, result, lines, wanted.verdict)
        filename = _("资格审查结果") + f"-{school.code}-{result.as_of:%Y%m%d}"
    with transaction.atomic():
        record(
            actor=actor,
            action="eligibility.board.exported",
            school=school,
            target=rule_set,
            new={
                "rule_set": rule_set.name,
                "rule_set_id": rule_set.pk,
                "as_of": result.as_of,
                "target": result.target_code,
                "verdict": wanted.verdict,
                "format": fmt,
                "rows": len(lines),
            },
        )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return ExportFile(f"{filename}-{stamp}.{fmt}", CONTENT_TYPES[fmt], content)
