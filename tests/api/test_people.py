import datetime as dt

import pytest

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.people import services as people_services
from houbei.people.models import Establishment, Person, PostStatus

from ..factories import add_history, add_honour, make_person

PEOPLE = "/api/people"
# A valid number (GB 11643 check digit) of a woman born 1985-03-01.
NATIONAL_ID = "110101198503010029"


def person_url(person: Person) -> str:
    return f"{PEOPLE}/{person.pk}"


@pytest.fixture
def staff(school, other_school):
    return {
        "wang": make_person(school, name="王静", staff_number="A001", subject="语文"),
        "zhang": make_person(
            school, name="张清源", staff_number="A002", establishment=Establishment.OUT
        ),
        "retired": make_person(
            school, name="退休老师", staff_number="A003", post_status=PostStatus.RETIRED
        ),
        "foreign": make_person(other_school, name="外校老师", staff_number="A001"),
    }


# --- Reading ------------------------------------------------------------------------------


def test_list_shows_only_the_callers_school(api, staff):
    body = api(Role.DECISION).get(PEOPLE).json()
    assert body["count"] == 3
    assert {p["name"] for p in body["items"]} == {"王静", "张清源", "退休老师"}
    assert all(p["school_id"] == staff["wang"].school_id for p in body["items"])


def test_list_filters_like_the_registry_page(api, staff):
    reader = api(Role.PERSONNEL)
    assert [p["name"] for p in reader.get(PEOPLE, {"q": "王"}).json()["items"]] == ["王静"]
    names = [p["name"] for p in reader.get(PEOPLE, {"establishment": "out"}).json()["items"]]
    assert names == ["张清源"]
    names = [p["name"] for p in reader.get(PEOPLE, {"post_status": "retired"}).json()["items"]]
    assert names == ["退休老师"]
    assert reader.get(PEOPLE, {"subject": "语文"}).json()["count"] == 1


def test_list_pages_with_limit_and_offset_and_reports_the_total(api, school):
    for n in range(7):
        make_person(school, staff_number=f"P{n:02d}")
    reader = api(Role.PERSONNEL)
    first = reader.get(PEOPLE, {"limit": 3, "sort": "staff_number"}).json()
    second = reader.get(PEOPLE, {"limit": 3, "offset": 3, "sort": "staff_number"}).json()
    assert first["count"] == second["count"] == 7
    assert (first["limit"], first["offset"], second["offset"]) == (3, 0, 3)
    assert [p["staff_number"] for p in first["items"] + second["items"]] == [
        f"P{n:02d}" for n in range(6)
    ]


def test_list_refuses_a_page_size_over_the_limit_in_chinese(api, staff):
    response = api(Role.PERSONNEL).get(PEOPLE, {"limit": 1000})
    assert response.status_code == 422
    assert response.json()["errors"] == {"limit": ["每页条数不能大于200。"]}


def test_list_query_count_does_not_grow_with_rows(api, school, django_assert_num_queries):
    reader = api(Role.PERSONNEL)
    for n in range(3):
        make_person(school)
    reader.get(PEOPLE)  # warm-up: the token's last use is written once
    # token and user, count, page
    with django_assert_num_queries(3):
        assert reader.get(PEOPLE).json()["count"] == 3
    for n in range(20):
        make_person(school)
    with django_assert_num_queries(3):
        assert reader.get(PEOPLE).json()["count"] == 23


def test_district_and_system_roles_read_no_personal_records(api, staff, other_school):
    """As in the UI, the spanning roles see aggregates, never a person's record."""
    for role in (Role.DISTRICT, Role.SYSADMIN):
        assert api(role).get(PEOPLE).status_code == 403
        assert api(role).get(PEOPLE, {"school": other_school.pk}).status_code == 403
        assert api(role).get(person_url(staff["foreign"])).status_code == 403


def test_school_user_naming_another_school_gets_404(api, staff, other_school):
    response = api(Role.PERSONNEL).get(PEOPLE, {"school": other_school.pk})
    assert response.status_code == 404


