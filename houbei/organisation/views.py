"""Pages of the organisation module: posts and their ladder, the school calendar, and the
national working-day calendar. Each view checks access, parses a form, calls one
service and renders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from houbei.accounts.access import AuthedRequest, Cap, has_cap, requires, school_of
from houbei.core.errors import DomainError

from . import services
from .forms import (
    CalculatorForm,
    OverrideForm,
    PostForm,
    ReasonForm,
    SchoolYearForm,
    TermForm,
    WorkdayYearForm,
    mentor_queryset,
    show_domain_error,
)
from .models import (
    LadderLevel,
    Post,
    ReviewKind,
    SchoolYear,
    Term,
    WorkdayOverride,
    WorkdayYear,
)
from .school_calendar import propose_school_year
from .workdays import (
    DayType,
    WorkdayCalendar,
    calendar_for,
    fallback_warning,
    package_years,
)

# --- Posts ------------------------------------------------------------------------------


def _posts_of(request: AuthedRequest) -> Any:
    return Post.objects.for_school(school_of(request))


@requires(Cap.ORG_VIEW)
def posts(request: AuthedRequest) -> HttpResponse:
    """The school's posts, the ladder they form, and the archived ones."""
    rows = list(
        _posts_of(request)
        .annotate(history_count=Count("history"))
        .prefetch_related(
            Prefetch(
                "default_mentors",
                queryset=mentor_queryset(school_of(request)).order_by("staff_number"),
            )
        )
        .order_by("sort_order", "ladder_level", "name")
    )
    active = [p for p in rows if not p.is_archived]
    ladder = [(level, [p for p in active if p.ladder_level == level]) for level in LadderLevel]
    return render(
        request,
        "organisation/posts.html",
        {
            "posts": active,
            "archived": [p for p in rows if p.is_archived],
            "ladder": ladder,
            "can_edit": has_cap(request.user, Cap.ORG_EDIT),
        },
    )


@dataclass
class MentorOption:
    person: Any
    checked: bool
    incumbent: bool
    current_posts: list[str] = field(default_factory=list)


def _mentor_options(
    request: AuthedRequest, selected: set[int], query: str, post: Post | None
) -> list[MentorOption]:
    """Staff of the school to choose mentors from: current staff, plus anyone already
    chosen; with ``query`` (the no-script search) only matches and the chosen ones.
    Incumbents of the post come first after the chosen, since they are the usual
    mentors."""
    people_model = mentor_queryset(school_of(request)).model
    history_model = people_model._meta.get_field("post_history").related_model
    people = (
        mentor_queryset(school_of(request))
        .filter(Q(archived_at__isnull=True) | Q(pk__in=selected))
        .prefetch_related(
            Prefetch(
                "post_history",
                queryset=history_model.objects.filter(end__isnull=True)
                .select_related("post")
                .order_by("start"),
                to_attr="current_history",
            )
        )
        .order_by("staff_number")
    )
    words = query.split()
    options = []
    for person in people:
        checked = person.pk in selected
        haystack = f"{person.name} {person.staff_number} {person.subject}".lower()
        if words and not checked and not all(w.lower() in haystack for w in words):
            continue
        holding = [h.post for h in person.current_history]
        options.append(
            MentorOption(
                person,
                checked,
                post is not None and any(p.pk == post.pk for p in holding),
                [p.name for p in holding],
            )
        )
    options.sort(key=lambda o: (not o.checked, not o.incumbent))
    return options


_POST_MULTI = ("allowed_lengths", "default_mentors")
_POST_FLAGS = ("is_rotation_post", "counts_as_head")


def _initial_from(data: QueryDict) -> dict[str, Any]:
    """What the user has typed so far, to redisplay the form after a no-script search."""
    initial: dict[str, Any] = {name: data.get(name, "") for name in PostForm.base_fields}
    for name in _POST_MULTI:
        initial[name] = data.getlist(name)
    for name in _POST_FLAGS:
        initial[name] = name in data
    return initial


def _selected_ids(form: PostForm) -> set[int]:
    raw = (
        form.data.getlist("default_mentors")  # type: ignore[attr-defined]
        if form.is_bound
        else form.initial.get("default_mentors", [])
    )
    return {int(x) for x in raw if str(x).isdigit()}


