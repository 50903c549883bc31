"""Planning and committing an import: new, updated and unchanged people, history and
honours, all-or-nothing, re-validation, and the audit entry."""

from __future__ import annotations

import datetime as dt

import pytest

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.people import national_id
from houbei.people.models import Establishment, Gender, Honour, Person, PostHistory
from houbei.people.roster.services import RosterInvalid, analyse_roster, import_roster
from tests.factories import add_history, make_person
from tests.roster.workbooks import PEOPLE_HEADERS, person_row, simple_roster, workbook_bytes, write

VALID_ID = "11010519491231002X"

pytestmark = pytest.mark.django_db


def run_import(school, path, actor=None):
    return import_roster(actor=actor, school=school, path=path, filename=path.name)


def test_import_creates_people_and_records_one_audit_entry(school, users, tmp_path) -> None:
    path = write(tmp_path, simple_roster(3, history=True))
    result = run_import(school, path, actor=users[Role.PERSONNEL])
    assert result.counts["created"] == 3
    assert result.counts["history_added"] == 3
    people = Person.objects.filter(school=school).order_by("staff_number")
    assert [p.name for p in people] == ["教师1", "教师2", "教师3"]
    first = people[0]
    assert (first.birth_date, first.joined_school_on) == (dt.date(1985, 3, 1), dt.date(2010, 9, 1))
    assert first.created_at is not None and first.updated_at is not None
    assert first.archived_at is None and first.fit_for_duty is None
    assert (
        PostHistory.objects.filter(person__school=school, post__code="class-teacher").count() == 3
    )
    entry = AuditEntry.objects.get(action="people.roster.imported")
    assert entry.seq == result.audit_seq
    assert entry.actor == users[Role.PERSONNEL]
    assert entry.school == school
    assert entry.new["file"] == "roster.xlsx"
    assert entry.new["sha256"] == __import__("hashlib").sha256(path.read_bytes()).hexdigest()
    assert (entry.new["created"], entry.new["updated"], entry.new["unchanged"]) == (3, 0, 0)
    assert entry.new["changed_staff_numbers"] == ["T00001", "T00002", "T00003"]
    detail = entry.new["people"]["T00002"]
    assert detail["action"] == "created"
    assert detail["new"]["name"] == "教师2"
    assert detail["post_history_added"][0]["start"] == "2012-09-01"


def test_reimport_of_the_same_file_leaves_everyone_unchanged(school, tmp_path) -> None:
    path = write(tmp_path, simple_roster(5, history=True))
    run_import(school, path)
    before = list(Person.objects.filter(school=school).values_list("pk", "updated_at"))
    result = run_import(school, path)
    assert (result.counts["created"], result.counts["updated"], result.counts["unchanged"]) == (
        0,
        0,
        5,
    )
    assert result.counts["history_added"] == 0
    assert result.changed_staff_numbers == []
    assert list(Person.objects.filter(school=school).values_list("pk", "updated_at")) == before
    assert PostHistory.objects.filter(person__school=school).count() == 5


def test_import_updates_only_the_fields_the_file_changes(school, tmp_path) -> None:
    person = make_person(
        school,
        staff_number="T1",
        name="甲",
        gender=Gender.FEMALE,
        title="中学二级教师",
        establishment=Establishment.IN,
    )
    rows = [["工号", "姓名", "编制", "职称", "任教学科"], ["T1", "甲", "非在编", None, "语文"]]
    plan = analyse_roster(school=school, path=write(tmp_path, workbook_bytes({"名册": rows})))
    (item,) = plan.people
    assert item.action == "updated"
    assert item.changes == {
        "establishment": (Establishment.IN, Establishment.OUT),
        "subject": ("", "语文"),
    }
    run_import(school, write(tmp_path, workbook_bytes({"名册": rows}), "b.xlsx"))
    person.refresh_from_db()
    assert person.establishment == Establishment.OUT
    assert person.subject == "语文"
    assert person.title == "中学二级教师"  # blank cell: left as it was
    entry = AuditEntry.objects.get(action="people.roster.imported")
    assert entry.new["people"]["T1"]["old"] == {"establishment": "in", "subject": ""}
    assert entry.new["people"]["T1"]["new"] == {"establishment": "out", "subject": "语文"}


