"""From the registry to the plain records and figures that ``rules`` evaluates.

Two ways in, which the tests hold to give the same figures:

* ``records_for`` reads whole records (every post-history row, every honour) for the
  explanation of a few people — three queries whatever their number;
* ``bulk_facts`` computes the ``Facts`` of many people at once for the verdicts: the
  database filters the history to the posts the rules look at, clips it to the reference
  date and sorts it by person and start; one pass in Python then merges each person's
  intervals per post set. (Measured on 200,000 people and 1,000,000 rows this costs about
  what fetching the rows costs: ``bench/eligibility.py``.)"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import QuerySet

from houbei.organisation.models import Post, School
from houbei.people.models import Honour, Person, PostHistory

from .records import HonourRecord, PersonRecord, PostRef, Spell
from .rules import Facts, HonoursPriority, Plan

_ONE_DAY = dt.timedelta(days=1)

PERSON_FIELDS = (
    "id",
    "birth_date",
    "joined_school_on",
    "establishment",
    "post_status",
    "fit_for_duty",
    "fit_for_duty_on",
)


def post_refs(school: School | Iterable[int]) -> dict[int, PostRef]:
    """Every post of the school (archived ones too: history rows may name them)."""
    posts = (
        Post.objects.filter(school=school)
        if isinstance(school, School)
        else Post.objects.filter(school_id__in=list(school))
    )
    return {
        pk: PostRef(pk, code, name, level, heads)
        for pk, code, name, level, heads in posts.values_list(
            "pk", "code", "name", "ladder_level", "counts_as_head"
        )
    }


def records_for(people: QuerySet[Person] | Sequence[Person]) -> list[PersonRecord]:
    """Whole records of ``people``, in their order; three queries."""
    items = list(people)
    ids = [p.pk for p in items]
    spells: dict[int, list[Spell]] = defaultdict(list)
    for person_id, post_id, start, end in (
        PostHistory.objects.filter(person_id__in=ids)
        .order_by("person_id", "start", "pk")
        .values_list("person_id", "post_id", "start", "end")
    ):
        spells[person_id].append(Spell(post_id, start, end))
    honours: dict[int, list[HonourRecord]] = defaultdict(list)
    for person_id, title, level, year in (
        Honour.objects.filter(person_id__in=ids)
        .order_by("person_id", "-year", "pk")
        .values_list("person_id", "title", "level", "year")
    ):
        honours[person_id].append(HonourRecord(title, level, year))
    return [
        PersonRecord(
            id=p.pk,
            name=p.name,
            staff_number=p.staff_number,
            gender=p.gender,
            birth_date=p.birth_date,
            joined_school_on=p.joined_school_on,
            establishment=p.establishment,
            post_status=p.post_status,
            political_status=p.political_status,
            fit_for_duty=p.fit_for_duty,
            fit_for_duty_on=p.fit_for_duty_on,
            spells=tuple(spells.get(p.pk, ())),
            honours=tuple(honours.get(p.pk, ())),
        )
        for p in items
    ]


def _merge_months(rows: Iterable[tuple[Any, ...]], plan: Plan) -> dict[int, list[int]]:
    """Per person, the merged months in each post set, from history rows
    (person_id, post_id, start, clipped end) sorted by person and start.

    A stretch grows while the next row starts no later than the day after it ends (the
    touching rule of ``durations.merge_intervals``); a finished stretch adds its whole
    months, ``durations.months_between(start, end + 1 day)`` inlined: the calendar
    difference, less one when the start's day of month has not been reached in the last
    month and that month has the day."""
    sets = plan.post_sets
    count = len(sets)
    member: dict[int, tuple[int, ...]] = defaultdict(tuple)
    for post_id in set().union(*sets) if sets else ():
        member[post_id] = tuple(i for i, posts in enumerate(sets) if post_id in posts)
    one = _ONE_DAY
    out: dict[int, list[int]] = {}
    current = None
    starts: list[Any] = [None] * count
    ends: list[Any] = [None] * count
    months: list[int] = [0] * count

    def close(i: int) -> None:
        a, b = starts[i], ends[i] + one
        m = (b.year - a.year) * 12 + b.month - a.month
        if a.day > b.day and (b + one).day != 1:
            m -= 1
        months[i] += m

    for person_id, post_id, start, end in rows:
        if person_id != current:
            if current is not None:
                for i in range(count):
                    if starts[i] is not None:
                        close(i)
                out[current] = months
            current = person_id
            starts = [None] * count
            ends = [None] * count
            months = [0] * count
        for i in member[post_id]:
            if starts[i] is None:
                starts[i], ends[i] = start, end
            elif start <= ends[i] + one:
                if end > ends[i]:
                    ends[i] = end
            else:
                close(i)
                starts[i], ends[i] = start, end
    if current is not None:
        for i in range(count):
            if starts[i] is not None:
                close(i)
        out[current] = months
    return out


def history_rows(plan: Plan, people: QuerySet[Person]) -> Iterable[tuple[Any, ...]]:
    """History rows of ``people`` in the plan's post sets, begun by the reference date,
    ends clipped to it, sorted by person and start."""
    posts = sorted(set().union(*plan.post_sets)) if plan.post_sets else []
    if not posts:
        return []
    as_of = plan.ctx.as_of
    rows = (
        PostHistory.objects.filter(person__in=people.values("pk"), post_id__in=posts)
        .filter(start__lte=as_of)
        .order_by("person_id", "start")
        .values_list("person_id", "post_id", "start", "end")
    )
    return (
        (pid, post, start, as_of if end is None or end > as_of else end)
        for pid, post, start, end in rows.iterator(chunk_size=20000)
    )


def bulk_facts(plan: Plan, people: QuerySet[Person]) -> list[Facts]:
    """The ``Facts`` of ``people`` (ordered by id) for ``plan``: two or three queries."""
    months = _merge_months(history_rows(plan, people), plan)
    zero = [0] * len(plan.post_sets)
    honours: dict[int, list[HonourRecord]] = defaultdict(list)
    if any(isinstance(c.kind, HonoursPriority) for c in plan.rules):
        for person_id, title, level, year in (
            Honour.objects.filter(person__in=people.values("pk"), year__lte=plan.ctx.as_of.year)
            .order_by("person_id", "-year", "pk")
            .values_list("person_id", "title", "level", "year")
        ):
            honours[person_id].append(HonourRecord(title, level, year))
    return [
        Facts(
            id=pk,
            birth_date=birth,
            joined_school_on=joined,
            establishment=establishment,
            post_status=status,
            fit_for_duty=fit,
            fit_for_duty_on=fit_on,
            set_months=months.get(pk) or list(zero),
            honours=tuple(honours.get(pk, ())),
        )
        for pk, birth, joined, establishment, status, fit, fit_on in people.order_by(
            "pk"
        ).values_list(*PERSON_FIELDS)
    ]
