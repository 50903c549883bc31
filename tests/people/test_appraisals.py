"""Annual appraisal grades (年度考核等次): the rules, the audited services, the read
helpers others call, and the section of a person's page edited in place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from houbei.accounts.models import Role
from houbei.core.errors import Conflict, ValidationFailed
from houbei.people import services
from houbei.people.appraisals import (
    YearGrade,
    describe,
    missing,
    recent_appraisals,
    recent_appraisals_for,
    window,
)
from houbei.people.models import AnnualAppraisal, AppraisalGrade
from houbei.people.presenters import present

from ..factories import make_person
from .helpers import entries_for, last_entry

D = dt.date
G = AppraisalGrade
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def actor(users):  # type: ignore[no-untyped-def]
    return users[Role.PERSONNEL]


def _grade(person, year: int, grade: str, note: str = "") -> AnnualAppraisal:  # type: ignore[no-untyped-def]
    return AnnualAppraisal.objects.create(person=person, year=year, grade=grade, note=note)


# --- the grades ----------------------------------------------------------------------


def test_grades_are_the_public_institution_scale_and_not_graded() -> None:
    assert [str(label) for label in G.labels] == ["优秀", "合格", "基本合格", "不合格", "不定等次"]
    # The civil servants' words belong to 民主测评 and the half-term reviews, not here.
    assert not {"称职", "基本称职", "不称职"} & {str(label) for label in G.labels}


# --- services ------------------------------------------------------------------------


def test_appraisals_are_added_updated_and_removed_with_audit(school, actor) -> None:
    person = make_person(school)
    appraisal = services.add_annual_appraisal(
        actor=actor, person=person, year=2023, grade=G.QUALIFIED, note="  "
    )
    assert (appraisal.year, appraisal.grade, appraisal.note) == (2023, "qualified", "")
    entry = last_entry()
    assert entry.action == "people.appraisal.added"
    assert entry.target_id == str(person.pk)
    assert entry.new == {"row": appraisal.pk, "year": 2023, "grade": "qualified", "note": ""}

    services.update_annual_appraisal(
        actor=actor, appraisal=appraisal, year=2023, grade=G.EXCELLENT, note="区优秀班主任"
    )
    entry = last_entry()
    assert entry.action == "people.appraisal.updated"
    assert entry.old == {"row": appraisal.pk, "grade": "qualified", "note": ""}
    assert entry.new == {"row": appraisal.pk, "grade": "excellent", "note": "区优秀班主任"}
    # Saving the same values again writes nothing.
    before = len(entries_for(person))
    services.update_annual_appraisal(
        actor=actor, appraisal=appraisal, year=2023, grade=G.EXCELLENT, note="区优秀班主任"
    )
    assert len(entries_for(person)) == before

    services.remove_annual_appraisal(actor=actor, appraisal=appraisal, reason="录错了人")
    assert not AnnualAppraisal.objects.exists()
    entry = last_entry()
    assert entry.action == "people.appraisal.removed" and entry.reason == "录错了人"
    assert entry.old["grade"] == "excellent" and entry.old["year"] == 2023
    assert [e.action for e in entries_for(person)] == [
        "people.appraisal.added",
        "people.appraisal.updated",
        "people.appraisal.removed",
    ]


def test_appraisal_audit_entries_read_in_words_on_the_file(school, actor) -> None:
    person = make_person(school)
    appraisal = services.add_annual_appraisal(
        actor=actor, person=person, year=2024, grade=G.UNGRADED, note="新聘用人员试用期内"
    )
    services.update_annual_appraisal(
        actor=actor, appraisal=appraisal, year=2024, grade=G.QUALIFIED, note=""
    )
    added, updated = present(entries_for(person))
    # PostgreSQL's JSON keeps no key order, so the lines are compared as sets.
    assert added["label"] == "添加年度考核等次"
    assert {(c.field, c.new) for c in added["changes"]} == {
        ("考核年度", "2024"),
        ("考核等次", "不定等次"),
        ("备注", "新聘用人员试用期内"),
    }
    assert updated["label"] == "修改年度考核等次"
    assert {(c.field, c.old, c.new) for c in updated["changes"]} == {
        ("考核等次", "不定等次", "合格"),
        ("备注", "新聘用人员试用期内", "—"),
    }


def test_appraisal_rules_name_the_field_and_the_reason(school, actor) -> None:
    person = make_person(school, started_work_on=D(2008, 8, 1))
    _grade(person, 2020, G.QUALIFIED)
    this_year = timezone.localdate().year
    cases = [
        ({"year": 2020, "grade": G.EXCELLENT}, "year", "2020年度的考核等次已登记（合格）"),
        ({"year": this_year + 1, "grade": G.QUALIFIED}, "year", f"应在1949年至{this_year}年之间"),
        ({"year": 1948, "grade": G.QUALIFIED}, "year", "应在1949年"),
        ({"year": 2007, "grade": G.QUALIFIED}, "year", "早于参加工作时间（2008-08-01）"),
        ({"year": 2021, "grade": "称职"}, "grade", "考核等次的取值“称职”无效"),
        ({"year": 2021, "grade": ""}, "grade", "请选择考核等次"),
        ({"year": 2021, "grade": G.QUALIFIED, "note": "注" * 201}, "note", "备注不能超过200个字"),
    ]
    for kwargs, field, fragment in cases:
        with pytest.raises(ValidationFailed) as excinfo:
            services.add_annual_appraisal(actor=actor, person=person, **kwargs)
        assert fragment in excinfo.value.errors[field][0], (kwargs, excinfo.value.errors)
    assert AnnualAppraisal.objects.count() == 1
    # This year itself is allowed (the appraisal is made at its end).
    services.add_annual_appraisal(actor=actor, person=person, year=this_year, grade=G.QUALIFIED)


def test_correcting_a_year_onto_another_recorded_year_is_refused(school, actor) -> None:
    person = make_person(school)
    _grade(person, 2022, G.QUALIFIED)
    other = _grade(person, 2023, G.EXCELLENT)
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_annual_appraisal(actor=actor, appraisal=other, year=2022, grade=G.EXCELLENT)
    assert "2022年度的考核等次已登记（合格）" in excinfo.value.errors["year"][0]
    # Its own year is not a clash with itself.
    services.update_annual_appraisal(actor=actor, appraisal=other, year=2023, grade=G.QUALIFIED)


def test_the_database_keeps_one_grade_per_person_and_year(school) -> None:
    person = make_person(school)
    _grade(person, 2022, G.QUALIFIED)
    with pytest.raises(IntegrityError), transaction.atomic():
        _grade(person, 2022, G.EXCELLENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        _grade(person, 2023, "称职")
    with pytest.raises(IntegrityError), transaction.atomic():
        _grade(person, 1900, G.QUALIFIED)


def test_archived_person_gets_no_new_grades_and_keeps_the_old(school, actor) -> None:
    person = make_person(school)
    kept = _grade(person, 2022, G.QUALIFIED)
    services.archive_person(actor=actor, person=person, reason="调出")
    with pytest.raises(Conflict):
        services.add_annual_appraisal(actor=actor, person=person, year=2023, grade=G.QUALIFIED)
    with pytest.raises(Conflict):
        services.remove_annual_appraisal(actor=actor, appraisal=kept, reason="x")
    assert AnnualAppraisal.objects.filter(pk=kept.pk).exists()


def test_removal_needs_a_reason(school, actor) -> None:
    appraisal = _grade(make_person(school), 2022, G.QUALIFIED)
    with pytest.raises(ValidationFailed) as excinfo:
        services.remove_annual_appraisal(actor=actor, appraisal=appraisal, reason="  ")
    assert excinfo.value.errors["reason"] == ["请填写删除原因。"]
    assert AnnualAppraisal.objects.filter(pk=appraisal.pk).exists()


# --- the read helpers ------------------------------------------------------------------


def test_window_is_the_complete_years_before_the_day() -> None:
    assert list(window(D(2026, 1, 5))) == [2023, 2024, 2025]
    assert list(window(D(2026, 12, 31), years=5)) == [2021, 2022, 2023, 2024, 2025]
    with pytest.raises(ValueError):
        window(D(2026, 1, 1), years=0)


def test_recent_appraisals_list_every_year_of_the_window_oldest_first(school) -> None:
    person = make_person(school)
    _grade(person, 2021, G.BASICALLY_QUALIFIED)  # before the window
    _grade(person, 2023, G.QUALIFIED)
    _grade(person, 2025, G.EXCELLENT)
    _grade(person, 2026, G.UNQUALIFIED)  # the year of as_of: not complete yet
    grades = recent_appraisals(person, D(2026, 3, 1))
    assert grades == [
        YearGrade(2023, G.QUALIFIED),
        YearGrade(2024, None),
        YearGrade(2025, G.EXCELLENT),
    ]
    year, grade = grades[0]
    assert (year, grade.label) == (2023, "合格")
    assert describe(grades) == "2023年度合格，2025年度优秀"
    assert missing(grades) == [2024]
    assert recent_appraisals(person.pk, D(2026, 3, 1), years=5)[0] == YearGrade(
        2021, G.BASICALLY_QUALIFIED
    )


def test_recent_appraisals_for_many_people_take_one_query(
    school, django_assert_num_queries
) -> None:
    people = [make_person(school) for _ in range(6)]
    for index, person in enumerate(people):
        for year in range(2022, 2022 + index % 4):
            _grade(person, year, G.QUALIFIED if year % 2 else G.EXCELLENT)
    nobody = make_person(school)
    with django_assert_num_queries(1):
        found = recent_appraisals_for([*people, nobody.pk], D(2025, 6, 1))
    assert set(found) == {p.pk for p in people} | {nobody.pk}
    assert found[nobody.pk] == [YearGrade(2022, None), YearGrade(2023, None), YearGrade(2024, None)]
    assert found[people[3].pk] == [
        YearGrade(2022, G.EXCELLENT),
        YearGrade(2023, G.QUALIFIED),
        YearGrade(2024, G.EXCELLENT),
    ]
    assert describe(found[nobody.pk]) == ""


# --- the page ----------------------------------------------------------------------------


@pytest.fixture
def admin(client, users):  # type: ignore[no-untyped-def]
    client.force_login(users[Role.PERSONNEL])
    return users[Role.PERSONNEL]


def _url(name: str, **kwargs: int) -> str:
    return reverse(f"people:{name}", kwargs=kwargs)


def test_appraisals_in_place_with_htmx(client, admin, school) -> None:
    person = make_person(school)
    add = client.post(
        _url("appraisal_add", pk=person.pk), {"year": "2024", "grade": "excellent"}, **HX
    )
    html = add.content.decode()
    assert html.lstrip().startswith('<section class="card" id="appraisals"')
    assert "优秀" in html and "已添加年度考核等次" in html
    assert 'id="audit"' in html and 'hx-swap-oob="true"' in html
    appraisal = AnnualAppraisal.objects.get()

    again = client.post(
        _url("appraisal_add", pk=person.pk), {"year": "2024", "grade": "qualified"}, **HX
    )
    assert "2024年度的考核等次已登记（优秀）" in again.content.decode()
    assert "hx-swap-oob" not in again.content.decode()

    kwargs = {"pk": person.pk, "sub": appraisal.pk}
    form = client.get(_url("appraisal_edit", **kwargs), **HX).content.decode()
    assert 'class="editing"' in form and 'value="2024"' in form
    client.post(
        _url("appraisal_edit", **kwargs),
        {"year": "2024", "grade": "qualified", "note": "复核后更正"},
        **HX,
    )
    appraisal.refresh_from_db()
    assert (appraisal.grade, appraisal.note) == ("qualified", "复核后更正")

    refused = client.post(_url("appraisal_remove", **kwargs), {"reason": ""}, **HX)
    assert "请填写删除原因。" in refused.content.decode()
    client.post(_url("appraisal_remove", **kwargs), {"reason": "录入重复"}, **HX)
    assert not AnnualAppraisal.objects.exists()
    assert [e.action for e in entries_for(person)][-3:] == [
        "people.appraisal.added",
        "people.appraisal.updated",
        "people.appraisal.removed",
    ]


def test_appraisal_add_without_javascript_redirects_or_names_the_fields(
    client, admin, school
) -> None:
    person = make_person(school)
    done = client.post(_url("appraisal_add", pk=person.pk), {"year": "2023", "grade": "qualified"})
    assert done.status_code == 302 and done["Location"].endswith("#appraisals")
    bad = client.post(_url("appraisal_add", pk=person.pk), {"year": "二〇二三", "grade": "x"})
    assert bad.status_code == 200
    errors = bad.context["appraisal_form"].errors
    assert errors["year"] == ["考核年度应为整数。"]
    assert errors["grade"] == ["考核等次的选项无效，请重新选择。"]


def test_detail_lists_grades_newest_first(client, admin, school) -> None:
    person = make_person(school)
    _grade(person, 2022, G.QUALIFIED)
    _grade(person, 2024, G.UNGRADED, "病假累计超过半年")
    _grade(person, 2023, G.EXCELLENT)
    html = client.get(_url("detail", pk=person.pk)).content.decode()
    section = html.split('id="appraisals"')[1].split("</section>")[0]
    assert section.index("2024") < section.index("2023") < section.index("2022")
    assert "不定等次" in section and "病假累计超过半年" in section
    assert "添加年度考核等次" in section


def test_another_persons_appraisal_is_not_found(client, admin, school) -> None:
    person, other = make_person(school), make_person(school)
    theirs = _grade(other, 2022, G.QUALIFIED)
    for name in ("appraisal_edit", "appraisal_remove"):
        url = _url(name, pk=person.pk, sub=theirs.pk)
        assert (
            client.post(url, {"reason": "x", "year": "2022", "grade": "basic"}).status_code == 404
        )
    theirs.refresh_from_db()
    assert theirs.grade == "qualified"


def test_decision_member_reads_grades_without_edit_actions(client, users, school) -> None:
    person = make_person(school)
    _grade(person, 2023, G.QUALIFIED)
    client.force_login(users[Role.DECISION])
    html = client.get(_url("detail", pk=person.pk)).content.decode()
    section = html.split('id="appraisals"')[1].split("</section>")[0]
    assert "合格" in section
    assert "添加年度考核等次" not in section and "修改" not in section


def test_own_file_shows_ones_grades_read_only(client, users, school, admin) -> None:
    person = make_person(school)
    services.update_person(actor=admin, person=person, values={"user": users[Role.STAFF]})
    _grade(person, 2023, G.EXCELLENT)
    client.force_login(users[Role.STAFF])
    html = client.get(reverse("people:own")).content.decode()
    section = html.split('id="appraisals"')[1].split("</section>")[0]
    assert "2023" in section and "优秀" in section
    assert "添加年度考核等次" not in section and "删除" not in section
