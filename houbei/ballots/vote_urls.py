from django.urls import path

from . import vote_views

app_name = "vote"
urlpatterns = [
    path("", vote_views.mine, name="mine"),
    path("<uuid:key>/", vote_views.cast, name="cast"),
    path("<uuid:key>/roll/", vote_views.cast_on_roll, name="roll"),
    path("<uuid:key>/check/", vote_views.check_receipt, name="check"),
]
