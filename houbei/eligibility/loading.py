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

import contextlib
import datetime as dt
import functools
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
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


_EPOCH = dt.date(1970, 1, 1)
_EPOCH_ORDINAL = _EPOCH.toordinal()


@functools.cache
def _calendar(first: int, last: int) -> tuple[list[int], list[int], list[bool]]:
    """For day numbers (days since 1970-01-01) ``first``…``last``: the month index
    (year × 12 + month), the day of the month, and whether it is the month's last day —
    so the merge measures a stretch with three list lookups instead of date arithmetic."""
    months, days, ends = [], [], []
    for number in range(first, last + 1):
        day = dt.date.fromordinal(_EPOCH_ORDINAL + number)
        months.append(day.year * 12 + day.month)
        days.append(day.day)
        ends.append((day + _ONE_DAY).day == 1)
    return months, days, ends


def _day_number(day: dt.date) -> int:
    return day.toordinal() - _EPOCH_ORDINAL


def _merge_months(rows: Iterable[tuple[int, int, int, int]], plan: Plan) -> dict[int, list[int]]:
    """Per person, the merged months in each post set, from history rows
    (person_id, post_id, start, clipped end) — days as day numbers — sorted by person
    and start.

    A stretch grows while the next row starts no later than the day after it ends (the
    touching rule of ``durations.merge_intervals``); a finished stretch adds its whole
    months, ``durations.months_between(start, end + 1 day)``: the calendar difference,
    less one when the start's day of month has not been reached in the last month and
    that month has the day."""
    sets = plan.post_sets
    count = len(sets)
    member: dict[int, tuple[int, ...]] = defaultdict(tuple)
    for post_id in set().union(*sets) if sets else ():
        member[post_id] = tuple(i for i, posts in enumerate(sets) if post_id in posts)
    # Day numbers from 1850 to a year after the reference date cover every clipped row.
    base = _day_number(dt.date(1850, 1, 1))
    top = _day_number(plan.ctx.as_of) + 400
    month_of, day_of, last_of = _calendar(base, top)
    out: dict[int, list[int]] = {}
    current = None
    starts: list[Any] = [None] * count
    ends: list[Any] = [0] * count
    months: list[int] = [0] * count

    def flush() -> None:
        for i in range(count):
            a = starts[i]
            if a is not None:
                a -= base
                b = ends[i] + 1 - base
                m = month_of[b] - month_of[a]
                if day_of[a] > day_of[b] and not last_of[b]:
                    m -= 1
                months[i] += m

    for person_id, post_id, start, end in rows:
        if person_id != current:
            if current is not None:
                flush()
                out[current] = months
            current = person_id
            starts = [None] * count
            ends = [0] * count
            months = [0] * count
        for i in member[post_id]:
            a = starts[i]
            if a is None:
                starts[i], ends[i] = start, end
            elif start <= ends[i] + 1:
                if end > ends[i]:
                    ends[i] = end
            else:
                b = ends[i] + 1 - base
                a -= base
                m = month_of[b] - month_of[a]
                if day_of[a] > day_of[b] and not last_of[b]:
                    m -= 1
                months[i] += m
                starts[i], ends[i] = start, end
    if current is not None:
        flush()
        out[current] = months
    return out


def _day_sql(expression: str) -> str:
    """SQL for a date expression as a day number (days since 1970-01-01)."""
    if connection.vendor == "postgresql":
        return f"({expression} - DATE '1970-01-01')"
    return f"CAST(julianday({expression}) - 2440587.5 AS INTEGER)"


def history_rows(plan: Plan, people: QuerySet[Person]) -> list[tuple[int, int, int, int]]:
    """History rows of ``people`` in the plan's post sets, begun by the reference date,
    ends clipped to it, as (person_id, post_id, start, end) with day numbers, sorted by
    person and start — filtered, clipped and sorted by the database, fetched with a plain
    cursor (the ORM's per-row conversion cost as much as the rest of the evaluation)."""
    posts = sorted(set().union(*plan.post_sets)) if plan.post_sets else []
    if not posts:
        return []
    q = connection.ops.quote_name
    table = q(PostHistory._meta.db_table)
    try:
        subquery, params = people.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return []
    as_of = plan.ctx.as_of
    least = "LEAST" if connection.vendor == "postgresql" else "MIN"
    marks = ", ".join(["%s"] * len(posts))
    sql = (
        # Only quoted names and the ORM's own subquery are spliced in; values are parameters.
        f"SELECT person_id, post_id, {_day_sql('start')}, "  # noqa: S608
        f"{_day_sql(f'{least}(COALESCE({q("end")}, %s), %s)')} "
        f"FROM {table} WHERE post_id IN ({marks}) AND start <= %s "
        f"AND person_id IN ({subquery}) ORDER BY person_id, start"
    )
    args = [as_of, as_of, *posts, as_of, *params]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sort of a million rows stays in memory instead of spilling to disk.
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, args)
        return cursor.fetchall()


@contextlib.contextmanager
def without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: building a million rows and facts (which hold
    no reference cycles) otherwise triggers collection after collection over every object
    made so far — a third of the time on a district's data."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def bulk_facts(plan: Plan, people: QuerySet[Person]) -> list[Facts]:
    """The ``Facts`` of ``people`` (ordered by id) for ``plan``: three queries."""
    with without_gc():
        return _bulk_facts(plan, people)


def _bulk_facts(plan: Plan, people: QuerySet[Person]) -> list[Facts]:
    months = _merge_months(history_rows(plan, people), plan)
    zero = [0] * len(plan.post_sets)
    honours: dict[int, list[HonourRecord]] = defaultdict(list)
    none: tuple[HonourRecord, ...] = ()
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
            set_months=months.get(pk) or zero.copy(),
            honours=tuple(honours[pk]) if pk in honours else none,
        )
        for pk, birth, joined, establishment, status, fit, fit_on in people.order_by(
            "pk"
        ).values_list(*PERSON_FIELDS)
    ]
