"""The documents of two-way selection and rotation (SPEC modules 6 and 9): the plan's 附2
双向选择意向表 — one person's filled form, the blank form of a round, and the round's whole
set with its summary — the 轮岗时长表 of a round or a term (the rotations, then the plan's
table 七 of lengths per post), and the assignment notice (轮岗锻炼通知) of one rotation or
of every rotation of a round in one file.

Each document is built as ``selection.documents.Paper``s (a title and blocks) and laid
out from them in Word, PDF and the browser's print view, so the formats never say
different things; a file of several papers (a round's forms, its notices) puts each on a
page of its own. Workbooks are built as tables with the same headings and rows.

``DOCUMENTS`` is the registry the pages use: key → title, formats, what one file is of
(a round, an assignment, or a school with its term), parameters and the builder;
``render(key, fmt, subject, **params)`` returns the file name, content type and bytes
(reading only); ``export_document`` checks who may have it, renders it and records the
export in the audit trail. ``houbei export assignments`` is the ``assignments`` exporter
in ``exports.py``.

Everything is in Chinese whatever the language of the page that asks: these are school
documents."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from houbei.accounts.access import Cap, has_cap
from houbei.audit.services import record
from houbei.core.errors import DomainError, NotAllowed
from houbei.organisation.models import Post, RotationLength, School, Term, TermNumber
from houbei.people.models import Person, PostHistory
from houbei.selection import printing
from houbei.selection.documents import (
    CONTENT_TYPES,
    Block,
    DocumentUnavailable,
    Paper,
    Rendered,
    blocks_html,
    cut_fonts,
    docx_of,
    heading,
    para,
    sign,
    subtitle,
    table,
    title,
)
from houbei.selection.drafting import cn_date

from .common import allowed_lengths
from .models import (
    Assignment,
    AssignmentMentor,
    AssignmentStatus,
    Intention,
    IntentionChoice,
    Round,
    RoundPost,
    RoundStatus,
)

__all__ = [
    "CONTENT_TYPES",
    "DOCUMENTS",
    "Document",
    "DocumentUnavailable",
    "Rendered",
    "export_document",
    "may_have",
    "notice_html",
    "render",
]


# --- layout: several papers in one file --------------------------------------------------


def docx_of_papers(papers: Sequence[Paper]) -> bytes:
    """The papers in one Word file, each from a new page: each is laid out by
    ``selection.documents.docx_of`` and its body appended to the first (they share the
    same styles, so nothing else needs copying)."""
    if len(papers) == 1:
        return docx_of(papers[0])
    from docx import Document as WordDocument
    from docx.text.paragraph import Paragraph

    first = WordDocument(io.BytesIO(docx_of(papers[0])))
    body = first.element.body
    end = body.sectPr  # the section's settings stay last
    for paper in papers[1:]:
        other = WordDocument(io.BytesIO(docx_of(paper)))
        elements = [e for e in other.element.body if e.tag != end.tag]
        Paragraph(elements[0], first._body).paragraph_format.page_break_before = True
        for element in elements:
            end.addprevious(element)
    out = io.BytesIO()
    first.save(out)
    return out.getvalue()


# Column widths (per cent) of the tables whose style names them: without them the PDF's
# automatic layout squeezes a name into a column one character wide.
COLUMN_WIDTHS = {
    "annex2": (14, 24, 24, 18, 20),
    "listing": (6, 10, 11, 13, 32, 15, 13),
}


def styled(block: Block, style: str) -> Block:
    """A table block with ``style``, which Word ignores and the PDF uses for its widths."""
    return dataclasses.replace(block, style=style)


@functools.cache
def _print_css() -> str:
    # The selection documents' sheet, so both kinds of document print alike; each paper
    # after the first starts a new page.
    sheet = Path(__file__).resolve().parent.parent / "static" / "selection" / "print.css"
    # A blank form leaves room to write by hand.
    rules = [".doc + .doc { break-before: page; }", ".doc table.blank td { height: 11mm; }"]
    for style, widths in COLUMN_WIDTHS.items():
        rules.append(f".doc table.{style} {{ table-layout: fixed; }}")
        rules.extend(
            f".doc table.{style} th:nth-child({n}) {{ width: {w}%; }}"
            for n, w in enumerate(widths, start=1)
        )
    return sheet.read_text(encoding="utf-8") + "\n" + "\n".join(rules) + "\n"


def html_of_papers(
    papers: Sequence[Paper], *, inline_css: bool = False, linked: bool = True
) -> str:
    """The papers as one page: the browser's print view links the selection documents'
    sheet; ``inline_css`` puts it in the page with the page breaks and column widths;
    neither, with ``linked`` False (WeasyPrint gets the sheet apart, ``pdf_source``)."""
    return render_to_string(
        "rotations/print/document.html",
        {
            "papers": papers,
            "title": papers[0].title,
            "inline_css": _print_css() if inline_css else "",
            "linked": linked,
        },
    )


def pdf_source(papers: Sequence[Paper]) -> tuple[str, tuple[str, ...], str]:
    """What WeasyPrint prints, as for the selection documents (``printing``): the page,
    the cut fonts' files it may load, and its stylesheet (their ``@font-face`` rules, then
    the sheet with the page breaks and column widths), the same for every file, so a
    printing process parses it once. A file of many papers (a round's forms, its notices)
    is one document, so its pages are numbered through."""
    fonts = cut_fonts()
    css = printing.font_faces(fonts) + _print_css()
    allowed = tuple(path.as_uri() for path in fonts.values())
    return html_of_papers(papers, linked=False), allowed, css


def pdf_of_papers(papers: Sequence[Paper]) -> bytes:
    """The papers in one PDF, printed in this process with its kept font configuration,
    fetcher and parsed stylesheet (``printing.pdf``)."""
    return printing.pdf(*pdf_source(papers))


def _papers_file(papers: Sequence[Paper], fmt: str) -> bytes:
    if fmt == "docx":
        return docx_of_papers(papers)
    if fmt == "pdf":
        return pdf_of_papers(papers)
    return html_of_papers(papers).encode()


def _workbook() -> Any:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    book.remove(sheet)
    return book


def _book_bytes(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet_table(
    sheet: Any,
    heading_lines: Sequence[str],
    heads: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[int],
    *,
    notes: Sequence[str] = (),
    merge_first: Sequence[tuple[int, int]] = (),
) -> None:
    """A sheet laid out like a paper table: the title (bold, merged over the table), the
    lines under it, the ruled table with bold headings, then the notes. ``merge_first``
    lists (first, last) data rows whose first column is one post (merged)."""
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    ruled = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center", horizontal="center")
    last = get_column_letter(len(heads))
    for number, line in enumerate(heading_lines, start=1):
        sheet.append([line])
        sheet.merge_cells(f"A{number}:{last}{number}")
        sheet.cell(number, 1).alignment = Alignment(horizontal="center")
    sheet.cell(1, 1).font = Font(bold=True, size=14)
    top = len(heading_lines) + 1
    sheet.append(list(heads))
    for row in rows:
        sheet.append(list(row))
    for r in range(top, top + len(rows) + 1):
        for c in range(1, len(heads) + 1):
            cell = sheet.cell(r, c)
            cell.border, cell.alignment = ruled, wrap
            if r == top:
                cell.font = Font(bold=True)
    for first, final in merge_first:
        if final > first:
            sheet.merge_cells(f"A{top + first}:A{top + final}")
    for note in notes:
        sheet.append([note])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


# --- what several documents read ----------------------------------------------------------


def _safe(name: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "", name) or "-"


def file_stem(*parts: str) -> str:
    return "-".join(_safe(p) for p in parts if p)


def _short(school: School) -> str:
    return school.short_name or school.name


def _local_day(moment: dt.datetime | None) -> dt.date:
    return timezone.localtime(moment).date() if moment is not None else timezone.localdate()


_NUMERALS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 23 → 二十三 (志愿 are rarely more; beyond 99, digits)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    text = ("" if tens == 1 else _NUMERALS[tens]) + "十" if tens else ""
    return text + (_NUMERALS[ones] if ones else "")


def choice_label(rank: int) -> str:
    return _("第%(n)s志愿") % {"n": cn_number(rank)}


def length_label(length: str) -> str:
    return str(RotationLength(length).label) if length in RotationLength.values else length


def lengths_text(post: Post) -> str:
    """The plan's 七: "一学期或一学年" (the lengths the post allows)."""
    return _("或").join(length_label(x) for x in allowed_lengths(post))


def _round(round_: Round) -> Round:
    return Round.objects.select_related("school", "start_term__school_year").get(pk=round_.pk)


def _offers(round_: Round) -> list[RoundPost]:
    return list(
        RoundPost.objects.filter(round=round_)
        .select_related("post")
        .prefetch_related(Prefetch("mentors", queryset=Person.objects.order_by("staff_number")))
    )


def _intentions(round_: Round, *, person: Person | None = None) -> QuerySet[Intention]:
    rows = Intention.objects.filter(round=round_).select_related("person")
    if person is not None:
        rows = rows.filter(person=person)
    return rows.prefetch_related(
        Prefetch(
            "choices",
            queryset=IntentionChoice.objects.select_related("round_post__post", "mentor").order_by(
                "rank", "round_post__post__sort_order", "pk"
            ),
        )
    ).order_by("person__staff_number")


def _current_posts(people: Iterable[Person], day: dt.date) -> dict[int, str]:
    """Person id → the posts they hold on ``day`` ("年级组长、教研组长"; 无 when none)."""
    ids = [p.pk for p in people]
    held: dict[int, list[str]] = {pk: [] for pk in ids}
    for person_id, name in (
        PostHistory.objects.filter(person_id__in=ids)
        .current(day)
        .order_by("post__sort_order", "start")
        .values_list("person_id", "post__name")
    ):
        if name not in held[person_id]:
            held[person_id].append(name)
    return {pk: "、".join(names) or _("无") for pk, names in held.items()}


def _person_of(round_: Round, value: Any) -> Person:
    if isinstance(value, Person):
        person = value
    else:
        text = str(value).strip()
        found = Person.objects.filter(pk=int(text)).first() if text.isdigit() else None
        if found is None:
            raise DomainError(_("没有这位教职工。"), field="person")
        person = found
    if person.school_id != round_.school_id:
        raise DomainError(_("%(who)s不是本校教职工。") % {"who": person.name}, field="person")
    return person


# --- 附2 双向选择意向表 --------------------------------------------------------------------

# The plan's 附2, column by column.
ANNEX2_HEADS = (
    gettext_lazy("岗位"),
    gettext_lazy("带教人员"),
    gettext_lazy("轮岗人"),
    gettext_lazy("希望时长\n（一学期或一学年）"),
    gettext_lazy("备注"),
)


def annex2_title(school: School) -> str:
    """E.g. "市八初中后备管理干部选拔轮岗锻炼双向选择意向表", as the plan's 附2 heads it."""
    return _("%(school)s后备管理干部选拔轮岗锻炼双向选择意向表") % {"school": _short(school)}


def _heads(heads: Iterable[Any]) -> list[str]:
    return [str(h) for h in heads]


def _mentor_names(offer: RoundPost) -> str:
    return "、".join(m.name for m in offer.mentors.all())


def _mentor_cell(offer: RoundPost, choice: IntentionChoice | None) -> str:
    """The post's mentors, and the one the person hopes for if they named one."""
    names = _mentor_names(offer)
    if choice is None or choice.mentor is None:
        return names
    wish = _("希望：%(name)s") % {"name": choice.mentor.name}
    return f"{names}（{wish}）" if names else wish


def form_rows(offers: Sequence[RoundPost], intention: Intention | None) -> list[tuple[str, ...]]:
    """The 附2 table of one person: a row per post the round offers, in the plan's order;
    where they listed the post, their name with the 志愿, the wanted length and the row's
    remark. Without ``intention``, the blank form (posts and mentors only)."""
    chosen = {c.round_post_id: c for c in intention.choices.all()} if intention else {}
    rows: list[tuple[str, ...]] = []
    for offer in offers:
        choice = chosen.get(offer.pk)
        remark = choice.remarks if choice is not None else ""
        if not remark and offer.capacity == 0:
            remark = _("本轮不设名额")
        if choice is None or intention is None:
            rows.append((offer.post.name, _mentor_cell(offer, None), "", "", remark))
            continue
        rows.append(
            (
                offer.post.name,
                _mentor_cell(offer, choice),
                f"{intention.person.name}（{choice_label(choice.rank)}）",
                length_label(choice.length),
                remark,
            )
        )
    return rows


@dataclass(frozen=True)
class Form:
    """One person's 意向表 as printed (or the round's blank form when ``intention`` is
    None)."""

    round: Round
    offers: tuple[RoundPost, ...]
    intention: Intention | None
    current_posts: str = ""

    @property
    def rows(self) -> list[tuple[str, ...]]:
        return form_rows(self.offers, self.intention)

    @property
    def lines(self) -> list[str]:
        """What is said above the table."""
        round_ = self.round
        lines = [_("开始学期：%(term)s") % {"term": round_.start_term}]
        if self.intention is not None:
            person = self.intention.person
            lines.insert(
                0,
                _("轮岗人：%(name)s（工号%(number)s）；现任岗位：%(posts)s")
                % {"name": person.name, "number": person.staff_number, "posts": self.current_posts},
            )
        if round_.intentions_due is not None:
            lines.append(_("填报截止日期：%(d)s") % {"d": cn_date(round_.intentions_due)})
        return lines

    @property
    def notes(self) -> list[str]:
        """What is said under the table."""
        if self.intention is None:
            return [
                _(
                    "填表说明：在希望轮岗的岗位行的“轮岗人”栏填写本人姓名并注明第几志愿，"
                    "在“希望时长”栏填写一学期或一学年；希望由某位带教人员带教的，"
                    "在“带教人员”栏注明；其他要求写在“备注”栏。"
                )
            ]
        notes = []
        if self.intention.remarks:
            notes.append(_("本人备注：%(text)s") % {"text": self.intention.remarks})
        return notes

    @property
    def signature(self) -> tuple[str, str]:
        if self.intention is None:
            return _("填表人：＿＿＿＿＿＿"), _("填表日期：　　年　　月　　日")
        return (
            _("填表人：%(name)s") % {"name": self.intention.person.name},
            _("填表日期：%(d)s") % {"d": cn_date(_local_day(self.intention.submitted_at))},
        )


def _form_of(round_: Round, person: Any) -> Form:
    round_ = _round(round_)
    offers = tuple(_offers(round_))
    if person in (None, ""):
        return Form(round_, offers, None)
    who = _person_of(round_, person)
    intention = _intentions(round_, person=who).first()
    if intention is None:
        raise DocumentUnavailable(
            _("%(who)s没有填报本轮意向表。") % {"who": who.name}, field="person"
        )
    if intention.withdrawn_at is not None:
        raise DocumentUnavailable(
            _("%(who)s已撤回本轮意向表（%(d)s）。")
            % {"who": who.name, "d": cn_date(_local_day(intention.withdrawn_at))},
            field="person",
        )
    posts = _current_posts([who], round_.start_date)[who.pk]
    return Form(round_, offers, intention, posts)


def form_paper(form: Form) -> Paper:
    """The 附2 of one person (or the blank form), under the plan's title."""
    blocks = [
        title(annex2_title(form.round.school)),
        subtitle(form.round.title),
        *(para(line, "flush") for line in form.lines),
        styled(
            table(_heads(ANNEX2_HEADS), form.rows, left=(4,)),
            "annex2" if form.intention is not None else "annex2 blank",
        ),
        *(para(note, "flush") for note in form.notes),
        sign(*form.signature),
    ]
    return Paper(_("双向选择意向表"), tuple(blocks))


def _form_sheet(book: Any, name: str, form: Form) -> None:
    sheet = book.create_sheet(name)
    _sheet_table(
        sheet,
        [annex2_title(form.round.school), form.round.title, *form.lines],
        _heads(ANNEX2_HEADS),
        form.rows,
        (14, 26, 22, 18, 28),
        notes=[*form.notes, *form.signature],
    )


def _intention_form(round_: Round, fmt: str, *, person: Any = None) -> tuple[str, bytes]:
    form = _form_of(round_, person)
    who = form.intention.person.name if form.intention else _("空白")
    stem = file_stem(form.round.title, _("双向选择意向表"), who)
    if fmt == "xlsx":
        book = _workbook()
        _form_sheet(book, _("意向表"), form)
        return stem, _book_bytes(book)
    return stem, _papers_file([form_paper(form)], fmt)


# --- the round's whole set ------------------------------------------------------------------


@dataclass(frozen=True)
class IntentionSet:
    """Every live 意向表 of a round, with the posts it offers."""

    round: Round
    offers: tuple[RoundPost, ...]
    intentions: tuple[Intention, ...]
    withdrawn: int
    current_posts: dict[int, str]

    def forms(self) -> list[Form]:
        return [
            Form(self.round, self.offers, i, self.current_posts[i.person_id])
            for i in self.intentions
        ]

    def by_post(self) -> tuple[list[tuple[str, ...]], list[tuple[int, int]]]:
        """The summary laid out as 附2: per post one line per person who listed it (best
        志愿 first) with the wanted length and remark, the post and its mentors on the
        first line and the mentor each later one hopes for; a post nobody listed keeps its
        empty line. Returns the rows and the (first, last) row of each
        post that has more than one."""
        listing: dict[int, list[tuple[Intention, IntentionChoice]]] = {
            o.pk: [] for o in self.offers
        }
        for intention in self.intentions:
            for choice in intention.choices.all():
                listing[choice.round_post_id].append((intention, choice))
        rows: list[tuple[str, ...]] = []
        spans: list[tuple[int, int]] = []
        for offer in self.offers:
            people = sorted(
                listing[offer.pk], key=lambda ic: (ic[1].rank, ic[0].person.staff_number)
            )
            first = len(rows) + 1
            if not people:
                remark = _("本轮不设名额") if offer.capacity == 0 else ""
                rows.append((offer.post.name, _mentor_names(offer), "", "", remark))
            for number, (intention, choice) in enumerate(people):
                if number == 0:
                    mentors = _mentor_cell(offer, choice)
                elif choice.mentor is not None:
                    mentors = _("希望：%(name)s") % {"name": choice.mentor.name}
                else:
                    mentors = ""
                rows.append(
                    (
                        offer.post.name if number == 0 else "",
                        mentors,
                        f"{intention.person.name}（{choice_label(choice.rank)}）",
                        length_label(choice.length),
                        choice.remarks,
                    )
                )
            spans.append((first, len(rows)))
        return rows, spans

    def listing_rows(self) -> list[tuple[str, ...]]:
        """One line per person: their 志愿 in order, their remark and when they filled it."""
        rows: list[tuple[str, ...]] = []
        for number, intention in enumerate(self.intentions, start=1):
            wishes = []
            for choice in intention.choices.all():
                extra = [length_label(choice.length)]
                if choice.mentor is not None:
                    extra.append(_("希望带教：%(name)s") % {"name": choice.mentor.name})
                wishes.append(
                    _("%(choice)s：%(post)s（%(extra)s）")
                    % {
                        "choice": choice_label(choice.rank),
                        "post": choice.round_post.post.name,
                        "extra": "，".join(extra),
                    }
                )
            rows.append(
                (
                    str(number),
                    intention.person.name,
                    intention.person.staff_number,
                    self.current_posts[intention.person_id],
                    "；".join(wishes),
                    intention.remarks,
                    cn_date(_local_day(intention.submitted_at)),
                )
            )
        return rows

    def detail_rows(self) -> list[tuple[str, ...]]:
        """One line per row of every form."""
        rows: list[tuple[str, ...]] = []
        for intention in self.intentions:
            for choice in intention.choices.all():
                rows.append(
                    (
                        intention.person.name,
                        intention.person.staff_number,
                        str(choice.rank),
                        choice.round_post.post.name,
                        choice.mentor.name if choice.mentor else "",
                        length_label(choice.length),
                        choice.remarks,
                        cn_date(_local_day(intention.submitted_at)),
                    )
                )
        return rows

    @property
    def figures(self) -> str:
        seats = sum(o.capacity for o in self.offers)
        text = _("本轮开放岗位%(posts)d个，共%(seats)d个名额；已填报意向表%(n)d人") % {
            "posts": len(self.offers),
            "seats": seats,
            "n": len(self.intentions),
        }
        if self.withdrawn:
            text += _("（另有%(n)d人撤回）") % {"n": self.withdrawn}
        return text + "。"


LISTING_HEADS = (
    gettext_lazy("序号"),
    gettext_lazy("轮岗人"),
    gettext_lazy("工号"),
    gettext_lazy("现任岗位"),
    gettext_lazy("意向岗位（按志愿顺序）"),
    gettext_lazy("备注"),
    gettext_lazy("填报日期"),
)
DETAIL_HEADS = (
    gettext_lazy("轮岗人"),
    gettext_lazy("工号"),
    gettext_lazy("志愿顺序"),
    gettext_lazy("岗位"),
    gettext_lazy("希望的带教人员"),
    gettext_lazy("希望时长"),
    gettext_lazy("备注"),
    gettext_lazy("填报日期"),
)


def intention_set(round_: Round) -> IntentionSet:
    """The round's live forms, people by staff number. DocumentUnavailable when nobody
    has filled one."""
    round_ = _round(round_)
    everyone = list(_intentions(round_))
    live = tuple(i for i in everyone if i.withdrawn_at is None)
    if not live:
        raise DocumentUnavailable(_("本轮还没有人填报意向表。"))
    return IntentionSet(
        round_,
        tuple(_offers(round_)),
        live,
        len(everyone) - len(live),
        _current_posts([i.person for i in live], round_.start_date),
    )


def intention_set_papers(found: IntentionSet) -> list[Paper]:
    """The summary (附2 with everyone, then one line per person), then each person's
    form on a page of its own."""
    rows, _spans = found.by_post()
    summary = Paper(
        _("双向选择意向汇总表"),
        (
            title(annex2_title(found.round.school)),
            subtitle(_("%(round)s（汇总）") % {"round": found.round.title}),
            para(_("开始学期：%(term)s") % {"term": found.round.start_term}, "flush"),
            para(found.figures, "flush"),
            styled(table(_heads(ANNEX2_HEADS), rows, left=(4,)), "annex2"),
            heading(_("填报情况")),
            styled(table(_heads(LISTING_HEADS), found.listing_rows(), left=(4, 5)), "listing"),
            sign(
                found.round.school.name,
                _("汇总日期：%(d)s") % {"d": cn_date(_local_day(found.round.closed_at))},
            ),
        ),
    )
    return [summary, *(form_paper(f) for f in found.forms())]


def _sheet_names(people: Sequence[Person]) -> list[str]:
    """A sheet per person: the name, with the staff number when two share it (Excel
    allows 31 characters and none of []:*?/\\)."""
    counts: dict[str, int] = {}
    for p in people:
        counts[p.name] = counts.get(p.name, 0) + 1
    names = []
    for p in people:
        name = p.name if counts[p.name] == 1 else f"{p.name}（{p.staff_number}）"
        names.append(re.sub(r"[\[\]:*?/\\]", "", name)[:31])
    return names


def intention_set_xlsx(found: IntentionSet) -> bytes:
    """The sheet 汇总 laid out as 附2 (posts merged over their lines), 填报情况 one line
    per person, 明细 one line per form row, then a sheet per person with their form."""
    book = _workbook()
    rows, spans = found.by_post()
    heading_lines = [
        annex2_title(found.round.school),
        _("%(round)s（汇总）") % {"round": found.round.title},
        found.figures,
    ]
    _sheet_table(
        book.create_sheet(_("汇总")),
        heading_lines,
        _heads(ANNEX2_HEADS),
        rows,
        (14, 26, 22, 18, 28),
        merge_first=spans,
    )
    _sheet_table(
        book.create_sheet(_("填报情况")),
        [_("填报情况"), found.round.title],
        _heads(LISTING_HEADS),
        found.listing_rows(),
        (6, 10, 10, 16, 60, 24, 16),
    )
    _sheet_table(
        book.create_sheet(_("明细")),
        [_("意向明细"), found.round.title],
        _heads(DETAIL_HEADS),
        found.detail_rows(),
        (10, 10, 10, 14, 14, 10, 24, 16),
    )
    forms = found.forms()
    for name, form in zip(_sheet_names([i.person for i in found.intentions]), forms, strict=True):
        _form_sheet(book, name, form)
    return _book_bytes(book)


def _intention_set(round_: Round, fmt: str) -> tuple[str, bytes]:
    found = intention_set(round_)
    stem = file_stem(found.round.title, _("双向选择意向汇总表"))
    if fmt == "xlsx":
        return stem, intention_set_xlsx(found)
    return stem, _papers_file(intention_set_papers(found), fmt)


# --- 轮岗时长表 ----------------------------------------------------------------------------


def with_mentors(rows: QuerySet[Assignment]) -> QuerySet[Assignment]:
    """The assignments with what their documents print: person, post, round, both terms
    and the current mentors (``current_mentors``) — two queries however many there are."""
    return rows.select_related(
        "school", "person", "post", "round", "start_term__school_year", "end_term__school_year"
    ).prefetch_related(
        Prefetch(
            "mentor_links",
            queryset=AssignmentMentor.objects.active()
            .select_related("person")
            .order_by("added_at", "pk"),
        )
    )


def current_mentors(assignment: Assignment) -> list[AssignmentMentor]:
    """The mentors of an assignment read through ``with_mentors`` (the prefetch holds only
    those not taken off)."""
    return list(assignment.mentor_links.all())


def _assignments(rows: QuerySet[Assignment]) -> list[Assignment]:
    return list(
        with_mentors(rows).order_by(
            "post__sort_order", "post__name", "start_date", "person__staff_number", "pk"
        )
    )


def mentors_text(assignment: Assignment) -> str:
    """ "德育主任（带教领导）、资深班主任（师傅）"."""
    return "、".join(
        f"{link.person.name}（{link.get_role_display()}）" for link in current_mentors(assignment)
    )


def _remark(assignment: Assignment) -> str:
    if assignment.status == AssignmentStatus.ENDED and assignment.ended_on is not None:
        return _("提前终止（%(d)s）") % {"d": cn_date(assignment.ended_on)}
    return assignment.get_status_display()


LENGTH_TABLE_HEADS = (
    gettext_lazy("序号"),
    gettext_lazy("岗位"),
    gettext_lazy("轮岗人"),
    gettext_lazy("带教人员"),
    gettext_lazy("开始学期"),
    gettext_lazy("时长"),
    gettext_lazy("开始日期"),
    gettext_lazy("结束日期"),
    gettext_lazy("备注"),
)
# The plan's table 七.
PLAN_LENGTH_HEADS = (gettext_lazy("岗位"), gettext_lazy("时长"), gettext_lazy("备注"))


@dataclass(frozen=True)
class LengthTable:
    """The rotations of a round or a term, and the posts the plan's 七 lists for it."""

    school: School
    subtitle: str
    assignments: tuple[Assignment, ...]
    posts: tuple[Post, ...]
    counted: str  # "本轮安排" or "本学期轮岗"
    made_on: dt.date

    def rows(self) -> list[tuple[str, ...]]:
        return [
            (
                str(number),
                a.post.name,
                a.person.name,
                mentors_text(a),
                str(a.start_term),
                a.get_length_display(),
                cn_date(a.start_date),
                cn_date(a.end_date),
                _remark(a),
            )
            for number, a in enumerate(self.assignments, start=1)
        ]

    def plan_rows(self) -> list[tuple[str, ...]]:
        counts: dict[int, int] = {}
        for a in self.assignments:
            counts[a.post_id] = counts.get(a.post_id, 0) + 1
        return [
            (
                post.name,
                lengths_text(post),
                _("%(what)s%(n)d人") % {"what": self.counted, "n": counts[post.pk]}
                if counts.get(post.pk)
                else "",
            )
            for post in self.posts
        ]

    @property
    def title(self) -> str:
        return _("%(school)s后备干部轮岗时长表") % {"school": _short(self.school)}


def term_of(school: School, value: Any) -> Term:
    """A term of the school from a Term, its id, or "2026-1" (the 2026 school year's
    第一学期)."""
    terms = Term.objects.for_school(school).select_related("school_year")
    if isinstance(value, Term):
        found = terms.filter(pk=value.pk).first()
    else:
        text = str(value or "").strip()
        spelled = re.fullmatch(r"(\d{4})-([12])", text)
        if spelled:
            found = terms.filter(
                school_year__start_year=int(spelled[1]), number=int(spelled[2])
            ).first()
        elif text.isdigit():
            found = terms.filter(pk=int(text)).first()
        else:
            raise DomainError(
                _("学期应写作“起始年份-学期”，如2026-1（2026学年第一学期）。"), field="term"
            )
    if found is None:
        raise DomainError(_("本校校历中没有这个学期。"), field="term")
    return found


def length_table(subject: Round | School, *, term: Any = None) -> LengthTable:
    """The 轮岗时长表 of a confirmed round (its assignments, the posts it offered) or of a
    school's term (every rotation with a day in that term, begun or planned; the school's
    rotation posts). DocumentUnavailable before the round is confirmed or when the term has
    no rotation."""
    if isinstance(subject, Round):
        round_ = _round(subject)
        if round_.status != RoundStatus.CONFIRMED:
            raise DocumentUnavailable(
                _("本轮尚未确认匹配方案，还没有轮岗安排（当前状态：%(s)s）。")
                % {"s": round_.get_status_display()}
            )
        assignments = _assignments(Assignment.objects.filter(round=round_))
        posts = [o.post for o in RoundPost.objects.filter(round=round_).select_related("post")]
        return LengthTable(
            round_.school,
            round_.title,
            tuple(assignments),
            tuple(posts),
            _("本轮安排"),
            _local_day(round_.confirmed_at),
        )
    found = term_of(subject, term)
    assignments = _assignments(
        Assignment.objects.for_school(subject)
        .with_days()
        .filter(start_date__lte=found.end, end_date__gte=found.start)
    )
    if not assignments:
        raise DocumentUnavailable(_("%(term)s没有轮岗安排。") % {"term": found}, field="term")
    used = {a.post_id for a in assignments}
    rotation_posts = Post.objects.for_school(subject).filter(
        Q(archived_at__isnull=True, is_rotation_post=True) | Q(pk__in=used)
    )
    return LengthTable(
        subject,
        str(found),
        tuple(assignments),
        tuple(rotation_posts),
        _("本学期轮岗"),
        timezone.localdate(),
    )


def length_paper(found: LengthTable) -> Paper:
    return Paper(
        _("轮岗时长表"),
        (
            title(found.title),
            subtitle(found.subtitle),
            table(_heads(LENGTH_TABLE_HEADS), found.rows(), left=(3,)),
            heading(_("各岗位轮岗时长")),
            table(_heads(PLAN_LENGTH_HEADS), found.plan_rows()),
            para(
                _("注：轮岗时长为一学期或一学年；结束日期按校历中该学期（学年）的最后一天计算。"),
                "small",
            ),
            sign(found.school.name, _("制表日期：%(d)s") % {"d": cn_date(found.made_on)}),
        ),
    )


def length_xlsx(found: LengthTable) -> bytes:
    book = _workbook()
    _sheet_table(
        book.create_sheet(_("轮岗时长表")),
        [found.title, found.subtitle],
        _heads(LENGTH_TABLE_HEADS),
        found.rows(),
        (6, 12, 10, 30, 24, 8, 16, 16, 18),
        notes=[found.school.name, _("制表日期：%(d)s") % {"d": cn_date(found.made_on)}],
    )
    _sheet_table(
        book.create_sheet(_("各岗位轮岗时长")),
        [_("各岗位轮岗时长"), found.subtitle],
        _heads(PLAN_LENGTH_HEADS),
        found.plan_rows(),
        (14, 18, 18),
    )
    return _book_bytes(book)


def _length_table(subject: Round | School, fmt: str, *, term: Any = None) -> tuple[str, bytes]:
    found = length_table(subject, term=term)
    stem = file_stem(_short(found.school), found.subtitle, _("轮岗时长表"))
    if fmt == "xlsx":
        return stem, length_xlsx(found)
    return stem, _papers_file([length_paper(found)], fmt)


# --- 轮岗锻炼通知 ---------------------------------------------------------------------------


def _mentor_sentence(assignment: Assignment) -> str:
    links = current_mentors(assignment)
    if not links:
        return _("带教人员由学校另行安排。")
    parts = [
        _("%(name)s同志担任%(role)s") % {"name": link.person.name, "role": link.get_role_display()}
        for link in links
    ]
    return _("轮岗期间，由%(parts)s，负责对你的指导、培养和考察。") % {"parts": "，".join(parts)}


def _issued_on(assignment: Assignment) -> dt.date:
    round_ = assignment.round
    if round_ is not None and round_.confirmed_at is not None:
        return _local_day(round_.confirmed_at)
    return _local_day(assignment.created_at)


def notice_paper(assignment: Assignment) -> Paper:
    """The notice to the cadre, in a school's wording: the post, the period from the
    calendar, the mentors, the goals (缺什么补什么) and what the plan asks of a rotation
    (六.2: 急、难、险、重 work, the learning activities, the half-term reviews)."""
    school = assignment.school
    who = assignment.person.name
    basis = _("根据《%(school)s后备管理干部选拔轮岗锻炼使用方案》，本着“双向选择”的原则，") % {
        "school": _short(school)
    }
    if assignment.round is not None:
        basis += _("结合你在“%(round)s”中填报的意向，") % {"round": assignment.round.title}
    body = basis + _(
        "经学校研究决定，安排你自%(term)s起到%(post)s轮岗锻炼，时长%(length)s，"
        "自%(start)s至%(end)s。"
    ) % {
        "term": assignment.start_term,
        "post": assignment.post.name,
        "length": assignment.get_length_display(),
        "start": cn_date(assignment.start_date),
        "end": cn_date(assignment.end_date),
    }
    if assignment.goals.strip():
        goals = _("按照“缺什么补什么”的原则，本次轮岗锻炼的目标是：%(goals)s") % {
            "goals": assignment.goals.strip().rstrip("。")
        }
        goals += "。"
    else:
        goals = _("按照“缺什么补什么”的原则，锻炼目标由带教人员与你商定后报人事室备案。")
    duties = _(
        "轮岗期间，请在带教人员的指导下履行岗位职责，主动承担“急、难、险、重”工作，"
        "参加校内的各类学习、研究、交流活动。学校每半学期对你的轮岗锻炼情况进行一次考察，"
        "考察情况作为后一阶段继续培养、锻炼、调整的重要依据。"
    )
    report = _("请于%(start)s到%(post)s报到。") % {
        "start": cn_date(assignment.start_date),
        "post": assignment.post.name,
    }
    copies = [assignment.post.name, *(link.person.name for link in current_mentors(assignment))]
    blocks = [
        title(_("关于安排%(who)s同志轮岗锻炼的通知") % {"who": who}),
        para(_("%(who)s同志：") % {"who": who}, "flush"),
        para(body),
        para(_mentor_sentence(assignment)),
        para(goals),
        para(duties),
        para(report),
        para(_("特此通知。")),
        sign(school.name, cn_date(_issued_on(assignment))),
        para(_("抄送：%(to)s、人事室。") % {"to": "、".join(copies)}, "small"),
    ]
    return Paper(_("轮岗锻炼通知"), tuple(blocks))


def _one_assignment(assignment: Assignment) -> Assignment:
    found = _assignments(Assignment.objects.filter(pk=assignment.pk))
    return found[0]


def notice_html(assignment: Assignment) -> str:
    """The notice's blocks as an HTML fragment, for the assignment's page to show."""
    with translation.override("zh-hans"):
        return blocks_html(notice_paper(_one_assignment(assignment)))


def _assignment_notice(assignment: Assignment, fmt: str) -> tuple[str, bytes]:
    found = _one_assignment(assignment)
    stem = file_stem(_("轮岗锻炼通知"), found.person.name, found.post.name)
    return stem, _papers_file([notice_paper(found)], fmt)


def _round_notices(round_: Round, fmt: str) -> tuple[str, bytes]:
    round_ = _round(round_)
    assignments = _assignments(Assignment.objects.filter(round=round_))
    if round_.status != RoundStatus.CONFIRMED or not assignments:
        raise DocumentUnavailable(_("本轮尚未确认匹配方案，还没有轮岗安排。"))
    people = sorted(assignments, key=lambda a: (a.person.staff_number, a.start_date))
    stem = file_stem(round_.title, _("轮岗锻炼通知"))
    return stem, _papers_file([notice_paper(a) for a in people], fmt)


# --- the registry -------------------------------------------------------------------------

Builder = Callable[..., tuple[str, bytes]]
Subject = Round | Assignment | School


@dataclass(frozen=True)
class Document:
    """One rotation document, as the pages list it. ``of`` says what one file is of:
    "round", "assignment" or "school" (a school's term, given as ``term``)."""

    key: str
    title: Any  # lazy: the page's language for the link; the file is Chinese
    formats: tuple[str, ...]
    build: Builder  # (subject, fmt, **params) -> (file name without extension, bytes)
    of: tuple[str, ...]
    params: tuple[str, ...] = ()
    required: dict[str, tuple[str, ...]] | None = None  # per kind of subject
    office: bool = True  # only for those who run or watch the rounds (ROTATION_VIEW)

    @property
    def label(self) -> str:
        return str(self.title)

    def needs(self, kind: str) -> tuple[str, ...]:
        return (self.required or {}).get(kind, ())


DOCUMENTS: dict[str, Document] = {
    d.key: d
    for d in (
        Document(
            "intention-form",
            gettext_lazy("双向选择意向表"),
            ("docx", "xlsx", "pdf"),
            _intention_form,
            of=("round",),
            params=("person",),
            office=False,
        ),
        Document(
            "intention-set",
            gettext_lazy("双向选择意向汇总表"),
            ("docx", "xlsx", "pdf"),
            _intention_set,
            of=("round",),
        ),
        Document(
            "rotation-lengths",
            gettext_lazy("轮岗时长表"),
            ("docx", "xlsx"),
            _length_table,
            of=("round", "school"),
            params=("term",),
            required={"school": ("term",)},
        ),
        Document(
            "assignment-notice",
            gettext_lazy("轮岗锻炼通知"),
            ("docx", "pdf", "html"),
            _assignment_notice,
            of=("assignment",),
            office=False,
        ),
        Document(
            "round-notices",
            gettext_lazy("本轮全部轮岗锻炼通知"),
            ("docx", "pdf"),
            _round_notices,
            of=("round",),
        ),
    )
}

_KIND_LABELS = {
    "round": gettext_lazy("双向选择轮次"),
    "assignment": gettext_lazy("轮岗安排"),
    "school": gettext_lazy("学校"),
}
_PARAM_LABELS = {"person": gettext_lazy("轮岗人"), "term": gettext_lazy("学期")}


def kind_of(subject: Any) -> str:
    if isinstance(subject, Round):
        return "round"
    if isinstance(subject, Assignment):
        return "assignment"
    if isinstance(subject, School):
        return "school"
    raise TypeError(f"not a rotation document's subject: {subject!r}")


def school_id_of(subject: Subject) -> int:
    return subject.pk if isinstance(subject, School) else subject.school_id


def documents_for(kind: str) -> list[Document]:
    """The documents one file of which is of ``kind`` ("round", "assignment", "school"),
    in the registry's order."""
    return [d for d in DOCUMENTS.values() if kind in d.of]


def _document(key: str) -> Document:
    found = DOCUMENTS.get(key)
    if found is None:
        raise DomainError(_("没有名为“%(key)s”的文书。") % {"key": key}, field="document")
    return found


def render(key: str, fmt: str, subject: Subject, **params: Any) -> Rendered:
    """The document ``key`` of ``subject`` (a Round, an Assignment, or a School with its
    ``term``) as ``fmt``: file name, content type and bytes. Reads only. Raises
    DomainError for an unknown document, a format it does not offer, a subject it is not
    of, a parameter it does not take or a required one missing, a person or term not of
    the school; DocumentUnavailable when the round has not got that far."""
    document = _document(key)
    kind = kind_of(subject)
    if kind not in document.of:
        raise DomainError(
            _("“%(doc)s”不是按%(kind)s生成的文书。")
            % {"doc": document.label, "kind": _KIND_LABELS[kind]},
            field="document",
        )
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
    for name in document.needs(kind):
        if params.get(name) in (None, ""):
            raise DomainError(_("请指定%(p)s。") % {"p": _PARAM_LABELS.get(name, name)}, field=name)
    with translation.override("zh-hans"):
        stem, content = document.build(subject, fmt, **params)
    return Rendered(f"{stem}.{fmt}", CONTENT_TYPES[fmt], content)


def _own_person(user: Any) -> Person | None:
    try:
        return user.person  # type: ignore[no-any-return]
    except Person.DoesNotExist:
        return None


def may_have(user: Any, key: str, subject: Subject, **params: Any) -> bool:
    """Whether ``user`` may have the document: those who watch the rounds
    (``ROTATION_VIEW``: the personnel office and the decision body) every document of
    their school; everyone else taking part (``ROTATION_TAKE_PART``) only their own 意向表
    (and the round's blank form) and the notice of their own rotation or of one they
    mentor."""
    if getattr(user, "school_id", None) != school_id_of(subject):
        return False
    if has_cap(user, Cap.ROTATION_VIEW):
        return True
    document = DOCUMENTS.get(key)
    if document is None or document.office or not has_cap(user, Cap.ROTATION_TAKE_PART):
        return False
    me = _own_person(user)
    if key == "intention-form":
        wanted = params.get("person")
        if wanted in (None, ""):
            return True
        return me is not None and str(getattr(wanted, "pk", wanted)).strip() == str(me.pk)
    if key == "assignment-notice" and me is not None and isinstance(subject, Assignment):
        return (
            subject.person_id == me.pk
            or AssignmentMentor.objects.active().filter(assignment=subject, person=me).exists()
        )
    return False


def _param_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Person):
        return f"{value.name}（{value.staff_number}）"
    if hasattr(value, "pk"):
        return str(value)
    return value


def export_document(*, actor: Any, key: str, fmt: str, subject: Subject, **params: Any) -> Rendered:
    """``render``, then the audit entry ``rotations.document.exported`` (which document,
    format, parameters, size). ``actor`` None is a system action; a user who may not have
    the document (``may_have``: another school, or someone else's form or notice) is
    refused with NotAllowed before anything is read."""
    if actor is not None and not may_have(actor, key, subject, **params):
        raise NotAllowed()
    rendered = render(key, fmt, subject, **params)
    with transaction.atomic():
        record(
            actor=actor,
            action="rotations.document.exported",
            target=subject,
            new={
                "document": key,
                "format": fmt,
                "bytes": len(rendered.content),
                **{k: _param_value(v) for k, v in params.items()},
            },
        )
    return rendered


def term_code(term: Term) -> str:
    """ "2026-1" for a term: how the command line and the API name it."""
    return f"{term.school_year.start_year}-{1 if term.number == TermNumber.FIRST else 2}"
