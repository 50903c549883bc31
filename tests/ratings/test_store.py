"""The anonymous store of ratings: what its tables may hold (T5), that a code serves once
under simultaneous attempts (T1) and a close in the middle of them, that no transaction id
or physical order tells who rated what or in which order (T6, T7)."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, models

from houbei.ballots.ratings.models import (
    GroupMode,
    RaterCount,
    RaterGroup,
    RatingComment,
    RatingCounter,
    RatingCredential,
    RatingDimension,
    RatingGrade,
    RatingRollEntry,
    RatingRound,
    RatingSubject,
)
from houbei.ballots.ratings.services import (
    GroupDraft,
    close_round,
    form_of,
    rate_on_roll,
    submit_rating,
    turnout_of,
)

from .conftest import full_sheet, make_round
from .storm import storm

ROOT = Path(__file__).resolve().parents[2]
N = 200
N_ROLL = 80  # enough that the close lands while rating goes on
LIMIT = 0.21  # 3σ of Spearman's rho for n = 200


def spearman(order: list[int]) -> float:
    n = len(order)
    return 1 - 6 * sum((i - r) ** 2 for i, r in enumerate(order)) / (n * (n * n - 1))


def test_the_anonymous_tables_link_to_no_one_keep_no_time_and_have_random_keys() -> None:
    """T5, the schema guard: counters, rater counts, comments and credentials point only
    at the round's form, never at a person, a user or the roll."""
    form = {RatingRound, RatingSubject, RatingDimension, RatingGrade, RaterGroup}
    for model in (RatingCounter, RaterCount, RatingComment, RatingCredential):
        for field in model._meta.get_fields():
            if field.is_relation:
                assert field.related_model in form, (model, field.name)
                assert field.many_to_one, (model, field.name)  # nothing points back at them
            assert not isinstance(
                field, (models.DateField, models.TimeField, models.GenericIPAddressField)
            ), (model, field.name)
        pk = model._meta.pk
        assert isinstance(pk, models.UUIDField) and pk.default.__name__ == "uuid4"
        assert not model._meta.ordering
    assert not apps.is_installed("django.contrib.admin")


@pytest.mark.django_db
def test_counters_are_counts_not_a_row_per_rater(rating) -> None:
    rating_round, made = rating
    rows = RatingCounter.objects.count()
    for code in made["服务对象"][:5]:
        submit_rating(round_id=rating_round.pk, code=code, sheet=full_sheet(rating_round))
    assert RatingCounter.objects.count() == rows
    assert set(RatingCounter.objects.filter(count__gt=0).values_list("count", flat=True)) == {5}


