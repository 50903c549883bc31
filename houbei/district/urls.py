from django.urls import path

from . import views

app_name = "district"
urlpatterns = [
    path("", views.overview, name="overview"),
]
