"""Rotation assignments (轮岗锻炼): their period from the school calendar, the two rules every
assignment keeps — one rotation at a time per person, and no mentor above their number of
mentees in any term — and every change of an assignment: start, completion, ending early
(with the reason), goals, mentors, the mentor's notes and the hard tasks (急、难、险、重).

``confirm_round`` (``proposal.py``) creates a round's assignments through ``check_drafts``
and ``create_drafts`` here, so a confirmed proposal and a hand-made assignment obey the
same rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.audit.services import record
from houbei.core.clock import day_of, moment, stamp
from houbei.organisation.models import LadderLevel, Post, RotationLength, School, Term
from houbei.people.models import Person, PostHistory

from .common import (
    Refused,
    check_length,
    check_post,
    check_staff,
    clean_text,
    person_label,
    refuse,
    user_of,
)
from .models import (
    DEFAULT_MENTOR_CAPACITY,
    LIVE_STATUSES,
    Assignment,
    AssignmentMentor,
    AssignmentStatus,
    HardTask,
    MentorNote,
    MentorRole,
    Placement,
    Round,
    RoundMentor,
    TaskDifficulty,
    TaskKind,
)

TEXT_MAX = 4000


# --- The period ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The terms a rotation covers and its first and last day, from the school calendar."""

    start_term: Term
    end_term: Term
    start: dt.date
    end: dt.date

    @property
    def terms(self) -> tuple[Term, ...]:
        if self.end_term.pk == self.start_term.pk:
            return (self.start_term,)
        return (self.start_term, self.end_term)


def rotation_period(start_term: Term, length: str) -> Period:
    """一学期: the start term; 一学年: the start term and the school's next term. The end
    date is the last day of the last term in the calendar. Refused (field ``length``) when
    the next term is not in the calendar yet."""
    if length == RotationLength.TERM:
        return Period(start_term, start_term, start_term.start, start_term.end)
    school = start_term.school_year.school
    following = Term.objects.next_after(school, start_term.end)
    if following is None:
        raise refuse(
            "length",
            _(
                "校历中还没有%(term)s之后的学期，无法计算一学年轮岗的结束日期，"
                "请先在校历中录入下一学年。"
            )
            % {"term": start_term},
        )
    return Period(start_term, following, start_term.start, following.end)


def default_role(post: Post) -> str:
    """中层处室、工会 and (副)校级 posts are mentored by leaders (带教领导); 班主任 and the
    组长 posts by a 师傅."""
    return MentorRole.LEADER if post.ladder_level >= LadderLevel.OFFICE else MentorRole.MASTER


# --- The two rules --------------------------------------------------------------------------


def mentor_capacity(person: Person, term: Term, round_: Round | None) -> int:
    """How many mentees ``person`` may have in ``term``: the number set for them in the
    round (else the round's default); outside a round, the number of the latest round of
    the school starting in that term; else the default."""
    if round_ is None:
        round_ = (
            Round.objects.filter(school_id=term.school_year.school_id, start_term=term)
            .order_by("-pk")
            .first()
        )
    if round_ is None:
        return DEFAULT_MENTOR_CAPACITY
    limit = RoundMentor.objects.filter(round=round_, person=person).first()
    return limit.capacity if limit is not None else round_.default_mentor_capacity


@dataclass
class Draft:
    """An assignment about to be made, as ``check_drafts`` judges it."""

    person: Person
    post: Post
    period: Period
    length: str
    mentors: list[tuple[Person, str]] = field(default_factory=list)
    goals: str = ""
    placement: Placement | None = None


def _span(start: dt.date, end: dt.date) -> str:
    return _("%(start)s至%(end)s") % {"start": start.isoformat(), "end": end.isoformat()}


def overlap_problem(
    person: Person, start: dt.date, end: dt.date, *, exclude: int | None = None
) -> str | None:
    """The Chinese sentence for the person's other rotation that meets [start, end]."""
    others = Assignment.objects.filter(person=person).overlapping(start, end)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    clash = others.select_related("post").order_by("start_date").first()
    return overlap_message(person, clash, start, end) if clash is not None else None


def overlap_message(person: Person, clash: Assignment, start: dt.date, end: dt.date) -> str:
    return _(
        "%(who)s在%(span)s已有轮岗安排（%(post)s，%(status)s），与本次安排（%(mine)s）时间重叠。"
    ) % {
        "who": person.name,
        "span": _span(clash.start_date, clash.last_day),
        "post": clash.post.name,
        "status": clash.get_status_display(),
        "mine": _span(start, end),
    }


