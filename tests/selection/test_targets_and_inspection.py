"""征求意见, 确定考察对象 and 组织考察: opinions from both bodies, the 差额 warning that must
be acknowledged, the votes beside each name, the 考察预告 days, and the inspection's
民主测评 and signed-off 考察材料 before the decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from houbei.audit.models import AuditEntry
from houbei.ballots.ratings import services as ratings
from houbei.core.errors import ValidationFailed
from houbei.selection import inspection, opinions, targets, workflow
from houbei.selection.models import (
    InspectionTarget,
    OpinionSource,
    OpinionStance,
    Readiness,
    Stage,
    TargetSelection,
)
from houbei.selection.targets import AcknowledgementNeeded

TODAY = timezone.localdate


def test_opinions_are_recorded_per_person_and_source_and_restated(walk, staff):
    walk.to_opinions()
    with pytest.raises(ValidationFailed) as caught:
        opinions.record_opinion(
            actor=walk.admin, cycle=walk.cycle, person=staff[0],
            source=OpinionSource.BRANCH, stance=OpinionStance.RESERVED,
        )  # fmt: skip
    assert caught.value.errors == {"text": ["有保留意见或不同意时，请写明具体意见。"]}
    for stance, text in ((OpinionStance.RESERVED, "群众基础有待加强"), (OpinionStance.SUPPORT, "")):
        opinions.record_opinion(
            actor=walk.admin, cycle=walk.cycle, person=staff[0],
            source=OpinionSource.BRANCH, stance=stance, text=text,
        )  # fmt: skip
    assert walk.cycle.opinions.get().stance == OpinionStance.SUPPORT
    restated = AuditEntry.objects.filter(action="selection.opinion.recorded").order_by("-seq")[0]
    assert restated.old == {"stance": "reserved", "text": "群众基础有待加强"}


def test_the_cycle_moves_to_targets_only_when_someone_has_both_opinions(walk, staff):
    walk.to_opinions()
    opinions.record_opinion(
        actor=walk.admin, cycle=walk.cycle, person=staff[0],
        source=OpinionSource.LEADERSHIP, stance=OpinionStance.SUPPORT,
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="同时征求学校领导班子和党支部的意见"):
        workflow.start_target_selection(actor=walk.admin, cycle=walk.cycle)
    walk.consult([staff[0]])
    workflow.start_target_selection(actor=walk.admin, cycle=walk.cycle)


def test_no_more_targets_than_places_needs_an_acknowledgement(walk, staff):
    walk.to_targets()
    choice = {walk.district: staff[:2], walk.school: staff[:4]}  # 2 for 2, 4 for 3
    with pytest.raises(AcknowledgementNeeded) as caught:
        targets.choose_targets(
            actor=walk.decider, cycle=walk.cycle, decided_on=TODAY(), targets=choice
        )
    assert caught.value.errors == {
        "targets": ["区级后备干部：考察对象2人，与名额相等，未实行差额考察。"]
    }
    assert not InspectionTarget.objects.exists() and not TargetSelection.objects.exists()
    reason = "区级人选意见集中，经集体研究实行等额考察"
    selection = targets.choose_targets(
        actor=walk.decider, cycle=walk.cycle, decided_on=TODAY(), targets=choice,
        acknowledgement=reason,
    )  # fmt: skip
    assert selection.acknowledgement == reason and len(selection.warnings) == 1
    (entry,) = AuditEntry.objects.filter(action="selection.targets.chosen")
    assert entry.reason == reason and entry.new["warnings"] == selection.warnings


def test_fewer_targets_than_places_is_warned_of_too(walk, staff):
    walk.to_targets()
    with pytest.raises(AcknowledgementNeeded) as caught:
        targets.choose_targets(
            actor=walk.decider, cycle=walk.cycle, decided_on=TODAY(),
            targets={walk.district: staff[:3], walk.school: staff[:1]},
        )  # fmt: skip
    assert caught.value.errors["targets"] == ["校级后备干部：考察对象1人，少于名额3人。"]


def test_targets_need_both_opinions_and_eligibility(walk, staff):
    walk.to_targets()  # staff[:5] consulted
    with pytest.raises(ValidationFailed) as caught:
        targets.choose_targets(
            actor=walk.decider, cycle=walk.cycle, decided_on=TODAY(),
            targets={walk.district: [*staff[:2], staff[6]]}, acknowledgement="x",
        )  # fmt: skip
    assert caught.value.errors == {
        "targets": [f"区级后备干部：尚未就{staff[6].name}征求领导班子和党支部意见。"]
    }


def test_each_target_carries_the_recommendation_figures_beside_the_name(walk, staff):
    walk.to_targets()
    walk.choose()
    lu = InspectionTarget.objects.get(cycle_list=walk.district, person=staff[2])
    chen = InspectionTarget.objects.get(cycle_list=walk.district, person=staff[0])
    assert chen.votes_note == (
        "第1轮民主推荐：共有9人参加推荐，发出推荐票9张，收回9张，其中有效票9张；"
        "推荐其为区级后备干部9票，占有效票100.0%，居第1位"
    )
    assert "推荐其为区级后备干部0票，占有效票0.0%，居第3位" in lu.votes_note


def test_choosing_again_withdraws_the_targets_left_out(walk, staff):
    walk.to_targets()
    walk.choose()
    targets.choose_targets(
        actor=walk.decider, cycle=walk.cycle, decided_on=TODAY(),
        targets={walk.district: staff[1:4], walk.school: staff[1:5]},
    )  # fmt: skip
    gone = InspectionTarget.objects.get(cycle_list=walk.district, person=staff[0])
    assert gone.withdrawn_at is not None and gone.withdrawn_reason
    assert InspectionTarget.objects.active().filter(cycle=walk.cycle).count() == 7


def test_inspection_waits_for_the_notice_of_inspection(walk, staff):
    walk.to_targets()
    targets.choose_targets(
        actor=walk.decider, cycle=walk.cycle, decided_on=TODAY() - dt.timedelta(days=4),
        targets={walk.district: staff[:3], walk.school: staff[1:5]},
    )  # fmt: skip
    with pytest.raises(ValidationFailed, match="尚未发布考察预告"):
        workflow.start_inspection(actor=walk.admin, cycle=walk.cycle)
    two_days_ago = TODAY() - dt.timedelta(days=2)
    targets.publish_inspection_notice(actor=walk.admin, cycle=walk.cycle, published_on=two_days_ago)
    with pytest.raises(ValidationFailed) as caught:
        workflow.start_inspection(actor=walk.admin, cycle=walk.cycle)
    start = two_days_ago + dt.timedelta(days=3)
    assert caught.value.errors["stage"] == [
        f"考察预告于{two_days_ago}发布，须提前3天，{start}起方可开始考察。"
        "如考察预告实际张贴得更早，请在“确定考察对象”页更正发布日期并写明理由"
        "（不早于确定考察对象的日期）。"
    ]
    assert walk.refresh().stage == Stage.TARGETS


def test_inspection_starts_three_days_after_the_notice(walk):
    walk.to_inspection()
    assert walk.refresh().stage == Stage.INSPECTION
    (entry,) = AuditEntry.objects.filter(action="selection.targets.notice_published")
    assert len(entry.new["targets"]) == 7


def test_the_decision_waits_for_released_appraisals_and_signed_reports(walk):
    walk.to_inspection()
    first = walk.active_targets()[0]
    with pytest.raises(ValidationFailed) as caught:
        workflow.start_decision(actor=walk.admin, cycle=walk.cycle)
    assert f"{first}：尚未组织民主测评。" in caught.value.errors["stage"]
    assert f"{first}：尚无考察材料。" in caught.value.errors["stage"]
    first = inspection.start_appraisal(
        actor=walk.admin, target=first, groups=[ratings.GroupDraft("教职工代表")]
    )
    inspection.save_report(actor=walk.admin, target=first, text="德：……能：……")
    with pytest.raises(ValidationFailed) as caught:
        workflow.start_decision(actor=walk.admin, cycle=walk.cycle)
    assert f"{first}：民主测评结果尚未发布。" in caught.value.errors["stage"]
    assert f"{first}：考察材料最新一稿尚未签发。" in caught.value.errors["stage"]
    walk.inspect()
    workflow.start_decision(actor=walk.admin, cycle=walk.cycle)


def test_the_writer_cannot_sign_off_and_a_new_version_needs_its_own_sign_off(walk):
    walk.to_inspection()
    target = walk.active_targets()[0]
    inspection.save_report(actor=walk.admin, target=target, text="第一稿")
    with pytest.raises(ValidationFailed, match="撰写人不能签发"):
        inspection.sign_off_report(actor=walk.admin, target=target)
    report = inspection.sign_off_report(actor=walk.decider, target=target)
    assert report.signed_version.number == 1
    inspection.save_report(actor=walk.admin, target=target, text="第二稿：补充主要缺点和不足")
    assert f"{target}：考察材料最新一稿尚未签发。" in inspection.inspection_problems(walk.cycle)
    assert [v.number for v in report.versions.all()] == [1, 2]
    assert AuditEntry.objects.filter(action="selection.report.version_saved").count() == 2


def test_someone_on_both_lists_is_appraised_once(walk, staff):
    walk.to_inspection()
    both = [t for t in walk.active_targets() if t.person == staff[2]]
    assert len(both) == 2
    inspection.start_appraisal(
        actor=walk.admin, target=both[0], groups=[ratings.GroupDraft("教职工代表")]
    )
    both = [InspectionTarget.objects.get(pk=t.pk) for t in both]
    assert both[0].rating_round_id == both[1].rating_round_id is not None
    subjects = list(both[0].rating_round.subjects.values_list("person", flat=True))
    assert subjects == [staff[2].pk]


def test_individual_talks_are_recorded_without_their_summary_in_the_trail(walk, staff):
    walk.to_inspection()
    target = walk.active_targets()[0]
    talk = inspection.record_talk(
        actor=walk.admin, target=target, interviewee=staff[7], interviewee_name="",
        held_on=TODAY(), interviewer="校长", summary="工作主动，协调能力强",
    )  # fmt: skip
    assert talk.interviewee_name == staff[7].name
    (entry,) = AuditEntry.objects.filter(action="selection.talk.recorded")
    assert "工作主动" not in str(entry.new)


def test_readiness_is_set_on_the_target(walk):
    walk.to_inspection()
    target = walk.active_targets()[0]
    targets.set_readiness(actor=walk.admin, target=target, readiness=Readiness.NEAR)
    target.refresh_from_db()
    assert target.readiness == Readiness.NEAR
