"""讨论决定, 公示 and 完成 through the pages: the meeting as a table of statements (quorum,
the main leader last, every present member on every target, a divided body postponing),
the notice started on a date with its end in working days, objections registered and
closed with one of the four outcomes, the notice held while one is open, the pool."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from houbei.accounts.models import Role, User
from houbei.selection import workflow
from houbei.selection.models import (
    Decision,
    InspectionTarget,
    Objection,
    ObjectionOutcome,
    Outcome,
    PoolEntry,
    PostponementResult,
    PublicNotice,
    Stage,
)
from houbei.selection.notice import register_objection

from ..conftest import PASSWORD, make_user
from ..factories import make_person
from .conftest import OVER_QUOTA_REASON, TODAY
from .views_support import as_user, page, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def deciding(walk):
    walk.to_decision()
    # The decision body as the registry knows it: five members with their accounts.
    for i, person in enumerate(walk.board(5)):
        person.user = User.objects.create_user(
            username=f"member{i}", password=PASSWORD, role=Role.DECISION, school=walk.cycle.school
        )
        person.save(update_fields=["user"])
    return walk


def _meeting(walk, *, present=5, leader="5", choices=None, held_on=None, reason=OVER_QUOTA_REASON):
    """The form as the decision body fills it in: the five members in speaking order."""
    targets = list(InspectionTarget.objects.active().filter(cycle=walk.cycle).order_by("pk"))
    data = {"held_on": (held_on or TODAY()).isoformat(), "main_leader": leader, "note": "",
            "over_quota_reason": reason}  # fmt: skip
    for i, person in enumerate(walk.board(5), start=1):
        data[f"m{i}_person"] = str(person.pk)
        if i <= present:
            data[f"m{i}_present"] = "on"
            for t in targets:
                data[f"m{i}_t{t.pk}"] = (choices or {}).get(t.pk, ["agree"] * 5)[i - 1]
    return data


def test_the_meeting_form_lists_the_members_and_the_targets(client, users, deciding):
    decision = as_user(client, users[Role.DECISION])
    text = page(decision, reverse("selection:decision", args=[deciding.cycle.pk]))
    assert 'class="data matrix"' in text
    for person in deciding.board(5):
        assert f'<option value="{person.pk}" selected>' in text
    # Every statement starts blank: nobody is recorded as agreeing by default.
    assert '<option value="agree" selected>' not in text
    # The main leader is chosen by name, not by row number alone.
    last = deciding.board(5)[4]
    assert f'<option value="5">{last.name}（第5行）</option>' in text


def test_the_meetings_rules_are_enforced_with_their_messages(client, users, deciding):
    url = reverse("selection:meeting_record", args=[deciding.cycle.pk])
    decision = as_user(client, users[Role.DECISION])
    text = post(decision, url, _meeting(deciding, present=3, leader="3"))
    assert "实到会成员3人，不足应到会成员5人的2/3，会议不能作出决定。" in text
    text = post(decision, url, _meeting(deciding, leader="1"))
    assert "主要负责人应最后表态。" in text
    data = _meeting(deciding)
    first = InspectionTarget.objects.active().filter(cycle=deciding.cycle).order_by("pk").first()
    del data[f"m2_t{first.pk}"]
    text = post(decision, url, data)
    assert f"{deciding.board(5)[1].name}尚未表态。" in text
    text = post(decision, url, _meeting(deciding, leader=""))
    assert "主要负责人：请在到会成员中指定主要负责人（最后表态）。" in text
    # All targets passing would be more than the places of both lists (差额).
    text = post(decision, url, _meeting(deciding, reason=""))
    assert "区级后备干部名额2名，通过3名，超出1名。" in text
    assert "请写明超出名额的理由后再保存" in text and 'name="over_quota_reason"' in text
    assert not Decision.objects.exists()
    assert as_user(client, users[Role.PERSONNEL]).post(url, _meeting(deciding)).status_code == 403


def test_a_divided_body_postpones_and_decides_at_a_later_meeting(client, users, deciding):
    cycle = deciding.cycle
    targets = list(InspectionTarget.objects.active().filter(cycle=cycle).order_by("pk"))
    divided = targets[0]
    url = reverse("selection:meeting_record", args=[cycle.pk])
    decision = as_user(client, users[Role.DECISION])
    split = {divided.pk: ["agree", "agree", "disagree", "defer", "disagree"]}
    text = post(
        decision, url, _meeting(deciding, choices=split, held_on=TODAY() - dt.timedelta(days=2))
    )
    assert "已记录讨论决定。" in text
    assert Decision.objects.get(target=divided).outcome == Outcome.POSTPONED
    assert Decision.objects.filter(outcome=Outcome.PASSED).count() == len(targets) - 1
    text = page(decision, reverse("selection:decision", args=[cycle.pk]))
    assert "意见分歧，暂缓决定" in text
    # The next meeting has only the postponed target to decide.
    assert f'name="m1_t{divided.pk}"' in text and f'name="m1_t{targets[1].pk}"' not in text
    post(decision, url, _meeting(deciding))
    assert (
        Decision.objects.filter(target=divided).latest("meeting__held_on").outcome == Outcome.PASSED
    )
    # The district reads the outcomes and counts, not what each member said.
    member = deciding.board(5)[2].name
    assert f"{member}：不同意" in page(decision, reverse("selection:decision", args=[cycle.pk]))
    district = page(
        as_user(client, users[Role.DISTRICT]), reverse("selection:decision", args=[cycle.pk])
    )
    assert "同意2、不同意2、缓议1" in district  # the first meeting's counts for the divided target
    assert f"{member}：" not in district and "逐人表态（按发言顺序）" not in district
    assert "各成员的逐人表态和会议备注仅本校人事室和校务会、支委会成员可见。" in district


def test_the_notice_objections_and_the_pool(client, users, deciding, staff):
    cycle = deciding.cycle
    as_user(client, users[Role.DECISION])
    post(client, reverse("selection:meeting_record", args=[cycle.pk]),
         _meeting(deciding, held_on=TODAY() - dt.timedelta(days=40)))  # fmt: skip
    personnel = as_user(client, users[Role.PERSONNEL])
    end = page(personnel, reverse("selection:notice_end", args=[cycle.pk]), start="2024-09-27")
    assert "自2024-09-27起5个工作日，公示期至2024-10-09。" in end  # 9-29 worked, 10-1…7 off
    start = TODAY() - dt.timedelta(days=30)
    text = post(personnel, reverse("selection:advance", args=[cycle.pk]),
                {"stage": "decision", "start": start.isoformat()})  # fmt: skip
    assert "已进入“公示”阶段。" in text
    notice = PublicNotice.objects.get(cycle=cycle)
    assert notice.start == start and notice.working_days == 5

    target = InspectionTarget.objects.active().filter(cycle=cycle).order_by("pk").first()
    create = reverse("selection:objection_create", args=[cycle.pk])
    report = {"target": str(target.pk), "signed": "True", "reporter_name": "",
              "received_on": TODAY().isoformat(), "content": "反映其作风问题"}  # fmt: skip
    assert "请填写反映人。" in post(personnel, create, report)
    text = post(personnel, create, report | {"reporter_name": "李老师"})
    assert "已登记异议" in text and "李老师" in text
    objection = Objection.objects.get()

    text = post(personnel, reverse("selection:advance", args=[cycle.pk]), {"stage": "notice"})
    assert "还不能结束公示，列入后备干部库：有1件异议尚未处理完毕。" in text

    close = reverse("selection:objection_close", args=[cycle.pk, objection.pk])
    minor = {"investigation": "经核实基本属实但情节轻微", "outcome": ObjectionOutcome.MINOR}
    assert "请填写向反映人反馈的内容。" in post(personnel, close, minor)
    answered = {"answer": "已核实并对其进行提醒谈话", "answered_on": TODAY().isoformat()}
    text = post(personnel, close, minor | answered)
    assert "问题轻微的，请填写提醒谈话日期。" in text
    text = post(personnel, close, {
        "investigation": "经核实基本属实但情节轻微", "outcome": ObjectionOutcome.MINOR,
        "reminder_talk_on": TODAY().isoformat(), "answer": "已核实并对其进行提醒谈话",
        "answered_on": TODAY().isoformat(),
    })  # fmt: skip
    assert "异议已处理完毕。" in text
    objection.refresh_from_db()
    assert not objection.is_open and objection.answer == "已核实并对其进行提醒谈话"

    text = post(personnel, reverse("selection:advance", args=[cycle.pk]), {"stage": "notice"})
    assert "已进入“完成”阶段。" in text
    entries = PoolEntry.objects.filter(cycle=cycle)
    assert entries.filter(person=target.person).exists()
    text = page(personnel, reverse("selection:pool", args=[cycle.pk]))
    assert target.person.name in text and "全校后备干部队伍结构" in text
    district = as_user(client, users[Role.DISTRICT])
    assert target.person.name in page(district, reverse("selection:pool", args=[cycle.pk]))
    assert "已完成（归档）" in page(district, reverse("selection:list"))


def test_a_postponement_is_tracked_and_resolved(client, users, walk):
    walk.to_notice(start=TODAY() - dt.timedelta(days=30))
    cycle = walk.cycle
    target = InspectionTarget.objects.active().filter(cycle=cycle).order_by("pk").first()
    objection = register_objection(
        actor=walk.admin, cycle=cycle, target=target, signed=False, received_on=TODAY(),
        content="反映其存在违规行为",
    )  # fmt: skip
    personnel = as_user(client, users[Role.PERSONNEL])
    close = reverse("selection:objection_close", args=[cycle.pk, objection.pk])
    too_late = (TODAY() + dt.timedelta(days=120)).isoformat()
    text = post(personnel, close, {"investigation": "一时难以查实", "outcome": ObjectionOutcome.UNVERIFIED,
                                   "postponed_until": too_late})  # fmt: skip
    assert "暂缓期限应在今天之后，且一般不超过3个月" in text
    until = (TODAY() + dt.timedelta(days=60)).isoformat()
    post(personnel, close, {"investigation": "一时难以查实", "outcome": ObjectionOutcome.UNVERIFIED,
                            "postponed_until": until})  # fmt: skip
    workflow.complete_cycle(actor=walk.admin, cycle=cycle)
    assert not PoolEntry.objects.filter(target=target).exists()
    text = page(personnel, reverse("selection:pool", args=[cycle.pk]))
    assert "暂缓待了结" in text and f"暂缓至 {until}" in text
    resolve = reverse("selection:objection_resolve", args=[cycle.pk, objection.pk])
    text = post(personnel, resolve, {"result": PostponementResult.CLEARED,
                                     "resolved_on": TODAY().isoformat(), "reason": "经查不实"})  # fmt: skip
    assert "暂缓事项已了结。" in text
    assert PoolEntry.objects.filter(target=target).exists()
    cycle.refresh_from_db()
    assert cycle.stage == Stage.DONE


def test_the_notice_is_for_every_member_of_staff_of_the_school(client, users, walk, other_school):
    walk.to_notice(start=TODAY() - dt.timedelta(days=2))
    name = InspectionTarget.objects.active().filter(cycle=walk.cycle).first().person.name
    for role in (Role.STAFF, Role.MENTOR, Role.DECISION, Role.PERSONNEL):
        text = page(as_user(client, users[role]), reverse("selection:notices"))
        assert "后备干部人选公示" in text and name in text
    elsewhere = make_user(Role.STAFF, school=other_school)
    text = page(as_user(client, elsewhere), reverse("selection:notices"))
    assert name not in text and "目前没有公示。" in text


def test_a_notice_past_its_period_and_not_yet_ended_says_so(client, users, walk):
    cycle = walk.to_notice(start=TODAY() - dt.timedelta(days=30))
    end = PublicNotice.objects.get(cycle=cycle).end
    text = page(as_user(client, users[Role.STAFF]), reverse("selection:notices"))
    assert f"公示期已于 {end.isoformat()} 届满，待人事室结束公示。" in text
    assert "后备干部人选公示" in text


def test_the_notice_can_be_previewed_before_it_is_published(client, users, deciding):
    """Before the 公示 starts, the office reads it as it will be posted: the next step links
    to its print view for the start date shown, and the link follows the date."""
    cycle = deciding.cycle
    as_user(client, users[Role.DECISION])
    post(client, reverse("selection:meeting_record", args=[cycle.pk]),
         _meeting(deciding, held_on=TODAY() - dt.timedelta(days=3)))  # fmt: skip
    personnel = as_user(client, users[Role.PERSONNEL])
    text = page(personnel, reverse("selection:decision", args=[cycle.pk]))
    today = reverse("selection:document", args=[cycle.pk, "html"])
    today += f"?key=public-notice&amp;start={TODAY().isoformat()}"
    assert f'href="{today}"' in text and "预览公示" in text
    end = page(personnel, reverse("selection:notice_end", args=[cycle.pk]), start="2024-09-27")
    assert "start=2024-09-27" in end and "预览公示" in end
    preview = page(personnel, today.replace("&amp;", "&"))
    name = InspectionTarget.objects.active().filter(cycle=cycle).first().person.name
    assert "后备干部人选公示" in preview and name in preview
    assert not PublicNotice.objects.exists()  # a preview publishes nothing


def test_the_notice_names_the_personnel_office_when_no_one_is_responsible(
    client, users, deciding, school
):
    """Without a responsible person for the 公示 stage the notice names the personnel
    office's contact; with nobody to name, the office is warned before publishing."""
    cycle = deciding.cycle
    as_user(client, users[Role.DECISION])
    post(client, reverse("selection:meeting_record", args=[cycle.pk]),
         _meeting(deciding, held_on=TODAY() - dt.timedelta(days=3)))  # fmt: skip
    personnel = as_user(client, users[Role.PERSONNEL])
    decision_url = reverse("selection:decision", args=[cycle.pk])
    preview = reverse("selection:document", args=[cycle.pk, "html"])
    preview += f"?key=public-notice&start={TODAY().isoformat()}"
    text = page(personnel, decision_url)
    assert "尚未安排“公示”阶段的负责人，人事室也没有登记联系电话的人员" in text
    assert "联系人：＿＿＿＿＿＿；联系电话：＿＿＿＿＿＿。" in page(personnel, preview)
    make_person(school, name="钱丽", phone="021-64310101", user=users[Role.PERSONNEL])
    assert "尚未安排“公示”阶段的负责人" not in page(personnel, decision_url)
    assert "联系方式：钱丽，021-64310101。" in page(personnel, preview)
    # A responsible person without a phone: the document names them, the phone is blank.
    post(personnel, reverse("selection:plan", args=[cycle.pk]),
         {"stage": "notice", "responsible": str(deciding.board(5)[0].pk)})  # fmt: skip
    text = page(personnel, decision_url)
    assert f"负责人{deciding.board(5)[0].name}在档案中没有联系电话" in text
    # Published, the notice every member of staff reads has the same contact.
    post(personnel, reverse("selection:plan", args=[cycle.pk]), {"stage": "notice"})
    post(personnel, reverse("selection:advance", args=[cycle.pk]),
         {"stage": "decision", "start": TODAY().isoformat()})  # fmt: skip
    text = page(as_user(client, users[Role.STAFF]), reverse("selection:notices"))
    assert "联系方式：钱丽，021-64310101。" in text
