"""Helpers of the page tests: the URLs of a cycle's pages, logging in as a role, the text
of a response with its messages."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from houbei.selection.models import Cycle

# The pages of a cycle every reader of its school may open.
STAGE_PAGES = (
    "selection:detail",
    "selection:preparation",
    "selection:recommendation",
    "selection:opinions",
    "selection:targets",
    "selection:inspection",
    "selection:decision",
    "selection:notice",
    "selection:pool",
)


def urls_of(cycle: Cycle) -> list[str]:
    return [reverse(name, args=[cycle.pk]) for name in STAGE_PAGES]


def as_user(client: Client, user) -> Client:
    client.logout()
    client.force_login(user)
    return client


def page(client: Client, url: str, **data) -> str:
    response = client.get(url, data)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def post(client: Client, url: str, data: dict | None = None) -> str:
    """POST and follow the redirect: the text of the page shown after, with its
    messages."""
    response = client.post(url, data or {}, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()
