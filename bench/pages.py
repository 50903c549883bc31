"""Page latency on a district-sized database.

Builds the generated district (``bench/_district.py``), then requests each page in-process
with Django's test ``Client`` (one client per role, logged in): a few warm-up requests,
then ``--requests`` timed ones. Prints p50 and p95 in milliseconds and the number of
database queries the page makes. Target: p95 ≤ 100 ms on PostgreSQL; the eligibility board,
which evaluates every rule for every person of the school, ≤ 150 ms.

Pages whose URL does not resolve yet (a module not installed) are skipped with a note on
stderr, so the bench runs at every stage of the project.

    houbei bench pages [--schools 60] [--staff 150] [--requests 50] [--warmup 5]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from houbei.accounts.models import Role, User
from houbei.people.models import Person

from ._district import GeneratedDistrict, build_district
from ._report import emit, log, percentile

TARGET_P95_MS = 100.0
ELIGIBILITY_BOARD_P95_MS = 150.0  # every person of a 150-person school, all rules


@dataclass
class Page:
    name: str  # metric prefix, e.g. "people_list.search"
    user: User
    url: Callable[[], str]  # raises NoReverseMatch when the page does not exist yet
    target: float = TARGET_P95_MS


def pages_for(built: GeneratedDistrict) -> list[Page]:
    school = built.schools[0]
    users = built.users[school.pk]
    assert built.district_user is not None and built.sysadmin is not None
    # A person with a full history: the detail page's worst case in this data set.
    busiest = (
        Person.objects.filter(school=school)
        .order_by("-joined_school_on", "pk")
        .values_list("pk", flat=True)
        .last()
    )
    surname = Person.objects.filter(school=school).values_list("name", flat=True).first() or "王"
    pages = [
        Page(f"home.{role.value}", users[role], lambda: reverse("home"))
        for role in (Role.PERSONNEL, Role.DECISION, Role.MENTOR, Role.STAFF)
    ]
    pages += [
        Page("home.district", built.district_user, lambda: reverse("home")),
        Page("home.sysadmin", built.sysadmin, lambda: reverse("home")),
        Page(
            "district_overview.district", built.district_user, lambda: reverse("district:overview")
        ),
        Page("district_overview.sysadmin", built.sysadmin, lambda: reverse("district:overview")),
        Page("people_list.page1", users[Role.PERSONNEL], lambda: reverse("people:list")),
        Page(
            "people_list.search",
            users[Role.PERSONNEL],
            lambda: reverse("people:list") + f"?q={surname[0]}&post_status=on",
        ),
        Page(
            "people_detail",
            users[Role.PERSONNEL],
            lambda: reverse("people:detail", kwargs={"pk": busiest}),
        ),
        Page("people_own", users[Role.STAFF], lambda: reverse("people:own")),
    ]
    rule_set = _rule_set(school)
    if rule_set is not None:
        pages += [
            Page(
                "eligibility_board",
                users[Role.PERSONNEL],
                lambda: reverse("eligibility:board", args=[rule_set.pk]),
                target=ELIGIBILITY_BOARD_P95_MS,
            ),
            Page(
                "eligibility_person",
                users[Role.PERSONNEL],
                lambda: reverse("eligibility:person", args=[rule_set.pk, busiest]),
            ),
        ]
    return pages


def _rule_set(school):  # type: ignore[no-untyped-def]
    """The plan's rule set for the measured school, or None before the module exists."""
    try:
        from houbei.eligibility.services import create_rule_set
    except ImportError:
        return None
    return create_rule_set(actor=None, school=school, name="基准测试条件")


def measure(page: Page, *, requests: int, warmup: int) -> dict[str, float] | None:
    try:
        url = page.url()
    except NoReverseMatch:
        log(f"  {page.name}: page not installed yet, skipped")
        return None
    client = Client()
    client.force_login(page.user)
    for _i in range(warmup):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{page.name}: GET {url} answered {response.status_code}")
    samples = []
    for _i in range(requests):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return {
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "queries": len(queries.captured_queries),
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="houbei bench pages")
    parser.add_argument("--schools", type=int, default=60)
    parser.add_argument("--staff", type=int, default=150)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args(argv)

    log(f"pages: building {args.schools} schools × {args.staff} staff on {connection.vendor} …")
    built = build_district(schools=args.schools, staff=args.staff)
    emit("pages", "district_build", built.seconds, "s", people=built.people,
         history_rows=built.history_rows)  # fmt: skip
    worst = 0.0
    failed = []
    for page in pages_for(built):
        try:
            result = measure(page, requests=args.requests, warmup=args.warmup)
        except Exception as error:  # a broken page is reported, the others still measured
            log(f"  {page.name}: FAILED: {error!r}")
            failed.append(page.name)
            continue
        if result is None:
            continue
        extra = {"vendor": connection.vendor, "requests": args.requests}
        emit("pages", f"{page.name}.p50", result["p50"], "ms", **extra)
        emit("pages", f"{page.name}.p95", result["p95"], "ms", target=page.target, **extra)
        emit("pages", f"{page.name}.queries", result["queries"], "queries")
        if page.target == TARGET_P95_MS:
            worst = max(worst, result["p95"])
    emit("pages", "worst_p95", worst, "ms", target=TARGET_P95_MS, vendor=connection.vendor)
    if failed:
        log(f"pages that failed: {', '.join(failed)}")
        return 1
    return 0
