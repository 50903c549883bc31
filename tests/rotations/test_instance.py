"""The matching's input built from the database says exactly what the tables say: the forms
by rank, eligibility for each ladder level, posts held now and before (rotations too),
waivers and exemptions, the posts' answers, seats and mentor places less what other
rounds' rotations take, and who is left out and why."""

from __future__ import annotations

import datetime as dt

import pytest

from houbei.organisation.models import TermNumber
from houbei.organisation.services import create_school_year
from houbei.rotations import matching
from houbei.rotations.assignments import complete_assignment, create_assignment, start_assignment
from houbei.rotations.instance import RoundInstance, build_instance, eligible_levels
from houbei.rotations.intentions import ChoiceDraft, set_post_preferences, submit_intention
from houbei.rotations.models import RoundPost
from houbei.rotations.rounds import grant_level_waiver, set_mentor_capacity, set_round_post

from ..factories import add_history, add_honour, make_person
from .conftest import cadre, enrol, fill, term_of

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 9, 1)


def test_the_instance_built_from_the_database_matches_the_data(
    school, admin, years, round_, cadres, posts, mentors
):
    a, b, c = cadres
    add_honour(b)  # honoured: first in the school's priority order
    d = make_person(school, name="新班主任")
    add_history(d, "class-teacher", dt.date(2024, 9, 1))
    enrol(d)
    e = cadre(school, "轮过岗")
    create_school_year(actor=None, school=school, start_year=2025)
    earlier = create_assignment(
        actor=admin, person=e, post=posts["moral-office"],
        start_term=term_of(school, 2025, TermNumber.FIRST), length="term",
        mentors=[(mentors["moral"], "leader")],
    )  # fmt: skip
    complete_assignment(actor=admin, assignment=start_assignment(actor=admin, assignment=earlier))
    f = cadre(school, "正在轮岗")
    running = create_assignment(
        actor=admin, person=f, post=posts["academic-office"], start_term=years[0], length="term",
        mentors=[(mentors["academic"], "leader")],
    )  # fmt: skip

    submit_intention(
        actor=admin, round_=round_, person=a,
        choices=[
            ChoiceDraft(posts["moral-office"], 1, "year", mentors["moral"]),
            ChoiceDraft(posts["academic-office"], 2, "term"),
            ChoiceDraft(posts["school-leader"], 2, "term"),
        ],
    )  # fmt: skip
    fill(admin, round_, b, ["moral-office"])
    fill(admin, round_, c, ["moral-office", "trade-union"])
    fill(admin, round_, d, ["moral-office", "grade-leader"])
    fill(admin, round_, e, ["moral-office", "general-office"])
    fill(admin, round_, f, ["academic-office"])
    grant_level_waiver(
        actor=admin, round_=round_, person=a, post=posts["school-leader"], reason="经校务会研究"
    )
    set_round_post(
        actor=admin, round_=round_, post=posts["trade-union"], capacity=1, mentors=[],
        level_exempt=True, exempt_reason="工会岗位酌情处理",
    )  # fmt: skip
    moral = RoundPost.objects.get(round=round_, post=posts["moral-office"])
    set_post_preferences(
        actor=admin, offer=moral, ranking=[[c], [b, a]], declined=[d], accept_others=False
    )
    set_mentor_capacity(actor=admin, round_=round_, mentor=mentors["moral"], capacity=1)

    inst = build_instance(round_)

    pid = {code: post.pk for code, post in posts.items()}
    assert inst.as_of == AS_OF == years[0].start
    assert inst.candidates == (
        matching.Candidate(
            b.pk, (pid["moral-office"],), frozenset({1, 2, 3}),
            frozenset({pid["grade-leader"]}), frozenset({pid["class-teacher"]}),
        ),
        matching.Candidate(
            a.pk, (pid["moral-office"], (pid["academic-office"], pid["school-leader"])),
            frozenset({1, 2, 3}), frozenset({pid["grade-leader"]}),
            frozenset({pid["class-teacher"]}), frozenset({pid["school-leader"]}),
            {pid["moral-office"]: mentors["moral"].pk},
        ),
        matching.Candidate(
            c.pk, (pid["moral-office"], pid["trade-union"]), frozenset({1, 2, 3}),
            frozenset({pid["grade-leader"]}), frozenset({pid["class-teacher"]}),
        ),
        matching.Candidate(
            d.pk, (pid["moral-office"], pid["grade-leader"]), frozenset({1, 2}),
            frozenset({pid["class-teacher"]}), frozenset(),
        ),
        matching.Candidate(
            e.pk, (pid["moral-office"], pid["general-office"]), frozenset({1, 2, 3}),
            frozenset({pid["grade-leader"]}),
            frozenset({pid["class-teacher"], pid["moral-office"]}),  # rotated there in 2025
        ),
    )  # fmt: skip
    assert inst.excluded == (
        (
            f.pk,
            "正在轮岗在2026-09-01至"
            f"{years[0].end.isoformat()}已有轮岗安排（教导处，已安排），与本次安排"
            f"（2026-09-01至{years[0].end.isoformat()}）时间重叠。本轮不参加匹配。",
        ),
    )
    by_id = {p.id: p for p in inst.posts}
    assert [p.id for p in inst.posts] == [o.post_id for o in RoundPost.objects.filter(round=round_)]
    assert by_id[pid["moral-office"]] == matching.Post(
        pid["moral-office"], 3, 1, (c.pk, (a.pk, b.pk)), False, frozenset({d.pk}), False,
        (mentors["moral"].pk,),
    )  # fmt: skip
    # 教导处 has one seat a running rotation of another round takes, and so its mentor.
    assert by_id[pid["academic-office"]] == matching.Post(
        pid["academic-office"], 3, 0, (), True, frozenset(), False, (mentors["academic"].pk,)
    )
    assert by_id[pid["trade-union"]] == matching.Post(
        pid["trade-union"], 3, 1, (), True, frozenset(), True, ()
    )
    assert by_id[pid["class-teacher"]] == matching.Post(
        pid["class-teacher"], 1, 4, (), True, frozenset(), False, (mentors["class"].pk,)
    )
    assert inst.mentors == (
        matching.Mentor(mentors["academic"].pk, 1),  # 2 a term, one taken by the running one
        matching.Mentor(mentors["moral"].pk, 1),  # set for the round
        matching.Mentor(mentors["class"].pk, 2),
    )
    assert inst.taken_seats == {pid["academic-office"]: 1}
    assert inst.taken_mentees == {mentors["academic"].pk: 1}
    assert inst.lengths[a.pk] == {
        pid["moral-office"]: "year", pid["academic-office"]: "term", pid["school-leader"]: "term",
    }  # fmt: skip
    assert inst.people[f.pk] == "正在轮岗" and inst.people[mentors["moral"].pk] == "德育主任"
    assert inst.post_names[pid["school-leader"]] == "（副）校级"
    assert running.pk  # the running rotation is what left 正在轮岗 out
    # Stored as JSON and read back, it is the same instance.
    assert RoundInstance.from_json(inst.to_json()) == inst


