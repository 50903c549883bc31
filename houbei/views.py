"""The home page: one per role, with counts from real data."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from houbei.accounts.access import Cap, requires


@requires(Cap.HOME)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {})
