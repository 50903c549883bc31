"""The district overview: the district's schools side by side, in aggregate only; and the
district's read-only view of its schools' rotations (轮岗锻炼): per school the rounds,
the rotations running and completed this school year and the reserve cadres with and
without a rotation, and one school's list of rotations (names, posts, mentors, dates —
what the district reads of the reserve pools elsewhere; no contact details, no actions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from houbei.accounts.access import AuthedRequest, Cap, has_cap, requires, schools_visible_to
from houbei.organisation.models import District, School
from houbei.people.models import Person
from houbei.rotations.file_pages import district_rotations, school_assignments
from houbei.rotations.models import Assignment
from houbei.selection.models import PoolEntry

from .stats import AGE_BANDS, StaffSummary, summary_aggregates


@dataclass
class SchoolRow:
    school: School
    summary: StaffSummary


@dataclass
class DistrictBlock:
    district: District
    rows: list[SchoolRow] = field(default_factory=list)

    @property
    def total(self) -> StaffSummary:
        return StaffSummary.total(r.summary for r in self.rows)


def district_blocks(schools: list[School]) -> list[DistrictBlock]:
    """One block per district with a summary row per school: one query for all schools."""
    today = timezone.localdate()
    by_school = {
        row["school_id"]: StaffSummary.from_row(row)
        for row in Person.objects.filter(school__in=[s.pk for s in schools])
        .values("school_id")
        .annotate(**summary_aggregates(today))
        # Person's default ordering would otherwise join the GROUP BY.
        .order_by()
    }
    blocks: dict[int, DistrictBlock] = {}
    for school in schools:
        block = blocks.setdefault(school.district_id, DistrictBlock(school.district))
        block.rows.append(SchoolRow(school, by_school.get(school.pk, StaffSummary())))
    return list(blocks.values())


@requires(Cap.DISTRICT_VIEW)
def overview(request: AuthedRequest) -> HttpResponse:
    schools = list(
        schools_visible_to(request.user)
        .select_related("district")
        .order_by("district__name", "name")
    )
    blocks = district_blocks(schools)
    return render(
        request,
        "district/overview.html",
        {
            "blocks": blocks,
            "age_labels": [label for _low, _high, label in AGE_BANDS],
            "today": timezone.localdate(),
        },
    )


def _names_visible(request: AuthedRequest) -> bool:
    """Whom a school's rotations name is read by those who read its reserve pools
    (``SELECTION_VIEW``: the district bureau), not by the system administrator."""
    return has_cap(request.user, Cap.SELECTION_VIEW)


@requires(Cap.DISTRICT_VIEW)
def rotations(request: AuthedRequest) -> HttpResponse:
    """Per school of the district: the rounds of the school year (and any not confirmed)
    with their status, the rotations running and planned now, completed and ended early
    this school year, and the reserve cadres with and without a rotation. Counts only; a
    fixed number of queries whatever the number of schools."""
    schools = list(
        schools_visible_to(request.user)
        .select_related("district")
        .order_by("district__name", "name")
    )
    today = timezone.localdate()
    blocks: dict[int, tuple[District, list[Any]]] = {}
    for row in district_rotations(schools, today=today):
        blocks.setdefault(row.school.district_id, (row.school.district, []))[1].append(row)
    return render(
        request,
        "district/rotations.html",
        {
            "blocks": list(blocks.values()),
            "today": today,
            "names_visible": _names_visible(request),
        },
    )


@requires(Cap.DISTRICT_VIEW)
def school_rotations(request: AuthedRequest, pk: int) -> HttpResponse:
    """One school's rotations, newest first (read only), and its reserve cadres who have
    not had one. A school outside the user's district is 404."""
    if not _names_visible(request):
        raise PermissionDenied
    school = get_object_or_404(schools_visible_to(request.user).select_related("district"), pk=pk)
    today = timezone.localdate()
    (row,) = district_rotations([school], today=today)
    page = Paginator(school_assignments(school), 50).get_page(request.GET.get("page"))
    without = (
        Person.objects.for_school(school)
        .current()
        .filter(Exists(PoolEntry.objects.valid_on(today).filter(person=OuterRef("pk"))))
        .exclude(Exists(Assignment.objects.filter(person=OuterRef("pk")).with_days()))
        .order_by("staff_number")
    )
    return render(
        request,
        "district/school_rotations.html",
        {
            "school": school,
            "row": row,
            "page": page,
            "assignments": page.object_list,
            "without": list(without),
            "today": today,
        },
    )
