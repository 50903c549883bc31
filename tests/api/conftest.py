"""Fixtures for the API tests: a bearer token per role and a small JSON client."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from houbei.accounts.models import ApiToken, Role, User


class ApiClient:
    """Calls the API with a bearer token, JSON in and out."""

    def __init__(self, client: Client, token: str | None) -> None:
        self.client = client
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

    def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(url, params or {}, **self._headers())

    def post(self, url: str, data: Any) -> Any:
        body = data if isinstance(data, str) else json.dumps(data)
        return self.client.post(url, body, content_type="application/json", **self._headers())

    def patch(self, url: str, data: Any) -> Any:
        body = data if isinstance(data, str) else json.dumps(data)
        return self.client.patch(url, body, content_type="application/json", **self._headers())


@pytest.fixture
def tokens(users: dict[Role, User]) -> dict[Role, str]:
    return {role: ApiToken.issue(user=user, name="测试")[1] for role, user in users.items()}


@pytest.fixture
def api(client: Client, tokens: dict[Role, str]):  # type: ignore[no-untyped-def]
    """``api(Role.X)`` is a client authenticated with that role's token; ``api(None)`` is
    anonymous."""

    def for_role(role: Role | None) -> ApiClient:
        return ApiClient(client, tokens[role] if role is not None else None)

    return for_role
