"""The dashboard: the eight stages with their dates and counts, what comes next, the link
to the current stage; and a number of queries that does not grow with the cycle (a
district's sixty schools in a cycle load it often)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.selection import inspection, recommendation, services, targets, workflow
from houbei.selection.notice import register_objection

from .conftest import TODAY, qualified
from .views_support import as_user, page

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_dashboard_shows_the_timeline_and_the_next_move(client, users, walk):
    walk.to_targets()
    cycle = walk.cycle
    text = page(
        as_user(client, users[Role.PERSONNEL]), reverse("selection:detail", args=[cycle.pk])
    )
    assert text.count('<span class="dot"') == 8
    assert "符合条件9人" in text and "已进行1轮，第1轮有效" in text
    assert "已记录意见10条，两方面均已征求5人" in text
    assert "当前阶段：确定考察对象" in text
    assert reverse("selection:targets", args=[cycle.pk]) in text
    assert "下一步：开始组织考察" in text and "尚未确定考察对象。" in text
    # The decision body sees what comes next, without the button that moves the cycle.
    text = page(as_user(client, users[Role.DECISION]), reverse("selection:detail", args=[cycle.pk]))
    assert "尚未确定考察对象。" in text
    assert reverse("selection:advance", args=[cycle.pk]) not in text


def test_the_dashboard_counts_talk_recommendations_in_person_times(client, users, walk, staff):
    """谈话调研推荐 names people a number of times each (人次): 6 + 4 + 3 is 13 人次 of
    three people."""
    walk.to_recommendation()
    walk.round()
    recommendation.record_talk_recommendations(
        actor=walk.admin, cycle=walk.cycle, interviewees=8,
        counts=[recommendation.TalkCount(walk.district, staff[0], 6),
                recommendation.TalkCount(walk.school, staff[0], 4),
                recommendation.TalkCount(walk.school, staff[1], 3)],
    )  # fmt: skip
    text = page(
        as_user(client, users[Role.PERSONNEL]), reverse("selection:detail", args=[walk.cycle.pk])
    )
    assert "谈话调研推荐13人次记录" in text


def test_the_dashboards_queries_do_not_grow_with_the_roll(
    client, users, cycle, django_assert_num_queries
):
    personnel = as_user(client, users[Role.PERSONNEL])
    url = reverse("selection:detail", args=[cycle.pk])
    baseline = _queries(personnel, url)
    more = [qualified(cycle.school, name=f"新增{i}") for i in range(40)]
    services.add_to_roll(actor=None, cycle=cycle, people=more, basis="代表性")
    with django_assert_num_queries(baseline):
        personnel.get(url)


def test_the_dashboards_queries_do_not_grow_with_targets_or_objections(
    client, users, walk, staff, django_assert_num_queries
):
    walk.to_opinions()
    walk.consult(staff)
    cycle = workflow.start_target_selection(actor=walk.admin, cycle=walk.cycle)
    personnel = as_user(client, users[Role.PERSONNEL])
    url = reverse("selection:detail", args=[cycle.pk])
    targets.choose_targets(
        actor=walk.decider, cycle=cycle, decided_on=TODAY(),
        targets={walk.district: staff[:3], walk.school: staff[:4]},
    )  # fmt: skip
    baseline = _queries(personnel, url)
    targets.choose_targets(
        actor=walk.decider, cycle=cycle, decided_on=TODAY(),
        targets={walk.district: staff[:6], walk.school: staff},
    )  # fmt: skip
    with django_assert_num_queries(baseline):
        text = personnel.get(url).content.decode()
    assert "考察对象15人" in text


def test_the_dashboards_queries_at_the_notice_do_not_grow_with_objections(
    client, users, walk, django_assert_num_queries
):
    walk.to_notice(start=TODAY() - dt.timedelta(days=30))
    cycle = walk.cycle
    personnel = as_user(client, users[Role.PERSONNEL])
    url = reverse("selection:detail", args=[cycle.pk])
    baseline = _queries(personnel, url)
    for target in walk.active_targets():
        register_objection(
            actor=walk.admin, cycle=cycle, target=target, signed=False, received_on=TODAY(),
            content="反映问题",
        )  # fmt: skip
    with django_assert_num_queries(baseline):
        text = personnel.get(url).content.decode()
    assert "异议7件，未处理7件" in text


def test_the_dashboards_queries_in_the_inspection_do_not_grow_with_reports(
    client, users, walk, django_assert_num_queries
):
    walk.to_inspection()
    cycle = walk.cycle
    personnel = as_user(client, users[Role.PERSONNEL])
    url = reverse("selection:detail", args=[cycle.pk])
    first, *others = walk.active_targets()
    inspection.save_report(actor=walk.admin, target=first, text="考察材料")
    baseline = _queries(personnel, url)
    for target in others:
        inspection.save_report(actor=walk.admin, target=target, text="考察材料")
    with django_assert_num_queries(baseline):
        personnel.get(url)
