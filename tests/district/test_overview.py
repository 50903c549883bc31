"""The district overview: aggregates per school, scoped to the viewer's district."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from houbei.accounts.models import Role
from houbei.district.stats import (
    AGE_BANDS,
    StaffSummary,
    age_band_filter,
    latest_birth_date_for_age,
    summary_aggregates,
)
from houbei.organisation.models import District
from houbei.organisation.services import create_school
from houbei.people.models import Gender, Person, PostStatus

from ..conftest import make_user
from ..factories import make_person
from ..home.conftest import populate

TODAY = dt.date(2026, 11, 25)


@given(
    today=st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)),
    birth=st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)),
    years=st.integers(0, 80),
)
def test_birth_date_bound_agrees_with_age_on(today, birth, years) -> None:
    person = Person(birth_date=birth)
    age = person.age_on(today)
    assert (birth <= latest_birth_date_for_age(today, years)) == (age is not None and age >= years)


def test_birth_date_bound_on_leap_days() -> None:
    assert latest_birth_date_for_age(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)
    assert latest_birth_date_for_age(dt.date(2024, 2, 29), 4) == dt.date(2020, 2, 29)
    # Born on 29 February 2020: one year old on 28 February 2021.
    assert latest_birth_date_for_age(dt.date(2021, 2, 28), 1) == dt.date(2020, 2, 29)


def test_age_bands_cover_every_age_once(school) -> None:
    for age in range(18, 70):
        birth = latest_birth_date_for_age(TODAY, age)
        make_person(school, birth_date=birth)
    counts = Person.objects.aggregate(**summary_aggregates(TODAY))
    summary = StaffSummary.from_row(counts)
    assert sum(summary.age_counts) == summary.in_post == 52
    # 18–27, 28–35, 36–45, 46–55, 56–69
    assert summary.age_counts == (10, 8, 10, 10, 14)
    for low, high, _label in AGE_BANDS:
        matched = Person.objects.filter(age_band_filter(TODAY, low, high))
        assert all(
            (low is None or p.age_on(TODAY) >= low) and (high is None or p.age_on(TODAY) < high)
            for p in matched
        )


def test_summary_counts_in_post_archived_and_gender(school) -> None:
    make_person(school, gender=Gender.FEMALE)
    make_person(school, gender=Gender.FEMALE)
    make_person(school, gender=Gender.MALE)
    make_person(school, gender=Gender.MALE, post_status=PostStatus.RETIRED)
    make_person(school, gender=Gender.FEMALE, archived_at="2025-01-01T00:00:00Z")
    summary = StaffSummary.from_row(
        Person.objects.for_school(school).aggregate(**summary_aggregates(TODAY))
    )
    assert (summary.staff, summary.in_post, summary.archived) == (4, 3, 1)
    assert (summary.female, summary.male) == (2, 1)
    assert summary.female_percent == 66.7


@pytest.fixture
def far_district(db):  # type: ignore[no-untyped-def]
    far = District.objects.create(name="远郊区", code="far")
    school = create_school(actor=None, district=far, name="远郊中学", code="far-1")
    make_person(school, name="远郊教师")
    return far


def test_district_viewer_sees_only_own_district(
    client, users, school, other_school, far_district
) -> None:
    populate(school, 6)
    make_person(other_school)
    client.force_login(users[Role.DISTRICT])
    response = client.get(reverse("district:overview"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "市八初级中学" in body and "第二中学" in body
    assert "远郊中学" not in body and "远郊区" not in body
    blocks = response.context["blocks"]
    assert [row.school.name for b in blocks for row in b.rows] == ["市八初级中学", "第二中学"]
    assert blocks[0].total.staff == 7


def test_sysadmin_sees_every_district(client, users, school, far_district) -> None:
    client.force_login(users[Role.SYSADMIN])
    body = client.get(reverse("district:overview")).content.decode()
    assert "示范区" in body and "远郊区" in body and "远郊中学" in body


def test_overview_shows_no_personal_data(client, users, school) -> None:
    make_person(school, name="张三丰", staff_number="S-777")
    client.force_login(users[Role.DISTRICT])
    body = client.get(reverse("district:overview")).content.decode()
    assert "张三丰" not in body and "S-777" not in body


def test_district_role_without_district_sees_nothing(client, school) -> None:
    # A district account always has a district (database constraint); a school account
    # has no district capability at all.
    user = make_user(Role.PERSONNEL, school=school, username="p2")
    client.force_login(user)
    assert client.get(reverse("district:overview")).status_code == 403


@pytest.mark.parametrize("size", [3, 30])
def test_overview_query_count_does_not_grow(
    client, users, school, other_school, size, django_assert_num_queries
) -> None:
    populate(school, size)
    populate(other_school, size)
    client.force_login(users[Role.SYSADMIN])
    # session, user, schools with their districts, the per-school aggregate
    with django_assert_num_queries(4):
        assert client.get(reverse("district:overview")).status_code == 200
