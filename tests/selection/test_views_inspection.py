"""组织考察 through the pages: talks recorded and read by the decision body only, the
民主测评 started as a rating round of the ratings pages, the 考察材料 drafted, edited in
versions and signed off by someone other than its writer, the checklist."""

from __future__ import annotations

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.ballots.ratings.models import RatingRound, RoundStatus
from houbei.selection import inspection, workflow
from houbei.selection.models import InspectionReport, InspectionTalk, InspectionTarget

from .conftest import TODAY
from .views_support import as_user, page, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspecting(walk):
    walk.to_inspection()
    return walk


def _target(walk):
    return InspectionTarget.objects.active().filter(cycle=walk.cycle).order_by("pk").first()


def test_talks_are_the_decision_bodys(client, users, inspecting, staff):
    walk, target = inspecting, _target(inspecting)
    url = reverse("selection:talk_record", args=[walk.cycle.pk, target.pk])
    decision = as_user(client, users[Role.DECISION])
    text = post(decision, url, {"interviewee_name": staff[5].name, "held_on": TODAY().isoformat(),
                                "interviewer": "", "summary": "工作踏实"})  # fmt: skip
    assert 'id="id_interviewer_error"' in text and not InspectionTalk.objects.exists()
    post(
        decision, url,
        {"interviewee_name": staff[5].name, "held_on": TODAY().isoformat(),
         "interviewer": "校长", "summary": "工作踏实，敢于担当"},
    )  # fmt: skip
    talk = InspectionTalk.objects.get()
    assert talk.interviewee == staff[5] and talk.interviewer == "校长"
    (entry,) = AuditEntry.objects.filter(action="selection.talk.recorded")
    assert "工作踏实" not in str(entry.new)
    page_url = reverse("selection:inspection_target", args=[walk.cycle.pk, target.pk])
    assert "工作踏实，敢于担当" in page(decision, page_url)
    personnel = as_user(client, users[Role.PERSONNEL])
    assert "工作踏实，敢于担当" not in page(personnel, page_url)
    assert personnel.post(url, {}).status_code == 403


def test_the_appraisal_is_a_rating_round_of_the_ratings_pages(client, users, inspecting):
    walk, target = inspecting, _target(inspecting)
    personnel = as_user(client, users[Role.PERSONNEL])
    url = reverse("selection:appraisal", args=[walk.cycle.pk, target.pk])
    data = {"group1_name": "校领导", "group1_k": "3", "group1_mode": "roll",
            "group2_name": "教师代表", "group2_k": "5", "group2_mode": "codes"}  # fmt: skip
    response = personnel.post(url, data)
    target.refresh_from_db()
    rating_round = RatingRound.objects.get()
    assert target.rating_round == rating_round and rating_round.status == RoundStatus.DRAFT
    assert response["Location"] == reverse("ratings:detail", args=[rating_round.pk])
    assert [g.name for g in rating_round.groups.order_by("pk")] == ["校领导", "教师代表"]
    text = page(personnel, reverse("selection:inspection_target", args=[walk.cycle.pk, target.pk]))
    assert reverse("ratings:detail", args=[rating_round.pk]) in text
    assert f'action="{url}"' not in text  # once is enough


