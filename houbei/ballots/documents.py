"""The documents of an election: printed slips (which are also the paper ballots), the
results workbook, the Word 推荐结果汇总表, and the anonymised export a recount needs.

Every renderer returns bytes; the exporter registered as ``ballot-results`` wraps them for
the web and ``houbei export`` and records the export in the audit trail."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

import segno
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from houbei.accounts.access import Cap, has_cap
from houbei.audit.services import record
from houbei.core.errors import DomainError, NotAllowed
from houbei.core.exports import CONTENT_TYPES, ExportFile, register
from houbei.organisation.models import School

from . import codes
from .models import Ballot, Credential, Election, Receipt, Status
from .results import Results, results_of, tally_record
from .services import specs_of
from .tally import canonical_marks

# How slips fit an A4 page (mm, as laid out in ``ballots/print/slips.html``): a slip
# holds a head (title, QR code, code, rules) and, per list, a heading and rows of names.
# Measured on rendered slips; a slip that would not hold its lists goes to a larger layout.
_LAYOUTS = (  # (slips per page, names per row, height left for the lists)
    (4, 4, 80.0),
    (2, 6, 87.0),
)
_LIST_HEADING = 7.0
_NAME_ROW = 5.9


def slips_per_page(list_sizes: Sequence[int]) -> int:
    """4, 2 or 1 slips to a page for lists of these sizes: the most that leave every
    name on its slip (one slip runs on over pages when it must)."""
    for per_page, per_row, room in _LAYOUTS:
        needed = sum(_LIST_HEADING + -(-size // per_row) * _NAME_ROW for size in list_sizes)
        if needed <= room:
            return per_page
    return 1


def _qr_svg(url: str) -> str:
    qr = segno.make(url, error="m")
    return qr.svg_inline(scale=3, border=2)


def slips_pdf(election: Election, made: Sequence[str], *, base_url: str) -> bytes:
    """A4 slips for ``made`` codes: the election, the lists with boxes to tick, the code
    printed and as a QR code of ``{base_url}/vote/<key>/#c=<code>`` (in the fragment, so it
    never reaches a server log). Several slips share a page, with cut marks, when the lists
    are short. No serial numbers."""
    from weasyprint import HTML

    specs = specs_of(election)
    per_page = slips_per_page([len(s.candidates) for s in specs])
    slips = [
        {
            "code": codes.display(code),
            "qr": _qr_svg(f"{base_url}/vote/{election.key}/#c={code}"),
        }
        for code in made
    ]
    pages = [slips[i : i + per_page] for i in range(0, len(slips), per_page)]
    with translation.override("zh-hans"):
        html = render_to_string(
            "ballots/print/slips.html",
            {
                "election": election,
                "specs": specs,
                "pages": pages,
                "per_page": per_page,
                "vote_url": f"{base_url}/vote/{election.key}/",
            },
        )
    return bytes(HTML(string=html).write_pdf())


def results_xlsx(results: Results) -> bytes:
    """The results workbook: a summary sheet (turnout against the quorum, slips issued and
    returned, valid, void and blank per list, the digest and whether the ballots still
    match it), then a sheet per list with rank, name, votes, share and the official
    sentence."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("汇总")
    turnout = results.turnout
    summary.append([results.school])
    summary.append([results.title])
    summary.append([])
    for label, value in (
        (_("应参加人数"), turnout.electorate),
        (_("参加人数"), turnout.participants),
        (_("参与率"), turnout.percent),
        (_("参与率要求"), turnout.quorum_label),
        (_("是否达到"), _("达到") if turnout.quorum_reached else _("未达到，本次推荐无效")),
        (_("发出推荐票（张）"), results.issued),
        (_("收回（张）"), results.returned),
        (_("其中网上投票"), results.online),
        (_("其中纸质选票"), results.paper),
        (_("回执码（个）"), results.receipts),
        (_("选票摘要（SHA-256）"), results.digest),
        (_("现存选票与摘要"), _("一致") if results.digest_matches else _("不一致")),
    ):
        summary.append([label, value])
        summary.cell(summary.max_row, 1).font = bold
    summary.append([])
    summary.append([_("名单"), _("限选人数"), _("有效票"), _("无效票"), _("其中弃权（空白）")])
    for cell in summary[summary.max_row]:
        cell.font = bold
    for lines in results.lists:
        lr = lines.result
        summary.append([lr.name, lr.quota, lr.valid, lr.void, lr.blank])
    summary["A1"].font = Font(bold=True, size=14)
    summary["A2"].font = Font(bold=True, size=12)
    summary.column_dimensions["A"].width = 24
    summary.column_dimensions["B"].width = 68
    for column in "CDE":
        summary.column_dimensions[column].width = 16
    for lines in results.lists:
        sheet = book.create_sheet(_sheet_title(lines.result.name, book.sheetnames))
        sheet.append([_("名次"), _("姓名"), _("得票"), _("占有效票"), _("推荐结果")])
        for cell in sheet[1]:
            cell.font = bold
        for line in lines.candidates:
            sheet.append(
                [line.result.rank, line.result.name, line.result.votes,
                 float(line.result.share), line.sentence]
            )  # fmt: skip
            sheet.cell(sheet.max_row, 4).number_format = "0.0%"
            sheet.cell(sheet.max_row, 5).alignment = Alignment(wrap_text=True)
        for column, width in zip("ABCDE", (6, 12, 8, 10, 90), strict=True):
            sheet.column_dimensions[column].width = width
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_title(name: str, taken: Sequence[str]) -> str:
    """A list's name as a sheet title: at most 31 characters, none of ``[]:*?/\\``, and
    not one already used (names cut to 31 characters could clash)."""
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "_"
    number = 2
    while title in taken:
        suffix = f"({number})"
        title = title[: 31 - len(suffix)] + suffix
        number += 1
    return title


