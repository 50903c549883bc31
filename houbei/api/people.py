"""``/api/people``: the staff registry, read and written through the same filters and
services as the web UI (``people.filters``, ``people.services``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Query, Router
from ninja.responses import Status

from houbei.accounts.access import Cap
from houbei.people import filters as people_filters
from houbei.people import services as people_services
from houbei.people.models import Person, PostHistory

from .auth import caller
from .schemas import (
    ErrorOut,
    PeopleQuery,
    PersonCreateIn,
    PersonDetailOut,
    PersonPage,
    PersonPatchIn,
)
from .scope import readable_schools, writable_school

router = Router(tags=["教职工档案"])
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _readable_person(request: HttpRequest, person_id: int) -> Person:
    schools = readable_schools(caller(request), Cap.PEOPLE_VIEW)
    history = PostHistory.objects.select_related("post").order_by("start", "pk")
    people = Person.objects.filter(school__in=schools).prefetch_related(
        Prefetch("post_history", queryset=history), "honours"
    )
    return get_object_or_404(people, pk=person_id)


@router.get(
    "/people",
    response={200: PersonPage, 422: ErrorOut, **ERRORS},
    url_name="people_list",
    operation_id="people_list",
    summary="教职工列表",
    description="筛选条件与“教职工档案”页面相同；分页用 limit/offset，count 为总数。",
)
def people_list(request: HttpRequest, query: Query[PeopleQuery]) -> dict[str, Any]:
    schools = readable_schools(caller(request), Cap.PEOPLE_VIEW)
    if query.school is not None:
        schools = schools.filter(pk=get_object_or_404(schools, pk=query.school).pk)
    rows: QuerySet[Person] = people_filters.apply(
        Person.objects.filter(school__in=schools),
        query.as_filters(),
        as_of=timezone.localdate(),
    )
    return {
        "count": rows.count(),
        "limit": query.limit,
        "offset": query.offset,
        "items": list(rows[query.offset : query.offset + query.limit]),
    }


@router.get(
    "/people/{int:person_id}",
    response={200: PersonDetailOut, **ERRORS},
    url_name="person_detail",
    operation_id="person_detail",
    summary="一位教职工",
    description="含任职经历和荣誉；身份证号只以遮蔽形式返回。其他学校的人员返回 404。",
)
def person_detail(request: HttpRequest, person_id: int) -> Person:
    return _readable_person(request, person_id)


@router.post(
    "/people",
    response={201: PersonDetailOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    url_name="person_create",
    operation_id="person_create",
    summary="新增教职工",
    description="在调用者所在学校新增一位教职工（需要“编辑教职工档案”权限）。"
    "规则与页面录入相同，错误以 422 返回并指明字段。",
)
def person_create(request: HttpRequest, payload: PersonCreateIn) -> Status[Person]:
    user = caller(request)
    school = writable_school(user, Cap.PEOPLE_EDIT)
    values, number = payload.service_values()
    person = people_services.create_person(
        actor=user, school=school, values=values, national_id_number=number or ""
    )
    return Status(201, _readable_person(request, person.pk))


@router.patch(
    "/people/{int:person_id}",
    response={200: PersonDetailOut, 409: ErrorOut, 422: ErrorOut, **ERRORS},
    url_name="person_update",
    operation_id="person_update",
    summary="修改教职工信息",
    description="只修改请求中出现的字段。已归档的档案不能修改（409）。",
)
def person_update(request: HttpRequest, person_id: int, payload: PersonPatchIn) -> Person:
    user = caller(request)
    school = writable_school(user, Cap.PEOPLE_EDIT)
    person = get_object_or_404(Person, pk=person_id, school=school)
    values, number = payload.service_values()
    people_services.update_person(
        actor=user, person=person, values=values, national_id_number=number
    )
    return _readable_person(request, person.pk)
