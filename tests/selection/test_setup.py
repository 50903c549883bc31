"""筹备: a cycle's defaults (the regulations' numbers, the plan's lists, the roll of all
在编在岗 staff), its settings' bounds, the roll adjusted with reasons, stage plans."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from houbei.audit.models import AuditEntry
from houbei.core.errors import ValidationFailed
from houbei.people.models import Establishment, PostStatus
from houbei.selection import services, workflow
from houbei.selection.models import Cycle, CycleList, Level, RollMember, Stage, StageRecord

from ..factories import make_person
from .conftest import REF


def make(school, rule_set, **kwargs):
    return services.create_cycle(
        actor=None, school=school, title=kwargs.pop("title", "2021年后备干部选拔"), year=2021,
        reference_date=REF, rule_set=rule_set, **kwargs,
    )  # fmt: skip


def test_a_new_cycle_has_the_regulations_defaults_and_the_plans_lists(school, rule_set, staff):
    cycle = make(school, rule_set)
    assert cycle.stage == Stage.PREPARATION
    assert services.settings_of(cycle) == {
        "quorum_numerator": 2, "quorum_denominator": 3, "competitive": True,
        "inspection_notice_days": 3, "notice_working_days": 5,
        "decision_quorum_numerator": 2, "decision_quorum_denominator": 3,
        "pass_numerator": 1, "pass_denominator": 2, "second_round_percent": 30,
        "postponement_months": 3, "pool_years": 2,
    }  # fmt: skip
    assert [(cl.level, cl.name, cl.quota) for cl in CycleList.objects.filter(cycle=cycle)] == [
        (Level.DISTRICT, "区级后备干部", 5), (Level.SCHOOL, "校级后备干部", 11)
    ]  # fmt: skip
    assert StageRecord.objects.filter(cycle=cycle).count() == 8
    (entry,) = AuditEntry.objects.filter(action="selection.cycle.created", target_id=str(cycle.pk))
    assert entry.new["roll"] == len(staff) and entry.new["settings"]["notice_working_days"] == 5


def test_the_default_roll_is_the_current_staff_in_establishment_and_on_duty(
    school, rule_set, staff
):
    outside = make_person(school, establishment=Establishment.OUT)
    away = make_person(school, post_status=PostStatus.OFF_DUTY)
    gone = make_person(school, archived_at=timezone.now())
    cycle = make(school, rule_set)
    on_roll = set(services.roll_of(cycle))
    assert on_roll == set(staff)
    assert not {outside, away, gone} & on_roll
    assert {m.basis for m in RollMember.objects.filter(cycle=cycle)} == {"在编在岗教职工"}


def test_settings_are_checked_field_by_field(school, rule_set, staff):
    with pytest.raises(ValidationFailed) as caught:
        make(school, rule_set, settings={"notice_working_days": 4, "quorum_numerator": 1})
    errors = caught.value.errors
    assert errors["notice_working_days"] == ["公示期（工作日）应在5至30之间。"]
    assert errors["quorum_numerator"] == ["推荐参与率1/3：应不低于1/2且不超过1。"]
    with pytest.raises(ValidationFailed) as caught:
        make(school, rule_set, settings={"pass_numerator": 2, "pass_denominator": 2})
    assert "通过比例2/2" in caught.value.errors["pass_numerator"][0]
    assert not Cycle.objects.exists()


def test_settings_change_only_in_preparation_and_are_audited(walk):
    services.update_settings(actor=walk.admin, cycle=walk.cycle, changes={"notice_working_days": 7})
    (entry,) = AuditEntry.objects.filter(action="selection.cycle.updated")
    assert (entry.old, entry.new) == ({"notice_working_days": 5}, {"notice_working_days": 7})
    walk.to_recommendation()
    with pytest.raises(ValidationFailed) as caught:
        services.update_settings(actor=walk.admin, cycle=walk.cycle, changes={"competitive": False})
    assert "当前阶段为“民主推荐”" in caught.value.text()


def test_one_title_per_school_and_a_rule_set_of_the_school(school, other_school, rule_set, staff):
    make(school, rule_set)
    with pytest.raises(ValidationFailed) as caught:
        make(school, rule_set)
    assert "title" in caught.value.errors
    with pytest.raises(ValidationFailed) as caught:
        make(other_school, rule_set, title="另一周期")
    assert caught.value.errors["rule_set"] == ["选拔条件不属于本校。"]


def test_the_roll_is_adjusted_with_reasons_and_nothing_is_deleted(walk, school, staff):
    guest = make_person(school, establishment=Establishment.OUT, name="外聘教师")
    added = services.add_to_roll(
        actor=walk.admin, cycle=walk.cycle, people=[guest, staff[0]], basis="代表性：外聘教师代表"
    )
    assert added == 1
    with pytest.raises(ValidationFailed) as caught:
        services.remove_from_roll(actor=walk.admin, cycle=walk.cycle, person=staff[0], reason="")
    assert caught.value.errors == {"reason": ["请填写移出理由。"]}
    services.remove_from_roll(
        actor=walk.admin, cycle=walk.cycle, person=staff[0], reason="长期病假，不参加推荐"
    )
    assert staff[0] not in services.roll_of(walk.cycle) and guest in services.roll_of(walk.cycle)
    removed = RollMember.objects.get(cycle=walk.cycle, person=staff[0])
    assert removed.removed_reason == "长期病假，不参加推荐"
    (entry,) = AuditEntry.objects.filter(action="selection.roll.removed")
    assert entry.reason == "长期病假，不参加推荐"
    walk.to_recommendation()
    with pytest.raises(ValidationFailed, match="调整推荐人名单"):
        services.add_to_roll(actor=walk.admin, cycle=walk.cycle, people=[staff[0]], basis="补录")


def test_lists_are_set_in_preparation(walk):
    item = services.set_list(actor=walk.admin, cycle=walk.cycle, level=Level.DISTRICT, quota=5)
    assert (item.name, item.quota) == ("区级后备干部", 5)
    with pytest.raises(ValidationFailed) as caught:
        services.set_list(actor=walk.admin, cycle=walk.cycle, level=Level.SCHOOL, quota=0)
    assert caught.value.errors == {"lists": ["第1个名单：名额至少为1。"]}


def test_a_stage_gets_a_deadline_and_a_responsible_person(walk, school):
    head = make_person(school, name="人事室主任")
    deadline = dt.date(2021, 3, 15)
    planned = services.plan_stage(
        actor=walk.admin, cycle=walk.cycle, stage=Stage.RECOMMENDATION, deadline=deadline,
        responsible=head,
    )  # fmt: skip
    assert (planned.deadline, planned.responsible) == (deadline, head)
    (entry,) = AuditEntry.objects.filter(action="selection.stage.planned")
    assert entry.new == {
        "stage": "recommendation",
        "deadline": "2021-03-15",
        "responsible": "人事室主任",
    }
    walk.to_opinions()
    with pytest.raises(ValidationFailed, match="已结束"):
        services.plan_stage(
            actor=walk.admin, cycle=walk.cycle, stage=Stage.RECOMMENDATION, deadline=None,
            responsible=None,
        )  # fmt: skip
    # A reopened stage keeps its plan.
    workflow.reopen_stage(
        actor=walk.admin, cycle=walk.cycle, stage=Stage.RECOMMENDATION, reason="补充推荐"
    )
    again = services.live_record(walk.cycle, Stage.RECOMMENDATION)
    assert (again.attempt, again.deadline, again.responsible) == (2, deadline, head)
