"""筹备 through the pages: a new cycle with the regulations' defaults, errors naming field
and reason, the settings, lists and roll changed in 筹备 only, a stage's plan, the advance
with the guards' messages, reopening only with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.people.models import Establishment
from houbei.selection import services
from houbei.selection.models import (
    Cycle,
    CycleList,
    Level,
    RollMember,
    Stage,
    StageRecord,
    StageReopening,
)

from ..factories import make_person
from .views_support import as_user, page, post

pytestmark = pytest.mark.django_db


def _new_cycle_data(rule_set, **overrides):
    data = {
        "title": "2021年后备干部选拔",
        "year": "2021",
        "reference_date": "2021-02-26",
        "rule_set": str(rule_set.pk),
        "district_quota": "5",
        "school_quota": "11",
        "roll_scope": "default",
        "roll_people": "",
        "competitive": "on",
    }
    for name, spec in services.SETTINGS.items():
        if spec.kind is int:
            data[name] = str(Cycle._meta.get_field(name).get_default())
    return data | overrides


@pytest.fixture
def personnel(client, users):
    return as_user(client, users[Role.PERSONNEL])


def test_the_new_cycle_form_shows_the_regulations_defaults(personnel, rule_set):
    text = page(personnel, reverse("selection:create"))
    assert 'name="district_quota" value="5"' in text and 'name="school_quota" value="11"' in text
    assert 'name="notice_working_days" value="5"' in text and "默认：5（可设5至30）" in text
    assert "全体在编在岗教职工（默认）" in text and "2021年选拔" in text


def test_a_cycle_is_created_with_the_plans_lists_and_the_staff_on_duty(personnel, rule_set, staff):
    outside = make_person(rule_set.school, name="编外人员", establishment=Establishment.OUT)
    response = personnel.post(reverse("selection:create"), _new_cycle_data(rule_set))
    cycle = Cycle.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{cycle.pk}/")
    assert [(cl.level, cl.quota) for cl in CycleList.objects.filter(cycle=cycle)] == [
        (Level.DISTRICT, 5), (Level.SCHOOL, 11)
    ]  # fmt: skip
    on_roll = set(RollMember.objects.filter(cycle=cycle).values_list("person_id", flat=True))
    assert on_roll == {p.pk for p in staff} and outside.pk not in on_roll
    assert AuditEntry.objects.filter(action="selection.cycle.created").count() == 1


def test_a_listed_roll_and_no_district_list(personnel, rule_set, staff):
    data = _new_cycle_data(
        rule_set, district_quota="0", roll_scope="listed",
        roll_people=f"{staff[0].name}\n{staff[1].staff_number}",
    )  # fmt: skip
    personnel.post(reverse("selection:create"), data)
    cycle = Cycle.objects.get()
    assert list(CycleList.objects.filter(cycle=cycle).values_list("level", flat=True)) == [
        Level.SCHOOL
    ]
    assert set(services.roll_of(cycle)) == {staff[0], staff[1]}


def test_creation_errors_name_the_field_and_the_reason(personnel, rule_set, staff):
    url = reverse("selection:create")
    text = post(personnel, url, _new_cycle_data(rule_set, roll_scope="listed", roll_people="李四"))
    assert "第1行“李四”：本校没有这个工号或姓名。" in text
    text = post(personnel, url, _new_cycle_data(rule_set, quorum_numerator="1"))
    assert "推荐参与率1/3：应不低于1/2且不超过1。" in text
    text = post(personnel, url, _new_cycle_data(rule_set, notice_working_days="4"))
    assert 'id="id_notice_working_days_error"' in text
    text = post(personnel, url, _new_cycle_data(rule_set, district_quota="0", school_quota="0"))
    assert "区级、校级名额不能都为0。" in text
    assert not Cycle.objects.exists()
    post(personnel, url, _new_cycle_data(rule_set))
    text = post(personnel, url, _new_cycle_data(rule_set))
    assert "本校已有名为“2021年后备干部选拔”的选拔周期。" in text
    assert Cycle.objects.count() == 1


def test_settings_lists_and_roll_change_in_preparation(personnel, cycle, staff):
    url = reverse("selection:setup", args=[cycle.pk])
    data = {
        "reference_date": "2021-03-01",
        "rule_set": str(cycle.rule_set_id),
        **{k: str(v) for k, v in services.settings_of(cycle).items() if not isinstance(v, bool)},
        "competitive": "on",
        "notice_working_days": "7",
    }
    assert "已保存筹备事项" in post(personnel, url, data)
    cycle.refresh_from_db()
    assert cycle.notice_working_days == 7 and cycle.reference_date == dt.date(2021, 3, 1)
    assert AuditEntry.objects.filter(action="selection.cycle.updated").count() == 2

    post(personnel, reverse("selection:lists", args=[cycle.pk]), {"level": "school", "quota": "4"})
    assert CycleList.objects.get(cycle=cycle, level=Level.SCHOOL).quota == 4

    newcomer = make_person(cycle.school, name="外聘教师", establishment=Establishment.OUT)
    text = post(
        personnel,
        reverse("selection:roll_add", args=[cycle.pk]),
        {"people": "", "group": f"status:{Establishment.OUT}:on", "basis": "代表性：编外教师"},
    )
    assert "已加入1人" in text
    assert RollMember.objects.active().filter(cycle=cycle, person=newcomer).exists()
    text = post(
        personnel,
        reverse("selection:roll_remove", args=[cycle.pk]),
        {"people": staff[0].name, "reason": "长期病假"},
    )
    assert "已移出1人" in text and "长期病假" in text
    # A reason is required, and nobody is taken off without one.
    text = post(
        personnel, reverse("selection:roll_remove", args=[cycle.pk]),
        {"people": staff[1].name, "reason": ""},
    )  # fmt: skip
    assert 'id="id_remove_reason_error"' in text
    assert RollMember.objects.active().filter(cycle=cycle, person=staff[1]).exists()


def test_preparation_cannot_change_once_the_recommendation_began(personnel, walk):
    walk.to_recommendation()
    cycle = walk.cycle
    text = post(
        personnel, reverse("selection:lists", args=[cycle.pk]), {"level": "school", "quota": "9"}
    )
    assert "当前阶段为“民主推荐”，不能修改筹备事项（应在“筹备”阶段进行）。" in text
    assert CycleList.objects.get(cycle=cycle, level=Level.SCHOOL).quota == 3
    assert "保存筹备事项" not in page(personnel, reverse("selection:preparation", args=[cycle.pk]))


def test_a_stage_gets_a_deadline_and_a_responsible_person(personnel, cycle, staff):
    post(
        personnel,
        reverse("selection:plan", args=[cycle.pk]),
        {"stage": "recommendation", "deadline": "2021-03-10", "responsible": str(staff[2].pk)},
    )
    record = StageRecord.objects.get(cycle=cycle, stage=Stage.RECOMMENDATION)
    assert record.deadline == dt.date(2021, 3, 10) and record.responsible == staff[2]
    text = page(personnel, reverse("selection:detail", args=[cycle.pk]))
    assert "截止 2021-03-10" in text and f"负责 {staff[2].name}" in text


def test_advancing_shows_the_guards_messages_and_moves_when_they_are_met(
    personnel, school, rule_set
):
    cycle = services.create_cycle(
        actor=None, school=school, title="空名单", year=2021, reference_date=rule_set.reference_date,
        rule_set=rule_set, roll=[],
    )  # fmt: skip
    url = reverse("selection:advance", args=[cycle.pk])
    assert "参加民主推荐人员名单为空。" in page(
        personnel, reverse("selection:detail", args=[cycle.pk])
    )
    text = post(personnel, url, {"stage": "preparation"})
    assert "还不能开始民主推荐：参加民主推荐人员名单为空。" in text
    cycle.refresh_from_db()
    assert cycle.stage == Stage.PREPARATION


def test_the_advance_moves_one_stage_and_a_stale_page_does_not_move_twice(personnel, cycle):
    url = reverse("selection:advance", args=[cycle.pk])
    text = post(personnel, url, {"stage": "preparation"})
    assert "已进入“民主推荐”阶段。" in text
    text = post(personnel, url, {"stage": "preparation"})
    assert "页面已过期" in text
    cycle.refresh_from_db()
    assert cycle.stage == Stage.RECOMMENDATION


def test_reopening_needs_a_reason(personnel, walk):
    walk.to_opinions()
    cycle = walk.cycle
    url = reverse("selection:reopen", args=[cycle.pk])
    text = post(personnel, url, {"stage": "recommendation", "reason": ""})
    assert "理由：这个字段是必填项。" in text
    assert not StageReopening.objects.exists()
    text = post(personnel, url, {"stage": "recommendation", "reason": "第1轮计票有误，重新推荐"})
    assert "已重新开启“民主推荐”阶段。" in text
    cycle.refresh_from_db()
    assert cycle.stage == Stage.RECOMMENDATION
    reopening = StageReopening.objects.get()
    assert reopening.reason == "第1轮计票有误，重新推荐" and reopening.from_stage == Stage.OPINIONS
    dashboard = page(personnel, reverse("selection:detail", args=[cycle.pk]))
    assert "第1轮计票有误，重新推荐" in dashboard and "第2次" in dashboard
