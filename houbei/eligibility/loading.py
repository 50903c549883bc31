"""From the registry to the plain records and figures that ``rules`` evaluates.

Two ways in, which the tests hold to give the same figures:

* ``records_for`` reads whole records (every post-history row, every honour) for the
  explanation of a few people — three queries whatever their number;
* ``bulk_facts`` computes the ``Facts`` of many people at once for the verdicts: the
  database filters the history to the posts the rules look at, clips it to the reference
  date and sorts it by person and start; the rows arrive as columns (by binary COPY on
  PostgreSQL) and each person's intervals are merged per post set over whole columns.
  (``bench/eligibility.py`` measures it on 200,000 people and about 1,000,000 rows
  against a bare SELECT of the same rows.)"""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import functools
import gc
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from psycopg import pq

from houbei.organisation.models import Post, School
from houbei.people import durations
from houbei.people.models import Establishment, Honour, Person, PostHistory, PostStatus

from .records import HonourRecord, PersonRecord, PostRef, Spell
from .rules import FactsTable, HonoursPriority, Plan

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


# Day numbers count from here; the month lookup covers them up to _CALENDAR_END.
_DAY_ZERO = dt.date(1850, 1, 1)
_CALENDAR_END = dt.date(2200, 1, 1)
_CHUNK = 10_000  # rows per chunk of a streamed result
_JULIAN_ZERO = 2440587.5 - (dt.date(1970, 1, 1) - _DAY_ZERO).days  # SQLite's julianday()
_NO_DAYS = np.empty(0, dtype=np.int64)


@dataclass(frozen=True)
class History:
    """History rows as columns (numpy ``int64`` arrays of equal length), sorted by person
    and start: ``person``, ``post``, ``start`` (first day) and ``end`` (the day after the
    last day, clipped to the reference date), days as day numbers since ``_DAY_ZERO``."""

    person: np.ndarray
    post: np.ndarray
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def empty(cls) -> History:
        return cls(_NO_DAYS, _NO_DAYS, _NO_DAYS, _NO_DAYS)

    def __len__(self) -> int:
        return len(self.person)


@functools.cache
def _calendar() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Indexed by day number: the month index (year × 12 + month); the day of the month;
    the same for a stretch's end bound (the day after its last day), but 99 on a month's
    last day. A stretch [a, b) then lasts
    ``month[b] - month[a] - (day[a] > end_day[b])`` whole months: ``durations.months_between``
    as three array lookups instead of date arithmetic."""
    month: list[int] = []
    day: list[int] = []
    end_day: list[int] = []
    for year in range(_DAY_ZERO.year, _CALENDAR_END.year):
        for number in range(1, 13):
            length = calendar.monthrange(year, number)[1]
            month.extend([year * 12 + number] * length)
            day.extend(range(1, length + 1))
            end_day.extend(range(1, length))
            end_day.append(99)
    return (
        np.array(month, dtype=np.int64),
        np.array(day, dtype=np.int64),
        np.array(end_day, dtype=np.int64),
    )


def _months(a: int, b: int) -> int:
    """Whole months of the stretch of day numbers [a, b), outside the lookup's range."""
    return durations.months_between(
        _DAY_ZERO + dt.timedelta(days=a), _DAY_ZERO + dt.timedelta(days=b)
    )


