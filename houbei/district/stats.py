"""Staff structure in aggregate: head counts, age bands, gender and political-status shares.

Used by the district overview (one row per school) and by the home pages. Everything here
is a count over many people in one query; nothing names a person. Ages are computed in the
database by comparing birth dates with cut-off dates, so the same query runs on SQLite and
PostgreSQL and its cost does not depend on how many people there are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.db.models.aggregates import Aggregate
from django.utils.translation import gettext_lazy as _

from houbei.people import durations
from houbei.people.models import Establishment, Gender, PoliticalStatus, PostStatus

# Lower bound (inclusive) and upper bound (exclusive) of each band, in whole years. The
# plan's 28–45 "主体" band is split at 36 so the district can see how young its staff are.
AGE_BANDS: tuple[tuple[int | None, int | None, Any], ...] = (
    (None, 28, _("28岁以下")),
    (28, 36, _("28–35岁")),
    (36, 46, _("36–45岁")),
    (46, 56, _("46–55岁")),
    (56, None, _("56岁及以上")),
)


def latest_birth_date_for_age(today: dt.date, years: int) -> dt.date:
    """The latest birth date of someone who is at least ``years`` old on ``today``.

    Agrees with ``Person.age_on`` (``durations.full_years_between``), including its rule
    for 29 February: such a birthday falls on 28 February in common years."""
    bound = durations.add_years(today, -years)
    # add_years clamps 29 February back to the 28th; someone born on the 29th of that
    # leap year may still have had their birthday by ``today``.
    following = bound + dt.timedelta(days=1)
    if durations.add_years(following, years) <= today:
        bound = following
    return bound


def age_band_filter(today: dt.date, low: int | None, high: int | None) -> Q:
    """People whose age on ``today`` is in [low, high); an open bound is unbounded."""
    q = Q(birth_date__isnull=False)
    if low is not None:
        q &= Q(birth_date__lte=latest_birth_date_for_age(today, low))
    if high is not None:
        q &= Q(birth_date__gt=latest_birth_date_for_age(today, high))
    return q


IN_POST = Q(archived_at__isnull=True, post_status=PostStatus.ON_DUTY)
CURRENT = Q(archived_at__isnull=True)


def summary_aggregates(today: dt.date) -> dict[str, Aggregate]:
    """Conditional counts for ``Person`` querysets: use with ``aggregate`` for one school or
    with ``values("school_id").annotate`` for one row per school."""
    aggregates: dict[str, Aggregate] = {
        "staff": Count("pk", filter=CURRENT),
        "in_post": Count("pk", filter=IN_POST),
        "archived": Count("pk", filter=Q(archived_at__isnull=False)),
        "in_establishment": Count("pk", filter=CURRENT & Q(establishment=Establishment.IN)),
        "out_establishment": Count("pk", filter=CURRENT & Q(establishment=Establishment.OUT)),
        "female": Count("pk", filter=IN_POST & Q(gender=Gender.FEMALE)),
        "male": Count("pk", filter=IN_POST & Q(gender=Gender.MALE)),
        "age_unknown": Count("pk", filter=IN_POST & Q(birth_date__isnull=True)),
    }
    for index, (low, high, _label) in enumerate(AGE_BANDS):
        aggregates[f"age_{index}"] = Count("pk", filter=IN_POST & age_band_filter(today, low, high))
    for status in PoliticalStatus:
        aggregates[f"political_{status.value}"] = Count(
            "pk", filter=IN_POST & Q(political_status=status)
        )
    return aggregates


def percent(part: int, whole: int) -> float:
    """Share in per cent, one decimal; 0 when there is nobody to share among."""
    return round(100 * part / whole, 1) if whole else 0.0


@dataclass(frozen=True)
class Share:
    label: Any
    count: int
    percent: float


@dataclass(frozen=True)
class StaffSummary:
    """Counts for one school or a group of schools. Shares are of the staff in post."""

    staff: int = 0
    in_post: int = 0
    archived: int = 0
    in_establishment: int = 0
    out_establishment: int = 0
    female: int = 0
    male: int = 0
    age_unknown: int = 0
    age_counts: tuple[int, ...] = (0,) * len(AGE_BANDS)
    political_counts: tuple[tuple[str, int], ...] = ()

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> StaffSummary:
        return cls(
            staff=row.get("staff") or 0,
            in_post=row.get("in_post") or 0,
            archived=row.get("archived") or 0,
            in_establishment=row.get("in_establishment") or 0,
            out_establishment=row.get("out_establishment") or 0,
            female=row.get("female") or 0,
            male=row.get("male") or 0,
            age_unknown=row.get("age_unknown") or 0,
            age_counts=tuple(row.get(f"age_{i}") or 0 for i in range(len(AGE_BANDS))),
            political_counts=tuple(
                (s.value, row.get(f"political_{s.value}") or 0) for s in PoliticalStatus
            ),
        )

    @classmethod
    def total(cls, summaries: Iterable[StaffSummary]) -> StaffSummary:
        items = list(summaries)
        political: dict[str, int] = {s.value: 0 for s in PoliticalStatus}
        for item in items:
            for key, n in item.political_counts:
                political[key] = political.get(key, 0) + n
        return cls(
            staff=sum(s.staff for s in items),
            in_post=sum(s.in_post for s in items),
            archived=sum(s.archived for s in items),
            in_establishment=sum(s.in_establishment for s in items),
            out_establishment=sum(s.out_establishment for s in items),
            female=sum(s.female for s in items),
            male=sum(s.male for s in items),
            age_unknown=sum(s.age_unknown for s in items),
            age_counts=tuple(sum(s.age_counts[i] for s in items) for i in range(len(AGE_BANDS))),
            political_counts=tuple(political.items()),
        )

    @property
    def age_shares(self) -> list[Share]:
        """One share per band of ``AGE_BANDS``; people without a birth date are in none."""
        return [
            Share(label, n, percent(n, self.in_post))
            for (_low, _high, label), n in zip(AGE_BANDS, self.age_counts, strict=True)
        ]

    @property
    def gender_shares(self) -> list[Share]:
        return [
            Share(Gender.FEMALE.label, self.female, percent(self.female, self.in_post)),
            Share(Gender.MALE.label, self.male, percent(self.male, self.in_post)),
        ]

    @property
    def political_shares(self) -> list[Share]:
        labels = dict(PoliticalStatus.choices)
        return [Share(labels[key], n, percent(n, self.in_post)) for key, n in self.political_counts]

    @property
    def female_percent(self) -> float:
        return percent(self.female, self.in_post)

    @property
    def core_age_percent(self) -> float:
        """Share of the staff in post aged 28–45, the plan's "主体" band."""
        core = sum(
            n
            for (low, high, _label), n in zip(AGE_BANDS, self.age_counts, strict=True)
            if low is not None and high is not None and low >= 28 and high <= 46
        )
        return percent(core, self.in_post)
