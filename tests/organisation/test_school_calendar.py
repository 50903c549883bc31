"""School years, terms and review points: the proposal, the checks, the services (with
audit entries), the term look-ups and the pages."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.core.errors import ValidationFailed
from houbei.organisation import services
from houbei.organisation.models import (
    ReviewKind,
    ReviewPoint,
    SchoolYear,
    Term,
    current_term,
    term_on,
)
from houbei.organisation.school_calendar import (
    SchoolYearDates,
    TermDates,
    check_school_year,
    propose_school_year,
)
from houbei.organisation.workdays import OverrideEntry, WorkdayCalendar, package_years

D = dt.date
PLAIN = WorkdayCalendar()


def good_dates() -> SchoolYearDates:
    return SchoolYearDates(
        D(2024, 9, 1),
        D(2025, 8, 31),
        TermDates(D(2024, 9, 1), D(2025, 1, 24), D(2024, 11, 12), D(2025, 1, 24)),
        TermDates(D(2025, 2, 17), D(2025, 6, 30), D(2025, 4, 24), D(2025, 6, 30)),
    )


# --- The proposal ---------------------------------------------------------------------------


def test_proposal_follows_the_shanghai_pattern():
    dates = propose_school_year(2024, PLAIN)
    assert (dates.start, dates.end) == (D(2024, 9, 1), D(2025, 8, 31))
    assert dates.first.start == D(2024, 9, 1)
    # Spring Festival 2025 starts on 28 January: the first term ends the Friday before.
    assert dates.first.end == D(2025, 1, 24)
    assert dates.second.start == D(2025, 2, 17)  # the Monday on or after 15 February
    assert dates.second.end == D(2025, 6, 30)
    assert check_school_year(2024, dates) == {}


def test_proposal_starts_the_second_term_after_a_late_spring_festival():
    # Spring Festival 2026: 15–23 February; the term starts on the next weekday.
    assert propose_school_year(2025, PLAIN).second.start == D(2026, 2, 24)
    # 2024: the holiday ends on Saturday 17 February; the adjusted Sunday is no school day.
    assert propose_school_year(2023, PLAIN).second.start == D(2024, 2, 19)


def test_proposed_review_points_are_working_days_inside_their_terms():
    for year in range(2015, package_years().stop + 2):
        dates = propose_school_year(year, PLAIN)
        assert check_school_year(year, dates) == {}
        for term in (dates.first, dates.second):
            assert term.start < term.midterm < term.final <= term.end
            assert PLAIN.is_workday(term.midterm).value and PLAIN.is_workday(term.final).value


def test_proposal_uses_the_spring_festival_an_administrator_entered():
    year = package_years().stop  # not in the package
    festival = {
        D(year, 2, 5) + dt.timedelta(days=i): OverrideEntry(False, "春节") for i in range(14)
    }
    dates = propose_school_year(year - 1, WorkdayCalendar(festival))
    assert dates.first.end < D(year, 2, 5)
    assert dates.second.start > D(year, 2, 18)


# --- The checks -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start": D(2023, 9, 1)}, "start", "学年开始日期应在2024年内"),
        ({"end": D(2024, 8, 1)}, "end", "学年结束日期必须晚于开始日期"),
        ({"end": D(2026, 8, 31)}, "end", "学年跨度不能超过一年"),
        (
            {"first": TermDates(D(2024, 8, 20), D(2025, 1, 24), D(2024, 11, 12), D(2025, 1, 24))},
            "first_start",
            "第一学期开学日期不在学年起止日期之内",
        ),
        (
            {"first": TermDates(D(2024, 9, 1), D(2025, 2, 20), D(2024, 11, 12), D(2025, 2, 20))},
            "second_start",
            "两个学期不能重叠",
        ),
        (
            {"second": TermDates(D(2025, 2, 17), D(2025, 6, 30), D(2025, 7, 1), D(2025, 6, 30))},
            "second_midterm",
            "第二学期期中考察日期不在本学期之内",
        ),
        (
            {"second": TermDates(D(2025, 2, 17), D(2025, 6, 30), D(2025, 5, 1), D(2025, 4, 1))},
            "second_final",
            "第二学期期末考察日期必须晚于期中考察日期",
        ),
        (
            {"second": TermDates(D(2025, 6, 30), D(2025, 2, 17), D(2025, 4, 1), D(2025, 5, 1))},
            "second_end",
            "第二学期结束日期必须晚于开学日期",
        ),
    ],
)
def test_check_school_year_names_the_broken_field(change, field, message):
    errors = check_school_year(2024, dataclasses.replace(good_dates(), **change))
    assert any(message in m for m in errors[field]), errors


# --- Services -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_create_school_year_with_proposed_dates_is_audited(school, users):
    year = services.create_school_year(actor=users[Role.PERSONNEL], school=school, start_year=2024)
    assert str(year) == "2024–2025学年"
    terms = list(year.terms.order_by("number"))
    assert [t.number for t in terms] == [1, 2]
    assert ReviewPoint.objects.filter(term__school_year=year).count() == 4
    assert services.school_year_dates(year) == propose_school_year(2024, PLAIN)
    entry = AuditEntry.objects.get(action="organisation.schoolyear.created")
    assert entry.school_id == school.pk and entry.target_id == str(year.pk)
    assert entry.new["first_end"] == "2025-01-24" and entry.new["start_year"] == 2024


@pytest.mark.django_db
def test_create_school_year_with_edited_dates(school, users):
    dates = dataclasses.replace(
        good_dates(),
        first=TermDates(D(2024, 9, 2), D(2025, 1, 17), D(2024, 11, 8), D(2025, 1, 17)),
    )
    year = services.create_school_year(
        actor=users[Role.PERSONNEL], school=school, start_year=2024, dates=dates
    )
    assert services.school_year_dates(year) == dates


@pytest.mark.django_db
def test_create_school_year_refuses_bad_dates_and_writes_nothing(school, users):
    bad = dataclasses.replace(good_dates(), end=D(2024, 8, 1))
    with pytest.raises(ValidationFailed) as refused:
        services.create_school_year(
            actor=users[Role.PERSONNEL], school=school, start_year=2024, dates=bad
        )
    assert "end" in refused.value.errors
    assert not SchoolYear.objects.exists() and not Term.objects.exists()
    assert not AuditEntry.objects.filter(action="organisation.schoolyear.created").exists()


@pytest.mark.django_db
def test_a_school_year_exists_once_per_school(school, other_school, users):
    services.create_school_year(actor=None, school=school, start_year=2024)
    services.create_school_year(actor=None, school=other_school, start_year=2024)
    with pytest.raises(ValidationFailed) as refused:
        services.create_school_year(actor=users[Role.PERSONNEL], school=school, start_year=2024)
    assert "2024学年已经存在" in refused.value.errors["start_year"][0]


@pytest.mark.django_db
def test_school_years_of_a_school_do_not_overlap(school, users):
    services.create_school_year(actor=None, school=school, start_year=2024)
    overlapping = SchoolYearDates(
        D(2025, 8, 1),
        D(2026, 7, 31),
        TermDates(D(2025, 8, 1), D(2026, 1, 23), D(2025, 11, 7), D(2026, 1, 23)),
        TermDates(D(2026, 2, 24), D(2026, 6, 30), D(2026, 4, 24), D(2026, 6, 30)),
    )
    with pytest.raises(ValidationFailed) as refused:
        services.create_school_year(
            actor=users[Role.PERSONNEL], school=school, start_year=2025, dates=overlapping
        )
    assert "与2024–2025学年" in refused.value.errors["start"][0]


@pytest.mark.django_db
def test_update_school_year_audits_the_changed_dates(school, users):
    year = services.create_school_year(actor=None, school=school, start_year=2024)
    dates = dataclasses.replace(
        services.school_year_dates(year),
        second=TermDates(D(2025, 2, 17), D(2025, 6, 27), D(2025, 4, 24), D(2025, 6, 27)),
    )
    services.update_school_year(actor=users[Role.PERSONNEL], school_year=year, dates=dates)
    assert services.school_year_dates(year) == dates
    entry = AuditEntry.objects.get(action="organisation.schoolyear.updated")
    assert entry.old == {"second_end": "2025-06-30", "second_final": "2025-06-30"}
    assert entry.new == {"second_end": "2025-06-27", "second_final": "2025-06-27"}


@pytest.mark.django_db
def test_update_term_moves_its_dates_and_review_points(school, users):
    year = services.create_school_year(actor=None, school=school, start_year=2024)
    term = year.terms.get(number=1)
    services.update_term(
        actor=users[Role.PERSONNEL],
        term=term,
        start=D(2024, 9, 2),
        end=D(2025, 1, 17),
        midterm=D(2024, 11, 8),
        final=D(2025, 1, 17),
    )
    term.refresh_from_db()
    assert (term.start, term.end) == (D(2024, 9, 2), D(2025, 1, 17))
    assert term.review_points.get(kind=ReviewKind.MIDTERM).date == D(2024, 11, 8)
    entry = AuditEntry.objects.get(action="organisation.term.updated")
    assert entry.old["start"] == "2024-09-01" and entry.new["midterm"] == "2024-11-08"
    assert entry.school_id == school.pk and entry.target_id == str(term.pk)


@pytest.mark.django_db
def test_update_term_refuses_overlap_with_the_other_term(school, users):
    year = services.create_school_year(actor=None, school=school, start_year=2024)
    term = year.terms.get(number=1)
    with pytest.raises(ValidationFailed) as refused:
        services.update_term(
            actor=users[Role.PERSONNEL],
            term=term,
            start=D(2024, 9, 1),
            end=D(2025, 2, 28),
            midterm=D(2024, 11, 8),
            final=D(2025, 2, 28),
        )
    assert "两个学期不能重叠" in refused.value.errors["end"][0]
    term.refresh_from_db()
    assert term.end == D(2025, 1, 24)
    assert not AuditEntry.objects.filter(action="organisation.term.updated").exists()


@pytest.mark.django_db
def test_update_term_refuses_review_point_outside_the_term(school, users):
    year = services.create_school_year(actor=None, school=school, start_year=2024)
    term = year.terms.get(number=2)
    with pytest.raises(ValidationFailed) as refused:
        services.update_term(
            actor=users[Role.PERSONNEL],
            term=term,
            start=term.start,
            end=term.end,
            midterm=D(2025, 1, 10),
            final=term.end,
        )
    assert "期中考察日期不在本学期之内" in refused.value.errors["midterm"][0]


# --- Look-ups -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_term_on_finds_the_term_of_a_day_for_that_school_only(school, other_school):
    year = services.create_school_year(actor=None, school=school, start_year=2024)
    services.create_school_year(actor=None, school=other_school, start_year=2024)
    first = year.terms.get(number=1)
    assert term_on(school, D(2024, 10, 15)) == first
    assert term_on(school, D(2025, 3, 3)) == year.terms.get(number=2)
    assert term_on(school, D(2025, 2, 5)) is None  # winter holiday
    assert Term.objects.next_after(school, D(2025, 2, 5)) == year.terms.get(number=2)
    assert term_on(other_school, D(2024, 10, 15)).school_year.school == other_school


@pytest.mark.django_db
def test_current_term_uses_today(school):
    from django.utils import timezone

    today = timezone.localdate()
    start_year = today.year if today.month >= 9 else today.year - 1
    year = services.create_school_year(actor=None, school=school, start_year=start_year)
    expected = next((t for t in year.terms.all() if t.start <= today <= t.end), None)
    assert current_term(school) == expected


# --- Pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_calendar_page_in_constant_queries(client, school, users, django_assert_num_queries):
    client.force_login(users[Role.MENTOR])
    services.create_school_year(actor=None, school=school, start_year=2024)
    with django_assert_num_queries(8):
        response = client.get(reverse("organisation:calendar"))
    assert "2024–2025学年" in response.content.decode()
    assert "新建学年" not in response.content.decode()
    for start_year in (2021, 2022, 2023):
        services.create_school_year(actor=None, school=school, start_year=start_year)
    with django_assert_num_queries(8):
        response = client.get(reverse("organisation:calendar"))
    rows = response.context["years"]
    assert [y.start_year for y, _terms in rows] == [2024, 2023, 2022, 2021]
    assert rows[0][1][0].workdays == PLAIN.working_days_in(D(2024, 9, 1), D(2025, 1, 24)).value


@pytest.mark.django_db
def test_calendar_page_warns_about_uncovered_years(client, school, users):
    uncovered = package_years().stop
    services.create_school_year(actor=None, school=school, start_year=uncovered - 1)
    client.force_login(users[Role.PERSONNEL])
    text = client.get(reverse("organisation:calendar")).content.decode()
    assert f"{uncovered}年节假日安排尚未录入，按周末计算" in text


@pytest.mark.django_db
def test_create_school_year_page_proposes_and_saves(client, school, users):
    client.force_login(users[Role.PERSONNEL])
    url = reverse("organisation:schoolyear_create")
    page = client.get(url, {"start_year": 2024})
    form = page.context["form"]
    assert form.initial["first_end"] == D(2025, 1, 24)
    data = {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in form.initial.items()}
    data["second_midterm"] = "2025-04-18"
    assert client.post(url, data).status_code == 302
    year = SchoolYear.objects.get(school=school, start_year=2024)
    assert services.school_year_dates(year).second.midterm == D(2025, 4, 18)


@pytest.mark.django_db
def test_create_school_year_page_shows_errors_by_field(client, school, users):
    client.force_login(users[Role.PERSONNEL])
    data = {k: v.isoformat() for k, v in good_dates().as_fields().items()}
    data |= {"start_year": 2024, "first_midterm": "2025-03-01"}
    response = client.post(reverse("organisation:schoolyear_create"), data)
    assert response.status_code == 200
    assert "期中考察日期不在本学期之内" in response.context["form"].errors["first_midterm"][0]
    assert not SchoolYear.objects.exists()


@pytest.mark.django_db
def test_edit_pages_change_dates(client, school, users):
    year = services.create_school_year(actor=None, school=school, start_year=2024)
    client.force_login(users[Role.PERSONNEL])
    data = {k: v.isoformat() for k, v in services.school_year_dates(year).as_fields().items()}
    data["end"] = "2025-08-30"
    data["start_year"] = "1999"  # ignored: the start year of a school year does not change
    assert (
        client.post(reverse("organisation:schoolyear_edit", args=[year.pk]), data).status_code
        == 302
    )
    year.refresh_from_db()
    assert year.end == D(2025, 8, 30) and year.start_year == 2024

    term = year.terms.get(number=2)
    response = client.post(
        reverse("organisation:term_edit", args=[term.pk]),
        {
            "start": "2025-02-18",
            "end": "2025-06-30",
            "midterm": "2025-04-25",
            "final": "2025-06-30",
        },
    )
    assert response.status_code == 302
    term.refresh_from_db()
    assert term.start == D(2025, 2, 18)


@pytest.mark.django_db
def test_another_schools_year_and_term_are_not_found(client, other_school, users):
    year = services.create_school_year(actor=None, school=other_school, start_year=2024)
    client.force_login(users[Role.PERSONNEL])
    assert client.get(reverse("organisation:schoolyear_edit", args=[year.pk])).status_code == 404
    term = year.terms.first()
    response = client.post(
        reverse("organisation:term_edit", args=[term.pk]),
        {
            "start": "2024-09-02",
            "end": "2025-01-24",
            "midterm": "2024-11-12",
            "final": "2025-01-24",
        },
    )
    assert response.status_code == 404
    term.refresh_from_db()
    assert term.start == D(2024, 9, 1)


@pytest.mark.django_db
def test_proposal_for_a_spring_without_holiday_data_says_so(client, school, users):
    uncovered = package_years().stop
    client.force_login(users[Role.PERSONNEL])
    url = reverse("organisation:schoolyear_create")
    text = client.get(url, {"start_year": uncovered - 1}).content.decode()
    assert f"{uncovered}年节假日安排尚未录入" in text and "未考虑该年的春节假期" in text
    assert "未考虑该年的春节假期" not in client.get(url, {"start_year": 2024}).content.decode()
