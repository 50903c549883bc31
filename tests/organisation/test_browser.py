"""The organisation pages in Chromium: the mentor picker's live filter, htmx month
navigation and the calculator fragment, and the phone layout."""

from __future__ import annotations

import pytest

from houbei.accounts.models import Role
from houbei.organisation.models import Post

from ..conftest import PASSWORD
from ..factories import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def signed_in(live_server, page, users):
    def do(role: Role = Role.PERSONNEL) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", users[role].username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return do


def test_mentor_picker_filters_as_one_types_and_saves_the_choice(
    live_server, page, school, signed_in
):
    wang = make_person(school, name="王数学", subject="数学")
    make_person(school, name="李语文", subject="语文")
    signed_in()
    post = Post.objects.get(school=school, code="grade-leader")
    page.goto(f"{live_server.url}/organisation/posts/{post.pk}/edit/")
    assert page.locator(".picker-filter").count() == 0  # the script replaced the button
    page.fill("[data-picker-input]", "数学")
    assert page.locator("li[data-search]:visible").all_inner_texts()[0].startswith("王数学")
    assert page.locator("li[data-search]:visible").count() == 1
    page.check(f"input[name=default_mentors][value='{wang.pk}']")
    assert page.inner_text("[data-picker-count]") == "已选 1 人"
    page.press("[data-picker-input]", "Enter")  # must not submit the form
    assert "/edit/" in page.url
    page.click("button.primary")
    page.wait_for_url(f"{live_server.url}/organisation/posts/")
    assert list(post.default_mentors.all()) == [wang]


def test_month_navigation_swaps_the_grid_and_keeps_the_url(live_server, page, signed_in):
    signed_in()
    page.goto(f"{live_server.url}/organisation/workdays/?month=2024-09")
    page.click("text=下月 ›")
    page.wait_for_url("**month=2024-10")
    grid = page.locator("#month-grid")
    assert "2024年10月" in grid.inner_text()
    assert page.locator("#month-grid td.holiday").count() == 7
    assert page.locator("#month-grid td.adjusted").count() == 1  # 12 Oct (29 Sep is outside)
    assert page.locator("h1").count() == 1  # only the grid was swapped


def test_calculator_answers_in_place(live_server, page, signed_in):
    signed_in()
    page.goto(f"{live_server.url}/organisation/workdays/?month=2024-10")
    page.fill("#id_start", "2024-09-27")
    page.fill("#id_n", "5")
    page.locator("form", has=page.locator("#id_start")).locator("button").click()
    result = page.locator("#calc-result")
    result.locator("strong").first.wait_for()
    assert "2024年10月9日" in result.inner_text()
    assert "/workdays/calc/" not in page.url


def test_pages_fit_a_phone(live_server, page, school, signed_in):
    page.set_viewport_size({"width": 390, "height": 844})
    signed_in()
    for path in (
        "/organisation/posts/",
        "/organisation/calendar/",
        "/organisation/workdays/?month=2024-10",
    ):
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
