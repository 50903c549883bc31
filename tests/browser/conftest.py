"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Screenshots go to ``test-results/screens`` so a person can look at what the tests saw."""

from __future__ import annotations

from pathlib import Path

import pytest

from houbei.accounts.models import Role, User
from houbei.eligibility.services import create_rule_set
from houbei.selection.models import Level
from houbei.selection.services import ListDraft, create_cycle

from ..conftest import PASSWORD
from ..selection.conftest import REF, Walk, qualified

# The people of the selection pages' cycle (``walk``).
NAMES = ["陈晔", "黄蔚敏", "卢懿蕾", "浦吉丽", "张兰兰", "陈静华", "奚莉", "余立群", "邹建琴"]

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


@pytest.fixture
def walk(school, users):  # type: ignore[no-untyped-def]
    """A 2021 cycle of two lists (区级 2, 校级 3) among nine qualified people, to be moved
    on through the services (``tests/selection/conftest.Walk``) to the page a test opens."""
    rule_set = create_rule_set(
        actor=None, school=school, name="2021年选拔", reference_date=REF, is_default=True
    )
    staff = [qualified(school, name=n) for n in NAMES]
    cycle = create_cycle(
        actor=users[Role.PERSONNEL], school=school, title="2021年后备干部选拔", year=2021,
        reference_date=REF, rule_set=rule_set,
        lists=[ListDraft(Level.DISTRICT, 2), ListDraft(Level.SCHOOL, 3)],
    )  # fmt: skip
    return Walk(cycle, staff, (users[Role.PERSONNEL], users[Role.DECISION]))