def mentor_load_problems(
    drafts: Sequence[Draft], round_: Round | None, *, exclude: int | None = None
) -> list[str]:
    """Every (mentor, term) whose mentees — the existing rotations they mentor in that
    term plus ``drafts`` — would be more than their number, in Chinese."""
    wanted: dict[tuple[int, int], list[Draft]] = defaultdict(list)
    mentors: dict[int, Person] = {}
    terms: dict[int, Term] = {}
    for draft in drafts:
        for mentor, _role in draft.mentors:
            mentors[mentor.pk] = mentor
            for term in draft.period.terms:
                terms[term.pk] = term
                wanted[mentor.pk, term.pk].append(draft)
    problems = []
    for (mentor_id, term_id), adding in wanted.items():
        mentor, term = mentors[mentor_id], terms[term_id]
        existing = (
            Assignment.objects.mentored_by(mentor)
            .overlapping(term.start, term.end)
            .select_related("person")
            .order_by("person__staff_number")
        )
        if exclude is not None:
            existing = existing.exclude(pk=exclude)
        current = [a.person.name for a in existing]
        capacity = mentor_capacity(mentor, term, round_)
        if len(current) + len(adding) > capacity:
            problems.append(
                _(
                    "带教人员%(mentor)s在%(term)s已带教%(count)d人（%(mentees)s），"
                    "名额为%(capacity)d人，不能再带教%(new)s。"
                )
                % {
                    "mentor": mentor.name,
                    "term": term,
                    "count": len(current),
                    "mentees": "、".join(current) or _("无"),
                    "capacity": capacity,
                    "new": "、".join(d.person.name for d in adding),
                }
            )
    return problems


def held_now_problem(person: Person, post: Post, day: dt.date) -> str | None:
    if PostHistory.objects.filter(person=person, post=post).current(day).exists():
        return _("%(who)s现任%(post)s，不安排到现任岗位轮岗。") % {
            "who": person.name,
            "post": post.name,
        }
    return None


def check_drafts(
    drafts: Sequence[Draft], round_: Round | None, *, exclude: int | None = None
) -> dict[str, list[str]]:
    """Why the drafts cannot be made, by field (empty: they can): the person's own
    rotations overlap (``person``), the post is one they hold (``post``), a mentor would
    have too many mentees (``mentors``)."""
    errors: dict[str, list[str]] = {}
    for draft in drafts:
        clash = overlap_problem(draft.person, draft.period.start, draft.period.end, exclude=exclude)
        if clash:
            errors.setdefault("person", []).append(clash)
        held = held_now_problem(draft.person, draft.post, draft.period.start)
        if held:
            errors.setdefault("post", []).append(held)
        if any(m.pk == draft.person.pk for m, _role in draft.mentors):
            errors.setdefault("mentors", []).append(
                _("%(who)s不能做自己的带教人员。") % {"who": draft.person.name}
            )
    load = mentor_load_problems(drafts, round_, exclude=exclude)
    if load:
        errors.setdefault("mentors", []).extend(load)
    return errors


