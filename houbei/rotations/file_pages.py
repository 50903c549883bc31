"""Reads of the rotation domain for pages outside the rotation pages: the 轮岗锻炼 section
of a staff file (the person's rotations with their mentors, the rotation passport's ladder
coverage, their 意向表 in a round not yet confirmed, and for one's own file the rotations
one mentors now), and the district bureau's read-only overview of its schools' rotations
(rounds, rotations running and completed this school year, reserve cadres with and
without a rotation) with one school's list of rotations. Each read is a fixed number of
queries, whatever the number of people, rotations or schools."""

from __future__ import annotations

import datetime as dt
import operator
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import reduce
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from houbei.organisation.models import School, SchoolYear
from houbei.people.models import Person, PostHistory
from houbei.selection.models import PoolEntry

from .models import (
    LIVE_STATUSES,
    Assignment,
    AssignmentMentor,
    AssignmentStatus,
    Intention,
    IntentionChoice,
    Round,
    RoundStatus,
)
from .passport import Passport, passport_of

# --- The 轮岗锻炼 section of a staff file ---------------------------------------------------


@dataclass(frozen=True)
class RotationFile:
    person: Person
    assignments: tuple[Assignment, ...]  # newest first, each with ``mentors_now``
    passport: Passport
    reserve: tuple[PoolEntry, ...]  # pool entries valid on the day of the page
    intentions: tuple[Intention, ...]  # live 意向表 in rounds not yet confirmed
    mentoring: tuple[Assignment, ...] = ()  # planned or running rotations the person mentors

    @property
    def current(self) -> tuple[Assignment, ...]:
        return tuple(a for a in self.assignments if a.status in LIVE_STATUSES)

    @property
    def shows_ladder(self) -> bool:
        """The ladder coverage means something for a reserve cadre or someone who has
        rotated; for everyone else the section only says there is nothing."""
        return bool(self.reserve or self.passport.rotations)

    @property
    def empty(self) -> bool:
        return not (self.assignments or self.reserve or self.intentions or self.mentoring)


def _mentors_now() -> Any:
    return Prefetch(
        "mentor_links",
        queryset=AssignmentMentor.objects.active().select_related("person"),
        to_attr="mentors_now",
    )


def rotation_file(
    person: Person,
    *,
    today: dt.date | None = None,
    history: Sequence[PostHistory] | None = None,
    with_mentoring: bool = False,
) -> RotationFile:
    """The person's rotations (newest first, with their mentors now), passport, valid pool
    entries and live 意向表 in unconfirmed rounds of their school; with ``with_mentoring``
    also the planned or running rotations they mentor. ``history``: the person's post
    history with its posts, when the page has read it. Six queries at most with the
    history given (rotations, their mentors, the school's rotation posts, pool entries,
    意向表, their choices; a prefetch of nothing costs nothing), two more with
    ``with_mentoring``."""
    day = today or timezone.localdate()
    rotations = tuple(
        Assignment.objects.filter(person=person)
        .select_related("post", "round", "start_term__school_year", "end_term__school_year")
        .prefetch_related(_mentors_now())
        .order_by("-start_date", "-pk")
    )
    passport = passport_of(person, as_of=day, assignments=rotations, history=history)
    reserve = tuple(
        PoolEntry.objects.filter(person=person, school_id=person.school_id)
        .valid_on(day)
        .order_by("level")
    )
    intentions = tuple(
        Intention.objects.live()
        .filter(person=person, round__school_id=person.school_id)
        .exclude(round__status=RoundStatus.CONFIRMED)
        .select_related("round__start_term__school_year")
        .prefetch_related(
            Prefetch(
                "choices",
                queryset=IntentionChoice.objects.select_related(
                    "round_post__post", "mentor"
                ).order_by("rank", "pk"),
            )
        )
        .order_by("-round__start_term__start", "-pk")
    )
    mentoring: tuple[Assignment, ...] = ()
    if with_mentoring:
        mentoring = tuple(
            Assignment.objects.filter(school_id=person.school_id, status__in=LIVE_STATUSES)
            .mentored_by(person)
            .select_related("person", "post", "start_term__school_year")
            .prefetch_related(_mentors_now())
            .order_by("start_date", "person__staff_number")
        )
    return RotationFile(person, rotations, passport, reserve, intentions, mentoring)


# --- The district bureau's overview -----------------------------------------------------------


