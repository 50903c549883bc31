from django.urls import path

from . import views
from .paper_urls import urlpatterns as paper_urlpatterns

app_name = "ballots"
urlpatterns = [
    path("", views.election_list, name="list"),
    path("new/", views.election_create, name="create"),
    path("<int:pk>/", views.election_detail, name="detail"),
    path("<int:pk>/turnout/", views.turnout, name="turnout"),
    path("<int:pk>/slips/", views.slips, name="slips"),
    path("<int:pk>/roll/", views.roll, name="roll"),
    path("<int:pk>/open/", views.open_view, name="open"),
    path("<int:pk>/close/", views.close_view, name="close"),
    path("<int:pk>/tally/", views.tally_view, name="tally"),
    path("<int:pk>/publish/", views.publish_view, name="publish"),
    path("<int:pk>/results.<str:fmt>", views.download, name="download"),
    *paper_urlpatterns,
]
