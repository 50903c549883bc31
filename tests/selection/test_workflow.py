"""The state machine: the transitions table, a cycle walked from 筹备 to 完成 with an audit
entry and stage records for every move, no stage skipped, reopening only with a reason."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from houbei.audit.labels import ACTION_LABELS
from houbei.audit.models import AuditEntry
from houbei.audit.services import verify_chain
from houbei.core.errors import ValidationFailed
from houbei.selection import stages, targets, workflow
from houbei.selection.models import (
    STAGE_ORDER,
    InspectionTarget,
    PublicNotice,
    Stage,
    StageRecord,
    StageReopening,
)

from .conftest import TODAY


def entries(cycle, action: str):
    return list(
        AuditEntry.objects.filter(
            action=action, target_type="selection.cycle", target_id=str(cycle.pk)
        ).order_by("seq")
    )


def live(cycle, stage):
    return StageRecord.objects.filter(cycle=cycle, stage=stage).latest("attempt")


def test_the_transitions_table_is_the_eight_stages_in_order_one_step_each() -> None:
    pairs = [(t.source, t.target) for t in workflow.TRANSITIONS]
    assert pairs == list(itertools.pairwise(STAGE_ORDER))
    assert [s.label for s in STAGE_ORDER] == [
        "筹备", "民主推荐", "征求意见", "确定考察对象", "组织考察", "讨论决定", "公示", "完成"
    ]  # fmt: skip
    assert all(t.action in ACTION_LABELS for t in workflow.TRANSITIONS)
    assert len({t.action for t in workflow.TRANSITIONS}) == len(workflow.TRANSITIONS)


def test_every_stage_has_a_description_with_what_is_due_who_and_documents() -> None:
    for stage in STAGE_ORDER:
        info = stages.info(stage)
        assert info.due and info.responsible and info.documents and info.summary
    assert "民主推荐表" in [str(d) for d in stages.info(Stage.RECOMMENDATION).documents]


def test_a_cycle_walks_from_preparation_to_done_with_an_audit_entry_for_each_move(walk) -> None:
    cycle = walk.cycle
    assert cycle.stage == Stage.PREPARATION
    assert live(cycle, Stage.PREPARATION).started_at is not None
    walk.to_done()
    cycle.refresh_from_db()
    assert cycle.stage == Stage.DONE and cycle.completed_at is not None
    for transition in workflow.TRANSITIONS:
        (entry,) = entries(cycle, transition.action)
        assert entry.old == {"stage": transition.source.value}
        assert entry.new["stage"] == transition.target.value
        assert entry.actor_id == walk.admin.pk
    # Every stage was started and finished once, in order.
    records = [live(cycle, s) for s in STAGE_ORDER]
    assert all(r.attempt == 1 and r.started_at and r.finished_at for r in records)
    starts = [r.started_at for r in records]
    assert starts == sorted(starts)
    assert verify_chain() is None


def test_a_stage_cannot_be_skipped(walk) -> None:
    with pytest.raises(ValidationFailed) as caught:
        workflow.start_opinions(actor=walk.admin, cycle=walk.cycle)
    assert "不能跳过阶段" in caught.value.text()
    walk.to_recommendation()
    for skip in (workflow.start_target_selection, workflow.start_inspection,
                 workflow.start_decision, workflow.complete_cycle):  # fmt: skip
        with pytest.raises(ValidationFailed, match="跳过"):
            skip(actor=walk.admin, cycle=walk.cycle)
    walk.refresh()
    assert walk.cycle.stage == Stage.RECOMMENDATION
    assert not entries(walk.cycle, "selection.stage.opinions_started")


def test_a_stage_already_reached_cannot_be_entered_again(walk) -> None:
    walk.to_recommendation()
    with pytest.raises(ValidationFailed) as caught:
        workflow.start_recommendation(actor=walk.admin, cycle=walk.cycle)
    assert "已处于“民主推荐”阶段" in caught.value.text()


def test_a_refused_move_changes_nothing(walk) -> None:
    walk.to_recommendation()
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        workflow.start_opinions(actor=walk.admin, cycle=walk.cycle)
    assert caught.value.errors["stage"] == ["尚未进行民主推荐。"]
    assert AuditEntry.objects.count() == before
    assert live(walk.cycle, Stage.RECOMMENDATION).finished_at is None
    assert live(walk.cycle, Stage.OPINIONS).started_at is None


def test_reopening_needs_a_reason(walk) -> None:
    walk.to_opinions()
    for reason in ("", "   "):
        with pytest.raises(ValidationFailed) as caught:
            workflow.reopen_stage(
                actor=walk.admin, cycle=walk.cycle, stage=Stage.RECOMMENDATION, reason=reason
            )
        assert caught.value.errors == {"reason": ["请填写重新开启的理由。"]}
    walk.refresh()
    assert walk.cycle.stage == Stage.OPINIONS
    assert not StageReopening.objects.exists()


def test_reopening_a_finished_stage_records_why_and_starts_new_attempts(walk) -> None:
    walk.to_targets()
    reason = "第1轮推荐的选票印刷有误，重新推荐"
    workflow.reopen_stage(
        actor=walk.admin, cycle=walk.cycle, stage=Stage.RECOMMENDATION, reason=reason
    )
    cycle = walk.refresh()
    assert cycle.stage == Stage.RECOMMENDATION
    (reopening,) = StageReopening.objects.filter(cycle=cycle)
    assert (reopening.stage, reopening.from_stage, reopening.reason) == (
        Stage.RECOMMENDATION, Stage.TARGETS, reason
    )  # fmt: skip
    # The stage left is ended as interrupted; the reopened one and those after it start over.
    first_targets = StageRecord.objects.get(cycle=cycle, stage=Stage.TARGETS, attempt=1)
    assert first_targets.interrupted and first_targets.finished_at
    again = live(cycle, Stage.RECOMMENDATION)
    assert again.attempt == 2 and again.started_at and again.finished_at is None
    assert (
        live(cycle, Stage.OPINIONS).attempt == 2 and live(cycle, Stage.OPINIONS).started_at is None
    )
    assert live(cycle, Stage.TARGETS).attempt == 2
    assert live(cycle, Stage.INSPECTION).attempt == 1
    (entry,) = entries(cycle, "selection.stage.reopened")
    assert entry.reason == reason
    assert (entry.old, entry.new) == ({"stage": "targets"}, {"stage": "recommendation"})
    # And it moves on again through the same guards: the earlier valid round still counts.
    workflow.start_opinions(actor=walk.admin, cycle=cycle)
    assert live(cycle, Stage.OPINIONS).started_at is not None


def test_only_a_finished_stage_can_be_reopened(walk) -> None:
    walk.to_recommendation()
    for stage in (Stage.RECOMMENDATION, Stage.OPINIONS):
        with pytest.raises(ValidationFailed, match="尚未结束"):
            workflow.reopen_stage(actor=walk.admin, cycle=walk.cycle, stage=stage, reason="理由")


def test_a_complete_cycle_cannot_be_reopened(walk) -> None:
    walk.to_done()
    with pytest.raises(ValidationFailed, match="已完成"):
        workflow.reopen_stage(
            actor=walk.admin, cycle=walk.cycle, stage=Stage.NOTICE, reason="有新的反映"
        )


def test_going_back_before_the_notice_closes_it(walk) -> None:
    walk.to_notice()
    workflow.reopen_stage(
        actor=walk.admin, cycle=walk.cycle, stage=Stage.DECISION, reason="会议记录有误"
    )
    assert PublicNotice.objects.get(cycle=walk.cycle).closed_at is not None


def test_preparation_must_have_a_roll_and_lists(walk, staff) -> None:
    from houbei.selection.services import remove_from_roll

    for person in staff:
        remove_from_roll(actor=walk.admin, cycle=walk.cycle, person=person, reason="调出本校")
    with pytest.raises(ValidationFailed) as caught:
        walk.to_recommendation()
    assert caught.value.errors["stage"] == ["参加民主推荐人员名单为空。"]


def test_starting_the_recommendation_freezes_who_is_eligible(walk, staff) -> None:
    walk.to_recommendation()
    cycle = walk.refresh()
    snapshot = cycle.eligibility_snapshot
    assert snapshot is not None and snapshot.as_of == cycle.reference_date
    (entry,) = entries(cycle, "selection.stage.recommendation_started")
    assert entry.new["eligible"] == len(staff)
    assert entry.new["snapshot"] == snapshot.pk


def test_problems_tell_what_stands_in_the_way_of_the_next_move(walk) -> None:
    assert workflow.problems(walk.cycle) == []
    walk.to_recommendation()
    assert workflow.problems(walk.refresh()) == ["尚未进行民主推荐。"]
    assert workflow.next_transition(walk.cycle).target == Stage.OPINIONS


def test_stage_data_is_written_only_in_its_own_stage(walk, staff):
    import datetime as dt

    from houbei.selection import decision, opinions, targets
    from houbei.selection.models import OpinionSource, OpinionStance

    walk.to_recommendation()
    attempts = {
        "征求意见": lambda: opinions.record_opinion(
            actor=walk.admin, cycle=walk.cycle, person=staff[0],
            source=OpinionSource.BRANCH, stance=OpinionStance.SUPPORT,
        ),
        "确定考察对象": lambda: targets.choose_targets(
            actor=walk.admin, cycle=walk.cycle, decided_on=dt.date(2021, 3, 1),
            targets={walk.district: staff[:3]},
        ),
        "讨论决定": lambda: decision.record_meeting(
            actor=walk.admin, cycle=walk.cycle, held_on=dt.date(2021, 3, 1),
            members=[decision.MemberDraft(staff[8], present=True, main_leader=True)],
            votes={staff[0]: []},
        ),
    }  # fmt: skip
    for due, attempt in attempts.items():
        with pytest.raises(ValidationFailed) as caught:
            attempt()
        assert f"应在“{due}”阶段进行" in caught.value.text()


def test_nobody_eligible_on_the_reference_date_keeps_the_cycle_in_preparation(walk):
    import datetime as dt

    from houbei.selection.services import update_cycle

    update_cycle(actor=walk.admin, cycle=walk.cycle, reference_date=dt.date(2013, 1, 1))
    with pytest.raises(ValidationFailed) as caught:
        walk.to_recommendation()
    assert caught.value.errors == {"stage": ["按选拔条件，基准日没有符合条件的人选。"]}
    cycle = walk.refresh()
    assert cycle.stage == Stage.PREPARATION and cycle.eligibility_snapshot is None
    assert not entries(cycle, "selection.stage.recommendation_started")


def test_a_move_made_at_a_past_time_is_stamped_and_guarded_on_that_day(walk) -> None:
    """``at`` (a past cycle rebuilt, as the demo's 2021 one): the stage records and the
    audit entry carry that time, and the guard judges that day — the 考察预告 published
    ten days ago had not run its three days eight days ago, it had six days ago."""
    walk.to_targets()
    walk.choose(published_days_ago=10)
    cycle = walk.cycle
    day = lambda n: timezone.localdate() - dt.timedelta(days=n)  # noqa: E731
    early = timezone.make_aware(dt.datetime.combine(day(8), dt.time(9)))
    with pytest.raises(ValidationFailed) as caught:
        workflow.start_inspection(actor=walk.admin, cycle=cycle, at=early)
    assert f"{day(7)}起方可开始考察" in str(caught.value.message)
    then = timezone.make_aware(dt.datetime.combine(day(6), dt.time(9)))
    workflow.start_inspection(actor=walk.admin, cycle=cycle, at=then)
    assert live(cycle, Stage.TARGETS).finished_at == then
    assert live(cycle, Stage.INSPECTION).started_at == then
    (entry,) = entries(cycle, "selection.stage.inspection_started")
    assert entry.at == then
    assert verify_chain() is None


def test_the_notice_of_inspection_is_not_dated_before_the_choice_and_is_corrected_with_a_reason(
    walk, staff
):
    walk.to_targets()
    chosen_on = TODAY() - dt.timedelta(days=4)
    targets.choose_targets(
        actor=walk.decider, cycle=walk.cycle, decided_on=chosen_on,
        targets={walk.district: staff[:3], walk.school: staff[1:5]},
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        targets.publish_inspection_notice(
            actor=walk.admin, cycle=walk.cycle, published_on=chosen_on - dt.timedelta(days=1)
        )
    assert caught.value.errors["published_on"] == [
        f"发布日期不能早于确定考察对象的日期（{chosen_on}）。"
    ]
    targets.publish_inspection_notice(actor=walk.admin, cycle=walk.cycle, published_on=TODAY())
    with pytest.raises(ValidationFailed, match="方可开始考察"):
        workflow.start_inspection(actor=walk.admin, cycle=walk.cycle)
    # Entered as today, posted four days ago: the day is corrected, with the reason.
    with pytest.raises(ValidationFailed) as caught:
        targets.publish_inspection_notice(actor=walk.admin, cycle=walk.cycle, published_on=TODAY())
    assert "更正时请填写实际发布日期" in caught.value.text()
    with pytest.raises(ValidationFailed) as caught:
        targets.publish_inspection_notice(
            actor=walk.admin, cycle=walk.cycle, published_on=chosen_on
        )
    assert caught.value.errors["reason"] == ["更正已登记的发布日期时，请写明更正理由。"]
    n = targets.publish_inspection_notice(
        actor=walk.admin, cycle=walk.cycle, published_on=chosen_on, reason="登记时误填为当天"
    )
    assert n == 7
    assert set(
        InspectionTarget.objects.active()
        .filter(cycle=walk.cycle)
        .values_list("notice_published_on", flat=True)
    ) == {chosen_on}
    entry = AuditEntry.objects.filter(action="selection.targets.notice_published").order_by("-seq")[
        0
    ]
    assert entry.old == {"published_on": str(TODAY())}
    assert entry.new["published_on"] == str(chosen_on) and len(entry.new["targets"]) == 7
    assert entry.reason == "登记时误填为当天"
    workflow.start_inspection(actor=walk.admin, cycle=walk.cycle)
    assert walk.refresh().stage == Stage.INSPECTION


def test_inspection_cannot_close_while_a_target_has_no_individual_talk(walk):
    from houbei.selection import inspection
    from houbei.selection.models import InspectionTalk

    walk.to_inspection()
    walk.inspect()
    first = walk.active_targets()[0]
    InspectionTalk.objects.filter(target__cycle=walk.cycle, target__person=first.person).delete()
    with pytest.raises(ValidationFailed) as caught:
        workflow.start_decision(actor=walk.admin, cycle=walk.cycle)
    assert f"{first.person.name}：尚无个别谈话记录，请至少记录一次个别谈话。" in caught.value.text()
    inspection.record_talk(
        actor=walk.admin, target=first, interviewee_name="谈话对象乙",
        held_on=dt.date.today(), interviewer="人事室", summary="谈话要点",
    )  # fmt: skip
    assert workflow.start_decision(actor=walk.admin, cycle=walk.cycle).stage == "decision"