def _post_form_page(request: AuthedRequest, post: Post | None) -> HttpResponse:
    school = school_of(request)
    query = ""
    if request.method == "POST" and "_filter" in request.POST:
        query = request.POST.get("mentor_q", "").strip()
        form = PostForm(initial=_initial_from(request.POST), school=school)
    elif request.method == "POST":
        form = PostForm(request.POST, school=school)
        if form.is_valid():
            try:
                if post is None:
                    saved = services.create_post(
                        actor=request.user, school=school, spec=form.spec()
                    )
                    messages.success(request, _("已新增岗位“%(name)s”。") % {"name": saved.name})
                else:
                    saved = services.update_post(actor=request.user, post=post, spec=form.spec())
                    messages.success(request, _("已保存岗位“%(name)s”。") % {"name": saved.name})
            except DomainError as error:
                show_domain_error(form, error)
            else:
                return redirect("organisation:posts")
    else:
        initial = (
            PostForm.initial_for(post)
            if post is not None
            else {"allowed_lengths": ["term", "year"], "capacity_per_term": 1}
        )
        form = PostForm(initial=initial, school=school)
    return render(
        request,
        "organisation/post_form.html",
        {
            "form": form,
            "post": post,
            "mentor_options": _mentor_options(request, _selected_ids(form), query, post),
            "mentor_query": query,
        },
    )


@requires(Cap.ORG_EDIT)
def post_create(request: AuthedRequest) -> HttpResponse:
    return _post_form_page(request, None)


@requires(Cap.ORG_EDIT)
def post_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(_posts_of(request).prefetch_related("default_mentors"), pk=pk)
    return _post_form_page(request, post)


def _confirm_page(
    request: HttpRequest,
    form: ReasonForm,
    *,
    title: str,
    text: str,
    button: str,
    back: str,
    danger: bool = True,
) -> HttpResponse:
    return render(
        request,
        "organisation/confirm.html",
        {
            "form": form,
            "title": title,
            "text": text,
            "button": button,
            "back": back,
            "danger": danger,
        },
    )


@requires(Cap.ORG_EDIT)
def post_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(_posts_of(request).annotate(history_count=Count("history")), pk=pk)
    form = ReasonForm(request.POST or None, label=_("归档原因"))
    if request.method == "POST" and form.is_valid():
        try:
            services.archive_post(actor=request.user, post=post, reason=form.cleaned_data["reason"])
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("岗位“%(name)s”已归档。") % {"name": post.name})
            return redirect("organisation:posts")
    text = _(
        "归档后，该岗位不再出现在新的轮岗和双向选择中；已有的%(count)s条任职记录及相关材料保留不变，"
        "岗位可随时恢复。岗位不会被删除。"
    ) % {"count": post.history_count}  # type: ignore[attr-defined]
    return _confirm_page(
        request,
        form,
        title=_("归档岗位：%(name)s") % {"name": post.name},
        text=text,
        button=_("归档"),
        back=reverse("organisation:posts"),
    )


@requires(Cap.ORG_EDIT)
def post_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    post = get_object_or_404(_posts_of(request), pk=pk)
    form = ReasonForm(request.POST or None, required=False, label=_("说明"))
    if request.method == "POST" and form.is_valid():
        try:
            services.restore_post(actor=request.user, post=post, reason=form.cleaned_data["reason"])
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("岗位“%(name)s”已恢复使用。") % {"name": post.name})
            return redirect("organisation:posts")
    return _confirm_page(
        request,
        form,
        title=_("恢复岗位：%(name)s") % {"name": post.name},
        text=_("归档原因：%(reason)s") % {"reason": post.archive_reason or "—"},
        button=_("恢复使用"),
        back=reverse("organisation:posts"),
        danger=False,
    )


# --- School calendar --------------------------------------------------------------------


def _years_of(request: AuthedRequest) -> Any:
    return SchoolYear.objects.for_school(school_of(request))


def _school_year_start(day: dt.date) -> int:
    """The start year of the school year ``day`` falls in (September to August)."""
    return day.year if day.month >= 9 else day.year - 1


@dataclass
class TermRow:
    term: Term
    midterm: dt.date | None
    final: dt.date | None
    workdays: int
    is_current: bool


