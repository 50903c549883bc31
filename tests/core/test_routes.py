"""Every URL route has an access rule, and every role gets exactly the access it should.

Rules live in ``tests/route_rules.py`` and ``tests/<app>/route_rules.py`` as a dict
``RULES`` keyed by URL name (``namespace:name``). A rule is one of:

    {"public": True}                       open to anyone (login, receipt check)
    {"allowed": {Role.X, ...}}             these roles get in; others get 403 or 404;
                                           anonymous users are sent to log in (or 401 on the API)
optional keys:
    "kwargs": callable(ctx) -> dict        URL arguments, built from the fixture context
    "foreign_kwargs": callable(ctx) -> dict  the same for another school's object: every role
                                           must be refused it (404 or 403)
    "method": "GET" | "POST"               default GET; POST sends "data" (default {})
    "api": True                            JSON API route: authenticate with a bearer token
A route with no rule fails the test, so a new route cannot be added without deciding who
may use it."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from houbei.accounts.models import ApiToken, Role

from ..factories import make_person

TESTS = Path(__file__).resolve().parent.parent


def _all_rules() -> dict[str, dict[str, Any]]:
    rules: dict[str, dict[str, Any]] = {}
    # One app's rules may be split over route_rules.py and route_rules_<part>.py.
    modules = ["tests.route_rules"] + [
        f"tests.{info.name}.{rules.stem}"
        for info in pkgutil.iter_modules([str(TESTS)])
        for rules in sorted((TESTS / info.name).glob("route_rules*.py"))
    ]
    for name in modules:
        module = importlib.import_module(name)
        for key, rule in module.RULES.items():
            assert key not in rules, f"two rules for {key}"
            rules[key] = rule
    return rules


def _route_names(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[str]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _route_names(pattern, ns)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                raise AssertionError(
                    f"route {pattern.pattern} has no name, so it cannot have a rule"
                )
            yield prefix + pattern.name


RULES = _all_rules()
ROUTES = sorted(set(_route_names()))


def test_every_route_has_a_rule() -> None:
    missing = [name for name in ROUTES if name not in RULES]
    assert not missing, f"routes without an access rule: {missing}"


def test_no_rule_for_a_route_that_does_not_exist() -> None:
    stale = [name for name in RULES if name not in ROUTES]
    assert not stale, f"rules for routes that no longer exist: {stale}"


@pytest.fixture
def ctx(school, other_school, users) -> SimpleNamespace:  # type: ignore[no-untyped-def]
    person = make_person(school, name="本校人员")
    foreign = make_person(other_school, name="外校人员")
    tokens = {role: ApiToken.issue(user=user, name="route test")[1] for role, user in users.items()}
    return SimpleNamespace(
        school=school,
        other_school=other_school,
        users=users,
        person=person,
        foreign_person=foreign,
        tokens=tokens,
    )


def _request(client: Client, rule: dict[str, Any], url: str, token: str | None) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if rule.get("method", "GET") == "POST":
        data = rule.get("data", {})
        if rule.get("api"):
            return client.post(url, data, content_type="application/json", **headers)
        return client.post(url, data, **headers)
    return client.get(url, **headers)


@pytest.mark.parametrize("name", ROUTES)
def test_route_access(name: str, ctx: SimpleNamespace, client: Client) -> None:
    rule = RULES.get(name)
    if rule is None:
        pytest.fail(f"{name} has no access rule")
    kwargs = rule["kwargs"](ctx) if "kwargs" in rule else {}
    url = reverse(name, kwargs=kwargs)
    is_api = rule.get("api", False)

    anonymous = _request(client, rule, url, None)
    if rule.get("public"):
        assert anonymous.status_code < 500, f"{name}: public route failed for anonymous"
        return
    if is_api:
        assert anonymous.status_code == 401, f"{name}: anonymous got {anonymous.status_code}"
    else:
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], (
            f"{name}: anonymous got {anonymous.status_code}"
        )

    allowed = rule["allowed"]
    for role, user in ctx.users.items():
        client.logout()
        token = ctx.tokens[role] if is_api else None
        if not is_api:
            client.force_login(user)
        response = _request(client, rule, url, token)
        if role in allowed:
            assert response.status_code < 400, (
                f"{name}: {role} should get in, got {response.status_code}"
            )
        else:
            assert response.status_code in {403, 404}, (
                f"{name}: {role} should be refused, got {response.status_code}"
            )
        if "foreign_kwargs" in rule:
            foreign_url = reverse(name, kwargs=rule["foreign_kwargs"](ctx))
            refused = _request(client, rule, foreign_url, token)
            spans = user.role in {Role.DISTRICT, Role.SYSADMIN} and role in allowed
            if not spans:
                assert refused.status_code in {403, 404}, (
                    f"{name}: {role} reached another school's object ({refused.status_code})"
                )


def test_every_view_declares_its_access() -> None:
    """Each non-API view carries the capability its decorator checked, or is marked public."""
    undeclared = []
    for name in ROUTES:
        if RULES.get(name, {}).get("api"):
            continue
        match = get_resolver().resolve(reverse(name, kwargs=_dummy_kwargs(name)))
        func = match.func
        cap = getattr(func, "houbei_capability", None) or getattr(
            getattr(func, "view_class", None), "houbei_capability", None
        )
        if cap is None:
            undeclared.append(name)
    assert not undeclared, f"views without @requires or @public: {undeclared}"


def _dummy_kwargs(name: str) -> dict[str, Any]:
    # Reverse with the rule's own kwargs would need a database; plain integers fit every
    # pk and slug converter this project uses.
    for attempt in (
        {},
        {"pk": 1},
        {"pk": 1, "sub": 1},
        {"pk": 1, "fmt": "xlsx"},
        {"code": "x"},
        {"kind": "x"},
        {"key": "00000000-0000-4000-8000-000000000000"},
    ):
        try:
            reverse(name, kwargs=attempt)
            return attempt
        except Exception:
            continue
    raise AssertionError(f"cannot build a URL for {name}; extend _dummy_kwargs")
