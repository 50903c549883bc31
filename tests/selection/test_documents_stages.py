"""The documents each stage names beyond the ballots, the 考察材料 and the notice — the
选拔工作方案 and the 参加民主推荐人员名单 of 筹备, the 征求意见表, the 考察对象名单, the
个别谈话记录, the 异议登记表 and the 调查核实情况报告 — made from the cycle of
``test_documents`` driven through every stage by the real services and read back (Word,
Excel, print view, PDF); who may have the confidential ones; and the stage pages offering
them to whom may have them."""

from __future__ import annotations

import io
import zipfile

import pytest
from openpyxl import load_workbook

from houbei.accounts.models import Role, User
from houbei.core.errors import NotAllowed
from houbei.eligibility.models import Rule
from houbei.selection import documents
from houbei.selection.documents import DocumentUnavailable, render
from houbei.selection.models import Cycle, InspectionTarget, Level, Stage
from houbei.selection.pages import stage_url
from houbei.selection.services import remove_from_roll

from ..conftest import make_user
from . import test_documents as walked
from .test_documents import (
    AGO,
    CN,
    STAFF,
    TODAY,
    build,
    doc,
    docx_tables,
    docx_text,
    new_walk,
    pdf_text,
    target_of,
)
from .views_support import as_user, page

pytestmark = pytest.mark.django_db

# The cycle of ``test_documents`` through every stage, built once for this module too.
built = walked.built


@pytest.fixture
def done(built, db) -> Cycle:
    return Cycle.objects.get(pk=built.cycle)


def sheet(content: bytes, name: str) -> list[tuple[object, ...]]:
    return list(load_workbook(io.BytesIO(content))[name].iter_rows(values_only=True))


def user(cycle: Cycle, role: str) -> User:
    return User.objects.get(school=cycle.school, role=role)


# --- 筹备 -------------------------------------------------------------------------------------


def test_the_plan_sets_out_lists_conditions_roll_stages_and_the_cycles_rules(done):
    text = docx_text(doc("selection-plan", "docx", done))
    lines = text.splitlines()
    assert lines[0] == "市八初级中学2021年后备干部选拔工作方案"
    assert (
        "根据《市八初级中学后备管理干部选拔轮岗锻炼使用方案》，为做好2021年后备干部选拔工作" in text
    )
    assert "本次选拔区级后备干部2名、校级后备干部3名。一人可同时列入两个名单。" in lines
    assert "按“2021年选拔”，以2021年2月26日为基准日计算，应具备以下条件：" in lines
    labels = list(
        Rule.objects.filter(rule_set=done.rule_set, enabled=True)
        .exclude(strength="scope")
        .order_by("sort_order", "pk")
        .values_list("label", "strength")
    )
    numbered = [line for line in lines if line[:1].isdigit() and ". " in line[:4]]
    for number, (label, strength) in enumerate(labels, start=1):
        assert numbered[number - 1].startswith(f"{number}. {label}"), (number, label)
        assert ("（参考条件）" in numbered[number - 1]) == (strength == "soft")
    roll = len(docx_tables(doc("roll", "docx", done))[0]) - 1
    assert f"参加民主推荐人员为在编在岗教职工，按知情度、关联度、代表性原则确定，共{roll}人" in text
    (steps,) = docx_tables(doc("selection-plan", "docx", done))
    assert steps[0] == ["序号", "阶段", "主要工作", "负责", "完成时限"]
    assert [row[1] for row in steps[1:]] == ["筹备", "民主推荐", "征求意见", "确定考察对象",
                                            "组织考察", "讨论决定", "公示", "完成"]  # fmt: skip
    inspection = steps[5]
    assert inspection[3] == "人事干部" and inspection[4] == CN(TODAY())  # planned in the build
    assert steps[1][3] == "人事室" and steps[1][4] == ""  # the stage's own description
    assert "参加推荐人数须达到应参加人数的2/3，否则本轮推荐无效；最高得票率低于30%的" in text
    assert "确定考察对象一般实行差额考察。考察前3天发布考察预告" in text
    assert "同意票超过应到会成员的1/2为通过" in text and "公示期不少于5个工作日" in text
    assert "一般不超过3个月" in text and "有效期2年" in text
    pdf = pdf_text(doc("selection-plan", "pdf", done))
    assert "2021年后备干部选拔工作方案" in pdf and "五、选拔程序及时间安排" in pdf
    assert "selection/print.css" in doc("selection-plan", "html", done).decode()


