"""The demo's selection cycles: the complete 2021 cycle ends in exactly the lists of the
plan's 附1 with believable data at every stage, the 2026 cycle waits in 民主推荐 for a
visitor to count its open round and move on, and the 2026 补充选拔 waits in 公示 with an
objection open for the office to finish it today."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from houbei.accounts.models import User
from houbei.audit.models import AuditEntry
from houbei.audit.services import verify_chain
from houbei.ballots.models import Credential, Election
from houbei.ballots.models import Status as ElectionStatus
from houbei.ballots.ratings.models import RoundStatus
from houbei.ballots.ratings.services import results_of as rating_results_of
from houbei.ballots.results import results_of, turnout_of
from houbei.demo import elections, plan
from houbei.demo import selection as demo
from houbei.demo.builder import SCHOOL_CODE, build_demo
from houbei.organisation.models import School, Term
from houbei.organisation.workdays import load_calendar
from houbei.people.models import Person
from houbei.selection import pages, recommendation, workflow
from houbei.selection.decision import passed_targets
from houbei.selection.inspection import checks_about
from houbei.selection.models import (
    STAGE_ORDER,
    CheckKind,
    CheckResult,
    Choice,
    Cycle,
    InspectionTalk,
    InspectionTarget,
    Level,
    ObjectionOutcome,
    OpinionSource,
    Outcome,
    PoolEntry,
    Readiness,
    RoundOutcome,
    Stage,
)

DISTRICT, SCHOOL = set(plan.DISTRICT_LIST), set(plan.SCHOOL_LIST)


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


@pytest.fixture
def completed(school) -> Cycle:  # type: ignore[no-untyped-def]
    return Cycle.objects.get(school=school, title=demo.COMPLETED_TITLE)


@pytest.fixture
def current(school) -> Cycle:  # type: ignore[no-untyped-def]
    return Cycle.objects.get(school=school, title=demo.CURRENT_TITLE)


def names(entries) -> set[str]:  # type: ignore[no-untyped-def]
    return {e.person.name for e in entries}


def targets_of(cycle: Cycle) -> list[InspectionTarget]:
    return list(
        InspectionTarget.objects.active()
        .filter(cycle=cycle)
        .select_related("person", "cycle_list", "rating_round", "report")
    )


def test_the_2021_cycle_ends_in_exactly_the_lists_of_appendix_1(completed) -> None:
    assert completed.stage == Stage.DONE and completed.completed_at is not None
    pool = PoolEntry.objects.filter(cycle=completed).select_related("person")
    assert names(pool.filter(level=Level.DISTRICT)) == DISTRICT
    assert names(pool.filter(level=Level.SCHOOL)) == SCHOOL
    assert pool.filter(level=Level.DISTRICT).count() == 5
    assert pool.filter(level=Level.SCHOOL).count() == 11
    both = Counter(e.person.name for e in pool)
    assert {n for n, c in both.items() if c == 2} == {"卢懿蕾", "浦吉丽", "张兰兰"}
    assert {e.decided_on for e in pool} == {demo.MEETING_ON}
    assert {e.valid_until for e in pool} == {dt.date(2023, 3, 23)}
    assert {e.readiness for e in pool} == {Readiness.NEAR, Readiness.LONG}


def test_the_roll_is_everyone_in_establishment_and_on_duty_on_the_day(completed) -> None:
    roll = {m.person for m in completed.roll.active().select_related("person")}
    staff = plan.main_school_staff()
    expected = {
        s.name
        for s in staff
        if s.establishment == "in"
        and s.joined_school_on <= demo.REF
        and (s.left_on is None or s.left_on > demo.REF)
    }
    assert {p.name for p in roll} == expected and len(roll) > 100
    assert all(p.joined_school_on <= demo.REF for p in roll)
    # Those who have retired, gone off duty or moved away since voted then.
    assert any(p.post_status != "on" for p in roll)
    assert {m.basis for m in completed.roll.all()} == {"2021年2月26日在编在岗教职工"}


def test_the_recommendation_reached_its_quorum_and_appendix_1_leads(completed) -> None:
    (round_,) = completed.rounds.all()
    assert round_.outcome == RoundOutcome.VALID and not round_.scattered
    results = results_of(round_.election)
    assert results.digest_matches and results.turnout.quorum_reached
    assert results.turnout.electorate == completed.roll.active().count()
    assert results.issued == results.turnout.electorate > results.returned
    assert results.online and results.paper
    for lines in results.lists:
        wanted = DISTRICT if lines.result.quota == 5 else SCHOOL
        ranked = [line.result for line in lines.candidates]
        leading = {c.name for c in ranked[: lines.result.quota]}
        assert leading == wanted, lines.result.name
        last_of_them = min(c.votes for c in ranked if c.name in wanted)
        assert all(c.votes < last_of_them for c in ranked if c.name not in wanted)
        # Believable: not all equal, a few others got votes, a blank and a void list.
        assert len({c.votes for c in ranked if c.name in wanted}) >= 4
        assert sum(1 for c in ranked if c.name not in wanted and c.votes) >= 4
        assert lines.result.void == 1 and lines.result.blank >= 1


def test_every_stage_has_its_data(completed) -> None:
    district, school = (completed.lists.get(level=lv) for lv in (Level.DISTRICT, Level.SCHOOL))
    # 谈话调研推荐
    assert completed.talk_interviewees == demo.TALK_INTERVIEWEES
    talk = {(t.cycle_list.level, t.person.name): t.count for t in completed.talk_counts.all()}
    assert all(talk[(Level.DISTRICT, n)] > 0 for n in DISTRICT)
    assert all(talk[(Level.SCHOOL, n)] > 0 for n in SCHOOL)
    # 征求意见: both bodies on every target, and reservations about some
    targets = targets_of(completed)
    for target in targets:
        sources = set(
            completed.opinions.filter(person=target.person).values_list("source", flat=True)
        )
        assert sources == set(OpinionSource.values), target
    assert completed.opinions.exclude(stance="support").count() >= 2
    # 确定考察对象: 差额 on both lists, 考察预告 three days before the first talk
    by_list = Counter(t.cycle_list_id for t in targets)
    assert by_list[district.pk] > district.quota and by_list[school.pk] > school.quota
    first_talk = min(
        InspectionTalk.objects.filter(target__cycle=completed).values_list("held_on", flat=True)
    )
    for target in targets:
        assert target.notice_published_on == demo.TARGETS_ON
        assert first_talk >= target.notice_published_on + dt.timedelta(days=3)
        assert "第1轮民主推荐" in target.votes_note
    # 组织考察: talks, a released 民主测评 and a signed-off report for every person
    for target in targets:
        talks = InspectionTalk.objects.filter(target__cycle=completed, target__person=target.person)
        assert talks.count() >= 3
        assert target.rating_round is not None
        assert target.rating_round.status == RoundStatus.RELEASED
        report = rating_results_of(target.rating_round).report
        assert report.overall.shown
        versions = list(target.report.versions.order_by("number"))
        assert len(versions) == 2
        assert target.report.signed_version_id == versions[-1].pk
        assert "【待补充" in versions[0].text and "【待补充" not in versions[-1].text
        assert target.person.name in versions[-1].text
    people = {t.person_id for t in targets}
    assert len({t.rating_round_id for t in targets}) == len(people)  # one per person
    # 凡提四必: the three checks beside the file, recorded in the inspection days
    for target in targets:
        checks = checks_about(target)
        assert set(checks) == set(CheckKind.values), target
        assert checks[CheckKind.DISCIPLINE].result == CheckResult.CLEAR
        assert all(c.checked_on in demo.INSPECTION_DAYS for c in checks.values())
        assert "纪检监察" in target.report.versions.order_by("number").last().text
    kinds = Counter(checks_about(t)[CheckKind.PERSONAL_MATTERS].result for t in targets)
    assert kinds[CheckResult.CLEAR] and kinds[CheckResult.NOT_APPLICABLE]


def test_the_decision_meeting_and_the_extra_targets(completed) -> None:
    (meeting,) = completed.meetings.all()
    assert meeting.held_on == demo.MEETING_ON
    assert (meeting.expected, meeting.present) == (9, 8)
    leader = meeting.members.get(main_leader=True)
    assert leader.person.name == "顾建华"
    outcomes = {}
    for target in targets_of(completed):
        said = list(meeting.votes.filter(target=target).order_by("order"))
        assert len(said) == meeting.present and said[-1].member == leader
        decided = target.decisions.get()
        assert decided.agree == sum(v.choice == Choice.AGREE for v in said)
        outcomes[(target.cycle_list.level, target.person.name)] = decided.outcome
    passed = {k for k, v in outcomes.items() if v == Outcome.PASSED}
    assert passed == {(Level.DISTRICT, n) for n in DISTRICT} | {(Level.SCHOOL, n) for n in SCHOOL}
    # The extra targets of 差额: rejected or postponed, none of them in the pool.
    extra = set(outcomes) - passed
    assert len(extra) == 3
    assert {outcomes[k] for k in extra} == {Outcome.REJECTED, Outcome.POSTPONED}


def test_the_notice_ran_five_working_days_and_its_objection_was_closed(completed) -> None:
    (notice,) = completed.notices.all()
    assert (notice.start, notice.end, notice.working_days) == (
        demo.NOTICE_FROM,
        dt.date(2021, 3, 31),
        5,
    )
    assert not notice.warnings and notice.closed_at is not None
    calendar = load_calendar()
    days = [
        notice.start + dt.timedelta(days=i) for i in range((notice.end - notice.start).days + 1)
    ]
    assert sum(calendar.is_workday(d).value for d in days) == 5
    (objection,) = notice.objections.all()
    assert objection.outcome == ObjectionOutcome.NO_PROBLEM and not objection.is_open
    assert objection.signed and objection.answer and objection.answered_on == demo.ANSWERED_ON
    assert notice.start <= objection.received_on <= notice.end
    assert objection.target.person.name in SCHOOL


def test_the_2021_dates_are_consistent_and_in_the_school_calendar(completed, school) -> None:
    calendar = load_calendar()
    term = Term.objects.on(school, demo.REF)
    assert term is not None and term.school_year.start_year == 2020
    days = [
        demo.REF, demo.TARGETS_ON, demo.REPORTS_ON, demo.MEETING_ON, demo.NOTICE_FROM,
        demo.OBJECTION_ON, demo.ANSWERED_ON,
        *InspectionTalk.objects.filter(target__cycle=completed).values_list("held_on", flat=True),
    ]  # fmt: skip
    for day in days:
        assert term.start <= day <= term.end and calendar.is_workday(day).value, day
    assert days[:5] == sorted(days[:5])
    deadlines = [r.deadline for r in completed.stage_records.order_by("pk")]
    assert deadlines == sorted(deadlines) and all(d.year == 2021 for d in deadlines)
    assert completed.eligibility_snapshot.as_of == demo.REF


def test_the_in_progress_cycle_waits_for_its_open_round_to_be_counted(current) -> None:
    assert current.stage == Stage.RECOMMENDATION
    round_ = recommendation.latest_round(current)
    election = round_.election
    assert election.title == elections.MEETING_TITLE and election.status == ElectionStatus.OPEN
    turnout = turnout_of(election)
    assert turnout.quorum_reached and turnout.participants < turnout.electorate
    assert turnout.electorate == current.roll.active().count()
    # What stands in the way is only what a visitor does on the page: count the round.
    assert workflow.problems(current) == ["第1轮推荐尚未计票。"]
    recommendation.close_round(actor=None, round_=round_)
    counted = recommendation.tally_round(actor=None, round_=round_)
    assert counted.outcome == RoundOutcome.VALID
    assert workflow.problems(current) == []
    assert workflow.start_opinions(actor=None, cycle=current).stage == Stage.OPINIONS


def test_the_current_round_is_the_meeting_with_the_printed_slips(built, current) -> None:
    round_ = recommendation.latest_round(current)
    unused = Credential.objects.filter(election=round_.election, used=False).count()
    assert built.slips_pdf is not None and built.slips_pdf.read_bytes().startswith(b"%PDF")
    assert unused > 0 and len(built.vote_links) == 3
    assert all(str(round_.election.key) in link for link in built.vote_links)
    assert Election.objects.filter(title=elections.MEETING_TITLE).count() == 1
    # Every list of the form is the cycle's people eligible for its level.
    allowed = recommendation.eligible_ids(current)
    for ballot_list in round_.election.lists.all():
        assert set(ballot_list.candidates.values_list("person_id", flat=True)) <= allowed


def test_the_summary_names_every_cycle(built, school) -> None:
    lines = demo.summary(school)
    assert built.cycles == lines and len(lines) == 5
    done, *later, now, supplement = lines
    assert done.startswith(demo.COMPLETED_TITLE) and "已完成" in done
    assert all(name in done for name in plan.APPENDIX_1)
    for line, spec in zip(later, demo.LATER, strict=True):
        assert line.startswith(spec.title) and "已完成" in line
        assert f"校级{len(spec.school)}人" in line
    assert now.startswith(demo.CURRENT_TITLE) and "民主推荐" in now and "尚未计票" in now
    assert (
        supplement.startswith(demo.SUPPLEMENT_TITLE)
        and "公示期2026-11-30至2026-12-04" in supplement
    )
    assert "有1件异议尚未处理完毕" in supplement


def test_the_cycles_are_in_an_intact_audit_chain_as_system_actions(completed) -> None:
    assert verify_chain() is None
    actions = set(
        AuditEntry.objects.filter(action__startswith="selection.").values_list("action", flat=True)
    )
    assert {
        "selection.cycle.created", "selection.roll.added", "selection.stage.planned",
        "selection.stage.recommendation_started", "selection.round.created",
        "selection.round.tallied", "selection.talks.recorded", "selection.opinion.recorded",
        "selection.targets.chosen", "selection.targets.notice_published", "selection.talk.recorded",
        "selection.appraisal.linked", "selection.report.version_saved",
        "selection.report.signed_off", "selection.meeting.recorded",
        "selection.target.readiness_set", "selection.stage.notice_started",
        "selection.objection.registered", "selection.objection.closed",
        "selection.cycle.completed",
    } <= actions  # fmt: skip
    assert not AuditEntry.objects.exclude(actor=None).exists()


def test_without_the_drafting_module_a_short_draft_has_the_same_gaps(completed) -> None:
    target = next(t for t in targets_of(completed) if t.person.name == "邱喆")
    draft = demo._short_draft(target)
    assert draft.startswith("关于邱喆同志的考察材料") and "居第" in draft and "【待补充" in draft
    done = demo._filled(draft, demo._facts(target.person, demo.REPORTS_ON), target)
    assert "【待补充" not in done and "钱秀英、施雅琴" in done and "2021年3月19日" in done


def test_the_2021_round_is_published_so_the_decision_body_sees_the_votes(client, completed) -> None:
    """The office publishes a round's results once counted; the decision body reads each
    person's votes beside the name (the board of 征求意见 and 确定考察对象)."""
    (round_,) = completed.rounds.all()
    assert round_.election.status == ElectionStatus.PUBLISHED
    figures, shown, hidden = pages.latest_visible_standings(completed, can_run=False)
    assert shown == round_ and not hidden
    district = completed.lists.get(level=Level.DISTRICT)
    chen = next(
        s for (cl, _p), s in figures.items() if cl == district.pk and s.line.result.rank == 1
    )
    client.force_login(User.objects.get(username="xiaowu"))  # 校务会、支委会
    text = client.get(reverse("selection:opinions", args=[completed.pk])).content.decode()
    assert "推荐结果尚未公布" not in text
    assert f"第1位</span> {chen.line.result.votes}票" in text


