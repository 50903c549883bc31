"""Eligibility verdicts for a whole district, against a bare SELECT of the same rows.

Builds a district of ``--schools`` schools (each through ``create_school``, so the plan's
ten posts are seeded) with ``--people`` staff in all and about ``--rows-per-person``
post-history rows each — 班主任 most often, then team and office posts; most careers run
term to term, a fifth of the spells overlap the next one, about a fifth of the rows are
open (the current post, and some posts held alongside it), a few start after the
reference date or on odd days — and some honours, a few dated after the reference year.
Rows go in by COPY on PostgreSQL (then VACUUM ANALYZE) and ``executemany`` on SQLite.

Then, in the same run, warm cache, the median of ``--runs`` interleaved runs of

(a) ``bare_select_seconds``: every history row's person_id, post_id, start and end,
    every person's ``loading.PERSON_FIELDS`` and every honour's person_id, title, level
    and year — the three tables the plan's rules read — fetched to Python: the floor for
    anything that reads the registry;
(b) ``load_evaluate_seconds``: the school plan's rule set (``defaults.PLAN_RULES``)
    compiled against the district's posts, ``loading.bulk_facts`` over the district's
    staff and ``rules.judge`` — everyone's verdict, with ``baseline`` = (a) and
    ``ratio`` = (b) / (a).

Targets on PostgreSQL: (b) ≤ 2 s and ≤ 1.5 × (a); exit status 1 when missed (``--no-targets``
reports without judging, for smoke tests at tiny sizes). Before timing, the bulk figures
of a random sample are checked against the reference computation (``rules.facts_of``);
a difference is exit status 1 on any database.

    houbei bench eligibility [--people 200000] [--rows-per-person 5] [--schools 40]
                             [--runs 5] [--seed 2026] [--no-targets]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import itertools
import random
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from houbei.eligibility import loading
from houbei.eligibility.defaults import PLAN_RULES
from houbei.eligibility.records import Context
from houbei.eligibility.rules import (
    Judgements,
    Plan,
    RuleDef,
    clean_rule,
    compile_plan,
    facts_of,
    judge,
)
from houbei.organisation.models import District, Post
from houbei.organisation.services import create_school
from houbei.people.models import Honour, Person, PostHistory

from ._report import emit, log

TARGET_SECONDS = 2.0
TARGET_RATIO = 1.5
AS_OF = dt.date(2026, 9, 1)  # the start of a school year, a usual reference date
LAST_TERM = dt.date(2027, 2, 1)  # a few appointments are already planned
# How often each plan post appears in a career (班主任 most, school leadership least).
POST_WEIGHTS = {
    "class-teacher": 40,
    "grade-leader": 12,
    "subject-leader": 12,
    "academic-office": 6,
    "teaching-office": 5,
    "moral-office": 5,
    "general-office": 4,
    "personnel-office": 3,
    "trade-union": 5,
    "school-leader": 3,
}
HONOURS = ("优秀党员", "“勤朴”教师", "优秀班主任", "优秀教师", '"勤朴"教师')
SURNAMES = "王李张陈刘杨黄周吴徐朱沈陆顾孙胡郭何林高金钱施俞姚蒋汪范唐许马罗郑梁谢宋"
GIVEN = ("静", "敏", "丽娟", "伟", "强", "晓东", "海燕", "建华", "思琪", "俊杰", "文斌", "雅琴")
SAMPLE = 500  # people whose bulk figures are checked against the reference computation


# --- Data ------------------------------------------------------------------------------


def terms_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Term starts (1 September, 1 February) from the one on or after ``first``."""
    out = []
    year = first.year - 1
    while True:
        for day in (dt.date(year, 9, 1), dt.date(year + 1, 2, 1)):
            if first <= day <= last:
                out.append(day)
        year += 1
        if dt.date(year, 9, 1) > last:
            return out


