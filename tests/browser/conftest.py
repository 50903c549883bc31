"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Screenshots go to ``test-results/screens`` so a person can look at what the tests saw."""

from __future__ import annotations

from pathlib import Path

import pytest

from houbei.accounts.models import User

from ..conftest import PASSWORD

SCREENS = Path(__file__).resolve().parents[2] / "test-results" / "screens"


@pytest.fixture
def login(live_server, page):  # type: ignore[no-untyped-def]
    def do(user: User, *, password: str = PASSWORD) -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")

    return do


@pytest.fixture
def screenshot(page):  # type: ignore[no-untyped-def]
    def do(name: str) -> Path:
        SCREENS.mkdir(parents=True, exist_ok=True)
        path = SCREENS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return do
