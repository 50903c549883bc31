"""The checks of 凡提四必 an inspection records per target (个人有关事项报告, 纪检监察部门
意见, 信访举报): the service's guards, amendments that keep the earlier record, the
checklist, the drafted 考察材料, and the form on the target's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.core.errors import NotAllowed, ValidationFailed
from houbei.selection import inspection, pages, workflow
from houbei.selection.drafting import draft_report
from houbei.selection.models import (
    CheckKind,
    CheckResult,
    InspectionCheck,
    InspectionTarget,
    Level,
)

from .conftest import TODAY
from .views_support import as_user, page, post

pytestmark = pytest.mark.django_db

DISCIPLINE = "区教育局纪检组廉洁意见回复函"


@pytest.fixture
def inspecting(walk):
    walk.to_inspection()
    return walk


def _target(walk, name: str = "黄蔚敏", level: str = Level.DISTRICT) -> InspectionTarget:
    return InspectionTarget.objects.get(
        cycle=walk.cycle, person__name=name, cycle_list__level=level
    )


def _record(walk, target, actor=None, **fields):
    values = {"kind": CheckKind.DISCIPLINE, "result": CheckResult.CLEAR,
              "checked_on": TODAY(), "source": DISCIPLINE} | fields  # fmt: skip
    return inspection.record_check(actor=actor or walk.admin, target=target, **values)


def _errors(call) -> dict:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return {k: [str(m) for m in v] for k, v in caught.value.errors.items()}


def test_a_check_is_recorded_and_counts_for_the_persons_other_list(inspecting):
    walk = inspecting
    district, school = _target(walk), _target(walk, level=Level.SCHOOL)
    check = _record(walk, district, actor=walk.decider, note="2021年3月回复")
    assert check.recorded_by == walk.decider and check.result == CheckResult.CLEAR
    # Someone on both lists: the check is about them, on both targets.
    assert inspection.checks_about(school) == {CheckKind.DISCIPLINE: check}
    (entry,) = AuditEntry.objects.filter(action="selection.check.recorded")
    assert entry.new["kind"] == "discipline" and entry.new["source"] == DISCIPLINE


def test_the_guards_of_a_check(inspecting, users):
    walk = inspecting
    target = _target(walk)
    # A problem needs its explanation; 不适用 only for the personal matters report.
    assert _errors(lambda: _record(walk, target, result=CheckResult.PROBLEM)) == {
        "explanation": ["问题说明：核查结果为“有问题”时，请写明发现的问题及核实情况。"]
    }
    assert (
        "不能选择“不适用”"
        in _errors(
            lambda: _record(
                walk, target, kind=CheckKind.PETITIONS, result=CheckResult.NOT_APPLICABLE
            )
        )["result"][0]
    )
    assert _errors(lambda: _record(walk, target, source=" ")) == {
        "source": ["请填写依据（文件或部门）。"]
    }
    assert _errors(lambda: _record(walk, target, checked_on=TODAY() + dt.timedelta(days=1))) == {
        "checked_on": ["核查日期不能晚于今天。"]
    }
    assert _errors(lambda: _record(walk, target, kind="health")) == {"kind": ["请选择核查事项。"]}
    # Only the school's personnel office and decision body.
    for role in (Role.STAFF, Role.DISTRICT, Role.MENTOR):
        with pytest.raises(NotAllowed):
            _record(walk, target, actor=users[role])
    not_applicable = _record(walk, target, kind=CheckKind.PERSONAL_MATTERS,
                             result=CheckResult.NOT_APPLICABLE, source="")  # fmt: skip
    assert not_applicable.source == ""
    assert not InspectionCheck.objects.exclude(pk=not_applicable.pk).exists()


def test_only_during_the_inspection(walk):
    walk.to_targets()
    walk.choose()
    target = InspectionTarget.objects.active().filter(cycle=walk.cycle).first()
    errors = _errors(lambda: _record(walk, target))
    assert "不能记录考察核查结果" in errors["stage"][0]
    assert not InspectionCheck.objects.exists()


def test_an_amendment_needs_a_reason_and_keeps_the_earlier_record(inspecting):
    walk = inspecting
    target = _target(walk)
    first = _record(walk, target, kind=CheckKind.PETITIONS, source="学校信访登记")
    same = _errors(lambda: _record(walk, target, kind=CheckKind.PETITIONS, source="学校信访登记"))
    assert same == {"kind": ["信访举报核查的结果与已记录的相同，无需修改。"]}
    amend = dict(kind=CheckKind.PETITIONS, result=CheckResult.PROBLEM, source="区信访办",
                 explanation="反映其违规收受家长礼品，经核实为家长节日送花，已婉拒退回")  # fmt: skip
    assert "修改理由" in _errors(lambda: _record(walk, target, **amend))["reason"][0]
    second = _record(walk, target, reason="收到区信访办转来的举报并已核实", **amend)
    assert inspection.checks_about(target)[CheckKind.PETITIONS] == second
    assert inspection.check_history(target) == [second, first]
    (entry,) = AuditEntry.objects.filter(action="selection.check.amended")
    assert entry.old["result"] == "clear" and entry.new["result"] == "problem"
    assert entry.reason == "收到区信访办转来的举报并已核实"
    assert "家长" not in str(entry.new)  # what was reported stays on the row


def test_a_check_can_be_recorded_in_the_past(inspecting):
    walk = inspecting
    at = timezone.now() - dt.timedelta(days=2)
    check = _record(walk, _target(walk), checked_on=timezone.localdate(at), at=at)
    check.refresh_from_db()
    assert check.recorded_at == at
    later = _errors(
        lambda: _record(walk, _target(walk), kind=CheckKind.PETITIONS, checked_on=TODAY(), at=at)
    )
    assert later == {"checked_on": ["核查日期不能晚于今天。"]}


def test_the_checklist_shows_the_checks_not_recorded_as_not_done(inspecting):
    walk = inspecting
    target = _target(walk)
    _record(walk, target)
    rows = {c.label: c for c in pages.checklist(target, talks=0, has_standing=None)}
    assert rows["纪检监察部门意见"].done and "无问题" in rows["纪检监察部门意见"].detail
    assert DISCIPLINE in rows["纪检监察部门意见"].detail
    assert not rows["信访举报核查"].done and rows["信访举报核查"].detail == "未记录"
    assert not rows["个人有关事项报告核查"].done
    outside = {c.label: c for c in pages.checklist(target, talks=0, has_standing=None,
                                                   confidential=False)}  # fmt: skip
    assert outside["纪检监察部门意见"].detail == "已记录"
    # Not a guard of the move to 讨论决定 (the checks are not yet in every cycle's data).
    assert not any("纪检" in p or "信访" in p for p in workflow.problems(walk.cycle))


def test_the_draft_states_the_checks_in_the_integrity_section(inspecting):
    walk = inspecting
    target = _target(walk)
    text = draft_report(target)
    integrity = text.split("（五）廉")[1].split("三、主要缺点和不足")[0]
    assert "尚未记录纪检监察部门意见、信访举报核查" in integrity
    day = TODAY()
    _record(walk, target)
    _record(walk, target, kind=CheckKind.PETITIONS, result=CheckResult.PROBLEM,
            source="区信访办", explanation="反映其上课迟到，经核实系因公外出，已说明")  # fmt: skip
    _record(walk, target, kind=CheckKind.PERSONAL_MATTERS, result=CheckResult.NOT_APPLICABLE,
            source="")  # fmt: skip
    text = draft_report(target)
    integrity = text.split("（五）廉")[1].split("三、主要缺点和不足")[0]
    cn = f"{day.year}年{day.month}月{day.day}日"
    assert f"经征求纪检监察部门意见（{DISCIPLINE}，{cn}），未发现违反廉洁纪律的问题。" in integrity
    assert f"经核查信访举报情况（区信访办，{cn}）：反映其上课迟到，经核实系因公外出，已说明。" in (
        integrity
    )
    assert "尚未记录" not in integrity and "个人有关事项" not in integrity
    shortcomings = text.split("三、主要缺点和不足")[1].split("四、")[0]
    assert "信访举报核查：反映其上课迟到，经核实系因公外出，已说明。" in shortcomings


def test_the_form_on_the_target_page(client, users, inspecting):
    walk = inspecting
    target = _target(walk)
    cycle = walk.cycle
    url = reverse("selection:check_record", args=[cycle.pk, target.pk])
    page_url = reverse("selection:inspection_target", args=[cycle.pk, target.pk])
    decision = as_user(client, users[Role.DECISION])
    assert f'action="{url}"' in page(decision, page_url)
    text = post(decision, url, {"kind": "petitions", "result": "problem",
                                "checked_on": TODAY().isoformat(), "source": "区信访办"})  # fmt: skip
    assert 'id="id_explanation_error"' in text and "请写明发现的问题" in text
    text = post(decision, url, {"kind": "petitions", "result": "",
                                "checked_on": "", "source": "区信访办"})  # fmt: skip
    assert "请选择核查结果。" in text and "请填写核查日期。" in text
    assert not InspectionCheck.objects.exists()
    text = post(decision, url, {"kind": "discipline", "result": "clear",
                                "checked_on": TODAY().isoformat(), "source": DISCIPLINE})  # fmt: skip
    assert "已记录纪检监察部门意见：无问题。" in text and DISCIPLINE in text
    personnel = as_user(client, users[Role.PERSONNEL])
    post(personnel, url, {"kind": "petitions", "result": "clear",
                          "checked_on": TODAY().isoformat(), "source": "学校信访登记"})  # fmt: skip
    assert InspectionCheck.objects.count() == 2
    # The district reads the checklist, not the results.
    district = as_user(client, users[Role.DISTRICT])
    text = page(district, page_url)
    assert DISCIPLINE not in text and "已记录" in text and f'action="{url}"' not in text
    assert district.post(url, {}).status_code in (403, 404)
    staff = as_user(client, users[Role.STAFF])
    assert staff.post(url, {}).status_code == 403
