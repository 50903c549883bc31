"""Who is calling the API: an integration with a bearer token, or a person logged in to
the site using the docs page on the same origin.

Either way the caller is a ``User`` and what they may do is decided by the same
capabilities as in the web UI (``houbei.api.scope``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from houbei.accounts.models import ApiToken, User

TOKEN_PREFIX = "hb_"  # noqa: S105 -- the public prefix of every token, not a secret
# Recording every use would turn each read into a write; a minute is precise enough to
# tell an administrator whether an integration still runs.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def user_for_token(raw: str, *, now: dt.datetime | None = None) -> User | None:
    """The active user owning the raw token ``raw``, or None.

    The token is found by its SHA-256 digest (the raw value is never stored). A revoked
    token, or one whose user has been deactivated, authenticates nobody. ``last_used_at``
    is written at most once per ``LAST_USED_RESOLUTION``; the condition is part of the
    UPDATE, so concurrent requests do not write it twice."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user__school", "user__district")
        .filter(digest=ApiToken.digest_of(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION),
            pk=token.pk,
        ).update(last_used_at=now)
    return token.user


class TokenAuth(HttpBearer):
    """``Authorization: Bearer hb_…`` — an API token issued on the “API令牌” page."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token.strip())


class SessionAuth(APIKeyCookie):
    """The site's login session, so the docs page can try the API as the logged-in user.

    Like any form of the site, a state-changing request must carry the CSRF token (the docs
    page sends it as ``X-CSRFToken``); otherwise another site could make a logged-in
    browser write through the API. An anonymous request is simply not authenticated here
    (401, not a CSRF 403)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __call__(self, request: HttpRequest) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, "CSRF校验失败：请刷新接口文档页面后重试。")
        return user

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        # Not used: ``__call__`` reads the session's user directly.
        return None


def caller(request: HttpRequest) -> User:
    """The authenticated user of an API request (set by ``TokenAuth`` or ``SessionAuth``)."""
    user = getattr(request, "auth", None)
    assert isinstance(user, User)
    return user