def career(
    rng: random.Random, joined: dt.date, count: int, posts: Sequence[int], weights: Sequence[int]
) -> list[tuple[int, dt.date, dt.date | None]]:
    """``count`` spells from the joining date on, mostly term to term."""
    terms = terms_between(joined, LAST_TERM)
    count = min(count, len(terms))
    if not count:
        return []
    starts = sorted(rng.sample(terms, count))
    chosen = rng.choices(posts, cum_weights=weights, k=count)
    spells: list[tuple[int, dt.date, dt.date | None]] = []
    for i, start in enumerate(starts):
        if rng.random() < 0.1:
            start += dt.timedelta(days=rng.randint(1, 60))  # appointed mid-term
        end: dt.date | None
        last = i + 1 == count
        roll = rng.random()
        if (last and roll < 0.7) or (not last and roll < 0.08):
            end = None  # still held (alongside the later posts, for an early one)
        elif last:
            end = start + dt.timedelta(days=rng.randint(150, 1500))
        else:
            end = starts[i + 1] - dt.timedelta(days=1)
            if roll > 0.8:  # held on past the next appointment
                end += dt.timedelta(days=rng.randint(30, 400))
            end = max(end, start)
        spells.append((chosen[i], start, end))
    return spells


def person_columns() -> tuple[list[str], list[Any]]:
    """The generated columns first, then every other column with its default."""
    generated = [
        "id",
        "school_id",
        "staff_number",
        "name",
        "gender",
        "birth_date",
        "joined_school_on",
        "started_work_on",
        "establishment",
        "post_status",
        "political_status",
        "fit_for_duty",
        "fit_for_duty_on",
    ]
    now = timezone.now()
    rest, values = [], []
    for field in Person._meta.concrete_fields:
        if field.column in generated:
            continue
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = now if auto else field.get_default()
        rest.append(field.column)
        values.append(field.get_db_prep_value(value, connection, prepared=False))
    return generated + rest, values


