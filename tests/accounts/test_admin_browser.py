"""The administration pages in Chromium: a system administrator creates a user and hands
over the password, on a desktop and on a phone."""

from __future__ import annotations

from pathlib import Path

import pytest

from houbei.accounts.models import Role, User

from ..conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = Path(__file__).resolve().parents[2] / "test-results" / "screens"


def _log_in(page, live_server, user) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_administrator_creates_a_user_who_then_logs_in(users, school, page, live_server, browser):
    _log_in(page, live_server, users[Role.SYSADMIN])
    page.click("nav.mainnav >> text=用户管理")
    page.click("text=新建用户")
    page.fill("input[name=username]", "zhangqingyuan")
    page.fill("input[name=display_name]", "张清源")
    page.select_option("select[name=role]", Role.DECISION.value)
    page.select_option("select[name=school]", str(school.pk))
    page.click("button[type=submit]")
    password = page.input_value("#shown-password")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "accounts-user-created.png"), full_page=True)
    assert User.objects.get(username="zhangqingyuan").school == school

    fresh = browser.new_context().new_page()
    fresh.goto(f"{live_server.url}/accounts/login/")
    fresh.fill("input[name=username]", "zhangqingyuan")
    fresh.fill("input[name=password]", password)
    fresh.click("button[type=submit]")
    fresh.wait_for_url(f"{live_server.url}/")
    assert "校务会、支委会成员" in fresh.inner_text("header")


def test_admin_pages_fit_a_phone(users, school, other_school, page, live_server):
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server, users[Role.SYSADMIN])
    for path, name in (
        ("/accounts/users/", "accounts-users-phone"),
        ("/accounts/schools/", "accounts-schools-phone"),
        ("/accounts/tokens/", "accounts-tokens-phone"),
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)
