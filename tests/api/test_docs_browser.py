"""The docs page in Chromium: Swagger UI renders from our own files under the CSP, makes no
request to another site, and "Try it out" calls the API as the logged-in user."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest

from houbei.accounts.models import Role

from ..conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENS = Path(__file__).resolve().parents[2] / "test-results" / "screens"


def _log_in(page, live_server, user) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server.url}/accounts/login/?next=/api/docs")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/api/docs")


def _operation_count(page, live_server) -> int:  # type: ignore[no-untyped-def]
    document = page.request.get(f"{live_server.url}/api/openapi.json").json()
    return sum(len(methods) for methods in document["paths"].values())


def test_docs_render_offline_under_the_csp_and_try_it_out_works(users, page, live_server):
    _log_in(page, live_server, users[Role.PERSONNEL])
    own_host = urlparse(live_server.url).netloc
    foreign_requests: list[str] = []
    page.on(
        "request",
        lambda r: (
            foreign_requests.append(r.url)
            if urlparse(r.url).scheme in {"http", "https"} and urlparse(r.url).netloc != own_host
            else None
        ),
    )
    problems: list[str] = []

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        # Chromium asks for /favicon.ico by itself; the site has none.
        if message.type == "error" and not message.location.get("url", "").endswith("favicon.ico"):
            problems.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.reload()
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
    # One block per operation of the published description.
    assert page.locator(".swagger-ui .opblock").count() == _operation_count(page, live_server)
    assert "Houbei API" in page.inner_text(".swagger-ui .info")

    page.click("#operations-学校-schools_list .opblock-summary")
    page.click("#operations-学校-schools_list button.try-out__btn")
    page.click("#operations-学校-schools_list button.execute")
    result = page.locator(
        "#operations-学校-schools_list .live-responses-table tbody .response-col_status"
    )
    result.first.wait_for(timeout=10_000)
    assert "200" in result.first.inner_text()
    assert "市八初级中学" in page.inner_text("#operations-学校-schools_list .live-responses-table")

    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / "api-docs.png"), full_page=True)
    assert foreign_requests == []
    assert problems == [], "\n".join(problems)