def test_before_the_recommendation_the_plan_reads_the_rule_set_and_the_roll_is_kept(
    db, school, users
):
    walk, staff, _office = new_walk(school, users)
    cycle = walk.cycle
    assert cycle.eligibility_snapshot is None
    text = docx_text(doc("selection-plan", "docx", cycle))
    first = Rule.objects.filter(rule_set=cycle.rule_set, enabled=True).exclude(strength="scope")
    assert f"1. {first.order_by('sort_order', 'pk')[0].label}" in text
    remove_from_roll(actor=walk.admin, cycle=cycle, person=staff[8], reason="长期病假")
    content = doc("roll", "docx", cycle)
    names, removed = docx_tables(content)
    assert names[0] == ["序号", "姓名", "性别", "政治面貌", "现任职务", "列入依据"]
    listed = [row[1] for row in names[1:]]
    assert "邹建琴" not in listed and set(STAFF[:8]) <= set(listed)
    assert names[1][5] == "在编在岗教职工"
    assert removed == [["序号", "姓名", "移出理由"], ["1", "邹建琴", "长期病假"]]
    text = docx_text(content)
    assert f"共{len(listed)}人。" in text and text.splitlines()[-1] == "　　年　　月　　日"
    book = load_workbook(io.BytesIO(doc("roll", "xlsx", cycle)))
    assert book.sheetnames == ["名单", "名单调整"]
    rows = sheet(doc("roll", "xlsx", cycle), "名单")
    assert rows[2] == ("序号", "姓名", "性别", "政治面貌", "现任职务", "列入依据")
    assert [r[1] for r in rows[3:]] == listed
    assert sheet(doc("roll", "xlsx", cycle), "名单调整")[3] == ("1", "邹建琴", "长期病假")
    with pytest.raises(DocumentUnavailable, match="尚无民主推荐或谈话调研推荐结果"):
        render("opinion-form", "docx", cycle)


# --- 征求意见 ---------------------------------------------------------------------------------


def test_the_opinion_form_lists_the_recommended_with_their_figures_and_both_opinions(done):
    content = doc("opinion-form", "docx", done)
    (grid,) = docx_tables(content)
    assert grid[0] == ["序号", "姓名", "现任职务", "推荐情况", "学校领导班子意见", "党支部意见"]
    chen = next(row for row in grid[1:] if row[1] == "陈晔")
    assert chen[0] == "1" and chen[2] == "年级组长"
    assert chen[3].startswith("区级后备干部：第1位，9票（100.0%），谈话调研推荐8人次")
    assert chen[5] == "有保留意见：群众基础有待加强"
    assert chen[4].startswith("同意")
    assert {row[1] for row in grid[1:]} <= set(STAFF)
    text = docx_text(content)
    assert "根据第1轮会议推荐和谈话调研推荐情况，就以下人选征求学校领导班子和党支部的意见。" in text
    assert "学校领导班子（签字）：＿＿＿＿＿＿" in text
    html = doc("opinion-form", "html", done).decode()
    assert "群众基础有待加强" in html


# --- 确定考察对象 -----------------------------------------------------------------------------


def test_the_target_list_gives_places_and_targets_per_list_with_the_figures_beside(done):
    content = doc("target-list", "docx", done)
    text = docx_text(content)
    assert "区级后备干部（名额2名，考察对象3名）" in text
    assert "校级后备干部（名额3名，考察对象4名）" in text
    district, school = docx_tables(content)
    assert district[0] == ["序号", "姓名", "性别", "出生年月", "政治面貌", "现任职务", "推荐情况"]
    assert [row[1] for row in district[1:]] == ["陈晔", "黄蔚敏", "卢懿蕾"]
    chen = target_of(done, "陈晔", Level.DISTRICT)
    assert district[1][6] == chen.votes_note and "第1轮民主推荐" in chen.votes_note
    assert len(school) == 5
    decided = chen.selection.decided_on
    assert f"以上考察对象经学校校务会、支委会于{CN(decided)}集体研究确定。" in text
    rows = sheet(doc("target-list", "xlsx", done), "考察对象")
    assert rows[2][:3] == ("名单", "序号", "姓名")
    assert rows[3][:3] == ("区级后备干部", "1", "陈晔")
    assert rows[3][-1] == CN(chen.notice_published_on)
    assert len(rows) == 3 + 7


