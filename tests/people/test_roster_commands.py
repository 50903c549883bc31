"""``houbei import-roster`` and ``houbei export`` through call_command."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from houbei.audit.models import AuditEntry
from houbei.people.models import Person, PostStatus
from tests.factories import make_person
from tests.roster.workbooks import PEOPLE_HEADERS, person_row, simple_roster, workbook_bytes, write

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_roster_is_a_dry_run_by_default(school, tmp_path) -> None:
    path = write(tmp_path, simple_roster(3))
    out, _err = run("import_roster", str(path), "--school", school.code)
    assert "新增 3" in out and "--commit" in out
    assert Person.objects.count() == 0
    assert not AuditEntry.objects.filter(action="people.roster.imported").exists()


def test_import_roster_commit_imports_and_prints_counts(school, tmp_path) -> None:
    path = write(tmp_path, simple_roster(3, history=True))
    out, _err = run("import_roster", str(path), "--school", school.code, "--commit")
    assert "已导入：新增 3，更新 0，不变 0，新增任职经历 3" in out
    assert Person.objects.filter(school=school).count() == 3
    entry = AuditEntry.objects.get(action="people.roster.imported")
    assert entry.actor is None and entry.actor_name == "系统"
    out, _err = run("import_roster", str(path), "--school", school.code, "--commit")
    assert "新增 0，更新 0，不变 3" in out


def test_import_roster_prints_errors_and_exits_1(school, tmp_path) -> None:
    rows = [PEOPLE_HEADERS, person_row("T1", "甲"), person_row("T2", "乙", birth="1985.13")]
    path = write(tmp_path, workbook_bytes({"教职工": rows}))
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command(
            "import_roster",
            str(path),
            "--school",
            school.code,
            "--commit",
            stdout=io.StringIO(),
            stderr=err,
        )
    assert caught.value.returncode == 1
    assert "教职工 3 出生日期: 日期“1985.13”的月份不存在。" in err.getvalue()
    assert Person.objects.count() == 0


def test_import_roster_refuses_an_unreadable_file(school, tmp_path) -> None:
    path = write(tmp_path, b"%PDF-1.4", "名册.pdf")
    with pytest.raises(CommandError, match="PDF") as caught:
        run("import_roster", str(path), "--school", school.code)
    assert caught.value.returncode == 1


def test_import_roster_needs_a_known_school(tmp_path, db) -> None:
    path = write(tmp_path, simple_roster(1))
    with pytest.raises(CommandError, match="没有代码"):
        run("import_roster", str(path), "--school", "nowhere")


def test_export_json_to_stdout_with_a_status_filter(school) -> None:
    make_person(school, staff_number="T1", name="在岗", post_status=PostStatus.ON_DUTY)
    make_person(school, staff_number="T2", name="退休", post_status=PostStatus.RETIRED)
    out, _err = run(
        "export", "roster", "--format", "json", "--school", school.code, "--status", "on"
    )
    data = json.loads(out)
    assert [p["name"] for p in data["people"]] == ["在岗"]
    entry = AuditEntry.objects.get(action="people.roster.exported")
    assert entry.new["filters"] == {"post_status": "on"} and entry.new["rows"] == 1


def test_export_xlsx_to_a_file(school, tmp_path) -> None:
    make_person(school, staff_number="T1", name="甲")
    target = tmp_path / "out.xlsx"
    run("export", "roster", "--format", "xlsx", "--school", school.code, "--output", str(target))
    rows = list(load_workbook(target)["教职工名册"].iter_rows(values_only=True))
    assert rows[1][:2] == ("T1", "甲")


def test_export_full_ids_need_a_reason(school) -> None:
    with pytest.raises(CommandError, match="--reason"):
        run("export", "roster", "--format", "json", "--school", school.code, "--full-ids")


def test_houbei_cli_maps_dashes_to_the_command(school, tmp_path, capsys) -> None:
    from houbei.cli import main

    path = write(tmp_path, simple_roster(2))
    main(["import-roster", str(path), "--school", school.code])
    assert "新增 2" in capsys.readouterr().out
