from django.urls import path

from . import views

app_name = "organisation"
urlpatterns = [
    path("posts/", views.posts, name="posts"),
    path("posts/new/", views.post_create, name="post_create"),
    path("posts/<int:pk>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:pk>/archive/", views.post_archive, name="post_archive"),
    path("posts/<int:pk>/restore/", views.post_restore, name="post_restore"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/years/new/", views.schoolyear_create, name="schoolyear_create"),
    path("calendar/years/<int:pk>/edit/", views.schoolyear_edit, name="schoolyear_edit"),
    path("calendar/terms/<int:pk>/edit/", views.term_edit, name="term_edit"),
    path("workdays/", views.workdays, name="workdays"),
    path("workdays/calc/", views.workdays_calc, name="workdays_calc"),
    path("workdays/overrides/new/", views.override_create, name="override_create"),
    path("workdays/overrides/<int:pk>/edit/", views.override_edit, name="override_edit"),
    path("workdays/overrides/<int:pk>/delete/", views.override_delete, name="override_delete"),
    path("workdays/years/confirm/", views.workdays_year_confirm, name="workdays_year_confirm"),
    path(
        "workdays/years/<int:pk>/withdraw/",
        views.workdays_year_withdraw,
        name="workdays_year_withdraw",
    ),
]
