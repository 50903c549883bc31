from django.urls import path

from . import views

app_name = "ratings"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("new/", views.round_create, name="create"),
    path("mine/", views.mine, name="mine"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/turnout/", views.turnout, name="turnout"),
    path("<int:pk>/groups/", views.add_group, name="add_group"),
    path("<int:pk>/groups/<int:sub>/codes/", views.group_codes, name="codes"),
    path("<int:pk>/groups/<int:sub>/roll/", views.group_roll, name="roll"),
    path("<int:pk>/open/", views.open_view, name="open"),
    path("<int:pk>/close/", views.close_view, name="close"),
    path("<int:pk>/comments/", views.comments, name="comments"),
    path("<int:pk>/release/", views.release_view, name="release"),
    path("<int:pk>/results/", views.results, name="results"),
    path("r/<uuid:key>/", views.rate, name="rate"),
    path("r/<uuid:key>/roll/", views.rate_on_roll, name="rate_roll"),
]