def test_documents_wait_for_the_stage_that_makes_their_data(db, school, users):
    walk, staff, office = new_walk(school, users)
    build(walk, staff, office, until=Stage.RECOMMENDATION)
    for key, message in (
        ("target-list", "尚未确定考察对象"),
        ("talk-records", "尚未确定考察对象"),
        ("objection-register", "尚未开始公示"),
        ("investigation-report", "尚未开始公示"),
    ):
        with pytest.raises(DocumentUnavailable, match=message):
            render(key, "docx", walk.cycle)


# --- 组织考察 ---------------------------------------------------------------------------------


def test_the_talk_records_give_each_talk_per_person_and_stay_with_the_decision_body(done):
    content = doc("talk-records", "docx", done)
    text = docx_text(content)
    assert text.splitlines()[0] == "市八初级中学后备干部考察个别谈话记录"
    assert "考察对象：黄蔚敏（区级后备干部、校级后备干部）" in text  # once, on both lists
    assert text.count("考察对象：黄蔚敏") == 1
    tables = docx_tables(content)
    assert tables[0][0] == ["序号", "谈话日期", "谈话对象", "谈话人", "谈话要点"]
    assert tables[0][1:] == [
        ["1", CN(AGO(2)), "余立群", "校长、书记", "余立群认为其工作主动"],
        ["2", CN(AGO(1)), "邹建琴", "校长、书记", "邹建琴认为其工作主动"],
    ]
    # Talked about on each of the person's targets: both lists' talks are about them.
    huang = docx_tables(content)[1]
    assert len(huang) == 1 + 4
    one = render("talk-records", "docx", done, target=target_of(done, "陈晔", Level.DISTRICT))
    assert (
        one.filename == "2021年后备干部选拔-个别谈话记录-陈晔.docx"
    )  # the talks are about the person
    assert "黄蔚敏" not in docx_text(one.content)
    assert "余立群认为其工作主动" in doc("talk-records", "html", done).decode()
    decider, office = user(done, Role.DECISION), user(done, Role.PERSONNEL)
    assert documents.export_document(actor=decider, key="talk-records", fmt="docx", cycle=done)
    for reader in (
        office,
        user(done, Role.STAFF),
        make_user(Role.DISTRICT, district=done.school.district),
    ):
        with pytest.raises(NotAllowed):
            documents.export_document(actor=reader, key="talk-records", fmt="docx", cycle=done)


# --- 公示 -------------------------------------------------------------------------------------


def test_the_objection_register_lists_each_objection_as_registered_and_dealt_with(done):
    content = doc("objection-register", "docx", done)
    text = docx_text(content)
    assert text.splitlines()[0] == "市八初级中学后备干部人选公示异议登记表"
    (grid,) = docx_tables(content)
    assert grid[0] == ["序号", "收到日期", "被反映人", "反映方式", "反映人及联系方式", "反映内容",
                       "处理结果"]  # fmt: skip
    assert grid[1] == [
        "1", CN(AGO(23)), "陈晔（区级后备干部）", "署名", "奚莉，021-5555-0102",
        "陈晔同志在年级组工作中有时作风急躁。",
        f"问题轻微，继续并进行提醒谈话（{CN(AGO(21))}提醒谈话）",
    ]  # fmt: skip
    assert grid[2][3:5] == ["匿名", ""]
    assert grid[2][6] == "反映问题不存在或不影响使用，继续"
    rows = sheet(doc("objection-register", "xlsx", done), "异议")
    assert rows[3][4] == "奚莉，021-5555-0102" and rows[4][3] == "匿名"


