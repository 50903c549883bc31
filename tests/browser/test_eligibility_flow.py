"""What a personnel officer does with the eligibility board: open it, try a what-if
(5 → 4 years at the school), grant an override with a reason, export the board, and find
the override in the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from houbei.accounts.models import Role
from houbei.eligibility import services
from houbei.eligibility.models import Ruling

from ..factories import add_history, make_person

pytestmark = pytest.mark.browser
REF = dt.date(2021, 2, 26)


def _staff(school):
    ready = make_person(
        school,
        name="陈静华",
        birth_date=dt.date(1985, 5, 1),
        joined_school_on=dt.date(2010, 8, 25),
        fit_for_duty=True,
    )
    add_history(ready, "class-teacher", dt.date(2010, 9, 1), dt.date(2016, 6, 30))
    near = make_person(
        school,
        name="邱喆",
        birth_date=dt.date(1990, 3, 1),
        joined_school_on=dt.date(2016, 8, 1),  # 4 years 6 months on REF
        fit_for_duty=True,
    )
    add_history(near, "class-teacher", dt.date(2016, 9, 1), None)
    new = make_person(
        school,
        name="王新",
        birth_date=dt.date(1995, 3, 1),
        joined_school_on=dt.date(2019, 8, 26),
        fit_for_duty=True,
    )
    add_history(new, "class-teacher", dt.date(2019, 9, 1), None)
    return ready, near, new


def test_board_what_if_override_export_and_audit(
    page, live_server, users, school, login, screenshot, tmp_path
) -> None:
    _ready, _near, new = _staff(school)
    rule_set = services.create_rule_set(
        actor=None, school=school, name="2021年后备干部选拔条件", reference_date=REF
    )
    login(users[Role.PERSONNEL])
    page.click("nav >> text=选拔条件")
    page.click("table.data >> text=2021年后备干部选拔条件")
    main = page.locator("main")
    expect(main).to_contain_text("基准日 2021-02-26")
    row = page.locator("table.board-table tbody tr", has_text="邱喆")
    expect(row).to_contain_text("不符合条件")
    expect(page.locator("table.board-table tbody tr", has_text="陈静华")).to_contain_text(
        "符合条件"
    )
    screenshot("eligibility-board")

    # What-if: five years at the school → four. 邱喆 enters; nothing is saved yet.
    page.click("main .actions >> text=条件与试算")
    page.fill("#p-school-years-min_years", "4")
    page.click("button[form=whatif]")
    result = page.locator("#whatif-result")
    expect(result).to_contain_text("新增符合 1 人")
    expect(result.locator("li", has_text="邱喆")).to_have_count(1)
    screenshot("eligibility-what-if")
    assert rule_set.rules.get(key="school-years").params["min_years"] == "5"

    # Override for the newcomer, with the reason; it shows on his result.
    page.goto(f"{live_server.url}/eligibility/{rule_set.pk}/")
    page.locator("table.board-table tbody tr", has_text="王新").locator(
        "a", has_text="王新"
    ).click()
    expect(main).to_contain_text("要求满5年")
    page.select_option("#id_rule", "school-years")
    page.check("input[name=outcome][value=pass]")
    page.click("form >> text=记录认定")  # no reason yet
    expect(main).to_contain_text("请写明理由")
    page.check("input[name=outcome][value=pass]")
    page.fill("#id_reason", "区教育局调入的骨干教师，校务会2021年2月认定")
    page.click("form >> text=记录认定")
    expect(page.locator(".messages")).to_contain_text("已记录王新")
    expect(page.locator("#rule-school-years .ruling")).to_contain_text("校务会2021年2月认定")
    assert Ruling.objects.active().filter(person=new, rule__key="school-years").exists()
    screenshot("eligibility-override")

    # Export the board as it stands.
    page.goto(f"{live_server.url}/eligibility/{rule_set.pk}/")
    with page.expect_download() as download:
        page.click("main .actions >> text=导出 Excel")
    saved = tmp_path / "board.xlsx"
    download.value.save_as(saved)
    cells = [c for row in load_workbook(saved).active.iter_rows(values_only=True) for c in row]
    assert "王新" in cells and "陈静华" in cells

    # The override is in the audit trail, with the reason.
    page.goto(f"{live_server.url}/audit/?action=eligibility.ruling.overridden")
    expect(main).to_contain_text("王新")
    expect(main).to_contain_text("校务会2021年2月认定")
    screenshot("eligibility-audit")


def test_board_on_a_phone(page, live_server, users, school, login) -> None:
    _staff(school)
    rule_set = services.create_rule_set(
        actor=None, school=school, name="2021年条件", reference_date=REF
    )
    page.set_viewport_size({"width": 390, "height": 844})
    login(users[Role.DECISION])
    page.goto(f"{live_server.url}/eligibility/{rule_set.pk}/")
    expect(page.locator("table.board-table tbody tr", has_text="陈静华")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392, f"page is {width}px wide on a 390px phone"