@requires(Cap.ORG_VIEW)
def calendar(request: AuthedRequest) -> HttpResponse:
    """School years, newest first, with their terms, review points and the number of
    working days in each term."""
    today = timezone.localdate()
    cal = calendar_for(request)
    years = list(_years_of(request).with_terms().order_by("-start"))
    rows: list[tuple[SchoolYear, list[TermRow]]] = []
    missing: set[int] = set()
    upcoming: tuple[dt.date, TermRow, Any] | None = None
    for year in years:
        terms = []
        for term in year.terms.all():
            points = {p.kind: p.date for p in term.review_points.all()}
            count = cal.working_days_in(term.start, term.end)
            missing |= count.assumed_years
            row = TermRow(
                term,
                points.get(ReviewKind.MIDTERM),
                points.get(ReviewKind.FINAL),
                count.value,
                term.contains(today),
            )
            terms.append(row)
            for kind, day in points.items():
                if day >= today and (upcoming is None or day < upcoming[0]):
                    upcoming = (day, row, ReviewKind(kind).label)
        rows.append((year, terms))
    current = next((t for _y, ts in rows for t in ts if t.is_current), None)
    return render(
        request,
        "organisation/calendar.html",
        {
            "years": rows,
            "current": current,
            "upcoming": upcoming,
            "today": today,
            "warnings": [fallback_warning(y) for y in sorted(missing)],
            "can_edit": has_cap(request.user, Cap.ORG_EDIT),
        },
    )


def _parse_year(raw: str | None, default: int) -> int:
    try:
        year = int(raw or "")
    except ValueError:
        return default
    return year if services.MIN_START_YEAR <= year <= services.MAX_START_YEAR else default


@requires(Cap.ORG_EDIT)
def schoolyear_create(request: AuthedRequest) -> HttpResponse:
    latest = _years_of(request).order_by("-start_year").first()
    default = latest.start_year + 1 if latest else _school_year_start(timezone.localdate())
    if request.method == "POST":
        form = SchoolYearForm(request.POST)
        if form.is_valid():
            try:
                year = services.create_school_year(
                    actor=request.user,
                    school=school_of(request),
                    start_year=form.cleaned_data["start_year"],
                    dates=form.dates(),
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, _("已建立%(year)s。") % {"year": year})
                return redirect("organisation:calendar")
        start_year = _parse_year(request.POST.get("start_year"), default)
    else:
        start_year = _parse_year(request.GET.get("start_year"), default)
        proposal = propose_school_year(start_year, calendar_for(request))
        form = SchoolYearForm(initial={"start_year": start_year, **proposal.as_fields()})
    # The proposal places 第二学期 after the Spring Festival holiday only where the
    # calendar knows it.
    unknown = calendar_for(request).missing_years([start_year + 1])
    return render(
        request,
        "organisation/schoolyear_form.html",
        {
            "form": form,
            "start_year": start_year,
            "school_year": None,
            "warnings": [fallback_warning(y) for y in unknown],
        },
    )


@requires(Cap.ORG_EDIT)
def schoolyear_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    school_year = get_object_or_404(_years_of(request).with_terms(), pk=pk)
    if request.method == "POST":
        form = SchoolYearForm(request.POST, initial={"start_year": school_year.start_year})
        form.fields["start_year"].disabled = True
        if form.is_valid():
            try:
                services.update_school_year(
                    actor=request.user, school_year=school_year, dates=form.dates()
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, _("已保存%(year)s。") % {"year": school_year})
                return redirect("organisation:calendar")
    else:
        dates = services.school_year_dates(school_year) or propose_school_year(
            school_year.start_year, calendar_for(request)
        )
        form = SchoolYearForm(initial={"start_year": school_year.start_year, **dates.as_fields()})
        form.fields["start_year"].disabled = True
    return render(
        request,
        "organisation/schoolyear_form.html",
        {"form": form, "start_year": school_year.start_year, "school_year": school_year},
    )


@requires(Cap.ORG_EDIT)
def term_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    term = get_object_or_404(
        Term.objects.for_school(school_of(request))
        .select_related("school_year")
        .prefetch_related("review_points"),
        pk=pk,
    )
    if request.method == "POST":
        form = TermForm(request.POST)
        if form.is_valid():
            try:
                services.update_term(actor=request.user, term=term, **form.cleaned_data)
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, _("已保存%(term)s。") % {"term": term})
                return redirect("organisation:calendar")
    else:
        points = {p.kind: p.date for p in term.review_points.all()}
        form = TermForm(
            initial={
                "start": term.start,
                "end": term.end,
                "midterm": points.get(ReviewKind.MIDTERM),
                "final": points.get(ReviewKind.FINAL),
            }
        )
    return render(request, "organisation/term_form.html", {"form": form, "term": term})


