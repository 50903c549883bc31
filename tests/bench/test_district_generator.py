"""The benchmark district generator and the page bench's measuring loop."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import Count, F

from bench._district import SCHOOL_ROLES, build_district
from bench._report import percentile
from bench.pages import Page, measure, pages_for
from houbei.accounts.models import Role, User
from houbei.audit.services import verify_chain
from houbei.organisation.models import School
from houbei.people.models import Person, PostHistory
from tests.home.test_home import QUERIES as HOME_QUERIES


@pytest.fixture
def built(db):  # type: ignore[no-untyped-def]
    return build_district(schools=3, staff=12, name="测试基准区", code="t")


def test_generator_builds_schools_staff_history_and_users(built) -> None:
    assert School.objects.filter(district=built.district).count() == 3
    assert Person.objects.count() == built.people == 36
    per_person = Counter(
        PostHistory.objects.values_list("person_id", flat=True).order_by()
    ).values()
    assert min(per_person) >= 5 and max(per_person) <= 8
    assert PostHistory.objects.count() == built.history_rows
    roles = dict(User.objects.values_list("role").annotate(n=Count("pk")).order_by())
    assert roles == {r.value: 3 for r in SCHOOL_ROLES} | {"district": 1, "sysadmin": 1}
    # Every school role's account is a user of its own school; the people linked to
    # accounts belong to that school too.
    for school in built.schools:
        assert {u.school_id for u in built.users[school.pk].values()} == {school.pk}
    assert not Person.objects.exclude(user=None).exclude(user__school=F("school")).exists()


def test_generator_rows_are_valid_and_schools_audited(built) -> None:
    assert not PostHistory.objects.filter(end__lt=F("start")).exists()
    assert not PostHistory.objects.exclude(post__school=F("person__school")).exists()
    assert verify_chain() is None


def test_generator_is_deterministic(db) -> None:
    first = build_district(schools=1, staff=10, name="甲区", code="a", seed=7)
    second = build_district(schools=1, staff=10, name="乙区", code="b", seed=7)

    def snapshot(school: School) -> list[tuple]:
        return list(
            Person.objects.filter(school=school)
            .order_by("staff_number")
            .values_list("staff_number", "name", "gender", "birth_date", "joined_school_on")
        )

    assert snapshot(first.schools[0]) == snapshot(second.schools[0])


def test_measure_reports_percentiles_and_query_count(built) -> None:
    page = Page("home.personnel", built.users[built.schools[0].pk][Role.PERSONNEL], lambda: "/")
    result = measure(page, requests=5, warmup=1)
    assert result is not None
    assert 0 < result["p50"] <= result["p95"]
    assert result["queries"] == HOME_QUERIES[Role.PERSONNEL]  # the page's count in tests/home


def test_pages_cover_every_role_home(built) -> None:
    names = [p.name for p in pages_for(built)]
    assert {f"home.{r.value}" for r in Role} <= set(names)
    assert "district_overview.district" in names


def test_percentile_is_nearest_rank() -> None:
    samples = list(range(1, 101))
    assert percentile(samples, 50) == 50
    assert percentile(samples, 95) == 95
    assert percentile([3.0], 95) == 3.0