def test_counts_of_a_mixed_import(school, tmp_path) -> None:
    make_person(
        school,
        staff_number="T00001",
        name="教师1",
        gender=Gender.FEMALE,
        birth_date=dt.date(1985, 3, 1),
        joined_school_on=dt.date(2010, 9, 1),
        started_work_on=dt.date(2008, 8, 1),
    )
    make_person(
        school,
        staff_number="T00002",
        name="旧名",
        gender=Gender.FEMALE,
        birth_date=dt.date(1985, 3, 1),
        joined_school_on=dt.date(2010, 9, 1),
        started_work_on=dt.date(2008, 8, 1),
    )
    make_person(school, staff_number="X9", name="不在文件中")
    result = run_import(school, write(tmp_path, simple_roster(4)))
    assert {k: result.counts[k] for k in ("created", "updated", "unchanged", "untouched")} == {
        "created": 2,
        "updated": 1,
        "unchanged": 1,
        "untouched": 1,
    }
    assert result.changed_staff_numbers == ["T00003", "T00004", "T00002"]
    assert Person.objects.get(school=school, staff_number="T00002").name == "教师2"
    assert Person.objects.filter(school=school, staff_number="X9").exists()


def test_an_error_in_row_900_writes_nothing(school, tmp_path) -> None:
    rows = [PEOPLE_HEADERS] + [person_row(f"T{i:04d}", f"教师{i}") for i in range(1, 1000)]
    rows[899][3] = "1985-02-30"  # Excel row 900
    path = write(tmp_path, workbook_bytes({"名册": rows}))
    with pytest.raises(RosterInvalid) as caught:
        run_import(school, path)
    (error,) = caught.value.plan.errors
    assert (error.sheet, error.row, error.column) == ("名册", 900, "出生日期")
    assert Person.objects.filter(school=school).count() == 0
    assert not AuditEntry.objects.filter(action="people.roster.imported").exists()


def test_registry_rules_apply_to_imported_rows(school, tmp_path) -> None:
    rows = [
        [*PEOPLE_HEADERS, "身心健康"],
        [*person_row("T1", "甲", joined="2005-09-01", started="2008-08-01"), None],
        [*person_row("T2", "乙"), "是"],
        ["T3", None, "男"],
    ]
    plan = analyse_roster(school=school, path=write(tmp_path, workbook_bytes({"名册": rows})))
    found = {(e.row, e.column) for e in plan.errors}
    assert (2, "入校时间") in found  # joined before starting work
    assert (3, "健康确认日期") in found  # 身心健康 without its date
    assert (4, "姓名") in found  # a new person needs a name


def test_national_id_is_stored_protected_and_checked_against_other_people(school, tmp_path) -> None:
    make_person(school, staff_number="OLD", name="已有", **national_id.protected_fields(VALID_ID))
    rows = [["工号", "姓名", "性别", "身份证号"], ["T1", "赵敏", "女", VALID_ID]]
    plan = analyse_roster(school=school, path=write(tmp_path, workbook_bytes({"名册": rows})))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "身份证号")]
    assert "已有" in plan.errors[0].message


def test_national_id_is_encrypted_and_masked_on_import(school, tmp_path) -> None:
    rows = [["工号", "姓名", "身份证号"], ["T1", "赵敏", VALID_ID]]
    run_import(school, write(tmp_path, workbook_bytes({"名册": rows})))
    person = Person.objects.get(school=school, staff_number="T1")
    assert person.national_id_masked == "1101**********002X"
    assert national_id.decrypt(person.national_id_encrypted) == VALID_ID
    assert person.gender == Gender.FEMALE
    entry = AuditEntry.objects.get(action="people.roster.imported")
    assert VALID_ID not in str(entry.new)
    assert entry.new["people"]["T1"]["new"]["national_id"] == "1101**********002X"


def test_national_id_that_disagrees_with_the_birth_date_is_an_error(school, tmp_path) -> None:
    rows = [
        ["工号", "姓名", "性别", "出生日期", "身份证号"],
        ["T1", "赵敏", "女", "1950-01-01", VALID_ID],
    ]
    plan = analyse_roster(school=school, path=write(tmp_path, workbook_bytes({"名册": rows})))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "身份证号")]