def test_detail_has_history_honours_and_a_masked_national_id(api, school, users):
    person = people_services.create_person(
        actor=users[Role.PERSONNEL],
        school=school,
        values={
            "staff_number": "D1",
            "name": "黄蔚敏",
            "gender": "F",
            "birth_date": dt.date(1985, 3, 1),
        },
        national_id_number=NATIONAL_ID,
    )
    add_history(person, "class-teacher", dt.date(2012, 9, 1), dt.date(2016, 7, 31))
    add_history(person, "grade-leader", dt.date(2016, 9, 1))
    add_honour(person, "优秀班主任", year=2019)
    response = api(Role.DECISION).get(person_url(person))
    assert response.status_code == 200
    body = response.json()
    assert body["national_id_masked"] == "1101**********0029"
    assert NATIONAL_ID not in response.content.decode()
    assert [(h["post_name"], h["ladder_level"], h["end"]) for h in body["post_history"]] == [
        ("班主任", 1, "2016-07-31"),
        ("年级组长", 2, None),
    ]
    assert body["honours"] == [
        {"id": person.honours.get().pk, "title": "优秀班主任", "level": 1, "year": 2019, "note": ""}
    ]


def test_detail_query_count_does_not_grow_with_history(api, school, django_assert_num_queries):
    person = make_person(school)
    reader = api(Role.PERSONNEL)
    reader.get(person_url(person))
    add_history(person, "class-teacher", dt.date(2012, 9, 1), dt.date(2014, 7, 31))
    # token and user, person, history with posts, honours
    with django_assert_num_queries(4):
        reader.get(person_url(person))
    add_history(person, "grade-leader", dt.date(2014, 9, 1), dt.date(2016, 7, 31))
    add_history(person, "academic-office", dt.date(2016, 9, 1))
    for year in (2017, 2018, 2019):
        add_honour(person, year=year)
    with django_assert_num_queries(4):
        body = reader.get(person_url(person)).json()
    assert len(body["post_history"]) == 3 and len(body["honours"]) == 3


def test_another_schools_person_is_404(api, staff):
    url = person_url(staff["foreign"])
    assert api(Role.PERSONNEL).get(url).status_code == 404
    assert api(Role.DECISION).get(url).status_code == 404


def test_staff_and_mentor_may_not_read_the_registry(api, staff):
    assert api(Role.STAFF).get(person_url(staff["wang"])).status_code == 403
    assert api(Role.MENTOR).get(PEOPLE).status_code == 403


# --- Writing ------------------------------------------------------------------------------