# --- Working days -----------------------------------------------------------------------


def _parse_month(raw: str | None, today: dt.date) -> dt.date:
    try:
        year, month = (int(x) for x in (raw or "").split("-"))
        day = dt.date(year, month, 1)
    except ValueError:
        return today.replace(day=1)
    return day if 1901 <= day.year <= 2099 else today.replace(day=1)


def _workdays_url(day: dt.date | None = None, /, **params: Any) -> str:
    url = reverse("organisation:workdays")
    if day is not None:
        params = {"month": day.strftime("%Y-%m"), **params}
    return f"{url}?{urlencode(params)}" if params else url


@dataclass
class CalcResult:
    add: Any = None
    period_end: Any = None
    count: Any = None
    warnings: list[str] = field(default_factory=list)


def _calculate(form: CalculatorForm, cal: WorkdayCalendar) -> CalcResult:
    result = CalcResult()
    warnings: set[str] = set()
    if form.asks_add:
        start, n = form.cleaned_data["start"], form.cleaned_data["n"]
        result.add = cal.add_working_days(start, n)
        warnings.update(result.add.warnings)
        if n >= 1:
            result.period_end = cal.end_of_period(start, n)
            warnings.update(result.period_end.warnings)
    if form.asks_count:
        result.count = cal.working_days_in(form.cleaned_data["first"], form.cleaned_data["last"])
        warnings.update(result.count.warnings)
    result.warnings = sorted(warnings)
    return result


_CALC_FIELDS = ("start", "n", "first", "last")


def _calc_form(request: HttpRequest) -> CalculatorForm:
    data = {k: request.GET[k] for k in _CALC_FIELDS if request.GET.get(k)}
    return CalculatorForm(data or None)


WEEKDAYS = [
    pgettext_lazy("weekday", "一"),
    pgettext_lazy("weekday", "二"),
    pgettext_lazy("weekday", "三"),
    pgettext_lazy("weekday", "四"),
    pgettext_lazy("weekday", "五"),
    pgettext_lazy("weekday", "六"),
    pgettext_lazy("weekday", "日"),
]


@requires(Cap.CALENDAR_EDIT)
def workdays(request: AuthedRequest) -> HttpResponse:
    """The month grid, the overrides of the year shown, and the calculator."""
    today = timezone.localdate()
    month = _parse_month(request.GET.get("month"), today)
    cal = calendar_for(request)
    grid = cal.month(month.year, month.month)
    form = _calc_form(request)
    context = {
        "grid": grid,
        "today": today,
        "weekdays": WEEKDAYS,
        "day_types": list(DayType),
        "calc_form": form,
        "calc": _calculate(form, cal),
        "overrides": WorkdayOverride.objects.filter(date__year=month.year).order_by("date"),
        "year_covered": cal.covers(month.year),
        "year_confirmed": WorkdayYear.objects.filter(year=month.year).first(),
    }
    htmx = getattr(request, "htmx", None)
    if htmx and htmx.target == "month-grid" and not htmx.history_restore_request:
        return render(request, "organisation/workdays.html#grid", context)
    years = package_years()
    context |= {"package_first": years.start, "package_last": years.stop - 1}
    return render(request, "organisation/workdays.html", context)


@requires(Cap.CALENDAR_EDIT)
def workdays_calc(request: AuthedRequest) -> HttpResponse:
    """The calculator's answer as a fragment for htmx; a plain request gets the full page
    with the same question."""
    htmx = getattr(request, "htmx", None)
    if not htmx:
        params = {k: request.GET[k] for k in (*_CALC_FIELDS, "month") if k in request.GET}
        return redirect(_workdays_url(**params))
    form = _calc_form(request)
    return render(
        request,
        "organisation/workdays.html#calc",
        {"calc_form": form, "calc": _calculate(form, calendar_for(request))},
    )


