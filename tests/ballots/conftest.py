from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from houbei.ballots.models import Election
from houbei.ballots.services import ListDraft, create_election, issue_slips, open_election
from houbei.organisation.models import School

from ..factories import make_person


@pytest.fixture
def candidates(school: School) -> list:
    return [make_person(school, name=f"候选{i}") for i in range(6)]


def make_election(school: School, candidates: list, *, slips: int = 10, open_: bool = True):
    election = create_election(
        actor=None,
        school=school,
        title="区、校后备干部民主推荐",
        electorate=slips,
        lists=[
            ListDraft("区级后备干部", 2, candidates[:4]),
            ListDraft("校级后备干部", 3, candidates),
        ],
    )
    codes = issue_slips(actor=None, election=election, count=slips) if slips else []
    if open_:
        election = open_election(actor=None, election=election)
    return election, codes


@pytest.fixture
def election(school: School, candidates: list) -> tuple[Election, list[str]]:
    return make_election(school, candidates)


@contextmanager
def receipt_insert_fails() -> Iterator[None]:
    """A failure at the cast's last write, inside the database: a trigger refuses every
    receipt insert, after the code was consumed and the ballot inserted by the same
    transaction (on PostgreSQL, the same statement)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION test_refuse_receipt() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'simulated failure while storing the receipt'; END $$"
            )
            cursor.execute(
                "CREATE TRIGGER test_refuse_receipt BEFORE INSERT ON ballots_receipt "
                "FOR EACH ROW EXECUTE FUNCTION test_refuse_receipt()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER test_refuse_receipt BEFORE INSERT ON ballots_receipt BEGIN "
                "SELECT RAISE(ABORT, 'simulated failure while storing the receipt'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("DROP TRIGGER test_refuse_receipt ON ballots_receipt")
                cursor.execute("DROP FUNCTION test_refuse_receipt()")
            else:
                cursor.execute("DROP TRIGGER test_refuse_receipt")
