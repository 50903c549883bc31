"""Routes of one's own part in rotation, included by ``houbei.rotations.urls`` (so they
share its ``rotations`` namespace): one's 意向表 and rotations under ``mine/``, the post
side's answers, a mentor's mentees, and one rotation's page with its notes and tasks."""

from django.urls import path

from . import take_part_views as views

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("mine/rounds/<int:pk>/intention/", views.intention, name="intention"),
    path("mine/rounds/<int:pk>/withdraw/", views.intention_withdraw, name="intention_withdraw"),
    path(
        "mine/rounds/<int:pk>/intention/<str:fmt>/",
        views.intention_document,
        name="intention_document",
    ),
    path("mine/posts/", views.post_side, name="post_side"),
    path("mine/posts/<int:pk>/", views.post_side_offer, name="post_side_offer"),
    path("mine/mentees/", views.mentees, name="mentees"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment"),
    path(
        "assignments/<int:pk>/notice/<str:fmt>/", views.assignment_notice, name="assignment_notice"
    ),
    path("assignments/<int:pk>/notes/add/", views.note_add, name="assignment_note_add"),
    path("assignments/<int:pk>/tasks/add/", views.task_add, name="assignment_task_add"),
    path(
        "assignments/<int:pk>/tasks/<int:sub>/outcome/",
        views.task_outcome,
        name="assignment_task_outcome",
    ),
    path(
        "assignments/<int:pk>/tasks/<int:sub>/confirm/",
        views.task_confirm,
        name="assignment_task_confirm",
    ),
]
