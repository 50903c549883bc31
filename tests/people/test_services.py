"""The registry's services: every change is validated, atomic and audited."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.audit.services import verify_chain
from houbei.core.errors import Conflict, ValidationFailed
from houbei.people import national_id, services
from houbei.people.models import Honour, HonourLevel, Person, PostHistory

from ..conftest import make_user
from ..factories import add_history, add_honour, make_person, post_of
from .helpers import entries_for, last_entry, national_id_for, person_values

D = dt.date
ID = national_id_for(D(1985, 3, 1), male=False)


@pytest.fixture
def actor(users):  # type: ignore[no-untyped-def]
    return users[Role.PERSONNEL]


def _errors(excinfo: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, list[str]]:
    return excinfo.value.errors


# --- create ------------------------------------------------------------------------


def test_create_person_writes_the_row_and_its_audit_entry(school, actor) -> None:
    person = services.create_person(
        actor=actor, school=school, values=person_values(name=" 陈  晔 "), national_id_number=ID
    )
    person.refresh_from_db()
    assert person.school == school and person.name == "陈 晔" and person.staff_number == "2010001"
    assert person.national_id_masked == "3101**********" + ID[-4:]
    assert national_id.decrypt(person.national_id_encrypted) == ID
    entry = last_entry()
    assert entry.action == "people.person.created"
    assert entry.actor == actor and entry.school == school
    assert entry.target_id == str(person.pk) and entry.target_type == "people.person"
    assert entry.new["staff_number"] == "2010001"
    assert entry.new["birth_date"] == "1985-03-01"
    assert entry.new["national_id"] == person.national_id_masked
    assert verify_chain() is None


def test_national_id_is_never_stored_or_audited_in_the_clear(school, actor) -> None:
    person = services.create_person(
        actor=actor, school=school, values=person_values(), national_id_number=ID
    )
    other_id = national_id_for(D(1985, 3, 1), male=False, serial=34)
    services.update_person(actor=actor, person=person, values={}, national_id_number=other_id)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person")
        stored = json.dumps([list(map(str, row)) for row in cursor.fetchall()])
    audited = json.dumps(
        [[e.old, e.new, e.reason, e.target_label] for e in AuditEntry.objects.all()],
        ensure_ascii=False,
    )
    for number in (ID, other_id):
        assert number not in stored
        assert number not in audited
        assert national_id.digest(number) not in audited
    update = last_entry()
    assert update.old == {"national_id": national_id.mask(ID)}
    assert update.new == {"national_id": national_id.mask(other_id)}


def test_create_person_accepts_a_lower_case_x_and_full_width_digits(school, actor) -> None:
    number = national_id_for(D(1990, 1, 5), male=True, serial=0)
    while not number.endswith("X"):  # find a number whose check character is X
        number = national_id_for(D(1990, 1, 5), male=True, serial=int(number[14:16]) + 1)
    typed = number[:-1].translate({ord(str(i)): ord("０") + i for i in range(10)}) + "x"
    person = services.create_person(
        actor=actor,
        school=school,
        values=person_values(gender="M", birth_date=D(1990, 1, 5), started_work_on=None),
        national_id_number=typed,
    )
    assert national_id.decrypt(person.national_id_encrypted) == number


def test_create_person_refuses_a_staff_number_used_in_the_school(school, actor) -> None:
    make_person(school, staff_number="2010001", name="邹建琴")
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_person(actor=actor, school=school, values=person_values())
    assert "工号 2010001 已被本校其他教职工使用" in _errors(excinfo)["staff_number"][0]
    assert not AuditEntry.objects.filter(action="people.person.created").exists()


def test_same_staff_number_is_fine_in_another_school(school, other_school, actor) -> None:
    make_person(other_school, staff_number="2010001")
    services.create_person(actor=actor, school=school, values=person_values())
    assert Person.objects.filter(staff_number="2010001").count() == 2


def test_create_person_refuses_a_national_id_already_in_the_school(school, actor) -> None:
    services.create_person(
        actor=actor, school=school, values=person_values(), national_id_number=ID
    )
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_person(
            actor=actor,
            school=school,
            values=person_values(staff_number="2010002", name="黄蔚敏"),
            national_id_number=ID,
        )
    message = _errors(excinfo)["national_id"][0]
    assert "陈晔" in message and "2010001" in message
    assert ID not in message


def test_database_refuses_a_duplicate_national_id_digest_in_one_school(school) -> None:
    fields = national_id.protected_fields(ID)
    make_person(school, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_person(school, **fields)


@pytest.mark.parametrize(
    ("values", "number", "field", "fragment"),
    [
        ({}, "310104198503011235", "national_id", "校验位不正确"),
        ({}, national_id_for(D(1985, 3, 2), male=False), "national_id", "出生日期（1985-03-02）"),
        ({}, national_id_for(D(1985, 3, 1), male=True), "national_id", "性别（男）"),
        ({"gender": ""}, "", "gender", "请选择性别"),
        ({"name": "  "}, "", "name", "请填写姓名"),
        ({"staff_number": ""}, "", "staff_number", "请填写工号"),
        ({"birth_date": D(2099, 1, 1)}, "", "birth_date", "不能晚于今天"),
        ({"birth_date": D(1899, 12, 31)}, "", "birth_date", "早于1900年"),
        ({"joined_school_on": D(2005, 9, 1)}, "", "joined_school_on", "不能早于参加工作时间"),
        ({"started_work_on": D(1999, 8, 1)}, "", "started_work_on", "早于16周岁（2001-03-01）"),
        ({"fit_for_duty": True}, "", "fit_for_duty_on", "请同时填写健康确认日期"),
        ({"fit_for_duty_on": D(2024, 5, 1)}, "", "fit_for_duty", "请选择身心健康情况"),
        ({"phone": "call me"}, "", "phone", "联系电话“call me”格式不正确"),
        ({"political_status": "x"}, "", "political_status", "政治面貌的取值“x”无效"),
        ({"name": "长" * 41}, "", "name", "姓名不能超过40个字（现有41个）"),
        ({"staff_number": "9" * 31}, "", "staff_number", "工号不能超过30个字"),
        ({"email": "chen@"}, "", "email", "电子邮箱“chen@”格式不正确"),
    ],
)
def test_create_person_names_the_field_and_the_reason(
    school, actor, values, number, field, fragment
) -> None:
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_person(
            actor=actor, school=school, values=person_values(**values), national_id_number=number
        )
    errors = _errors(excinfo)
    assert field in errors, errors
    assert any(fragment in m for m in errors[field]), errors[field]
    assert not Person.objects.exists()


def test_create_person_refuses_a_joining_date_far_in_the_future(school, actor) -> None:
    later = timezone.localdate() + dt.timedelta(days=400)
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_person(
            actor=actor, school=school, values=person_values(joined_school_on=later)
        )
    assert "超过今天一年以上" in _errors(excinfo)["joined_school_on"][0]


def test_create_person_links_an_account_of_the_school_only_once(
    school, other_school, actor, users
) -> None:
    staff = users[Role.STAFF]
    services.create_person(actor=actor, school=school, values=person_values(user=staff))
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_person(
            actor=actor,
            school=school,
            values=person_values(staff_number="2010002", name="奚莉", user=staff),
        )
    assert "已关联教职工 陈晔" in _errors(excinfo)["user"][0]
    outsider = make_user(Role.STAFF, school=other_school, username="outsider")
    with pytest.raises(ValidationFailed) as excinfo:
        services.create_person(
            actor=actor,
            school=school,
            values=person_values(staff_number="2010003", user=outsider),
        )
    assert "不属于本校" in _errors(excinfo)["user"][0]


def test_create_person_rejects_fields_that_are_not_editable(school, actor) -> None:
    with pytest.raises(TypeError):
        services.create_person(
            actor=actor, school=school, values=person_values(national_id_masked="x")
        )


# --- update ------------------------------------------------------------------------


def test_update_person_audits_only_the_changed_fields(school, actor) -> None:
    person = make_person(school, name="王静", subject="数学", title="")
    services.update_person(
        actor=actor,
        person=person,
        values={"subject": "语文", "title": "中学高级教师", "name": "王静"},
    )
    person.refresh_from_db()
    assert person.subject == "语文"
    entry = last_entry()
    assert entry.action == "people.person.updated"
    assert entry.old == {"subject": "数学", "title": ""}
    assert entry.new == {"subject": "语文", "title": "中学高级教师"}


def test_update_person_without_a_change_writes_no_entry(school, actor) -> None:
    person = make_person(school, subject="数学")
    before = AuditEntry.objects.count()
    services.update_person(actor=actor, person=person, values={"subject": " 数学 "})
    assert AuditEntry.objects.count() == before


def test_update_person_keeps_clears_or_replaces_the_national_id(school, actor) -> None:
    person = services.create_person(
        actor=actor, school=school, values=person_values(), national_id_number=ID
    )
    services.update_person(actor=actor, person=person, values={"subject": "历史"})
    person.refresh_from_db()
    assert person.national_id_masked  # None: kept
    services.update_person(actor=actor, person=person, values={}, national_id_number="")
    person.refresh_from_db()
    assert person.national_id_masked == person.national_id_digest == ""
    assert last_entry().old == {"national_id": national_id.mask(ID)}
    assert last_entry().new == {"national_id": ""}


def test_update_person_checks_rules_against_the_merged_values(school, actor) -> None:
    person = make_person(school, birth_date=D(1985, 3, 1), started_work_on=D(2008, 8, 1))
    with pytest.raises(ValidationFailed) as excinfo:
        services.update_person(
            actor=actor, person=person, values={"joined_school_on": D(2007, 9, 1)}
        )
    assert (
        "入校时间（2007-09-01）不能早于参加工作时间（2008-08-01）"
        in (_errors(excinfo)["joined_school_on"][0])
    )


def test_update_person_may_keep_its_own_staff_number(school, actor) -> None:
    person = make_person(school, staff_number="A1")
    services.update_person(actor=actor, person=person, values={"staff_number": "A1", "name": "新"})
    person.refresh_from_db()
    assert person.name == "新"


def test_archived_person_cannot_be_edited(school, actor) -> None:
    person = make_person(school)
    services.archive_person(actor=actor, person=person, reason="调出")
    with pytest.raises(Conflict):
        services.update_person(actor=actor, person=person, values={"subject": "语文"})
    with pytest.raises(Conflict):
        services.add_honour(actor=actor, person=person, title="优秀党员", level=1, year=2020)


# --- archive and restore ----------------------------------------------------------------


def test_archive_person_keeps_history_and_needs_a_reason(school, actor) -> None:
    person = make_person(school)
    add_history(person, "class-teacher", D(2012, 9, 1), D(2015, 8, 31))
    add_honour(person)
    with pytest.raises(ValidationFailed) as excinfo:
        services.archive_person(actor=actor, person=person, reason="  ")
    assert _errors(excinfo) == {"reason": ["请填写归档原因。"]}
    services.archive_person(actor=actor, person=person, reason="2024年8月调出")
    person.refresh_from_db()
    assert person.is_archived and person.archive_reason == "2024年8月调出"
    assert person.post_history.count() == 1 and person.honours.count() == 1
    assert Person.objects.current().filter(pk=person.pk).count() == 0
    entry = last_entry()
    assert entry.action == "people.person.archived" and entry.reason == "2024年8月调出"
    with pytest.raises(Conflict):
        services.archive_person(actor=actor, person=person, reason="again")


def test_restore_person_brings_the_record_back(school, actor) -> None:
    person = make_person(school)
    services.archive_person(actor=actor, person=person, reason="退休")
    services.restore_person(actor=actor, person=person, reason="返聘")
    person.refresh_from_db()
    assert not person.is_archived and person.archive_reason == ""
    entry = last_entry()
    assert entry.action == "people.person.restored" and entry.reason == "返聘"
    assert entry.old["archive_reason"] == "退休"
    with pytest.raises(Conflict):
        services.restore_person(actor=actor, person=person, reason="再次")


# --- post history ------------------------------------------------------------------


def test_add_post_history_is_audited_on_the_person(school, actor) -> None:
    person = make_person(school)
    row = services.add_post_history(
        actor=actor,
        person=person,
        post=post_of(school, "class-teacher"),
        start=D(2012, 9, 1),
        end=D(2015, 8, 31),
        note=" 初一(3)班 ",
    )
    assert row.note == "初一(3)班"
    entry = last_entry()
    assert entry.action == "people.post_history.added"
    assert entry.target_id == str(person.pk)
    assert entry.new == {
        "row": row.pk,
        "post": "班主任",
        "start": "2012-09-01",
        "end": "2015-08-31",
        "note": "初一(3)班",
    }


def test_post_history_refuses_an_overlap_on_the_same_post(school, actor) -> None:
    person = make_person(school)
    add_history(person, "class-teacher", D(2012, 9, 1), D(2015, 8, 31))
    with pytest.raises(ValidationFailed) as excinfo:
        services.add_post_history(
            actor=actor, person=person, post=post_of(school, "class-teacher"), start=D(2015, 1, 1)
        )
    assert "与已有的任职经历“班主任 2012-09-01 至 2015-08-31”重叠" in _errors(excinfo)["start"][0]
    # Another post at the same time is normal (班主任 and 教研组长 together).
    services.add_post_history(
        actor=actor, person=person, post=post_of(school, "subject-leader"), start=D(2015, 1, 1)
    )
    # The day after the previous row ends is not an overlap.
    services.add_post_history(
        actor=actor,
        person=person,
        post=post_of(school, "class-teacher"),
        start=D(2015, 9, 1),
    )


def test_post_history_refuses_bad_dates_and_foreign_posts(school, other_school, actor) -> None:
    person = make_person(school, birth_date=D(1985, 3, 1))
    post = post_of(school, "class-teacher")
    cases = [
        ({"start": D(2015, 9, 1), "end": D(2015, 8, 31)}, "end", "不能早于开始日期"),
        ({"start": D(2015, 9, 1), "note": "注" * 201}, "note", "备注不能超过200个字"),
        ({"start": D(1999, 9, 1)}, "start", "早于本人16周岁（2001-03-01）"),
        ({"start": timezone.localdate() + dt.timedelta(days=400)}, "start", "超过今天一年以上"),
    ]
    for kwargs, field, fragment in cases:
        with pytest.raises(ValidationFailed) as excinfo:
            services.add_post_history(actor=actor, person=person, post=post, **kwargs)
        assert fragment in _errors(excinfo)[field][0]
    with pytest.raises(ValidationFailed) as excinfo:
        services.add_post_history(
            actor=actor,
            person=person,
            post=post_of(other_school, "class-teacher"),
            start=D(2015, 9, 1),
        )
    assert "不属于本校" in _errors(excinfo)["post"][0]
    assert not PostHistory.objects.exists()


def test_update_post_history_audits_the_change(school, actor) -> None:
    person = make_person(school)
    row = add_history(person, "class-teacher", D(2012, 9, 1), None)
    services.update_post_history(
        actor=actor,
        entry=row,
        post=post_of(school, "grade-leader"),
        start=D(2012, 9, 1),
        end=D(2016, 8, 31),
    )
    row.refresh_from_db()
    assert row.post.code == "grade-leader" and row.end == D(2016, 8, 31)
    entry = last_entry()
    assert entry.action == "people.post_history.updated"
    assert entry.old == {"row": row.pk, "post": "班主任", "end": None}
    assert entry.new == {"row": row.pk, "post": "年级组长", "end": "2016-08-31"}


def test_end_post_history_closes_an_open_row_once(school, actor) -> None:
    person = make_person(school)
    row = add_history(person, "grade-leader", D(2019, 9, 1))
    with pytest.raises(ValidationFailed) as excinfo:
        services.end_post_history(actor=actor, entry=row, end=D(2019, 8, 1))
    assert "不能早于开始日期" in _errors(excinfo)["end"][0]
    services.end_post_history(actor=actor, entry=row, end=D(2022, 8, 31))
    row.refresh_from_db()
    assert row.end == D(2022, 8, 31)
    entry = last_entry()
    assert entry.action == "people.post_history.ended"
    assert entry.new == {"row": row.pk, "post": "年级组长", "end": "2022-08-31"}
    with pytest.raises(Conflict):
        services.end_post_history(actor=actor, entry=row, end=D(2023, 8, 31))


def test_remove_post_history_keeps_the_old_values_in_the_audit(school, actor) -> None:
    person = make_person(school)
    row = add_history(person, "academic-office", D(2016, 9, 1), D(2017, 8, 31))
    with pytest.raises(ValidationFailed):
        services.remove_post_history(actor=actor, entry=row, reason="")
    services.remove_post_history(actor=actor, entry=row, reason="录错了人")
    assert not PostHistory.objects.filter(pk=row.pk).exists()
    entry = last_entry()
    assert entry.action == "people.post_history.removed" and entry.reason == "录错了人"
    assert entry.old == {
        "row": row.pk,
        "post": "教导处",
        "start": "2016-09-01",
        "end": "2017-08-31",
        "note": "",
    }


# --- honours -----------------------------------------------------------------------


def test_honours_are_added_updated_and_removed_with_audit(school, actor) -> None:
    person = make_person(school)
    honour = services.add_honour(
        actor=actor, person=person, title=" 优秀  班主任 ", level=HonourLevel.DISTRICT, year=2019
    )
    assert honour.title == "优秀 班主任"
    assert last_entry().action == "people.honour.added"
    assert last_entry().new["level"] == HonourLevel.DISTRICT
    services.update_honour(
        actor=actor, honour=honour, title="优秀班主任", level=HonourLevel.DISTRICT, year=2019
    )
    assert last_entry().action == "people.honour.updated"
    assert last_entry().old == {"row": honour.pk, "title": "优秀 班主任"}
    services.remove_honour(actor=actor, honour=honour, reason="重复录入")
    assert not Honour.objects.exists()
    entry = last_entry()
    assert entry.action == "people.honour.removed" and entry.old["title"] == "优秀班主任"
    assert [e.action for e in entries_for(person)] == [
        "people.honour.added",
        "people.honour.updated",
        "people.honour.removed",
    ]


def test_honour_rules_name_the_field(school, actor) -> None:
    person = make_person(school)
    add_honour(person, title="优秀党员", level=HonourLevel.SCHOOL, year=2020)
    cases = [
        ({"title": "优秀党员", "level": 1, "year": 2020}, "title", "已登记，请勿重复录入"),
        ({"title": "", "level": 1, "year": 2020}, "title", "请填写荣誉称号"),
        ({"title": "x", "level": 9, "year": 2020}, "level", "请选择荣誉级别"),
        ({"title": "称" * 61, "level": 1, "year": 2020}, "title", "荣誉称号不能超过60个字"),
        ({"title": "x", "level": 1, "year": timezone.localdate().year + 1}, "year", "之间"),
    ]
    for kwargs, field, fragment in cases:
        with pytest.raises(ValidationFailed) as excinfo:
            services.add_honour(actor=actor, person=person, **kwargs)
        assert fragment in _errors(excinfo)[field][0]
    # The same title at another level or year is another honour.
    services.add_honour(actor=actor, person=person, title="优秀党员", level=2, year=2020)