def lock_people(people: Sequence[Person]) -> None:
    """Lock the people's rows (in one order, so two transactions cannot deadlock): two
    simultaneous assignments of one person or one mentor wait for each other, and the
    second sees the first when it checks overlaps and loads."""
    ids = sorted({p.pk for p in people})
    list(Person.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def create_drafts(
    drafts: Sequence[Draft],
    *,
    actor: Any,
    round_: Round | None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> list[Assignment]:
    """Write the drafts (checked by the caller inside the same transaction) and audit
    each one (with ``reason``, why it was made, when there is one), now or at ``at``."""
    moment(at)
    made = []
    for draft in drafts:
        assignment = Assignment.objects.create(
            school_id=draft.person.school_id, person=draft.person, post=draft.post,
            round=round_, placement=draft.placement, start_term=draft.period.start_term,
            end_term=draft.period.end_term, length=draft.length, start_date=draft.period.start,
            end_date=draft.period.end, goals=draft.goals, created_by=user_of(actor),
        )  # fmt: skip
        stamp(assignment, "created_at", at)
        AssignmentMentor.objects.bulk_create(
            AssignmentMentor(
                assignment=assignment, person=mentor, role=role, added_by=user_of(actor)
            )
            for mentor, role in draft.mentors
        )
        record(
            actor=actor,
            action="rotations.assignment.created",
            target=assignment,
            new=snapshot(assignment),
            reason=reason,
            at=at,
        )
        made.append(assignment)
    return made


def snapshot(assignment: Assignment) -> dict[str, Any]:
    return {
        "person": person_label(assignment.person),
        "post": assignment.post.name,
        "start_term": str(assignment.start_term),
        "length": assignment.length,
        "start_date": assignment.start_date,
        "end_date": assignment.end_date,
        "mentors": [
            f"{link.get_role_display()}：{link.person.name}"
            for link in assignment.mentor_links.active().select_related("person")
        ],
        "goals": assignment.goals,
        "round": assignment.round.title if assignment.round is not None else "",
    }


# --- Services -----------------------------------------------------------------------------


def _check_mentor_list(
    school: School, person: Person, mentors: Sequence[tuple[Person, str]]
) -> list[tuple[Person, str]]:
    check_staff(school, [m for m, _role in mentors], field="mentors")
    seen: set[int] = set()
    cleaned = []
    for mentor, role in mentors:
        if role not in MentorRole.values:
            raise refuse("mentors", _("带教人员身份应为带教领导或师傅。"))
        if mentor.pk in seen:
            raise refuse("mentors", _("带教人员%(name)s重复。") % {"name": mentor.name})
        seen.add(mentor.pk)
        cleaned.append((mentor, role))
    return cleaned


def create_assignment(
    *,
    actor: Any,
    person: Person,
    post: Post,
    start_term: Term,
    length: str,
    mentors: Sequence[tuple[Person, str]] = (),
    goals: str = "",
    reason: str = "",
    reason_required: bool = False,
) -> Assignment:
    """A planned rotation made by hand (outside a round): ``mentors`` as (person, role);
    ``reason``, why it is made outside a round, goes to the audit entry (refused when
    empty with ``reason_required``, as the office's page asks).

    Refused (by field) for someone not a current member of staff of the post's school, an
    archived post or one that is not a rotation post, a length the post does not allow, a
    term of another school, a year whose next term is not in the calendar, the post the
    person holds, an overlap with the person's other rotations, or a mentor with too many
    mentees.
    Audit: ``rotations.assignment.created``."""
    school = post.school
    check_staff(school, [person], field="person")
    check_post(school, post)
    check_length(post, length)
    if start_term.school_year.school_id != school.pk:
        raise refuse("start_term", _("学期不属于本校。"))
    goals = clean_text(goals, field="goals", label=_("锻炼目标"), limit=TEXT_MAX, required=False)
    reason = clean_text(reason, field="reason", label=_("理由"), required=reason_required)
    cleaned = _check_mentor_list(school, person, mentors)
    period = rotation_period(start_term, length)
    draft = Draft(person, post, period, length, cleaned, goals)
    with transaction.atomic():
        lock_people([person, *(m for m, _role in cleaned)])
        errors = check_drafts([draft], None)
        if errors:
            raise Refused(errors)
        (assignment,) = create_drafts([draft], actor=actor, round_=None, reason=reason)
    return assignment


def _lock(assignment: Assignment) -> Assignment:
    return (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("person", "post", "start_term__school_year", "end_term", "round")
        .get(pk=assignment.pk)
    )


def _guard(assignment: Assignment, status: str, doing: str) -> None:
    if not assignment.can_become(status):
        raise refuse(
            "status",
            _("轮岗安排当前状态为“%(now)s”，不能%(doing)s。")
            % {"now": assignment.get_status_display(), "doing": doing},
        )


def start_assignment(
    *, actor: Any, assignment: Assignment, on: dt.date | None = None, at: dt.datetime | None = None
) -> Assignment:
    """已安排 → 轮岗中 on ``on`` (default: the planned start). Refused before the planned
    start. Audit: ``rotations.assignment.started``, now or at ``at`` (aware, not in the
    future)."""
    moment(at)
    with transaction.atomic():
        assignment = _lock(assignment)
        _guard(assignment, AssignmentStatus.ACTIVE, _("开始轮岗"))
        day = on or assignment.start_date
        if day < assignment.start_date:
            raise refuse(
                "on",
                _("开始日期不能早于计划开始日期%(start)s。")
                % {"start": assignment.start_date.isoformat()},
            )
        if day > assignment.end_date:
            raise refuse(
                "on",
                _("开始日期不能晚于计划结束日期%(end)s。")
                % {"end": assignment.end_date.isoformat()},
            )
        assignment.status, assignment.started_on = AssignmentStatus.ACTIVE, day
        assignment.save(update_fields=["status", "started_on", "updated_at"])
        record(
            actor=actor,
            action="rotations.assignment.started",
            target=assignment,
            old={"status": AssignmentStatus.PLANNED},
            new={"status": AssignmentStatus.ACTIVE, "started_on": day},
            at=at,
        )
    return assignment


def complete_assignment(
    *, actor: Any, assignment: Assignment, on: dt.date | None = None, at: dt.datetime | None = None
) -> Assignment:
    """轮岗中 → 已完成 on ``on`` (default: the planned end); not before it started.
    Audit: ``rotations.assignment.completed``, now or at ``at`` (aware, not in the future)."""
    moment(at)
    with transaction.atomic():
        assignment = _lock(assignment)
        _guard(assignment, AssignmentStatus.COMPLETED, _("结束轮岗"))
        day = on or assignment.end_date
        started = assignment.started_on or assignment.start_date
        if day < started:
            raise refuse(
                "on", _("结束日期不能早于开始日期%(start)s。") % {"start": started.isoformat()}
            )
        assignment.status, assignment.ended_on = AssignmentStatus.COMPLETED, day
        assignment.save(update_fields=["status", "ended_on", "updated_at"])
        record(
            actor=actor,
            action="rotations.assignment.completed",
            target=assignment,
            old={"status": AssignmentStatus.ACTIVE},
            new={"status": AssignmentStatus.COMPLETED, "ended_on": day},
            at=at,
        )
    return assignment


def end_assignment_early(
    *, actor: Any, assignment: Assignment, on: dt.date, reason: str, at: dt.datetime | None = None
) -> Assignment:
    """已安排 or 轮岗中 → 提前终止 on ``on`` with the written reason (终止锻炼, e.g. after
    a poor half-term review). ``on`` lies before the planned end; a planned rotation ended
    before its start keeps no days. Audit: ``rotations.assignment.ended_early``, now or at
    ``at`` (aware, not in the future)."""
    reason = clean_text(reason, field="reason", label=_("终止理由"))
    moment(at)
    with transaction.atomic():
        assignment = _lock(assignment)
        _guard(assignment, AssignmentStatus.ENDED, _("提前终止"))
        if on >= assignment.end_date:
            raise refuse(
                "on",
                _("提前终止的日期应早于计划结束日期%(end)s；到期结束请选择“结束轮岗”。")
                % {"end": assignment.end_date.isoformat()},
            )
        if assignment.started_on is not None and on < assignment.started_on:
            raise refuse(
                "on",
                _("终止日期不能早于实际开始日期%(start)s。")
                % {"start": assignment.started_on.isoformat()},
            )
        before = assignment.status
        # A planned rotation stopped before it began has no days: it ends the day before.
        last = on if on >= assignment.start_date else assignment.start_date - dt.timedelta(days=1)
        assignment.status, assignment.ended_on, assignment.end_reason = (
            AssignmentStatus.ENDED,
            last,
            reason,
        )
        assignment.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
        record(
            actor=actor,
            action="rotations.assignment.ended_early",
            target=assignment,
            old={"status": before},
            new={"status": AssignmentStatus.ENDED, "ended_on": last},
            reason=reason,
            at=at,
        )
    return assignment


def set_goals(
    *, actor: Any, assignment: Assignment, goals: str, at: dt.datetime | None = None
) -> Assignment:
    """The rotation's goals (缺什么补什么), while it is planned or running.
    Audit: ``rotations.assignment.goals_set`` with the old and new text."""
    goals = clean_text(goals, field="goals", label=_("锻炼目标"), limit=TEXT_MAX, required=False)
    moment(at)
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.status not in LIVE_STATUSES:
            raise refuse(
                "status",
                _("轮岗安排已%(status)s，不能再修改锻炼目标。")
                % {"status": assignment.get_status_display()},
            )
        if goals != assignment.goals:
            old = assignment.goals
            assignment.goals = goals
            assignment.save(update_fields=["goals", "updated_at"])
            record(
                actor=actor,
                action="rotations.assignment.goals_set",
                target=assignment,
                old={"goals": old},
                new={"goals": goals},
                at=at,
            )
    return assignment


def add_mentor(
    *, actor: Any, assignment: Assignment, mentor: Person, role: str
) -> AssignmentMentor:
    """Another mentor for a planned or running rotation. Refused for someone not of the
    school, the cadre themselves, a mentor already on it, or one with too many mentees in
    any term of the rotation. Audit: ``rotations.assignment.mentor_added``."""
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.status not in LIVE_STATUSES:
            raise refuse(
                "status",
                _("轮岗安排已%(status)s，不能再增加带教人员。")
                % {"status": assignment.get_status_display()},
            )
        (cleaned,) = _check_mentor_list(assignment.school, assignment.person, [(mentor, role)])
        if assignment.mentor_links.active().filter(person=mentor).exists():
            raise refuse("mentor", _("%(name)s已是该轮岗的带教人员。") % {"name": mentor.name})
        if mentor.pk == assignment.person_id:
            raise refuse("mentor", _("%(who)s不能做自己的带教人员。") % {"who": mentor.name})
        lock_people([mentor])
        period = Period(
            assignment.start_term, assignment.end_term, assignment.start_date, assignment.last_day
        )
        draft = Draft(assignment.person, assignment.post, period, assignment.length, [cleaned])
        problems = mentor_load_problems([draft], assignment.round, exclude=assignment.pk)
        if problems:
            raise Refused({"mentor": problems})
        link = AssignmentMentor.objects.create(
            assignment=assignment, person=mentor, role=role, added_by=user_of(actor)
        )
        record(
            actor=actor,
            action="rotations.assignment.mentor_added",
            target=assignment,
            new={"mentor": person_label(mentor), "role": role},
        )
    return link


def remove_mentor(
    *, actor: Any, assignment: Assignment, mentor: Person, reason: str
) -> AssignmentMentor:
    """Take a mentor off a rotation, with the reason; the link is kept as removed.
    Audit: ``rotations.assignment.mentor_removed``."""
    reason = clean_text(reason, field="reason", label=_("撤换理由"), limit=300)
    with transaction.atomic():
        assignment = _lock(assignment)
        link = assignment.mentor_links.active().select_for_update().filter(person=mentor).first()
        if link is None:
            raise refuse("mentor", _("%(name)s不是该轮岗的带教人员。") % {"name": mentor.name})
        link.removed_at, link.removed_by, link.remove_reason = (
            timezone.now(),
            user_of(actor),
            reason,
        )
        link.save(update_fields=["removed_at", "removed_by", "remove_reason"])
        record(
            actor=actor,
            action="rotations.assignment.mentor_removed",
            target=assignment,
            old={"mentor": person_label(mentor), "role": link.role},
            reason=reason,
        )
    return link


def _require_mentor(assignment: Assignment, person: Person, *, field: str, doing: str) -> None:
    if not assignment.mentor_links.active().filter(person=person).exists():
        raise refuse(
            field,
            _("%(name)s不是%(who)s的带教人员，不能%(doing)s。")
            % {"name": person.name, "who": assignment.person.name, "doing": doing},
        )


def add_mentor_note(
    *,
    actor: Any,
    assignment: Assignment,
    author: Person,
    text: str,
    written_on: dt.date | None = None,
    at: dt.datetime | None = None,
) -> MentorNote:
    """An entry of the mentor's log, written by one of the rotation's mentors, dated on or
    after the rotation's start (default: the day of ``at``, today by default). Audit:
    ``rotations.note.added``, now or at ``at`` (aware, not in the future)."""
    text = clean_text(text, field="text", label=_("带教记录"), limit=TEXT_MAX)
    day = written_on or day_of(at)
    with transaction.atomic():
        assignment = _lock(assignment)
        _require_mentor(assignment, author, field="author", doing=_("填写带教记录"))
        if day < assignment.start_date:
            raise refuse(
                "written_on",
                _("记录日期不能早于轮岗开始日期%(start)s。")
                % {"start": assignment.start_date.isoformat()},
            )
        note = MentorNote.objects.create(
            assignment=assignment, author=author, written_on=day, text=text,
            created_by=user_of(actor),
        )  # fmt: skip
        stamp(note, "created_at", at)
        record(
            actor=actor,
            action="rotations.note.added",
            target=assignment,
            new={"author": author.name, "written_on": day, "text": text},
            at=at,
        )
    return note


def _clean_kinds(kinds: Sequence[str]) -> list[str]:
    chosen = [k for k in TaskKind.values if k in set(kinds)]
    unknown = set(kinds) - set(TaskKind.values)
    if unknown or not chosen:
        raise refuse("kinds", _("请选择任务类型（急、难、险、重中的一项或几项）。"))
    return chosen


def add_hard_task(
    *,
    actor: Any,
    assignment: Assignment,
    title: str,
    kinds: Sequence[str],
    given_on: dt.date,
    difficulty: int,
    detail: str = "",
    at: dt.datetime | None = None,
) -> HardTask:
    """A 急、难、险、重 task given during a running rotation, dated within it.
    Audit: ``rotations.task.added``, now or at ``at`` (aware, not in the future)."""
    title = clean_text(title, field="title", label=_("任务"), limit=200)
    moment(at)
    detail = clean_text(detail, field="detail", label=_("任务说明"), limit=TEXT_MAX, required=False)
    chosen = _clean_kinds(kinds)
    if difficulty not in TaskDifficulty.values:
        raise refuse("difficulty", _("请选择难度（一般、较难、很难）。"))
    with transaction.atomic():
        assignment = _lock(assignment)
        if assignment.status != AssignmentStatus.ACTIVE:
            raise refuse(
                "status",
                _("轮岗安排当前状态为“%(now)s”，只有轮岗中才能布置任务。")
                % {"now": assignment.get_status_display()},
            )
        if not assignment.start_date <= given_on <= assignment.end_date:
            raise refuse(
                "given_on",
                _("布置日期应在轮岗期间（%(span)s）。")
                % {"span": _span(assignment.start_date, assignment.end_date)},
            )
        task = HardTask.objects.create(
            assignment=assignment, title=title, kinds=chosen, given_on=given_on,
            difficulty=difficulty, detail=detail, created_by=user_of(actor),
        )  # fmt: skip
        stamp(task, "created_at", at)
        record(
            actor=actor,
            action="rotations.task.added",
            target=assignment,
            new={"task": title, "kinds": chosen, "given_on": given_on, "difficulty": difficulty},
            at=at,
        )
    return task


def _lock_task(task: HardTask) -> HardTask:
    return (
        HardTask.objects.select_for_update()
        .select_related("assignment__person", "assignment__school")
        .get(pk=task.pk)
    )


def record_task_outcome(
    *, actor: Any, task: HardTask, outcome: str, outcome_on: dt.date, at: dt.datetime | None = None
) -> HardTask:
    """How the task went, dated on or after it was given; refused once the mentor has
    confirmed it. Audit: ``rotations.task.outcome_recorded``, now or at ``at`` (aware, not
    in the future)."""
    outcome = clean_text(outcome, field="outcome", label=_("完成情况"), limit=TEXT_MAX)
    moment(at)
    with transaction.atomic():
        task = _lock_task(task)
        if task.is_confirmed:
            raise refuse("outcome", _("带教人员已确认该任务，不能再修改完成情况。"))
        if outcome_on < task.given_on:
            raise refuse(
                "outcome_on",
                _("完成日期不能早于布置日期%(day)s。") % {"day": task.given_on.isoformat()},
            )
        old = {"outcome": task.outcome, "outcome_on": task.outcome_on}
        task.outcome, task.outcome_on = outcome, outcome_on
        task.save(update_fields=["outcome", "outcome_on"])
        record(
            actor=actor,
            action="rotations.task.outcome_recorded",
            target=task.assignment,
            old=old,
            new={"task": task.title, "outcome": outcome, "outcome_on": outcome_on},
            at=at,
        )
    return task


def confirm_hard_task(
    *, actor: Any, task: HardTask, mentor: Person, at: dt.datetime | None = None
) -> HardTask:
    """The mentor confirms the task and its outcome (写实: the record the inspection and
    the reviews may quote). Refused for someone not a mentor of the rotation, without an
    outcome, or twice. ``at`` is when it was confirmed, now by default (aware, not in the
    future). Audit: ``rotations.task.confirmed``, at the same time."""
    now = moment(at)
    with transaction.atomic():
        task = _lock_task(task)
        _require_mentor(task.assignment, mentor, field="mentor", doing=_("确认任务"))
        if task.is_confirmed:
            raise refuse("task", _("该任务已经确认。"))
        if not task.outcome:
            raise refuse("outcome", _("请先填写完成情况，再由带教人员确认。"))
        task.confirmed_by, task.confirmed_at = mentor, now
        task.save(update_fields=["confirmed_by", "confirmed_at"])
        record(
            actor=actor,
            action="rotations.task.confirmed",
            target=task.assignment,
            new={"task": task.title, "confirmed_by": mentor.name},
            at=now,
        )
    return task
