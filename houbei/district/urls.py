from django.urls import path

from . import views

app_name = "district"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("rotations/", views.rotations, name="rotations"),
    path("rotations/<int:pk>/", views.school_rotations, name="school_rotations"),
]
