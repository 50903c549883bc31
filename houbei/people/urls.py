from django.urls import path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_create, name="create"),
    path("me/", views.own_file, name="own"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/archive/", views.person_archive, name="archive"),
    path("<int:pk>/restore/", views.person_restore, name="restore"),
    path("<int:pk>/history/add/", views.history_add, name="history_add"),
    path("<int:pk>/history/<int:sub>/edit/", views.history_edit, name="history_edit"),
    path("<int:pk>/history/<int:sub>/end/", views.history_end, name="history_end"),
    path("<int:pk>/history/<int:sub>/remove/", views.history_remove, name="history_remove"),
    path("<int:pk>/honours/add/", views.honour_add, name="honour_add"),
    path("<int:pk>/honours/<int:sub>/edit/", views.honour_edit, name="honour_edit"),
    path("<int:pk>/honours/<int:sub>/remove/", views.honour_remove, name="honour_remove"),
    path("<int:pk>/appraisals/add/", views.appraisal_add, name="appraisal_add"),
    path("<int:pk>/appraisals/<int:sub>/edit/", views.appraisal_edit, name="appraisal_edit"),
    path("<int:pk>/appraisals/<int:sub>/remove/", views.appraisal_remove, name="appraisal_remove"),
]
