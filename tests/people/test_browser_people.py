"""The registry in Chromium: live search swaps the results without reloading the page,
and a history row and an annual grade are added in place with the audit trail refreshed
beside them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import expect

from houbei.accounts.models import Role

from ..conftest import PASSWORD
from ..factories import add_history, make_person

pytestmark = pytest.mark.browser
SCREENS = Path(__file__).resolve().parents[2] / "test-results" / "screens"


def _login(page, live_server, user) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_live_search_swaps_results_without_reloading(page, live_server, users, school) -> None:
    make_person(school, name="陈晔", staff_number="1", gender="F")
    make_person(school, name="黄蔚敏", staff_number="2", gender="F")
    _login(page, live_server, users[Role.PERSONNEL])
    page.goto(f"{live_server.url}/people/")
    page.evaluate("window.notReloaded = true")
    page.fill("#f-q", "陈")
    # expect() polls without evaluating strings, which the page's CSP forbids.
    expect(page.locator("#results")).not_to_contain_text("黄蔚敏")
    assert "陈晔" in page.inner_text("#results")
    assert page.evaluate("window.notReloaded") is True
    assert page.url.endswith("/people/?q=%E9%99%88")
    page.select_option("#f-gender", "M")
    expect(page.locator("#results")).to_contain_text("没有符合条件")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "people-list-search.png"), full_page=True)


def test_history_row_is_added_in_place(page, live_server, users, school) -> None:
    person = make_person(school, name="卢懿蕾")
    add_history(person, "class-teacher", dt.date(2012, 9, 1), dt.date(2015, 8, 31))
    _login(page, live_server, users[Role.PERSONNEL])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/people/{person.pk}/")
    page.evaluate("window.notReloaded = true")
    page.click("summary:has-text('添加任职经历')")
    page.select_option("#id_history_post", label="年级组长")
    page.fill("#id_history_start", "2019-09-01")
    page.click("#history form.row-form button[type=submit]")
    page.wait_for_selector("#history .notice")
    assert "年级组长" in page.inner_text("#history tbody")
    assert "添加任职经历" in page.inner_text("#audit li")
    assert page.evaluate("window.notReloaded") is True
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "people-detail-phone.png"), full_page=True)


def test_an_annual_grade_is_added_and_corrected_in_place(page, live_server, users, school) -> None:
    person = make_person(school, name="浦吉丽")
    _login(page, live_server, users[Role.PERSONNEL])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/people/{person.pk}/")
    page.evaluate("window.notReloaded = true")
    page.click("summary:has-text('添加年度考核等次')")
    page.fill("#id_appraisal_year", "2024")
    page.select_option("#id_appraisal_grade", label="合格")
    page.click("#appraisals form.row-form button[type=submit]")
    expect(page.locator("#appraisals .notice")).to_contain_text("已添加年度考核等次")
    assert "合格" in page.inner_text("#appraisals tbody")
    expect(page.locator("#audit li").first).to_contain_text("添加年度考核等次")
    # The same year again is refused in place, naming the grade already there.
    page.click("summary:has-text('添加年度考核等次')")
    page.fill("#id_appraisal_year", "2024")
    page.select_option("#id_appraisal_grade", label="优秀")
    page.click("#appraisals form.row-form button[type=submit]")
    expect(page.locator("#appraisals")).to_contain_text("2024年度的考核等次已登记（合格）")
    # Corrected through 修改 instead.
    page.click("#appraisals .row-actions a:has-text('修改')")
    page.select_option("#appraisals tr.editing select", label="优秀")
    page.click("#appraisals tr.editing button[type=submit]")
    expect(page.locator("#appraisals .notice")).to_contain_text("已保存年度考核等次")
    assert "优秀" in page.inner_text("#appraisals tbody")
    assert page.evaluate("window.notReloaded") is True
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "people-appraisals-phone.png"), full_page=True)