@dataclass
class SchoolRotations:
    """One school's row of the district's rotation overview. ``year`` is the school year
    of the day of the page in the school's calendar (None when it has none)."""

    school: School
    year: SchoolYear | None
    rounds: list[Round] = field(default_factory=list)  # of the school year, or not confirmed
    running: int = 0  # rotations running now
    planned: int = 0  # rotations planned, not begun
    completed: int = 0  # rotations completed in the school year
    ended: int = 0  # rotations ended early in the school year
    reserve: int = 0  # reserve cadres (pool entry valid today), current staff
    reserve_rotated: int = 0  # of them: with a rotation running, planned or done

    @property
    def reserve_without(self) -> int:
        return self.reserve - self.reserve_rotated

    @property
    def status_rows(self) -> list[tuple[str, int]]:
        counts: dict[str, int] = defaultdict(int)
        for round_ in self.rounds:
            counts[round_.status] += 1
        return [
            (str(label), counts[value]) for value, label in RoundStatus.choices if counts[value]
        ]


def _year_of(years: Sequence[SchoolYear], day: dt.date) -> SchoolYear | None:
    for year in years:
        if year.start <= day <= year.end:
            return year
    # Between two school years (the summer): the one about to begin, else the last.
    coming = [y for y in years if y.start > day]
    if coming:
        return min(coming, key=lambda y: y.start)
    past = [y for y in years if y.end < day]
    return max(past, key=lambda y: y.end) if past else None


def district_rotations(
    schools: Sequence[School], *, today: dt.date | None = None
) -> list[SchoolRotations]:
    """One row per school, in the order given: four queries whatever the number of
    schools (school years, rounds, rotations counted by school and status, reserve
    cadres counted by school)."""
    day = today or timezone.localdate()
    ids = [s.pk for s in schools]
    years_by_school: dict[int, list[SchoolYear]] = defaultdict(list)
    for year in SchoolYear.objects.filter(school__in=ids).order_by("start"):
        years_by_school[year.school_id].append(year)
    rows = {s.pk: SchoolRotations(s, _year_of(years_by_school[s.pk], day)) for s in schools}
    for round_ in (
        Round.objects.filter(school__in=ids)
        .select_related("start_term__school_year")
        .order_by("-start_term__start", "-pk")
    ):
        row = rows[round_.school_id]
        in_year = row.year is not None and round_.start_term.school_year_id == row.year.pk
        if in_year or round_.status != RoundStatus.CONFIRMED:
            row.rounds.append(round_)
    # Rotations: running and planned now; completed or ended early within the school year.
    conditions: dict[str, Q] = {
        "running": Q(status=AssignmentStatus.ACTIVE),
        "planned": Q(status=AssignmentStatus.PLANNED),
    }
    windows = [
        Q(school_id=school_id, ended_on__gte=row.year.start, ended_on__lte=row.year.end)
        for school_id, row in rows.items()
        if row.year is not None
    ]
    if windows:
        window: Q = reduce(operator.or_, windows)
        conditions["completed"] = window & Q(status=AssignmentStatus.COMPLETED)
        conditions["ended"] = window & Q(status=AssignmentStatus.ENDED)
    counted = (
        Assignment.objects.filter(school__in=ids)
        .with_days()
        .values("school_id")
        .annotate(**{name: Count("pk", filter=q) for name, q in conditions.items()})
        .order_by()
    )
    for counts in counted:
        row = rows[counts["school_id"]]
        for name in conditions:
            setattr(row, name, counts[name])  # type: ignore[literal-required]
    # Reserve cadres with a rotation: any with days, planned, running or done.
    rotated = Assignment.objects.filter(person=OuterRef("pk")).with_days()
    reserve = (
        Person.objects.filter(school__in=ids, archived_at__isnull=True)
        .filter(Exists(PoolEntry.objects.valid_on(day).filter(person=OuterRef("pk"))))
        .values("school_id")
        .annotate(n=Count("pk"), rotated=Count("pk", filter=Q(Exists(rotated))))
        .order_by()
    )
    for counts in reserve:
        row = rows[counts["school_id"]]
        row.reserve, row.reserve_rotated = counts["n"], counts["rotated"]
    return [rows[s.pk] for s in schools]


def school_assignments(school: School) -> QuerySet[Assignment]:
    """One school's rotations for the district's read-only list, newest first, with the
    person, the post, the terms, the round and the mentors now (three queries)."""
    return (
        Assignment.objects.for_school(school)
        .select_related(
            "person", "post", "round", "start_term__school_year", "end_term__school_year"
        )
        .prefetch_related(_mentors_now())
        .order_by("-start_date", "person__staff_number", "pk")
    )
