"""Shared fixtures: a district with two schools, one user per role, and the Chromium set-up
for browser tests."""

from __future__ import annotations

import os
import shutil
import warnings

import pytest

from houbei.accounts.models import Role, User
from houbei.organisation.models import District, School
from houbei.organisation.services import create_school

# Playwright's sync API runs an event loop in the test thread; without this Django refuses
# ORM calls made inside browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("HOUBEI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "Houbei-test-2026"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests need Debian's Chromium. On a developer machine without it they are
    skipped with a loud warning; in CI (CI=true) a missing browser fails the run."""
    if os.path.exists(CHROMIUM):
        return
    browser_items = [i for i in items if i.get_closest_marker("browser")]
    if not browser_items:
        return
    message = (
        f"Chromium not found at {CHROMIUM}: {len(browser_items)} browser tests cannot run. "
        "Install it with: apt-get install chromium fonts-noto-cjk"
    )
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        raise pytest.UsageError(message + " (CI=true: failing instead of skipping)")
    warnings.warn(message, stacklevel=1)
    print("\n" + "!" * 78 + "\n!! " + message + "\n" + "!" * 78)
    skip = pytest.mark.skip(reason=message)
    for item in browser_items:
        item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def district(db) -> District:  # type: ignore[no-untyped-def]
    return District.objects.create(name="示范区", code="demo-district")


@pytest.fixture
def school(district: District) -> School:
    return create_school(
        actor=None, district=district, name="市八初级中学", code="shiba", short_name="市八初中"
    )


@pytest.fixture
def other_school(district: District) -> School:
    return create_school(actor=None, district=district, name="第二中学", code="second")


def make_user(
    role: Role,
    *,
    school: School | None = None,
    district: District | None = None,
    username: str | None = None,
) -> User:
    return User.objects.create_user(
        username=username or f"{role.value}-{school.code if school else 'x'}",
        password=PASSWORD,
        role=role,
        school=school,
        district=district,
        display_name=f"{role.label}",
    )


@pytest.fixture
def users(school: School, district: District) -> dict[str, User]:
    """One user per role of ``school`` (district and system roles have no school)."""
    return {
        Role.PERSONNEL: make_user(Role.PERSONNEL, school=school),
        Role.DECISION: make_user(Role.DECISION, school=school),
        Role.MENTOR: make_user(Role.MENTOR, school=school),
        Role.STAFF: make_user(Role.STAFF, school=school),
        Role.DISTRICT: make_user(Role.DISTRICT, district=district),
        Role.SYSADMIN: make_user(Role.SYSADMIN),
    }


@pytest.fixture
def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None or os.path.exists(CHROMIUM)
