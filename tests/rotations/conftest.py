"""A school ready for a round of two-way selection: the 2026 and 2027 school years in the
calendar, reserve cadres in the pool (entries made as the selection cycle leaves them),
mentors on the posts, and helpers that drive a round through the real services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.eligibility.services import create_rule_set
from houbei.organisation.models import Post, School, Term, TermNumber
from houbei.organisation.services import create_school_year
from houbei.people.models import Person
from houbei.rotations.intentions import ChoiceDraft, submit_intention
from houbei.rotations.models import Round
from houbei.rotations.rounds import create_round
from houbei.selection.models import (
    Cycle,
    CycleList,
    InspectionTarget,
    Level,
    PoolEntry,
    Readiness,
    TargetSelection,
)

from ..conftest import make_user
from ..factories import add_history, make_person, post_of

DECIDED = dt.date(2025, 3, 31)


def term_of(school: School, start_year: int, number: int) -> Term:
    return Term.objects.get(
        school_year__school=school, school_year__start_year=start_year, number=number
    )


def last_entry(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).order_by("-seq").first()  # type: ignore[return-value]


def enrol(person: Person, *, level: str = Level.SCHOOL, decided_on: dt.date = DECIDED) -> PoolEntry:
    """Put ``person`` in the reserve pool for two years from ``decided_on``, with the rows
    a completed selection cycle leaves behind."""
    title = f"{decided_on.year}年后备干部选拔"
    cycle = Cycle.objects.filter(school=person.school, title=title).first()
    if cycle is None:
        rule_set = create_rule_set(
            actor=None, school=person.school, name=f"{decided_on.year}年选拔条件"
        )
        cycle = Cycle.objects.create(
            school=person.school, title=title, year=decided_on.year,
            reference_date=decided_on, rule_set=rule_set,
        )  # fmt: skip
    cycle_list, _created = CycleList.objects.get_or_create(
        cycle=cycle, level=level, defaults={"name": str(level), "quota": 5}
    )
    selection = TargetSelection.objects.create(cycle=cycle, decided_on=decided_on)
    target = InspectionTarget.objects.create(
        cycle=cycle, cycle_list=cycle_list, person=person, selection=selection
    )
    return PoolEntry.objects.create(
        school=person.school, cycle=cycle, target=target, person=person, level=level,
        readiness=Readiness.LONG, decided_on=decided_on,
        valid_until=dt.date(decided_on.year + 2, decided_on.month, decided_on.day),
    )  # fmt: skip


def cadre(school: School, name: str, **fields) -> Person:
    """A reserve cadre: 班主任 2012–2016, 年级组长 since 2016 (so eligible up to 中层)."""
    person = make_person(school, name=name, **fields)
    add_history(person, "class-teacher", dt.date(2012, 9, 1), dt.date(2016, 7, 31))
    add_history(person, "grade-leader", dt.date(2016, 9, 1))
    enrol(person)
    return person


@pytest.fixture
def years(school: School) -> tuple[Term, Term, Term]:
    """2026学年 (both terms) and 2027学年; returns 2026 第一学期, 2026 第二学期, 2027 第一学期."""
    create_school_year(actor=None, school=school, start_year=2026)
    create_school_year(actor=None, school=school, start_year=2027)
    return (
        term_of(school, 2026, TermNumber.FIRST),
        term_of(school, 2026, TermNumber.SECOND),
        term_of(school, 2027, TermNumber.FIRST),
    )


@pytest.fixture
def admin(school: School):
    """The personnel administrator (人事室) who runs the rounds."""
    return make_user(Role.PERSONNEL, school=school)


@pytest.fixture
def posts(school: School) -> dict[str, Post]:
    return {p.code: p for p in Post.objects.filter(school=school)}


@pytest.fixture
def mentors(school: School, posts: dict[str, Post]) -> dict[str, Person]:
    """The heads of 教导处 and 德育处 and a senior 班主任, as the posts' default mentors."""
    people = {
        "academic": make_person(school, name="教导主任"),
        "moral": make_person(school, name="德育主任"),
        "class": make_person(school, name="资深班主任"),
    }
    add_history(people["academic"], "academic-office", dt.date(2015, 9, 1))
    add_history(people["moral"], "moral-office", dt.date(2015, 9, 1))
    add_history(people["class"], "class-teacher", dt.date(2005, 9, 1))
    posts["academic-office"].default_mentors.add(people["academic"])
    posts["moral-office"].default_mentors.add(people["moral"])
    posts["class-teacher"].default_mentors.add(people["class"])
    return people


@pytest.fixture
def cadres(school: School) -> list[Person]:
    return [cadre(school, n) for n in ["陈晔", "黄蔚敏", "卢懿蕾"]]


@pytest.fixture
def round_(school, admin, years, mentors) -> Round:
    return create_round(
        actor=admin, school=school, title="2026学年第一学期双向选择", start_term=years[0]
    )


def fill(
    admin, round_: Round, person: Person, codes: Sequence[str], *, length: str = "term",
    mentor: Person | None = None,
):  # fmt: skip
    """``person`` lists the posts with these codes, first choice first."""
    return submit_intention(
        actor=admin,
        round_=round_,
        person=person,
        choices=[
            ChoiceDraft(post_of(round_.school, code), rank, length, mentor if rank == 1 else None)
            for rank, code in enumerate(codes, start=1)
        ],
    )
