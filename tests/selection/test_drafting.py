"""The draft of a 考察材料 (``drafting.draft_report``) from a cycle driven through the real
services: every section of the official structure, the facts of the person's file and of
the cycle in it, marked gaps where data is missing, no interviewee named, no figure the
民主测评's minimum hides; and a saved version laid out in Word."""

from __future__ import annotations

import io
import re

import pytest
from django.utils import translation
from docx import Document as WordDocument

from houbei.ballots.ratings import services as ratings
from houbei.core.errors import ValidationFailed
from houbei.selection import inspection, workflow
from houbei.selection.documents import render
from houbei.selection.drafting import DIMENSIONS, HEADINGS, draft_report, parse
from houbei.selection.models import InspectionTarget, Level, Stage

from .test_documents import SENTENCE, build

pytestmark = pytest.mark.django_db

INTERVIEWEES = ("余立群", "邹建琴")  # staff[7], staff[8]: talked to about every target


@pytest.fixture
def office(school):
    from ..factories import make_person

    return make_person(school, name="人事干部", phone="021-5555-0101")


def target(walk, name: str, level: str = Level.DISTRICT) -> InspectionTarget:
    return InspectionTarget.objects.get(
        cycle=walk.cycle, person__name=name, cycle_list__level=level
    )


def gaps(text: str) -> list[str]:
    return re.findall(r"【待补充：([^】]+)】", text)


def test_the_draft_follows_the_official_structure_with_the_facts_of_the_file(walk, staff, office):
    build(walk, staff, office, until=Stage.INSPECTION)
    text = draft_report(target(walk, "陈晔"))
    lines = text.splitlines()
    assert lines[0] == "关于陈晔同志的考察材料"
    headings = [line for line in lines if line in HEADINGS or line in dict(DIMENSIONS)]
    assert headings == [HEADINGS[0], HEADINGS[1], *dict(DIMENSIONS), *HEADINGS[2:]]
    # 基本情况 from the registry and the eligibility snapshot.
    assert "中共党员，硕士研究生学历，中学一级教师，任教语文" in text
    assert "任职经历：2012年9月—2016年7月，班主任；2016年9月至今，年级组长。" in text
    assert "所获荣誉：2019年获区级优秀党员称号；2018年获校级优秀班主任称号。" in text
    assert "对照选拔条件（基准日2021年2月26日）：" in text and "在本校工作10年5个月" in text
    # 德 has the party honour, 绩 the other one, each with its 民主测评 line.
    section = lambda name: text.split(name)[1].split("\n\n")[0]  # noqa: E731
    assert "2019年获区级优秀党员称号" in section("（一）德")
    assert "民主测评中，对其“德”的评价为：优秀7票（占87.5%）、称职1票（占12.5%）" in section(
        "（一）德"
    )
    assert "2018年获校级优秀班主任称号" in section("（四）绩")
    assert "先后担任班主任（3年11个月）、年级组长" in section("（二）能")
    # 主要缺点和不足: the low grades and the reserved opinion, as recorded.
    shortcomings = section(HEADINGS[2])
    assert "民主测评中，“能”基本称职1票。" in shortcomings
    assert "征求意见时，党支部有保留意见：群众基础有待加强。" in shortcomings
    # The recommendation in the official sentence, the talks recommendation, opinions.
    assert f"第1轮会议推荐：{SENTENCE}。" in text
    assert "谈话调研推荐：共谈话12人，推荐其为区级后备干部8人次，占谈话人数66.7%。" in text
    assert "征求意见：学校领导班子意见为“同意”；党支部意见为“有保留意见”。" in text
    # 民主测评 in counts and shares per grade.
    assert "民主测评共有8人参加（教职工代表6人、服务对象2人）" in text
    assert (
        "能：优秀5票（占62.5%）、称职2票（占25.0%）、基本称职1票（占12.5%）、不称职0票（占0.0%）。"
        in text
    )
    # The talks in aggregate only.
    assert "考察组（校长、书记）按知情度、关联度确定谈话对象，共个别谈话2人次、2人。" in text
    assert not any(name in text for name in INTERVIEWEES)
    assert "认为其工作主动" not in text  # no talk's summary
    # Where the system knows nothing, it says so for the editor.
    # The three appraisal years completed before the reference date (2021-02-26).
    assert "档案中暂无2018—2020年度考核等次记录。" in text
    assert len(gaps(text)) == 8  # 德能勤绩廉, shortcomings, talks, annual grades
    assert "2018—2020年度考核等次" in gaps(text)


