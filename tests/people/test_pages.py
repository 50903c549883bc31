"""A person's page, the create/edit form, archive and restore, the in-place history and
honour rows (with and without htmx) and one's own file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.people import national_id, services
from houbei.people.models import AnnualAppraisal, Honour, Person, PostHistory

from ..factories import add_history, add_honour, make_person, post_of
from .helpers import last_entry, national_id_for, person_values

D = dt.date
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def admin(client, users):  # type: ignore[no-untyped-def]
    client.force_login(users[Role.PERSONNEL])
    return users[Role.PERSONNEL]


@pytest.fixture
def person(school, users):  # type: ignore[no-untyped-def]
    number = national_id_for(D(1985, 3, 1), male=False)
    return services.create_person(
        actor=users[Role.PERSONNEL],
        school=school,
        values=person_values(),
        national_id_number=number,
    )


def _detail(person: Person) -> str:
    return reverse("people:detail", kwargs={"pk": person.pk})


# --- detail ------------------------------------------------------------------------


def test_detail_shows_the_file_with_masked_id_durations_and_audit(
    client, admin, school, person
) -> None:
    add_history(person, "class-teacher", D(2012, 9, 1), D(2015, 8, 31))
    add_history(person, "subject-leader", D(2015, 1, 1), D(2016, 8, 31))  # overlaps
    add_history(person, "academic-office", D(2016, 9, 1), D(2017, 2, 28))
    add_honour(person, title="优秀班主任", year=2019)
    services.update_person(actor=admin, person=person, values={"subject": "历史"})
    html = client.get(_detail(person)).content.decode()
    number = national_id_for(D(1985, 3, 1), male=False)
    assert number not in html and national_id.mask(number) in html
    assert "3年" in html and "1年8个月" in html and "6个月" in html  # per row
    # 班主任 + 教研组长 merged: 2012-09-01 … 2016-08-31 = 4 years, overlap counted once.
    assert "班主任或科室组长经历 <strong>4年6个月</strong>" in html
    assert "优秀班主任" in html
    # The audit trail, newest first, shows the change in words.
    assert html.index("修改信息") < html.index("建立档案")
    assert '任教学科：<span class="old">语文</span> → 历史' in html


def test_detail_query_count_does_not_grow_with_history(
    client, admin, school, django_assert_num_queries
) -> None:
    counts = []
    for size in (3, 30):
        person = make_person(school)
        for year in range(size):
            code = "class-teacher" if year % 2 else "grade-leader"
            add_history(person, code, D(1990 + year, 9, 1), D(1991 + year, 7, 31))
            add_honour(person, title=f"荣誉{year}", year=2000 + year % 20)
            AnnualAppraisal.objects.create(person=person, year=1990 + year, grade="qualified")
        with django_assert_num_queries(14) as captured:
            # session, user, school, person, history+posts, honours, annual appraisals,
            # audit, the add form's school and posts, the rotation section's rotations,
            # rotation posts, pool entries and 意向表, and nothing per row
            response = client.get(_detail(person))
        assert len(response.context["history"]) == size
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_detail_of_another_persons_row_is_not_found(client, admin, school, person) -> None:
    other = make_person(school)
    row = add_history(other, "class-teacher", D(2012, 9, 1))
    honour = add_honour(other)
    for name, sub in (
        ("history_edit", row.pk),
        ("history_remove", row.pk),
        ("honour_edit", honour.pk),
    ):
        url = reverse(f"people:{name}", kwargs={"pk": person.pk, "sub": sub})
        assert client.post(url, {"reason": "x"}).status_code == 404
    assert PostHistory.objects.filter(pk=row.pk).exists()


def test_decision_member_reads_without_edit_actions(client, users, person) -> None:
    client.force_login(users[Role.DECISION])
    html = client.get(_detail(person)).content.decode()
    assert "档案变动记录" in html
    assert reverse("people:edit", kwargs={"pk": person.pk}) not in html
    assert (
        "添加任职经历" not in html and "归档" not in html.split("档案变动记录")[0].split("</h1>")[1]
    )


# --- create and edit ---------------------------------------------------------------


def _form_data(**overrides):  # type: ignore[no-untyped-def]
    data = {
        "staff_number": "2010009",
        "name": "张兰兰",
        "gender": "F",
        "birth_date": "1986-05-04",
        "started_work_on": "2008-08-01",
        "joined_school_on": "2011-09-01",
        "establishment": "in",
        "post_status": "on",
        "political_status": "party",
        "education": "master",
        "title": "",
        "subject": "英语",
        "fit_for_duty": "true",
        "fit_for_duty_on": "2025-09-01",
        "phone": "021-6543 2100",
        "email": "",
        "user": "",
        "national_id": "",
    }
    return data | overrides


def test_create_person_page_saves_and_audits(client, admin, school) -> None:
    number = national_id_for(D(1986, 5, 4), male=False, serial=45)
    response = client.post(reverse("people:create"), _form_data(national_id=number))
    person = Person.objects.get(staff_number="2010009")
    assert response.status_code == 302 and response["Location"] == _detail(person)
    assert person.fit_for_duty is True and person.school == school
    assert last_entry().action == "people.person.created" and last_entry().actor == admin


def test_create_person_page_shows_chinese_errors_at_their_fields(
    client, admin, school, person
) -> None:
    response = client.post(
        reverse("people:create"),
        _form_data(
            staff_number=person.staff_number,
            name="",
            birth_date="1986-13-40",
            national_id="310104198605040000",
            fit_for_duty_on="",
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["staff_number"] == ["工号 2010001 已被本校其他教职工使用（含已归档档案）。"]
    assert form.errors["name"] == ["请填写姓名。"]
    assert form.errors["birth_date"] == ["出生日期不是有效的日期（格式：2020-09-01）。"]
    assert form.errors["national_id"] == ["身份证号格式或校验位不正确，请核对18位号码。"]
    assert form.errors["fit_for_duty_on"] == ["填写身心健康情况时，请同时填写健康确认日期。"]
    html = response.content.decode()
    assert 'id="id_name_error"' in html and "有 5 处需要修改" in html
    assert Person.objects.count() == 1


def test_edit_keeps_the_national_id_unless_replaced_or_cleared(client, admin, person) -> None:
    url = reverse("people:edit", kwargs={"pk": person.pk})
    page = client.get(url).content.decode()
    assert person.national_id_masked in page and "删除已登记的身份证号" in page
    masked = person.national_id_masked
    data = _form_data(staff_number=person.staff_number, birth_date="1985-03-01", name="陈晔")
    assert client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.national_id_masked == masked and person.subject == "英语"
    assert client.post(url, data | {"clear_national_id": "on"}).status_code == 302
    person.refresh_from_db()
    assert person.national_id_masked == ""
    assert last_entry().new == {"national_id": ""}


def test_archived_person_is_read_only_until_restored(client, admin, person) -> None:
    archive = reverse("people:archive", kwargs={"pk": person.pk})
    missing = client.post(archive, {"reason": ""})
    assert missing.status_code == 200
    assert missing.context["reason_form"].errors["reason"] == ["请填写归档原因。"]
    response = client.post(archive, {"reason": "调往第二中学"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_archived
    html = client.get(_detail(person)).content.decode()
    assert "调往第二中学" in html and "恢复档案" in html and "添加任职经历" not in html
    edit = client.get(reverse("people:edit", kwargs={"pk": person.pk}), follow=True)
    assert "请先恢复档案再修改" in edit.content.decode()
    # Archived people leave the default list but can be found.
    listed = client.get(reverse("people:list")).context["rows"]
    assert person not in [row.person for row in listed]
    found = client.get(reverse("people:list"), {"archived": "archived"}).context["rows"]
    assert [row.person for row in found] == [person]
    client.post(reverse("people:restore", kwargs={"pk": person.pk}), {"reason": "调回本校"})
    person.refresh_from_db()
    assert not person.is_archived


# --- history and honours in place ----------------------------------------------------


def test_htmx_add_history_returns_the_section_and_the_audit_out_of_band(
    client, admin, school, person
) -> None:
    post = post_of(school, "grade-leader")
    response = client.post(
        reverse("people:history_add", kwargs={"pk": person.pk}),
        {"post": post.pk, "start": "2019-09-01", "end": "", "note": ""},
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="history"')
    assert "年级组长" in html and "已添加任职经历" in html
    assert 'id="audit"' in html and 'hx-swap-oob="true"' in html and "添加任职经历" in html
    assert person.post_history.get().post == post


def test_htmx_add_history_shows_errors_in_the_section(client, admin, school, person) -> None:
    add_history(person, "class-teacher", D(2012, 9, 1))
    response = client.post(
        reverse("people:history_add", kwargs={"pk": person.pk}),
        {"post": post_of(school, "class-teacher").pk, "start": "2013-09-01"},
        **HX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and "重叠" in html
    assert "hx-swap-oob" not in html
    assert person.post_history.count() == 1


def test_history_add_without_javascript_redirects_to_the_section(
    client, admin, school, person
) -> None:
    response = client.post(
        reverse("people:history_add", kwargs={"pk": person.pk}),
        {"post": post_of(school, "grade-leader").pk, "start": "2019-09-01"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#history")
    bad = client.post(reverse("people:history_add", kwargs={"pk": person.pk}), {"start": "x"})
    assert bad.status_code == 200
    assert bad.context["history_form"].errors["post"] == ["请选择岗位。"]
    assert bad.context["history_form"].errors["start"] == [
        "开始日期不是有效的日期（格式：2020-09-01）。"
    ]


def test_history_post_choice_is_limited_to_the_school(client, admin, other_school, person) -> None:
    response = client.post(
        reverse("people:history_add", kwargs={"pk": person.pk}),
        {"post": post_of(other_school, "grade-leader").pk, "start": "2019-09-01"},
    )
    assert response.context["history_form"].errors["post"] == ["岗位的选项无效，请重新选择。"]


def test_history_edit_end_and_remove_in_place(client, admin, school, person) -> None:
    row = add_history(person, "class-teacher", D(2012, 9, 1))
    kwargs = {"pk": person.pk, "sub": row.pk}
    form = client.get(reverse("people:history_edit", kwargs=kwargs), **HX).content.decode()
    assert 'class="editing"' in form and 'value="2012-09-01"' in form
    client.post(
        reverse("people:history_edit", kwargs=kwargs),
        {"post": row.post_id, "start": "2012-09-01", "end": "", "note": "初一(3)班"},
        **HX,
    )
    row.refresh_from_db()
    assert row.note == "初一(3)班"
    ended = client.post(reverse("people:history_end", kwargs=kwargs), {"end": "2011-01-01"}, **HX)
    assert "不能早于开始日期" in ended.content.decode()
    client.post(reverse("people:history_end", kwargs=kwargs), {"end": "2015-08-31"}, **HX)
    row.refresh_from_db()
    assert row.end == D(2015, 8, 31)
    refused = client.post(reverse("people:history_remove", kwargs=kwargs), {"reason": ""}, **HX)
    assert "请填写删除原因。" in refused.content.decode()
    client.post(reverse("people:history_remove", kwargs=kwargs), {"reason": "录入重复"}, **HX)
    assert not PostHistory.objects.filter(pk=row.pk).exists()
    actions = list(
        AuditEntry.objects.filter(
            target_id=str(person.pk), action__startswith="people.post_history"
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "people.post_history.updated",
        "people.post_history.ended",
        "people.post_history.removed",
    ]


def test_honours_in_place(client, admin, person) -> None:
    add = client.post(
        reverse("people:honour_add", kwargs={"pk": person.pk}),
        {"title": "“勤朴”教师", "level": "2", "year": "2020"},
        **HX,
    )
    assert "“勤朴”教师" in add.content.decode() and "区级" in add.content.decode()
    honour = Honour.objects.get()
    again = client.post(
        reverse("people:honour_add", kwargs={"pk": person.pk}),
        {"title": "“勤朴”教师", "level": "2", "year": "2020"},
        **HX,
    )
    assert "请勿重复录入" in again.content.decode()
    kwargs = {"pk": person.pk, "sub": honour.pk}
    client.post(
        reverse("people:honour_edit", kwargs=kwargs),
        {"title": "“勤朴”教师", "level": "3", "year": "2020"},
        **HX,
    )
    honour.refresh_from_db()
    assert honour.level == 3
    client.post(reverse("people:honour_remove", kwargs=kwargs), {"reason": "级别有误，重录"}, **HX)
    assert not Honour.objects.exists()
    assert last_entry().action == "people.honour.removed"


# --- one's own file ------------------------------------------------------------------


def test_own_file_shows_the_linked_record_read_only(client, users, school, person, admin) -> None:
    staff = users[Role.STAFF]
    services.update_person(actor=admin, person=person, values={"user": staff})
    add_history(person, "class-teacher", D(2012, 9, 1))
    client.force_login(staff)
    response = client.get(reverse("people:own"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "陈晔" in html and "班主任" in html and person.national_id_masked in html
    assert "修改" not in html.split('id="facts"')[1] and "添加任职经历" not in html
    assert client.get(_detail(person)).status_code == 403


def test_own_file_without_a_linked_record_says_so(client, users) -> None:
    client.force_login(users[Role.MENTOR])
    html = client.get(reverse("people:own")).content.decode()
    assert "还没有关联教职工档案" in html and "mentor-shiba" in html