def _physical(model: type[models.Model], column: str = "id") -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    key = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} ORDER BY {key}")
        return [str(row[0]) for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_after_close_no_order_follows_the_order_of_rating(school) -> None:
    """T6: 200 sheets with a comment each, handed in with codes taken in a shuffled order;
    after close neither the comments nor the used codes keep that order — not by key,
    default queryset or physical place (ctid, rowid)."""
    rating_round, made = make_round(school, subjects=1, groups=(GroupDraft("服务对象", 5),),
                                    codes=N)  # fmt: skip
    subject = form_of(rating_round).subjects[0][0]
    digests = list(RatingCredential.objects.values_list("code_digest", flat=True))
    issued = dict(zip(made["服务对象"], digests, strict=True))  # bulk_create keeps the order
    order = list(range(N))
    random.Random(2026).shuffle(order)
    used_turn: dict[str, int] = {}
    for turn, i in enumerate(order):
        code = made["服务对象"][i]
        submit_rating(round_id=rating_round.pk, code=code, sheet=full_sheet(rating_round, turn),
                      comments={subject: f"第{turn:03d}条"})  # fmt: skip
        used_turn[issued[code]] = turn
    close_round(actor=None, rating_round=rating_round)

    def turn_of_comment(text: str) -> int:
        return int(text[1:4])

    comment_text = {str(pk): text for pk, text in RatingComment.objects.values_list("id", "text")}
    digest_of = {
        str(pk): digest for pk, digest in RatingCredential.objects.values_list("id", "code_digest")
    }

    def key(pk: str) -> str:
        return pk.replace("-", "")

    comment_by_key = {key(pk): text for pk, text in comment_text.items()}
    digest_by_key = {key(pk): d for pk, d in digest_of.items()}
    orders = {
        "comments, default queryset": [turn_of_comment(c.text) for c in RatingComment.objects.all()],
        "comments by key": [turn_of_comment(t) for t in
                            RatingComment.objects.order_by("pk").values_list("text", flat=True)],
        "comments physical": [turn_of_comment(comment_by_key[key(pk)])
                              for pk in _physical(RatingComment)],
        "codes, default queryset": [used_turn[c.code_digest] for c in RatingCredential.objects.all()],
        "codes physical": [used_turn[digest_by_key[key(pk)]] for pk in _physical(RatingCredential)],
    }  # fmt: skip
    for name, seen in orders.items():
        assert sorted(seen) == list(range(N)), name
        assert abs(spearman(seen)) < LIMIT, (name, spearman(seen))


@pytest.mark.django_db(transaction=True)
def test_after_close_the_roll_does_not_keep_the_order_people_rated_in(school) -> None:
    rating_round, _made = make_round(
        school, subjects=1, groups=(GroupDraft("教师代表", 5, GroupMode.ROLL),), roll=N
    )
    entries = list(RatingRollEntry.objects.select_related("person"))
    order = list(range(N))
    random.Random(7).shuffle(order)
    turn = {}
    for t, i in enumerate(order):
        rate_on_roll(rating_round=rating_round, person=entries[i].person,
                     sheet=full_sheet(rating_round))  # fmt: skip
        turn[str(entries[i].person_id)] = t
    close_round(actor=None, rating_round=rating_round)
    seen = [turn[p] for p in _physical(RatingRollEntry, "person_id")]
    assert abs(spearman(seen)) < LIMIT


def _xmins(model: type[models.Model], round_id: int) -> set[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT xmin::text FROM {table} WHERE round_id = %s", [round_id])
        return {row[0] for row in cursor.fetchall()}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_while_open_every_counter_of_a_group_carries_the_last_sheets_transaction(school) -> None:
    """T7 for counters: the rows a sheet raised are not told apart by their transaction id
    from the rows it did not; neither are one rater's comments from the group's others."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    rating_round, made = make_round(school, groups=(GroupDraft("服务对象", 5),))
    subjects = [s for s, _n in form_of(rating_round).subjects]
    for i, code in enumerate(made["服务对象"][:4]):
        submit_rating(round_id=rating_round.pk, code=code, sheet=full_sheet(rating_round, i, 1),
                      comments={subjects[0]: f"甲{i}", subjects[1]: f"乙{i}"})  # fmt: skip
        assert len(_xmins(RatingCounter, rating_round.pk)) == 1
        assert len(_xmins(RatingComment, rating_round.pk)) == 1
        assert _xmins(RatingComment, rating_round.pk) == _xmins(RatingCounter, rating_round.pk)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_after_close_one_transaction_id_and_no_old_row_versions_remain(school) -> None:
    """After close every row of the round, in every table of the store, carries the close's
    transaction id, and after the vacuum no earlier row version is left in the heap."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin is PostgreSQL's")
    rating_round, made = make_round(
        school,
        groups=(GroupDraft("服务对象", 5), GroupDraft("中层干部", 5, GroupMode.ROLL)),
        roll=4,
    )
    for i, code in enumerate(made["服务对象"][:5]):
        submit_rating(round_id=rating_round.pk, code=code, sheet=full_sheet(rating_round, i, 1),
                      comments={form_of(rating_round).subjects[0][0]: f"意见{i}"})  # fmt: skip
    for entry in RatingRollEntry.objects.select_related("person")[:3]:
        rate_on_roll(rating_round=rating_round, person=entry.person, sheet=full_sheet(rating_round))
    tables = (RatingCounter, RaterCount, RatingComment, RatingCredential, RatingRollEntry)
    assert len(set().union(*(_xmins(m, rating_round.pk) for m in tables))) > 1
    close_round(actor=None, rating_round=rating_round)
    after = set().union(*(_xmins(m, rating_round.pk) for m in tables))
    assert len(after) == 1
    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        except Exception:
            pytest.skip("pageinspect is not available")
        for model in tables:
            table = model._meta.db_table
            cursor.execute(
                "SELECT count(*) FROM generate_series(0, pg_relation_size(%s) / "
                "current_setting('block_size')::int - 1) AS block, "
                "LATERAL heap_page_items(get_raw_page(%s, block::int)) AS item "
                "WHERE item.lp_flags = 1 AND item.t_xmin::text <> %s",
                [table, table, next(iter(after))],
            )
            assert cursor.fetchone()[0] == 0, table


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_forty_codes_ten_simultaneous_attempts_each_count_forty_sheets(school) -> None:
    """T1 on PostgreSQL: every code is tried 10 times at once; exactly one attempt counts."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level races need PostgreSQL; the SQLite storm runs on a file below")
    rating_round, made = make_round(school, groups=(GroupDraft("服务对象", 5),), codes=40)
    outcomes = storm(rating_round.pk, made["服务对象"], dict(full_sheet(rating_round)))
    assert outcomes == {"ok": 40, "refused": 360}
    assert RaterCount.objects.get(round=rating_round).count == 40
    assert RatingCredential.objects.filter(round=rating_round, used=True).count() == 40
    best = form_of(rating_round).grades[0][0]
    assert set(
        RatingCounter.objects.filter(round=rating_round, grade_id=best).values_list(
            "count", flat=True
        )
    ) == {40}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_close_in_the_middle_of_a_storm_leaves_every_sheet_counted_or_refused(school) -> None:
    """Sheets in flight when the round closes either finish before it or are refused after
    it; none half-counts and none lands after the close."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level races need PostgreSQL")
    rating_round, made = make_round(school, groups=(GroupDraft("服务对象", 5),), codes=40)
    outcomes = storm(
        rating_round.pk, made["服务对象"], dict(full_sheet(rating_round)), attempts=4,
        halfway=lambda: close_round(actor=None, rating_round=rating_round),
        comments={form_of(rating_round).subjects[0][0]: "意见"},
    )  # fmt: skip
    counted = outcomes["ok"]
    assert set(outcomes) <= {"ok", "refused"} and 0 < counted < 40
    rating_round.refresh_from_db()
    assert rating_round.status == "closed"
    assert RaterCount.objects.get(round=rating_round).count == counted
    assert RatingCredential.objects.filter(round=rating_round, used=True).count() == counted
    assert RatingComment.objects.filter(round=rating_round).count() == counted
    best = form_of(rating_round).grades[0][0]
    assert set(
        RatingCounter.objects.filter(round=rating_round, grade_id=best).values_list(
            "count", flat=True
        )
    ) == {counted}