def test_a_group_below_its_minimum_is_never_quoted(walk, staff, office):
    build(walk, staff, office, until=Stage.INSPECTION)
    chen = draft_report(target(walk, "陈晔"))
    assert "“服务对象”的分类结果不显示：参加2人，少于3人。" in chen
    assert "其中服务对象" not in chen and "其中教职工代表" not in chen
    huang = draft_report(target(walk, "黄蔚敏"))
    assert "其中教职工代表：德优秀5票（占83.3%）" in huang
    assert "其中服务对象：德优秀3票（占100.0%）" in huang
    # On both lists: one 民主测评, the talks about either target, both lists named.
    assert "黄蔚敏同志为区级后备干部、校级后备干部考察对象。" in huang
    assert "共个别谈话4人次、2人。" in huang


def test_a_draft_says_what_is_not_yet_known(walk, staff, office):
    lu = staff[2]
    lu.birth_date = None
    lu.save()
    build(walk, staff, office, until=Stage.TARGETS)
    workflow.start_inspection(actor=walk.admin, cycle=walk.cycle)
    text = draft_report(target(walk, "卢懿蕾"))
    assert "【待补充：出生年月】" in text
    assert "所获荣誉：档案中无荣誉记录。" in text
    assert "尚未组织民主测评。【待补充：民主测评情况】" in text
    assert "尚未进行个别谈话。【待补充：个别谈话情况】" in text
    assert "民主测评中，对其" not in text
    pending = inspection.start_appraisal(
        actor=walk.admin, target=target(walk, "卢懿蕾"), groups=[ratings.GroupDraft("教职工代表")]
    )
    assert "民主测评结果尚未发布。" in draft_report(pending)


def test_the_draft_is_chinese_whatever_the_page_language(walk, staff, office):
    build(walk, staff, office, until=Stage.INSPECTION)
    with translation.override("en"):
        text = draft_report(target(walk, "陈晔"))
    assert text.splitlines()[0] == "关于陈晔同志的考察材料" and HEADINGS[0] in text


def test_a_saved_draft_and_its_later_versions_in_word(walk, staff, office):
    build(walk, staff, office, until=Stage.INSPECTION)
    chen = target(walk, "陈晔")
    unsaved = render("inspection-report", "docx", walk.cycle, target=chen)
    assert unsaved.filename.endswith("-草稿.docx")
    assert "尚未保存为版本" in WordDocument(io.BytesIO(unsaved.content)).paragraphs[-1].text
    draft = draft_report(chen)
    inspection.save_report(actor=walk.admin, target=chen, text=draft)
    with pytest.raises(ValidationFailed, match="第1稿还有8处待补充内容"):
        inspection.sign_off_report(actor=walk.decider, target=chen)
    # The gaps filled in, it is signed off as the second version.
    filled = inspection.GAP_MARK.sub("经核实，无补充。", draft)
    inspection.save_report(actor=walk.admin, target=chen, text=filled)
    inspection.sign_off_report(actor=walk.decider, target=chen)
    edited = filled.replace("经核实，无补充。", "带领年级组完成区级课题。", 1)
    inspection.save_report(actor=walk.admin, target=chen, text=edited)
    signed = WordDocument(io.BytesIO(render("inspection-report", "docx", walk.cycle,
                                            target=chen).content))  # fmt: skip
    paragraphs = [p for p in signed.paragraphs if p.text]
    # Every line of the version, in order, then the note of which version it is.
    assert [p.text for p in paragraphs[:-1]] == [line for line in filled.splitlines() if line]
    assert paragraphs[0].alignment is not None and paragraphs[0].runs[0].bold
    assert all(p.runs[0].bold for p in paragraphs if p.text in HEADINGS)
    assert paragraphs[-1].text.startswith("第2稿，") and "签发" in paragraphs[-1].text
    later = render("inspection-report", "docx", walk.cycle, target=chen, version=3)
    text = "\n".join(p.text for p in WordDocument(io.BytesIO(later.content)).paragraphs)
    assert "带领年级组完成区级课题。" in text and text.rstrip().endswith("本稿未签发。")


