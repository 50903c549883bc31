"""The demo's two-way selection and rotation: rounds held while the 2021 pool (附1) is valid,
each matched and confirmed through the services, its rotations started, logged by their
mentors, given hard tasks and completed (one ended early); the passports that follow.

The later rounds — from 2023–2024 on, the current term's, running, and the next term's,
open for the visitor — are held on the pools of the demo's 2023 and 2025 selections;
the last tests check the open round's state and its matching, run on the test database
and rolled back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from houbei.audit.models import AuditEntry
from houbei.audit.services import verify_chain
from houbei.demo import plan
from houbei.demo import rotations as demo
from houbei.demo.builder import SCHOOL_CODE, build_demo
from houbei.organisation.models import Post, RotationLength, School, Term
from houbei.organisation.workdays import is_workday, load_calendar
from houbei.people.models import Person
from houbei.rotations.intentions import ChoiceDraft, reserve_cadres, submit_intention
from houbei.rotations.models import (
    Assignment,
    AssignmentStatus,
    HardTask,
    Intention,
    PostPreference,
    Round,
    RoundMentor,
    RoundPost,
    RoundStatus,
)
from houbei.rotations.passport import passport_of, rotations_through
from houbei.rotations.proposal import (
    MoveNeedsReason,
    confirm_round,
    move_candidate,
    preview_move,
    run_matching,
)
from houbei.rotations.rounds import close_intentions
from houbei.selection.models import (
    PoolEntry,
)

PLANNED = [*demo.PAST, demo.CURRENT]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """One build for the module; each test runs in a rolled-back transaction on top."""
    with django_db_blocker.unblock():
        result = build_demo()
    yield result
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def school(built, db) -> School:  # type: ignore[no-untyped-def]
    return School.objects.get(code=SCHOOL_CODE)


def person(name: str) -> Person:
    return Person.objects.get(school__code=SCHOOL_CODE, name=name)


def post(code: str) -> Post:
    return Post.objects.get(school__code=SCHOOL_CODE, code=code)


def term_of(school: School, year: int, number: int) -> Term:
    return Term.objects.get(school_year__school=school, school_year__start_year=year, number=number)


def has_pool(school: School, term: Term) -> bool:
    return PoolEntry.objects.for_school(school).valid_on(term.start).exists()


# --- the rounds of the 2021 pool --------------------------------------------------------


def test_a_round_is_held_for_every_planned_term_with_reserve_cadres_then(built, school) -> None:
    held = set(Round.objects.for_school(school).values_list("title", flat=True))
    for spec in PLANNED:
        term = term_of(school, spec.year, spec.number)
        assert has_pool(school, term), spec.title  # the 2021, 2023 and 2025 pools
        assert spec.title in held, spec.title
    assert held == {s.title for s in PLANNED} | {demo.OPEN_TITLE}
    # 2023's reserve cadres take part from 2023–2024 on; 钱建英, new to them, has no
    # rotation planned and 2025's newcomers have not filled a form yet.
    later = Round.objects.filter(title__in=[s.title for s in demo.PAST[4:]])
    assert all(r.status == RoundStatus.CONFIRMED for r in later)
    assert all(Assignment.objects.filter(round=r).count() >= 4 for r in later)
    current = Round.objects.get(title=demo.CURRENT.title)
    assert current.status == RoundStatus.CONFIRMED
    assert Round.objects.get(title=demo.OPEN_TITLE).status == RoundStatus.OPEN
    assert not any("未安排" in line for line in built.rotations)


def test_the_2021_pool_rounds_are_confirmed_with_every_person_explained(school) -> None:
    rounds = Round.objects.filter(title__in=[s.title for s in demo.PAST[:4]])
    assert all(r.status == RoundStatus.CONFIRMED and r.confirmed_at for r in rounds)
    pool = set(plan.APPENDIX_1)
    for round_ in rounds:
        run = round_.runs.get(discarded_at__isnull=True)
        placements = list(run.placements.select_related("person", "round_post"))
        forms = Intention.objects.live().filter(round=round_)
        assert len(placements) == forms.count() >= 5
        assert {p.person.name for p in placements} <= pool
        for placement in placements:
            assert placement.explanation and not placement.excluded
        placed = [p for p in placements if p.round_post is not None]
        made = Assignment.objects.filter(round=round_)
        assert made.count() == len(placed)
        assert {a.person_id for a in made} == {p.person_id for p in placed}
    first = rounds.get(title=demo.PAST[0].title).runs.get()
    lines = [line for p in first.placements.all() for line in p.explanation]
    assert any(line.startswith("第一志愿") for line in lines)
    assert any("名额已满，已安排岗位方排序在前的" in line for line in lines)
    # A contested post was ranked by its mentor, who mentors it.
    ranked = RoundPost.objects.filter(round__in=rounds, ranked_at__isnull=False)
    assert ranked.exists()
    assert all(o.mentors.filter(pk=o.ranked_by_person_id).exists() for o in ranked)


def test_rotations_ran_their_term_or_year_and_one_was_ended_early(school) -> None:
    rounds = [s.title for s in demo.PAST[:4]]
    made = Assignment.objects.filter(round__title__in=rounds).select_related(
        "start_term", "end_term", "post", "person"
    )
    assert made.count() >= 20
    statuses = {a.status for a in made}
    assert statuses == {AssignmentStatus.COMPLETED, AssignmentStatus.ENDED}
    for assignment in made:
        assert assignment.started_on == assignment.start_term.start
        if assignment.length == RotationLength.YEAR:
            assert assignment.end_term != assignment.start_term
            assert assignment.end_date == assignment.end_term.end
        else:
            assert assignment.end_term == assignment.start_term
        assert "缺什么补什么" in assignment.goals
    assert made.filter(length=RotationLength.YEAR).count() >= 2
    (ended,) = made.filter(status=AssignmentStatus.ENDED)
    _who, day, reason = demo.ZOU_ENDED
    assert (ended.person.name, ended.post.code, ended.ended_on) == ("邹建琴", plan.UNION, day)
    assert ended.end_reason == reason and ended.ended_on < ended.end_date
    completed = made.filter(status=AssignmentStatus.COMPLETED)
    assert all(a.ended_on == a.end_date for a in completed)


def test_mentors_kept_a_dated_log_and_confirmed_the_hard_tasks(school) -> None:
    made = Assignment.objects.filter(round__title__in=[s.title for s in demo.PAST[:4]])
    workdays = load_calendar().oracle
    for assignment in made.prefetch_related("notes", "hard_tasks", "mentor_links"):
        mentors = {link.person_id for link in assignment.mentor_links.all()}
        assert len(mentors) == 1
        notes = list(assignment.notes.all())
        assert len(notes) >= 2
        assert len(notes) >= 3 or assignment.status == AssignmentStatus.ENDED
        for note in notes:
            assert note.author_id in mentors
            assert assignment.start_date <= note.written_on <= assignment.last_day
            assert is_workday(note.written_on, workdays).value
            assert assignment.person.name in note.text and "{" not in note.text
        tasks = list(assignment.hard_tasks.all())
        assert tasks
        for task in tasks:
            assert task.kinds and task.outcome and task.confirmed_by_id in mentors
            assert assignment.start_date <= task.given_on <= task.outcome_on
            assert task.outcome_on <= assignment.last_day
    # One log, in the mentor's voice, about the mentee.
    note = made.get(person__name="黄蔚敏", post__code=plan.MORAL).notes.first()
    assert note.author.name == "陈晔" and "黄蔚敏" in note.text and "德育" in note.text


def test_passports_show_people_through_several_posts_and_posts_with_several_people(
    school,
) -> None:
    # 余立群's rotations up to the 2025–2026 school year's end: one post each time.
    passport = passport_of(person("余立群"), as_of=dt.date(2026, 7, 1))
    rotated = [s.post.name for s in passport.rotations]
    assert len(set(rotated)) >= 3 and len(rotated) == len(set(rotated))  # 一岗多能
    assert all(s.status == "已完成" for s in passport.rotations)
    office = next(level for level in passport.levels if level.level == 3)
    assert len(office.covered) == len(set(rotated))  # 理化生组长: every office by rotation
    for code in (plan.TEACHING, plan.UNION, plan.GENERAL):
        people = {a.person.name for a in rotations_through(post(code))}
        assert len(people) >= 3, code
    # A rotation stopped part way is still on the passport, with its status.
    zou = passport_of(person("邹建琴"), as_of=dt.date(2023, 7, 1))
    assert "提前终止" in {s.status for s in zou.rotations}


def test_the_audit_trail_records_every_step(school) -> None:
    assert verify_chain() is None
    actions = set(
        AuditEntry.objects.filter(action__startswith="rotations.").values_list("action", flat=True)
    )
    assert {
        "rotations.round.created", "rotations.intention.submitted", "rotations.post_side.ranked",
        "rotations.round.closed", "rotations.round.matched", "rotations.round.confirmed",
        "rotations.assignment.created", "rotations.assignment.goals_set",
        "rotations.assignment.started", "rotations.assignment.completed",
        "rotations.assignment.ended_early", "rotations.note.added", "rotations.task.added",
        "rotations.task.outcome_recorded", "rotations.task.confirmed",
    } <= actions  # fmt: skip
    started = AuditEntry.objects.filter(action="rotations.assignment.started").count()
    assert started == Assignment.objects.exclude(status=AssignmentStatus.PLANNED).count()


def test_no_record_of_a_past_round_carries_the_build_day(school) -> None:
    """A round held in the past was opened, filled in, ranked, closed, matched and
    confirmed before its term, in that order, each step on a working day; so say its audit
    entries."""
    today = timezone.localdate()
    workdays = load_calendar().oracle
    for spec in PLANNED:
        round_ = Round.objects.select_related("start_term").get(title=spec.title)
        steps = [round_.created_at, round_.closed_at, round_.matched_at, round_.confirmed_at]
        assert steps == sorted(steps), spec.title
        days = [timezone.localdate(t) for t in steps]
        assert days[-1] < round_.start_term.start, spec.title
        assert round_.intentions_due - dt.timedelta(days=30) < days[0], spec.title
        assert days[1] <= round_.intentions_due, spec.title
        assert all(is_workday(d, workdays).value for d in days), spec.title
        forms = Intention.objects.filter(round=round_).values_list("submitted_at", flat=True)
        assert forms and all(steps[0] < t < steps[1] for t in forms), spec.title
        ranked = RoundPost.objects.filter(round=round_, ranked_at__isnull=False)
        assert all(steps[0] < o.ranked_at < steps[1] for o in ranked), spec.title
        assert round_.runs.get().run_at == round_.matched_at
        entries = AuditEntry.objects.filter(target_type="rotations.round", target_id=str(round_.pk))
        assert {e.at for e in entries} <= set(steps) | {o.ranked_at for o in ranked}
        assert entries.filter(action="rotations.round.confirmed").get().at == steps[-1]
        for form in Intention.objects.filter(round=round_):
            entry = AuditEntry.objects.get(
                action="rotations.intention.submitted", target_id=str(form.pk)
            )
            assert entry.at == form.submitted_at
        assert today not in days, spec.title
    # Their rotations: made when the round was confirmed, each note written, task given and
    # task confirmed on its own day, and none of their audit entries on the build day.
    made = Assignment.objects.filter(round__title__in=[s.title for s in PLANNED])
    for assignment in made.select_related("round").prefetch_related("notes", "hard_tasks"):
        assert assignment.created_at == assignment.round.confirmed_at
        for note in assignment.notes.all():
            assert timezone.localdate(note.created_at) == note.written_on
        for task in assignment.hard_tasks.all():
            assert timezone.localdate(task.created_at) == task.given_on
            if task.is_confirmed:
                assert timezone.localdate(task.confirmed_at) == task.outcome_on
    entries = AuditEntry.objects.filter(
        target_type="rotations.assignment",
        target_id__in=[str(pk) for pk in made.values_list("pk", flat=True)],
    )
    assert entries.count() > made.count()
    assert not [e.action for e in entries if timezone.localdate(e.at) == today]
    # The open round is today's.
    assert timezone.localdate(Round.objects.get(title=demo.OPEN_TITLE).created_at) == today


def test_the_summary_counts_the_rounds_and_rotations(built, school) -> None:
    lines = demo.summary(school)
    assert built.rotations == lines
    confirmed = Round.objects.filter(status=RoundStatus.CONFIRMED).count()
    assert lines[0].startswith("轮岗锻炼：自2021–2022学年 第一学期起已确认双向选择")
    assert f"{confirmed}轮" in lines[0]
    assert f"轮岗{Assignment.objects.count()}人次" in lines[0]
    assert "提前终止1" in lines[0]
    running = Assignment.objects.filter(status=AssignmentStatus.ACTIVE)
    assert lines[1].startswith(f"2026–2027学年 第一学期轮岗中{running.count()}人：")
    assert all(a.person.name in lines[1] for a in running.select_related("person"))
    assert lines[2].startswith(demo.OPEN_TITLE) and "15名后备干部中10人已填报" in lines[2]


def test_the_demo_staff_account_is_a_reserve_cadre_and_the_mentor_mentors_posts(school) -> None:
    zou = person("邹建琴")
    assert zou.user.username == "jiaogong"
    assert PoolEntry.objects.filter(person=zou).exists()
    assert Assignment.objects.filter(person=zou).count() >= 2
    shen = person("沈佩玲")
    assert shen.user.username == "daijiao"
    assert RoundPost.objects.filter(mentors=shen, post__code=plan.ACADEMIC).exists()


# --- the later rounds, on the pools of the 2023 and 2025 selections -----------------------


@pytest.fixture(scope="module")
def later(built, django_db_blocker):  # type: ignore[no-untyped-def]
    """The built school; ``add_rotations`` called again adds nothing, as every round it
    plans was possible and is there."""
    with django_db_blocker.unblock():
        school = School.objects.get(code=SCHOOL_CODE)
        before = Round.objects.for_school(school).count()
        stored = {p.staff_number: p for p in Person.objects.filter(school=school)}
        by_key = {spec.key: stored[spec.staff_number] for spec in plan.main_school_staff()}
        again = demo.add_rotations(school, by_key)
        assert not again.rounds and not again.skipped
        assert Round.objects.for_school(school).count() == before
    return built


@pytest.fixture
def open_round(later, db) -> Round:  # type: ignore[no-untyped-def]
    return Round.objects.get(title=demo.OPEN_TITLE)


def test_with_later_pools_every_planned_round_is_held(later, db) -> None:
    titles = set(Round.objects.values_list("title", flat=True))
    assert {s.title for s in PLANNED} | {demo.OPEN_TITLE} <= titles
    done = Assignment.objects.filter(round__title__in=[s.title for s in demo.PAST])
    assert set(done.values_list("status", flat=True)) == {
        AssignmentStatus.COMPLETED,
        AssignmentStatus.ENDED,
    }
    # Over six years the reserve cadres have been through most offices.
    widest = max(
        len({s.post.pk for s in passport_of(p).rotations})
        for p in Person.objects.filter(name__in=plan.APPENDIX_1)
    )
    assert widest >= 5


def test_the_current_term_round_is_confirmed_and_its_rotations_are_running(later, db) -> None:
    round_ = Round.objects.get(title=demo.CURRENT.title)
    assert round_.status == RoundStatus.CONFIRMED
    running = Assignment.objects.filter(round=round_)
    assert running.count() >= 5
    assert set(running.values_list("status", flat=True)) == {AssignmentStatus.ACTIVE}
    for assignment in running.prefetch_related("notes", "hard_tasks"):
        assert assignment.started_on == dt.date(2026, 9, 1)
        assert len(assignment.notes.all()) == 2  # the opening weeks and the middle of term
        assert all(n.written_on <= demo.LAST_ENTRY for n in assignment.notes.all())
        for task in assignment.hard_tasks.all():
            assert task.given_on <= demo.LAST_ENTRY
            assert (task.outcome_on is None) == (not task.is_confirmed)
    tasks = HardTask.objects.filter(assignment__round=round_)
    assert tasks.filter(confirmed_at__isnull=False).exists()
    assert tasks.filter(outcome="").exists()  # given in late November, still under way


def test_the_next_term_round_is_open_with_posts_forms_and_rankings(open_round) -> None:
    assert open_round.status == RoundStatus.OPEN
    assert open_round.start_term == term_of(open_round.school, 2026, 2)
    assert open_round.intentions_due == demo.OPEN_DUE
    offers = {o.post.code: o for o in open_round.posts.select_related("post")}
    assert len(offers) == 10
    leader = offers[plan.LEADER]
    assert {m.name for m in leader.mentors.all()} == {"顾建华", "钱秀英"}
    (limit,) = RoundMentor.objects.filter(round=open_round)
    assert (limit.person.name, limit.capacity) == ("顾建华", 1)
    union = offers[plan.UNION]
    assert union.level_exempt and "酌情处理" in union.exempt_reason and union.capacity == 2
    assert [c for c, o in offers.items() if o.level_exempt] == [plan.UNION]
    forms = list(Intention.objects.live().filter(round=open_round).prefetch_related("choices"))
    eligible = reserve_cadres(open_round)
    filled = {f.person_id for f in forms}
    assert len(forms) == len(demo.OPEN_FORMS) == 10
    assert set(eligible.exclude(pk__in=filled).values_list("name", flat=True)) == {
        "卢懿蕾",
        "余立群",
        "邹建琴",
        "何亚萍",  # new to the pool in 2025
        "梁怡雯",
    }
    rows = [c for f in forms for c in f.choices.all()]
    assert sum(len(f.choices.all()) >= 2 for f in forms) >= 8
    assert sum(c.mentor_id is not None for c in rows) >= 8
    assert {c.length for c in rows} == {RotationLength.TERM, RotationLength.YEAR}
    assert sum(bool(f.remarks) for f in forms) >= 6 and any(c.remarks for c in rows)
    ranked = RoundPost.objects.filter(round=open_round, ranked_at__isnull=False)
    assert {o.post.code for o in ranked} == {plan.MORAL, plan.LEADER, plan.GENERAL}
    assert not ranked.get(post__code=plan.GENERAL).accept_others
    # 沈佩玲 (daijiao) has candidates at her posts and has not ranked them yet.
    shen = offers[plan.ACADEMIC]
    assert shen.mentors.get().name == "沈佩玲" and shen.ranked_at is None
    assert shen.choices.exists() and offers[plan.SUBJECT].choices.exists()
    assert not PostPreference.objects.filter(round_post__in=[shen, offers[plan.SUBJECT]]).exists()


def test_the_open_rounds_matching_explains_every_case(open_round) -> None:
    close_intentions(actor=None, round_=open_round)
    run = run_matching(actor=None, round_=open_round)
    placements = {p.person.name: p for p in run.placements.select_related("person", "round_post")}
    lines = {name: p.explanation for name, p in placements.items()}
    assert lines["奚莉"] == ["第一志愿：德育处，带教人员：陈晔"]
    assert lines["陈晔"] == ["第一志愿：（副）校级，带教人员：顾建华"]
    assert lines["邱喆"][1] == "德育处：名额已满，已安排岗位方排序在前的奚莉"  # post full
    assert "（副）校级：名额已满，已安排岗位方排序在前的陈晔" in lines["黄蔚敏"]
    assert lines["朱佳美"][1].startswith("（副）校级：岗位层级为")  # not eligible
    assert "不符合该层级的任职条件" in lines["朱佳美"][1]
    assert lines["王静"] == [  # not ranked by the post, and left without a post
        "未安排岗位",
        "总务处：岗位方（带教人员）未将本人列入人选",
        lines["王静"][2],
    ]
    assert "不符合该层级的任职条件" in lines["王静"][2]
    unplaced = {name for name, p in placements.items() if p.round_post is None}
    assert unplaced == {"王静", "浦吉丽"} and not any(p.excluded for p in placements.values())
    # Moving 奚莉 off 德育处 leaves a seat that those who wanted it more would take.
    xi, personnel = person("奚莉"), post(plan.PERSONNEL)
    check = preview_move(round_=open_round, person=xi, post=personnel)
    assert "人事室安排了2人，超过名额1人" in check.warnings
    assert any("该岗位尚有空位和带教名额" in w and "德育处" in w for w in check.warnings)
    with pytest.raises(MoveNeedsReason):
        move_candidate(actor=None, round_=open_round, person=xi, post=personnel)
    move_candidate(
        actor=None, round_=open_round, person=xi, post=personnel,
        reason="奚莉同志本学期须承担英语组区级课题，德育处工作量大，经商量改到人事室。",
    )  # fmt: skip
    made = confirm_round(actor=None, round_=open_round)
    open_round.refresh_from_db()
    assert open_round.status == RoundStatus.CONFIRMED
    assert len(made) == 8 and {a.post.code for a in made if a.person.name == "奚莉"} == {
        plan.PERSONNEL
    }


def test_the_staff_account_can_fill_its_form_in_the_open_round(open_round) -> None:
    zou = person("邹建琴")
    assert reserve_cadres(open_round).filter(pk=zou.pk).exists()
    submit_intention(
        actor=zou.user, round_=open_round, person=zou,
        choices=[ChoiceDraft(post(plan.ACADEMIC), 1, RotationLength.TERM)],
    )  # fmt: skip
    assert Intention.objects.live().filter(round=open_round).count() == 11
