"""The demo's annual appraisal grades: believable shares, consistent with the honours and
the careers of ``plan.py``, no poor grade for a reserve cadre, written through the audited
service."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from houbei.audit.models import AuditEntry
from houbei.demo import plan
from houbei.demo.appraisals import (
    EARLIER_YEARS,
    EXCELLENT_CAP,
    LATER_RESERVES,
    NEW_HIRE_NOTE,
    YEARS,
    add_appraisals,
    plan_appraisals,
)
from houbei.people.appraisals import recent_appraisals
from houbei.people.models import AnnualAppraisal, AppraisalGrade, Establishment
from houbei.people.services import create_person

G = AppraisalGrade
STAFF = plan.main_school_staff()
BY_KEY = {p.key: p for p in STAFF}
GRADES = plan_appraisals(STAFF)


def _year(year: int) -> dict[str, G]:
    return {key: g.grade for key, specs in GRADES.items() for g in specs if g.year == year}


def test_the_plan_is_deterministic() -> None:
    assert plan_appraisals(plan.main_school_staff()) == GRADES


def test_every_year_is_mostly_qualified_with_about_fifteen_percent_excellent() -> None:
    for year in YEARS:
        counts = Counter(_year(year).values())
        graded = sum(counts.values()) - counts[G.UNGRADED]
        assert graded > (100 if year >= 2021 else 90)  # fewer staff before the 2021 hires
        assert counts[G.QUALIFIED] / graded > 0.75, (year, counts)
        assert 0.12 <= counts[G.EXCELLENT] / graded <= EXCELLENT_CAP, (year, counts)
        assert counts[G.BASICALLY_QUALIFIED] == 1
    assert sum(Counter(_year(y).values())[G.UNQUALIFIED] for y in YEARS) == 1


def test_everyone_honoured_in_a_year_is_excellent_that_year() -> None:
    honoured = [
        (p.key, h.year) for p in STAFF for h in p.honours if h.year in YEARS and p.key in GRADES
    ]
    assert len(honoured) > 20
    for key, year in honoured:
        assert _year(year)[key] == G.EXCELLENT, (BY_KEY[key].name, year)


def test_reserve_cadres_are_never_graded_below_qualified() -> None:
    for name in plan.APPENDIX_1:
        person = next(p for p in STAFF if p.name == name)
        grades = [g.grade for g in GRADES[person.key]]
        assert [g.year for g in GRADES[person.key]] == list(YEARS)
        assert set(grades) <= {G.EXCELLENT, G.QUALIFIED}, (name, grades)
    reserve_excellent = sum(
        g.grade == G.EXCELLENT
        for name in plan.APPENDIX_1
        for g in GRADES[next(p for p in STAFF if p.name == name).key]
    )
    assert reserve_excellent >= len(plan.APPENDIX_1)  # about one year in five, or more


def test_the_later_reserves_were_never_graded_below_qualified() -> None:
    """Those the 2023 and 2025 selections add were 合格 or better in every year, so the
    three years their 考察材料 quote too."""
    for name in LATER_RESERVES:
        person = next(p for p in STAFF if p.name == name)
        assert {g.grade for g in GRADES[person.key]} <= {G.EXCELLENT, G.QUALIFIED}, name


def test_the_years_before_2021_are_there_for_the_2021_inspection() -> None:
    """A 2021 考察材料 quotes 2018—2020: every 附1 person has those three grades; the one
    不合格 of the eight years is 2023's."""
    for name in plan.APPENDIX_1:
        person = next(p for p in STAFF if p.name == name)
        assert [g.year for g in GRADES[person.key]][:3] == [2018, 2019, 2020]
    for year in EARLIER_YEARS:
        assert sum(g == G.UNQUALIFIED for g in _year(year).values()) == 0


def test_only_staff_in_establishment_at_the_school_that_year_are_appraised() -> None:
    for key, specs in GRADES.items():
        person = BY_KEY[key]
        assert person.establishment == Establishment.IN and not person.archive_reason
        for spec in specs:
            assert person.joined_school_on <= dt.date(spec.year, 12, 31)
            assert person.started_work_on.year <= spec.year
            if person.left_on and person.post_status in ("retired", "transferred"):
                assert person.left_on >= dt.date(spec.year, 12, 31)
    outside = [p for p in STAFF if p.establishment == Establishment.OUT]
    assert outside and not any(p.key in GRADES for p in outside)
    assert not any(p.key in GRADES for p in STAFF if p.archive_reason)


def test_new_graduates_are_not_graded_in_their_first_half_year() -> None:
    newcomers = [
        p
        for p in STAFF
        if p.key in GRADES
        and p.started_work_on.year in YEARS
        and p.joined_school_on.year == p.started_work_on.year
    ]
    assert len(newcomers) >= 3
    for person in newcomers:
        first = GRADES[person.key][0]
        assert (first.year, first.grade, first.note) == (
            person.joined_school_on.year,
            G.UNGRADED,
            NEW_HIRE_NOTE,
        )
        assert all(g.grade != G.UNGRADED for g in GRADES[person.key][1:])


@pytest.mark.django_db
def test_add_appraisals_writes_each_grade_through_the_audited_service(school) -> None:
    keys = [*[p.key for p in STAFF if p.name in plan.APPENDIX_1][:3], "g012"]
    subset = [BY_KEY[k] for k in keys]
    people = {
        spec.key: create_person(actor=None, school=school, values=spec.values()) for spec in subset
    }
    written = add_appraisals(subset, people)
    expected = plan_appraisals(subset)
    assert written == sum(len(v) for v in expected.values()) == AnnualAppraisal.objects.count()
    assert written == 3 * 8 + 5  # 2018…2025 each; g012 joined in August 2021: 不定等次 then
    assert AuditEntry.objects.filter(action="people.appraisal.added", actor=None).count() == written
    for key, person in people.items():
        stored = list(
            person.annual_appraisals.order_by("year").values_list("year", "grade", "note")
        )
        assert stored == [(g.year, g.grade, g.note) for g in expected[key]]
    recent = recent_appraisals(people[keys[0]], dt.date(2026, 3, 1))
    assert [g.year for g in recent] == [2023, 2024, 2025]
    assert all(g.grade in (G.EXCELLENT, G.QUALIFIED) for g in recent)
    first = people["g012"].annual_appraisals.order_by("year").first()
    assert (first.year, first.grade, first.note) == (2021, G.UNGRADED, NEW_HIRE_NOTE)
