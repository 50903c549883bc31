"""Administrator pages of elections."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from houbei.accounts.access import AuthedRequest, Cap, requires, school_of

from .models import Election


@requires(Cap.BALLOTS_VIEW)
def election_list(request: AuthedRequest) -> HttpResponse:
    elections = Election.objects.filter(school=school_of(request)).order_by("-created_at")
    return render(request, "ballots/list.html", {"elections": elections})
