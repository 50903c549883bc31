"""The documents of a selection cycle (SPEC module 9), as a school files them: the 民主推荐表,
the 推荐结果汇总表 of each round, the 考察预告, each target's 考察材料, the 民主测评汇总表,
the 讨论决定记录, the 公示, the 后备干部名单 laid out like the plan's 附1, and the archive of
them all (全套文书).

Each document is built once as a ``Paper`` — a title and blocks (headings, paragraphs,
tables, signature lines) — and laid out from it in Word (WordprocessingML written into a
package python-docx made once), as HTML for the browser's print view
(``selection/print/document.html``) and as PDF (WeasyPrint, the same HTML, through
``printing``), so the formats never say different things; workbooks are built as tables.
The printed slips are ``ballots.documents.slips_pdf``; the round's results workbook extends
``ballots.documents.results_xlsx``, and its Word 汇总表 is the ballots' layout in the
ballots' words with what the cycle adds.

``DOCUMENTS`` is the registry the pages use: key → title, stage, formats, parameters and
the builder; ``render(key, fmt, cycle, **params)`` returns the file name, content type
and bytes (reading only), ``export_document`` does the same and records the export in the
audit trail. ``render_set`` makes many files of a cycle at once — each paper and the data
several files read built once, the PDFs printed by worker processes meanwhile — for the
archive and the bench. ``houbei export pool --cycle YEAR`` is the ``pool`` exporter at the
end.

Everything is in Chinese whatever the language of the page that asks: these are school
documents."""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import io
import json
import re
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any, NamedTuple
from xml.sax.saxutils import escape as xml_escape

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houbei.accounts.access import Cap, has_cap
from houbei.audit.services import record
from houbei.ballots import documents as ballot_documents
from houbei.ballots.models import Candidate
from houbei.ballots.results import percent, results_of
from houbei.core.errors import DomainError, NotAllowed
from houbei.core.exports import CONTENT_TYPES as EXPORT_TYPES
from houbei.core.exports import ExportFile, register
from houbei.eligibility.models import Rule
from houbei.eligibility.rules import Strength
from houbei.organisation.models import School
from houbei.people.models import Person

from . import printing, rules
from .decision import latest_decisions, passed_targets
from .drafting import (
    Appraisal,
    Profile,
    appraisal_of,
    cn_date,
    draft_report,
    parse,
    profiles,
)
from .models import (
    STAGE_ORDER,
    Cycle,
    CycleList,
    Decision,
    DecisionMeeting,
    DecisionVote,
    InspectionReport,
    InspectionTalk,
    InspectionTarget,
    MeetingMember,
    Objection,
    ObjectionOutcome,
    Opinion,
    OpinionSource,
    PoolEntry,
    PublicNotice,
    RecommendationRound,
    ReportVersion,
    RollMember,
    RoundOutcome,
    Stage,
    StageRecord,
    TalkRecommendation,
    TargetSelection,
)
from .notice import current_notice, notice_period
from .recommendation import eligible_ids, latest_valid_round, standings
from .services import DEFAULT_ROLL_BASIS
from .stages import STAGES

CONTENT_TYPES = {
    **EXPORT_TYPES,
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "zip": "application/zip",
}


class DocumentUnavailable(DomainError):
    """The cycle has not got far enough for this document (no round counted, no target
    chosen, no meeting held …); the message says what is missing."""

    status_code = 409


class Rendered(NamedTuple):
    filename: str
    content_type: str
    content: bytes


# --- the paper: one content, three layouts ---------------------------------------------


# A table's columns, in em of its 10.5 pt text: the print view's 170 mm between the margins,
# and per cell its padding (2 × 1.6 mm) and rule (0.3 mm).
_TABLE_EM = 170 / 3.704
_CELL_EM = 3.5 / 3.704
_UNBROKEN = re.compile(r"[0-9A-Za-z.,:;%()+\-/]+|.", re.S)


def _em(text: str) -> float:
    """The width of ``text`` in em: a Chinese character or full-width form 1, anything
    else (digits, Latin letters, spaces) about half."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in text)


# What a column never breaks: a cell up to this many em (a name, a date, 中共预备党员), a
# head up to this many (longer heads, 学校领导班子意见, take two lines).
_KEEP_CELL_EM = 7.0
_KEEP_HEAD_EM = 4.0
# Room a kept cell gets beyond its characters: at exactly their width the renderer's
# rounding still broke the last character onto a line of its own (序/号, 张兰/兰).
_SLACK_EM = 0.4


def column_widths(heads: Sequence[str], rows: Iterable[Sequence[str]]) -> tuple[float, ...]:
    """Each column's share of a table's width, as CSS's automatic table layout would
    share it — each column between its narrowest and its widest (on one line), the room
    beyond the narrowest shared in proportion to what each could use — except that a
    name, a date or a short head is never broken over two lines (the automatic layout
    breaks Chinese anywhere when a long column takes the room). The print view and the
    PDF lay tables out fixed at these widths, which spares WeasyPrint measuring every cell
    twice more, and the Word file gets them too."""
    count = len(heads)
    if not count:
        return ()
    narrow, wide = [0.0] * count, [0.0] * count
    for number, row in enumerate((heads, *rows)):
        keep = _KEEP_HEAD_EM if number == 0 else _KEEP_CELL_EM
        for index, text in enumerate(row):
            width = _em(text)
            wide[index] = max(wide[index], width)
            pieces = max((_em(p) for p in _UNBROKEN.findall(text)), default=0.0)
            narrow[index] = max(narrow[index], pieces + _SLACK_EM, min(width, keep) + _SLACK_EM)
    room = _TABLE_EM - count * _CELL_EM
    if sum(wide) <= room:
        widths = [w + (room - sum(wide)) * w / (sum(wide) or 1) for w in wide]
    elif sum(narrow) <= room:
        spread = sum(w - n for n, w in zip(narrow, wide, strict=True)) or 1.0
        widths = [
            n + (room - sum(narrow)) * (w - n) / spread for n, w in zip(narrow, wide, strict=True)
        ]
    else:
        widths = narrow
    total = sum(w + _CELL_EM for w in widths)
    return tuple((w + _CELL_EM) / total for w in widths)


@dataclass(frozen=True)
class Block:
    kind: str  # "title", "subtitle", "heading", "para", "table", "sign"
    text: str = ""
    style: str = ""  # para: "" (indented), "flush", "small"
    heads: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    left: frozenset[int] = frozenset()  # table columns aligned left
    lines: tuple[str, ...] = ()

    @functools.cached_property
    def widths(self) -> tuple[float, ...]:
        """A table's column shares (``column_widths``)."""
        return column_widths(self.heads, self.rows)

    @property
    def percents(self) -> list[str]:
        return [f"{100 * w:.2f}" for w in self.widths]


def title(text: str) -> Block:
    return Block("title", text)


def subtitle(text: str) -> Block:
    return Block("subtitle", text)


def heading(text: str) -> Block:
    return Block("heading", text)


def para(text: str, style: str = "") -> Block:
    return Block("para", text, style=style)


def table(
    heads: Sequence[str], rows: Iterable[Sequence[object]], left: Iterable[int] = ()
) -> Block:
    return Block(
        "table",
        heads=tuple(heads),
        rows=tuple(tuple("" if c is None else str(c) for c in row) for row in rows),
        left=frozenset(left),
    )


def sign(*lines: str) -> Block:
    return Block("sign", lines=tuple(lines))


@dataclass(frozen=True)
class Paper:
    title: str
    blocks: tuple[Block, ...]

    def text(self) -> str:
        """Every word of the paper, for searching and for tests."""
        parts = []
        for b in self.blocks:
            parts.extend([b.text, *b.heads, *(c for row in b.rows for c in row), *b.lines])
        return "\n".join(p for p in parts if p)


_WORD_TEXT_WIDTH_MM = 166  # A4 less the two 22 mm margins
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class _WordTemplate:
    package: bytes  # every part of the package but word/document.xml
    head: str  # word/document.xml up to the body's content
    tail: str  # the section properties and the closing tags


