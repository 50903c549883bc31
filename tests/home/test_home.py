"""Home pages: one per role, counts from real data, constant query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from houbei.accounts.models import Role
from houbei.audit.models import AuditHead
from houbei.audit.services import record
from houbei.organisation.models import DayKind, SchoolYear, WorkdayOverride, WorkdayYear
from houbei.organisation.workdays import load_calendar
from houbei.people.models import Establishment, PostStatus
from houbei.views import calendar_warnings

from ..factories import add_history, add_honour, make_person
from .conftest import populate


def home(client, user):  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response


def test_personnel_home_counts_staff_by_status_and_establishment(client, users, school) -> None:
    for _i in range(5):
        make_person(school)
    make_person(school, establishment=Establishment.OUT)
    make_person(school, post_status=PostStatus.RETIRED)
    make_person(school, archived_at=timezone.now())
    response = home(client, users[Role.PERSONNEL])
    summary = response.context["summary"]
    assert (summary.in_post, summary.staff, summary.archived) == (6, 7, 1)
    assert (summary.in_establishment, summary.out_establishment) == (6, 1)
    assert response.context["posts"] == {"active": 10, "rotation": 10}
    body = response.content.decode()
    assert "在岗教职工" in body and "已归档" in body


def test_personnel_home_shows_last_import_and_recent_audit(client, users, school) -> None:
    with transaction.atomic():
        record(
            actor=users[Role.PERSONNEL],
            action="people.roster.imported",
            target=school,
            new={"file": "名册.xlsx", "created": 118, "updated": 2, "unchanged": 0},
        )
    response = home(client, users[Role.PERSONNEL])
    assert response.context["last_import"].new["created"] == 118
    body = response.content.decode()
    assert "新增 118 人" in body
    assert "导入名册" in body and "创建学校" in body  # action codes shown by their labels
    # The school's creation and its seeded posts are the other recent entries.
    actions = [e.action for e in response.context["recent_entries"]]
    assert actions[0] == "people.roster.imported"
    assert "organisation.school.created" in actions


def test_personnel_home_sees_only_own_school_audit(client, users, school, other_school) -> None:
    response = home(client, users[Role.PERSONNEL])
    assert all(e.school_id == school.pk for e in response.context["recent_entries"])


def test_calendar_warnings_name_missing_school_year_and_holiday_data(db) -> None:
    today = dt.date(2026, 11, 25)
    warnings = calendar_warnings(today, load_calendar(), has_current_school_year=False)
    assert any("学年" in w for w in warnings)
    # chinesecalendar 1.11 covers 2026 but not 2027.
    assert any("2027年节假日安排尚未录入" in w for w in warnings)
    assert not any("2026年" in w for w in warnings)


def test_calendar_warning_goes_once_the_year_is_confirmed(db) -> None:
    WorkdayOverride.objects.create(date=dt.date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦")
    today = dt.date(2026, 11, 25)
    # An override alone does not make the year known: its other holidays may be missing.
    assert calendar_warnings(today, load_calendar(), has_current_school_year=True)
    WorkdayYear.objects.create(year=2027)
    assert calendar_warnings(today, load_calendar(), has_current_school_year=True) == []


def test_personnel_home_has_no_school_year_warning_when_year_exists(client, users, school) -> None:
    today = timezone.localdate()
    SchoolYear.objects.create(
        school=school,
        start_year=today.year,
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=300),
    )
    response = home(client, users[Role.PERSONNEL])
    assert not any("学年" in w for w in response.context["warnings"])


def test_decision_home_shows_structure_and_post_holders(client, users, school) -> None:
    head = make_person(school, name="年级组长甲")
    add_history(head, "grade-leader", dt.date(2020, 9, 1))
    former = make_person(school, name="前任组长")
    add_history(former, "grade-leader", dt.date(2016, 9, 1), dt.date(2020, 8, 31))
    left = make_person(school, name="已归档组长", archived_at=timezone.now())
    add_history(left, "grade-leader", dt.date(2021, 9, 1))
    response = home(client, users[Role.DECISION])
    posts = {p.code: p for p in response.context["posts"]}
    assert [h.person.name for h in posts["grade-leader"].holders] == ["年级组长甲"]
    assert posts["school-leader"].holders == []
    assert response.context["summary"].in_post == 2
    body = response.content.decode()
    assert "年龄结构" in body and "政治面貌" in body and "年级组长甲" in body


@pytest.mark.parametrize("role", [Role.MENTOR, Role.STAFF])
def test_own_home_shows_linked_record_and_says_nothing_is_open(client, users, school, role) -> None:
    person = make_person(school, name="李老师", subject="数学", user=users[role])
    add_history(person, "class-teacher", dt.date(2024, 9, 1))
    add_honour(person, title="优秀班主任", year=2025)
    response = home(client, users[role])
    body = response.content.decode()
    assert response.context["person"] == person
    assert "李老师" in body and "数学" in body and "班主任" in body and "优秀班主任" in body
    assert "目前没有需要您办理的事项" in body


def test_own_home_without_linked_record_says_so(client, users, school) -> None:
    body = home(client, users[Role.STAFF]).content.decode()
    assert "还没有关联到本校教职工档案" in body


def test_own_home_ignores_a_record_of_another_school(client, users, other_school) -> None:
    make_person(other_school, name="外校的我", user=users[Role.STAFF])
    response = home(client, users[Role.STAFF])
    assert response.context["person"] is None


def test_district_home_counts_per_school(client, users, school, other_school) -> None:
    populate(school, 4)
    populate(other_school, 2)
    response = home(client, users[Role.DISTRICT])
    rows = {r.school.name: r.summary.in_post for b in response.context["blocks"] for r in b.rows}
    assert rows == {"市八初级中学": 4, "第二中学": 2}
    text = response.content.decode()
    assert reverse("district:overview") in text
    # The district's way to the schools' cycles, pools and rotations.
    assert reverse("selection:list") in text and reverse("district:rotations") in text


def test_sysadmin_home_counts_users_schools_locks_and_audit(
    client, users, school, other_school
) -> None:
    locked = users[Role.STAFF]
    locked.locked_until = timezone.now() + dt.timedelta(minutes=10)
    locked.save()
    response = home(client, users[Role.SYSADMIN])
    ctx = response.context
    assert ctx["users"]["total"] == 6 and ctx["users"]["locked"] == 1
    assert ctx["schools"] == {"total": 2, "active": 2}
    assert ctx["audit_length"] == AuditHead.objects.get().seq > 0
    assert [u.pk for u in ctx["locked_users"]] == [locked.pk]


# Exact query counts. Common to every page: the session and the user.
QUERIES = {
    # + school, person aggregate, posts, school years, overrides, confirmed holiday years,
    # last import, recent entries; work in progress: cycles, rounds, elections, ratings
    Role.PERSONNEL: 14,
    # + school, person aggregate, posts, current holders (prefetch); work in progress: own
    # record, cycles waiting for the decision body, open 意向表, post side, ballots, ratings
    Role.DECISION: 12,
    # + school, own record, current posts, honours; open 意向表, post side, ballots, ratings
    Role.MENTOR: 10,
    Role.STAFF: 10,
    Role.DISTRICT: 4,  # + schools, per-school aggregate
    Role.SYSADMIN: 7,  # + users aggregate, schools, audit head, locked users, districts
}


@pytest.mark.parametrize("role", list(QUERIES))
def test_home_query_count_is_the_same_for_small_and_large_schools(
    client, users, school, other_school, role, django_assert_num_queries
) -> None:
    client.force_login(users[role])
    if role in {Role.MENTOR, Role.STAFF, Role.DECISION}:
        own = make_person(school, user=users[role])
        add_history(own, "class-teacher", dt.date(2024, 9, 1))
        add_honour(own, year=2025)
    for size in (3, 40):
        people = populate(school, size)
        populate(other_school, size)
        for person in people[:5]:
            add_honour(person, year=2024)
        with django_assert_num_queries(QUERIES[role]):
            assert client.get(reverse("home")).status_code == 200
