"""Both sides of the two-way selection: the reserve cadres' 意向表 (附2) while the round is
open, and the post side's ranking, acceptance and refusals until the matching runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from houbei.audit.models import AuditEntry
from houbei.core.errors import ValidationFailed
from houbei.rotations.intentions import (
    ChoiceDraft,
    candidates_for,
    reserve_cadres,
    set_post_preferences,
    submit_intention,
    withdraw_intention,
)
from houbei.rotations.models import Intention, PostPreference, RoundPost
from houbei.rotations.proposal import run_matching
from houbei.rotations.rounds import close_intentions

from ..factories import add_history, make_person
from .conftest import enrol, fill, last_entry

pytestmark = pytest.mark.django_db


def test_a_reserve_cadre_fills_the_form_with_ranks_mentors_lengths_and_remarks(
    round_, admin, cadres, posts, mentors
):
    intention = submit_intention(
        actor=admin, round_=round_, person=cadres[0], remarks="希望到德育处锻炼",
        choices=[
            ChoiceDraft(posts["moral-office"], 1, "year", mentors["moral"], "想做德育"),
            ChoiceDraft(posts["academic-office"], 3, "term"),
            ChoiceDraft(posts["general-office"], 3, "term"),
        ],
    )  # fmt: skip
    rows = list(intention.choices.order_by("rank", "pk"))
    # Ranks are kept dense; the two posts ranked equal stay equal.
    assert [(r.round_post.post.code, r.rank) for r in rows] == [
        ("moral-office", 1), ("academic-office", 2), ("general-office", 2),
    ]  # fmt: skip
    assert rows[0].mentor == mentors["moral"] and rows[0].length == "year"
    assert rows[0].remarks == "想做德育" and intention.remarks == "希望到德育处锻炼"
    entry = last_entry("rotations.intention.submitted")
    assert entry.old is None and entry.actor == admin
    assert entry.new["choices"][0] == {
        "rank": 1, "post": "德育处", "length": "year", "mentor": "德育主任", "remarks": "想做德育",
    }  # fmt: skip


def test_editing_the_form_replaces_its_rows_and_keeps_the_old_ones_in_the_trail(
    round_, admin, cadres, posts
):
    fill(admin, round_, cadres[0], ["moral-office", "academic-office"])
    intention = fill(admin, round_, cadres[0], ["general-office"])
    assert [c.round_post.post.code for c in intention.choices.all()] == ["general-office"]
    assert Intention.objects.filter(round=round_, person=cadres[0]).count() == 1
    entry = last_entry("rotations.intention.submitted")
    assert [c["post"] for c in entry.old["choices"]] == ["德育处", "教导处"]
    assert [c["post"] for c in entry.new["choices"]] == ["总务处"]


def test_the_form_refuses_each_bad_row_naming_the_row_and_post(round_, admin, cadres, posts):
    with pytest.raises(ValidationFailed) as refused:
        submit_intention(
            actor=admin, round_=round_, person=cadres[0],
            choices=[
                ChoiceDraft(posts["grade-leader"], 1, "term"),  # held now
                ChoiceDraft(posts["moral-office"], 2, "three-years"),
                ChoiceDraft(posts["moral-office"], 3, "term"),
                ChoiceDraft(posts["academic-office"], 0, "term", cadres[0]),
            ],
        )  # fmt: skip
    assert refused.value.errors == {
        "choices": [
            "第1行（年级组长）：是本人现任岗位，不能作为轮岗岗位。",
            "第2行（德育处）：时长应为一学期或一学年。",
            "第3行（德育处）：岗位重复。",
            "第4行（教导处）：志愿顺序应为正整数。",
            "第4行（教导处）：不能填写本人为带教人员。",
        ]
    }
    with pytest.raises(ValidationFailed) as refused:
        submit_intention(actor=admin, round_=round_, person=cadres[0], choices=[])
    assert refused.value.errors == {"choices": ["请至少填写一个岗位。"]}
    assert not Intention.objects.exists()


def test_a_length_the_post_does_not_allow_is_refused(round_, admin, cadres, posts):
    post = posts["school-leader"]
    post.allowed_lengths = ["term"]
    post.save()
    with pytest.raises(ValidationFailed) as refused:
        fill(admin, round_, cadres[0], ["school-leader"], length="year")
    assert refused.value.errors == {
        "choices": ["第1行（（副）校级）：（副）校级的轮岗时长只能是一学期。"]
    }


def test_a_post_not_offered_is_refused(round_, admin, cadres, posts, school):
    from houbei.organisation.models import Post

    extra = Post.objects.create(school=school, name="团委", code="league", ladder_level=2)
    with pytest.raises(ValidationFailed) as refused:
        submit_intention(
            actor=admin, round_=round_, person=cadres[0], choices=[ChoiceDraft(extra, 1, "term")]
        )
    assert refused.value.errors == {"choices": ["第1行（团委）：本轮未开放该岗位。"]}


def test_only_reserve_cadres_valid_when_the_rotation_starts_may_fill_the_form(
    round_, admin, school, cadres
):
    outsider = make_person(school, name="普通教师")
    lapsed = make_person(school, name="过期后备")
    enrol(lapsed, decided_on=dt.date(2024, 6, 1))  # valid until 2026-06-01, before September
    assert set(reserve_cadres(round_)) == set(cadres)
    for person in (outsider, lapsed):
        with pytest.raises(ValidationFailed) as refused:
            fill(admin, round_, person, ["moral-office"])
        assert refused.value.errors == {
            "person": [
                f"{person.name}不在本校后备干部库中（或在轮岗开始时已过有效期），不能填报意向表。"
            ]
        }


def test_the_form_cannot_be_edited_or_withdrawn_after_the_round_closes(round_, admin, cadres):
    fill(admin, round_, cadres[0], ["moral-office"])
    close_intentions(actor=admin, round_=round_)
    with pytest.raises(ValidationFailed) as refused:
        fill(admin, round_, cadres[0], ["academic-office"])
    assert refused.value.errors == {
        "status": ["本轮当前状态为“意向已截止”，不能填报或修改意向表（应在“填报意向”时进行）。"]
    }
    with pytest.raises(ValidationFailed):
        withdraw_intention(actor=admin, round_=round_, person=cadres[0])
    assert [c.round_post.post.code for c in Intention.objects.get().choices.all()] == [
        "moral-office"
    ]


def test_a_withdrawn_form_is_kept_and_may_be_filled_in_again(round_, admin, cadres):
    fill(admin, round_, cadres[0], ["moral-office"])
    intention = withdraw_intention(actor=admin, round_=round_, person=cadres[0], reason="家中有事")
    assert intention.withdrawn_at is not None
    assert last_entry("rotations.intention.withdrawn").reason == "家中有事"
    with pytest.raises(ValidationFailed) as refused:
        withdraw_intention(actor=admin, round_=round_, person=cadres[0])
    assert "person" in refused.value.errors
    intention = fill(admin, round_, cadres[0], ["academic-office"])
    assert intention.withdrawn_at is None
    assert last_entry("rotations.intention.submitted").old["withdrawn"] is True


def test_the_post_side_ranks_declines_and_accepts_the_rest(round_, admin, cadres, posts, mentors):
    for person in cadres:
        fill(admin, round_, person, ["moral-office"])
    offer = RoundPost.objects.get(round=round_, post=posts["moral-office"])
    assert [c.intention.person for c in candidates_for(offer)] == cadres
    set_post_preferences(
        actor=admin, offer=offer, ranking=[[cadres[2]], [cadres[0]]], declined=[cadres[1]],
        accept_others=False, by=mentors["moral"],
    )  # fmt: skip
    prefs = {
        p.person: (p.tier, p.declined) for p in PostPreference.objects.filter(round_post=offer)
    }
    assert prefs == {cadres[2]: (1, False), cadres[0]: (2, False), cadres[1]: (None, True)}
    offer.refresh_from_db()
    assert not offer.accept_others and offer.ranked_by_person == mentors["moral"]
    entry = last_entry("rotations.post_side.ranked")
    assert entry.new["ranking"] == [["卢懿蕾"], ["陈晔"]] and entry.new["declined"] == ["黄蔚敏"]
    # Answering again replaces the last answer: one tier is an acceptance of all in it.
    set_post_preferences(actor=admin, offer=offer, ranking=[cadres])
    assert set(PostPreference.objects.filter(round_post=offer).values_list("tier", flat=True)) == {
        1
    }
    assert last_entry("rotations.post_side.ranked").old["declined"] == ["黄蔚敏"]


def test_the_post_side_is_answered_by_a_mentor_or_holder_of_the_post(
    round_, admin, cadres, posts, mentors, school
):
    fill(admin, round_, cadres[0], ["moral-office"])
    offer = RoundPost.objects.get(round=round_, post=posts["moral-office"])
    with pytest.raises(ValidationFailed) as refused:
        set_post_preferences(
            actor=admin, offer=offer, ranking=[[cadres[0]]], by=mentors["academic"]
        )
    assert refused.value.errors == {
        "by": ["教导主任既不是德育处的带教人员，也不是该岗位的现任人员。"]
    }
    holder = make_person(school, name="德育副主任")
    add_history(holder, "moral-office", dt.date(2020, 9, 1))
    set_post_preferences(actor=admin, offer=offer, ranking=[[cadres[0]]], by=holder)


def test_the_post_side_refuses_people_who_did_not_list_the_post_or_are_named_twice(
    round_, admin, cadres, posts, school
):
    fill(admin, round_, cadres[0], ["moral-office"])
    fill(admin, round_, cadres[1], ["academic-office"])
    offer = RoundPost.objects.get(round=round_, post=posts["moral-office"])
    with pytest.raises(ValidationFailed) as refused:
        set_post_preferences(actor=admin, offer=offer, ranking=[[cadres[0], cadres[1]]])
    assert refused.value.errors == {"ranking": ["以下人员没有在意向表中填报德育处：黄蔚敏"]}
    with pytest.raises(ValidationFailed) as refused:
        set_post_preferences(actor=admin, offer=offer, ranking=[[cadres[0]]], declined=[cadres[0]])
    assert refused.value.errors == {"ranking": ["陈晔被重复排序或既排序又不接受。"]}
    assert not PostPreference.objects.exists()


def test_the_post_side_cannot_answer_once_the_matching_has_run(round_, admin, cadres, posts):
    fill(admin, round_, cadres[0], ["moral-office"])
    offer = RoundPost.objects.get(round=round_, post=posts["moral-office"])
    close_intentions(actor=admin, round_=round_)
    set_post_preferences(actor=admin, offer=offer, ranking=[[cadres[0]]])  # still allowed
    run_matching(actor=admin, round_=round_)
    with pytest.raises(ValidationFailed) as refused:
        set_post_preferences(actor=admin, offer=offer, ranking=[], declined=[cadres[0]])
    assert "status" in refused.value.errors


def test_a_form_carries_the_time_it_was_submitted_now_or_in_the_past(round_, admin, cadres, posts):
    before = timezone.now()
    intention = fill(admin, round_, cadres[0], ["moral-office"])
    assert before <= intention.submitted_at <= timezone.now()
    assert last_entry("rotations.intention.submitted").at == intention.submitted_at
    past = timezone.now() - dt.timedelta(days=40)
    intention = submit_intention(
        actor=admin, round_=round_, person=cadres[1], at=past,
        choices=[ChoiceDraft(posts["academic-office"], 1, "term")],
    )  # fmt: skip
    intention.refresh_from_db()
    assert intention.submitted_at == past
    assert last_entry("rotations.intention.submitted").at == past


@pytest.mark.parametrize(
    "when",
    [
        lambda: timezone.now() + dt.timedelta(hours=1),
        lambda: dt.datetime(2026, 6, 1, 10, 0),  # naive
    ],
    ids=["future", "naive"],
)
def test_a_form_is_refused_a_time_in_the_future_or_without_a_time_zone(
    round_, admin, cadres, posts, when
):
    with pytest.raises(ValueError):
        submit_intention(
            actor=admin, round_=round_, person=cadres[0], at=when(),
            choices=[ChoiceDraft(posts["moral-office"], 1, "term")],
        )  # fmt: skip
    assert not Intention.objects.filter(round=round_).exists()
    assert not AuditEntry.objects.filter(action="rotations.intention.submitted").exists()


def test_a_past_answer_of_the_post_side_is_judged_on_its_own_day(
    round_, admin, cadres, posts, school
):
    fill(admin, round_, cadres[0], ["moral-office"])
    offer = RoundPost.objects.get(round=round_, post=posts["moral-office"])
    # The vice-head held 德育处 until a month ago: not a holder today, but one then.
    holder = make_person(school, name="德育副主任")
    add_history(
        holder, "moral-office", dt.date(2020, 9, 1), timezone.localdate() - dt.timedelta(days=30)
    )
    with pytest.raises(ValidationFailed) as refused:
        set_post_preferences(actor=admin, offer=offer, ranking=[[cadres[0]]], by=holder)
    assert "by" in refused.value.errors
    then = timezone.now() - dt.timedelta(days=45)
    offer = set_post_preferences(
        actor=admin, offer=offer, ranking=[[cadres[0]]], by=holder, at=then
    )
    offer.refresh_from_db()
    assert offer.ranked_at == then and offer.ranked_by_person == holder
    assert last_entry("rotations.post_side.ranked").at == then
    with pytest.raises(ValueError):
        set_post_preferences(
            actor=admin, offer=offer, ranking=[], declined=[cadres[0]],
            at=timezone.now() + dt.timedelta(minutes=5),
        )  # fmt: skip
    assert PostPreference.objects.get(round_post=offer).declined is False
