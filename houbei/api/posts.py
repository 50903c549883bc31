"""``/api/posts``: a school's posts with their ladder levels."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router

from houbei.accounts.access import Cap
from houbei.organisation.models import Post

from .auth import caller
from .schemas import ErrorOut, PostFilters, PostOut
from .scope import readable_schools

router = Router(tags=["岗位"])


@router.get(
    "/posts",
    response={200: list[PostOut], 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    url_name="posts_list",
    operation_id="posts_list",
    summary="岗位及其层级",
    description="按学校、排序号、层级排列。层级（ladder_level）用于“在下一层级岗位任职满一年”的条件。",
)
def posts_list(request: HttpRequest, filters: Query[PostFilters]) -> QuerySet[Post]:
    schools = readable_schools(caller(request), Cap.ORG_VIEW)
    if filters.school is not None:
        schools = schools.filter(pk=get_object_or_404(schools, pk=filters.school).pk)
    posts = Post.objects.filter(school__in=schools).prefetch_related("default_mentors")
    if not filters.include_archived:
        posts = posts.active()
    return posts.order_by("school_id", "sort_order", "ladder_level", "name")
