"""Which people a list shows: the filters of the registry, parsed in one place.

The registry page, the JSON API and the Excel export all read lists of people the same
way, so they share this module::

    filters = parse_filters(request.GET)           # lenient: bad values are ignored
    people = list_people(school, filters)          # scoped, filtered, sorted, prefetched

or build ``PersonFilters(...)`` directly (the API does, from its schema). ``as_params``
turns filters back into query parameters, e.g. for an export link that repeats the list a
user is looking at.

Query parameters (all optional):

``q``                 words found in the name or staff number; a complete national ID
``post_status``       a ``PostStatus`` code (on, off, transferred, retired)
``establishment``     ``in`` / ``out``
``political_status``  a ``PoliticalStatus`` code, or ``cpc`` for 中共党员 and 预备党员 together
``gender``            ``M`` / ``F``
``subject``           exact subject (任教学科)
``current_post``      id of a post of the school held on the as-of day
``age_min``/``age_max``  full years (周岁) on the as-of day, bounds included
``archived``          empty: people in the register (default); ``archived``: archived only;
                      ``all``: both
``sort``              ``staff_number`` (default), ``name``, ``age``, ``joined``; a leading
                      ``-`` reverses (``-age`` = oldest first)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from houbei.organisation.models import School

from .models import (
    Establishment,
    Gender,
    Person,
    PersonQuerySet,
    PoliticalStatus,
    PostStatus,
)

PAGE_SIZE = 50
CPC_ALL = "cpc"  # 中共党员 and 中共预备党员 together
PARTY_CODES = (PoliticalStatus.PARTY, PoliticalStatus.PROBATIONARY)
POLITICAL_CHOICES: list[tuple[str, Any]] = [
    (CPC_ALL, _("中共党员（含预备党员）")),
    *PoliticalStatus.choices,
]


class ArchivedScope(enum.StrEnum):
    ACTIVE = ""
    ARCHIVED = "archived"
    ALL = "all"


ARCHIVED_CHOICES: list[tuple[str, Any]] = [
    (ArchivedScope.ACTIVE, _("在册")),
    (ArchivedScope.ARCHIVED, _("已归档")),
    (ArchivedScope.ALL, _("全部（含已归档）")),
]

# Staff numbers sort by length first, so 9 comes before 10 when numbers are plain digits.
SORTS: dict[str, tuple[Any, ...]] = {
    "staff_number": (Length("staff_number"), "staff_number"),
    "-staff_number": (Length("staff_number").desc(), "-staff_number"),
    "name": ("name", "staff_number"),
    "-name": ("-name", "staff_number"),
    # Youngest first: the latest birth dates.
    "age": (F("birth_date").desc(nulls_last=True), "staff_number"),
    "-age": (F("birth_date").asc(nulls_last=True), "staff_number"),
    "joined": (F("joined_school_on").asc(nulls_last=True), "staff_number"),
    "-joined": (F("joined_school_on").desc(nulls_last=True), "staff_number"),
}
DEFAULT_SORT = "staff_number"


@dataclasses.dataclass(frozen=True)
class PersonFilters:
    """A list of people as a user asked for it. Empty strings and None mean "any"."""

    q: str = ""
    post_status: str = ""
    establishment: str = ""
    political_status: str = ""
    gender: str = ""
    subject: str = ""
    current_post: int | None = None
    age_min: int | None = None
    age_max: int | None = None
    archived: ArchivedScope = ArchivedScope.ACTIVE
    sort: str = DEFAULT_SORT

    @property
    def is_filtered(self) -> bool:
        """True when anything other than the order narrows the default list."""
        return dataclasses.replace(self, sort=DEFAULT_SORT) != PersonFilters()

    def as_params(self) -> dict[str, str]:
        """The query parameters that reproduce these filters (defaults left out)."""
        params: dict[str, str] = {}
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            if value != field.default and value is not None:
                params[field.name] = str(value)
        return params


def _choice(value: Any, allowed: Any) -> str:
    value = str(value or "").strip()
    return value if value in allowed else ""


def _int(value: Any, *, low: int, high: int) -> int | None:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def parse_filters(params: Mapping[str, Any]) -> PersonFilters:
    """Filters from query parameters (see the module notes). Unknown or malformed values
    are ignored rather than refused: a list URL should never fail."""
    archived = str(params.get("archived") or "")
    return PersonFilters(
        q=" ".join(str(params.get("q") or "").split())[:100],
        post_status=_choice(params.get("post_status"), PostStatus.values),
        establishment=_choice(params.get("establishment"), Establishment.values),
        political_status=_choice(
            params.get("political_status"), {CPC_ALL, *PoliticalStatus.values}
        ),
        gender=_choice(params.get("gender"), Gender.values),
        subject=str(params.get("subject") or "").strip()[:40],
        current_post=_int(params.get("current_post"), low=1, high=2**62),
        age_min=_int(params.get("age_min"), low=0, high=150),
        age_max=_int(params.get("age_max"), low=0, high=150),
        archived=ArchivedScope(archived)
        if archived in ArchivedScope._value2member_map_
        else ArchivedScope.ACTIVE,
        sort=str(params.get("sort") or "") if params.get("sort") in SORTS else DEFAULT_SORT,
    )


def apply(qs: PersonQuerySet, filters: PersonFilters, *, as_of: dt.date) -> PersonQuerySet:
    """``qs`` narrowed and ordered by ``filters``; ages and current posts as of ``as_of``."""
    if filters.archived == ArchivedScope.ACTIVE:
        qs = qs.current()
    elif filters.archived == ArchivedScope.ARCHIVED:
        qs = qs.archived()
    if filters.q:
        qs = qs.search(filters.q)
    if filters.post_status:
        qs = qs.filter(post_status=filters.post_status)
    if filters.establishment:
        qs = qs.filter(establishment=filters.establishment)
    if filters.political_status == CPC_ALL:
        qs = qs.filter(political_status__in=PARTY_CODES)
    elif filters.political_status:
        qs = qs.filter(political_status=filters.political_status)
    if filters.gender:
        qs = qs.filter(gender=filters.gender)
    if filters.subject:
        qs = qs.filter(subject=filters.subject)
    if filters.current_post is not None:
        qs = qs.holding_post(filters.current_post, as_of=as_of)
    if filters.age_min is not None or filters.age_max is not None:
        qs = qs.age_between(filters.age_min, filters.age_max, as_of=as_of)
    order: tuple[Any, ...] = SORTS.get(filters.sort, SORTS[DEFAULT_SORT])
    return qs.order_by(*order, "pk")


def list_people(
    school: School, filters: PersonFilters, *, as_of: dt.date | None = None
) -> PersonQuerySet:
    """The people of ``school`` matching ``filters``, ordered, with ``current_posts``
    prefetched (one extra query however many rows are read)."""
    as_of = as_of or timezone.localdate()
    qs = apply(Person.objects.for_school(school), filters, as_of=as_of)
    return qs.with_current_posts(as_of)


def summarise(qs: PersonQuerySet) -> dict[str, int]:
    """Counts over a filtered list in one query: total, women, party members (incl.
    probationary), and 在编在岗."""
    return qs.order_by().aggregate(
        total=Count("pk"),
        women=Count("pk", filter=Q(gender=Gender.FEMALE)),
        party=Count("pk", filter=Q(political_status__in=PARTY_CODES)),
        on_duty=Count(
            "pk", filter=Q(establishment=Establishment.IN, post_status=PostStatus.ON_DUTY)
        ),
    )
