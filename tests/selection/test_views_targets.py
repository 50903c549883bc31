"""征求意见 and 确定考察对象 through the pages: opinions per person and source, the
decision body's choice with the votes beside the names and the 差额 warning to
acknowledge, the 考察预告, readiness."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.ballots.services import publish_results
from houbei.selection.models import (
    InspectionTarget,
    Opinion,
    OpinionSource,
    OpinionStance,
    Readiness,
    RecommendationRound,
    Stage,
    TargetSelection,
)

from .conftest import TODAY
from .views_support import as_user, page, post

pytestmark = pytest.mark.django_db


def test_opinions_are_recorded_from_the_page(client, users, walk, staff):
    walk.to_opinions()
    cycle = walk.cycle
    personnel = as_user(client, users[Role.PERSONNEL])
    url = reverse("selection:opinion_record", args=[cycle.pk])
    who = {"person": str(staff[0].pk), "source": OpinionSource.BRANCH}
    text = post(personnel, url, who | {"stance": OpinionStance.RESERVED, "text": ""})
    assert "有保留意见或不同意时，请写明具体意见。" in text
    assert not Opinion.objects.exists()
    post(personnel, url, who | {"stance": OpinionStance.RESERVED, "text": "群众基础有待加强"})
    opinion = Opinion.objects.get()
    assert (opinion.person, opinion.stance) == (staff[0], OpinionStance.RESERVED)
    text = page(personnel, reverse("selection:opinions", args=[cycle.pk]))
    assert "有保留意见" in text and "群众基础有待加强" in text
    assert AuditEntry.objects.filter(action="selection.opinion.recorded").count() == 1
    # The decision body reads them but does not record them.
    decision = as_user(client, users[Role.DECISION])
    assert "群众基础有待加强" in page(decision, reverse("selection:opinions", args=[cycle.pk]))
    assert decision.post(url, who | {"stance": OpinionStance.SUPPORT}).status_code == 403


def _choose(walk, district, school, **extra):
    data = {
        "decided_on": TODAY().isoformat(),
        f"list_{walk.district.pk}": [str(p.pk) for p in district],
        f"list_{walk.school.pk}": [str(p.pk) for p in school],
    }
    return data | extra


def test_targets_are_chosen_with_the_votes_beside_them_and_the_warning_acknowledged(
    client, users, walk, staff
):
    walk.to_targets()
    cycle = walk.cycle
    url = reverse("selection:targets", args=[cycle.pk])
    decision = as_user(client, users[Role.DECISION])
    # Until the office publishes the results, the decision body is told so.
    assert "推荐结果尚未公布，得票暂不显示" in page(decision, url)
    publish_results(actor=walk.admin, election=RecommendationRound.objects.get().election)
    text = page(decision, url)
    assert "第1位</span> 9票（100.0%）" in text
    # Someone not yet consulted cannot be ticked.
    assert f'value="{staff[6].pk}"' not in text and f'value="{staff[4].pk}"' in text

    choose = reverse("selection:targets_choose", args=[cycle.pk])
    text = post(decision, choose, _choose(walk, staff[:2], staff[:4]))
    assert "区级后备干部：考察对象2人，与名额相等，未实行差额考察。" in text
    assert "考察对象人数不符合差额考察要求，请写明理由后确认。" in text
    assert not TargetSelection.objects.exists()
    reason = "区级人选意见集中，集体研究实行等额考察"
    text = post(decision, choose, _choose(walk, staff[:2], staff[:4], acknowledgement=reason))
    assert "已确定考察对象6人次。" in text
    selection = TargetSelection.objects.get()
    assert selection.acknowledgement == reason and selection.by == users[Role.DECISION]
    target = InspectionTarget.objects.get(cycle_list=walk.district, person=staff[0])
    assert "推荐其为区级后备干部9票，占有效票100.0%，居第1位" in target.votes_note
    assert reason in page(decision, url)


def test_the_inspection_notice_and_readiness(client, users, walk, staff):
    walk.to_targets()
    cycle = walk.cycle
    decision = as_user(client, users[Role.DECISION])
    post(
        decision, reverse("selection:targets_choose", args=[cycle.pk]),
        _choose(walk, staff[:3], staff[1:5],
                decided_on=(TODAY() - dt.timedelta(days=2)).isoformat()),
    )  # fmt: skip
    assert InspectionTarget.objects.active().filter(cycle=cycle).count() == 7
    target = InspectionTarget.objects.get(cycle_list=walk.district, person=staff[0])
    post(
        decision, reverse("selection:readiness", args=[cycle.pk, target.pk]),
        {"readiness": Readiness.NEAR},
    )  # fmt: skip
    target.refresh_from_db()
    assert target.readiness == Readiness.NEAR

    personnel = as_user(client, users[Role.PERSONNEL])
    notice = reverse("selection:targets_notice", args=[cycle.pk])
    tomorrow = (TODAY() + dt.timedelta(days=1)).isoformat()
    assert "发布日期不能晚于今天。" in post(personnel, notice, {"published_on": tomorrow})
    yesterday = TODAY() - dt.timedelta(days=1)
    text = post(personnel, notice, {"published_on": yesterday.isoformat()})
    assert "已发布考察预告（7人次）。" in text
    start = (yesterday + dt.timedelta(days=3)).isoformat()
    assert f"{start} 起可开始考察" in text
    # Three days must pass: the advance says so.
    text = post(personnel, reverse("selection:advance", args=[cycle.pk]), {"stage": "targets"})
    assert "方可开始考察" in text
    cycle.refresh_from_db()
    assert cycle.stage == Stage.TARGETS
    # Posted earlier than entered: the office corrects the day, giving the reason.
    text = page(personnel, reverse("selection:targets", args=[cycle.pk]))
    assert "更正考察预告发布日期" in text and "登记考察预告已发布" not in text
    earlier = (TODAY() - dt.timedelta(days=2)).isoformat()
    assert "请写明更正理由" in post(personnel, notice, {"published_on": earlier})
    text = post(personnel, notice, {"published_on": earlier, "reason": "张贴当天未登记"})
    assert f"已将考察预告发布日期更正为{earlier}（7人次）。" in text
    too_early = (TODAY() - dt.timedelta(days=3)).isoformat()
    assert "发布日期不能早于确定考察对象的日期" in post(
        personnel, notice, {"published_on": too_early, "reason": "再更正"}
    )
    # Everyone in the school reads the 考察预告.
    staff_member = as_user(client, users[Role.STAFF])
    text = page(staff_member, reverse("selection:notices"))
    assert "考察预告" in text and staff[0].name in text


def test_choosing_again_withdraws_and_the_office_cannot_choose(client, users, walk, staff):
    walk.to_targets()
    walk.choose()
    cycle = walk.cycle
    personnel = as_user(client, users[Role.PERSONNEL])
    data = _choose(walk, staff[1:4], staff[1:5])
    assert (
        personnel.post(reverse("selection:targets_choose", args=[cycle.pk]), data).status_code
        == 403
    )
    decision = as_user(client, users[Role.DECISION])
    post(decision, reverse("selection:targets_choose", args=[cycle.pk]), data)
    assert not InspectionTarget.objects.active().filter(person=staff[0], cycle=cycle).exists()
    gone = InspectionTarget.objects.get(person=staff[0], cycle=cycle, cycle_list=walk.district)
    assert gone.withdrawn_reason == "重新确定考察对象时未列入"
