from django.urls import include, path
from django.views.i18n import set_language

from houbei import views
from houbei.accounts.access import public

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("accounts/", include("houbei.accounts.urls")),
    path("people/", include("houbei.people.urls")),
    path("roster/", include("houbei.people.roster.urls")),
    path("organisation/", include("houbei.organisation.urls")),
    path("eligibility/", include("houbei.eligibility.urls")),
    path("selection/", include("houbei.selection.urls")),
    path("rotation/", include("houbei.rotations.urls")),
    path("ballots/", include("houbei.ballots.urls")),
    path("ratings/", include("houbei.ballots.ratings.urls")),
    path("vote/", include("houbei.ballots.vote_urls")),
    path("audit/", include("houbei.audit.urls")),
    path("api/", include("houbei.api.urls")),
    path("district/", include("houbei.district.urls")),
]