def _day(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def test_the_2021_cycle_happened_in_2021(client, completed) -> None:
    """Every stage started and ended on its 2021 day, in order, and what the services
    stamp — the count, the opinions, talks, report versions and sign-offs, the meeting,
    the notice, the objection, the pool — and their audit entries say 2021 too."""
    records = {r.stage: r for r in completed.stage_records.all()}
    starts = [records[s].started_at for s in STAGE_ORDER]
    assert all(s is not None and s.year == 2021 for s in starts) and starts == sorted(starts)
    assert all(r.finished_at is not None and r.finished_at.year == 2021 for r in records.values())
    for record_ in records.values():  # each stage over by its deadline
        assert _day(record_.finished_at) <= record_.deadline, record_.stage
    assert _day(completed.created_at) == dt.date(2021, 2, 22)
    assert _day(completed.completed_at) == demo.DONE_ON
    (round_,) = completed.rounds.all()
    assert _day(round_.concluded_at) == demo.REF
    assert {_day(o.recorded_at) for o in completed.opinions.all()} == {
        dt.date(2021, 3, 3), dt.date(2021, 3, 4)
    }  # fmt: skip
    for talk in InspectionTalk.objects.filter(target__cycle=completed):
        assert _day(talk.recorded_at) == talk.held_on
    for target in targets_of(completed):
        assert {_day(v.written_at) for v in target.report.versions.all()} == {demo.REPORTS_ON}
        assert _day(target.report.signed_at) == demo.SIGNED_ON
    (meeting,) = completed.meetings.all()
    assert _day(meeting.recorded_at) == demo.MEETING_ON
    (notice,) = completed.notices.all()
    assert _day(notice.published_at) == demo.MEETING_ON and _day(notice.closed_at) == demo.DONE_ON
    (objection,) = notice.objections.all()
    assert _day(objection.registered_at) == demo.OBJECTION_ON
    assert _day(objection.closed_at) == demo.ANSWERED_ON
    assert {_day(e.created_at) for e in PoolEntry.objects.filter(cycle=completed)} == {demo.DONE_ON}
    trail = AuditEntry.objects.filter(
        action__startswith="selection.", target_type="selection.cycle", target_id=str(completed.pk)
    )
    assert trail.count() > 50
    assert {_day(e.at).year for e in trail} == {2021}
    assert verify_chain() is None
    # The timeline on the dashboard.
    client.force_login(User.objects.get(username="xiaowu"))
    text = client.get(reverse("selection:detail", args=[completed.pk])).content.decode()
    timeline = text.split('<ol class="timeline">')[1].split("</ol>")[0]
    assert "开始 2021-02-22" in timeline and "结束 2021-03-02" in timeline
    assert str(timezone.localdate().year) not in timeline


# --- the 2023 and 2025 cycles --------------------------------------------------------------


@pytest.fixture(params=[spec.title for spec in demo.LATER])
def later(request, school) -> tuple[demo.CycleSpec, Cycle]:  # type: ignore[no-untyped-def]
    spec = next(s for s in demo.LATER if s.title == request.param)
    return spec, Cycle.objects.get(school=school, title=spec.title)


def test_a_later_cycle_is_complete_with_a_pool_valid_two_years(later) -> None:
    spec, cycle = later
    assert cycle.stage == Stage.DONE and cycle.year == spec.year
    days = spec.days()
    entries = PoolEntry.objects.filter(cycle=cycle).select_related("person")
    for level, listed in ((Level.DISTRICT, spec.district), (Level.SCHOOL, spec.school)):
        assert names(entries.filter(level=level)) == set(listed), level
    for entry in entries:
        assert entry.decided_on == days.meeting_on
        assert entry.valid_until == days.meeting_on.replace(
            year=days.meeting_on.year + 2
        ) - dt.timedelta(days=1)
    # Every stage has its data: the roll of the day, a counted round with its quorum, talk
    # counts, both bodies' opinions, more 校级 targets than places, talks, released
    # ratings, signed reports, the meeting, a notice of five working days.
    staff = plan.main_school_staff()
    stored = {p.staff_number: p for p in Person.objects.filter(school=cycle.school)}
    by_key = {spec_.key: stored[spec_.staff_number] for spec_ in staff}
    roll = demo.roll_on(days.ref, staff, by_key)
    assert set(cycle.roll.active().values_list("person_id", flat=True)) == {p.pk for p in roll}
    (round_,) = cycle.rounds.all()
    assert (
        round_.outcome == RoundOutcome.VALID and round_.election.status == ElectionStatus.PUBLISHED
    )
    assert turnout_of(round_.election).quorum_reached
    assert cycle.talk_counts.exists()
    assert {o.source for o in cycle.opinions.all()} == set(OpinionSource.values)
    targets = targets_of(cycle)
    school_targets = [t for t in targets if t.cycle_list.level == Level.SCHOOL]
    assert len(school_targets) == len(spec.school) + 2
    talks = Counter(
        InspectionTalk.objects.filter(target__cycle=cycle).values_list("target__person", flat=True)
    )
    assert {t.person_id for t in targets} == set(talks) and min(talks.values()) >= 3
    for target in targets:
        assert target.rating_round.status == RoundStatus.RELEASED
        assert target.report.signed_at is not None
        assert "【待补充" not in target.report.versions.latest("pk").text
    (meeting,) = cycle.meetings.all()
    assert meeting.held_on == days.meeting_on
    (notice,) = cycle.notices.all()
    assert notice.working_days == 5 and notice.start == days.notice_from
    calendar = load_calendar()
    run = [notice.start + dt.timedelta(days=i) for i in range((notice.end - notice.start).days + 1)]
    assert sum(calendar.is_workday(d).value for d in run) == 5
    assert calendar.is_workday(notice.end).value and days.done_on > notice.end


def test_a_later_cycle_happened_on_its_own_days(later, school) -> None:
    spec, cycle = later
    days = spec.days()
    calendar = load_calendar()
    term = Term.objects.on(school, days.ref)
    assert term is not None and term.school_year.start_year == spec.year - 1
    steps = [days.ref, days.targets_on, *days.inspection_days, days.reports_on, days.meeting_on,
             days.notice_from, days.done_on]  # fmt: skip
    assert steps == sorted(steps)
    for day in steps:
        assert term.start <= day <= term.end and calendar.is_workday(day).value, day
    for talk in InspectionTalk.objects.filter(target__cycle=cycle):
        assert talk.held_on in days.inspection_days and _day(talk.recorded_at) == talk.held_on
    records = {r.stage: r for r in cycle.stage_records.all()}
    starts = [records[s].started_at for s in STAGE_ORDER]
    assert all(s is not None and s.year == spec.year for s in starts) and starts == sorted(starts)
    for record_ in records.values():
        assert _day(record_.finished_at) <= record_.deadline, record_.stage
    assert _day(cycle.completed_at) == days.done_on
    assert cycle.eligibility_snapshot.as_of == days.ref
    trail = AuditEntry.objects.filter(
        action__startswith="selection.", target_type="selection.cycle", target_id=str(cycle.pk)
    )
    assert trail.count() > 50 and {_day(e.at).year for e in trail} == {spec.year}
    assert verify_chain() is None


def test_the_later_lists_renew_the_2021_reserves_with_a_few_changes(school) -> None:
    pools = [
        names(PoolEntry.objects.filter(cycle__title=title).select_related("person"))
        for title in (demo.COMPLETED_TITLE, *(s.title for s in demo.LATER))
    ]
    first, second, third = pools
    assert first == set(plan.APPENDIX_1)
    assert first <= second and second - first == {"钱建英"}
    assert third - first == {"何亚萍", "梁怡雯"} and second - third == {"钱建英"}
    # 钱建英 is past the 青年 band in 2025 and no longer on its form.
    cycle = Cycle.objects.get(title=demo.LATER[1].title)
    assert "钱建英" not in {p.name for people in demo.candidates_of(cycle).values() for p in people}
    # The pool of today is 2025's.
    today = dt.date(2026, 12, 7)
    valid = PoolEntry.objects.for_school(school).valid_on(today)
    assert {e.cycle.title for e in valid} == {demo.LATER[1].title}


@pytest.fixture
def supplement(school) -> Cycle:  # type: ignore[no-untyped-def]
    return Cycle.objects.get(school=school, title=demo.SUPPLEMENT_TITLE)


def test_the_supplementary_selection_waits_in_its_notice_with_one_objection_open(
    supplement,
) -> None:
    """November 2026, two 校级 places: the roll on its day, a round by slips past the
    quorum, counted and published, three targets for two places, the checks, a released
    民主测评 and a signed-off report each, the meeting, and a notice over by 4 December
    with one signed objection received during it and still open."""
    days = demo.SUPPLEMENT.days()
    assert supplement.stage == Stage.NOTICE and supplement.completed_at is None
    (cycle_list,) = supplement.lists.all()
    assert (cycle_list.level, cycle_list.quota) == (Level.SCHOOL, 2)
    roll = [m.person for m in supplement.roll.active().select_related("person")]
    assert roll and all(p.joined_school_on <= days.ref for p in roll)
    assert {m.basis for m in supplement.roll.all()} == {"2026年11月3日在编在岗教职工"}
    (round_,) = supplement.rounds.all()
    assert round_.outcome == RoundOutcome.VALID
    assert round_.participants * 3 >= round_.electorate * 2
    assert round_.election.status == ElectionStatus.PUBLISHED
    # The form leaves out those already in the pool.
    on_form = {c.person.name for c in round_.election.lists.get().candidates.all()}
    in_pool = {e.person.name for e in PoolEntry.objects.valid_on(days.ref)}
    assert on_form and not on_form & in_pool
    active = targets_of(supplement)
    assert sorted(t.person.name for t in active) == sorted(["董思琪", "袁蓓蕾", "葛浩然"])
    for target in active:
        assert target.rating_round.status == RoundStatus.RELEASED
        signed = target.report.signed_version
        assert signed is not None and "【待补充" not in signed.text
        assert set(checks_about(target)) == set(CheckKind.values)
    passed = sorted(t.person.name for t, _d in passed_targets(supplement))
    assert passed == ["董思琪", "袁蓓蕾"]
    running = supplement.notices.get()
    assert (running.start, running.end) == (dt.date(2026, 11, 30), dt.date(2026, 12, 4))
    (objection,) = running.objections.all()
    assert objection.signed and objection.closed_at is None
    assert objection.target.person.name == "袁蓓蕾"
    assert running.start <= objection.received_on <= running.end
    stamps = [r.started_at for r in supplement.stage_records.all() if r.started_at]
    assert {(_day(s).year, _day(s).month) for s in stamps} == {(2026, 11)}
    assert workflow.problems(supplement, dt.date(2026, 12, 7)) == ["有1件异议尚未处理完毕。"]


def test_the_office_finishes_the_supplementary_selection_today(client, supplement) -> None:
    """As the visitor does: the personnel office finds the cycle on the notices page,
    closes the objection with one of the four outcomes, ends the notice and sees the
    pool of two, valid two years from the meeting."""
    client.force_login(User.objects.get(username="renshi"))
    page = client.get(reverse("selection:notices")).content.decode()
    assert "董思琪" in page and "公示时间：2026年11月30日至2026年12月4日" in page
    objection = supplement.notices.get().objections.get()
    today = timezone.localdate()
    response = client.post(
        reverse("selection:objection_close", args=[supplement.pk, objection.pk]),
        {
            "investigation": "调阅袁蓓蕾同志本学期考勤和课表，与英语组长、本人谈话：所反映的是区教育局"
            "组织的公益送教活动，不属于有偿补课。",
            "outcome": ObjectionOutcome.NO_PROBLEM,
            "answer": "经调查核实，所反映情况为区教育局组织的公益送教，不属于有偿补课。",
            "answered_on": today.isoformat(),
        },
    )
    assert response.status_code == 302
    objection.refresh_from_db()
    assert objection.closed_at is not None and objection.outcome == ObjectionOutcome.NO_PROBLEM
    response = client.post(
        reverse("selection:advance", args=[supplement.pk]), {"stage": Stage.NOTICE}
    )
    assert response.status_code == 302
    supplement.refresh_from_db()
    assert supplement.stage == Stage.DONE
    assert timezone.localdate(supplement.notices.get().closed_at) == today
    pool = PoolEntry.objects.filter(cycle=supplement).select_related("person")
    meeting = demo.SUPPLEMENT.days().meeting_on
    assert names(pool) == {"董思琪", "袁蓓蕾"} and {e.level for e in pool} == {Level.SCHOOL}
    assert {e.valid_until for e in pool} == {dt.date(2028, 11, 26)} and meeting == dt.date(
        2026, 11, 27
    )
    page = client.get(reverse("selection:pool", args=[supplement.pk])).content.decode()
    assert "董思琪" in page and "袁蓓蕾" in page