def test_history_names_posts_by_name_and_synonym(school, tmp_path) -> None:
    rows = {
        "名册": [PEOPLE_HEADERS, person_row("T1", "甲")],
        "任职经历": [
            ["工号", "姓名", "岗位", "开始", "结束"],
            ["T1", "甲", "班主任", "2010-09-01", "2013-07-31"],
            ["T1", "甲", "教研组组长", "2013-09-01", None],
            ["T1", "甲", "副校长", "2019-09-01", None],
            ["T1", "甲", "科室组长", "2016-09-01", "2018-07-31"],
        ],
    }
    plan = analyse_roster(school=school, path=write(tmp_path, workbook_bytes(rows)))
    assert [(e.sheet, e.row, e.column) for e in plan.errors] == [("任职经历", 5, "岗位")]
    assert "科室组长" in plan.errors[0].message and "班主任" in plan.errors[0].message
    codes = sorted(pid for _row, pid in plan.people[0].history_add)
    assert len(codes) == 3


def test_history_of_an_unknown_staff_number_is_an_error(school, tmp_path) -> None:
    rows = {"任职经历": [["工号", "岗位", "开始"], ["NOBODY", "班主任", "2010-09-01"]]}
    plan = analyse_roster(school=school, path=write(tmp_path, workbook_bytes(rows)))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "工号")]


def test_history_overlapping_the_same_post_is_an_error(school, tmp_path) -> None:
    person = make_person(school, staff_number="T1", name="甲")
    add_history(person, "class-teacher", dt.date(2010, 9, 1), dt.date(2014, 7, 31))
    rows = {
        "任职经历": [["工号", "岗位", "开始", "结束"], ["T1", "班主任", "2013-09-01", "2016-07-31"]]
    }
    plan = analyse_roster(school=school, path=write(tmp_path, workbook_bytes(rows)))
    assert [(e.row, e.column) for e in plan.errors] == [(2, "开始")]
    assert "重叠" in plan.errors[0].message


def test_history_row_already_stored_is_updated_not_duplicated(school, tmp_path) -> None:
    person = make_person(school, staff_number="T1", name="甲")
    add_history(person, "class-teacher", dt.date(2010, 9, 1))
    rows = {
        "任职经历": [["工号", "岗位", "开始", "结束"], ["T1", "班主任", "2010-09-01", "2014-07-31"]]
    }
    result = run_import(school, write(tmp_path, workbook_bytes(rows)))
    assert result.counts["history_updated"] == 1 and result.counts["history_added"] == 0
    assert result.counts["updated"] == 1
    assert list(person.post_history.values_list("end", flat=True)) == [dt.date(2014, 7, 31)]


def test_honours_are_added_once(school, tmp_path) -> None:
    make_person(school, staff_number="T1", name="甲")
    rows = {
        "荣誉": [
            ["工号", "称号", "级别", "年度"],
            ["T1", "优秀班主任", "区级", 2019],
            ["T1", "优秀党员", "校级", "2020年"],
        ]
    }
    path = write(tmp_path, workbook_bytes(rows))
    assert run_import(school, path).counts["honours_added"] == 2
    assert run_import(school, path).counts["honours_added"] == 0
    assert Honour.objects.filter(person__school=school).count() == 2


def test_archived_person_cannot_be_changed_by_import(school, tmp_path) -> None:
    from django.utils import timezone

    make_person(school, staff_number="T1", name="甲", archived_at=timezone.now())
    rows = [["工号", "姓名", "任教学科"], ["T1", "甲", "物理"]]
    plan = analyse_roster(school=school, path=write(tmp_path, workbook_bytes({"名册": rows})))
    assert len(plan.errors) == 1 and "归档" in plan.errors[0].message


def test_commit_revalidates_against_records_changed_since_the_preview(school, tmp_path) -> None:
    rows = [["工号", "姓名", "性别", "身份证号"], ["T1", "赵敏", "女", VALID_ID]]
    path = write(tmp_path, workbook_bytes({"名册": rows}))
    assert analyse_roster(school=school, path=path).errors == []
    # Meanwhile someone registers the same ID on another person.
    make_person(school, staff_number="OTHER", name="别人", **national_id.protected_fields(VALID_ID))
    with pytest.raises(RosterInvalid):
        run_import(school, path)
    assert not Person.objects.filter(school=school, staff_number="T1").exists()


def test_import_touches_only_its_own_school(school, other_school, tmp_path) -> None:
    make_person(other_school, staff_number="T00001", name="外校")
    result = run_import(school, write(tmp_path, simple_roster(1)))
    assert result.counts["created"] == 1
    assert Person.objects.get(school=other_school, staff_number="T00001").name == "外校"
