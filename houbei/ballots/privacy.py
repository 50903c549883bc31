"""What every page a voter or rater sees must do about privacy (``docs/ballots.md``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters


def private_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """No cache keeps the page, no referrer leaves the site, and its POST data stays out
    of error reports. (Not ``no-referrer``: Chromium then sends ``Origin: null`` with the
    form, which Django's CSRF check rightly refuses.)"""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        return response

    return never_cache(sensitive_post_parameters()(wrapper))
