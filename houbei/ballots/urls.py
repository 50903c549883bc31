from django.urls import path

from . import views
from .paper_urls import urlpatterns as paper_urlpatterns

app_name = "ballots"
urlpatterns = [
    path("", views.election_list, name="list"),
    *paper_urlpatterns,
]
