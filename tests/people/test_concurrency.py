"""Two people saving at once: the person-row lock and the unique constraints keep the
registry consistent, and the loser gets a message, not a server error. PostgreSQL only:
SQLite lets one writer in at a time anyway."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from houbei.accounts.models import Role
from houbei.core.errors import ValidationFailed
from houbei.people import services
from houbei.people.models import AnnualAppraisal, Person, PostHistory

from ..factories import make_person, post_of
from .helpers import person_values

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def _race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = calls[i]()
        except BaseException as exc:  # reported to the test below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture(autouse=True)
def _postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only exercised on PostgreSQL")


def test_overlapping_history_rows_saved_at_once_keep_one(school, users) -> None:
    actor = users[Role.PERSONNEL]
    post = post_of(school, "class-teacher")
    for round_ in range(5):
        person = make_person(school)

        def add(start: dt.date, person: Person = person) -> Any:
            return services.add_post_history(actor=actor, person=person, post=post, start=start)

        results = _race(
            lambda: add(dt.date(2015 + round_, 9, 1)),
            lambda: add(dt.date(2016 + round_, 1, 1)),
        )
        kinds = sorted(type(r).__name__ for r in results)
        assert kinds == ["PostHistory", "ValidationFailed"], results
        assert PostHistory.objects.filter(person=person).count() == 1


def test_same_staff_number_saved_at_once_gives_one_person_and_one_message(school, users) -> None:
    actor = users[Role.PERSONNEL]
    for n in range(5):
        number = f"R{n}"

        def create(name: str, number: str = number) -> Any:
            return services.create_person(
                actor=actor, school=school, values=person_values(staff_number=number, name=name)
            )

        results = _race(lambda: create("甲"), lambda: create("乙"))
        failures = [r for r in results if isinstance(r, BaseException)]
        assert len(failures) == 1 and isinstance(failures[0], ValidationFailed), results
        assert "staff_number" in failures[0].errors
        assert Person.objects.filter(school=school, staff_number=number).count() == 1


def test_two_grades_for_one_year_saved_at_once_keep_one_and_name_it(school, users) -> None:
    actor = users[Role.PERSONNEL]
    for round_ in range(5):
        person = make_person(school)
        year = 2020 + round_

        def add(grade: str, person: Person = person, year: int = year) -> Any:
            return services.add_annual_appraisal(actor=actor, person=person, year=year, grade=grade)

        results = _race(lambda: add("qualified"), lambda: add("excellent"))
        kinds = sorted(type(r).__name__ for r in results)
        assert kinds == ["AnnualAppraisal", "ValidationFailed"], results
        (failure,) = [r for r in results if isinstance(r, ValidationFailed)]
        assert f"{year}年度的考核等次" in failure.errors["year"][0]
        assert AnnualAppraisal.objects.filter(person=person).count() == 1
