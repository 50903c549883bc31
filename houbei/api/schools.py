"""``/api/schools``: the schools a caller may read."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router

from houbei.accounts.access import Cap, schools_visible_to
from houbei.organisation.models import School

from .auth import caller
from .schemas import ErrorOut, SchoolOut
from .scope import require

router = Router(tags=["学校"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _visible(request: HttpRequest) -> QuerySet[School]:
    user = caller(request)
    # Anyone who may see a school's posts or the district overview may see the school.
    require(user, Cap.ORG_VIEW, Cap.DISTRICT_VIEW, Cap.SCHOOLS_MANAGE)
    return schools_visible_to(user).select_related("district")


@router.get(
    "/schools",
    response={200: list[SchoolOut], **ERRORS},
    url_name="schools_list",
    operation_id="schools_list",
    summary="可查看的学校",
    description="本校用户得到本校；区教育局用户得到本区各校；系统管理员得到全部学校。",
)
def schools_list(request: HttpRequest) -> QuerySet[School]:
    return _visible(request).order_by("district__name", "name")


@router.get(
    "/schools/{int:school_id}",
    response={200: SchoolOut, **ERRORS},
    url_name="school_detail",
    operation_id="school_detail",
    summary="一所学校",
    description="不在可查看范围内的学校返回 404。",
)
def school_detail(request: HttpRequest, school_id: int) -> School:
    return get_object_or_404(_visible(request), pk=school_id)