def test_reading_a_version_back_keeps_every_line():
    text = "关于某同志的考察材料\n\n一、基本情况\n某某，女。\n（一）德\n一、二年级工作中，长期坚持家访，效果较好，受到家长和学生的好评。\n\n补记"
    blocks = parse(text)
    assert [(b.kind, b.text) for b in blocks] == [
        ("title", "关于某同志的考察材料"),
        ("h1", "一、基本情况"),
        ("p", "某某，女。"),
        ("h2", "（一）德"),
        ("p", "一、二年级工作中，长期坚持家访，效果较好，受到家长和学生的好评。"),
        ("p", "补记"),
    ]


def test_the_recent_annual_grades_in_the_official_wording(walk, staff, office):
    from houbei.people.models import AppraisalGrade
    from houbei.people.services import add_annual_appraisal

    build(walk, staff, office, until=Stage.INSPECTION)
    chen = target(walk, "陈晔")
    person = chen.person
    for year, grade in ((2018, AppraisalGrade.EXCELLENT), (2020, AppraisalGrade.EXCELLENT),
                        (2017, AppraisalGrade.QUALIFIED), (2021, AppraisalGrade.QUALIFIED)):  # fmt: skip
        add_annual_appraisal(actor=walk.admin, person=person, year=year, grade=grade)
    section = draft_report(chen).split(HEADINGS[6])[1].split("\n\n")[0].strip()
    # 2019 missing: the recorded years stated, the missing one named as a gap. 2017 is
    # before the window, 2021 after the reference date (not complete then).
    assert section == (
        "2018—2020年度考核等次：2018年度优秀，2020年度优秀；2019年度档案中无记录。"
        "【待补充：2019年度考核等次】"
    )
    add_annual_appraisal(actor=walk.admin, person=person, year=2019,
                         grade=AppraisalGrade.QUALIFIED)  # fmt: skip
    text = draft_report(chen)
    section = text.split(HEADINGS[6])[1].split("\n\n")[0].strip()
    assert section == "2018—2020年度考核等次分别为：优秀、合格、优秀。"
    assert len(gaps(text)) == 7  # the annual grades are no longer a gap
    # Another target's own record, not this one's.
    assert "档案中暂无2018—2020年度考核等次记录。" in draft_report(target(walk, "黄蔚敏"))
    shortcomings = text.split(HEADINGS[2])[1].split(HEADINGS[3])[0]
    assert "近年年度考核中" not in shortcomings
    # A grade below 合格 in the window is stated among the shortcomings, not left to memory.
    huang = target(walk, "黄蔚敏")
    add_annual_appraisal(actor=walk.admin, person=huang.person, year=2019,
                         grade=AppraisalGrade.UNQUALIFIED)  # fmt: skip
    add_annual_appraisal(actor=walk.admin, person=huang.person, year=2020,
                         grade=AppraisalGrade.BASICALLY_QUALIFIED)  # fmt: skip
    shortcomings = draft_report(huang).split(HEADINGS[2])[1].split(HEADINGS[3])[0]
    assert "近年年度考核中，2019年度为不合格，2020年度为基本合格。" in shortcomings


def test_a_post_is_named_as_held_with_the_title_of_its_history_row():
    from houbei.selection.drafting import history_title, post_title

    assert post_title("教务处", "副主任") == "教务处副主任"
    assert post_title("教务处", "干事") == "教务处干事"
    assert post_title("教导处", "2016年任副主任，2019年起任主任") == "教导处主任"
    assert history_title("教导处", "2016年任副主任，2019年起任主任") == (
        "教导处（2016年任副主任，2019年起任主任）"
    )
    assert post_title("工会", "工会副主席") == "工会副主席"
    assert post_title("（副）校级", "副校长（分管教学）") == "副校长（分管教学）"
    assert post_title("年级组长", "2018级") == "年级组长（2018级）"
    assert post_title("班主任", "") == "班主任"
