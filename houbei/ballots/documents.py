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
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from houbei.audit.services import record
from houbei.core.errors import DomainError, NotAllowed
from houbei.core.exports import CONTENT_TYPES, ExportFile, register
from houbei.organisation.models import School

from . import codes
from .models import Ballot, Election, Receipt
from .results import Results, results_of
from .services import specs_of
from .tally import canonical_marks

# A slip whose lists have at most this many names in all fits a quarter of A4 …
QUARTER_PAGE_NAMES = 16
# … and at most this many half a page; beyond, one slip per page.
HALF_PAGE_NAMES = 40


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
    names = sum(len(s.candidates) for s in specs)
    per_page = 4 if names <= QUARTER_PAGE_NAMES else 2 if names <= HALF_PAGE_NAMES else 1
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
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = _("汇总")
    rows: list[tuple[Any, ...]] = [
        (results.title,),
        (results.school,),
        (),
        (_("应参加人数"), results.turnout.electorate),
        (_("参加人数"), results.turnout.participants),
        (_("参与率"), results.turnout.percent),
        (_("参与率要求"), results.turnout.quorum_label),
        (_("是否达到"), _("达到") if results.turnout.quorum_reached else _("未达到，推荐无效")),
        (_("发出推荐票"), results.issued),
        (_("收回"), results.returned),
        (_("网上"), results.online),
        (_("纸质"), results.paper),
        (_("选票摘要（SHA-256）"), results.digest),
    ]
    for lines in results.lists:
        rows.append(
            (
                lines.result.name,
                _("有效%(v)d张，无效%(x)d张，弃权%(b)d张")
                % {"v": lines.result.valid, "x": lines.result.void, "b": lines.result.blank},
            )
        )
    for row in rows:
        summary.append(list(row))
    summary["A1"].font = Font(bold=True, size=14)
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 70
    for lines in results.lists:
        sheet = book.create_sheet(lines.result.name[:31])
        sheet.append([_("名次"), _("姓名"), _("得票"), _("占有效票"), _("推荐结果")])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in lines.candidates:
            sheet.append(
                [line.result.rank, line.result.name, line.result.votes,
                 float(line.result.share), line.sentence]
            )  # fmt: skip
            sheet.cell(sheet.max_row, 4).number_format = "0.0%"
            sheet.cell(sheet.max_row, 5).alignment = Alignment(wrap_text=True)
        for column, width in zip("ABCDE", (6, 12, 8, 10, 90), strict=True):
            sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def results_docx(results: Results) -> bytes:
    """The 推荐结果汇总表 as a school files it: title, the meeting's figures, a table per
    list, the signatures of the 监票人 and 计票人, the date."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"  # type: ignore[attr-defined]
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")  # type: ignore[attr-defined]
    style.font.size = Pt(12)  # type: ignore[attr-defined]
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(_("%(school)s后备干部民主推荐结果汇总表") % {"school": results.school})
    run.bold = True
    run.font.size = Pt(16)
    doc.add_paragraph(_("推荐事项：%(t)s") % {"t": results.title})
    doc.add_paragraph(
        results.summary
        + (
            _("参加人数达到应参加人数（%(e)d人）的%(q)s，推荐有效。")
            if results.turnout.quorum_reached
            else _("参加人数未达到应参加人数（%(e)d人）的%(q)s，本次推荐无效。")
        )
        % {"e": results.turnout.electorate, "q": results.turnout.quorum_label}
    )
    for lines in results.lists:
        doc.add_paragraph(
            _("%(name)s（限选%(q)d人）：有效票%(v)d张，无效票%(x)d张。")
            % {"name": lines.result.name, "q": lines.result.quota, "v": lines.result.valid,
               "x": lines.result.void}
        )  # fmt: skip
        table = doc.add_table(rows=1, cols=5)
        table.style = "Table Grid"
        for cell, text in zip(
            table.rows[0].cells,
            (_("序号"), _("姓名"), _("得票数"), _("占有效票比例"), _("名次")),
            strict=True,
        ):
            cell.text = text
        for number, line in enumerate(lines.candidates, start=1):
            row = table.add_row().cells
            for cell, text in zip(
                row,
                (str(number), line.result.name, str(line.result.votes), line.percent,
                 str(line.result.rank)),
                strict=True,
            ):  # fmt: skip
                cell.text = text
        doc.add_paragraph()
    doc.add_paragraph(_("选票摘要（SHA-256）：%(d)s") % {"d": results.digest})
    doc.add_paragraph(_("注：推荐票数是选拔的重要依据，不简单以票取人。"))
    doc.add_paragraph()
    doc.add_paragraph(_("监票人（签名）：__________    计票人（签名）：__________"))
    doc.add_paragraph(_("日期：%(d)s") % {"d": f"{timezone.localdate():%Y年%m月%d日}"})
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def anonymised_export(election: Election) -> dict[str, Any]:
    """Everything a recount needs and nothing more: the lists, every ballot's marks and
    every receipt, each sorted (so their order says nothing), the counts and the digest."""
    ballots = sorted(
        (canonical_marks(m) for m in Ballot.objects.filter(election=election).values_list(
            "marks", flat=True)),
        key=lambda m: json.dumps(m, sort_keys=True, separators=(",", ":")),
    )  # fmt: skip
    receipts = sorted(Receipt.objects.filter(election=election).values_list("code", flat=True))
    return {
        "format": "houbei-ballots/1",
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
        "counts": {"ballots": len(ballots), "receipts": len(receipts)},
        "ballots": ballots,
        "receipts": receipts,
        "digest": election.digest,
    }


FORMATS = ("xlsx", "docx", "json")


@register("ballot-results", formats=FORMATS)
def export_ballot_results(school: School, *, actor: Any, filters: Any, fmt: str) -> ExportFile:
    """The results of one counted election of ``school`` (``filters["election"]``: its
    id): the workbook, the Word 推荐结果汇总表, or the anonymised ballots as JSON. A user
    needs to see the results: the personnel office once tallied, the decision body once
    published. Audit: ``ballots.results.exported``."""
    from houbei.accounts.access import Cap, has_cap

    from .models import Status

    wanted = (filters or {}).get("election")
    election = Election.objects.filter(school=school, pk=str(wanted or "0")).first() if (
        str(wanted or "").isdigit()
    ) else None  # fmt: skip
    if election is None:
        raise DomainError(_("请用 --election 指定本校的一次投票（编号）。"))
    if actor is not None:
        may = actor.school_id == school.pk and (
            has_cap(actor, Cap.BALLOTS_RUN)
            or (has_cap(actor, Cap.BALLOTS_VIEW) and election.status == Status.PUBLISHED)
        )
        if not may:
            raise NotAllowed()
    with translation.override("zh-hans"):
        results = results_of(election)
        if fmt == "xlsx":
            content = results_xlsx(results)
        elif fmt == "docx":
            content = results_docx(results)
        else:
            content = json.dumps(anonymised_export(election), ensure_ascii=False, indent=1).encode()
        filename = _("推荐结果") + f"-{election.pk}.{fmt}"
    from django.db import transaction

    with transaction.atomic():
        record(
            actor=actor, action="ballots.results.exported", school=school, target=election,
            new={"format": fmt},
        )  # fmt: skip
    return ExportFile(filename, CONTENT_TYPES[fmt], content)