def _date(day: Any) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def results_docx(results: Results) -> bytes:
    """The 推荐结果汇总表 as a school files it: title, the meeting's figures and whether
    the quorum was reached, a table per list (序号、姓名、得票数、占有效票比例、名次), the
    digest, the signatures of the 监票人 and 计票人, the date. A4, 宋体."""
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    style = doc.styles["Normal"]
    style.font.name = "SimSun"  # type: ignore[attr-defined]
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")  # type: ignore[attr-defined]
    style.font.size = Pt(12)  # type: ignore[attr-defined]

    def para(text: str = "", *, bold: bool = False, size: float | None = None,
             center: bool = False) -> Any:  # fmt: skip
        p = doc.add_paragraph()
        if center:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)
        return p

    para(
        _("%(school)s后备干部民主推荐结果汇总表") % {"school": results.school},
        bold=True, size=16, center=True,
    )  # fmt: skip
    para(_("推荐事项：%(t)s") % {"t": results.title})
    turnout = results.turnout
    para(
        results.summary
        + (
            _("参加人数占应参加人数（%(e)d人）的%(p)s，达到%(q)s，推荐有效。")
            if turnout.quorum_reached
            else _("参加人数占应参加人数（%(e)d人）的%(p)s，未达到%(q)s，本次推荐无效。")
        )
        % {"e": turnout.electorate, "p": turnout.percent, "q": turnout.quorum_label}
    )
    for lines in results.lists:
        lr = lines.result
        para(
            _("%(name)s（限选%(q)d人）：有效票%(v)d张（其中弃权%(b)d张），无效票%(x)d张。")
            % {"name": lr.name, "q": lr.quota, "v": lr.valid, "b": lr.blank, "x": lr.void},
            bold=True,
        )
        table = doc.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        heads = (_("序号"), _("姓名"), _("得票数"), _("占有效票比例"), _("名次"))
        for cell, text in zip(table.rows[0].cells, heads, strict=True):
            cell.text = ""
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            cell.paragraphs[0].add_run(text).bold = True
        for number, line in enumerate(lines.candidates, start=1):
            values = (str(number), line.result.name, str(line.result.votes), line.percent,
                      str(line.result.rank))  # fmt: skip
            for cell, text in zip(table.add_row().cells, values, strict=True):
                cell.text = text
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        para()
    para(_("选票摘要（SHA-256）：%(d)s") % {"d": results.digest}, size=9)
    para(_("注：推荐票数是选拔的重要依据，不简单以票取人。推荐结果有效期一年。"), size=10.5)
    para()
    para(_("监票人（签名）：________________    计票人（签名）：________________"))
    para()
    para(_("%(d)s") % {"d": _date(timezone.localdate())}).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