def test_create_goes_through_the_people_service_with_its_audit_entry(api, school, users):
    response = api(Role.PERSONNEL).post(
        PEOPLE,
        {
            "staff_number": "N100",
            "name": "邹建琴",
            "gender": "F",
            "birth_date": "1985-03-01",
            "political_status": "party",
            "national_id": NATIONAL_ID,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(pk=body["id"])
    assert (person.school, person.name, person.political_status) == (school, "邹建琴", "party")
    assert body["national_id_masked"] == "1101**********0029"
    assert person.national_id_encrypted and NATIONAL_ID not in person.national_id_encrypted
    entry = AuditEntry.objects.get(action="people.person.created", target_id=str(person.pk))
    assert entry.actor == users[Role.PERSONNEL]
    assert entry.new["national_id"] == "1101**********0029"


def test_create_reports_missing_and_malformed_fields_in_chinese(api, staff):
    response = api(Role.PERSONNEL).post(
        PEOPLE, {"staff_number": "N1", "gender": "X", "birth_date": "1985-13-01"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "输入有误，请检查标出的字段。"
    assert body["errors"]["name"] == ["请填写姓名。"]
    assert body["errors"]["gender"] == ["性别的取值无效，应为：M、F。"]
    assert body["errors"]["birth_date"] == ["出生日期应为日期，格式为 YYYY-MM-DD。"]
    assert not Person.objects.filter(staff_number="N1").exists()


def test_create_reports_the_services_rules_by_field(api, staff):
    response = api(Role.PERSONNEL).post(
        PEOPLE, {"staff_number": "A001", "name": "重号", "gender": "M", "national_id": "123"}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "A001" in errors["staff_number"][0]
    assert "身份证号" in errors["national_id"][0]


def test_create_with_a_body_that_is_not_json_is_400_in_chinese(api, staff):
    response = api(Role.PERSONNEL).post(PEOPLE, "{not json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求体不是有效的 JSON。"


def test_only_the_personnel_office_may_create(api, staff):
    person = {"staff_number": "N2", "name": "某某", "gender": "M"}
    for role in (Role.DECISION, Role.MENTOR, Role.STAFF, Role.DISTRICT, Role.SYSADMIN):
        assert api(role).post(PEOPLE, person).status_code == 403, role
    assert not Person.objects.filter(staff_number="N2").exists()


def test_patch_changes_only_the_fields_sent_and_is_audited(api, staff, users):
    wang = staff["wang"]
    response = api(Role.PERSONNEL).patch(person_url(wang), {"title": "中学高级教师"})
    assert response.status_code == 200, response.content
    wang.refresh_from_db()
    assert (wang.title, wang.name, wang.subject) == ("中学高级教师", "王静", "语文")
    entry = AuditEntry.objects.get(action="people.person.updated", target_id=str(wang.pk))
    assert entry.actor == users[Role.PERSONNEL]
    assert entry.old == {"title": ""} and entry.new == {"title": "中学高级教师"}


def test_patch_may_clear_the_national_id_but_not_the_name(api, school, users):
    person = people_services.create_person(
        actor=users[Role.PERSONNEL],
        school=school,
        values={
            "staff_number": "D2",
            "name": "陈晔",
            "gender": "F",
            "birth_date": dt.date(1985, 3, 1),
        },
        national_id_number=NATIONAL_ID,
    )
    writer = api(Role.PERSONNEL)
    refused = writer.patch(person_url(person), {"name": None})
    assert refused.status_code == 422
    assert refused.json()["errors"] == {"name": ["姓名不能为空。"]}
    cleared = writer.patch(person_url(person), {"national_id": ""})
    assert cleared.status_code == 200
    assert cleared.json()["national_id_masked"] == ""


def test_patch_of_another_schools_person_is_404(api, staff):
    response = api(Role.PERSONNEL).patch(person_url(staff["foreign"]), {"title": "x"})
    assert response.status_code == 404
    staff["foreign"].refresh_from_db()
    assert staff["foreign"].title == ""


def test_patch_by_a_reader_is_403(api, staff):
    assert api(Role.DECISION).patch(person_url(staff["wang"]), {"title": "x"}).status_code == 403
    assert api(Role.DISTRICT).patch(person_url(staff["wang"]), {"title": "x"}).status_code == 403


def test_patch_of_an_archived_person_is_a_409_conflict(api, staff, users):
    people_services.archive_person(
        actor=users[Role.PERSONNEL], person=staff["retired"], reason="退休"
    )
    response = api(Role.PERSONNEL).patch(person_url(staff["retired"]), {"title": "x"})
    assert response.status_code == 409
    assert "归档" in response.json()["detail"]


def test_list_refuses_an_unknown_filter_code_instead_of_ignoring_it(api, staff):
    response = api(Role.PERSONNEL).get(PEOPLE, {"establishment": "maybe", "sort": "height"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["establishment"] == ["编制的取值无效，应为：in、out。"]
    assert errors["sort"][0].startswith("排序的取值无效，应为：staff_number、")


def test_list_counts_probationary_members_under_cpc(api, school):
    make_person(school, political_status="party")
    make_person(school, political_status="probationary")
    make_person(school, political_status="masses")
    reader = api(Role.PERSONNEL)
    assert reader.get(PEOPLE, {"political_status": "cpc"}).json()["count"] == 2
    assert reader.get(PEOPLE, {"political_status": "party"}).json()["count"] == 1
