"""Routes of paper-ballot entry, included in the ``ballots`` namespace (names ``paper_*``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