@functools.cache
def _word_template() -> _WordTemplate:
    """The Word package the papers are written into, made once with python-docx: A4 with
    its margins, 宋体 12 pt, and the cell styles 表格 (centred) and 表格左, 10.5 pt. Each
    paper then only writes its body (``docx_of``): python-docx would parse and write the
    whole package's 800 KB of styles again for every file."""
    from docx import Document as WordDocument
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    doc = WordDocument()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(22)
    section.top_margin, section.bottom_margin = Mm(25), Mm(22)
    style = doc.styles["Normal"]
    style.font.name = "SimSun"  # type: ignore[attr-defined]
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")  # type: ignore[attr-defined]
    style.font.size = Pt(12)  # type: ignore[attr-defined]
    style.paragraph_format.space_after = Pt(3)  # type: ignore[attr-defined]
    # Cells take a paragraph style (one element each) rather than their own alignment and
    # size: a long table stays small.
    for name, align in (("表格", WD_ALIGN_PARAGRAPH.CENTER), ("表格左", WD_ALIGN_PARAGRAPH.LEFT)):
        cell_style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        cell_style.base_style = style  # type: ignore[attr-defined]
        cell_style.font.size = Pt(10.5)  # type: ignore[attr-defined]
        cell_style.paragraph_format.alignment = align  # type: ignore[attr-defined]
        cell_style.paragraph_format.space_after = Pt(0)  # type: ignore[attr-defined]
        assert cell_style.style_id == name
    made = io.BytesIO()
    doc.save(made)
    package = io.BytesIO()
    with (
        zipfile.ZipFile(made) as source,
        zipfile.ZipFile(package, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != "word/document.xml":
                target.writestr(item, source.read(item.filename))
        document = source.read("word/document.xml").decode()
    body = document.index("<w:body>") + len("<w:body>")
    section_at = document.index("<w:sectPr")
    return _WordTemplate(package.getvalue(), document[:body], document[section_at:])


def _w_text(text: str) -> str:
    """A run's content as python-docx writes ``run.text``: line breaks as <w:br/>, tabs
    as <w:tab/>; characters XML cannot hold are dropped."""
    if not text:
        return ""
    parts = []
    for number, line in enumerate(_NOT_XML.sub("", text).replace("\r\n", "\n").split("\n")):
        if number:
            parts.append("<w:br/>")
        for index, piece in enumerate(line.replace("\r", "").split("\t")):
            if index:
                parts.append("<w:tab/>")
            if piece:
                space = ' xml:space="preserve"' if piece != piece.strip() else ""
                parts.append(f"<w:t{space}>{xml_escape(piece)}</w:t>")
    return "".join(parts)


def _w_para(
    text: str,
    *,
    bold: bool = False,
    size: float | None = None,
    align: str = "",
    indent: bool = False,
    before: int = 0,
) -> str:
    props = (
        (f'<w:spacing w:before="{before * 20}"/>' if before else "")
        + ('<w:ind w:firstLine="480"/>' if indent else "")
        + (f'<w:jc w:val="{align}"/>' if align else "")
    )
    run_props = ("<w:b/>" if bold else '<w:b w:val="0"/>') + (
        f'<w:sz w:val="{round(size * 2)}"/>' if size else ""
    )
    return (
        "<w:p>"
        + (f"<w:pPr>{props}</w:pPr>" if props else "")
        + f"<w:r><w:rPr>{run_props}</w:rPr>{_w_text(text)}</w:r></w:p>"
    )


def _w_table(block: Block) -> str:
    """A table at the widths of the print view (``Block.widths``), in twips of the page's
    text width."""
    widths = [int(_WORD_TEXT_WIDTH_MM * 36000 * share / 635) for share in block.widths]
    cells = [
        f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{w}"/></w:tcPr><w:p><w:pPr><w:pStyle w:val="'
        for w in widths
    ]
    parts = [
        '<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/>'
        '<w:jc w:val="center"/><w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0"'
        ' w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in widths),
        # The heads repeat on every page (Word's 重复标题行), as in the print view.
        "</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>",
    ]
    for cell, text in zip(cells, block.heads, strict=True):
        parts.append(
            f'{cell}表格"/></w:pPr><w:r><w:rPr><w:b/></w:rPr>{_w_text(text)}</w:r></w:p></w:tc>'
        )
    parts.append("</w:tr>")
    for row in block.rows:
        parts.append("<w:tr>")
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            name = "表格左" if index in block.left else "表格"
            parts.append(f'{cell}{name}"/></w:pPr><w:r>{_w_text(text)}</w:r></w:p></w:tc>')
        parts.append("</w:tr>")
    parts.append("</w:tbl><w:p/>")
    return "".join(parts)


def docx_of(paper: Paper) -> bytes:
    """The paper in Word: A4, 宋体 12 pt, titles centred, body paragraphs indented two
    characters, tables with ruled cells and their heads repeated on each page,
    signatures on the right. The body is written as WordprocessingML into the package of
    ``_word_template``."""
    body = []
    for block in paper.blocks:
        if block.kind == "title":
            body.append(_w_para(block.text, bold=True, size=18, align="center"))
        elif block.kind == "subtitle":
            body.append(_w_para(block.text, align="center"))
        elif block.kind == "heading":
            body.append(_w_para(block.text, bold=True, before=6))
        elif block.kind == "para":
            size = 9 if block.style == "small" else None
            body.append(_w_para(block.text, size=size, indent=block.style == ""))
        elif block.kind == "table":
            body.append(_w_table(block))
        elif block.kind == "sign":
            for number, line in enumerate(block.lines):
                body.append(_w_para(line, align="right", before=24 if number == 0 else 0))
    template = _word_template()
    out = io.BytesIO(template.package)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/document.xml", template.head + "".join(body) + template.tail)
    return out.getvalue()


@functools.cache
def _print_css() -> str:
    return (
        Path(__file__).resolve().parent.parent / "static" / "selection" / "print.css"
    ).read_text(encoding="utf-8")


def html_of(paper: Paper, *, inline_css: bool = False, linked: bool = True) -> str:
    """The paper as a standalone page: the browser's print view links the stylesheet;
    ``inline_css`` puts it in the page; neither, with ``linked`` False (WeasyPrint gets
    the stylesheet apart, ``pdf_source``)."""
    return render_to_string(
        "selection/print/document.html",
        {
            "paper": paper,
            "inline_css": _print_css() if inline_css else "",
            "linked": linked,
        },
    )


def blocks_html(paper: Paper) -> str:
    """The paper's blocks alone, for a page to show inside its own layout."""
    return render_to_string("selection/print/_blocks.html", {"paper": paper})


def cut_fonts() -> dict[str, Path]:
    """The cut fonts of the PDFs (``printing.cut_fonts``), kept in the data directory."""
    return printing.cut_fonts(Path(settings.DATA_DIR) / "fonts")


def pdf_source(paper: Paper) -> tuple[str, tuple[str, ...], str]:
    """What WeasyPrint prints: the page, the font files it may load, and its stylesheet —
    the cut fonts' ``@font-face`` rules and print.css, the same for every paper, so that
    a printing process parses it once (``printing.pdf``)."""
    fonts = cut_fonts()
    css = printing.font_faces(fonts) + _print_css()
    return html_of(paper, linked=False), tuple(path.as_uri() for path in fonts.values()), css


def pdf_of(paper: Paper) -> bytes:
    return printing.pdf(*pdf_source(paper))


def _paper_file(paper: Paper, fmt: str) -> bytes:
    if fmt == "docx":
        return docx_of(paper)
    if fmt == "pdf":
        return pdf_of(paper)
    return html_of(paper).encode()


# A document set (``render_set``) keeps what its files read in common here: each paper and
# each piece of data several formats or documents use is built once, however many files
# need it. Outside a set, nothing is kept (a page's single download reads afresh).
_SET: contextvars.ContextVar[dict[Any, Any] | None] = contextvars.ContextVar(
    "selection_document_set", default=None
)


def _once[**P, R](build: Callable[P, R]) -> Callable[P, R]:
    """``build`` run once per set for the same arguments (models compare by primary key);
    its result must not be changed by whoever reads it (papers are frozen)."""

    @functools.wraps(build)
    def kept(*args: P.args, **kwargs: P.kwargs) -> R:
        memo = _SET.get()
        if memo is None:
            return build(*args, **kwargs)
        key = (build.__qualname__, args, tuple(sorted(kwargs.items())))
        try:
            return memo[key]  # type: ignore[no-any-return]
        except KeyError:
            pass
        except TypeError:  # an argument that cannot be a key: not kept
            return build(*args, **kwargs)
        memo[key] = found = build(*args, **kwargs)
        return found

    return kept


@contextmanager
def _set_memo() -> Iterator[None]:
    token = _SET.set({})
    try:
        yield
    finally:
        _SET.reset(token)


# --- what several documents read ---------------------------------------------------------


def _load(cycle: Cycle) -> Cycle:
    return Cycle.objects.select_related("school", "rule_set", "eligibility_snapshot").get(
        pk=cycle.pk
    )


def _lists(cycle: Cycle) -> list[CycleList]:
    return list(CycleList.objects.filter(cycle=cycle).order_by("position", "pk"))


def _active_targets(cycle: Cycle) -> list[InspectionTarget]:
    return list(
        InspectionTarget.objects.active()
        .filter(cycle=cycle)
        .select_related("person", "cycle_list", "rating_round")
        .order_by("cycle_list__position", "pk")
    )


def _by_person(targets: Iterable[InspectionTarget]) -> list[tuple[Person, list[InspectionTarget]]]:
    """Targets grouped by person, in the order their first target comes."""
    grouped: dict[int, tuple[Person, list[InspectionTarget]]] = {}
    for target in targets:
        grouped.setdefault(target.person_id, (target.person, []))[1].append(target)
    return list(grouped.values())


def _person_cells(profile: Profile | None) -> list[str]:
    """性别、出生年月、政治面貌、学历、现任职务."""
    if profile is None:
        return ["", "", "", "", ""]
    return [
        profile.gender,
        profile.born,
        profile.political,
        profile.education,
        profile.current_post_text,
    ]


PERSON_HEADS = (
    gettext_lazy("性别"),
    gettext_lazy("出生年月"),
    gettext_lazy("政治面貌"),
    gettext_lazy("学历"),
    gettext_lazy("现任职务"),
)


def _heads(*names: Any) -> list[str]:
    return [str(n) for n in names]


def _stage_record(cycle: Cycle, stage: Stage) -> StageRecord | None:
    return (
        StageRecord.objects.filter(cycle=cycle, stage=stage)
        .select_related("responsible")
        .order_by("-attempt")
        .first()
    )


def _contact_line(cycle: Cycle, stage: Stage, contact: str) -> str:
    """Who receives what people have to say: ``contact`` as given, else the stage's
    responsible person with their phone, else blanks to write in. During the inspection
    it is the 考察组 (the 考察预告 asks staff to tell it), during the 公示 the 人事室."""
    office = _("考察组") if stage == Stage.INSPECTION else _("人事室")
    if contact.strip():
        return _("受理部门：%(office)s；联系方式：%(c)s。") % {
            "office": office,
            "c": contact.strip(),
        }
    found = _stage_record(cycle, stage)
    person = found.responsible if found is not None else None
    if person is not None:
        phone = person.phone or "＿＿＿＿＿＿"
        return _("受理部门：%(office)s；联系人：%(name)s；联系电话：%(phone)s。") % {
            "office": office,
            "name": person.name,
            "phone": phone,
        }
    return _("受理部门：%(office)s；联系人：＿＿＿＿＿＿；联系电话：＿＿＿＿＿＿。") % {
        "office": office
    }


def _rules_of(cycle: Cycle) -> list[tuple[str, str]]:
    """The cycle's conditions as (strength, label): as frozen when 民主推荐 began, before
    that as its rule set has them."""
    snapshot = cycle.eligibility_snapshot
    if snapshot is not None:
        return [
            (str(r.get("strength", "")), str(r["label"])) for r in snapshot.rules if r.get("label")
        ]
    return [
        (strength, label)
        for strength, label in Rule.objects.filter(rule_set_id=cycle.rule_set_id, enabled=True)
        .order_by("sort_order", "pk")
        .values_list("strength", "label")
        if label
    ]


def _scope(cycle: Cycle) -> str:
    """推荐范围 from the scope rules ("在编在岗教职工")."""
    labels = [label for strength, label in _rules_of(cycle) if strength == "scope"]
    if not labels:
        return str(DEFAULT_ROLL_BASIS)
    if all(len(label) <= 4 for label in labels):
        return "".join(labels) + _("教职工")
    return "、".join(labels)


def _conditions(cycle: Cycle) -> list[str]:
    return [
        label
        for strength, label in _rules_of(cycle)
        if strength in ("hard", "soft", "priority", "manual")
    ]


def _quota_text(lists: Sequence[CycleList]) -> str:
    return "、".join(_("%(list)s%(n)d名") % {"list": cl.name, "n": cl.quota} for cl in lists)


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "", name) or "-"


def _stem(cycle: Cycle, what: str, *extra: str) -> str:
    return "-".join(_safe(p) for p in (cycle.title, what, *extra) if p)


def _today() -> dt.date:
    return timezone.localdate()


_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (headings of a document number so)."""
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return (_DIGITS[tens] if tens > 1 else "") + "十" + (_DIGITS[ones] if ones else "")


def _workbook(
    heading_lines: Sequence[str],
    sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]],
) -> bytes:
    """A workbook of lists: each sheet (name, heads, rows) under the document's heading
    lines (school, title), heads in bold, columns as wide as their longest entry."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    bold = Font(bold=True)
    first = True
    for name, heads, rows in sheets:
        sheet = book.active if first else book.create_sheet(name)
        assert sheet is not None
        sheet.title, first = name, False
        for number, line in enumerate(heading_lines, start=1):
            sheet.append([line])
            sheet.cell(number, 1).font = Font(bold=True, size=14 if number == 1 else 12)
        sheet.append(list(heads))
        for cell in sheet[sheet.max_row]:
            cell.font = bold
        widths = [_em(str(h)) for h in heads]
        for row in rows:
            sheet.append(list(row))
            for index, value in enumerate(row):
                widths[index] = max(widths[index], min(_em(str(value)), 40))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = 2 * width + 2
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _started_on(cycle: Cycle, stage: Stage) -> dt.date | None:
    found = _stage_record(cycle, stage)
    if found is None or found.started_at is None:
        return None
    return timezone.localtime(found.started_at).date()


# --- 0. 选拔工作方案, 参加民主推荐人员名单 (筹备) ----------------------------------------------


@_once
def plan_paper(cycle: Cycle) -> Paper:
    """The cycle's 选拔工作方案, from its set-up: the principles of the school's plan, the
    lists and places, the conditions (as frozen once 民主推荐 began), who takes part in
    the recommendation, each stage with what it does, who is responsible and by when, and
    the rules the cycle keeps (turnout, 差额, 考察预告, the meeting's quorum and majority,
    the notice, 暂缓, the pool's validity) in its own figures."""
    cycle = _load(cycle)
    lists = _lists(cycle)
    if not lists:
        raise DocumentUnavailable(_("尚未设置后备干部名单及名额。"))
    school = cycle.school.name
    roll = RollMember.objects.active().filter(cycle=cycle).count()
    records: dict[str, StageRecord] = {}
    for item in StageRecord.objects.filter(cycle=cycle).select_related("responsible"):
        if item.stage not in records or item.attempt > records[item.stage].attempt:
            records[item.stage] = item
    strengths = dict(Strength.choices)
    conditions = [
        para(
            f"{number}. {label}"
            + (f"（{strengths[strength]}）" if strength == "soft" else "")
            + "。",
            "flush",
        )
        for number, (strength, label) in enumerate(
            ((st, lb) for st, lb in _rules_of(cycle) if st != "scope"), start=1
        )
    ]
    steps = []
    for number, stage in enumerate(STAGE_ORDER, start=1):
        about = STAGES[stage]
        record_ = records.get(stage)
        who = (
            record_.responsible.name if record_ and record_.responsible else str(about.responsible)
        )
        when = cn_date(record_.deadline) if record_ and record_.deadline else ""
        steps.append([str(number), str(stage.label), str(about.summary), who, when])
    quorum = rules.fraction_label(cycle.quorum)
    requirements = [
        _(
            "民主推荐以无记名方式进行。参加推荐人数须达到应参加人数的%(q)s，否则本轮推荐无效；"
            "最高得票率低于%(p)d%%的，可再进行一轮推荐。推荐票数是选拔的重要依据，不简单以票取人；"
            "推荐结果有效期一年。"
        )
        % {"q": quorum, "p": cycle.second_round_percent},
        (_("确定考察对象一般实行差额考察。") if cycle.competitive else "")
        + _(
            "考察前%(n)d天发布考察预告；由学校领导采取个别谈话、民主测评等方法考察其德、能、勤、"
            "绩、廉的情况，形成写实的书面考察材料。"
        )
        % {"n": cycle.inspection_notice_days},
        _(
            "集体讨论决定时，到会成员须达到应到会成员的%(q)s；每名成员逐人表态同意、不同意或缓议，"
            "主要负责人最后表态；同意票超过应到会成员的%(s)s为通过；意见分歧较大的，暂缓决定。"
        )
        % {
            "q": rules.fraction_label(cycle.decision_quorum),
            "s": rules.fraction_label(cycle.pass_share),
        },
        _(
            "拟列入人选在校内公示，公示期不少于%(n)d个工作日。对反映的问题逐件调查核实，署名反映"
            "的向反映人反馈；问题严重但一时难以查实的，暂缓列入，一般不超过%(m)d个月。"
        )
        % {"n": cycle.notice_working_days, "m": cycle.postponement_months},
        _(
            "列入后备干部库的，有效期%(y)d年，按区级、校级和近期可提拔、中长期培养分类管理，"
            "实行动态调整。"
        )
        % {"y": cycle.pool_years},
        _("严格遵守组织人事工作纪律，对推荐、考察和讨论情况严格保密。"),
    ]
    blocks = [
        title(_("%(school)s%(cycle)s工作方案") % {"school": school, "cycle": cycle.title}),
        para(
            _(
                "根据《%(school)s后备管理干部选拔轮岗锻炼使用方案》，为做好%(cycle)s工作，建立一支"
                "素质优良、数量充足、结构合理的后备干部队伍，制定本方案。"
            )
            % {"school": school, "cycle": cycle.title}
        ),
        heading(_("一、选拔原则")),
        para(
            _(
                "坚持任人唯贤、德才兼备、群众公认、注重实绩，公开、平等、竞争、择优的原则；"
                "民主推荐、征求意见，集体领导，民主集中，个别酝酿，会议决定。"
            )
        ),
        heading(_("二、选拔名单及名额")),
        para(_("本次选拔%(q)s。一人可同时列入两个名单。") % {"q": _quota_text(lists)}),
        heading(_("三、选拔条件")),
        para(
            _("按“%(rules)s”，以%(d)s为基准日计算，应具备以下条件：")
            % {"rules": cycle.rule_set.name, "d": cn_date(cycle.reference_date)}
        ),
        *conditions,
        heading(_("四、参加民主推荐人员")),
        para(
            _(
                "参加民主推荐人员为%(scope)s，按知情度、关联度、代表性原则确定，共%(n)d人"
                "（见《参加民主推荐人员名单》）。"
            )
            % {"scope": _scope(cycle), "n": roll}
        ),
        heading(_("五、选拔程序及时间安排")),
        table(
            _heads(_("序号"), _("阶段"), _("主要工作"), _("负责"), _("完成时限")), steps, left=(2,)
        ),
        heading(_("六、工作要求")),
        *(para(f"{n}. {text}", "flush") for n, text in enumerate(requirements, start=1)),
        sign(school, cn_date(timezone.localtime(cycle.created_at).date())),
    ]
    return Paper(_("选拔工作方案"), tuple(blocks))


def _selection_plan(cycle: Cycle) -> tuple[str, Paper]:
    return _stem(cycle, _("选拔工作方案")), plan_paper(cycle)


@dataclass(frozen=True)
class Roll:
    """The voter roll: the people on it (their profiles as of the reference date) and
    those taken off it, with why."""

    cycle: Cycle
    members: tuple[RollMember, ...]
    removed: tuple[RollMember, ...]
    files: dict[int, Profile]


@_once
def roll_of(cycle: Cycle) -> Roll:
    cycle = _load(cycle)
    members = list(
        RollMember.objects.filter(cycle=cycle)
        .select_related("person")
        .order_by("person__staff_number", "pk")
    )
    active = tuple(m for m in members if m.removed_at is None)
    if not active:
        raise DocumentUnavailable(_("参加民主推荐人员名单为空。"))
    removed = tuple(m for m in members if m.removed_at is not None)
    return Roll(cycle, active, removed, profiles([m.person for m in active], cycle.reference_date))


def _roll_heads() -> list[str]:
    return _heads(_("序号"), _("姓名"), _("性别"), _("政治面貌"), _("现任职务"), _("列入依据"))


def _roll_rows(roll: Roll) -> list[list[str]]:
    rows = []
    for number, member in enumerate(roll.members, start=1):
        profile = roll.files.get(member.person_id)
        rows.append(
            [
                str(number),
                member.person.name,
                profile.gender if profile else "",
                profile.political if profile else "",
                profile.current_post_text if profile else "",
                member.basis,
            ]
        )
    return rows


def _removed_rows(roll: Roll) -> list[list[str]]:
    return [[str(n), m.person.name, m.removed_reason] for n, m in enumerate(roll.removed, start=1)]


@_once
def roll_paper(cycle: Cycle) -> Paper:
    """The 参加民主推荐人员名单: everyone on the voter roll with 性别、政治面貌、现任职务
    and why they are on it, the count, and who was taken off it and why."""
    roll = roll_of(cycle)
    cycle = roll.cycle
    blocks = [
        title(
            _("%(school)s%(cycle)s参加民主推荐人员名单")
            % {"school": cycle.school.name, "cycle": cycle.title}
        ),
        para(
            _("推荐范围：%(scope)s。参加民主推荐人员按知情度、关联度、代表性原则确定，共%(n)d人。")
            % {"scope": _scope(cycle), "n": len(roll.members)},
            "flush",
        ),
        table(_roll_heads(), _roll_rows(roll), left=(4, 5)),
    ]
    if roll.removed:
        blocks.append(heading(_("名单调整情况")))
        blocks.append(
            table(_heads(_("序号"), _("姓名"), _("移出理由")), _removed_rows(roll), left=(2,))
        )
    started = _started_on(cycle, Stage.RECOMMENDATION)
    blocks.append(sign(cycle.school.name, cn_date(started) if started else _("　　年　　月　　日")))
    return Paper(_("参加民主推荐人员名单"), tuple(blocks))


def _roll(cycle: Cycle, fmt: str) -> tuple[str, bytes]:
    stem = _stem(cycle, _("参加民主推荐人员名单"))
    if fmt != "xlsx":
        return stem, _paper_file(roll_paper(cycle), fmt)
    roll = roll_of(cycle)
    sheets = [(_("名单"), _roll_heads(), _roll_rows(roll))]
    if roll.removed:
        sheets.append(
            (_("名单调整"), _heads(_("序号"), _("姓名"), _("移出理由")), _removed_rows(roll))
        )
    lines = [roll.cycle.school.name, _("%(t)s 参加民主推荐人员名单") % {"t": roll.cycle.title}]
    return stem, _workbook(lines, sheets)


# --- 1. 民主推荐表 ------------------------------------------------------------------------


def _round_of(cycle: Cycle, round_: Any, *, counted: bool) -> RecommendationRound | None:
    rounds = RecommendationRound.objects.filter(cycle=cycle).select_related("election")
    if isinstance(round_, RecommendationRound):
        found = rounds.filter(pk=round_.pk).first()
        if found is None:
            raise DomainError(_("该推荐轮次不属于本选拔周期。"), field="round")
        return found
    if round_ not in (None, ""):
        number = str(round_)
        found = rounds.filter(number=int(number)).first() if number.isdigit() else None
        if found is None:
            raise DomainError(_("本选拔周期没有第%(n)s轮推荐。") % {"n": number}, field="round")
        return found
    if counted:
        rounds = rounds.exclude(outcome=RoundOutcome.PENDING)
    return rounds.order_by("-number").first()


@_once
def recommendation_form_paper(cycle: Cycle, *, round_: Any = None) -> Paper:
    """The 民主推荐表: per list its places and the people who may be recommended (a
    round's candidates, or before any round everyone the frozen eligibility found
    eligible), with 性别、出生年月、政治面貌、学历、现任职务 and a column to tick."""
    cycle = _load(cycle)
    lists = _lists(cycle)
    chosen = _round_of(cycle, round_, counted=False)
    per_list: dict[int, list[tuple[str, Person | None]]] = {}
    if chosen is not None:
        for c in (
            Candidate.objects.filter(ballot_list__election=chosen.election)
            .select_related("person")
            .order_by("ballot_list__position", "position", "pk")
        ):
            cycle_list = chosen.list_map.get(str(c.ballot_list_id))
            if cycle_list is not None:
                per_list.setdefault(int(cycle_list), []).append((c.name, c.person))
    else:
        if cycle.eligibility_snapshot is None:
            raise DocumentUnavailable(
                _("民主推荐开始（资格审查结果冻结）后才能生成民主推荐表。"), field="round"
            )
        eligible = list(
            Person.objects.filter(pk__in=eligible_ids(cycle)).order_by("staff_number", "pk")
        )
        per_list = {cl.pk: [(p.name, p) for p in eligible] for cl in lists}
    as_of = cycle.reference_date
    people = [p for rows in per_list.values() for _n, p in rows if p is not None]
    files = profiles(people, as_of)
    blocks = [
        title(_("%(school)s后备干部民主推荐表") % {"school": cycle.school.name}),
        subtitle(
            cycle.title + (_("（第%(n)d轮）") % {"n": chosen.number} if chosen is not None else "")
        ),
        para(_("推荐范围：%(s)s。") % {"s": _scope(cycle)}, "flush"),
        para(
            _("推荐条件：%(c)s（基准日%(d)s）。")
            % {
                "c": "；".join(_conditions(cycle)) or cycle.rule_set.name,
                "d": cn_date(cycle.reference_date),
            },
            "flush",
        ),
        para(
            _("推荐名额：%(q)s。一人可同时被推荐为两个名单的人选。") % {"q": _quota_text(lists)},
            "flush",
        ),
        para(
            _(
                "填表说明：本表无记名填写。每个名单在限选人数以内，在同意推荐的人选“推荐”栏内画"
                "“√”；超过限选人数的，该名单无效；不画视为弃权。"
            ),
            "flush",
        ),
    ]
    for cl in lists:
        rows = per_list.get(cl.pk, [])
        blocks.append(heading(_("%(list)s（限选%(q)d人）") % {"list": cl.name, "q": cl.quota}))
        blocks.append(
            table(
                _heads(_("序号"), _("姓名"), *PERSON_HEADS, _("推荐")),
                (
                    [str(i), name, *_person_cells(files.get(p.pk) if p else None), ""]
                    for i, (name, p) in enumerate(rows, start=1)
                ),
                left=(6,),
            )
        )
    blocks.append(
        para(_("注：推荐票数是选拔的重要依据，不简单以票取人。推荐结果有效期一年。"), "small")
    )
    blocks.append(sign(cycle.school.name, _("%(y)d年　　月　　日") % {"y": cycle.year}))
    return Paper(_("民主推荐表"), tuple(blocks))


def _recommendation_form(cycle: Cycle, *, round: Any = None) -> tuple[str, Paper]:
    return _stem(cycle, _("民主推荐表")), recommendation_form_paper(cycle, round_=round)


# --- 2. 推荐结果汇总表 ---------------------------------------------------------------------


@dataclass(frozen=True)
class TalkLine:
    name: str
    count: int
    share: str


@_once
def talk_table(cycle: Cycle) -> dict[int, list[TalkLine]]:
    """谈话调研推荐 per cycle list id: name, 人次, share of the people talked to; most
    named first."""
    out: dict[int, list[TalkLine]] = {}
    total = cycle.talk_interviewees
    for t in (
        TalkRecommendation.objects.filter(cycle=cycle)
        .select_related("person")
        .order_by("cycle_list__position", "-count", "person__staff_number")
    ):
        share = percent(Fraction(t.count, total)) if total else "—"
        out.setdefault(t.cycle_list_id, []).append(TalkLine(t.person.name, t.count, share))
    return out


@_once
def _results(round_: RecommendationRound) -> Any:
    return results_of(round_.election)


def _round_heading(cycle: Cycle, round_: RecommendationRound) -> str:
    outcome = round_.get_outcome_display()
    text = _("选拔周期：%(cycle)s；基准日：%(ref)s；第%(n)d轮会议推荐，结果：%(outcome)s。") % {
        "cycle": cycle.title,
        "ref": cn_date(cycle.reference_date),
        "n": round_.number,
        "outcome": outcome,
    }
    if round_.scattered:
        text += _("票数分散（最高得票率低于%(p)d%%），可进行再次推荐。") % {
            "p": cycle.second_round_percent
        }
    return text


@_once
def results_paper(cycle: Cycle, round_: RecommendationRound) -> Paper:
    """The 推荐结果汇总表 of a round as the ballots lay it out
    (``ballots.documents.results_docx``: title, 推荐事项, the meeting's figures against the
    quorum, a table per list, the digest, the signatures, the date) in the ballots' own
    words, with what the cycle adds: its heading under 推荐事项, and before the digest each
    candidate's official sentence and the 谈话调研推荐. A paper rather than the ballots'
    Word file reopened: python-docx took 0.7 s on a roll of 150."""
    results = _results(round_)
    turnout = results.turnout
    quorum = (
        _("参加人数占应参加人数（%(e)d人）的%(p)s，达到%(q)s，推荐有效。")
        if turnout.quorum_reached
        else _("参加人数占应参加人数（%(e)d人）的%(p)s，未达到%(q)s，本次推荐无效。")
    ) % {"e": turnout.electorate, "p": turnout.percent, "q": turnout.quorum_label}
    blocks = [
        title(_("%(school)s后备干部民主推荐结果汇总表") % {"school": results.school}),
        para(_("推荐事项：%(t)s") % {"t": results.title}, "flush"),
        para(_round_heading(cycle, round_), "flush"),
        para(results.summary + quorum, "flush"),
    ]
    for lines in results.lists:
        lr = lines.result
        blocks.append(
            heading(
                _("%(name)s（限选%(q)d人）：有效票%(v)d张（其中弃权%(b)d张），无效票%(x)d张。")
                % {"name": lr.name, "q": lr.quota, "v": lr.valid, "b": lr.blank, "x": lr.void}
            )
        )
        blocks.append(
            table(
                _heads(_("序号"), _("姓名"), _("得票数"), _("占有效票比例"), _("名次")),
                (
                    [str(n), c.result.name, str(c.result.votes), c.percent, str(c.result.rank)]
                    for n, c in enumerate(lines.candidates, start=1)
                ),
            )
        )
    blocks.append(heading(_("会议推荐情况（逐人）")))
    for lines in results.lists:
        blocks.append(heading(lines.result.name))
        blocks += [
            para(f"{line.result.name}：{line.sentence}。", "flush") for line in lines.candidates
        ]
    blocks.append(heading(_("谈话调研推荐情况")))
    if not cycle.talk_interviewees:
        blocks.append(para(_("未开展谈话调研推荐。"), "flush"))
    else:
        blocks.append(para(_("共谈话%(n)d人。") % {"n": cycle.talk_interviewees}, "flush"))
        talks = talk_table(cycle)
        for cl in _lists(cycle):
            blocks.append(heading(cl.name))
            blocks.append(
                table(
                    _heads(_("序号"), _("姓名"), _("推荐人次"), _("占谈话人数比例")),
                    (
                        [str(i), row.name, str(row.count), row.share]
                        for i, row in enumerate(talks.get(cl.pk, []), start=1)
                    ),
                )
            )
    blocks += [
        para(_("选票摘要（SHA-256）：%(d)s") % {"d": results.digest}, "small"),
        para(_("注：推荐票数是选拔的重要依据，不简单以票取人。推荐结果有效期一年。"), "small"),
        para(_("监票人（签名）：________________    计票人（签名）：________________"), "flush"),
        sign(cn_date(_today())),
    ]
    return Paper(_("推荐结果汇总表"), tuple(blocks))


def results_docx(cycle: Cycle, round_: RecommendationRound) -> bytes:
    return docx_of(results_paper(cycle, round_))


def results_xlsx(cycle: Cycle, round_: RecommendationRound) -> bytes:
    """``ballots.documents.results_xlsx`` with a first sheet for the cycle (its heading,
    the round and its outcome) and a sheet of the 谈话调研推荐."""
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    results = _results(round_)
    book = load_workbook(io.BytesIO(ballot_documents.results_xlsx(results)))
    bold = Font(bold=True)
    head = book.create_sheet(_("选拔周期"), 0)
    head.append([cycle.school.name])
    head.append([_("%(title)s 推荐结果汇总表") % {"title": cycle.title}])
    head.append([])
    for label, value in (
        (_("选拔周期"), cycle.title),
        (_("基准日"), cn_date(cycle.reference_date)),
        (_("推荐范围"), _scope(cycle)),
        (_("推荐名额"), _quota_text(_lists(cycle))),
        (_("轮次"), _("第%(n)d轮会议推荐") % {"n": round_.number}),
        (_("结果"), str(round_.get_outcome_display())),
        (_("票数分散"), _("是") if round_.scattered else _("否")),
        (_("谈话调研推荐谈话人数"), cycle.talk_interviewees),
    ):
        head.append([label, value])
        head.cell(head.max_row, 1).font = bold
    head["A1"].font = Font(bold=True, size=14)
    head["A2"].font = Font(bold=True, size=12)
    head.column_dimensions["A"].width = 24
    head.column_dimensions["B"].width = 60
    talks = book.create_sheet(_("谈话调研推荐"))
    talks.append([_("名单"), _("序号"), _("姓名"), _("推荐人次"), _("占谈话人数比例")])
    for cell in talks[1]:
        cell.font = bold
    by_list = talk_table(cycle)
    for cl in _lists(cycle):
        for i, row in enumerate(by_list.get(cl.pk, []), start=1):
            talks.append([cl.name, i, row.name, row.count, row.share])
    for column, width in zip("ABCDE", (16, 6, 12, 10, 16), strict=True):
        talks.column_dimensions[column].width = width
    book.active = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _recommendation_results(cycle: Cycle, fmt: str, *, round: Any = None) -> tuple[str, bytes]:
    cycle = _load(cycle)
    chosen = _round_of(cycle, round, counted=True)
    if chosen is None or chosen.outcome == RoundOutcome.PENDING:
        raise DocumentUnavailable(_("还没有计票的推荐轮次。"), field="round")
    content = results_docx(cycle, chosen) if fmt == "docx" else results_xlsx(cycle, chosen)
    return _stem(cycle, _("推荐结果汇总表"), _("第%(n)d轮") % {"n": chosen.number}), content


# --- 2b. 征求意见表 -----------------------------------------------------------------------


def _standing_text(cycle_list: CycleList, standing: Any, talks: int) -> str:
    parts = []
    if standing is not None and standing.line.result.votes:
        line = standing.line
        parts.append(
            _("第%(rank)d位，%(votes)d票（%(share)s）")
            % {"rank": line.result.rank, "votes": line.result.votes, "share": line.percent}
        )
    if talks:
        parts.append(_("谈话调研推荐%(n)d人次") % {"n": talks})
    return f"{cycle_list.name}：" + "，".join(parts) if parts else ""


_OPINION_HEADS = (gettext_lazy("学校领导班子意见"), gettext_lazy("党支部意见"))


def _stance_text(opinion: Opinion | None) -> str:
    if opinion is None:
        return ""
    stance = opinion.get_stance_display()
    return f"{stance}：{opinion.text}" if opinion.text else stance


@_once
def opinion_paper(cycle: Cycle) -> Paper:
    """The 征求意见表: the people the recommendation named (votes in the latest valid
    round, or 谈话调研推荐), and anyone already consulted, each with their figures per list
    and the opinions of 学校领导班子 and 党支部 as recorded (blank where none yet, to be
    filled in)."""
    cycle = _load(cycle)
    lists = _lists(cycle)
    round_ = latest_valid_round(cycle)
    figures = standings(round_) if round_ is not None else {}
    talks = {
        (t.cycle_list_id, t.person_id): t.count
        for t in TalkRecommendation.objects.filter(cycle=cycle, count__gt=0)
    }
    opinions = {(o.person_id, o.source): o for o in Opinion.objects.filter(cycle=cycle)}
    named = {pid for (_l, pid), st in figures.items() if st.line.result.votes > 0}
    named |= {pid for (_l, pid) in talks} | {pid for (pid, _s) in opinions}
    if not named:
        raise DocumentUnavailable(_("尚无民主推荐或谈话调研推荐结果，没有需要征求意见的人选。"))
    people = list(Person.objects.filter(pk__in=named))

    def best(person: Person) -> tuple[int, str]:
        ranks = [st.line.result.rank for (_l, pid), st in figures.items() if pid == person.pk]
        return (min(ranks) if ranks else 10**6, person.staff_number)

    people.sort(key=best)
    files = profiles(people, cycle.reference_date)
    rows = []
    for number, person in enumerate(people, start=1):
        standing = "；".join(
            text
            for cl in lists
            if (
                text := _standing_text(
                    cl, figures.get((cl.pk, person.pk)), talks.get((cl.pk, person.pk), 0)
                )
            )
        )
        profile = files.get(person.pk)
        rows.append(
            [
                str(number),
                person.name,
                profile.current_post_text if profile else "",
                standing,
                _stance_text(opinions.get((person.pk, OpinionSource.LEADERSHIP))),
                _stance_text(opinions.get((person.pk, OpinionSource.BRANCH))),
            ]
        )
    source = (
        _("第%(n)d轮会议推荐") % {"n": round_.number} if round_ is not None else _("谈话调研推荐")
    )
    blocks = [
        title(_("%(school)s后备干部人选征求意见表") % {"school": cycle.school.name}),
        subtitle(cycle.title),
        para(
            _(
                "根据%(source)s和谈话调研推荐情况，就以下人选征求学校领导班子和党支部的意见。"
                "推荐票数是选拔的重要依据，不简单以票取人。"
            )
            % {"source": source}
        ),
        table(
            _heads(_("序号"), _("姓名"), _("现任职务"), _("推荐情况"), *_OPINION_HEADS),
            rows,
            left=(3, 4, 5),
        ),
        para(
            _("注：意见栏填写同意、有保留意见或不同意；有保留意见或不同意的，请写明具体意见。"),
            "small",
        ),
        sign(
            _("学校领导班子（签字）：＿＿＿＿＿＿"),
            _("党支部（签字）：＿＿＿＿＿＿"),
            _("%(y)d年　　月　　日") % {"y": cycle.year},
        ),
    ]
    return Paper(_("征求意见表"), tuple(blocks))


def _opinion_form(cycle: Cycle) -> tuple[str, Paper]:
    return _stem(cycle, _("征求意见表")), opinion_paper(cycle)


# --- 3. 考察预告 --------------------------------------------------------------------------


@_once
# --- 3a. 考察对象名单 ---------------------------------------------------------------------


@dataclass(frozen=True)
class TargetList:
    cycle: Cycle
    lists: tuple[tuple[CycleList, tuple[InspectionTarget, ...]], ...]
    selections: tuple[TargetSelection, ...]
    withdrawn: tuple[InspectionTarget, ...]
    files: dict[int, Profile]

    @property
    def decided_on(self) -> dt.date:
        return max(s.decided_on for s in self.selections)


@_once
def target_list(cycle: Cycle) -> TargetList:
    cycle = _load(cycle)
    targets = _active_targets(cycle)
    if not targets:
        raise DocumentUnavailable(_("尚未确定考察对象。"))
    selections = tuple(
        TargetSelection.objects.filter(pk__in={t.selection_id for t in targets}).order_by(
            "decided_on", "pk"
        )
    )
    withdrawn = tuple(
        InspectionTarget.objects.filter(cycle=cycle, withdrawn_at__isnull=False)
        .select_related("person", "cycle_list")
        .order_by("withdrawn_at", "pk")
    )
    by_list = tuple(
        (cl, tuple(t for t in targets if t.cycle_list_id == cl.pk)) for cl in _lists(cycle)
    )
    day = max(s.decided_on for s in selections)
    return TargetList(
        cycle, by_list, selections, withdrawn, profiles([t.person for t in targets], day)
    )


def _target_heads() -> list[str]:
    # Without 学历: the figures beside each name are the list's point, and need the room.
    return _heads(
        _("序号"), _("姓名"), _("性别"), _("出生年月"), _("政治面貌"), _("现任职务"), _("推荐情况")
    )


def _target_row(number: int, target: InspectionTarget, files: dict[int, Profile]) -> list[str]:
    profile = files.get(target.person_id)
    cells = _person_cells(profile)
    return [str(number), target.person.name, *cells[:3], cells[4], target.votes_note]


@_once
def target_list_paper(cycle: Cycle) -> Paper:
    """The 考察对象名单: per list its places and targets (差额 shows as more targets than
    places), each with the recommendation figures the decision body had beside the name,
    the day it was decided, its acknowledgement where there were not more targets than
    places, and any target withdrawn with the reason."""
    found = target_list(cycle)
    cycle = found.cycle
    blocks = [
        title(_("%(school)s后备干部考察对象名单") % {"school": cycle.school.name}),
        subtitle(cycle.title),
    ]
    for cycle_list, targets in found.lists:
        blocks.append(
            heading(
                _("%(list)s（名额%(q)d名，考察对象%(n)d名）")
                % {"list": cycle_list.name, "q": cycle_list.quota, "n": len(targets)}
            )
        )
        blocks.append(
            table(
                _target_heads(),
                (_target_row(i, t, found.files) for i, t in enumerate(targets, start=1)),
                left=(5, 6),
            )
        )
    blocks.append(
        para(
            _("以上考察对象经学校校务会、支委会于%(d)s集体研究确定。")
            % {"d": cn_date(found.decided_on)}
        )
    )
    for selection in found.selections:
        if selection.acknowledgement:
            blocks.append(para(_("说明：%(a)s") % {"a": selection.acknowledgement}))
    for target in found.withdrawn:
        blocks.append(
            para(
                _("撤销考察对象：%(t)s，理由：%(r)s。")
                % {"t": target, "r": target.withdrawn_reason},
                "small",
            )
        )
    blocks.append(sign(cycle.school.name, cn_date(found.decided_on)))
    return Paper(_("考察对象名单"), tuple(blocks))


def _target_list(cycle: Cycle, fmt: str) -> tuple[str, bytes]:
    stem = _stem(cycle, _("考察对象名单"))
    if fmt != "xlsx":
        return stem, _paper_file(target_list_paper(cycle), fmt)
    found = target_list(cycle)
    rows = [
        [
            cycle_list.name,
            *_target_row(i, t, found.files),
            cn_date(t.notice_published_on) if t.notice_published_on else "",
        ]
        for cycle_list, targets in found.lists
        for i, t in enumerate(targets, start=1)
    ]
    heads = [_("名单"), *_target_heads(), _("考察预告发布日期")]
    lines = [found.cycle.school.name, _("%(t)s 考察对象名单") % {"t": found.cycle.title}]
    return stem, _workbook(lines, [(_("考察对象"), heads, rows)])


def inspection_notice_paper(cycle: Cycle, *, contact: str = "") -> Paper:
    """The 考察预告: the targets (one row per person, with every list they are
    considered for), when the inspection begins — the cycle's notice days after the
    notice — and how to give an opinion."""
    cycle = _load(cycle)
    targets = _active_targets(cycle)
    if not targets:
        raise DocumentUnavailable(_("尚未确定考察对象。"))
    published = [t.notice_published_on for t in targets if t.notice_published_on is not None]
    day = max(published) if published else None
    files = profiles([t.person for t in targets], day or _today())
    rows = [
        [
            str(i),
            person.name,
            *_person_cells(files.get(person.pk)),
            "、".join(t.cycle_list.name for t in items),
        ]
        for i, (person, items) in enumerate(_by_person(targets), start=1)
    ]
    blocks = [
        title(_("考察预告")),
        para(
            _(
                "根据《党政领导干部选拔任用工作条例》和《%(school)s后备管理干部选拔轮岗锻炼使用"
                "方案》，经民主推荐、征求意见，学校集体研究确定以下同志为%(cycle)s考察对象，"
                "现予以预告："
            )
            % {"school": cycle.school.name, "cycle": cycle.title}
        ),
        table(_heads(_("序号"), _("姓名"), *PERSON_HEADS, _("考察名单")), rows, left=(6,)),
    ]
    deadline = _stage_record(cycle, Stage.INSPECTION)
    if day is not None:
        start = day + dt.timedelta(days=cycle.inspection_notice_days)
        when = _("考察时间：自%(start)s起（考察预告发布%(n)d天后）") % {
            "start": cn_date(start),
            "n": cycle.inspection_notice_days,
        }
    else:
        when = _("考察时间：自考察预告发布%(n)d天后起") % {"n": cycle.inspection_notice_days}
    if deadline is not None and deadline.deadline is not None:
        when += _("，至%(end)s止") % {"end": cn_date(deadline.deadline)}
    blocks += [
        para(when + "。"),
        para(_("考察方式：个别谈话、民主测评、查阅档案和工作资料等。")),
        para(
            _(
                "考察期间，教职工可通过个别谈话、来信、来电、来访等方式，向考察组反映考察对象"
                "德、能、勤、绩、廉方面的情况和问题。反映问题应实事求是、具体客观，提倡署名"
                "反映；考察组对反映人和反映内容严格保密。"
            )
        ),
        para(_contact_line(cycle, Stage.INSPECTION, contact)),
        sign(cycle.school.name, cn_date(day) if day else _("　　年　　月　　日")),
    ]
    return Paper(_("考察预告"), tuple(blocks))


def _inspection_notice(cycle: Cycle, *, contact: str = "") -> tuple[str, Paper]:
    return _stem(cycle, _("考察预告")), inspection_notice_paper(cycle, contact=contact)


# --- 4a. 个别谈话记录 ---------------------------------------------------------------------


@_once
def talks_paper(cycle: Cycle, *, target: Any = None) -> Paper:
    """The 个别谈话记录: per person inspected (once when on both lists, as the talks are
    about the person), each talk with its day, interviewee, interviewer and summary.
    Confidential, as the talks are on the pages: the decision body's."""
    cycle = _load(cycle)
    targets = _active_targets(cycle)
    if target not in (None, ""):
        found = _target_of(cycle, target)
        targets = [t for t in targets if t.person_id == found.person_id] or [found]
    if not targets:
        raise DocumentUnavailable(_("尚未确定考察对象。"))
    talks: dict[int, list[InspectionTalk]] = {}
    for talk in (
        InspectionTalk.objects.filter(
            target__cycle=cycle, target__person_id__in={t.person_id for t in targets}
        )
        .select_related("target", "interviewee")
        .order_by("held_on", "pk")
    ):
        talks.setdefault(talk.target.person_id, []).append(talk)
    blocks = [
        title(_("%(school)s后备干部考察个别谈话记录") % {"school": cycle.school.name}),
        subtitle(cycle.title),
    ]
    for person, items in _by_person(targets):
        blocks.append(
            heading(
                _("考察对象：%(name)s（%(lists)s）")
                % {"name": person.name, "lists": "、".join(t.cycle_list.name for t in items)}
            )
        )
        mine = talks.get(person.pk, [])
        if not mine:
            blocks.append(para(_("尚无个别谈话记录。"), "flush"))
            continue
        blocks.append(
            table(
                _heads(_("序号"), _("谈话日期"), _("谈话对象"), _("谈话人"), _("谈话要点")),
                (
                    [
                        str(n),
                        cn_date(t.held_on),
                        t.interviewee_name or (t.interviewee.name if t.interviewee else ""),
                        t.interviewer,
                        t.summary,
                    ]
                    for n, t in enumerate(mine, start=1)
                ),
                left=(4,),
            )
        )
    blocks.append(
        para(_("注：个别谈话情况严格保密，仅供考察组和学校集体讨论决定时使用。"), "small")
    )
    blocks.append(sign(_("考察组（签名）：＿＿＿＿＿＿")))
    return Paper(_("个别谈话记录"), tuple(blocks))


def _talk_records(cycle: Cycle, *, target: Any = None) -> tuple[str, Paper]:
    extra = str(_target_of(cycle, target).person) if target not in (None, "") else ""
    return _stem(cycle, _("个别谈话记录"), extra), talks_paper(cycle, target=target)


# --- 4. 考察材料 --------------------------------------------------------------------------


def _target_of(cycle: Cycle, target: Any) -> InspectionTarget:
    if target in (None, ""):
        raise DomainError(_("请指定考察对象。"), field="target")
    pk = target.pk if isinstance(target, InspectionTarget) else target
    found = (
        InspectionTarget.objects.filter(cycle=cycle, pk=pk)
        .select_related("person", "cycle_list", "rating_round")
        .first()
        if str(pk).isdigit()
        else None
    )
    if found is None:
        raise DomainError(_("本选拔周期没有该考察对象。"), field="target")
    return found


def _writer(user: Any) -> str:
    if user is None:
        return _("系统")
    return str(getattr(user, "display_name", "") or user.get_username())


def report_paper(target: InspectionTarget, version: ReportVersion | None) -> Paper:
    """A version of the 考察材料 laid out (headings from ``drafting.parse``), with a note
    of which version it is and whether it is the one signed off; without a version, the
    system's draft, marked as such."""
    if version is None:
        text = draft_report(target)
        note = _(
            "系统根据档案和考察数据生成的草稿，尚未保存为版本；“【待补充：…】”处须由"
            "考察组核实填写。"
        )
    else:
        text = version.text
        report = version.report
        note = _("第%(n)d稿，%(who)s于%(at)s撰写。") % {
            "n": version.number,
            "who": _writer(version.written_by),
            "at": cn_date(timezone.localtime(version.written_at).date()),
        }
        if report.signed_version_id == version.pk and report.signed_at is not None:
            note += _("已由%(who)s于%(at)s签发。") % {
                "who": _writer(report.signed_by),
                "at": cn_date(timezone.localtime(report.signed_at).date()),
            }
        else:
            note += _("本稿未签发。")
    blocks: list[Block] = []
    for item in parse(text):
        if item.kind == "title":
            blocks.append(title(item.text))
        elif item.kind in ("h1", "h2"):
            blocks.append(heading(item.text))
        else:
            blocks.append(para(item.text))
    if not blocks or blocks[0].kind != "title":
        blocks.insert(0, title(_("关于%(name)s同志的考察材料") % {"name": target.person.name}))
    blocks.append(para(note, "small"))
    return Paper(blocks[0].text, tuple(blocks))


def _version_of(target: InspectionTarget, version: Any) -> ReportVersion | None:
    report = (
        InspectionReport.objects.filter(target=target)
        .select_related("signed_version", "signed_by")
        .first()
    )
    versions = ReportVersion.objects.filter(report=report).select_related(
        "written_by", "report", "report__signed_by"
    )
    if isinstance(version, ReportVersion):
        found = versions.filter(pk=version.pk).first() if report else None
        if found is None:
            raise DomainError(_("该版本不属于此考察对象的考察材料。"), field="version")
        return found
    if version not in (None, ""):
        number = str(version)
        found = versions.filter(number=int(number)).first() if report and number.isdigit() else None
        if found is None:
            raise DomainError(_("考察材料没有第%(n)s稿。") % {"n": number}, field="version")
        return found
    if report is None:
        return None
    if report.signed_version_id is not None:
        return versions.get(pk=report.signed_version_id)
    return versions.order_by("-number").first()


@_once
def _inspection_report(
    cycle: Cycle, *, target: Any = None, version: Any = None
) -> tuple[str, Paper]:
    found = _target_of(cycle, target)
    chosen = _version_of(found, version)
    paper = report_paper(found, chosen)
    which = _("第%(n)d稿") % {"n": chosen.number} if chosen else _("草稿")
    return _stem(cycle, _("考察材料"), str(found), which), paper


# --- 5. 民主测评汇总表 ---------------------------------------------------------------------


@_once
def _appraised(cycle: Cycle, target: Any) -> list[tuple[Person, list[InspectionTarget], Appraisal]]:
    """Per person appraised (one 民主测评 even when on both lists): their targets and what
    the appraisal may tell."""
    targets = _active_targets(cycle)
    if target not in (None, ""):
        found = _target_of(cycle, target)
        targets = [t for t in targets if t.person_id == found.person_id] or [found]
    if not targets:
        raise DocumentUnavailable(_("尚未确定考察对象。"))
    return [(person, items, appraisal_of(items[0])) for person, items in _by_person(targets)]


def _state_text(appraisal: Appraisal) -> str:
    if appraisal.state == "none":
        return _("尚未组织民主测评。")
    return _("民主测评结果尚未发布。")


def appraisal_paper(cycle: Cycle, *, target: Any = None) -> Paper:
    """The 民主测评汇总表: per person appraised, per dimension (德、能、勤、绩、廉) the
    count and share of each grade — overall, and per rater group where its figures may be
    shown; a figure withheld by the minimum number of raters says so and why."""
    cycle = _load(cycle)
    blocks = [
        title(_("%(school)s后备干部考察对象民主测评汇总表") % {"school": cycle.school.name}),
        subtitle(cycle.title),
    ]
    for person, items, appraisal in _appraised(cycle, target):
        blocks.append(
            heading(
                _("测评对象：%(name)s（%(lists)s考察对象）")
                % {"name": person.name, "lists": "、".join(t.cycle_list.name for t in items)}
            )
        )
        if appraisal.state != "released":
            blocks.append(para(_state_text(appraisal), "flush"))
            continue
        blocks.append(
            para(
                _("参加测评%(n)d人：%(groups)s。")
                % {
                    "n": appraisal.raters,
                    "groups": "、".join(f"{g.name}{g.raters}人" for g in appraisal.groups),
                },
                "flush",
            )
        )
        grade_heads = [h for g in appraisal.grades for h in (g, _("占比"))]
        if appraisal.overall_shown:
            blocks.append(
                table(
                    _heads(_("测评项目"), _("参加人数"), *grade_heads),
                    (
                        [line.name, str(line.overall.n)]
                        + [
                            c
                            for n, s in zip(line.overall.counts, line.overall.shares, strict=True)
                            for c in (str(n), percent(s))
                        ]
                        for line in appraisal.dimensions
                        if line.overall is not None
                    ),
                )
            )
        else:
            blocks.append(
                para(_("总体结果不显示：%(r)s") % {"r": appraisal.overall_reason}, "flush")
            )
        shown = [i for i, g in enumerate(appraisal.groups) if g.shown]
        if len(appraisal.groups) > 1 and shown:
            blocks.append(
                table(
                    _heads(_("评议人类别"), _("测评项目"), _("参加人数"), *grade_heads),
                    (
                        [appraisal.groups[i].name, line.name, str(fig.n)]
                        + [
                            c
                            for n, s in zip(fig.counts, fig.shares, strict=True)
                            for c in (str(n), percent(s))
                        ]
                        for i in shown
                        for line in appraisal.dimensions
                        if (fig := line.groups[i]) is not None
                    ),
                )
            )
        for group in appraisal.groups:
            if not group.shown:
                blocks.append(
                    para(
                        _("“%(g)s”分类结果不显示：%(r)s") % {"g": group.name, "r": group.reason},
                        "small",
                    )
                )
    blocks.append(
        para(
            _("注：评议人类别参加人数少于规定人数的，不单独显示该类别结果，以保护评议人。"), "small"
        )
    )
    blocks.append(sign(_("统计人（签名）：＿＿＿＿＿＿"), cn_date(_today())))
    return Paper(_("民主测评汇总表"), tuple(blocks))


def appraisal_xlsx(cycle: Cycle, *, target: Any = None) -> bytes:
    """The same figures as a workbook: the sheet 总体 (one row per person and dimension,
    count and share per grade) and the sheet 分类别 (per rater group shown; a group
    withheld is a row giving the reason)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    cycle = _load(cycle)
    found = _appraised(cycle, target)
    grades: list[str] = list(
        dict.fromkeys(g for _p, _t, a in found if a.state == "released" for g in a.grades)
    )
    bold = Font(bold=True)
    book = Workbook()
    overall = book.active
    assert overall is not None
    overall.title = _("总体")
    overall.append([cycle.school.name])
    overall.append([_("%(title)s 民主测评汇总表") % {"title": cycle.title}])
    grade_heads = [h for g in grades for h in (g, _("%(g)s占比") % {"g": g})]
    heads = [
        _("序号"),
        _("姓名"),
        _("考察名单"),
        _("测评项目"),
        _("参加人数"),
        *grade_heads,
        _("说明"),
    ]
    overall.append(heads)
    for cell in overall[overall.max_row]:
        cell.font = bold
    groups = book.create_sheet(_("分类别"))
    groups.append(
        [_("姓名"), _("评议人类别"), _("参加人数"), _("测评项目"), *grade_heads, _("说明")]
    )
    for cell in groups[1]:
        cell.font = bold

    def figures(fig: Any, labels: Sequence[str]) -> list[Any]:
        by = dict(zip(labels, zip(fig.counts, fig.shares, strict=True), strict=True))
        cells: list[Any] = []
        for g in grades:
            n, share = by.get(g, (None, None))
            cells += [n, float(share) if share is not None else None]
        return cells

    def shares_format(sheet: Any, first: int) -> None:
        for i in range(len(grades)):
            sheet.cell(sheet.max_row, first + 2 * i + 1).number_format = "0.0%"

    for number, (person, items, appraisal) in enumerate(found, start=1):
        lists = "、".join(t.cycle_list.name for t in items)
        if appraisal.state != "released":
            overall.append(
                [
                    number,
                    person.name,
                    lists,
                    "",
                    "",
                    *[""] * len(grade_heads),
                    _state_text(appraisal),
                ]
            )
            continue
        for line in appraisal.dimensions:
            if line.overall is None:
                overall.append(
                    [
                        number,
                        person.name,
                        lists,
                        line.name,
                        "",
                        *[""] * len(grade_heads),
                        appraisal.overall_reason,
                    ]
                )
                continue
            overall.append(
                [
                    number,
                    person.name,
                    lists,
                    line.name,
                    line.overall.n,
                    *figures(line.overall, appraisal.grades),
                    "",
                ]
            )
            shares_format(overall, 6)
        for index, group in enumerate(appraisal.groups):
            if not group.shown:
                groups.append(
                    [
                        person.name,
                        group.name,
                        group.raters,
                        "",
                        *[""] * len(grade_heads),
                        group.reason,
                    ]
                )
                continue
            for line in appraisal.dimensions:
                fig = line.groups[index]
                if fig is not None:
                    groups.append(
                        [
                            person.name,
                            group.name,
                            fig.n,
                            line.name,
                            *figures(fig, appraisal.grades),
                            "",
                        ]
                    )
                    shares_format(groups, 5)
    overall["A1"].font = Font(bold=True, size=14)
    overall["A2"].font = Font(bold=True, size=12)
    for sheet in (overall, groups):
        sheet.column_dimensions["B"].width = 12
        sheet.column_dimensions["C"].width = 26
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _appraisal_summary(cycle: Cycle, fmt: str, *, target: Any = None) -> tuple[str, bytes]:
    extra = str(_target_of(cycle, target).person) if target not in (None, "") else ""
    stem = _stem(cycle, _("民主测评汇总表"), extra)
    if fmt == "xlsx":
        return stem, appraisal_xlsx(cycle, target=target)
    return stem, _paper_file(appraisal_paper(cycle, target=target), fmt)


# --- 6. 讨论决定记录 ----------------------------------------------------------------------


def _meetings(cycle: Cycle, meeting: Any) -> list[DecisionMeeting]:
    rows = DecisionMeeting.objects.filter(cycle=cycle).order_by("held_on", "pk")
    if meeting not in (None, ""):
        pk = meeting.pk if isinstance(meeting, DecisionMeeting) else meeting
        found = list(rows.filter(pk=pk)) if str(pk).isdigit() else []
        if not found:
            raise DomainError(_("本选拔周期没有该讨论决定会议。"), field="meeting")
        return found
    found = list(rows)
    if not found:
        raise DocumentUnavailable(_("尚未召开讨论决定会议。"), field="meeting")
    return found


def _member(m: MeetingMember) -> str:
    return m.person.name + (_("（主要负责人）") if m.main_leader else "")


def minutes_paper(cycle: Cycle, *, meeting: Any = None) -> Paper:
    """The 讨论决定记录 of each meeting (or of ``meeting``): date, the members who should
    attend, who was present and absent, the quorum check, per candidate every present
    member's statement in speaking order (the main leader last) with the counts and the
    outcome by the cycle's rule, and a summary table."""
    cycle = _load(cycle)
    meetings = _meetings(cycle, meeting)
    blocks = [
        title(_("%(school)s后备干部人选讨论决定会议记录") % {"school": cycle.school.name}),
        subtitle(cycle.title),
    ]
    counting = latest_decisions(cycle)
    quorum = rules.fraction_label(cycle.decision_quorum)
    for number, item in enumerate(meetings, start=1):
        members = list(MeetingMember.objects.filter(meeting=item).select_related("person"))
        votes = list(
            DecisionVote.objects.filter(meeting=item)
            .select_related("member__person")
            .order_by("target_id", "order")
        )
        decisions = list(
            Decision.objects.filter(meeting=item)
            .select_related("target__person", "target__cycle_list")
            .order_by("target__cycle_list__position", "target_id")
        )

        present = [m for m in members if m.present]
        absent = [m for m in members if not m.present]
        if len(meetings) > 1:
            blocks.append(heading(_("第%(n)d次会议") % {"n": number}))
        reached = rules.reaches(item.present, item.expected, cycle.decision_quorum)
        blocks += [
            para(_("会议时间：%(d)s") % {"d": cn_date(item.held_on)}, "flush"),
            para(_("会议内容：集体讨论决定后备干部人选（%(t)s）") % {"t": cycle.title}, "flush"),
            para(
                _("应到会成员（%(n)d人）：%(names)s")
                % {"n": item.expected, "names": "、".join(_member(m) for m in members)},
                "flush",
            ),
            para(
                _("实到会成员（%(n)d人）：%(names)s")
                % {"n": item.present, "names": "、".join(_member(m) for m in present) or _("无")},
                "flush",
            ),
            para(
                _("缺席成员（%(n)d人）：%(names)s")
                % {"n": len(absent), "names": "、".join(_member(m) for m in absent) or _("无")},
                "flush",
            ),
            para(
                (
                    _("实到会成员%(p)d人，达到应到会成员%(e)d人的%(q)s，会议有效。")
                    if reached
                    else _("实到会成员%(p)d人，不足应到会成员%(e)d人的%(q)s，会议不能作出决定。")
                )
                % {"p": item.present, "e": item.expected, "q": quorum},
                "flush",
            ),
        ]
        by_target: dict[int, list[DecisionVote]] = {}
        for vote in votes:
            by_target.setdefault(vote.target_id, []).append(vote)
        summary = []
        for index, decided in enumerate(decisions, start=1):
            target = decided.target
            verdict = rules.decide(
                expected=item.expected,
                agree=decided.agree,
                disagree=decided.disagree,
                defer=decided.defer,
                share=cycle.pass_share,
            )
            blocks.append(heading(f"{index}. {target.person.name}（{target.cycle_list.name}）"))
            blocks.append(
                table(
                    _heads(_("发言顺序"), _("成员"), _("表态")),
                    (
                        [str(v.order), _member(v.member), v.get_choice_display()]
                        for v in by_target.get(target.pk, [])
                    ),
                )
            )
            later = counting.get(target.pk)
            superseded = later is not None and later.pk != decided.pk
            blocks.append(
                para(
                    _("表决结果：%(why)s结果：%(outcome)s。")
                    % {"why": verdict.reason, "outcome": decided.get_outcome_display()}
                    + (_("（其后会议已重新决定。）") if superseded else ""),
                    "flush",
                )
            )
            summary.append(
                [
                    str(index),
                    target.person.name,
                    target.cycle_list.name,
                    str(decided.agree),
                    str(decided.disagree),
                    str(decided.defer),
                    decided.get_outcome_display(),
                ]
            )
        blocks.append(heading(_("表决情况汇总")))
        blocks.append(
            table(
                _heads(
                    _("序号"), _("姓名"), _("名单"), _("同意"), _("不同意"), _("缓议"), _("结果")
                ),
                summary,
            )
        )
        if item.note:
            blocks.append(para(_("备注：%(n)s") % {"n": item.note}, "flush"))
    blocks.append(
        para(
            _("议事规则：到会成员须达到应到会成员的%(q)s；同意票超过应到会成员的%(s)s为通过。")
            % {"q": quorum, "s": rules.fraction_label(cycle.pass_share)},
            "small",
        )
    )
    blocks.append(sign(_("主持人（签名）：＿＿＿＿＿＿　　记录人（签名）：＿＿＿＿＿＿")))
    return Paper(_("讨论决定记录"), tuple(blocks))


def _decision_minutes(cycle: Cycle, *, meeting: Any = None) -> tuple[str, Paper]:
    return _stem(cycle, _("讨论决定记录")), minutes_paper(cycle, meeting=meeting)


# --- 7. 公示 ------------------------------------------------------------------------------


@_once
def public_notice_paper(cycle: Cycle, *, start: dt.date | None = None, contact: str = "") -> Paper:
    """The 公示: the people who passed the decision (one row per person, the levels they
    are to be listed at), the period from its first to its last day with its length in
    working days, and where to send objections. Before the notice is published, ``start``
    gives a preview of it, its end counted on the school calendar."""
    cycle = _load(cycle)
    notice = current_notice(cycle)
    if notice is not None and start is None:
        first, last, days = notice.start, notice.end, notice.working_days
    elif start is not None:
        first, days = start, cycle.notice_working_days
        last, _warnings = notice_period(start, days)
    else:
        raise DocumentUnavailable(_("尚未开始公示；请指定公示开始日期以预览。"), field="start")
    passed = [t for t, _d in passed_targets(cycle)]
    if not passed:
        raise DocumentUnavailable(_("没有通过讨论决定的人选。"))
    passed.sort(key=lambda t: (t.cycle_list.position, t.pk))
    files = profiles([t.person for t in passed], first)
    rows = [
        [
            str(i),
            person.name,
            *_person_cells(files.get(person.pk)),
            "、".join(t.cycle_list.name for t in items),
        ]
        for i, (person, items) in enumerate(_by_person(passed), start=1)
    ]
    blocks = [
        title(_("%(school)s后备干部人选公示") % {"school": cycle.school.name}),
        para(
            _(
                "根据《%(school)s后备管理干部选拔轮岗锻炼使用方案》，经民主推荐、征求意见、组织"
                "考察和学校集体讨论决定，拟将以下同志列入%(school)s后备干部名单，现予以公示："
            )
            % {"school": cycle.school.name}
        ),
        table(_heads(_("序号"), _("姓名"), *PERSON_HEADS, _("拟列入")), rows, left=(6,)),
        para(
            _("公示时间：%(a)s至%(b)s（%(n)d个工作日）。")
            % {"a": cn_date(first), "b": cn_date(last), "n": days}
        ),
        para(
            _(
                "公示期间，对公示对象有异议的，可通过来信、来电、来访等方式向学校人事室反映。"
                "反映问题应实事求是、具体客观，提倡署名反映；署名反映的请写明姓名和联系方式，"
                "以便核实和反馈。学校对反映人和反映内容严格保密。"
            )
        ),
        para(_contact_line(cycle, Stage.NOTICE, contact)),
        sign(cycle.school.name, cn_date(first)),
    ]
    return Paper(_("公示"), tuple(blocks))


def public_notice_html(cycle: Cycle, *, start: dt.date | None = None, contact: str = "") -> str:
    """The 公示's text as an HTML fragment for the school's notice page (escaped; the page
    gives the layout)."""
    with translation.override("zh-hans"):
        return blocks_html(public_notice_paper(cycle, start=start, contact=contact))


def _public_notice(
    cycle: Cycle, *, start: dt.date | None = None, contact: str = ""
) -> tuple[str, Paper]:
    return _stem(cycle, _("公示")), public_notice_paper(cycle, start=start, contact=contact)


# --- 7a. 异议登记表, 调查核实情况报告 --------------------------------------------------------


@dataclass(frozen=True)
class Objections:
    cycle: Cycle
    notices: tuple[PublicNotice, ...]
    objections: tuple[Objection, ...]

    def period(self) -> str:
        return "；".join(
            _("%(a)s至%(b)s（%(n)d个工作日）")
            % {"a": cn_date(n.start), "b": cn_date(n.end), "n": n.working_days}
            for n in self.notices
        )


@_once
def objections_of(cycle: Cycle) -> Objections:
    cycle = _load(cycle)
    notices = tuple(PublicNotice.objects.filter(cycle=cycle).order_by("start", "pk"))
    if not notices:
        raise DocumentUnavailable(_("尚未开始公示。"))
    found = tuple(
        Objection.objects.filter(notice__cycle=cycle)
        .select_related("target__person", "target__cycle_list")
        .order_by("received_on", "pk")
    )
    return Objections(cycle, notices, found)


def _outcome_text(objection: Objection) -> str:
    """处理结果 as the register gives it: still being looked into, or the outcome with
    its date (reminder talk, postponement and how it ended)."""
    if not objection.outcome:
        return _("调查核实中")
    text = objection.get_outcome_display()
    if objection.outcome == ObjectionOutcome.MINOR and objection.reminder_talk_on:
        text += _("（%(d)s提醒谈话）") % {"d": cn_date(objection.reminder_talk_on)}
    if objection.outcome == ObjectionOutcome.UNVERIFIED and objection.postponed_until:
        text += _("（暂缓至%(d)s）") % {"d": cn_date(objection.postponed_until)}
        if objection.postponement_result:
            text += _("；%(r)s") % {"r": objection.get_postponement_result_display()}
    return text


def _register_heads() -> list[str]:
    return _heads(
        _("序号"), _("收到日期"), _("被反映人"), _("反映方式"), _("反映人及联系方式"),
        _("反映内容"), _("处理结果"),
    )  # fmt: skip


def _register_row(number: int, objection: Objection) -> list[str]:
    reporter = (
        "，".join(p for p in (objection.reporter_name, objection.reporter_contact) if p)
        if objection.signed
        else ""
    )
    return [
        str(number),
        cn_date(objection.received_on),
        str(objection.target),
        _("署名") if objection.signed else _("匿名"),
        reporter,
        objection.content,
        _outcome_text(objection),
    ]


@_once
def objection_register_paper(cycle: Cycle) -> Paper:
    """The 异议登记表 of the cycle's notice: every objection as registered — when it came,
    about whom, signed (with the reporter and how to reach them) or anonymous, what it
    says, and how it was dealt with. Confidential: the school's, never the district's."""
    found = objections_of(cycle)
    cycle = found.cycle
    blocks = [
        title(_("%(school)s后备干部人选公示异议登记表") % {"school": cycle.school.name}),
        subtitle(cycle.title),
        para(_("公示时间：%(p)s。") % {"p": found.period()}, "flush"),
    ]
    if found.objections:
        blocks.append(
            table(
                _register_heads(),
                (_register_row(n, o) for n, o in enumerate(found.objections, start=1)),
                left=(4, 5, 6),
            )
        )
    else:
        blocks.append(para(_("公示期间未收到异议。"), "flush"))
    blocks.append(
        para(_("注：学校对反映人和反映内容严格保密；署名反映的，调查核实后向反映人反馈。"), "small")
    )
    blocks.append(sign(_("登记人（签名）：＿＿＿＿＿＿")))
    return Paper(_("异议登记表"), tuple(blocks))


def _objection_register(cycle: Cycle, fmt: str) -> tuple[str, bytes]:
    stem = _stem(cycle, _("异议登记表"))
    if fmt != "xlsx":
        return stem, _paper_file(objection_register_paper(cycle), fmt)
    found = objections_of(cycle)
    rows = [_register_row(n, o) for n, o in enumerate(found.objections, start=1)]
    lines = [found.cycle.school.name, _("%(t)s 公示异议登记表") % {"t": found.cycle.title}]
    return stem, _workbook(lines, [(_("异议"), _register_heads(), rows)])


@_once
def investigation_paper(cycle: Cycle) -> Paper:
    """The 调查核实情况报告 on the objections of the cycle's notice: how many came (signed,
    anonymous) about how many people, then per objection what was reported, what the
    investigation found, the outcome, and what the signed reporter was told. The
    reporter is never named. Confidential: the school's, never the district's."""
    found = objections_of(cycle)
    cycle = found.cycle
    items = found.objections
    signed = sum(1 for o in items if o.signed)
    people = len({o.target.person_id for o in items})
    blocks = [
        title(_("关于%(cycle)s公示期间反映问题的调查核实情况报告") % {"cycle": cycle.title}),
    ]
    if not items:
        blocks.append(
            para(
                _(
                    "%(p)s，学校对拟列入后备干部名单的人选进行了公示。公示期间，学校未收到对公示"
                    "对象的反映。"
                )
                % {"p": found.period()}
            )
        )
    else:
        blocks.append(
            para(
                _(
                    "%(p)s，学校对拟列入后备干部名单的人选进行了公示。公示期间共收到反映%(n)d件"
                    "（署名%(s)d件、匿名%(a)d件），涉及%(people)d人。学校按规定逐件进行了调查"
                    "核实，现将有关情况报告如下："
                )
                % {
                    "p": found.period(),
                    "n": len(items),
                    "s": signed,
                    "a": len(items) - signed,
                    "people": people,
                }
            )
        )
    for number, objection in enumerate(items, start=1):
        blocks.append(
            heading(
                _("%(n)s、关于反映%(name)s同志（%(list)s）的问题")
                % {
                    "n": _cn_number(number),
                    "name": objection.target.person.name,
                    "list": objection.target.cycle_list.name,
                }
            )
        )
        how = _("署名反映") if objection.signed else _("匿名反映")
        blocks.append(
            para(
                _("（一）反映的主要问题（%(d)s收到，%(how)s）：%(c)s")
                % {"d": cn_date(objection.received_on), "how": how, "c": objection.content}
            )
        )
        blocks.append(
            para(
                _("（二）调查核实情况：%(i)s")
                % {"i": objection.investigation or _("正在调查核实。")}
            )
        )
        blocks.append(para(_("（三）处理意见：%(o)s。") % {"o": _outcome_text(objection)}))
        if objection.signed:
            answer = (
                _("%(d)s已向反映人反馈：%(a)s")
                % {"d": cn_date(objection.answered_on), "a": objection.answer}
                if objection.answered_on
                else _("尚未向反映人反馈。")
            )
        else:
            answer = _("匿名反映，不作反馈。")
        blocks.append(para(_("（四）反馈情况：%(a)s") % {"a": answer}))
    blocks.append(para(_("特此报告。")))
    closed = [timezone.localtime(o.closed_at).date() for o in items if o.closed_at is not None]
    day = max(closed) if closed else max(n.end for n in found.notices)
    blocks.append(sign(_("%(school)s人事室") % {"school": cycle.school.name}, cn_date(day)))
    return Paper(_("调查核实情况报告"), tuple(blocks))


def _investigation_report(cycle: Cycle) -> tuple[str, Paper]:
    return _stem(cycle, _("调查核实情况报告")), investigation_paper(cycle)


# --- 8. 后备干部名单 (附1) -----------------------------------------------------------------


@dataclass(frozen=True)
class ReserveList:
    cycle_list: CycleList
    entries: tuple[PoolEntry, ...]

    @property
    def names(self) -> str:
        return "、".join(e.person.name for e in self.entries)


@dataclass(frozen=True)
class ReserveLists:
    """The cycle's final lists, as the plan's 附1 gives them."""

    cycle: Cycle
    recommended_on: dt.date
    scope: str
    conditions: str
    lists: tuple[ReserveList, ...]
    files: dict[int, Profile] = field(default_factory=dict)

    def line(self, item: ReserveList) -> str:
        """E.g. "区级后备干部：（5名）陈晔、黄蔚敏、卢懿蕾、浦吉丽、张兰兰。"."""
        return _("%(list)s：（%(n)d名）%(names)s。") % {
            "list": item.cycle_list.name,
            "n": len(item.entries),
            "names": item.names,
        }


@_once
def reserve_lists(cycle: Cycle) -> ReserveLists:
    """The pool entries of a complete cycle by list, in the order the targets were
    chosen; 推荐时间 is the day the valid round was counted (the reference date when no
    round says)."""
    cycle = _load(cycle)
    if cycle.stage != Stage.DONE:
        raise DocumentUnavailable(_("选拔周期尚未完成，后备干部名单尚未产生。"))
    lists = _lists(cycle)
    entries = list(
        PoolEntry.objects.filter(cycle=cycle)
        .select_related("person", "target")
        .order_by("target__cycle_list__position", "target_id")
    )
    by_list = {cl.pk: [e for e in entries if e.target.cycle_list_id == cl.pk] for cl in lists}
    valid = (
        RecommendationRound.objects.filter(cycle=cycle, outcome=RoundOutcome.VALID)
        .order_by("-number")
        .first()
    )
    when = (
        timezone.localtime(valid.concluded_at).date()
        if valid is not None and valid.concluded_at is not None
        else cycle.reference_date
    )
    # "符合“后备干部选拔条件”（基准日…）", not "…条件”选拔条件": the name may say it already.
    named = cycle.rule_set.name.endswith("条件")
    conditions = (
        _("符合“%(rules)s”（基准日%(d)s）")
        if named
        else _("符合“%(rules)s”选拔条件（基准日%(d)s）")
    ) % {
        "rules": cycle.rule_set.name,
        "d": cn_date(cycle.reference_date),
    }
    decided = max((e.decided_on for e in entries), default=when)
    return ReserveLists(
        cycle=cycle,
        recommended_on=when,
        scope=_scope(cycle),
        conditions=conditions + "；" + _quota_text(lists),
        lists=tuple(ReserveList(cl, tuple(by_list[cl.pk])) for cl in lists),
        files=profiles([e.person for e in entries], decided),
    )


def _reserve_heads() -> list[str]:
    return _heads(_("序号"), _("姓名"), *PERSON_HEADS, _("成熟程度"), _("列入日期"), _("有效期至"))


def _reserve_row(number: int, entry: PoolEntry, files: dict[int, Profile]) -> list[str]:
    return [
        str(number),
        entry.person.name,
        *_person_cells(files.get(entry.person_id)),
        entry.get_readiness_display(),
        cn_date(entry.decided_on),
        cn_date(entry.valid_until),
    ]


def reserve_paper(cycle: Cycle) -> Paper:
    """The 后备干部名单 laid out like the plan's 附1 — 推荐时间, 推荐范围, 推荐条件、数量,
    then each level's line "（N名）names" — followed by a table per list."""
    found = reserve_lists(cycle)
    cycle = found.cycle
    blocks = [
        title(_("%(school)s后备干部名单") % {"school": cycle.school.name}),
        subtitle(cycle.title),
        para(_("推荐时间：%(d)s。") % {"d": cn_date(found.recommended_on)}, "flush"),
        para(_("推荐范围：%(s)s。") % {"s": found.scope}, "flush"),
        para(_("推荐条件、数量：%(c)s。") % {"c": found.conditions}, "flush"),
        *(para(found.line(item), "flush") for item in found.lists),
    ]
    for item in found.lists:
        blocks.append(
            heading(
                _("%(list)s（%(n)d名）") % {"list": item.cycle_list.name, "n": len(item.entries)}
            )
        )
        blocks.append(
            table(
                _reserve_heads(),
                (_reserve_row(i, e, found.files) for i, e in enumerate(item.entries, start=1)),
                left=(6,),
            )
        )
    blocks.append(
        para(_("注：后备干部有效期%(n)d年，实行动态管理。") % {"n": cycle.pool_years}, "small")
    )
    blocks.append(
        sign(
            cycle.school.name,
            cn_date(
                max(
                    (e.decided_on for item in found.lists for e in item.entries),
                    default=found.recommended_on,
                )
            ),
        )
    )
    return Paper(_("后备干部名单"), tuple(blocks))


def reserve_xlsx(cycle: Cycle) -> bytes:
    """The 后备干部名单 as a workbook: the sheet 名单 as the plan's 附1 (one row per item:
    推荐时间, 推荐范围, 推荐条件、数量, each level with its count and names), the sheet 明细
    one row per reserve cadre."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    found = reserve_lists(cycle)
    cycle = found.cycle
    bold = Font(bold=True)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("名单")
    sheet.append([_("%(school)s后备干部名单") % {"school": cycle.school.name}])
    sheet.append([cycle.title])
    sheet.append([])
    sheet.append([_("推荐时间"), cn_date(found.recommended_on)])
    sheet.append([_("推荐范围"), found.scope])
    sheet.append([_("推荐条件、数量"), found.conditions])
    for item in found.lists:
        sheet.append(
            [
                _("%(list)s（%(n)d名）") % {"list": item.cycle_list.name, "n": len(item.entries)},
                item.names,
            ]
        )
    for row in sheet.iter_rows(min_row=4, max_row=sheet.max_row):
        row[0].font = bold
        row[1].alignment = Alignment(wrap_text=True)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 80
    detail = book.create_sheet(_("明细"))
    detail.append([_("名单"), *_reserve_heads()])
    for cell in detail[1]:
        cell.font = bold
    for item in found.lists:
        for i, entry in enumerate(item.entries, start=1):
            detail.append([item.cycle_list.name, *_reserve_row(i, entry, found.files)])
    for column, width in zip(
        "ABCDEFGHIJK", (16, 6, 10, 6, 12, 14, 12, 24, 12, 16, 16), strict=True
    ):
        detail.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _reserve_list(cycle: Cycle, fmt: str) -> tuple[str, bytes]:
    stem = _stem(cycle, _("后备干部名单"))
    return stem, reserve_xlsx(cycle) if fmt == "xlsx" else _paper_file(reserve_paper(cycle), fmt)


# --- 9. 全套文书 (the archive) --------------------------------------------------------------

ARCHIVE = "archive"
ARCHIVE_FORMATS = ("docx", "xlsx", "pdf")


def _archive(cycle: Cycle, fmt: str, *, reader: Any = None) -> tuple[str, bytes]:
    """Every document of the cycle in Word, Excel and PDF (``render_set``) that ``reader``
    may have (None: all of them), as the school files the cycle's papers: one folder per
    stage in order ("2-民主推荐/…"), and a 目录 listing each file with its document, and
    each document the cycle has none of with the reason."""
    cycle = _load(cycle)
    jobs = [
        job
        for job in document_set(cycle, formats=ARCHIVE_FORMATS)
        if reader is None or may_read(reader, DOCUMENTS[job[0]])
    ]
    files = render_set(cycle, jobs)
    out = io.BytesIO()
    contents = [_("%(title)s 全套文书目录") % {"title": cycle.title}, ""]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in files:
            document = DOCUMENTS[item.key]
            folder = f"{STAGE_ORDER.index(document.stage) + 1}-{document.stage.label}"
            if item.rendered is None:
                contents.append(
                    _("%(doc)s（%(fmt)s）：无。%(why)s")
                    % {"doc": document.label, "fmt": item.fmt, "why": item.unavailable}
                )
                continue
            name = f"{folder}/{item.rendered.filename}"
            archive.writestr(name, item.rendered.content)
            contents.append(f"{name}　{document.label}")
        archive.writestr(_("目录.txt"), "\n".join(contents) + "\n")
    return _stem(cycle, _("全套文书")), out.getvalue()


# --- the registry -----------------------------------------------------------------------

Builder = Callable[..., tuple[str, bytes]]
PaperBuilder = Callable[..., tuple[str, Paper]]


def _laid_out(make: PaperBuilder) -> Builder:
    """The builder of a document that is one paper in every format (Word, print view,
    PDF)."""

    def build(cycle: Cycle, fmt: str, **params: Any) -> tuple[str, bytes]:
        stem, paper = make(cycle, **params)
        return stem, _paper_file(paper, fmt)

    return build


@dataclass(frozen=True)
class Document:
    """One document of a cycle, as the pages list it."""

    key: str
    title: Any  # lazy: the page's language for the link; the file is Chinese
    stage: Stage
    formats: tuple[str, ...]
    build: Builder  # (cycle, fmt, **params) -> (file name without extension, bytes)
    params: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    per: str = ""  # what one file is of, when not the whole cycle: "round", "target"
    # (cycle, **params) -> (file name without extension, paper), for a document whose PDF
    # is its paper: a set prints it in the worker processes.
    paper: PaperBuilder | None = None
    # Who of the school may have it besides the page's own check: one of these
    # capabilities; none named, whoever the page lets in (the school's personnel office
    # and decision body). The district never reads a school's documents.
    audience: frozenset[Cap] = frozenset()
    # The builder is given the reader (``reader=``) and leaves out what they may not have.
    by_reader: bool = False

    @property
    def label(self) -> str:
        return str(self.title)


# The confidential documents' readers, as the pages show their data: the objections to the
# personnel office and the decision body, the individual talks to the decision body.
SCHOOL_OFFICES = frozenset({Cap.SELECTION_RUN, Cap.SELECTION_DECIDE})
DECISION_BODY = frozenset({Cap.SELECTION_DECIDE})


def may_read(reader: Any, document: Document) -> bool:
    """Whether ``reader`` (a user of the cycle's school) may have ``document``."""
    return not document.audience or any(has_cap(reader, cap) for cap in document.audience)


def _paper_document(key: str, title: Any, stage: Stage, formats: tuple[str, ...],
                    make: PaperBuilder, **options: Any) -> Document:  # fmt: skip
    return Document(key, title, stage, formats, _laid_out(make), paper=make, **options)


DOCUMENTS: dict[str, Document] = {
    d.key: d
    for d in (
        _paper_document(
            "selection-plan",
            gettext_lazy("选拔工作方案"),
            Stage.PREPARATION,
            ("docx", "pdf", "html"),
            _selection_plan,
        ),
        Document(
            "roll",
            gettext_lazy("参加民主推荐人员名单"),
            Stage.PREPARATION,
            ("docx", "xlsx", "html"),
            _roll,
        ),
        _paper_document(
            "recommendation-form",
            gettext_lazy("民主推荐表"),
            Stage.RECOMMENDATION,
            ("docx", "pdf", "html"),
            _recommendation_form,
            params=("round",),
        ),
        Document(
            "recommendation-results",
            gettext_lazy("推荐结果汇总表"),
            Stage.RECOMMENDATION,
            ("docx", "xlsx"),
            _recommendation_results,
            params=("round",),
            per="round",
        ),
        _paper_document(
            "opinion-form",
            gettext_lazy("征求意见表"),
            Stage.OPINIONS,
            ("docx", "html"),
            _opinion_form,
        ),
        Document(
            "target-list",
            gettext_lazy("考察对象名单"),
            Stage.TARGETS,
            ("docx", "xlsx", "html"),
            _target_list,
        ),
        _paper_document(
            "inspection-notice",
            gettext_lazy("考察预告"),
            Stage.TARGETS,
            ("docx", "pdf", "html"),
            _inspection_notice,
            params=("contact",),
        ),
        _paper_document(
            "talk-records",
            gettext_lazy("个别谈话记录"),
            Stage.INSPECTION,
            ("docx", "html"),
            _talk_records,
            params=("target",),
            audience=DECISION_BODY,
        ),
        _paper_document(
            "inspection-report",
            gettext_lazy("考察材料"),
            Stage.INSPECTION,
            ("docx", "pdf", "html"),
            _inspection_report,
            params=("target", "version"),
            required=("target",),
            per="target",
        ),
        Document(
            "appraisal-summary",
            gettext_lazy("民主测评汇总表"),
            Stage.INSPECTION,
            ("xlsx", "docx"),
            _appraisal_summary,
            params=("target",),
        ),
        _paper_document(
            "decision-minutes",
            gettext_lazy("讨论决定记录"),
            Stage.DECISION,
            ("docx",),
            _decision_minutes,
            params=("meeting",),
        ),
        _paper_document(
            "public-notice",
            gettext_lazy("公示"),
            Stage.NOTICE,
            ("docx", "pdf", "html"),
            _public_notice,
            params=("start", "contact"),
        ),
        Document(
            "objection-register",
            gettext_lazy("异议登记表"),
            Stage.NOTICE,
            ("docx", "xlsx", "html"),
            _objection_register,
            audience=SCHOOL_OFFICES,
        ),
        _paper_document(
            "investigation-report",
            gettext_lazy("调查核实情况报告"),
            Stage.NOTICE,
            ("docx", "pdf", "html"),
            _investigation_report,
            audience=SCHOOL_OFFICES,
        ),
        Document(
            "reserve-list",
            gettext_lazy("后备干部名单"),
            Stage.DONE,
            ("docx", "xlsx"),
            _reserve_list,
        ),
        Document(
            ARCHIVE,
            gettext_lazy("全套文书（归档）"),
            Stage.DONE,
            ("zip",),
            _archive,
            audience=SCHOOL_OFFICES,
            by_reader=True,
        ),
    )
}


def documents_of(stage: str) -> list[Document]:
    """The documents a stage produces, in the registry's order."""
    return [d for d in DOCUMENTS.values() if d.stage == stage]


def _document(key: str) -> Document:
    found = DOCUMENTS.get(key)
    if found is None:
        raise DomainError(_("没有名为“%(key)s”的文书。") % {"key": key}, field="document")
    return found


def render(key: str, fmt: str, cycle: Cycle, *, reader: Any = None, **params: Any) -> Rendered:
    """The document ``key`` of ``cycle`` as ``fmt``: file name, content type and bytes.
    Reads only. Raises DomainError for an unknown document, a format it does not offer, a
    parameter it does not take or a required one missing, a round, target, version or
    meeting not of this cycle; DocumentUnavailable when the cycle has not got that far.
    ``reader``: for a document made for its reader (the archive), who it is for; None,
    everything."""
    document = _checked(key, fmt, params)
    if document.by_reader:
        params = {**params, "reader": reader}
    with translation.override("zh-hans"):
        stem, content = document.build(cycle, fmt, **params)
    return Rendered(f"{stem}.{fmt}", CONTENT_TYPES[fmt], content)


def _checked(key: str, fmt: str, params: dict[str, Any]) -> Document:
    document = _document(key)
    if fmt not in document.formats:
        raise DomainError(
            _("“%(doc)s”不提供%(fmt)s格式，可选：%(formats)s。")
            % {"doc": document.label, "fmt": fmt, "formats": "、".join(document.formats)},
            field="format",
        )
    unknown = sorted(set(params) - set(document.params))
    if unknown:
        raise DomainError(
            _("“%(doc)s”没有参数%(names)s。") % {"doc": document.label, "names": "、".join(unknown)}
        )
    for name in document.required:
        if params.get(name) in (None, ""):
            raise DomainError(_("请指定%(p)s。") % {"p": _PARAM_LABELS.get(name, name)}, field=name)
    return document


# --- the whole set --------------------------------------------------------------------------


Job = tuple[str, str, dict[str, Any]]  # document key, format, parameters


def document_set(cycle: Cycle, *, formats: Iterable[str] | None = None) -> list[Job]:
    """Every file of the cycle's documents: each document of the registry in each of its
    formats (or those of ``formats`` it offers), once per round or per active target where
    one file is of one of them — the set the stage pages offer, and the archive's."""
    wanted = None if formats is None else set(formats)
    rounds = list(RecommendationRound.objects.filter(cycle=cycle).order_by("number"))
    targets = list(InspectionTarget.objects.active().filter(cycle=cycle).order_by("pk"))
    jobs: list[Job] = []
    for key, document in DOCUMENTS.items():
        if key == ARCHIVE:
            continue
        if document.per == "round":
            variants: list[dict[str, Any]] = [{"round": r} for r in rounds]
        elif document.per == "target":
            variants = [{"target": t} for t in targets]
        else:
            variants = [{}]
        for fmt in document.formats:
            if wanted is None or fmt in wanted:
                jobs += [(key, fmt, params) for params in variants]
    return jobs


@dataclass(frozen=True)
class SetFile:
    """One file of a set: the rendered file, or why the cycle has none (a document its
    stage has not reached); and the CPU seconds it took, where it was printed."""

    key: str
    fmt: str
    params: dict[str, Any]
    rendered: Rendered | None
    unavailable: str = ""
    cpu_seconds: float = 0.0


def prepare_printing(workers: int | None = None) -> printing.Printer:
    """What a process does once before its first PDFs, done now: the fonts cut, the
    worker processes started, each having printed a line (``printing.Printer.warm``)."""
    printer = printing.Printer(workers)
    with translation.override("zh-hans"):
        printer.warm(*pdf_source(Paper(_("文书"), (para(_("后备干部")),))))
    return printer


def render_set(
    cycle: Cycle, jobs: Sequence[Job] | None = None, *, workers: int | None = None
) -> list[SetFile]:
    """Many files of ``cycle`` (``jobs``; the whole ``document_set`` by default), in their
    order. Each paper and the data several files share are built once for all of them;
    the PDFs are printed by ``workers`` worker processes (``printing.Printer``; by default
    one per core) while this process builds the Word and Excel files. Reads only. Bad jobs
    raise as ``render`` does; a document the cycle has not reached is a file with
    ``unavailable`` saying why."""
    jobs = document_set(cycle) if jobs is None else jobs
    printer = printing.Printer(workers)
    out: list[SetFile | None] = []
    pending: list[tuple[int, str, float, printing.Job]] = []
    with _set_memo(), translation.override("zh-hans"):
        for key, fmt, params in jobs:
            document = _checked(key, fmt, params)
            began = time.process_time()
            try:
                if fmt == "pdf" and document.paper is not None:
                    stem, paper = document.paper(cycle, **params)
                    job = printer.submit(*pdf_source(paper))
                    pending.append((len(out), stem, time.process_time() - began, job))
                    out.append(None)
                    continue
                stem, content = document.build(cycle, fmt, **params)
            except DocumentUnavailable as error:
                out.append(SetFile(key, fmt, params, None, error.text()))
                continue
            rendered = Rendered(f"{stem}.{fmt}", CONTENT_TYPES[fmt], content)
            out.append(SetFile(key, fmt, params, rendered, cpu_seconds=time.process_time() - began))
    for index, stem, spent, job in pending:
        key, fmt, params = jobs[index]
        content, printed = job.result()
        rendered = Rendered(f"{stem}.{fmt}", CONTENT_TYPES[fmt], content)
        out[index] = SetFile(key, fmt, params, rendered, cpu_seconds=spent + printed)
    return [f for f in out if f is not None]


_PARAM_LABELS = {
    "target": gettext_lazy("考察对象"),
    "round": gettext_lazy("推荐轮次"),
    "version": gettext_lazy("版本"),
    "meeting": gettext_lazy("会议"),
}


def _param_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return str(value)
    return value


def export_document(*, actor: Any, key: str, fmt: str, cycle: Cycle, **params: Any) -> Rendered:
    """``render``, then the audit entry ``selection.document.exported`` (which document,
    format, parameters, size). ``actor`` None is a system action; a user must belong to
    the cycle's school and, for a confidential document, hold a capability of its
    ``audience`` (NotAllowed otherwise) — which role may see which page is the page's
    check."""
    if actor is not None and getattr(actor, "school_id", None) != cycle.school_id:
        raise NotAllowed()
    if actor is not None and not may_read(actor, _document(key)):
        raise NotAllowed()
    rendered = render(key, fmt, cycle, reader=actor, **params)
    with transaction.atomic():
        record(
            actor=actor,
            action="selection.document.exported",
            target=cycle,
            new={
                "document": key,
                "format": fmt,
                "bytes": len(rendered.content),
                **{k: _param_value(v) for k, v in params.items() if k != "contact"},
            },
        )
    return rendered


# --- houbei export pool -------------------------------------------------------------------


def pool_data(cycle: Cycle) -> dict[str, Any]:
    """The reserve pool of a complete cycle as plain data: per list, each reserve cadre
    with the little a district system needs (no ID number, no contact)."""
    found = reserve_lists(cycle)
    cycle = found.cycle

    def person(entry: PoolEntry) -> dict[str, Any]:
        p = entry.person
        profile = found.files.get(p.pk)
        return {
            "name": p.name,
            "staff_number": p.staff_number,
            "gender": p.get_gender_display(),
            "born": p.birth_date.strftime("%Y-%m") if p.birth_date else None,
            "political_status": p.get_political_status_display(),
            "education": p.get_education_display() if p.education else "",
            "posts": profile.current_posts if profile else [],
            "readiness": entry.readiness,
            "readiness_label": entry.get_readiness_display(),
            "decided_on": entry.decided_on.isoformat(),
            "valid_until": entry.valid_until.isoformat(),
        }

    return {
        "format": "houbei-pool/1",
        "school": cycle.school.name,
        "cycle": {
            "title": cycle.title,
            "year": cycle.year,
            "reference_date": cycle.reference_date.isoformat(),
            "recommended_on": found.recommended_on.isoformat(),
            "scope": found.scope,
            "completed_at": cycle.completed_at.isoformat() if cycle.completed_at else None,
        },
        "lists": [
            {
                "level": item.cycle_list.level,
                "name": item.cycle_list.name,
                "quota": item.cycle_list.quota,
                "count": len(item.entries),
                "entries": [person(e) for e in item.entries],
            }
            for item in found.lists
        ],
    }


def _pool_cycle(school: School, wanted: str) -> Cycle:
    if not wanted:
        raise DomainError(_("请指定选拔周期的年度（--cycle 年度）。"), field="cycle")
    if not wanted.isdigit():
        raise DomainError(_("选拔周期的年度应为数字，如2021。"), field="cycle")
    cycles = Cycle.objects.filter(school=school, year=int(wanted))
    found = cycles.filter(stage=Stage.DONE).order_by("-completed_at", "-pk").first()
    if found is not None:
        return found
    if cycles.exists():
        raise DocumentUnavailable(
            _("%(y)s年度的选拔周期尚未完成，后备干部名单尚未产生。") % {"y": wanted}, field="cycle"
        )
    raise DomainError(_("本校没有%(y)s年度的选拔周期。") % {"y": wanted}, field="cycle")


@register("pool", formats=("json", "xlsx"))
def export_pool(school: School, *, actor: Any, filters: Any, fmt: str) -> ExportFile:
    """The reserve pool of ``school``'s cycle of the year ``filters["cycle"]`` (the latest
    complete one of that year): "json" ``pool_data``, "xlsx" the 后备干部名单 workbook.
    ``actor`` None is the command line; a user needs ``Cap.PEOPLE_EXPORT`` in
    ``school``. Audit: ``selection.pool.exported`` with the format and the number of
    entries."""
    if actor is not None and not (
        actor.school_id == school.pk and has_cap(actor, Cap.PEOPLE_EXPORT)
    ):
        raise NotAllowed()
    cycle = _pool_cycle(school, str((filters or {}).get("cycle") or "").strip())
    with translation.override("zh-hans"):
        if fmt == "xlsx":
            content = reserve_xlsx(cycle)
            entries = PoolEntry.objects.filter(cycle=cycle).count()
        else:
            data = pool_data(cycle)
            content = json.dumps(data, ensure_ascii=False, indent=1).encode()
            entries = sum(item["count"] for item in data["lists"])
        name = _stem(cycle, _("后备干部名单"))
    with transaction.atomic():
        record(
            actor=actor,
            action="selection.pool.exported",
            school=school,
            target=cycle,
            new={"format": fmt, "entries": entries},
        )
    return ExportFile(f"{name}.{fmt}", EXPORT_TYPES[fmt], content)
