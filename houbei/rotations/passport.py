"""Reads of the rotation domain for pages, documents and scoping: the rotation passport
(轮岗履历: every post a person held or rotated through and when, and how much of the ladder
that covers, 一岗多能), who rotated through a post, and a mentor's mentees. Each read is a
fixed number of queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei.organisation.models import LadderLevel, Post
from houbei.people.models import Person, PostHistory

from .models import LIVE_STATUSES, Assignment, AssignmentMentor, AssignmentStatus


class SpellKind:
    HISTORY = "history"  # 任职经历
    ROTATION = "rotation"  # 轮岗锻炼


@dataclass(frozen=True)
class Spell:
    """One stretch at a post: from the post history (``assignment`` None) or a rotation.
    ``end`` None means open (held now, no end entered)."""

    post: Post
    start: dt.date
    end: dt.date | None
    kind: str
    status: str
    assignment: Assignment | None = None

    @property
    def kind_label(self) -> str:
        return _("任职") if self.kind == SpellKind.HISTORY else _("轮岗")


@dataclass(frozen=True)
class LevelCoverage:
    """The school's rotation posts of one ladder level: those the person has worked at
    (held or rotated through, begun by the day of the passport) and those not yet."""

    level: int
    covered: tuple[Post, ...]
    missing: tuple[Post, ...]

    @property
    def label(self) -> str:
        return str(LadderLevel(self.level).label)


@dataclass(frozen=True)
class Passport:
    person: Person
    as_of: dt.date
    spells: tuple[Spell, ...]
    levels: tuple[LevelCoverage, ...]

    @property
    def covered(self) -> int:
        return sum(len(level.covered) for level in self.levels)

    @property
    def total(self) -> int:
        return sum(len(level.covered) + len(level.missing) for level in self.levels)

    @property
    def rotations(self) -> tuple[Spell, ...]:
        return tuple(s for s in self.spells if s.kind == SpellKind.ROTATION)


def _had_days(assignment: Assignment) -> bool:
    return assignment.last_day >= assignment.start_date


def passport_of(
    person: Person,
    *,
    as_of: dt.date | None = None,
    assignments: Iterable[Assignment] | None = None,
    history: Iterable[PostHistory] | None = None,
) -> Passport:
    """The person's posts and rotations in date order (rotations with their status, a
    planned one too; one stopped before it began is left out) and the ladder coverage of
    the school's current rotation posts on ``as_of`` (default today). Three queries; one
    fewer for each of the person's ``assignments`` and post ``history`` (with their
    posts) the page has read already."""
    day = as_of or timezone.localdate()
    spells: list[Spell] = [
        Spell(row.post, row.start, row.end, SpellKind.HISTORY, _("任职"))
        for row in (
            PostHistory.objects.filter(person=person).select_related("post")
            if history is None
            else history
        )
    ]
    worked: set[int] = {s.post.pk for s in spells if s.start <= day}
    if assignments is None:
        assignments = Assignment.objects.filter(person=person).select_related("post")
    for assignment in assignments:
        if not _had_days(assignment):
            continue
        spells.append(
            Spell(
                assignment.post,
                assignment.start_date,
                assignment.last_day,
                SpellKind.ROTATION,
                assignment.get_status_display(),
                assignment,
            )
        )
        if assignment.status != AssignmentStatus.PLANNED and assignment.start_date <= day:
            worked.add(assignment.post_id)
    spells.sort(key=lambda s: (s.start, s.kind, s.post.sort_order, s.post.pk))
    posts = list(Post.objects.filter(school_id=person.school_id, is_rotation_post=True).active())
    levels = []
    for level in LadderLevel.values:
        mine = [p for p in posts if p.ladder_level == level]
        if mine:
            levels.append(
                LevelCoverage(
                    level,
                    tuple(p for p in mine if p.pk in worked),
                    tuple(p for p in mine if p.pk not in worked),
                )
            )
    return Passport(person, day, tuple(spells), tuple(levels))


def rotations_through(post: Post) -> QuerySet[Assignment]:
    """Everyone who rotated through (or is planned at) the post, earliest first, with the
    person, the terms and the mentors; rotations stopped before they began are left out."""
    return (
        Assignment.objects.filter(post=post)
        .with_days()
        .select_related("person", "start_term__school_year", "end_term__school_year")
        .prefetch_related("mentor_links__person")
        .order_by("start_date", "person__staff_number")
    )


def mentees_of(mentor: Person, *, current_only: bool = True) -> QuerySet[Person]:
    """The people whose rotations ``mentor`` mentors — planned or running ones by default,
    all with ``current_only=False`` — for scoping a mentor's pages to their mentees."""
    links = AssignmentMentor.objects.active().filter(
        person=mentor, assignment__person=OuterRef("pk")
    )
    if current_only:
        links = links.filter(assignment__status__in=LIVE_STATUSES)
    return Person.objects.filter(Exists(links)).order_by("staff_number")
