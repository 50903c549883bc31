from django.urls import path

from . import views

app_name = "eligibility"
urlpatterns = [
    path("", views.rule_set_list, name="list"),
    path("new/", views.rule_set_create, name="create"),
    path("<int:pk>/", views.board, name="board"),
    path("<int:pk>/print/", views.board_print, name="print"),
    path("<int:pk>/export/", views.board_export, name="export"),
    path("<int:pk>/edit/", views.rule_set_update, name="edit"),
    path("<int:pk>/rules/", views.rules_page, name="rules"),
    path("<int:pk>/rules/save/", views.rules_save, name="rules_save"),
    path("<int:pk>/rules/<int:sub>/toggle/", views.rule_toggle, name="rule_toggle"),
    path("<int:pk>/rules/<int:sub>/exemptions/", views.exemption_grant, name="exemption_grant"),
    path("<int:pk>/exemptions/<int:sub>/revoke/", views.exemption_revoke, name="exemption_revoke"),
    path("<int:pk>/people/<int:sub>/", views.person_result, name="person"),
    path("<int:pk>/people/<int:sub>/ruling/", views.ruling_record, name="ruling_record"),
    path("<int:pk>/rulings/<int:sub>/revoke/", views.ruling_revoke, name="ruling_revoke"),
    path("<int:pk>/snapshots/", views.snapshot_take, name="snapshot_take"),
    path("<int:pk>/snapshots/<int:sub>/", views.snapshot_detail, name="snapshot"),
]