def insert(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple[Any, ...]]
) -> None:
    """Bulk-load rows: COPY on PostgreSQL, ``executemany`` in batches on SQLite (where dates
    go in as ISO text and booleans as integers, as Django stores them)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"

    def plain(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, bool):
            return int(value)
        return value

    with transaction.atomic(), connection.cursor() as cursor:
        iterator = iter(rows)
        while batch := [tuple(map(plain, row)) for row in itertools.islice(iterator, 50_000)]:
            cursor.executemany(sql, batch)


def build(
    *, people: int, rows_per_person: float, schools: int, seed: int
) -> tuple[list[int], int, int]:
    """Create the district; return the school ids, and the history and honour row counts."""
    rng = random.Random(seed)
    district = District.objects.create(name="基准区", code="bench-eligibility")
    created = [
        create_school(
            actor=None, district=district, name=f"基准第{i + 1:02d}中学", code=f"bench-{i + 1:02d}"
        )
        for i in range(schools)
    ]
    school_ids = [s.pk for s in created]
    by_code: dict[int, dict[str, int]] = {s: {} for s in school_ids}
    for school_id, code, pk in Post.objects.filter(school_id__in=school_ids).values_list(
        "school_id", "code", "pk"
    ):
        by_code[school_id][code] = pk
    ordered = {s: [by_code[s][c] for c in POST_WEIGHTS] for s in school_ids}
    weights = list(itertools.accumulate(POST_WEIGHTS.values()))
    low = max(0, round(rows_per_person) - 3)
    high = round(rows_per_person) + 3

    columns, defaults = person_columns()
    person_rows: list[tuple[Any, ...]] = []
    history: list[tuple[int, int, dt.date, dt.date | None, str]] = []
    honours: list[tuple[int, str, int, int, str]] = []
    for pk in range(1, people + 1):
        school_id = school_ids[(pk - 1) * schools // people]
        female = rng.random() < 0.68
        birth = dt.date(rng.randint(1962, 2002), rng.randint(1, 12), rng.randint(1, 28))
        first_job = dt.date(birth.year + 22, 8, 1)
        joined = dt.date(
            min(2026, first_job.year + int(rng.random() ** 2 * max(0, 2026 - first_job.year))),
            9,
            1,
        )
        roll = rng.random()
        person_rows.append(
            (
                pk,
                school_id,
                f"{joined.year}{pk:06d}",
                rng.choice(SURNAMES) + rng.choice(GIVEN),
                "F" if female else "M",
                None if roll < 0.01 else birth,
                None if 0.01 <= roll < 0.02 else joined,
                first_job,
                "in" if rng.random() < 0.93 else "out",
                rng.choices(("on", "off", "retired", "transferred"), cum_weights=(92, 96, 99, 100))[
                    0
                ],
                rng.choice(("中共党员", "群众", "群众", "共青团员")),
                None if 0.02 <= roll < 0.05 else True,
                dt.date(2026, rng.randint(1, 12), 1) if roll >= 0.05 else None,
                *defaults,
            )
        )
        count = 0 if rng.random() < 0.03 else rng.randint(low, high)
        for post_id, start, end in career(rng, joined, count, ordered[school_id], weights):
            history.append((pk, post_id, start, end, ""))
        for _i in range(rng.choices((0, 1, 2), cum_weights=(60, 90, 100))[0]):
            honours.append((pk, rng.choice(HONOURS), rng.choices((1, 2, 3), cum_weights=(70, 95, 100))[0], rng.randint(2008, 2027), ""))  # fmt: skip
    insert(Person, columns, person_rows)
    insert(PostHistory, ["person_id", "post_id", "start", "end", "note"], history)
    insert(Honour, ["person_id", "title", "level", "year", "note"], honours)
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Person]):
            cursor.execute(sql)
        # Planner statistics and the visibility map, as a database in service has them.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return school_ids, len(history), len(honours)


# --- Measuring -------------------------------------------------------------------------


def plan_rules() -> list[RuleDef]:
    defs = []
    for key, type_, strength, label, params in PLAN_RULES:
        cleaned_strength, cleaned = clean_rule(type=type_, strength=strength, params=params)
        defs.append(RuleDef(key, type_, cleaned_strength, str(label), cleaned))
    return defs


def bare_select() -> int:
    """(a): the rows the evaluation reads — every history row, person and honour, the
    columns it looks at — fetched and nothing more."""
    q = connection.ops.quote_name
    history = PostHistory._meta.db_table
    person = Person._meta.db_table
    honour = Honour._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT person_id, post_id, start, {q('end')} FROM {q(history)}")
        rows = len(cursor.fetchall())
        cursor.execute(f"SELECT {', '.join(map(q, loading.PERSON_FIELDS))} FROM {q(person)}")
        rows += len(cursor.fetchall())
        cursor.execute(f"SELECT person_id, title, level, year FROM {q(honour)}")
        rows += len(cursor.fetchall())
    return rows


def compiled(school_ids: list[int]) -> Plan:
    return compile_plan(plan_rules(), Context(as_of=AS_OF, posts=loading.post_refs(school_ids)))


def load_and_evaluate(school_ids: list[int]) -> Judgements:
    """(b): everyone's verdict under the plan's rule set."""
    plan = compiled(school_ids)
    return judge(plan, loading.bulk_facts(plan, Person.objects.filter(school_id__in=school_ids)))


def verify(school_ids: list[int], seed: int) -> int:
    """Differences between the bulk figures and ``facts_of`` on a random sample."""
    plan = compiled(school_ids)
    ids = list(Person.objects.filter(school_id__in=school_ids).values_list("pk", flat=True))
    sample = Person.objects.filter(pk__in=random.Random(seed).sample(ids, min(SAMPLE, len(ids))))
    sample = sample.order_by("pk")
    bulk = loading.bulk_facts(plan, sample)
    reference = [facts_of(plan, r) for r in loading.records_for(sample)]
    key = lambda f: (f.id, f.birth_date, f.joined_school_on, f.establishment, f.post_status,  # noqa: E731
                     f.fit_for_duty, f.fit_for_duty_on, f.set_months,
                     sorted((h.title, h.level, h.year) for h in f.honours))  # fmt: skip
    differences = sum(key(a) != key(b) for a, b in zip(bulk, reference, strict=True))
    if judge(plan, bulk).verdicts != judge(plan, reference).verdicts:
        differences += 1
    return differences + abs(len(bulk) - len(reference))


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    gc.collect()  # each run starts without the previous run's garbage
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="houbei bench eligibility")
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--rows-per-person", type=float, default=5.0)
    parser.add_argument("--schools", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--targets",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="exit 1 when a target is missed on PostgreSQL (off: only report)",
    )
    args = parser.parse_args(argv)
    schools = max(1, min(args.schools, args.people))

    log(f"eligibility: building {args.people} staff in {schools} schools on {connection.vendor} …")
    started = time.perf_counter()
    school_ids, history_rows, honour_rows = build(
        people=args.people, rows_per_person=args.rows_per_person, schools=schools, seed=args.seed
    )
    build_seconds = time.perf_counter() - started
    open_rows = PostHistory.objects.filter(end__isnull=True).count()
    log(f"built {args.people} people, {history_rows} history rows ({open_rows} open), "
        f"{honour_rows} honours in {build_seconds:.1f} s")  # fmt: skip
    emit("eligibility", "build_seconds", build_seconds, "s", people=args.people,
         history_rows=history_rows, open_rows=open_rows, honours=honour_rows)  # fmt: skip

    differences = verify(school_ids, args.seed)
    emit("eligibility", "sample_differences", differences, "people", sample=SAMPLE)
    if differences:
        log(f"bulk figures differ from facts_of for {differences} of {SAMPLE} sampled people")
        return 1

    # Warm the caches (the database's and Python's imports), then interleave the two so
    # that a noisy neighbour slows both alike.
    rows = bare_select()
    judgements = load_and_evaluate(school_ids)
    baselines, measured = [], []
    for i in range(args.runs):
        seconds, _rows = timed(bare_select)
        baselines.append(seconds)
        seconds, judgements = timed(lambda: load_and_evaluate(school_ids))
        measured.append(seconds)
        log(f"  run {i + 1}: bare select {baselines[-1]:.3f} s, load + evaluate {seconds:.3f} s")
    baseline = statistics.median(baselines)
    elapsed = statistics.median(measured)
    verdicts = dict(sorted(Counter(judgements.verdicts).items()))
    emit("eligibility", "bare_select_seconds", baseline, "s", rows=rows,
         min=round(min(baselines), 3), max=round(max(baselines), 3), runs=args.runs)  # fmt: skip
    emit(
        "eligibility",
        "load_evaluate_seconds",
        elapsed,
        "s",
        baseline=baseline,
        min=round(min(measured), 3),
        max=round(max(measured), 3),
        runs=args.runs,
        people=len(judgements),
        history_rows=history_rows,
        honours=honour_rows,
        rules=len(PLAN_RULES),
        verdicts=verdicts,
        target=TARGET_SECONDS,
        target_ratio=TARGET_RATIO,
        vendor=connection.vendor,
    )
    if len(judgements) != args.people:
        log(f"evaluated {len(judgements)} people, expected {args.people}")
        return 1
    missed = []
    if elapsed > TARGET_SECONDS:
        missed.append(f"{elapsed:.2f} s > {TARGET_SECONDS} s")
    if elapsed > TARGET_RATIO * baseline:
        missed.append(f"{elapsed / baseline:.2f}× bare select > {TARGET_RATIO}×")
    if missed:
        log("target missed: " + "; ".join(missed))
        if args.targets and connection.vendor == "postgresql":
            return 1
        if connection.vendor != "postgresql":
            log("(the targets are for PostgreSQL; reported only)")
    return 0