def _stretch_months(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Whole months of each stretch [a[i], b[i]) of day numbers."""
    month, day, end_day = _calendar()
    size = len(month)
    outside = (a < 0) | (b >= size)
    i, j = np.clip(a, 0, size - 1), np.clip(b, 0, size - 1)
    months = month[j] - month[i] - (day[i] > end_day[j])
    for k in np.flatnonzero(outside).tolist():  # before 1850 or after 2199: rare
        months[k] = _months(int(a[k]), int(b[k]))
    return months


def _merge_months(history: History, plan: Plan) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each post set of the plan, the people with rows in it (ascending) and their
    merged whole months.

    Within a person's rows of the set (sorted by start) a stretch grows while the next
    row starts no later than the day after it ends (the touching rule of
    ``durations.merge_intervals``): a row begins a new stretch when its start is after
    the running maximum of the ends before it. Each stretch adds its whole months
    (``durations.months_between(first day, day after the last day)``), as
    ``rules.facts_of`` counts them. Computed over whole columns: a district's million
    rows take a few dozen milliseconds."""
    out = [(_NO_DAYS, _NO_DAYS) for _ in plan.post_sets]
    if not len(history):
        return out
    ceiling = int(history.post.max()) + 1
    for index, posts in enumerate(plan.post_sets):
        member = np.zeros(ceiling, dtype=bool)
        member[[p for p in posts if p < ceiling]] = True
        chosen = member[history.post]
        person, start, end = history.person[chosen], history.start[chosen], history.end[chosen]
        if not len(person):
            continue
        first = np.empty(len(person), dtype=bool)
        first[0] = True
        np.not_equal(person[1:], person[:-1], out=first[1:])
        # Running maximum of the ends within each person: the person's ordinal in the high
        # bits keeps one person's maximum from carrying into the next person's rows.
        low = int(end.min())
        running = np.maximum.accumulate((np.cumsum(first) << 32) | (end - low))
        before = np.empty(len(person), dtype=np.int64)
        before[0] = 0
        before[1:] = (running[:-1] & 0xFFFFFFFF) + low
        begins = np.flatnonzero(first | (start > before))
        months = _stretch_months(start[begins], np.maximum.reduceat(end, begins))
        owners = person[begins]
        change = np.empty(len(owners), dtype=bool)
        change[0] = True
        np.not_equal(owners[1:], owners[:-1], out=change[1:])
        edges = np.flatnonzero(change)
        totals = np.add.reduceat(months, edges)
        out[index] = (owners[edges], totals)
    return out


def _aligned(per_set: list[tuple[np.ndarray, np.ndarray]], ids: list[int]) -> list[list[int]]:
    """For each post set, everyone's months in it in the order of ``ids`` (ascending), 0
    for a person without rows in the set."""
    wanted = np.array(ids, dtype=np.int64)
    out = []
    for owners, totals in per_set:
        column = np.zeros(len(ids), dtype=np.int64)
        if len(owners):
            at = np.searchsorted(wanted, owners)
            found = at < len(wanted)
            found[found] = wanted[at[found]] == owners[found]
            column[at[found]] = totals[found]
        out.append(column.tolist())
    return out


def _day_sql(expression: str, vendor: str) -> str:
    """SQL for a date expression as a day number (days since ``_DAY_ZERO``)."""
    if vendor == "postgresql":
        return f"({expression} - DATE '{_DAY_ZERO.isoformat()}')"
    return f"CAST(julianday({expression}) - {_JULIAN_ZERO} AS INTEGER)"


def _rows(db: str, sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    """All rows of a query from a plain cursor, without the ORM's per-row iteration.

    On PostgreSQL they are streamed in chunks: the server goes on producing rows while
    the client converts the ones received, instead of the client idling until the last
    row is ready. The stream bypasses Django's cursor wrapper, so the query is logged
    here, as the wrapper would."""
    connection = connections[db]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchall()
        started = time.monotonic()
        rows = list(cursor.stream(sql, params, size=_CHUNK))
        _log(connection, connection.ops.last_executed_query(cursor.cursor, sql, params), started)
        return rows


def _log(connection: Any, sql: str, started: float) -> None:
    if connection.queries_logged:
        connection.queries_log.append({"sql": sql, "time": f"{time.monotonic() - started:.3f}"})


def _fetch(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The rows of a ``values_list`` queryset: the ORM's own SQL and its database's types
    (SQLite's converters parse dates and booleans)."""
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return []
    return _rows(queryset.db, sql, params)


_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_NULL_DAY = -(2**31)  # stands for NULL in a day-number column sent by COPY


def _copy(
    db: str, sql: str, params: Sequence[Any], columns: Sequence[tuple[str, int]]
) -> dict[str, np.ndarray]:
    """The rows of ``sql`` with ``params`` by binary COPY, read straight into one ``int64`` array per
    column. ``columns`` names the query's columns with their widths in bytes (2, 4 or 8:
    int2, int4, int8); none may be NULL.

    A million rows arrive in about the time the server takes to produce them, where
    building a million Python tuples costs as much again. libpq's copy loop is driven
    directly (``psycopg.pq``): psycopg's ``Copy`` object adds a Python generator step per
    row, a third more time here."""
    layout: list[tuple[str, str]] = [("fields", ">i2")]
    for name, width in columns:
        layout += [(f"{name}_width", ">i4"), (name, f">i{width}")]
    row = np.dtype(layout)
    connection = connections[db]
    connection.ensure_connection()
    raw = connection.connection
    started = time.monotonic()
    # COPY takes no parameters: psycopg binds them client-side, as Django does.
    literal = psycopg.ClientCursor(raw).mogrify(sql, params)
    statement = f"COPY ({literal}) TO STDOUT (FORMAT BINARY)"
    data = bytearray()
    with connection.wrap_database_errors, raw.lock:
        pg = raw.pgconn
        pg.send_query(statement.encode())
        results = [pg.get_result()]
        if results[0].status == pq.ExecStatus.COPY_OUT:
            get = pg.get_copy_data
            while True:
                size, chunk = get(0)
                if size < 0:
                    break
                data += chunk
        while (result := pg.get_result()) is not None:
            results.append(result)
        for result in results:
            if result.status == pq.ExecStatus.FATAL_ERROR:
                message = (result.error_message or b"").decode(errors="replace")
                raise psycopg.DatabaseError(message.strip() or "COPY failed")
    _log(connection, statement, started)
    if not data.startswith(_COPY_SIGNATURE):
        raise psycopg.DatabaseError("COPY returned no binary header")
    offset = len(_COPY_SIGNATURE) + 8 + int.from_bytes(data[15:19], "big")
    count = (len(data) - offset - 2) // row.itemsize
    rows = np.frombuffer(data, dtype=row, count=count, offset=offset)
    if not (rows["fields"] == len(columns)).all() or any(
        not (rows[f"{name}_width"] == width).all() for name, width in columns
    ):
        raise psycopg.DatabaseError(f"COPY rows are not {columns}")
    return {name: rows[name].astype(np.int64) for name, _width in columns}


def history_columns(plan: Plan, people: QuerySet[Person]) -> History:
    """History rows of ``people`` in the plan's post sets, begun by the reference date,
    sorted by person and start, as columns (``History``). The database filters, clips,
    numbers and sorts; PostgreSQL sends them by binary COPY, SQLite through its cursor."""
    posts = sorted(set().union(*plan.post_sets)) if plan.post_sets else []
    if not posts:
        return History.empty()
    connection = connections[people.db]
    vendor = connection.vendor
    q = connection.ops.quote_name
    try:
        subquery, params = (
            people.order_by().values("pk").query.get_compiler(using=people.db).as_sql()
        )
    except EmptyResultSet:
        return History.empty()
    least = "LEAST" if vendor == "postgresql" else "MIN"
    clipped = f"{least}(COALESCE({q('end')}, %s), %s)"
    marks = ", ".join(["%s"] * len(posts))
    cast = "::int8" if vendor == "postgresql" else ""
    sql = (
        # Only quoted names, constants and the ORM's own subquery are spliced in.
        f"SELECT person_id{cast}, post_id{cast}, {_day_sql('start', vendor)}, "  # noqa: S608
        f"{_day_sql(clipped, vendor)} + 1 FROM {q(PostHistory._meta.db_table)} "
        f"WHERE post_id IN ({marks}) AND start <= %s AND person_id IN ({subquery}) "
        "ORDER BY person_id, start"
    )
    as_of = plan.ctx.as_of
    args = [as_of, as_of, *posts, as_of, *params]
    # The default work_mem is kept: with it PostgreSQL walks the history's person index
    # alongside the people's primary key (no sort of a million rows).
    if vendor == "postgresql":
        columns = (("person", 8), ("post", 8), ("start", 4), ("end", 4))
        got = _copy(people.db, sql, args, columns)
        return History(got["person"], got["post"], got["start"], got["end"])
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        rows = cursor.fetchall()
    if not rows:
        return History.empty()
    table = np.array(rows, dtype=np.int64)
    return History(table[:, 0], table[:, 1], table[:, 2], table[:, 3])


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


def bulk_facts(plan: Plan, people: QuerySet[Person]) -> FactsTable:
    """The ``Facts`` of ``people`` (ordered by id) for ``plan`` as a ``FactsTable``, equal to
    ``rules.facts_of`` of their records — except that honours are read only when a rule
    looks at them. Three queries."""
    with without_gc():
        return _bulk_facts(plan, people)


def _bulk_facts(plan: Plan, people: QuerySet[Person]) -> FactsTable:
    per_set = _merge_months(history_columns(plan, people), plan)
    honours: dict[int, tuple[HonourRecord, ...]] = {}
    if any(isinstance(c.kind, HonoursPriority) for c in plan.rules):
        grouped: dict[int, list[HonourRecord]] = defaultdict(list)
        # A district's honours are a few hundred (title, level, year) combinations: the
        # records are immutable, so one is made per combination and shared.
        records: dict[tuple[str, int, int], HonourRecord] = {}
        for person_id, title, level, year in _fetch(
            Honour.objects.filter(person__in=people.values("pk"), year__lte=plan.ctx.as_of.year)
            .order_by("person_id", "-year", "pk")
            .values_list("person_id", "title", "level", "year")
        ):
            key = (title, level, year)
            record = records.get(key)
            if record is None:
                record = records[key] = HonourRecord(title, level, year)
            grouped[person_id].append(record)
        honours = {pk: tuple(items) for pk, items in grouped.items()}
    ids, birth, joined, establishment, status, fit, fit_on = person_columns(people)
    none: tuple[HonourRecord, ...] = ()
    return FactsTable(
        ids,
        birth,
        joined,
        establishment,
        status,
        fit,
        fit_on,
        _aligned(per_set, ids),
        [honours.get(pk, none) for pk in ids] if honours else [none] * len(ids),
    )


# Person columns that hold one of a few values travel as codes: their position here.
_CODED: dict[str, tuple[str, ...]] = {
    "establishment": tuple(Establishment.values),
    "post_status": tuple(PostStatus.values),
}


def person_columns(people: QuerySet[Person]) -> list[list[Any]]:
    """``PERSON_FIELDS`` of ``people`` as one list per field, ordered by id.

    On PostgreSQL the rows come by binary COPY, with dates as day numbers, the coded
    fields as their positions and the health flag as -1, 0 or 1; they become values by
    table lookups, so the many people who share a birthday share one date object. A
    coded value outside its list is read as it is stored, in a second query."""
    queryset = people.order_by("pk").values_list(*PERSON_FIELDS)
    connection = connections[people.db]
    if connection.vendor != "postgresql":
        rows = _fetch(queryset)
        return (
            [list(column) for column in zip(*rows, strict=True)]
            if rows
            else [[] for _ in PERSON_FIELDS]
        )
    try:
        subquery, params = queryset.query.get_compiler(using=people.db).as_sql()
    except EmptyResultSet:
        return [[] for _ in PERSON_FIELDS]
    q = connection.ops.quote_name
    zero = f"DATE '{_DAY_ZERO.isoformat()}'"
    day = lambda name: f"COALESCE({q(name)} - {zero}, {_NULL_DAY})::int4"  # noqa: E731
    code = lambda name: (  # noqa: E731
        f"COALESCE(array_position(%s::text[], {q(name)}::text), 0)::int2"
    )
    sql = (
        # Only quoted names, constants and the ORM's own query are spliced in.
        f"SELECT {q('id')}::int8, {day('birth_date')}, {day('joined_school_on')}, "  # noqa: S608
        f"{code('establishment')}, {code('post_status')}, "
        f"(CASE WHEN {q('fit_for_duty')} THEN 1 WHEN NOT {q('fit_for_duty')} THEN 0 "
        f"ELSE -1 END)::int2, {day('fit_for_duty_on')} "
        f"FROM ({subquery}) AS p ORDER BY {q('id')}"
    )
    args = [list(_CODED["establishment"]), list(_CODED["post_status"]), *params]
    widths = (("id", 8), ("birth", 4), ("joined", 4), ("est", 2), ("status", 2), ("fit", 2),
              ("fit_on", 4))  # fmt: skip
    got = _copy(people.db, sql, args, widths)
    ids = got["id"].tolist()
    establishment = _decoded(got["est"], _CODED["establishment"])
    status = _decoded(got["status"], _CODED["post_status"])
    odd = np.flatnonzero((got["est"] == 0) | (got["status"] == 0)).tolist()
    if odd:
        stored = dict(
            (pk, (e, s))
            for pk, e, s in Person.objects.using(people.db)
            .filter(pk__in=[ids[i] for i in odd])
            .values_list("pk", "establishment", "post_status")
        )
        for i in odd:
            establishment[i], status[i] = stored[ids[i]]
    return [
        ids,
        _days(got["birth"]),
        _days(got["joined"]),
        establishment,
        status,
        list(map((None, False, True).__getitem__, (got["fit"] + 1).tolist())),
        _days(got["fit_on"]),
    ]


def _decoded(codes: np.ndarray, values: tuple[str, ...]) -> list[Any]:
    """Positions (1-based; 0 for a value outside the list) as the values, None for 0."""
    return list(map((None, *values).__getitem__, codes.tolist()))


@functools.cache
def _date_table() -> list[dt.date | None]:
    """Index 0: None; index n + 1: the date of day number n, over the month lookup's range."""
    size = (_CALENDAR_END - _DAY_ZERO).days
    return [None, *(_DAY_ZERO + dt.timedelta(days=n) for n in range(size))]


def _days(numbers: np.ndarray) -> list[dt.date | None]:
    """Day numbers as dates; ``_NULL_DAY`` as None."""
    table = _date_table()
    inside = (numbers >= 0) & (numbers < len(table) - 1)
    out = list(map(table.__getitem__, np.where(inside, numbers + 1, 0).tolist()))
    for i in np.flatnonzero(~inside & (numbers != _NULL_DAY)).tolist():
        out[i] = _DAY_ZERO + dt.timedelta(days=int(numbers[i]))  # before 1850, after 2199
    return out
