"""Fixtures for the home pages: a school with a believable spread of staff."""

from __future__ import annotations

import datetime as dt

import pytest

from houbei.organisation.models import School
from houbei.people.models import Establishment, Gender, Person, PoliticalStatus, PostStatus

from ..factories import add_history, add_honour, make_person

TODAY = dt.date(2026, 11, 25)


def populate(school: School, n: int) -> list[Person]:
    """``n`` people with varied ages, genders, statuses and current posts."""
    people = []
    for i in range(n):
        person = make_person(
            school,
            gender=Gender.FEMALE if i % 3 else Gender.MALE,
            birth_date=dt.date(1966 + (i * 7) % 36, 1 + i % 12, 1 + i % 28),
            establishment=Establishment.OUT if i % 10 == 9 else Establishment.IN,
            post_status=PostStatus.RETIRED if i % 15 == 14 else PostStatus.ON_DUTY,
            political_status=PoliticalStatus.PARTY if i % 2 else PoliticalStatus.MASSES,
        )
        add_history(
            person, "class-teacher", dt.date(2015, 9, 1), None if i % 2 else dt.date(2019, 1, 31)
        )
        if i % 4 == 0:
            add_history(person, "grade-leader", dt.date(2020, 9, 1))
        if i % 5 == 0:
            add_honour(person, year=2020)
        people.append(person)
    return people


@pytest.fixture
def staff_of(db):  # type: ignore[no-untyped-def]
    return populate
