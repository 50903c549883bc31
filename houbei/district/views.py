"""The district overview: the district's schools side by side, in aggregate only."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from houbei.accounts.access import AuthedRequest, Cap, requires, schools_visible_to
from houbei.organisation.models import District, School
from houbei.people.models import Person

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
