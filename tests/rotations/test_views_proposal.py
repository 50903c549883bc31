"""The proposal through the pages: every placement with its explanation, the unplaced and
those left out with their reasons, the fill of posts and mentors; a move saved when it
brings nothing new, a move that warns saved only with the warnings acknowledged as they
stand and a reason, the held post and a mentor's overload refused on their fields;
discarding with a reason; confirming into assignments (and its refusals, each naming its
field)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.rotations.assignments import create_assignment
from houbei.rotations.forms import warnings_digest
from houbei.rotations.models import (
    Assignment,
    MatchingRun,
    Placement,
    RoundStatus,
)
from houbei.rotations.proposal import live_run, run_matching
from houbei.rotations.rounds import close_intentions, set_mentor_capacity, set_round_post

from ..conftest import make_user
from ..selection.views_support import as_user, page, post
from .conftest import fill, last_entry

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, admin):
    return as_user(client, admin)


@pytest.fixture
def matched(round_, admin, cadres):
    """陈晔 wants 德育处 (a year) then 教导处, 黄蔚敏 德育处 then 总务处, 卢懿蕾 教导处;
    one seat each: 陈晔 gets 德育处, 黄蔚敏 总务处 (her second), 卢懿蕾 教导处."""
    a, b, c = cadres
    fill(admin, round_, a, ["moral-office", "academic-office"], length="year")
    fill(admin, round_, b, ["moral-office", "general-office"])
    fill(admin, round_, c, ["academic-office"])
    close_intentions(actor=admin, round_=round_)
    run_matching(actor=admin, round_=round_)
    round_.refresh_from_db()
    return round_


def url(name, *args):
    return reverse(f"rotations:{name}", args=args)


def line(round_, name) -> Placement:
    return Placement.objects.get(run=live_run(round_), person__name=name)


def test_the_proposal_shows_each_placement_with_its_explanation(office, matched, school):
    text = page(office, url("proposal", matched.pk))
    assert "第一志愿：德育处，带教人员：德育主任" in text
    assert "第2志愿：总务处" in text
    assert (
        "德育处：名额已满，已安排岗位方排序在前的陈晔（其中陈晔与本人排序相同，按名单顺序优先）"
        in text
    )
    assert "已安排（3人）" in text and "第一志愿2人" in text
    assert "当前方案符合全部规则" in text
    assert url("move", matched.pk, line(matched, "黄蔚敏").pk) in text
    assert url("confirm", matched.pk) in text and url("discard", matched.pk) in text
    decider = make_user(Role.DECISION, school=school, username="decision-member")
    text = page(as_user(office, decider), url("proposal", matched.pk))
    assert "第2志愿：总务处" in text
    assert url("confirm", matched.pk) not in text and "/move/" not in text


def test_the_unplaced_and_those_left_out_are_listed_with_their_reasons(
    office, round_, admin, cadres, posts, years
):
    a, b, c = cadres
    fill(admin, round_, a, ["moral-office"])
    fill(admin, round_, b, ["moral-office"])
    fill(admin, round_, c, ["general-office"])
    create_assignment(
        actor=admin, person=c, post=posts["trade-union"], start_term=years[0], length="term"
    )
    close_intentions(actor=admin, round_=round_)
    run_matching(actor=admin, round_=round_)
    text = page(office, url("proposal", round_.pk))
    assert "未安排（1人）" in text and "未参加匹配（1人）" in text
    assert "德育处：名额已满，已安排岗位方排序在前的陈晔" in text
    assert "时间重叠。本轮不参加匹配。" in text
    # Someone left out cannot be moved.
    text = post(office, url("move", round_.pk, line(round_, "卢懿蕾").pk))
    assert "轮岗人：卢懿蕾未参加本轮匹配：卢懿蕾在2026-09-01至" in text


def test_a_move_that_brings_nothing_new_is_saved_without_a_reason(office, matched, posts):
    row = line(matched, "陈晔")
    text = post(
        office, url("move", matched.pk, row.pk),
        {"post": posts["moral-office"].pk, "mentor": "", "length": "term", "reason": ""},
    )  # fmt: skip
    assert "已调整：陈晔安排到德育处，带教人员：德育主任（一学期）。" in text
    row.refresh_from_db()
    assert row.length == "term" and row.move_reason == "" and row.moved_at is not None
    matched.refresh_from_db()
    assert matched.status == RoundStatus.ADJUSTED
    assert last_entry("rotations.placement.moved").new["length"] == "term"


def test_the_same_placement_is_refused_on_the_post_field(office, matched, posts, mentors):
    row = line(matched, "陈晔")
    text = post(
        office, url("move", matched.pk, row.pk),
        {"post": posts["moral-office"].pk, "mentor": mentors["moral"].pk, "length": "year"},
    )  # fmt: skip
    assert 'id="id_post_error">调整前后相同，无需保存。' in text


def test_a_move_that_warns_needs_the_warnings_acknowledged_and_a_reason(office, matched, posts):
    row = line(matched, "黄蔚敏")
    address = url("move", matched.pk, row.pk)
    data = {"post": posts["moral-office"].pk, "mentor": "", "length": ""}
    text = post(office, address, data)
    assert "此项调整会带来以下问题：" in text and "德育处安排了2人，超过名额1人" in text
    assert "此项调整会带来上述问题，请确认已了解后再保存。" in text
    assert "此项调整会带来上述问题，请填写调整理由。" in text
    digest = warnings_digest(["德育处安排了2人，超过名额1人"])
    assert f'name="warnings_seen" value="{digest}"' in text
    # A reason alone is not enough, nor an acknowledgement given for other warnings.
    text = post(office, address, data | {"reason": "任务重", "acknowledged": "on"})
    assert "调整带来的问题有变化，请重新确认。" in text
    text = post(
        office, address, data | {"reason": "", "acknowledged": "on", "warnings_seen": digest}
    )
    assert "请填写调整理由" in text
    row.refresh_from_db()
    assert row.moved_at is None and row.round_post.post == posts["general-office"]
    text = post(
        office, address,
        data | {"reason": "德育处本学期任务重，经校务会同意增加一人", "acknowledged": "on",
                "warnings_seen": digest},
    )  # fmt: skip
    assert "已调整：黄蔚敏安排到德育处" in text
    row.refresh_from_db()
    assert row.round_post.post == posts["moral-office"]
    assert row.move_warnings == ["德育处安排了2人，超过名额1人"]
    entry = last_entry("rotations.placement.moved")
    assert entry.reason.startswith("德育处本学期") and entry.new["warnings"] == row.move_warnings
    # The page now shows the move, what was proposed, and the problem it left.
    text = page(office, url("proposal", matched.pk))
    assert "人事室已调整" in text and "原方案：总务处" in text
    assert "当前方案（经调整）存在以下问题：" in text and "德育处安排了2人，超过名额1人" in text
    assert "匹配结果：第2志愿：总务处" in text


def test_the_held_post_and_a_mentors_overload_are_refused_on_their_fields(
    office, round_, admin, cadres, posts, mentors
):
    a, b, _c = cadres
    set_round_post(
        actor=admin, round_=round_, post=posts["moral-office"], capacity=2,
        mentors=[mentors["moral"]],
    )  # fmt: skip
    set_mentor_capacity(actor=admin, round_=round_, mentor=mentors["moral"], capacity=1)
    fill(admin, round_, a, ["moral-office"])
    fill(admin, round_, b, ["moral-office", "general-office"])
    close_intentions(actor=admin, round_=round_)
    run_matching(actor=admin, round_=round_)
    text = post(
        office, url("move", round_.pk, line(round_, "黄蔚敏").pk),
        {"post": posts["moral-office"].pk, "mentor": mentors["moral"].pk, "reason": "坚持",
         "acknowledged": "on"},
    )  # fmt: skip
    assert 'id="id_mentor_error">德育主任带教2人，超过其名额1人' in text
    text = post(
        office, url("move", round_.pk, line(round_, "陈晔").pk),
        {"post": posts["grade-leader"].pk, "reason": "试试", "acknowledged": "on"},
    )  # fmt: skip
    assert 'id="id_post_error">陈晔：年级组长是其现任岗位' in text
    assert not Placement.objects.filter(moved_at__isnull=False).exists()


def test_a_mentor_cannot_be_named_without_a_post(office, matched, mentors):
    text = post(
        office, url("move", matched.pk, line(matched, "陈晔").pk),
        {"post": "none", "mentor": mentors["moral"].pk},
    )  # fmt: skip
    assert 'id="id_mentor_error">未安排岗位时不能指定带教人员。' in text


def test_the_proposal_is_discarded_only_with_a_reason(office, matched):
    text = post(office, url("discard", matched.pk), {"reason": ""})
    assert "作废理由：" in text
    assert live_run(matched) is not None
    text = post(office, url("discard", matched.pk), {"reason": "岗位方要求重新排序"})
    assert "匹配方案已作废（保留记录）" in text
    matched.refresh_from_db()
    assert matched.status == RoundStatus.CLOSED and live_run(matched) is None
    run = MatchingRun.objects.get(round=matched)
    assert run.discard_reason == "岗位方要求重新排序"
    assert "已作废的匹配方案" in text and "岗位方要求重新排序" in text
    # Moves and confirmation are refused once the proposal is gone.
    text = post(office, url("move", matched.pk, run.placements.first().pk))
    assert "状态：本轮当前状态为“意向已截止”，不能调整匹配方案。" in text
    text = post(office, url("confirm", matched.pk))
    assert "状态：本轮当前状态为“意向已截止”，不能确认匹配方案" in text


def test_confirming_makes_the_assignments_and_links_to_them(office, matched, posts):
    response = office.post(url("confirm", matched.pk))
    assert response["Location"] == f"{url('assignments')}?round={matched.pk}"
    text = page(office, response["Location"])
    assert "已确认匹配方案，生成轮岗安排3项。" in text
    assert Assignment.objects.filter(round=matched).count() == 3
    for name in ("陈晔", "黄蔚敏", "卢懿蕾"):
        assert name in text
    matched.refresh_from_db()
    assert matched.status == RoundStatus.CONFIRMED
    text = page(office, url("round", matched.pk))
    assert "本轮的轮岗安排" in text and f"{url('assignments')}?round={matched.pk}" in text
    text = page(office, url("proposal", matched.pk))
    assert "第一志愿：德育处" in text and url("confirm", matched.pk) not in text
    assert last_entry("rotations.round.confirmed").new["status"] == RoundStatus.CONFIRMED


def test_confirming_refusals_name_their_field_and_make_nothing(
    office, matched, admin, cadres, posts, years
):
    create_assignment(
        actor=admin, person=cadres[2], post=posts["personnel-office"], start_term=years[0],
        length="term",
    )  # fmt: skip
    text = post(office, url("confirm", matched.pk))
    assert "轮岗人：卢懿蕾在2026-09-01至" in text and "时间重叠。" in text
    assert not Assignment.objects.filter(round=matched).exists()
    matched.refresh_from_db()
    assert matched.status == RoundStatus.MATCHED
