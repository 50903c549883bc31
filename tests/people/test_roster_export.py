"""The roster export: filters, formula neutralisation, masked IDs, audit, round trip."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from openpyxl import load_workbook

from houbei.accounts.models import Role
from houbei.audit.models import AuditEntry
from houbei.core import exports
from houbei.core.errors import NotAllowed
from houbei.people import national_id
from houbei.people.filters import PersonFilters
from houbei.people.models import AnnualAppraisal, PostStatus
from houbei.people.roster.exports import RosterExportRequest, neutralise
from houbei.people.roster.services import analyse_roster
from tests.factories import add_history, add_honour, make_person
from tests.roster.workbooks import write

VALID_ID = "11010519491231002X"

pytestmark = pytest.mark.django_db


def sheet_rows(content: bytes, title: str) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content))
    return [tuple(r) for r in workbook[title].iter_rows(values_only=True)]


@pytest.mark.parametrize("text", ["=1+2", "+86 138", "-5", "@SUM(A1)", "\tx", "\rx"])
def test_neutralise_prefixes_formula_characters(text) -> None:
    assert neutralise(text) == "'" + text


def test_neutralise_leaves_ordinary_values() -> None:
    assert neutralise("王静") == "王静"
    assert neutralise(-5) == -5


def test_xlsx_export_neutralises_cells_a_spreadsheet_would_run(school, users) -> None:
    make_person(
        school,
        staff_number="T1",
        name="甲",
        title='=HYPERLINK("http://x","y")',
        phone="+86 21 5555",
        subject="@SUM(1)",
    )
    file = exports.run_export(
        "roster", school, actor=users[Role.PERSONNEL], filters=None, fmt="xlsx"
    )
    workbook = load_workbook(io.BytesIO(file.content))
    ws = workbook["教职工名册"]
    values = [c.value for c in ws[2]]
    assert '\'=HYPERLINK("http://x","y")' in values
    assert "'+86 21 5555" in values
    assert "'@SUM(1)" in values
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)


def test_export_masks_national_ids_by_default(school, users) -> None:
    make_person(school, staff_number="T1", name="甲", **national_id.protected_fields(VALID_ID))
    file = exports.run_export(
        "roster", school, actor=users[Role.DECISION], filters=None, fmt="json"
    )
    data = json.loads(file.content)
    assert data["people"][0]["national_id"] == "1101**********002X"
    assert VALID_ID not in file.content.decode()


def test_full_national_ids_only_when_asked_and_audited(school, users) -> None:
    make_person(school, staff_number="T1", name="甲", **national_id.protected_fields(VALID_ID))
    wanted = RosterExportRequest(full_national_ids=True, reason="区教育局核对")
    file = exports.run_export(
        "roster", school, actor=users[Role.PERSONNEL], filters=wanted, fmt="xlsx"
    )
    assert sheet_rows(file.content, "教职工名册")[1][4] == VALID_ID
    entry = AuditEntry.objects.get(action="people.roster.exported")
    assert entry.new["full_national_ids"] is True
    assert entry.reason == "区教育局核对"


def test_full_national_ids_refused_without_the_export_capability(school, users) -> None:
    wanted = RosterExportRequest(full_national_ids=True, reason="x")
    with pytest.raises(NotAllowed):
        exports.run_export("roster", school, actor=users[Role.STAFF], filters=wanted, fmt="json")
    assert not AuditEntry.objects.filter(action="people.roster.exported").exists()


def test_export_follows_the_list_filters_and_logs_them(school, users) -> None:
    make_person(school, staff_number="T1", name="在岗", post_status=PostStatus.ON_DUTY)
    make_person(school, staff_number="T2", name="退休", post_status=PostStatus.RETIRED)
    wanted = RosterExportRequest(people=PersonFilters(post_status="retired"))
    file = exports.run_export(
        "roster", school, actor=users[Role.PERSONNEL], filters=wanted, fmt="json"
    )
    assert [p["name"] for p in json.loads(file.content)["people"]] == ["退休"]
    entry = AuditEntry.objects.get(action="people.roster.exported")
    assert entry.actor == users[Role.PERSONNEL]
    assert entry.new == {
        "format": "json",
        "filters": {"post_status": "retired"},
        "rows": 1,
        "full_national_ids": False,
    }


def test_export_is_scoped_to_the_school(school, other_school, users) -> None:
    make_person(school, staff_number="T1", name="本校")
    make_person(other_school, staff_number="T2", name="外校")
    file = exports.run_export(
        "roster", school, actor=users[Role.PERSONNEL], filters=None, fmt="json"
    )
    assert [p["name"] for p in json.loads(file.content)["people"]] == ["本校"]


def test_export_query_count_does_not_grow_with_rows(
    school, users, django_assert_num_queries
) -> None:
    for i in range(12):
        person = make_person(school, staff_number=f"T{i:02d}")
        add_history(person, "class-teacher", __import__("datetime").date(2012, 9, 1))
        add_honour(person)
        AnnualAppraisal.objects.create(person=person, year=2023, grade="qualified")
    # people, history with posts, honours, annual appraisals; then the audit append:
    # savepoint, head lock, insert, head update, release
    with django_assert_num_queries(4 + 5):
        exports.run_export("roster", school, actor=users[Role.PERSONNEL], filters=None, fmt="xlsx")


def test_exported_workbook_imports_back_unchanged(school, users, tmp_path) -> None:
    import datetime as dt

    person = make_person(
        school,
        staff_number="T1",
        name="甲",
        phone="+86 21 5555 0000",
        fit_for_duty=True,
        fit_for_duty_on=dt.date(2021, 3, 1),
        **national_id.protected_fields(VALID_ID),
        birth_date=dt.date(1949, 12, 31),
        joined_school_on=dt.date(1975, 9, 1),
        started_work_on=dt.date(1970, 8, 1),
    )
    add_history(person, "class-teacher", dt.date(1976, 9, 1), dt.date(1980, 7, 31))
    add_honour(person, title="优秀党员", year=2019)
    AnnualAppraisal.objects.create(person=person, year=2019, grade="excellent", note="区优秀党员")
    AnnualAppraisal.objects.create(person=person, year=2020, grade="ungraded", note="病假超过半年")
    file = exports.run_export(
        "roster", school, actor=users[Role.PERSONNEL], filters=None, fmt="xlsx"
    )
    plan = analyse_roster(school=school, path=write(tmp_path, file.content))
    assert plan.errors == []
    assert plan.counts()["unchanged"] == 1 and plan.counts()["updated"] == 0


def test_unknown_kind_and_format_are_refused(school) -> None:
    with pytest.raises(exports.UnknownExport):
        exports.run_export("nothing", school, actor=None, filters=None, fmt="json")
    with pytest.raises(exports.DomainError):
        exports.run_export("roster", school, actor=None, filters=None, fmt="csv")


def test_register_refuses_a_second_exporter_for_a_kind() -> None:
    with pytest.raises(ValueError, match="already registered"):
        exports.register("roster")(lambda school, *, actor, filters, fmt: ("a", "b", b""))


@example(text="'=1+2")
@given(text=st.text(min_size=1, max_size=30).map(lambda t: " ".join(t.split())).filter(bool))
def test_neutralised_text_reads_back_as_it_was(text: str) -> None:
    from houbei.people.roster.cells import text_of

    assert text_of(neutralise(text)) == text


def test_workbooks_made_in_english_import_back(school, users, tmp_path) -> None:
    """The roster is a Chinese school document: an export or template downloaded while the
    screen is in English still has the Chinese headers and choices the importer reads."""
    from django.utils import translation

    from houbei.people.roster.template import build_template

    make_person(school, staff_number="T9", name="乙")
    with translation.override("en"):
        file = exports.run_export(
            "roster", school, actor=users[Role.PERSONNEL], filters=None, fmt="xlsx"
        )
        template = build_template(school)
    plan = analyse_roster(school=school, path=write(tmp_path, file.content))
    assert plan.errors == []
    assert plan.counts()["unchanged"] == 1
    assert sheet_rows(template, "教职工名册")[0][0] == "工号"
