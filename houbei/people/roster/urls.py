from django.urls import path

from . import views

app_name = "roster"
urlpatterns = [
    path("import/", views.start, name="import"),
    path("import/<slug:pk>/", views.upload, name="upload"),
    path("import/<slug:pk>/progress/", views.progress, name="progress"),
    path("import/<slug:pk>/commit/", views.commit, name="commit"),
    path("import/<slug:pk>/discard/", views.discard, name="discard"),
    path("template/", views.template, name="template"),
    path("export/", views.export, name="export"),
]
