"""The demo's staff plan, checked without a database: the 附1 people are eligible on the
recommendation date, the rest of the staff is believable, and the plan never changes."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from houbei.demo import plan
from houbei.people import durations

REF = plan.RECOMMENDATION_DATE
LEVEL = {
    plan.CLASS: 1,
    plan.GRADE: 2,
    plan.SUBJECT: 2,
    plan.ACADEMIC: 3,
    plan.TEACHING: 3,
    plan.MORAL: 3,
    plan.GENERAL: 3,
    plan.PERSONNEL: 3,
    plan.UNION: 3,
    plan.LEADER: 4,
}
STAFF = plan.main_school_staff()
BY_NAME = {p.name: p for p in STAFF}


def years(intervals: list[tuple[dt.date, dt.date | None]], as_of: dt.date) -> tuple[int, int]:
    return durations.merged_years_months(intervals, as_of)


def at_level(person: plan.PersonSpec, level: int) -> list[tuple[dt.date, dt.date | None]]:
    return [(s.start, s.end) for s in person.spells if LEVEL[s.post] == level]


def test_plan_is_deterministic() -> None:
    again = plan.main_school_staff()
    assert [(p.staff_number, p.name, p.birth_date, p.spells, p.honours) for p in again] == [
        (p.staff_number, p.name, p.birth_date, p.spells, p.honours) for p in STAFF
    ]


def test_about_120_staff_with_unique_names_and_numbers() -> None:
    current = [p for p in STAFF if not p.archive_reason]
    assert len(current) == 120
    assert len({p.name for p in STAFF}) == len(STAFF)
    assert len({p.staff_number for p in STAFF}) == len(STAFF)
    second = plan.second_school_staff(taken={p.name for p in STAFF})
    assert len(second) == 20
    assert not {p.name for p in second} & set(BY_NAME)


@pytest.mark.parametrize("name", plan.APPENDIX_1)
def test_appendix_1_person_is_eligible_on_the_recommendation_date(name: str) -> None:
    person = BY_NAME[name]
    age = durations.full_years_between(person.birth_date, REF)
    assert 28 <= age <= 45, f"{name} is {age}"
    assert person.establishment == "in" and person.post_status == "on" and person.left_on is None
    assert durations.full_years_between(person.joined_school_on, REF) >= 5
    # 班主任 or any team/office head post (every post of the plan counts), merged.
    heads = [(s.start, s.end) for s in person.spells]
    assert years(heads, REF) >= (3, 0), f"{name}: {years(heads, REF)}"
    # One year one level below the target: 区级 reserves aim at (副)校级, 校级 at 中层.
    below = 3 if name in plan.DISTRICT_LIST else 2
    assert years(at_level(person, below), REF) >= (1, 0), f"{name}: level {below}"
    assert person.fit_for_duty is True


def test_district_reserves_have_office_level_experience() -> None:
    for name in plan.DISTRICT_LIST:
        assert at_level(BY_NAME[name], 3), name


def test_appendix_1_lists_match_the_plan() -> None:
    assert plan.DISTRICT_LIST == ("陈晔", "黄蔚敏", "卢懿蕾", "浦吉丽", "张兰兰")
    assert len(plan.SCHOOL_LIST) == 11 and len(plan.APPENDIX_1) == 13
    assert set(plan.DISTRICT_LIST) & set(plan.SCHOOL_LIST) == {"卢懿蕾", "浦吉丽", "张兰兰"}


def why_not_eligible(person: plan.PersonSpec) -> str | None:
    if person.joined_school_on > REF or (person.left_on and person.left_on <= REF):
        return "not there"
    age = durations.full_years_between(person.birth_date, REF)
    if not 28 <= age <= 45:
        return "age"
    if durations.full_years_between(person.joined_school_on, REF) < 5:
        return "too new"
    if years([(s.start, s.end) for s in person.spells], REF) < (3, 0):
        return "no head experience"
    return None


def test_many_other_staff_would_not_be_eligible_and_for_varied_reasons() -> None:
    reasons = Counter(why_not_eligible(p) for p in STAFF if p.name not in plan.APPENDIX_1)
    assert reasons["age"] >= 20
    assert reasons["too new"] >= 5
    assert reasons["no head experience"] >= 10
    assert reasons["not there"] >= 5
    assert reasons[None] >= 10  # and some would be, without being on the list


def test_rows_are_valid_for_the_registry() -> None:
    for person in STAFF:
        assert dt.date(2026, 11, 1) - dt.timedelta(days=365 * 62) < person.birth_date
        assert person.started_work_on <= person.joined_school_on
        spells = sorted(person.spells, key=lambda s: s.start)
        for spell in spells:
            assert spell.end is None or spell.end >= spell.start
            assert spell.start >= person.joined_school_on
            assert (spell.end or plan.AS_OF) <= person.active_until()
        for a in spells:
            for b in spells:
                if a is not b and a.post == b.post:
                    assert (a.end or dt.date.max) < b.start or (b.end or dt.date.max) < a.start


def test_the_school_is_staffed_like_a_24_class_junior_middle_school() -> None:
    held = Counter(
        s.post
        for p in STAFF
        for s in p.spells
        if s.start <= plan.AS_OF and (s.end is None or s.end >= plan.AS_OF)
    )
    assert held[plan.CLASS] == 24
    assert held[plan.GRADE] == 4
    assert held[plan.SUBJECT] == len(plan.GROUPS)
    assert held[plan.LEADER] == 4
    assert all(held[code] >= 1 for code in LEVEL)
    statuses = Counter(p.post_status for p in STAFF)
    assert statuses["off"] == 3 and statuses["retired"] == 3 and statuses["transferred"] == 2
    establishment = Counter(p.establishment for p in STAFF)
    assert 3 <= establishment["out"] <= 10
    titles = Counter(p.title for p in STAFF)
    assert {"二级教师", "一级教师", "高级教师", "正高级教师"} <= set(titles)
    ages = [durations.full_years_between(p.birth_date, dt.date(2026, 9, 1)) for p in STAFF]
    assert min(ages) >= 24 and max(ages) <= 61
    women = sum(p.gender == "F" for p in STAFF) / len(STAFF)
    assert 0.55 <= women <= 0.75
    party = sum(p.political_status == "party" for p in STAFF) / len(STAFF)
    assert 0.3 <= party <= 0.5