def _override_form_page(request: AuthedRequest, override: WorkdayOverride | None) -> HttpResponse:
    cal = calendar_for(request)
    if request.method == "POST":
        form = OverrideForm(
            request.POST,
            editing=override is not None,
            initial={"date": override.date} if override else None,
        )
        if form.is_valid():
            data = form.cleaned_data
            try:
                if override is None:
                    saved = services.add_workday_override(
                        actor=request.user,
                        day=data["date"],
                        kind=data["kind"],
                        name=data["name"],
                        reason=data["reason"],
                    )
                else:
                    saved = services.update_workday_override(
                        actor=request.user,
                        override=override,
                        kind=data["kind"],
                        name=data["name"],
                        reason=data["reason"],
                    )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(request, _("已保存%(day)s的调整。") % {"day": saved.date})
                return redirect(_workdays_url(saved.date))
    elif override is not None:
        form = OverrideForm(
            editing=True,
            initial={
                "date": override.date,
                "kind": override.kind,
                "name": override.name,
                "reason": override.reason,
            },
        )
    else:
        initial: dict[str, Any] = {}
        try:
            day = dt.date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            day = None
        if day is not None:
            info = cal.describe(day)
            # Propose the opposite of what the day is now: that is why one adds an override.
            initial = {"date": day, "kind": "holiday" if info.is_workday else "workday"}
        form = OverrideForm(initial=initial)
    if override is not None:
        day = override.date
    elif form.is_bound:
        day = getattr(form, "cleaned_data", {}).get("date")
    else:
        day = form.initial.get("date")
    return render(
        request,
        "organisation/override_form.html",
        {
            "form": form,
            "override": override,
            "info": cal.describe(day) if isinstance(day, dt.date) else None,
            "back": _workdays_url(day if isinstance(day, dt.date) else None),
        },
    )


@requires(Cap.CALENDAR_EDIT)
def override_create(request: AuthedRequest) -> HttpResponse:
    return _override_form_page(request, None)


@requires(Cap.CALENDAR_EDIT)
def override_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    return _override_form_page(request, get_object_or_404(WorkdayOverride, pk=pk))


@requires(Cap.CALENDAR_EDIT)
def override_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    override = get_object_or_404(WorkdayOverride, pk=pk)
    form = ReasonForm(request.POST or None, label=_("删除原因"))
    if request.method == "POST" and form.is_valid():
        try:
            services.remove_workday_override(
                actor=request.user, override=override, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("已删除%(day)s的调整。") % {"day": override.date})
            return redirect(_workdays_url(override.date))
    return _confirm_page(
        request,
        form,
        title=_("删除调整：%(day)s") % {"day": override.date},
        text=_(
            "删除后，该日按节假日数据（或周末规则）计算。原记录：%(kind)s%(name)s，依据：%(reason)s。"
        )
        % {
            "kind": override.get_kind_display(),
            "name": f"（{override.name}）" if override.name else "",
            "reason": override.reason or "—",
        },
        button=_("删除"),
        back=_workdays_url(override.date),
    )


@requires(Cap.CALENDAR_EDIT)
def workdays_year_confirm(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    cal = calendar_for(request)
    if request.method == "POST":
        form = WorkdayYearForm(request.POST)
        if form.is_valid():
            try:
                entry = services.confirm_workday_year(
                    actor=request.user,
                    year=form.cleaned_data["year"],
                    source=form.cleaned_data["source"],
                )
            except DomainError as error:
                show_domain_error(form, error)
            else:
                messages.success(
                    request, _("已确认%(year)s年的节假日安排已全部录入。") % {"year": entry.year}
                )
                return redirect(_workdays_url(dt.date(entry.year, 1, 1)))
        year = _parse_year(request.POST.get("year"), today.year + 1)
    else:
        default = next(iter(cal.missing_years(range(today.year, today.year + 3))), today.year + 1)
        year = _parse_year(request.GET.get("year"), default)
        form = WorkdayYearForm(initial={"year": year})
    entered = WorkdayOverride.objects.filter(date__year=year).order_by("date")
    return render(
        request,
        "organisation/workday_year_form.html",
        {
            "form": form,
            "year": year,
            "entered": entered,
            "back": _workdays_url(dt.date(year, 1, 1)),
        },
    )


@requires(Cap.CALENDAR_EDIT)
def workdays_year_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(WorkdayYear, pk=pk)
    form = ReasonForm(request.POST or None, label=_("撤销原因"))
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_workday_year(
                actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, _("已撤销对%(year)s年的确认。") % {"year": entry.year})
            return redirect(_workdays_url(dt.date(entry.year, 1, 1)))
    return _confirm_page(
        request,
        form,
        title=_("撤销确认：%(year)s年") % {"year": entry.year},
        text=_("撤销后，%(year)s年未录入调整的日期将按周末计算并给出提示。确认依据：%(source)s。")
        % {"year": entry.year, "source": entry.source},
        button=_("撤销确认"),
        back=_workdays_url(dt.date(entry.year, 1, 1)),
    )
