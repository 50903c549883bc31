"""The documents of a cycle, generated from a cycle driven through every stage by the real
services and read back: Word with python-docx, workbooks with openpyxl, PDFs with pypdf.
Names, figures, the official sentences and dates are checked in each; the 后备干部名单
against the plan's 附1; the export command in JSON and Excel; the whole set of one cycle,
rendered file by file and as one set (its papers built once, its PDFs printed by worker
processes) saying the same; the archive; and the PDFs' fonts. Their time is measured by
``houbei bench selection``, not here."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from docx import Document as WordDocument
from docx.table import Table
from openpyxl import load_workbook
from pypdf import PdfReader

from houbei.accounts.models import Role, User
from houbei.audit.models import AuditEntry
from houbei.ballots.ratings import services as ratings
from houbei.core.errors import DomainError, NotAllowed
from houbei.core.exports import run_export
from houbei.eligibility.models import RuleSet
from houbei.eligibility.services import create_rule_set
from houbei.organisation.models import District
from houbei.organisation.services import create_school
from houbei.people.models import Education, Gender, HonourLevel, Person, PoliticalStatus
from houbei.selection import (
    decision,
    documents,
    inspection,
    notice,
    opinions,
    recommendation,
    workflow,
)
from houbei.selection.documents import DOCUMENTS, DocumentUnavailable, render
from houbei.selection.drafting import HEADINGS, draft_report
from houbei.selection.models import (
    Choice,
    Cycle,
    InspectionTarget,
    Level,
    ObjectionOutcome,
    OpinionSource,
    OpinionStance,
    PoolEntry,
    PublicNotice,
    ReportVersion,
    Stage,
)
from houbei.selection.recommendation import TalkCount
from houbei.selection.services import ListDraft, create_cycle, plan_stage
from houbei.selection.stages import STAGES

from ..conftest import make_user
from ..factories import add_honour, make_person
from .conftest import REF, TODAY, Walk, qualified

pytestmark = pytest.mark.django_db

AGO = lambda days: TODAY() - dt.timedelta(days=days)  # noqa: E731
CN = lambda day: f"{day.year}年{day.month}月{day.day}日"  # noqa: E731


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


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


def sheet_rows(content: bytes, sheet: str) -> list[tuple[object, ...]]:
    book = load_workbook(io.BytesIO(content))
    return list(book[sheet].iter_rows(values_only=True))


# --- a cycle through every stage ------------------------------------------------------------


# Grades per dimension (德能勤绩廉) for the six 教职工代表 and the service raters.
STAFF_SHEETS = [
    ("优秀", "优秀", "优秀", "优秀", "优秀"),
    ("优秀", "优秀", "优秀", "优秀", "优秀"),
    ("优秀", "优秀", "称职", "优秀", "优秀"),
    ("优秀", "称职", "称职", "优秀", "优秀"),
    ("优秀", "称职", "称职", "称职", "优秀"),
    ("称职", "基本称职", "称职", "称职", "优秀"),
]
SERVICE_SHEET = ("优秀", "优秀", "优秀", "称职", "优秀")


def appraise(walk, target: InspectionTarget, service_raters: int) -> None:
    target = inspection.start_appraisal(
        actor=walk.admin, target=target,
        groups=[ratings.GroupDraft("教职工代表", k=3), ratings.GroupDraft("服务对象", k=3)],
    )  # fmt: skip
    rating_round = target.rating_round
    staff_group, service_group = rating_round.groups.order_by("position")
    staff_codes = ratings.issue_codes(
        actor=walk.admin, rating_round=rating_round, group=staff_group, count=6
    )
    service_codes = ratings.issue_codes(
        actor=walk.admin, rating_round=rating_round, group=service_group, count=service_raters
    )
    rating_round = ratings.open_round(actor=walk.admin, rating_round=rating_round)
    form = ratings.form_of(rating_round)
    ((subject, _name),) = form.subjects
    grade = {label: pk for pk, label in form.grades}
    dims = [pk for pk, _n in form.dimensions]

    def sheet(grades):
        return {(subject, d): grade[g] for d, g in zip(dims, grades, strict=True)}

    for code, grades in zip(staff_codes, STAFF_SHEETS, strict=True):
        ratings.submit_rating(round_id=rating_round.pk, code=code, sheet=sheet(grades))
    for code in service_codes:
        ratings.submit_rating(round_id=rating_round.pk, code=code, sheet=sheet(SERVICE_SHEET))
    rating_round = ratings.close_round(actor=walk.admin, rating_round=rating_round)
    ratings.release_results(actor=walk.admin, rating_round=rating_round)


def build(walk, staff, office, *, until: Stage = Stage.DONE) -> None:
    """The cycle of ``walk`` driven to ``until``: 谈话调研推荐 (12 people talked to), one
    round everyone votes in, the opinions (one reserved), targets 3 for 2 district places
    and 4 for 3 school places (黄蔚敏 and 卢懿蕾 on both), two talks each, 民主测评 with
    two rater groups (陈晔's service group below its minimum), drafted and signed-off
    reports, a meeting of 5 with 4 present — one dissent, one rejection, one
    postponement — the notice with a signed and an anonymous objection (closed as minor
    and as baseless), and the pool."""
    chen = staff[0]
    chen.political_status = PoliticalStatus.PARTY
    chen.education, chen.title, chen.subject = Education.MASTER, "中学一级教师", "语文"
    chen.save()
    add_honour(chen, "优秀党员", HonourLevel.DISTRICT, 2019)
    add_honour(chen, "优秀班主任", HonourLevel.SCHOOL, 2018)
    add_honour(staff[1], "“勤朴”教师", HonourLevel.SCHOOL, 2020)
    walk.to_recommendation()
    if until == Stage.RECOMMENDATION:
        return
    recommendation.record_talk_recommendations(
        actor=walk.admin, cycle=walk.cycle, interviewees=12,
        counts=[TalkCount(walk.district, staff[0], 8), TalkCount(walk.district, staff[1], 5),
                TalkCount(walk.school, staff[1], 6), TalkCount(walk.school, staff[3], 4)],
    )  # fmt: skip
    walk.to_opinions()
    walk.consult(staff[:5])
    opinions.record_opinion(
        actor=walk.admin, cycle=walk.cycle, person=chen, source=OpinionSource.BRANCH,
        stance=OpinionStance.RESERVED, text="群众基础有待加强",
    )  # fmt: skip
    workflow.start_target_selection(actor=walk.admin, cycle=walk.cycle)
    walk.choose()
    for stage in (Stage.INSPECTION, Stage.NOTICE):
        plan_stage(actor=walk.admin, cycle=walk.cycle, stage=stage, deadline=TODAY(),
                   responsible=office)  # fmt: skip
    if until == Stage.TARGETS:
        return
    workflow.start_inspection(actor=walk.admin, cycle=walk.cycle)
    targets = walk.active_targets()
    for target in targets:
        for who, day in ((staff[7], 2), (staff[8], 1)):
            inspection.record_talk(
                actor=walk.admin, target=target, interviewee=who, interviewee_name="",
                held_on=AGO(day), interviewer="校长、书记", summary=f"{who.name}认为其工作主动",
            )  # fmt: skip
    for target in targets:
        target.refresh_from_db()
        if target.rating_round is None:
            appraise(walk, target, service_raters=2 if target.person == chen else 3)
    if until == Stage.INSPECTION:
        return
    for target in targets:
        filled = inspection.GAP_MARK.sub("（已补充）", draft_report(target))
        inspection.save_report(actor=walk.admin, target=target, text=filled)
        inspection.sign_off_report(actor=walk.decider, target=target)
    workflow.start_decision(actor=walk.admin, cycle=walk.cycle)
    members = walk.members(present=4, expected=5)  # the 4th present is the main leader
    here = [m.person for m in members if m.present]
    votes = {t: [(p, Choice.AGREE) for p in here] for t in targets}
    # 陈晔 (district) passes despite one dissent; 卢懿蕾 (district) is rejected; 张兰兰
    # (school) is postponed by a divided body.
    votes[targets[0]] = [(here[0], Choice.DISAGREE)] + [(p, Choice.AGREE) for p in here[1:]]
    votes[targets[2]] = [(p, Choice.DISAGREE) for p in here[:3]] + [(here[3], Choice.AGREE)]
    votes[targets[6]] = [(p, Choice.DEFER) for p in here[:2]] + [(p, Choice.AGREE)
                                                                 for p in here[2:]]  # fmt: skip
    decision.record_meeting(
        actor=walk.admin, cycle=walk.cycle, held_on=AGO(30), members=members, votes=votes
    )
    if until == Stage.DECISION:
        return
    workflow.start_notice(actor=walk.admin, cycle=walk.cycle, start=AGO(25))
    # A signed objection about 陈晔, closed as minor with a reminder talk and an answer to
    # its reporter; an anonymous one about 黄蔚敏, found baseless.
    signed = notice.register_objection(
        actor=walk.admin, cycle=walk.cycle, target=targets[0], signed=True,
        received_on=AGO(23), content="陈晔同志在年级组工作中有时作风急躁。",
        reporter_name="奚莉", reporter_contact="021-5555-0102",
    )  # fmt: skip
    anonymous = notice.register_objection(
        actor=walk.admin, cycle=walk.cycle, target=targets[1], signed=False,
        received_on=AGO(22), content="黄蔚敏同志曾违规收受家长礼品。",
    )  # fmt: skip
    if until == Stage.NOTICE:
        return
    notice.close_objection(
        actor=walk.admin, objection=signed, outcome=ObjectionOutcome.MINOR,
        investigation="经与年级组教师个别了解，反映情况基本属实，属工作方法问题。",
        reminder_talk_on=AGO(21), answer="已将调查核实情况和处理意见告知。", answered_on=AGO(20),
    )  # fmt: skip
    notice.close_objection(
        actor=walk.admin, objection=anonymous, outcome=ObjectionOutcome.NO_PROBLEM,
        investigation="经向相关家长和年级组核实，未发现收受礼品的情况。",
    )  # fmt: skip
    workflow.complete_cycle(actor=walk.admin, cycle=walk.cycle)


def new_walk(school, users) -> tuple[Walk, list[Person], Person]:
    """The ``walk`` fixture's cycle and staff, for a fixture of any scope."""
    rule_set = create_rule_set(
        actor=None, school=school, name="2021年选拔", reference_date=REF, is_default=True
    )
    # Genders given, not left to the factory's counter, which depends on the tests run before.
    staff = [qualified(school, name=n, gender=Gender.FEMALE) for n in STAFF]
    actors = (users[Role.PERSONNEL], users[Role.DECISION])
    cycle = create_cycle(
        actor=actors[0], school=school, title="2021年后备干部选拔", year=2021,
        reference_date=REF, rule_set=rule_set,
        lists=[ListDraft(Level.DISTRICT, 2), ListDraft(Level.SCHOOL, 3)],
    )  # fmt: skip
    office = make_person(school, name="人事干部", phone="021-5555-0101")
    return Walk(cycle, staff, actors), staff, office


STAFF = ["陈晔", "黄蔚敏", "卢懿蕾", "浦吉丽", "张兰兰", "陈静华", "奚莉", "余立群", "邹建琴"]


@dataclass(frozen=True)
class Built:
    cycle: int
    staff: list[int]
    school: int


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker) -> Iterator[Built]:
    """One complete cycle for the whole module, built once inside a transaction that is
    rolled back at the end: each test runs in a savepoint of it (pytest-django's ``db``)
    and sees the cycle as built."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # Not the names of the function-scoped ``district`` and ``school`` fixtures,
            # which the tests of earlier stages build their own cycles in.
            district = District.objects.create(name="文书区", code="documents")
            school = create_school(
                actor=None, district=district, name="市八初级中学", code="shiba8",
                short_name="市八初中",
            )  # fmt: skip
            users = {
                role: make_user(role, school=school)
                for role in (Role.PERSONNEL, Role.DECISION, Role.STAFF)
            }
            walk, staff, office = new_walk(school, users)
            build(walk, staff, office)
            yield Built(walk.cycle.pk, [p.pk for p in staff], school.pk)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def done(built, db) -> Cycle:
    return Cycle.objects.get(pk=built.cycle)


@pytest.fixture
def people(built, db) -> dict[str, Person]:
    return {p.name: p for p in Person.objects.filter(pk__in=built.staff)}


def target_of(cycle: Cycle, name: str, level: str) -> InspectionTarget:
    return InspectionTarget.objects.get(cycle=cycle, person__name=name, cycle_list__level=level)


def doc(key: str, fmt: str, cycle: Cycle, **params) -> bytes:
    rendered = render(key, fmt, cycle, **params)
    assert rendered.filename.endswith(f".{fmt}")
    assert rendered.content_type == documents.CONTENT_TYPES[fmt]
    return rendered.content


# --- the registry ---------------------------------------------------------------------------


def test_the_registry_names_each_document_its_stage_and_formats():
    assert {k: (str(d.title), d.stage, d.formats) for k, d in DOCUMENTS.items()} == {
        "selection-plan": ("选拔工作方案", Stage.PREPARATION, ("docx", "pdf", "html")),
        "roll": ("参加民主推荐人员名单", Stage.PREPARATION, ("docx", "xlsx", "html")),
        "recommendation-form": ("民主推荐表", Stage.RECOMMENDATION, ("docx", "pdf", "html")),
        "recommendation-results": ("推荐结果汇总表", Stage.RECOMMENDATION, ("docx", "xlsx")),
        "opinion-form": ("征求意见表", Stage.OPINIONS, ("docx", "html")),
        "target-list": ("考察对象名单", Stage.TARGETS, ("docx", "xlsx", "html")),
        "inspection-notice": ("考察预告", Stage.TARGETS, ("docx", "pdf", "html")),
        "talk-records": ("个别谈话记录", Stage.INSPECTION, ("docx", "html")),
        "inspection-report": ("考察材料", Stage.INSPECTION, ("docx", "pdf", "html")),
        "appraisal-summary": ("民主测评汇总表", Stage.INSPECTION, ("xlsx", "docx")),
        "decision-minutes": ("讨论决定记录", Stage.DECISION, ("docx",)),
        "public-notice": ("公示", Stage.NOTICE, ("docx", "pdf", "html")),
        "objection-register": ("异议登记表", Stage.NOTICE, ("docx", "xlsx", "html")),
        "investigation-report": ("调查核实情况报告", Stage.NOTICE, ("docx", "pdf", "html")),
        "reserve-list": ("后备干部名单", Stage.DONE, ("docx", "xlsx")),
        "archive": ("全套文书（归档）", Stage.DONE, ("zip",)),
    }
    assert [d.key for d in documents.documents_of(Stage.INSPECTION)] == [
        "talk-records", "inspection-report", "appraisal-summary",
    ]  # fmt: skip
    # Every document a stage's description names is in the registry under that stage, or
    # is part of one that is (the talks' summary is in the results, the meeting's counts in
    # its minutes, the rating form and its results in the appraisal summary).
    within = {"谈话调研推荐情况汇总": "推荐结果汇总表", "表决情况统计": "讨论决定记录",
              "讨论决定会议记录": "讨论决定记录", "民主测评表": "民主测评汇总表",
              "民主测评结果": "民主测评汇总表"}  # fmt: skip
    for stage, about in STAGES.items():
        titles = {str(d.title) for d in documents.documents_of(stage)}
        for name in map(str, about.documents):
            assert within.get(name, name) in titles, (stage, name)


def test_render_refuses_what_a_document_does_not_offer(done):
    with pytest.raises(DomainError, match="不提供xlsx格式"):
        render("public-notice", "xlsx", done)
    with pytest.raises(DomainError, match="没有参数"):
        render("public-notice", "docx", done, target=1)
    with pytest.raises(DomainError, match="请指定考察对象"):
        render("inspection-report", "docx", done)
    with pytest.raises(DomainError, match="没有名为"):
        render("slips", "pdf", done)
    with pytest.raises(DomainError, match="没有第5轮推荐"):
        render("recommendation-results", "docx", done, round=5)


# --- 1. 民主推荐表 ---------------------------------------------------------------------------


def test_the_recommendation_form_lists_the_candidates_of_each_list_with_its_places(done):
    content = doc("recommendation-form", "docx", done)
    text = docx_text(content)
    assert "市八初级中学后备干部民主推荐表" in text and "2021年后备干部选拔（第1轮）" in text
    assert "推荐范围：在编在岗教职工。" in text
    assert "区级后备干部2名、校级后备干部3名" in text
    assert "区级后备干部（限选2人）" in text and "校级后备干部（限选3人）" in text
    district, school = docx_tables(content)
    heads = ["序号", "姓名", "性别", "出生年月", "政治面貌", "学历", "现任职务", "推荐"]
    assert district[0] == heads and school[0] == heads
    assert [row[1] for row in district[1:]] == STAFF  # everyone eligible, on both lists
    assert district[1] == ["1", "陈晔", "女", "1985年3月", "中共党员", "硕士研究生", "年级组长", ""]
    pdf = pdf_text(doc("recommendation-form", "pdf", done))
    assert "后备干部民主推荐表" in pdf and "校级后备干部（限选3人）" in pdf
    assert all(name in pdf for name in STAFF)
    html = doc("recommendation-form", "html", done).decode()
    assert "selection/print.css" in html and html.count("<td>邹建琴</td>") == 2


def test_before_any_round_the_form_lists_who_the_snapshot_found_eligible(db, school, users):
    walk, staff, office = new_walk(school, users)
    with pytest.raises(DocumentUnavailable, match="资格审查结果冻结"):
        render("recommendation-form", "docx", walk.cycle)
    make_person(school, name="新教师")  # no head posts: not eligible
    build(walk, staff, office, until=Stage.RECOMMENDATION)
    district, _school = docx_tables(doc("recommendation-form", "docx", walk.cycle))
    assert [row[1] for row in district[1:]] == STAFF


# --- 2. 推荐结果汇总表 ------------------------------------------------------------------------


SENTENCE = (
    "共有9人参加推荐，发出推荐票9张，收回9张，其中有效票9张；"
    "推荐其为区级后备干部9票，占有效票100.0%，居第1位"
)


def test_the_results_add_the_cycle_the_sentence_per_candidate_and_the_talks(done):
    rendered = render("recommendation-results", "docx", done, round=1)
    assert rendered.filename == "2021年后备干部选拔-推荐结果汇总表-第1轮.docx"
    text = docx_text(rendered.content)
    lines = text.splitlines()
    assert lines[0] == "市八初级中学后备干部民主推荐结果汇总表"
    assert (
        lines[2]
        == "选拔周期：2021年后备干部选拔；基准日：2021年2月26日；第1轮会议推荐，结果：有效。"
    )
    assert f"陈晔：{SENTENCE}。" in lines
    assert (
        "卢懿蕾：共有9人参加推荐，发出推荐票9张，收回9张，其中有效票9张；推荐其为校级后备干部9票，占有效票100.0%，居第1位。"
        in lines
    )
    assert "共谈话12人。" in lines
    # The ballots' own table and the talks' tables, then the digest and the signatures.
    tables = docx_tables(rendered.content)
    assert tables[2] == [["序号", "姓名", "推荐人次", "占谈话人数比例"], ["1", "陈晔", "8", "66.7%"],
                         ["2", "黄蔚敏", "5", "41.7%"]]  # fmt: skip
    assert tables[3][1:] == [["1", "黄蔚敏", "6", "50.0%"], ["2", "浦吉丽", "4", "33.3%"]]
    assert lines.index("谈话调研推荐情况") < next(
        i for i, line in enumerate(lines) if line.startswith("选票摘要")
    )
    assert "监票人（签名）" in text
    xlsx = doc("recommendation-results", "xlsx", done)
    book = load_workbook(io.BytesIO(xlsx))
    assert book.sheetnames[:2] == ["选拔周期", "汇总"]
    head = sheet_rows(xlsx, "选拔周期")
    assert ("轮次", "第1轮会议推荐") in head and ("谈话调研推荐谈话人数", 12) in head
    assert sheet_rows(xlsx, "谈话调研推荐")[1] == ("区级后备干部", 1, "陈晔", 8, "66.7%")
    district = sheet_rows(xlsx, "区级后备干部")
    assert district[1][:3] == (1, "陈晔", 9)
    assert district[1][4] == SENTENCE


# --- 3. 考察预告 -----------------------------------------------------------------------------


def test_the_notice_of_inspection_names_each_target_once_with_dates_and_whom_to_tell(done):
    content = doc("inspection-notice", "docx", done)
    text = docx_text(content)
    (grid,) = docx_tables(content)
    assert [row[1] for row in grid[1:]] == ["陈晔", "黄蔚敏", "卢懿蕾", "浦吉丽", "张兰兰"]
    assert grid[2][-1] == "区级后备干部、校级后备干部"
    published = AGO(3)
    assert (
        f"考察时间：自{CN(published + dt.timedelta(days=3))}起（考察预告发布3天后），至{CN(TODAY())}止。"
        in text
    )
    assert "受理部门：考察组；联系人：人事干部；联系电话：021-5555-0101。" in text
    assert text.splitlines()[-2:] == ["市八初级中学", CN(published)]
    pdf = pdf_text(doc("inspection-notice", "pdf", done))
    assert "考察预告" in pdf and "区级后备干部、校级后备干部" in pdf and CN(published) in pdf
    override = docx_text(doc("inspection-notice", "docx", done, contact="人事室，电话1234"))
    assert "受理部门：考察组；联系方式：人事室，电话1234。" in override


# --- 4. 考察材料 -----------------------------------------------------------------------------


def test_the_signed_version_of_a_report_in_word_and_pdf(done):
    target = target_of(done, "陈晔", Level.DISTRICT)
    rendered = render("inspection-report", "docx", done, target=target)
    assert rendered.filename == "2021年后备干部选拔-考察材料-陈晔（区级后备干部）-第1稿.docx"
    doc_ = WordDocument(io.BytesIO(rendered.content))
    paragraphs = [p for p in doc_.paragraphs if p.text]
    assert paragraphs[0].text == "关于陈晔同志的考察材料"
    bold = [p.text for p in paragraphs if p.runs and p.runs[0].bold]
    for heading in HEADINGS:
        assert heading in bold
    assert "（一）德" in bold and "（五）廉" in bold
    text = "\n".join(p.text for p in paragraphs)
    assert f"第1轮会议推荐：{SENTENCE}。" in text
    assert "2019年获区级优秀党员称号" in text
    assert "第1稿，人事室 / 组织人事干部于" in text or "第1稿，" in text
    assert "已由" in text and "签发" in text
    assert "余立群" not in text and "邹建琴" not in text  # the interviewees
    pdf = pdf_text(doc("inspection-report", "pdf", done, target=target, version=1))
    assert "关于陈晔同志的考察材料" in pdf and "五、民主测评情况" in pdf
    other = target_of(done, "黄蔚敏", Level.DISTRICT)
    with pytest.raises(DomainError, match="没有第2稿"):
        render("inspection-report", "docx", done, target=other, version=2)
    foreign = ReportVersion.objects.get(report__target=other)
    with pytest.raises(DomainError, match="不属于此考察对象"):
        render("inspection-report", "docx", done, target=target, version=foreign)


# --- 5. 民主测评汇总表 -----------------------------------------------------------------------


def test_the_appraisal_summary_gives_counts_and_shares_and_respects_the_minimum(done):
    xlsx = doc("appraisal-summary", "xlsx", done)
    overall = sheet_rows(xlsx, "总体")
    assert overall[2] == ("序号", "姓名", "考察名单", "测评项目", "参加人数", "优秀", "优秀占比",
                          "称职", "称职占比", "基本称职", "基本称职占比", "不称职", "不称职占比",
                          "说明")  # fmt: skip
    rows = {(r[1], r[3]): r for r in overall[3:]}
    assert len(rows) == 25  # five people (one 民主测评 each) × 德能勤绩廉
    assert rows[("陈晔", "德")][4:13] == (8, 7, 0.875, 1, 0.125, 0, 0, 0, 0)
    assert rows[("陈晔", "能")][4:11] == (8, 5, 0.625, 2, 0.25, 1, 0.125)
    assert rows[("黄蔚敏", "廉")][2] == "区级后备干部、校级后备干部"
    groups = sheet_rows(xlsx, "分类别")
    chen = [r for r in groups if r[0] == "陈晔"]
    # Below its minimum (2 < 3), the service group is withheld, and the staff group with
    # it so the overall cannot give it away.
    assert [(r[1], r[2], r[-1]) for r in chen] == [
        ("教职工代表", 6, "为防止用总体减去其他组推算出人数不足的组，本组一并不显示。"),
        ("服务对象", 2, "参加2人，少于3人。"),
    ]
    huang = {(r[1], r[3]): r for r in groups if r[0] == "黄蔚敏"}
    assert huang[("服务对象", "绩")][2:8] == (3, "绩", 0, 0, 3, 1)
    word = doc("appraisal-summary", "docx", done)
    text = docx_text(word)
    assert "测评对象：陈晔（区级后备干部考察对象）" in text
    assert "参加测评8人：教职工代表6人、服务对象2人。" in text
    assert "“服务对象”分类结果不显示：参加2人，少于3人。" in text
    first = docx_tables(word)[0]
    assert first[1] == ["德", "8", "7", "87.5%", "1", "12.5%", "0", "0.0%", "0", "0.0%"]
    one = docx_text(
        doc("appraisal-summary", "docx", done, target=target_of(done, "浦吉丽", Level.SCHOOL))
    )
    assert "测评对象：浦吉丽" in one and "陈晔" not in one


# --- 6. 讨论决定记录 -------------------------------------------------------------------------


def test_the_minutes_record_attendance_quorum_each_statement_and_outcome(done):
    content = doc("decision-minutes", "docx", done)
    text = docx_text(content)
    assert f"会议时间：{CN(AGO(30))}" in text
    assert ("应到会成员（5人）：校务会成员1、校务会成员2、校务会成员3、"
            "校务会成员4（主要负责人）、校务会成员5") in text  # fmt: skip
    assert "缺席成员（1人）：校务会成员5" in text
    assert "实到会成员4人，达到应到会成员5人的2/3，会议有效。" in text
    tables = docx_tables(content)
    assert tables[0] == [["发言顺序", "成员", "表态"], ["1", "校务会成员1", "不同意"],
                         ["2", "校务会成员2", "同意"], ["3", "校务会成员3", "同意"],
                         ["4", "校务会成员4（主要负责人）", "同意"]]  # fmt: skip
    assert "表决结果：同意3票，超过应到会成员5人的1/2，通过。结果：通过。" in text
    assert "表决结果：不同意3票，超过应到会成员5人的1/2，未通过。结果：未通过。" in text
    assert "均未超过应到会成员5人的1/2，意见分歧，暂缓决定。结果：缓议。" in text
    summary = tables[-1]
    assert summary[0] == ["序号", "姓名", "名单", "同意", "不同意", "缓议", "结果"]
    assert summary[1:] == [
        ["1", "陈晔", "区级后备干部", "3", "1", "0", "通过"],
        ["2", "黄蔚敏", "区级后备干部", "4", "0", "0", "通过"],
        ["3", "卢懿蕾", "区级后备干部", "1", "3", "0", "未通过"],
        ["4", "黄蔚敏", "校级后备干部", "4", "0", "0", "通过"],
        ["5", "卢懿蕾", "校级后备干部", "4", "0", "0", "通过"],
        ["6", "浦吉丽", "校级后备干部", "4", "0", "0", "通过"],
        ["7", "张兰兰", "校级后备干部", "2", "0", "2", "缓议"],
    ]


# --- 7. 公示 --------------------------------------------------------------------------------


def test_the_public_notice_names_who_passed_with_its_working_days(done):
    published = PublicNotice.objects.get(cycle=done)
    period = f"公示时间：{CN(published.start)}至{CN(published.end)}（5个工作日）。"
    content = doc("public-notice", "docx", done)
    text = docx_text(content)
    (grid,) = docx_tables(content)
    assert [(r[1], r[-1]) for r in grid[1:]] == [
        ("陈晔", "区级后备干部"),
        ("黄蔚敏", "区级后备干部、校级后备干部"),
        ("卢懿蕾", "校级后备干部"),  # rejected for the district list
        ("浦吉丽", "校级后备干部"),
    ]  # 张兰兰 postponed: not on the notice
    assert period in text and "张兰兰" not in text
    assert "受理部门：人事室；联系人：人事干部；联系电话：021-5555-0101。" in text
    assert text.splitlines()[-2:] == ["市八初级中学", CN(published.start)]
    pdf = pdf_text(doc("public-notice", "pdf", done))
    assert period.replace(" ", "") in pdf and "拟列入" in pdf
    html = doc("public-notice", "html", done).decode()
    fragment = documents.public_notice_html(done)
    assert fragment.startswith('\n<div class="doc">') or fragment.lstrip().startswith("<div")
    assert period in fragment and fragment in html and "<html" not in fragment


def test_the_notice_can_be_previewed_before_it_is_published(db, school, users):
    walk, staff, office = new_walk(school, users)
    build(walk, staff, office, until=Stage.DECISION)
    with pytest.raises(DocumentUnavailable, match="尚未开始公示"):
        render("public-notice", "docx", walk.cycle)
    # 30 September 2026 over the National Day holiday: five working days end 12 October.
    text = docx_text(doc("public-notice", "docx", walk.cycle, start=dt.date(2026, 9, 30)))
    assert "公示时间：2026年9月30日至2026年10月12日（5个工作日）。" in text


# --- 8. 后备干部名单 (附1) --------------------------------------------------------------------


ANNEX = [
    "推荐时间", "推荐范围", "推荐条件、数量", "区级后备干部（2名）", "校级后备干部（3名）",
]  # fmt: skip


def test_the_reserve_list_is_laid_out_like_annex_1(done):
    content = doc("reserve-list", "docx", done)
    lines = [line for line in docx_text(content).splitlines() if line]
    assert lines[:7] == [
        "市八初级中学后备干部名单",
        "2021年后备干部选拔",
        f"推荐时间：{CN(TODAY())}。",
        "推荐范围：在编在岗教职工。",
        "推荐条件、数量：符合“2021年选拔”选拔条件（基准日2021年2月26日）；"
        "区级后备干部2名、校级后备干部3名。",
        "区级后备干部：（2名）陈晔、黄蔚敏。",
        "校级后备干部：（3名）黄蔚敏、卢懿蕾、浦吉丽。",
    ]
    district, school = docx_tables(content)
    assert district[0] == ["序号", "姓名", "性别", "出生年月", "政治面貌", "学历", "现任职务",
                           "成熟程度", "列入日期", "有效期至"]  # fmt: skip
    entry = PoolEntry.objects.get(cycle=done, person__name="陈晔")
    assert district[1] == ["1", "陈晔", "女", "1985年3月", "中共党员", "硕士研究生", "年级组长",
                           "中长期培养", CN(entry.decided_on), CN(entry.valid_until)]  # fmt: skip
    assert [r[1] for r in school[1:]] == ["黄蔚敏", "卢懿蕾", "浦吉丽"]
    xlsx = doc("reserve-list", "xlsx", done)
    annex = sheet_rows(xlsx, "名单")
    assert [r[0] for r in annex[3:]] == ANNEX
    assert annex[6][1] == "陈晔、黄蔚敏" and annex[7][1] == "黄蔚敏、卢懿蕾、浦吉丽"
    detail = sheet_rows(xlsx, "明细")
    assert [(r[0], r[2]) for r in detail[1:]] == [
        ("区级后备干部", "陈晔"), ("区级后备干部", "黄蔚敏"), ("校级后备干部", "黄蔚敏"),
        ("校级后备干部", "卢懿蕾"), ("校级后备干部", "浦吉丽"),
    ]  # fmt: skip
    # A rule set whose name already says 条件 is not followed by 选拔条件 again.
    RuleSet.objects.filter(pk=done.rule_set_id).update(name="2021年后备干部选拔条件")
    text = docx_text(doc("reserve-list", "docx", done))
    assert "推荐条件、数量：符合“2021年后备干部选拔条件”（基准日2021年2月26日）；" in text


def test_documents_wait_for_their_stage(db, school, users):
    walk, staff, office = new_walk(school, users)
    build(walk, staff, office, until=Stage.RECOMMENDATION)
    for key, fmt in (("recommendation-results", "docx"), ("inspection-notice", "docx"),
                     ("decision-minutes", "docx"), ("reserve-list", "xlsx"),
                     ("appraisal-summary", "xlsx")):  # fmt: skip
        with pytest.raises(DocumentUnavailable):
            render(key, fmt, walk.cycle)


# --- 9. the export of the pool, and the audit trail -----------------------------------------


def test_houbei_export_pool_writes_json_and_a_workbook(done, tmp_path, capsys):
    call_command("export", "pool", "--school", "shiba8", "--cycle", "2021", "--format", "json")
    data = json.loads(capsys.readouterr().out)
    assert data["cycle"]["title"] == "2021年后备干部选拔" and data["school"] == "市八初级中学"
    assert [(item["name"], item["count"]) for item in data["lists"]] == [
        ("区级后备干部", 2), ("校级后备干部", 3),
    ]  # fmt: skip
    chen = data["lists"][0]["entries"][0]
    assert chen["name"] == "陈晔" and chen["born"] == "1985-03" and chen["posts"] == ["年级组长"]
    assert "national_id" not in json.dumps(data) and "phone" not in chen
    out = tmp_path / "pool.xlsx"
    call_command("export", "pool", "--school", "shiba8", "--cycle", "2021", "--format", "xlsx",
                 "--output", str(out))  # fmt: skip
    assert [r[0] for r in sheet_rows(out.read_bytes(), "名单")[3:]] == ANNEX
    entries = AuditEntry.objects.filter(action="selection.pool.exported").order_by("seq")
    assert [(e.new["format"], e.new["entries"], e.actor_id) for e in entries] == [
        ("json", 5, None), ("xlsx", 5, None),
    ]  # fmt: skip
    with pytest.raises(CommandError, match="没有2019年度的选拔周期"):
        call_command("export", "pool", "--school", "shiba8", "--cycle", "2019", "--format", "json")
    with pytest.raises(CommandError, match="--cycle 只用于 pool 导出"):
        call_command("export", "roster", "--school", "shiba8", "--cycle", "2021")


def test_the_pool_export_checks_the_users_role(done):
    school = done.school
    staff_user = User.objects.get(school=school, role=Role.STAFF)
    with pytest.raises(NotAllowed):
        run_export("pool", school, actor=staff_user, filters={"cycle": "2021"}, fmt="json")
    officer = User.objects.get(school=school, role=Role.PERSONNEL)
    file = run_export("pool", school, actor=officer, filters={"cycle": "2021"}, fmt="xlsx")
    assert file.filename == "2021年后备干部选拔-后备干部名单.xlsx"
    (entry,) = AuditEntry.objects.filter(action="selection.pool.exported")
    assert entry.actor_id == officer.pk


def test_exporting_a_document_is_audited_and_kept_to_the_school(done, other_school):
    officer = User.objects.get(school=done.school, role=Role.PERSONNEL)
    target = target_of(done, "陈晔", Level.DISTRICT)
    rendered = documents.export_document(
        actor=officer, key="inspection-report", fmt="docx", cycle=done, target=target
    )
    assert rendered.content.startswith(b"PK")
    (entry,) = AuditEntry.objects.filter(action="selection.document.exported")
    assert entry.new["document"] == "inspection-report" and entry.new["target"] == str(target)
    assert entry.actor_id == officer.pk and entry.school_id == done.school_id
    stranger = make_user(Role.PERSONNEL, school=other_school)
    with pytest.raises(NotAllowed):
        documents.export_document(actor=stranger, key="reserve-list", fmt="docx", cycle=done)


# --- the whole set --------------------------------------------------------------------------


def test_the_full_document_set_of_one_cycle_renders(done):
    """Every document in every format: per round, per target (the 考察材料 of all seven),
    per person (民主测评); the archive of them all has a test of its own. Its time is
    measured by ``houbei bench selection``, not here."""
    calls = []
    for key, document in DOCUMENTS.items():
        if key == documents.ARCHIVE:
            continue
        if key == "inspection-report":
            for target in InspectionTarget.objects.filter(cycle=done):
                calls += [(key, fmt, {"target": target}) for fmt in document.formats]
        else:
            calls += [(key, fmt, {}) for fmt in document.formats]
    assert len(calls) == 56  # 15 documents; the 考察材料 per target (7)
    for key, fmt, params in calls:
        assert render(key, fmt, done, **params).content, (key, fmt)


def readable(fmt: str, content: bytes) -> object:
    """What a file says, whatever its format's own metadata (times, ids)."""
    if fmt == "docx":
        return docx_text(content)
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(content))
        return {name: list(book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    if fmt == "pdf":
        return pdf_text(content)
    return content.decode()


def test_the_set_says_what_each_file_says_with_fewer_queries(done, django_assert_max_num_queries):
    """``render_set`` builds each paper and the data several files read once, and prints
    its PDFs in two worker processes: every file says what its own ``render`` says, in
    the set's order, and the set reads the database less than the files one by one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    jobs = documents.document_set(done)
    assert len(jobs) == 56 and documents.ARCHIVE not in {key for key, _f, _p in jobs}
    singles = []
    with CaptureQueriesContext(connection) as one_by_one:
        for key, fmt, params in jobs:
            singles.append(render(key, fmt, done, **params))
    with CaptureQueriesContext(connection) as at_once:
        files = documents.render_set(done, jobs, workers=2)
    assert len(at_once) < len(one_by_one) * 0.6
    assert [(f.key, f.fmt) for f in files] == [(key, fmt) for key, fmt, _p in jobs]
    for item, single in zip(files, singles, strict=True):
        assert item.rendered is not None and item.rendered.filename == single.filename
        assert readable(item.fmt, item.rendered.content) == readable(item.fmt, single.content)
        assert item.cpu_seconds > 0
    # Printed in this process alone, the same.
    alone = documents.render_set(done, [j for j in jobs if j[1] == "pdf"], workers=1)
    assert [pdf_text(f.rendered.content) for f in alone] == [
        pdf_text(f.rendered.content) for f in files if f.fmt == "pdf"
    ]


def test_a_set_names_the_documents_a_cycle_has_not_reached(db, school, users):
    walk, staff, office = new_walk(school, users)
    build(walk, staff, office, until=Stage.RECOMMENDATION)
    files = {(f.key, f.fmt): f for f in documents.render_set(walk.cycle, workers=1)}
    assert files[("recommendation-form", "pdf")].rendered is not None
    waiting = files[("inspection-notice", "docx")]
    assert waiting.rendered is None and waiting.unavailable == "尚未确定考察对象。"
    assert ("inspection-report", "docx") not in files  # one file per target: none yet


def test_the_archive_files_every_document_by_stage_with_a_table_of_contents(done):
    import zipfile

    rendered = render("archive", "zip", done)
    assert rendered.filename == "2021年后备干部选拔-全套文书.zip"
    assert rendered.content_type == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(rendered.content))
    names = archive.namelist()
    expected = [
        (key, fmt)
        for key, fmt, _p in documents.document_set(done)
        if fmt in ("docx", "xlsx", "pdf")
    ]
    assert len(names) == len(expected) + 1  # and the 目录
    assert "2-民主推荐/2021年后备干部选拔-民主推荐表.pdf" in names
    assert "5-组织考察/2021年后备干部选拔-考察材料-陈晔（区级后备干部）-第1稿.docx" in names
    assert "8-完成/2021年后备干部选拔-后备干部名单.xlsx" in names
    contents = archive.read("目录.txt").decode().splitlines()
    assert contents[0] == "2021年后备干部选拔 全套文书目录"
    assert "2-民主推荐/2021年后备干部选拔-民主推荐表.pdf　民主推荐表" in contents
    pdf = pdf_text(archive.read("7-公示/2021年后备干部选拔-公示.pdf"))
    assert "市八初级中学后备干部人选公示" in pdf


def test_word_tables_repeat_their_heads_in_bold(done):
    content = doc("inspection-notice", "docx", done)
    head = WordDocument(io.BytesIO(content)).tables[0].rows[0]
    assert head._tr.trPr is not None and head._tr.trPr.xpath("./w:tblHeader")
    assert all(cell.paragraphs[0].runs[0].bold for cell in head.cells)


def pdf_fonts(content: bytes) -> dict[str, bool]:
    """Each font of a PDF by its base name (without the subset tag): embedded or not."""
    fonts = {}
    for page in PdfReader(io.BytesIO(content)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            name = str(font["/BaseFont"]).split("+", 1)[-1]
            fonts[name] = any(k.startswith("/FontFile") for k in descriptor.get_object())
    return fonts


def test_pdfs_print_in_the_cut_font_and_a_rare_character_in_the_full_one():
    """The papers' typeface, Noto Serif CJK SC, cut to the characters documents use and
    embedded; 喆 (not in GB 2312) comes from the full font, embedded too; every character
    reads back."""
    from houbei.selection import printing

    if not documents.cut_fonts():
        pytest.skip("Noto Serif CJK SC is not installed")
    paper = documents.Paper(
        "考察材料",
        (documents.title("关于邱喆同志的考察材料"), documents.para("德：政治立场坚定。①√℃")),
    )
    content = documents.pdf_of(paper)
    fonts = pdf_fonts(content)
    assert fonts == {
        "Houbei-Noto-Serif-SC-Bold": True,  # the title, but for 喆
        "Noto-Serif-CJK-SC-Bold": True,  # 喆
        "Houbei-Noto-Serif-SC": True,  # the text and the page number
    }
    assert "关于邱喆同志的考察材料" in pdf_text(content) and "德：政治立场坚定。①√℃" in pdf_text(
        content
    )
    assert ord("喆") not in printing.characters() and ord("晔") in printing.characters()


def test_pdfs_fetch_nothing_but_their_fonts(tmp_path, caplog):
    """A document's text can never make its PDF read a file or reach the network: only
    the cut fonts' files are fetched."""
    from houbei.selection import printing

    secret = tmp_path / "secret.css"
    secret.write_text("body { font-size: 60pt; }")
    html = (
        f'<html><head><link rel="stylesheet" href="{secret.as_uri()}">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
        "<body><p>后备干部</p></body></html>"
    )
    caplog.set_level("WARNING", logger="weasyprint")
    content = printing.pdf(html)
    assert "后备干部" in pdf_text(content)
    refused = " ".join(r.getMessage() for r in caplog.records)
    assert secret.as_uri() in refused and "http://127.0.0.1:9/x.css" in refused