def test_the_report_is_drafted_edited_in_versions_and_signed_off_by_another(
    client, users, inspecting
):
    walk, target = inspecting, _target(inspecting)
    cycle = walk.cycle
    personnel = as_user(client, users[Role.PERSONNEL])
    page_url = reverse("selection:inspection_target", args=[cycle.pk, target.pk])
    text = post(personnel, reverse("selection:report_draft", args=[cycle.pk, target.pk]))
    assert "已按现有材料起草第1稿" in text
    report = InspectionReport.objects.get(target=target)
    drafted = report.versions.get().text
    assert target.person.name in drafted
    post(
        personnel, reverse("selection:report_save", args=[cycle.pk, target.pk]),
        {"text": drafted + "\n补充：该同志主动承担急难险重任务。"},
    )  # fmt: skip
    assert list(report.versions.values_list("number", flat=True)) == [1, 2]
    text = page(personnel, page_url)
    assert "主动承担急难险重任务" in text and "第2稿" in text
    assert "第1版" not in text and "第2版" not in text  # 稿, as the documents say
    assert "签发第2稿" not in text  # the office writes, the decision body signs off
    decision = as_user(client, users[Role.DECISION])
    text = post(decision, reverse("selection:report_sign", args=[cycle.pk, target.pk]))
    gaps = inspection.gaps_in(drafted)
    assert gaps and f"考察材料第2稿还有{len(gaps)}处待补充内容（第一处：{gaps[0]}）" in text
    assert report.signed_version_id is None
    personnel = as_user(client, users[Role.PERSONNEL])
    post(
        personnel, reverse("selection:report_save", args=[cycle.pk, target.pk]),
        {"text": inspection.GAP_MARK.sub("已核实补充", drafted)},
    )  # fmt: skip
    decision = as_user(client, users[Role.DECISION])
    text = post(decision, reverse("selection:report_sign", args=[cycle.pk, target.pk]))
    assert "已签发考察材料第3稿。" in text
    report.refresh_from_db()
    assert report.signed_version.number == 3 and report.signed_by == users[Role.DECISION]
    assert "已签发" in page(decision, page_url)
    # The first version stays readable.
    first = page(decision, page_url, v="1").split('class="report-text">')[1].split("</div>")[0]
    assert "主动承担急难险重任务" not in first and target.person.name in first


def test_the_checklist_and_the_advance_follow_the_inspection(client, users, inspecting):
    walk = inspecting
    cycle = walk.cycle
    personnel = as_user(client, users[Role.PERSONNEL])
    text = post(personnel, reverse("selection:advance", args=[cycle.pk]), {"stage": "inspection"})
    assert "还不能提交讨论决定：" in text and "尚未组织民主测评" in text
    walk.inspect()
    target = _target(walk)
    text = page(personnel, reverse("selection:inspection_target", args=[cycle.pk, target.pk]))
    assert '民主测评 <span class="muted">已发布</span>' in text
    text = page(personnel, reverse("selection:inspection", args=[cycle.pk]))
    assert text.count("已签发") == 7
    post(personnel, reverse("selection:advance", args=[cycle.pk]), {"stage": "inspection"})
    cycle.refresh_from_db()
    assert cycle.stage == "decision"
    assert workflow.problems(cycle)


def test_a_talk_about_someone_on_both_lists_shows_on_both_targets(client, users, inspecting):
    """卢懿蕾 is a target of both lists and talked about once: the talk, its count on the
    inspection page and the checklist are the same on either target."""
    walk = inspecting
    cycle = walk.cycle
    both = [t for t in walk.active_targets() if t.person == walk.staff[1]]
    assert len(both) == 2
    decision = as_user(client, users[Role.DECISION])
    post(
        decision, reverse("selection:talk_record", args=[cycle.pk, both[0].pk]),
        {"interviewee_name": walk.staff[6].name, "held_on": TODAY().isoformat(),
         "interviewer": "校长", "summary": "组织协调能力强，群众基础好"},
    )  # fmt: skip
    for target in both:
        text = page(decision, reverse("selection:inspection_target", args=[cycle.pk, target.pk]))
        talks = text.split('id="talks"')[1].split("</section>")[0]
        assert "组织协调能力强，群众基础好" in talks, target
        assert "1 次" in talks, target
        assert '个别谈话 <span class="muted">1次</span>' in text, target
    text = page(decision, reverse("selection:inspection", args=[cycle.pk]))
    body = text.split("<tbody>")[1].split("</tbody>")[0]
    rows = [r for r in body.split("<tr>") if walk.staff[1].name in r]
    assert len(rows) == 2
    assert all('class="num">1</td>' in r for r in rows), rows
