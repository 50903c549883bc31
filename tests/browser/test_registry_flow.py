"""What a personnel officer does first: import a roster that has mistakes, read the errors,
fix the file, import it, then find a person."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from houbei.accounts.models import Role
from houbei.people.models import Person
from tests.roster.fixtures import data_dir  # noqa: F401
from tests.roster.workbooks import PEOPLE_HEADERS, person_row, workbook_bytes

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("data_dir")]


def _roster(rows: list[list[object]]) -> bytes:
    # As schools keep them: a merged title row above the header, a footer below.
    title = ["市八初级中学教职工名册（2026年11月）"] + [None] * (len(PEOPLE_HEADERS) - 1)
    footer = ["制表人：人事室"] + [None] * (len(PEOPLE_HEADERS) - 1)
    return workbook_bytes(
        {"名册": [title, PEOPLE_HEADERS, *rows, [], footer]}, merges={"名册": ["A1:I1"]}
    )


def test_import_with_errors_then_fixed_file_then_find_the_person(
    page, live_server, users, school, tmp_path, login, screenshot
) -> None:
    login(users[Role.PERSONNEL])
    good = person_row("S001", "陈晔", birth="1986.05", joined="2009年9月")
    bad_date = person_row("S002", "黄蔚敏", birth="1987-13-40")
    bad_gender = person_row("S003", "卢懿蕾", gender="未知")
    broken = tmp_path / "名册-有错.xlsx"
    broken.write_bytes(_roster([good, bad_date, bad_gender]))

    page.goto(f"{live_server.url}/roster/import/")
    page.set_input_files("input[type=file]", str(broken))
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/roster/import/[0-9a-f-]{36}/$"))
    main = page.locator("main")
    # Each error names the sheet, the row as Excel shows it, the column and the reason.
    expect(main).to_contain_text("出生日期")
    expect(main).to_contain_text("性别")
    text = main.inner_text()
    assert "第4行" in text or "4" in text
    assert page.locator("form.actions button.primary").count() == 0, "no commit with errors"
    screenshot("roster-errors")
    assert Person.objects.filter(school=school).count() == 0

    fixed = tmp_path / "名册-已改.xlsx"
    fixed.write_bytes(
        _roster(
            [
                good,
                person_row("S002", "黄蔚敏", birth="1987-12-10"),
                person_row("S003", "卢懿蕾", gender="女"),
            ]
        )
    )
    page.goto(f"{live_server.url}/roster/import/")
    page.set_input_files("input[type=file]", str(fixed))
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/roster/import/[0-9a-f-]{36}/$"))
    expect(main).to_contain_text("新增 3 人")
    preview_url = page.url
    page.click("form.actions button.primary")
    page.wait_for_url(preview_url)
    expect(page.locator(".messages")).to_contain_text("名册已导入")
    assert Person.objects.filter(school=school).count() == 3

    # Find her by name from the registry's search box.
    page.goto(f"{live_server.url}/people/")
    page.fill("input[name=q]", "卢懿蕾")
    page.keyboard.press("Enter")
    row = page.locator("table.data tbody tr", has_text="卢懿蕾")
    expect(row).to_have_count(1)
    row.locator("a", has_text="卢懿蕾").click()
    expect(page.locator("h1")).to_contain_text("卢懿蕾")
    expect(main).to_contain_text("S003")
    screenshot("person-detail")
