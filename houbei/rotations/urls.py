"""The two-way selection and rotation pages. The office's pages (rounds, the matching, its
review and confirmation) are listed here; everyone's own part (the 意向表, the post
side's ranking, assignments, mentor notes and tasks) in ``take_part_urls``."""

from django.urls import include, path

app_name = "rotations"
urlpatterns = [
    path("", include("houbei.rotations.take_part_urls")),
]