EXPORT_FORMAT = "houbei-ballots/1"


def anonymised_export(election: Election) -> dict[str, Any]:
    """Everything a recount needs and nothing more: the lists, every ballot's canonical
    marks and every receipt code, each sorted (so their order says nothing), the counts
    stated by the other records — codes used online and on paper, and the ballots and
    digest the audit trail recorded at the tally — and the stored digest. Read by
    ``houbei recount``; ``tally.digest(ballots, receipts)`` must give ``digest``."""
    ballots = sorted(
        (canonical_marks(m) for m in Ballot.objects.filter(election=election).values_list(
            "marks", flat=True)),
        key=lambda m: json.dumps(m, sort_keys=True, separators=(",", ":")),
    )  # fmt: skip
    receipts = sorted(Receipt.objects.filter(election=election).values_list("code", flat=True))
    used = dict(
        Credential.objects.filter(election=election, used=True)
        .values_list("channel")
        .annotate(n=Count("id"))
        .order_by()
    )
    tallied = tally_record(election)
    return {
        "format": EXPORT_FORMAT,
        "election": {"key": str(election.key), "title": election.title},
        "school": election.school.name,
        "lists": [
            {
                "id": s.id,
                "name": s.name,
                "quota": s.quota,
                "candidates": [{"id": c, "name": n} for c, n in s.candidates],
            }
            for s in specs_of(election)
        ],
        "counts": {
            "ballots": len(ballots),
            "receipts": len(receipts),
            # Every stored ballot used one code; every online one left one receipt.
            "codes_used_online": used.get("online", 0),
            "codes_used_paper": used.get("paper", 0),
            "ballots_at_tally": tallied.get("ballots"),
        },
        "ballots": ballots,
        "receipts": receipts,
        "digest": election.digest,
        "digest_at_tally": tallied.get("digest"),
    }


FORMATS = ("xlsx", "docx", "json")


@register("ballot-results", formats=FORMATS)
def export_ballot_results(school: School, *, actor: Any, filters: Any, fmt: str) -> ExportFile:
    """One counted election of ``school`` (``filters["election"]``: its id, as text or a
    number) as ``fmt``: "xlsx" the results workbook (``results_xlsx``), "docx" the Word
    推荐结果汇总表 (``results_docx``), "json" the anonymised ballots (``anonymised_export``).

    ``actor`` None is the command line; a user needs ``Cap.BALLOTS_RUN`` (the personnel
    office, once tallied) or ``Cap.BALLOTS_VIEW`` and a published election (the decision
    body), in ``school`` — ``NotAllowed`` otherwise. Raises ``DomainError`` for a missing
    or unknown election, ``NotCounted`` before the tally. Audit:
    ``ballots.results.exported`` with the format and the number of ballots."""
    wanted = str((filters or {}).get("election") or "").strip()
    if not wanted:
        raise DomainError(_("请指定要导出的投票（--election 投票编号）。"), field="election")
    election = (
        Election.objects.select_related("school").filter(school=school, pk=wanted).first()
        if wanted.isdigit()
        else None
    )
    if election is None:
        raise DomainError(_("本校没有编号为“%(id)s”的投票。") % {"id": wanted}, field="election")
    if actor is not None:
        may = actor.school_id == school.pk and (
            has_cap(actor, Cap.BALLOTS_RUN)
            or (has_cap(actor, Cap.BALLOTS_VIEW) and election.status == Status.PUBLISHED)
        )
        if not may:
            raise NotAllowed()
    # A school document: Chinese whatever the language of the screen it was asked from.
    with translation.override("zh-hans"):
        results = results_of(election)
        if fmt == "xlsx":
            content, name = results_xlsx(results), _("推荐结果")
        elif fmt == "docx":
            content, name = results_docx(results), _("推荐结果汇总表")
        else:
            data = anonymised_export(election)
            content = json.dumps(data, ensure_ascii=False, indent=1).encode()
            name = _("匿名选票")
    with transaction.atomic():
        record(
            actor=actor, action="ballots.results.exported", school=school, target=election,
            new={"format": fmt, "ballots": results.ballots},
        )  # fmt: skip
    return ExportFile(f"{name}-{election.pk}.{fmt}", CONTENT_TYPES[fmt], content)