def test_the_instance_needs_a_fixed_number_of_queries(
    school, admin, round_, cadres, django_assert_max_num_queries
):
    for person in cadres:
        fill(admin, round_, person, ["moral-office", "academic-office"])
    with django_assert_max_num_queries(20) as few:
        build_instance(round_)
    for n in range(12):
        fill(admin, round_, cadre(school, f"后备{n}"), ["moral-office", "general-office"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        build_instance(round_)


def test_people_no_longer_in_the_pool_or_not_on_duty_are_left_out_with_the_reason(
    school, admin, round_, cadres
):
    fill(admin, round_, cadres[0], ["moral-office"])
    fill(admin, round_, cadres[1], ["moral-office"])
    cadres[0].post_status = "off"
    cadres[0].save()
    entry = cadres[1].reserve_entries.get()
    entry.valid_until = dt.date(2026, 8, 31)
    entry.save()
    inst = build_instance(round_)
    assert inst.candidates == ()
    assert dict(inst.excluded) == {
        cadres[0].pk: "当前状态为“离岗”，本轮不参加匹配。",
        cadres[1].pk: "不在本校后备干部库中（或在轮岗开始时已过有效期），本轮不参加匹配。",
    }


def test_eligible_levels_merge_the_history_at_the_level_below():
    levels = {1: 1, 2: 2, 3: 3, 4: 4}  # post id = its level
    as_of = dt.date(2026, 9, 1)
    # Two overlapping spells at level 1 of six months each, merged: eight months.
    spells = [
        (1, dt.date(2025, 1, 1), dt.date(2025, 6, 30)),
        (1, dt.date(2025, 3, 1), dt.date(2025, 8, 31)),
    ]
    assert eligible_levels(spells, levels, as_of=as_of, min_months=12) == {1}
    assert eligible_levels(spells, levels, as_of=as_of, min_months=8) == {1, 2}
    # The lowest level has nothing below it; a level whose level below has no post is open.
    assert eligible_levels([], {1: 1, 3: 3}, as_of=as_of, min_months=12) == {1, 3}
    # Time not yet served by the day counts not.
    later = [(2, dt.date(2026, 10, 1), None)]
    assert eligible_levels(later, levels, as_of=as_of, min_months=0) == {1, 2, 3, 4}
    assert eligible_levels(later, levels, as_of=as_of, min_months=1) == {1}
