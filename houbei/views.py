"""The home page: one per role, with counts from real data.

Each role's page is built by one function below that returns its template context. Every
figure comes from a fixed number of aggregate queries, so the page costs the same for a
school of 20 or 2,000 people (tests/home asserts the exact counts)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from houbei import home_work
from houbei.accounts.access import (
    AuthedRequest,
    Cap,
    has_cap,
    public,
    requires,
    school_of,
    schools_visible_to,
)
from houbei.accounts.models import Role, User
from houbei.audit.labels import action_label
from houbei.audit.models import AuditEntry, AuditHead
from houbei.district.stats import StaffSummary, summary_aggregates
from houbei.district.views import district_blocks
from houbei.organisation.models import District, Post, School, SchoolYear
from houbei.organisation.workdays import WorkdayCalendar, calendar_for, fallback_warning
from houbei.people.models import Person, PostHistory

RECENT_AUDIT_ENTRIES = 8
ROSTER_IMPORTED = "people.roster.imported"


def current_history(today: dt.date) -> Any:
    """Post-history rows held on ``today`` by people who have not left the registry."""
    return (
        PostHistory.objects.filter(start__lte=today, person__archived_at__isnull=True)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .select_related("person", "post")
        .order_by("post__sort_order", "start", "person__name")
    )


def calendar_warnings(
    today: dt.date, calendar: WorkdayCalendar, *, has_current_school_year: bool
) -> list[str]:
    """What the personnel office should fix in the calendar before it bites: public-notice
    periods are counted in working days, and the half-term reviews hang off terms."""
    warnings = []
    if not has_current_school_year:
        warnings.append(_("今天不在任何已录入的学年内：请在校历中添加本学年及其学期。"))
    for year in calendar.missing_years([today.year, today.year + 1]):
        warnings.append(
            _("%(fallback)s。国务院公布当年节假日安排后，请在工作日历中录入并确认该年。")
            % {"fallback": fallback_warning(year)}
        )
    return warnings


def school_summary(school: School, today: dt.date) -> StaffSummary:
    return StaffSummary.from_row(
        Person.objects.for_school(school).aggregate(**summary_aggregates(today))
    )


def _labelled(entries: Iterable[AuditEntry]) -> list[AuditEntry]:
    items = list(entries)
    for entry in items:
        entry.action_label = action_label(entry.action)  # type: ignore[attr-defined]
    return items


def _personnel(request: AuthedRequest, today: dt.date) -> dict[str, Any]:
    school = school_of(request)
    posts = Post.objects.for_school(school).aggregate(
        active=Count("pk", filter=Q(archived_at__isnull=True)),
        rotation=Count("pk", filter=Q(archived_at__isnull=True, is_rotation_post=True)),
    )
    school_years = SchoolYear.objects.filter(school=school).aggregate(
        total=Count("pk"),
        current=Count("pk", filter=Q(start__lte=today, end__gte=today)),
    )
    return {
        "summary": school_summary(school, today),
        "posts": posts,
        **_office_work(request, school, today),
        "last_import": AuditEntry.objects.for_school(school)
        .filter(action=ROSTER_IMPORTED)
        .order_by("-seq")
        .first(),
        "recent_entries": _labelled(
            AuditEntry.objects.for_school(school).order_by("-seq")[:RECENT_AUDIT_ENTRIES]
        ),
        "warnings": calendar_warnings(
            today, calendar_for(request), has_current_school_year=bool(school_years["current"])
        ),
    }


def _decision(request: AuthedRequest, today: dt.date) -> dict[str, Any]:
    school = school_of(request)
    posts = list(
        Post.objects.for_school(school)
        .active()
        .prefetch_related(Prefetch("history", queryset=current_history(today), to_attr="holders"))
    )
    me = Person.objects.for_school(school).filter(user=request.user).first()
    return {
        "summary": school_summary(school, today),
        "posts": posts,
        "decision_cycles": home_work.decision_cycles(school, today)
        if has_cap(request.user, Cap.SELECTION_DECIDE)
        else [],
        **_own_work(request, school, me, today),
    }


def _own(request: AuthedRequest, today: dt.date) -> dict[str, Any]:
    """Mentor and staff member: their own record, found through the account link."""
    school = school_of(request)
    person = (
        Person.objects.for_school(school)
        .filter(user=request.user)
        .prefetch_related(
            Prefetch(
                "post_history",
                queryset=PostHistory.objects.filter(start__lte=today)
                .filter(Q(end__isnull=True) | Q(end__gte=today))
                .select_related("post"),
                to_attr="current_posts",
            ),
            "honours",
        )
        .first()
    )
    years_at_school = (
        _whole_years(person.joined_school_on, today)
        if person is not None and person.joined_school_on
        else None
    )
    return {
        "person": person,
        "years_at_school": years_at_school,
        **_own_work(request, school, person, today),
    }


def _office_work(request: AuthedRequest, school: School, today: dt.date) -> dict[str, Any]:
    """What the personnel office has in progress: cycles, rounds, elections, ratings."""
    user = request.user
    return {
        "office_cycles": home_work.office_cycles(school, today)
        if has_cap(user, Cap.SELECTION_RUN)
        else [],
        "office_rounds": home_work.office_rounds(school) if has_cap(user, Cap.ROTATION_RUN) else [],
        "open_elections": home_work.open_elections(school)
        if has_cap(user, Cap.BALLOTS_VIEW)
        else [],
        "open_ratings": home_work.open_ratings(school) if has_cap(user, Cap.BALLOTS_VIEW) else [],
    }


def _own_work(
    request: AuthedRequest, school: School, person: Person | None, today: dt.date
) -> dict[str, Any]:
    """What waits for the user themselves: an open 意向表, the post side to answer, the
    ballots and ratings they are on the roll of and have not yet taken part in."""
    if person is None:
        return {"open_forms": [], "my_offers": [], "my_votes": [], "my_ratings": []}
    user = request.user
    take_part = has_cap(user, Cap.ROTATION_TAKE_PART)
    votes, ratings = home_work.my_ballots(school, person) if has_cap(user, Cap.VOTE) else ([], [])
    return {
        "open_forms": home_work.open_forms(school, person) if take_part else [],
        "my_offers": home_work.my_offers(school, person, today) if take_part else [],
        "my_votes": votes,
        "my_ratings": ratings,
    }


def _whole_years(start: dt.date, today: dt.date) -> int:
    return today.year - start.year - ((today.month, today.day) < (start.month, start.day))


def _district(request: AuthedRequest, today: dt.date) -> dict[str, Any]:
    schools = list(schools_visible_to(request.user).select_related("district").order_by("name"))
    return {"blocks": district_blocks(schools)}


def _sysadmin(request: AuthedRequest, today: dt.date) -> dict[str, Any]:
    now = timezone.now()
    users = User.objects.aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(is_active=True)),
        locked=Count("pk", filter=Q(locked_until__gt=now)),
        **{f"role_{r.value}": Count("pk", filter=Q(role=r, is_active=True)) for r in Role},
    )
    schools = School.objects.aggregate(
        total=Count("pk"), active=Count("pk", filter=Q(is_active=True))
    )
    head = AuditHead.objects.filter(id=1).first()
    return {
        "users": users,
        "role_counts": [(r.label, users[f"role_{r.value}"]) for r in Role],
        "locked_users": list(
            User.objects.filter(locked_until__gt=now).select_related("school")[:10]
        ),
        "schools": schools,
        "districts": District.objects.count(),
        "audit_length": head.seq if head else 0,
    }


HOME_PAGES: dict[str, tuple[str, Callable[[AuthedRequest, dt.date], dict[str, Any]]]] = {
    Role.PERSONNEL: ("home_personnel.html", _personnel),
    Role.DECISION: ("home_decision.html", _decision),
    Role.MENTOR: ("home_own.html", _own),
    Role.STAFF: ("home_own.html", _own),
    Role.DISTRICT: ("home_district.html", _district),
    Role.SYSADMIN: ("home_sysadmin.html", _sysadmin),
}


@requires(Cap.HOME)
def home(request: AuthedRequest) -> HttpResponse:
    template, build = HOME_PAGES[request.user.role]
    today = timezone.localdate()
    return render(request, template, {"today": today, **build(request, today)})


@public
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for a load balancer or a service manager: the process answers. It reads
    nothing (no database, no session), so it is also the web stack's own ceiling in
    ``houbei bench ballots-throughput``."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
