"""Reading annual appraisal grades (年度考核等次) for other modules.

The 考察材料 must state a candidate's "近年年度考核等次" (SPEC module 4); eligibility rules
and pool pages may want the same. These helpers answer "what were the grades of the last
N years before this day", one person at a time or many at once with one query.

"Recent years" are the ``years`` calendar years before ``as_of``'s year: an annual
appraisal is made at the end of its year or early in the next, so on any day of 2026 the
last complete ones are 2023, 2024 and 2025 (``years=3``). Every year of that window is
returned, in order, with ``grade`` None where the registry has no record, so a caller can
name the years still missing instead of silently leaving them out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from django.utils.translation import gettext as _

from .models import AnnualAppraisal, AppraisalGrade, Person


class YearGrade(NamedTuple):
    year: int
    grade: AppraisalGrade | None  # None: nothing recorded for that year


def window(as_of: dt.date, years: int = 3) -> range:
    """The appraisal years counted as recent on ``as_of``: e.g. 2023…2025 on any day of 2026."""
    if years < 1:
        raise ValueError("years must be at least 1")
    return range(as_of.year - years, as_of.year)


def recent_appraisals_for(
    people: Iterable[Person | int], as_of: dt.date, years: int = 3
) -> dict[int, list[YearGrade]]:
    """Person id → the grades of ``window(as_of, years)``, oldest first, for every person
    given (people or their ids). One query whatever the number of people."""
    ids = [p if isinstance(p, int) else p.pk for p in people]
    span = window(as_of, years)
    found: dict[tuple[int, int], str] = {
        (person_id, year): grade
        for person_id, year, grade in AnnualAppraisal.objects.filter(
            person_id__in=ids, year__gte=span.start, year__lt=span.stop
        ).values_list("person_id", "year", "grade")
    }
    return {
        person_id: [
            YearGrade(year, AppraisalGrade(found[(person_id, year)]))
            if (person_id, year) in found
            else YearGrade(year, None)
            for year in span
        ]
        for person_id in ids
    }


def recent_appraisals(person: Person | int, as_of: dt.date, years: int = 3) -> list[YearGrade]:
    """``person``'s grades for ``window(as_of, years)``, oldest first (one query)."""
    key = person if isinstance(person, int) else person.pk
    return recent_appraisals_for([key], as_of, years)[key]


def describe(grades: Sequence[YearGrade]) -> str:
    """The recorded grades as the 考察材料 words them, e.g. "2023年度合格，2024年度优秀，
    2025年度合格"; years without a record are left out (see ``missing``)."""
    return "，".join(
        _("%(year)s年度%(grade)s") % {"year": item.year, "grade": item.grade.label}
        for item in grades
        if item.grade is not None
    )


def missing(grades: Sequence[YearGrade]) -> list[int]:
    """The years of ``grades`` the registry has no record for."""
    return [item.year for item in grades if item.grade is None]