def test_the_investigation_report_reports_each_objection_without_naming_its_reporter(done):
    text = docx_text(doc("investigation-report", "docx", done))
    lines = text.splitlines()
    assert lines[0] == "关于2021年后备干部选拔公示期间反映问题的调查核实情况报告"
    assert "公示期间共收到反映2件（署名1件、匿名1件），涉及2人。" in text
    assert "一、关于反映陈晔同志（区级后备干部）的问题" in lines
    assert "二、关于反映黄蔚敏同志（区级后备干部）的问题" in lines
    assert (
        f"（一）反映的主要问题（{CN(AGO(23))}收到，署名反映）：陈晔同志在年级组工作中有时作风急躁。"
        in lines
    )
    assert "（二）调查核实情况：经与年级组教师个别了解，反映情况基本属实，属工作方法问题。" in lines
    assert f"（四）反馈情况：{CN(AGO(20))}已向反映人反馈：已将调查核实情况和处理意见告知。" in lines
    assert "（四）反馈情况：匿名反映，不作反馈。" in lines
    assert "奚莉" not in text and "021-5555-0102" not in text
    assert lines[-2:] == ["市八初级中学人事室", CN(TODAY())]
    pdf = pdf_text(doc("investigation-report", "pdf", done))
    assert "调查核实情况报告" in pdf and "特此报告。" in pdf and "奚莉" not in pdf
    office = user(done, Role.PERSONNEL)
    assert documents.export_document(
        actor=office, key="investigation-report", fmt="pdf", cycle=done
    ).content.startswith(b"%PDF")
    for reader in (user(done, Role.STAFF), make_user(Role.DISTRICT, district=done.school.district)):
        for key in ("investigation-report", "objection-register"):
            with pytest.raises(NotAllowed):
                documents.export_document(actor=reader, key=key, fmt="docx", cycle=done)


def test_the_archive_holds_what_its_reader_may_have(done):
    def names(role: str) -> list[str]:
        rendered = documents.export_document(
            actor=user(done, role), key="archive", fmt="zip", cycle=done
        )
        return zipfile.ZipFile(io.BytesIO(rendered.content)).namelist()

    deciding, office = names(Role.DECISION), names(Role.PERSONNEL)
    talks = "5-组织考察/2021年后备干部选拔-个别谈话记录.docx"
    assert talks in deciding and talks not in office
    assert "1-筹备/2021年后备干部选拔-选拔工作方案.pdf" in office
    assert "7-公示/2021年后备干部选拔-异议登记表.xlsx" in office
    assert set(office) < set(deciding)


# --- the stage pages --------------------------------------------------------------------------


def test_the_stage_pages_offer_each_document_to_whom_may_have_it(client, done):
    """Each stage's page lists its documents with a link per format (from the registry);
    the talks only for the decision body, as the talks themselves."""
    wanted = {
        Stage.PREPARATION: ["selection-plan", "roll"],
        Stage.OPINIONS: ["opinion-form"],
        Stage.TARGETS: ["target-list", "inspection-notice"],
        Stage.INSPECTION: ["talk-records", "appraisal-summary"],
        Stage.NOTICE: ["public-notice", "objection-register", "investigation-report"],
        Stage.DONE: ["reserve-list", "archive"],
    }
    for role in (Role.DECISION, Role.PERSONNEL):
        as_user(client, user(done, role))
        for stage, keys in wanted.items():
            html = page(client, stage_url(done, stage))
            for key in keys:
                offered = all(
                    f"/documents/{fmt}/?key={key}" in html
                    for fmt in documents.DOCUMENTS[key].formats
                )
                expected = not (key == "talk-records" and role == Role.PERSONNEL)
                assert offered == expected, (role, stage, key)
                assert str(documents.DOCUMENTS[key].title) in html or not expected
    as_user(client, user(done, Role.DECISION))
    response = client.get(f"/selection/{done.pk}/documents/xlsx/", {"key": "roll"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    target = InspectionTarget.objects.filter(cycle=done).first()
    html = page(client, f"/selection/{done.pk}/inspection/{target.pk}/")
    assert f"key=talk-records&amp;target={target.pk}" in html
    as_user(client, user(done, Role.PERSONNEL))
    refused = client.get(f"/selection/{done.pk}/documents/docx/", {"key": "talk-records"})
    assert refused.status_code == 403
