"""The documents of two-way selection and rotation, generated from a round driven through the
real services (forms filled, the matching run, a move, the confirmation) and read back: Word
with python-docx, workbooks with openpyxl, PDFs with pypdf. The 意向表 is checked against the
plan's 附2 (its title, its five columns, its ten rows), the 轮岗时长表 against the
assignments and the plan's 七, the notices for names, posts, mentors, dates and goals; who
may have which document; the audit entry of an export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from docx import Document as WordDocument
from docx.table import Table
from openpyxl import load_workbook
from pypdf import PdfReader

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.core.errors import DomainError, NotAllowed
from houbei.rotations import documents
from houbei.rotations.assignments import (
    create_assignment,
    end_assignment_early,
    set_goals,
    start_assignment,
)
from houbei.rotations.documents import DOCUMENTS, DocumentUnavailable, render
from houbei.rotations.intentions import ChoiceDraft, submit_intention, withdraw_intention
from houbei.rotations.models import Assignment, MentorRole
from houbei.rotations.proposal import confirm_round, run_matching
from houbei.rotations.rounds import close_intentions, set_round_post

from ..conftest import make_user
from ..factories import make_person
from .conftest import cadre, fill

pytestmark = pytest.mark.django_db

CN = lambda day: f"{day.year}年{day.month}月{day.day}日"  # noqa: E731
TODAY = timezone.localdate

# The plan's 附2: its title, its columns and its rows, exactly.
ANNEX2_TITLE = "市八初中后备管理干部选拔轮岗锻炼双向选择意向表"
ANNEX2_HEADS = ["岗位", "带教人员", "轮岗人", "希望时长\n（一学期或一学年）", "备注"]
ANNEX2_POSTS = [
    "班主任", "年级组长", "教研组长", "教导处", "教务处",
    "德育处", "总务处", "人事室", "工会", "（副）校级",
]  # fmt: skip


# --- reading back ---------------------------------------------------------------------------


def docx_text(content: bytes) -> str:
    """Paragraphs and table rows ("a|b|c") in the order of the document."""
    doc = WordDocument(io.BytesIO(content))
    parts = []
    for item in doc.iter_inner_content():
        if isinstance(item, Table):
            parts += ["|".join(cell.text for cell in row.cells) for row in item.rows]
        else:
            parts.append(item.text)
    return "\n".join(parts)


def docx_tables(content: bytes) -> list[list[list[str]]]:
    doc = WordDocument(io.BytesIO(content))
    return [[[c.text for c in row.cells] for row in grid.rows] for grid in doc.tables]


def page_starts(content: bytes) -> list[str]:
    """The text of every paragraph that starts a new page."""
    doc = WordDocument(io.BytesIO(content))
    return [p.text for p in doc.paragraphs if p.paragraph_format.page_break_before]


def pdf_pages(content: bytes) -> list[str]:
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    return [page.extract_text().replace(" ", "").replace("\n", "") for page in reader.pages]


def pdf_text(content: bytes) -> str:
    return "".join(pdf_pages(content))


def sheet_rows(content: bytes, sheet: str) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in book[sheet].iter_rows(values_only=True)]


def sheet_names(content: bytes) -> list[str]:
    return load_workbook(io.BytesIO(content)).sheetnames


def doc(key: str, fmt: str, subject, **params) -> bytes:
    rendered = render(key, fmt, subject, **params)
    assert rendered.filename.endswith(f".{fmt}")
    assert rendered.content_type == documents.CONTENT_TYPES[fmt]
    return rendered.content


# --- a round through the services -------------------------------------------------------------


@pytest.fixture
def filled(round_, admin, cadres, posts, mentors):
    """陈晔 wants 德育处 for a year with 德育主任, then 教导处 (and says why); 黄蔚敏
    德育处 then 总务处 (with a remark); 卢懿蕾 教导处. 浦吉丽 filled a form and
    withdrew it."""
    chen, huang, lu = cadres
    submit_intention(
        actor=admin, round_=round_, person=chen, remarks="希望锻炼组织协调能力",
        choices=[
            ChoiceDraft(posts["moral-office"], 1, "year", mentors["moral"], "可兼任班主任"),
            ChoiceDraft(posts["academic-office"], 2, "term"),
        ],
    )  # fmt: skip
    submit_intention(
        actor=admin, round_=round_, person=huang,
        choices=[
            ChoiceDraft(posts["moral-office"], 1, "term"),
            ChoiceDraft(posts["general-office"], 2, "term", remarks="第二学期可延长"),
        ],
    )  # fmt: skip
    fill(admin, round_, lu, ["academic-office"])
    pu = cadre(round_.school, "浦吉丽")
    fill(admin, round_, pu, ["trade-union"])
    withdraw_intention(actor=admin, round_=round_, person=pu, reason="本学期带毕业班")
    return round_


@pytest.fixture
def confirmed(filled, admin, cadres, posts):
    """The matching gives 陈晔 德育处 (a year, 德育主任), 黄蔚敏 总务处, 卢懿蕾 教导处
    (教导主任); confirmed into three planned assignments."""
    close_intentions(actor=admin, round_=filled)
    run_matching(actor=admin, round_=filled)
    confirm_round(actor=admin, round_=filled)
    filled.refresh_from_db()
    return filled


def assignment_of(round_, name: str) -> Assignment:
    return Assignment.objects.get(round=round_, person__name=name)


# --- the registry ---------------------------------------------------------------------------


def test_the_registry_names_each_document_its_formats_and_subject():
    assert {k: (str(d.title), d.formats, d.of) for k, d in DOCUMENTS.items()} == {
        "intention-form": ("双向选择意向表", ("docx", "xlsx", "pdf"), ("round",)),
        "intention-set": ("双向选择意向汇总表", ("docx", "xlsx", "pdf"), ("round",)),
        "rotation-lengths": ("轮岗时长表", ("docx", "xlsx"), ("round", "school")),
        "assignment-notice": ("轮岗锻炼通知", ("docx", "pdf", "html"), ("assignment",)),
        "round-notices": ("本轮全部轮岗锻炼通知", ("docx", "pdf"), ("round",)),
    }
    assert [d.key for d in documents.documents_for("assignment")] == ["assignment-notice"]
    assert [d.key for d in documents.documents_for("school")] == ["rotation-lengths"]


def test_render_refuses_what_a_document_does_not_offer(confirmed, school):
    with pytest.raises(DomainError, match="不提供html格式"):
        render("intention-set", "html", confirmed)
    with pytest.raises(DomainError, match="没有参数"):
        render("intention-set", "docx", confirmed, person=1)
    with pytest.raises(DomainError, match="请指定学期"):
        render("rotation-lengths", "docx", school)
    with pytest.raises(DomainError, match="不是按轮岗安排生成的文书"):
        render("intention-form", "docx", assignment_of(confirmed, "陈晔"))
    with pytest.raises(DomainError, match="没有名为"):
        render("slips", "pdf", confirmed)
    with pytest.raises(DomainError, match="学期应写作"):
        render("rotation-lengths", "docx", school, term="第一学期")
    with pytest.raises(DomainError, match="校历中没有这个学期"):
        render("rotation-lengths", "docx", school, term="2030-1")


# --- 附2 双向选择意向表: one person ------------------------------------------------------------


def form_table(content: bytes) -> list[list[str]]:
    (grid,) = docx_tables(content)
    return grid


CHEN_ROWS = {
    "教导处": ["教导处", "教导主任", "陈晔（第二志愿）", "一学期", ""],
    "德育处": [
        "德育处",
        "德育主任（希望：德育主任）",
        "陈晔（第一志愿）",
        "一学年",
        "可兼任班主任",
    ],
}


def test_a_persons_form_is_laid_out_like_annex_2(filled, cadres):
    chen = cadres[0]
    content = doc("intention-form", "docx", filled, person=chen)
    text = docx_text(content)
    assert text.startswith(ANNEX2_TITLE + "\n2026学年第一学期双向选择\n")
    assert f"轮岗人：陈晔（工号{chen.staff_number}）；现任岗位：年级组长" in text
    assert "开始学期：2026–2027学年 第一学期" in text
    grid = form_table(content)
    # The plan's five columns and ten rows, in its order.
    assert grid[0] == ANNEX2_HEADS
    assert [row[0] for row in grid[1:]] == ANNEX2_POSTS
    rows = {row[0]: row for row in grid[1:]}
    assert rows["教导处"] == CHEN_ROWS["教导处"] and rows["德育处"] == CHEN_ROWS["德育处"]
    # The posts' mentors are printed whether or not the person listed the post.
    assert rows["班主任"] == ["班主任", "资深班主任", "", "", ""]
    assert rows["总务处"] == ["总务处", "", "", "", ""]
    assert sum(1 for row in grid[1:] if row[2]) == 2
    assert "本人备注：希望锻炼组织协调能力" in text
    assert text.endswith(f"填表人：陈晔\n填表日期：{CN(TODAY())}")
    assert render("intention-form", "docx", filled, person=chen).filename == (
        "2026学年第一学期双向选择-双向选择意向表-陈晔.docx"
    )


def test_the_forms_workbook_and_pdf_say_what_the_word_file_says(filled, cadres):
    chen = cadres[0]
    rows = sheet_rows(doc("intention-form", "xlsx", filled, person=chen.pk), "意向表")
    assert rows[0][0] == ANNEX2_TITLE and rows[1][0] == "2026学年第一学期双向选择"
    heads = rows.index(tuple(ANNEX2_HEADS))
    table_rows = [[c or "" for c in row] for row in rows[heads + 1 : heads + 11]]
    assert [row[0] for row in table_rows] == ANNEX2_POSTS
    assert table_rows[3] == CHEN_ROWS["教导处"] and table_rows[5] == CHEN_ROWS["德育处"]
    assert [r[0] for r in rows[heads + 11 :]] == [
        "本人备注：希望锻炼组织协调能力", "填表人：陈晔", f"填表日期：{CN(TODAY())}",
    ]  # fmt: skip
    pdf = pdf_text(doc("intention-form", "pdf", filled, person=str(chen.pk)))
    assert ANNEX2_TITLE in pdf and "希望时长（一学期或一学年）" in pdf
    assert "德育主任（希望：德育主任）陈晔（第一志愿）一学年可兼任班主任" in pdf
    assert "教导处教导主任陈晔（第二志愿）一学期" in pdf and "填表人：陈晔" in pdf


def test_without_a_person_the_round_prints_its_blank_form(filled):
    content = doc("intention-form", "docx", filled)
    grid = form_table(content)
    assert grid[0] == ANNEX2_HEADS and [row[0] for row in grid[1:]] == ANNEX2_POSTS
    assert all(row[2:4] == ["", ""] for row in grid[1:])
    assert grid[4][1] == "教导主任" and grid[6][1] == "德育主任"
    text = docx_text(content)
    assert "填表说明：在希望轮岗的岗位行的“轮岗人”栏填写本人姓名并注明第几志愿" in text
    assert "轮岗人：" not in text.split("\n", 3)[2]
    assert text.endswith("填表人：＿＿＿＿＿＿\n填表日期：　　年　　月　　日")
    assert render("intention-form", "xlsx", filled).filename.endswith("意向表-空白.xlsx")


def test_a_post_without_seats_says_so_and_the_due_date_is_printed(
    filled, admin, posts, mentors, cadres
):
    set_round_post(actor=admin, round_=filled, post=posts["trade-union"], capacity=0, mentors=[])
    filled.intentions_due = dt.date(2026, 6, 15)
    filled.save(update_fields=["intentions_due"])
    content = doc("intention-form", "docx", filled, person=cadres[1])
    rows = {row[0]: row for row in form_table(content)[1:]}
    assert rows["工会"] == ["工会", "", "", "", "本轮不设名额"]
    assert rows["总务处"] == ["总务处", "", "黄蔚敏（第二志愿）", "一学期", "第二学期可延长"]
    assert "填报截止日期：2026年6月15日" in docx_text(content)


def test_a_form_not_filled_withdrawn_or_of_a_stranger_is_refused(filled, cadres, other_school):
    newcomer = cadre(filled.school, "张兰兰")
    with pytest.raises(DocumentUnavailable, match="张兰兰没有填报本轮意向表"):
        render("intention-form", "docx", filled, person=newcomer)
    pu = filled.intentions.get(person__name="浦吉丽").person
    with pytest.raises(DocumentUnavailable, match=f"浦吉丽已撤回本轮意向表（{CN(TODAY())}）"):
        render("intention-form", "docx", filled, person=pu)
    stranger = make_person(other_school, name="外校老师")
    with pytest.raises(DomainError, match="外校老师不是本校教职工"):
        render("intention-form", "docx", filled, person=stranger)
    with pytest.raises(DomainError, match="没有这位教职工"):
        render("intention-form", "docx", filled, person="abc")


def test_numbers_of_choices_are_written_in_chinese():
    assert [documents.cn_number(n) for n in (1, 2, 9, 10, 11, 20, 23, 99, 100)] == [
        "一", "二", "九", "十", "十一", "二十", "二十三", "九十九", "100",
    ]  # fmt: skip
    assert documents.choice_label(3) == "第三志愿"


# --- the round's whole set --------------------------------------------------------------------


def test_the_set_begins_with_annex_2_for_everyone_then_each_form_on_its_own_page(filled):
    content = doc("intention-set", "docx", filled)
    text = docx_text(content)
    assert text.startswith(ANNEX2_TITLE + "\n2026学年第一学期双向选择（汇总）\n")
    assert "本轮开放岗位10个，共15个名额；已填报意向表3人（另有1人撤回）。" in text
    summary, listing, *forms = docx_tables(content)
    assert summary[0] == ANNEX2_HEADS
    # A post with several people: the post and its mentors on the first line; the
    # withdrawn form of 浦吉丽 (工会) is not there.
    assert summary[1:] == [
        ["班主任", "资深班主任", "", "", ""],
        ["年级组长", "", "", "", ""],
        ["教研组长", "", "", "", ""],
        ["教导处", "教导主任", "卢懿蕾（第一志愿）", "一学期", ""],
        ["", "", "陈晔（第二志愿）", "一学期", ""],
        ["教务处", "", "", "", ""],
        ["德育处", "德育主任（希望：德育主任）", "陈晔（第一志愿）", "一学年", "可兼任班主任"],
        ["", "", "黄蔚敏（第一志愿）", "一学期", ""],
        ["总务处", "", "黄蔚敏（第二志愿）", "一学期", "第二学期可延长"],
        ["人事室", "", "", "", ""],
        ["工会", "", "", "", ""],
        ["（副）校级", "", "", "", ""],
    ]
    assert listing[0] == [
        "序号", "轮岗人", "工号", "现任岗位", "意向岗位（按志愿顺序）", "备注", "填报日期",
    ]  # fmt: skip
    assert [row[1] for row in listing[1:]] == ["陈晔", "黄蔚敏", "卢懿蕾"]
    assert listing[1][4:] == [
        "第一志愿：德育处（一学年，希望带教：德育主任）；第二志愿：教导处（一学期）",
        "希望锻炼组织协调能力",
        CN(TODAY()),
    ]
    assert "浦吉丽" not in text
    assert len(forms) == 3 and all(f[0] == ANNEX2_HEADS for f in forms)
    assert page_starts(content) == [ANNEX2_TITLE] * 3
    assert [f[6][2] for f in forms] == ["陈晔（第一志愿）", "黄蔚敏（第一志愿）", ""]


def test_the_sets_workbook_has_the_summary_the_listing_and_a_sheet_per_person(filled):
    content = doc("intention-set", "xlsx", filled)
    assert sheet_names(content) == ["汇总", "填报情况", "明细", "陈晔", "黄蔚敏", "卢懿蕾"]
    summary = sheet_rows(content, "汇总")
    assert (
        summary[2]
        == ("本轮开放岗位10个，共15个名额；已填报意向表3人（另有1人撤回）。",) + (None,) * 4
    )
    assert summary[3] == tuple(ANNEX2_HEADS)
    assert summary[7][:4] == ("教导处", "教导主任", "卢懿蕾（第一志愿）", "一学期")
    assert summary[8][:4] == (None, None, "陈晔（第二志愿）", "一学期")
    merged = {str(r) for r in load_workbook(io.BytesIO(content))["汇总"].merged_cells.ranges}
    assert {"A8:A9", "A11:A12"} <= merged
    detail = sheet_rows(content, "明细")
    assert detail[2] == (
        "轮岗人", "工号", "志愿顺序", "岗位", "希望的带教人员", "希望时长", "备注", "填报日期",
    )  # fmt: skip
    assert [row[:6] for row in detail[3:]] == [
        ("陈晔", filled.intentions.get(person__name="陈晔").person.staff_number, "1", "德育处",
         "德育主任", "一学年"),
        ("陈晔", detail[3][1], "2", "教导处", None, "一学期"),
        ("黄蔚敏", detail[5][1], "1", "德育处", None, "一学期"),
        ("黄蔚敏", detail[5][1], "2", "总务处", None, "一学期"),
        ("卢懿蕾", detail[7][1], "1", "教导处", None, "一学期"),
    ]  # fmt: skip
    chen = sheet_rows(content, "陈晔")
    assert chen[0][0] == ANNEX2_TITLE and ("填表人：陈晔",) + (None,) * 4 in chen


def test_the_sets_pdf_puts_each_form_on_its_own_page(filled):
    pages = pdf_pages(doc("intention-set", "pdf", filled))
    assert pages[0].startswith(ANNEX2_TITLE + "2026学年第一学期双向选择（汇总）")
    forms = [p for p in pages if p.startswith(ANNEX2_TITLE + "2026学年第一学期双向选择轮岗人")]
    assert [p.split("轮岗人：")[1][:3] for p in forms] == ["陈晔（", "黄蔚敏", "卢懿蕾"]


def test_the_pdfs_page_gives_its_tables_column_widths_and_breaks_between_papers(filled):
    papers = documents.intention_set_papers(documents.intention_set(filled))
    page = documents.html_of_papers(papers, inline_css=True)
    assert page.count('<table class="annex2">') == 4 and page.count('<table class="listing">') == 1
    assert ".doc table.annex2 th:nth-child(2) { width: 24%; }" in page
    assert ".doc + .doc { break-before: page; }" in page and page.count('<div class="doc">') == 4
    linked = documents.html_of_papers(papers[:1])
    assert "selection/print.css" in linked and "break-before" not in linked


def test_the_set_needs_a_filled_form_and_sheet_names_stay_apart(round_, school):
    with pytest.raises(DocumentUnavailable, match="本轮还没有人填报意向表"):
        render("intention-set", "docx", round_)
    twins = [make_person(school, name="王静"), make_person(school, name="王静"),
             make_person(school, name="a/b[c]")]  # fmt: skip
    assert documents._sheet_names(twins) == [
        f"王静（{twins[0].staff_number}）", f"王静（{twins[1].staff_number}）", "abc",
    ]  # fmt: skip


# --- 轮岗时长表 ---------------------------------------------------------------------------------

LENGTH_HEADS = [
    "序号",
    "岗位",
    "轮岗人",
    "带教人员",
    "开始学期",
    "时长",
    "开始日期",
    "结束日期",
    "备注",
]
TERM_1 = "2026–2027学年 第一学期"


def test_the_length_table_of_a_round_lists_its_rotations_then_the_plans_table_7(confirmed, years):
    first = years[0]
    content = doc("rotation-lengths", "docx", confirmed)
    text = docx_text(content)
    assert text.startswith("市八初中后备干部轮岗时长表\n2026学年第一学期双向选择\n")
    rotations, plan = docx_tables(content)
    assert rotations == [
        LENGTH_HEADS,
        ["1", "教导处", "卢懿蕾", "教导主任（带教领导）", TERM_1, "一学期", "2026年9月1日",
         CN(first.end), "已安排"],
        ["2", "德育处", "陈晔", "德育主任（带教领导）", TERM_1, "一学年", "2026年9月1日",
         "2027年6月30日", "已安排"],
        ["3", "总务处", "黄蔚敏", "", TERM_1, "一学期", "2026年9月1日", CN(first.end), "已安排"],
    ]  # fmt: skip
    # The plan's 七: 岗位, 时长, 备注 — every post 一学期或一学年.
    assert plan[0] == ["岗位", "时长", "备注"]
    assert [row[0] for row in plan[1:]] == ANNEX2_POSTS
    assert all(row[1] == "一学期或一学年" for row in plan[1:])
    assert {row[0]: row[2] for row in plan[1:] if row[2]} == {
        "教导处": "本轮安排1人", "德育处": "本轮安排1人", "总务处": "本轮安排1人",
    }  # fmt: skip
    assert text.endswith(f"市八初级中学\n制表日期：{CN(TODAY())}")
    assert render("rotation-lengths", "xlsx", confirmed).filename == (
        "市八初中-2026学年第一学期双向选择-轮岗时长表.xlsx"
    )


def test_the_length_tables_workbook_matches_and_notes_a_rotation_ended_early(
    confirmed, admin, years
):
    lu = assignment_of(confirmed, "卢懿蕾")
    start_assignment(actor=admin, assignment=lu)
    end_assignment_early(actor=admin, assignment=lu, on=dt.date(2026, 11, 20), reason="身体原因")
    content = doc("rotation-lengths", "xlsx", confirmed)
    assert sheet_names(content) == ["轮岗时长表", "各岗位轮岗时长"]
    rows = sheet_rows(content, "轮岗时长表")
    assert rows[0][0] == "市八初中后备干部轮岗时长表" and rows[2] == tuple(LENGTH_HEADS)
    assert rows[3] == ("1", "教导处", "卢懿蕾", "教导主任（带教领导）", TERM_1, "一学期",
                       "2026年9月1日", CN(years[0].end), "提前终止（2026年11月20日）")  # fmt: skip
    assert rows[4][2] == "陈晔" and rows[4][7] == "2027年6月30日"
    plan = sheet_rows(content, "各岗位轮岗时长")
    assert plan[2] == ("岗位", "时长", "备注") and plan[8] == (
        "德育处",
        "一学期或一学年",
        "本轮安排1人",
    )


def test_the_length_table_of_a_term_takes_every_rotation_with_a_day_in_it(
    confirmed, admin, school, cadres, posts, years, mentors
):
    second, next_first = years[1], years[2]
    make = create_assignment(
        actor=admin, person=cadres[1], post=posts["teaching-office"], start_term=second,
        length="term", mentors=[(mentors["academic"], MentorRole.LEADER)],
    )  # fmt: skip
    content = doc("rotation-lengths", "docx", school, term="2026-2")
    text = docx_text(content)
    assert "2026–2027学年 第二学期" in text.split("\n")[1]
    rotations, plan = docx_tables(content)
    # 陈晔's year runs into the second term; the 第一学期 rotations do not.
    assert [(r[1], r[2], r[4], r[6], r[7]) for r in rotations[1:]] == [
        ("教务处", "黄蔚敏", "2026–2027学年 第二学期", CN(second.start), "2027年6月30日"),
        ("德育处", "陈晔", TERM_1, "2026年9月1日", "2027年6月30日"),
    ]
    assert {row[0]: row[2] for row in plan[1:] if row[2]} == {
        "教务处": "本学期轮岗1人", "德育处": "本学期轮岗1人",
    }  # fmt: skip
    assert make.pk == Assignment.objects.get(post=posts["teaching-office"]).pk
    by_id = docx_tables(doc("rotation-lengths", "docx", school, term=years[0].pk))[0]
    assert [r[2] for r in by_id[1:]] == ["卢懿蕾", "陈晔", "黄蔚敏"]
    with pytest.raises(DocumentUnavailable, match=f"{next_first}没有轮岗安排"):
        render("rotation-lengths", "docx", school, term=next_first)


def test_the_length_table_waits_for_the_confirmation(filled):
    with pytest.raises(DocumentUnavailable, match=r"本轮尚未确认匹配方案.*当前状态：填报意向"):
        render("rotation-lengths", "docx", filled)
    with pytest.raises(DocumentUnavailable, match="本轮尚未确认匹配方案"):
        render("round-notices", "docx", filled)


# --- 轮岗锻炼通知 -------------------------------------------------------------------------------


def test_the_notice_tells_the_cadre_the_post_mentors_period_and_goals(confirmed, admin):
    chen = assignment_of(confirmed, "陈晔")
    set_goals(actor=admin, assignment=chen, goals="提高组织协调能力和应急应变能力。")
    content = doc("assignment-notice", "docx", chen)
    lines = docx_text(content).split("\n")
    confirmed_on = timezone.localtime(confirmed.confirmed_at).date()
    assert lines == [
        "关于安排陈晔同志轮岗锻炼的通知",
        "陈晔同志：",
        "根据《市八初中后备管理干部选拔轮岗锻炼使用方案》，本着“双向选择”的原则，"
        "结合你在“2026学年第一学期双向选择”中填报的意向，经学校研究决定，"
        "安排你自2026–2027学年 第一学期起到德育处轮岗锻炼，时长一学年，"
        "自2026年9月1日至2027年6月30日。",
        "轮岗期间，由德育主任同志担任带教领导，负责对你的指导、培养和考察。",
        "按照“缺什么补什么”的原则，本次轮岗锻炼的目标是：提高组织协调能力和应急应变能力。",
        "轮岗期间，请在带教人员的指导下履行岗位职责，主动承担“急、难、险、重”工作，"
        "参加校内的各类学习、研究、交流活动。学校每半学期对你的轮岗锻炼情况进行一次考察，"
        "考察情况作为后一阶段继续培养、锻炼、调整的重要依据。",
        "请于2026年9月1日到德育处报到。",
        "特此通知。",
        "市八初级中学",
        CN(confirmed_on),
        "抄送：德育处、德育主任、人事室。",
    ]
    pdf = pdf_text(doc("assignment-notice", "pdf", chen))
    assert pdf.startswith("关于安排陈晔同志轮岗锻炼的通知陈晔同志：")
    assert "自2026年9月1日至2027年6月30日" in pdf and "由德育主任同志担任带教领导" in pdf
    html = doc("assignment-notice", "html", chen).decode()
    assert "selection/print.css" in html and "<h1>关于安排陈晔同志轮岗锻炼的通知</h1>" in html
    assert "提高组织协调能力和应急应变能力" in documents.notice_html(chen)
    assert render("assignment-notice", "pdf", chen).filename == "轮岗锻炼通知-陈晔-德育处.pdf"


def test_a_notice_without_mentors_goals_or_round_says_what_follows(
    confirmed, admin, cadres, posts, years, school
):
    huang = docx_text(doc("assignment-notice", "docx", assignment_of(confirmed, "黄蔚敏")))
    assert "带教人员由学校另行安排。" in huang
    assert "锻炼目标由带教人员与你商定后报人事室备案。" in huang
    assert "到总务处轮岗锻炼，时长一学期，自2026年9月1日至" in huang
    assert "抄送：总务处、人事室。" in huang
    by_hand = create_assignment(
        actor=admin, person=cadre(school, "邱喆"), post=posts["school-leader"],
        start_term=years[2], length="term",
        mentors=[(make_person(school, name="校长"), MentorRole.LEADER),
                 (make_person(school, name="副校长"), MentorRole.MASTER)],
    )  # fmt: skip
    text = docx_text(doc("assignment-notice", "docx", by_hand))
    assert (
        "本着“双向选择”的原则，经学校研究决定，安排你自2027–2028学年 第一学期起到（副）校级" in text
    )
    assert "由校长同志担任带教领导，副校长同志担任师傅，负责对你的指导" in text
    assert text.split("\n")[-2] == CN(timezone.localtime(by_hand.created_at).date())


def test_the_rounds_notices_come_in_one_file_a_page_each(confirmed):
    content = doc("round-notices", "docx", confirmed)
    titles = [line for line in docx_text(content).split("\n") if line.startswith("关于安排")]
    assert titles == [
        "关于安排陈晔同志轮岗锻炼的通知",
        "关于安排黄蔚敏同志轮岗锻炼的通知",
        "关于安排卢懿蕾同志轮岗锻炼的通知",
    ]
    assert page_starts(content) == titles[1:]
    pages = pdf_pages(doc("round-notices", "pdf", confirmed))
    assert [p[: len(t)] for p, t in zip(pages, titles, strict=True)] == titles
    assert render("round-notices", "pdf", confirmed).filename == (
        "2026学年第一学期双向选择-轮岗锻炼通知.pdf"
    )


# --- who may have which, and the audit trail --------------------------------------------------


def linked(user, person):
    person.user = user
    person.save(update_fields=["user"])
    return user


def test_the_office_exports_any_document_and_the_export_is_audited(
    confirmed, admin, school, other_school
):
    rendered = documents.export_document(
        actor=admin, key="intention-form", fmt="docx", subject=confirmed,
        person=assignment_of(confirmed, "陈晔").person,
    )  # fmt: skip
    assert rendered.content.startswith(b"PK")
    entry = AuditEntry.objects.filter(action="rotations.document.exported").get()
    chen = assignment_of(confirmed, "陈晔").person
    assert entry.new == {
        "document": "intention-form", "format": "docx", "bytes": len(rendered.content),
        "person": f"陈晔（{chen.staff_number}）",
    }  # fmt: skip
    assert entry.actor_id == admin.pk and entry.school_id == school.pk
    assert entry.target_id == str(confirmed.pk)
    decider = make_user(Role.DECISION, school=school)
    documents.export_document(
        actor=decider, key="rotation-lengths", fmt="xlsx", subject=school, term="2026-1"
    )
    last = AuditEntry.objects.filter(action="rotations.document.exported").order_by("-seq")[0]
    assert last.new["term"] == "2026-1" and last.target_type == "organisation.school"
    stranger = make_user(Role.PERSONNEL, school=other_school)
    with pytest.raises(NotAllowed):
        documents.export_document(
            actor=stranger, key="intention-set", fmt="docx", subject=confirmed
        )
    assert AuditEntry.objects.filter(action="rotations.document.exported").count() == 2


def test_a_cadre_has_their_own_form_and_notice_and_a_mentor_their_mentees_notice(
    confirmed, school, mentors
):
    chen = assignment_of(confirmed, "陈晔")
    huang = assignment_of(confirmed, "黄蔚敏")
    staff = linked(make_user(Role.STAFF, school=school), chen.person)
    export = documents.export_document
    assert export(actor=staff, key="intention-form", fmt="docx", subject=confirmed,
                  person=chen.person.pk).content  # fmt: skip
    assert export(actor=staff, key="intention-form", fmt="docx", subject=confirmed).content
    assert export(actor=staff, key="assignment-notice", fmt="pdf", subject=chen).content
    for key, subject, params in [
        ("intention-form", confirmed, {"person": huang.person}),
        ("assignment-notice", huang, {}),
        ("intention-set", confirmed, {}),
        ("round-notices", confirmed, {}),
        ("rotation-lengths", confirmed, {}),
    ]:
        with pytest.raises(NotAllowed):
            export(actor=staff, key=key, fmt="docx", subject=subject, **params)
    mentor = linked(make_user(Role.MENTOR, school=school), mentors["moral"])
    assert export(actor=mentor, key="assignment-notice", fmt="docx", subject=chen).content
    with pytest.raises(NotAllowed):
        export(actor=mentor, key="assignment-notice", fmt="docx", subject=huang)
    unlinked = make_user(Role.STAFF, school=school, username="no-person")
    assert not documents.may_have(unlinked, "assignment-notice", chen)
    assert not documents.may_have(unlinked, "intention-form", confirmed, person=chen.person)
    assert documents.may_have(unlinked, "intention-form", confirmed)  # the blank form
    assert AuditEntry.objects.filter(action="rotations.document.exported").count() == 4


def test_every_document_of_a_confirmed_round_renders(confirmed, school):
    calls = []
    for key, document in DOCUMENTS.items():
        for fmt in document.formats:
            if "assignment" in document.of:
                calls += [(key, fmt, a, {}) for a in Assignment.objects.filter(round=confirmed)]
            if "round" in document.of:
                params = (
                    {"person": confirmed.intentions.first().person}
                    if key == "intention-form"
                    else {}
                )
                calls.append((key, fmt, confirmed, params))
            if "school" in document.of:
                calls.append((key, fmt, school, {"term": "2026-1"}))
    assert len(calls) == 3 + 3 + 4 + 9 + 2
    for key, fmt, subject, params in calls:
        assert render(key, fmt, subject, **params).content, (key, fmt)