def test_the_storm_on_a_sqlite_file_counts_forty_sheets(tmp_path) -> None:
    """T1 on SQLite (IMMEDIATE transactions, a real file, WAL): the same storm."""
    env = {**os.environ, "HOUBEI_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "tests.ratings.storm"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["vendor"] == "sqlite"
    assert report["outcomes"] == {"ok": 40, "refused": 360}
    assert report["raters"] == report["used"] == 40
    assert report["counted"] == [40]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_close_among_roll_raters_marks_no_one_after_it(school) -> None:
    """On a roll, taking part (the mark) and the sheet are two transactions, so a close can
    fall between them: that rater shows as having taken part with an unused credential
    left over — at most one per rater in flight, and the turnout shows it. A rater who
    waited behind the close is refused before being marked."""
    if connection.vendor != "postgresql":
        pytest.skip("row-level races need PostgreSQL")
    import threading

    from django.db import connections

    from houbei.ballots.ratings.services import RatingRefused

    rating_round, _made = make_round(
        school, groups=(GroupDraft("教师代表", 5, GroupMode.ROLL),), roll=N_ROLL
    )
    people = [e.person for e in RatingRollEntry.objects.select_related("person")]
    sheet = dict(full_sheet(rating_round))
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(5)
    started = threading.Event()
    closed_after: list[int] = []

    def rater(share) -> None:
        try:
            barrier.wait()
            for person in share:
                try:
                    rate_on_roll(rating_round=rating_round, person=person, sheet=sheet)
                    result = "ok"
                except RatingRefused:
                    result = "refused"
                except Exception as exc:
                    result = f"{type(exc).__name__}: {exc}"
                with lock:
                    outcomes.append(result)
                    if len(outcomes) >= 8:
                        started.set()
        finally:
            connections.close_all()

    def closer() -> None:
        try:
            barrier.wait()
            started.wait()
            try:
                close_round(actor=None, rating_round=rating_round)
            except Exception as exc:
                closed_after.append(f"{type(exc).__name__}: {exc}")
                raise
            with lock:
                closed_after.append(len(outcomes))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=rater, args=(people[i::4],)) for i in range(4)]
    threads.append(threading.Thread(target=closer))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counted = outcomes.count("ok")
    assert closed_after and isinstance(closed_after[0], int), (closed_after, set(outcomes))
    assert set(outcomes) <= {"ok", "refused"} and 8 <= counted < N_ROLL, closed_after
    marked = RatingRollEntry.objects.filter(issued=True).count()
    assert RatingCredential.objects.filter(round=rating_round).count() == marked
    assert RatingCredential.objects.filter(round=rating_round, used=True).count() == counted
    assert RaterCount.objects.get(round=rating_round).count == counted
    assert counted <= marked <= counted + 4  # 4 raters in flight at most
    (turnout,) = turnout_of(rating_round)
    assert (turnout.raters, turnout.took_part) == (counted, marked)
