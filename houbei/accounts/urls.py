from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("users/", views.users, name="users"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/password/", views.user_reset_password, name="user_reset_password"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="user_unlock"),
    path("schools/", views.schools, name="schools"),
    path("schools/new/", views.school_create, name="school_create"),
    path("schools/<int:pk>/", views.school_edit, name="school_edit"),
    path("schools/<int:pk>/status/", views.school_status, name="school_status"),
    path("districts/new/", views.district_create, name="district_create"),
]
