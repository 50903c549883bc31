"""The two-way selection and rotation pages. The office's pages (rounds, the matching, its
review and confirmation) are listed here; everyone's own part (the 意向表, the post
side's ranking, assignments, mentor notes and tasks) in ``take_part_urls``."""

from django.urls import include, path

from . import views

app_name = "rotations"
urlpatterns = [
    path("", include("houbei.rotations.take_part_urls")),
    # Rounds of two-way selection
    path("rounds/", views.round_list, name="rounds"),
    path("rounds/new/", views.round_create, name="round_create"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/settings/", views.round_settings, name="round_settings"),
    path("rounds/<int:pk>/offers/<int:sub>/", views.round_offer, name="round_offer"),
    path("rounds/<int:pk>/mentors/", views.mentor_capacity, name="mentor_capacity"),
    path("rounds/<int:pk>/waivers/", views.waiver_grant, name="waiver_grant"),
    path("rounds/<int:pk>/waivers/<int:sub>/revoke/", views.waiver_revoke, name="waiver_revoke"),
    path("rounds/<int:pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:pk>/reopen/", views.round_reopen, name="round_reopen"),
    path("rounds/<int:pk>/match/", views.round_match, name="round_match"),
    path("rounds/<int:pk>/documents/<str:fmt>/", views.round_document, name="round_document"),
    # The proposal
    path("rounds/<int:pk>/proposal/", views.proposal_page, name="proposal"),
    path("rounds/<int:pk>/proposal/<int:sub>/move/", views.move, name="move"),
    path("rounds/<int:pk>/proposal/discard/", views.discard, name="discard"),
    path("rounds/<int:pk>/proposal/confirm/", views.confirm, name="confirm"),
    # Assignments: the office's actions (the page of one assignment, with its notes and
    # tasks, is everyone's own part)
    path("assignments/", views.assignment_list, name="assignments"),
    path("assignments/new/", views.assignment_create, name="assignment_create"),
    path("assignments/<int:pk>/office/", views.assignment_manage, name="assignment_manage"),
    path("assignments/<int:pk>/office/start/", views.assignment_start, name="assignment_start"),
    path(
        "assignments/<int:pk>/office/complete/",
        views.assignment_complete,
        name="assignment_complete",
    ),
    path("assignments/<int:pk>/office/end/", views.assignment_end, name="assignment_end"),
    path("assignments/<int:pk>/office/goals/", views.assignment_goals, name="assignment_goals"),
    path(
        "assignments/<int:pk>/office/mentors/add/",
        views.assignment_mentor_add,
        name="assignment_mentor_add",
    ),
    path(
        "assignments/<int:pk>/office/mentors/remove/",
        views.assignment_mentor_remove,
        name="assignment_mentor_remove",
    ),
    path(
        "assignments/<int:pk>/office/documents/<str:fmt>/",
        views.assignment_document,
        name="assignment_document",
    ),
    path("terms/<int:pk>/documents/<str:fmt>/", views.term_document, name="term_document"),
    # Who rotated through each post
    path("by-post/", views.post_list, name="by_post"),
    path("by-post/<int:pk>/", views.post_detail, name="by_post_detail"),
]
