"""The import in Chromium: the page polls the progress while the upload is read and while
it is imported; then the preview, the commit and the result."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from houbei.accounts.models import Role
from houbei.people.models import Person
from tests.roster.fixtures import data_dir  # noqa: F401
from tests.roster.workbooks import simple_roster

from ..conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("data_dir")]
SCREENS = Path(__file__).resolve().parents[2] / "test-results" / "screens"


def test_upload_shows_progress_then_preview_commit_and_result(
    page, live_server, users, school, tmp_path
) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", users[Role.PERSONNEL].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    roster = tmp_path / "名册.xlsx"
    roster.write_bytes(simple_roster(3000, history=True))
    page.goto(f"{live_server.url}/roster/import/")
    page.set_input_files("input[type=file]", str(roster))
    polls: list[str] = []
    page.on(
        "response",
        lambda r: polls.append(r.status) if "/progress/" in r.url else None,
    )
    page.click("button.primary")
    page.wait_for_url(re.compile(r"/roster/import/[0-9a-f-]{36}/$"), timeout=120_000)
    # While the request that uploads and reads the file was running, the page polled the
    # upload's progress (the fragment's content is checked in test_roster_views; the
    # browser drops the bodies once the page has moved on).
    assert 200 in polls, polls
    expect(page.locator("main")).to_contain_text("确认导入（新增 3000 人，更新 0 人）")
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "roster-preview.png"))

    preview_url = page.url
    polls.clear()
    page.click("form.actions button.primary")
    page.wait_for_url(preview_url, timeout=120_000)
    assert 200 in polls, polls
    expect(page.locator("main")).to_contain_text("导入结果")
    expect(page.locator(".messages")).to_contain_text("名册已导入")
    page.screenshot(path=str(SCREENS / "roster-result.png"))
    assert Person.objects.filter(school=school).count() == 3000
    # Our script and pages run under the CSP (htmx's own indicator style is not ours).
    assert not [e for e in errors if "roster" in e]
