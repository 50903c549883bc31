"""Routes of paper-ballot entry, included in the ``ballots`` namespace (names ``paper_*``)."""

from django.urls import URLPattern, path

from . import paper_views

urlpatterns: list[URLPattern] = [
    path("<int:pk>/paper/", paper_views.paper_entry, name="paper_entry"),
    path(
        "<int:pk>/paper/discrepancies/",
        paper_views.paper_discrepancies,
        name="paper_discrepancies",
    ),
    path("<int:pk>/paper/withdraw/", paper_views.paper_withdraw, name="paper_withdraw"),
    path(
        "<int:pk>/paper/reconciliation/",
        paper_views.paper_reconciliation,
        name="paper_reconciliation",
    ),
]
