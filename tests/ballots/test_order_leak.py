"""T6: nothing the database exposes after close keeps the order of casting — not the
keys, not the default queryset, not the physical order (PostgreSQL's ctid, SQLite's
rowid). 200 ballots are cast in a known order; each order is compared with it by
Spearman's rank correlation, which must stay below 0.21 (3σ for n = 200)."""

from __future__ import annotations

import itertools
import random

import pytest
from django.db import connection

from houbei.ballots.models import Ballot, Mode, Receipt, RollEntry
from houbei.ballots.services import (
    ListDraft,
    cast_ballot,
    close_election,
    create_election,
    open_election,
    set_roll,
    specs_of,
    vote_on_roll,
)

from ..factories import make_person
from .conftest import make_election

N = 200
LIMIT = 0.21


def spearman(order: list[int]) -> float:
    """Rank correlation between positions 0…n-1 and ``order`` (a permutation of them)."""
    n = len(order)
    d2 = sum((i - r) ** 2 for i, r in enumerate(order))
    return 1 - 6 * d2 / (n * (n * n - 1))


def physical(model: type) -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    key = "ctid" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} ORDER BY {key}")
        return [str(row[0]).replace("-", "") for row in cursor.fetchall()]


@pytest.mark.django_db(transaction=True)
def test_no_order_after_close_follows_the_order_of_casting(school, candidates) -> None:
    e, slips = make_election(school, candidates, slips=N)
    first, second = specs_of(e)
    combos = itertools.product(
        [p for k in range(3) for p in itertools.combinations([c for c, _n in first.candidates], k)],
        [
            p
            for k in range(4)
            for p in itertools.combinations([c for c, _n in second.candidates], k)
        ],
    )
    cast: list[str] = []  # a ballot's marks, as text, in the order cast
    receipts: list[str] = []
    for code, (a, b) in zip(slips, combos, strict=False):
        marks = {str(first.id): list(a), str(second.id): list(b)}
        receipts.append(cast_ballot(election_id=e.pk, code=code, marks=marks))
        cast.append(repr(sorted(marks.items())))
    assert len(set(cast)) == N
    close_election(actor=None, election=e)

    position = {marks: i for i, marks in enumerate(cast)}
    by_id = {
        str(b.pk).replace("-", ""): repr(sorted(b.marks.items())) for b in Ballot.objects.all()
    }
    orders = {
        "ballot default queryset": [position[repr(sorted(b.marks.items()))] for b in Ballot.objects.all()],
        "ballot by key": [position[by_id[str(pk).replace("-", "")]]
                          for pk in Ballot.objects.order_by("pk").values_list("pk", flat=True)],
        "ballot physical": [position[by_id[pk]] for pk in physical(Ballot)],
    }  # fmt: skip
    receipt_at = {code: i for i, code in enumerate(receipts)}
    receipt_of = {
        str(pk).replace("-", ""): code for pk, code in Receipt.objects.values_list("id", "code")
    }
    orders["receipt default queryset"] = [receipt_at[r.code] for r in Receipt.objects.all()]
    orders["receipt physical"] = [receipt_at[receipt_of[pk]] for pk in physical(Receipt)]
    for name, order in orders.items():
        assert sorted(order) == list(range(N)), name
        assert abs(spearman(order)) < LIMIT, (name, spearman(order))


def test_spearman_sees_an_order_that_is_kept() -> None:
    assert spearman(list(range(N))) == 1
    assert spearman(list(reversed(range(N)))) == -1


@pytest.mark.django_db(transaction=True)
def test_after_close_the_roll_does_not_keep_the_order_people_voted_in(school, candidates) -> None:
    """Updating a roll entry moves it (a new row version on PostgreSQL); after close its
    physical place must not tell when its person took part."""
    voters = [make_person(school) for _ in range(N)]
    e = create_election(actor=None, school=school, title="测评", mode=Mode.ROLL,
                        lists=[ListDraft("校级", 1, candidates)])  # fmt: skip
    set_roll(actor=None, election=e, people=voters)
    e = open_election(actor=None, election=e)
    order = list(range(N))
    random.Random(2026).shuffle(order)  # people vote in an order unlike the roll's
    for i in order:
        vote_on_roll(election=e, person=voters[i], marks={})
    turn = {voters[i].pk: t for t, i in enumerate(order)}
    close_election(actor=None, election=e)
    key = "ctid" if connection.vendor == "postgresql" else "rowid"
    table = connection.ops.quote_name(RollEntry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT person_id FROM {table} ORDER BY {key}")
        physical_turns = [turn[pk] for (pk,) in cursor.fetchall()]
    assert abs(spearman(physical_turns)) < LIMIT
