"""Small factories for tests. Keep them plain: keyword arguments with believable defaults."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from houbei.organisation.models import Post, School
from houbei.people.models import Gender, Honour, HonourLevel, Person, PostHistory

_numbers = itertools.count(1)


def make_person(school: School, **fields: Any) -> Person:
    n = next(_numbers)
    defaults: dict[str, Any] = {
        "staff_number": f"T{n:05d}",
        "name": f"测试{n}",
        "gender": Gender.FEMALE if n % 2 else Gender.MALE,
        "birth_date": dt.date(1985, 3, 1),
        "joined_school_on": dt.date(2010, 9, 1),
        "started_work_on": dt.date(2008, 8, 1),
    }
    return Person.objects.create(school=school, **(defaults | fields))


def post_of(school: School, code: str) -> Post:
    return Post.objects.get(school=school, code=code)


def add_history(
    person: Person, code: str, start: dt.date, end: dt.date | None = None
) -> PostHistory:
    return PostHistory.objects.create(
        person=person, post=post_of(person.school, code), start=start, end=end
    )


def add_honour(
    person: Person, title: str = "优秀班主任", level: int = HonourLevel.SCHOOL, year: int = 2019
) -> Honour:
    return Honour.objects.create(person=person, title=title, level=level, year=year)
