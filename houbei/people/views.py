"""Pages of the staff registry. Each view checks access, parses input with a form, calls
one service and renders; rows of another school are 404.

The post-history, honour and annual-appraisal sections of a person's page are edited in
place with htmx:
their forms post to the routes below, which answer an htmx request with the section
(plus the refreshed audit trail, swapped out of band) and a plain request with a redirect
or the whole page with its errors, so every action also works without JavaScript."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from houbei.accounts.access import AuthedRequest, Cap, has_cap, requires, school_of
from houbei.audit.models import AuditEntry
from houbei.core.errors import DomainError, ValidationFailed
from houbei.organisation.models import Post
from houbei.rotations.file_pages import rotation_file

from . import durations, presenters
from .filters import (
    ARCHIVED_CHOICES,
    PAGE_SIZE,
    POLITICAL_CHOICES,
    SORTS,
    PersonFilters,
    list_people,
    parse_filters,
    summarise,
)
from .forms import (
    HONOUR_SUGGESTIONS,
    AnnualAppraisalForm,
    EndHistoryForm,
    HonourForm,
    PersonForm,
    PostHistoryForm,
    ReasonForm,
    add_errors,
)
from .models import (
    AnnualAppraisal,
    Establishment,
    Gender,
    Honour,
    Person,
    PostHistory,
    PostStatus,
)
from .services import (
    add_annual_appraisal,
    add_honour,
    add_post_history,
    archive_person,
    create_person,
    end_post_history,
    remove_annual_appraisal,
    remove_honour,
    remove_post_history,
    restore_person,
    update_annual_appraisal,
    update_honour,
    update_person,
    update_post_history,
)

AUDIT_SHOWN = 50


@dataclass
class ListRow:
    person: Person
    age: int | None


@dataclass
class HistoryLine:
    """A post-history row as the page shows it, with the forms of its in-place actions."""

    row: PostHistory
    duration: str
    current: bool
    upcoming: bool
    edit_form: PostHistoryForm | None = None
    end_form: EndHistoryForm | None = None
    remove_form: ReasonForm | None = None


@dataclass
class HonourLine:
    honour: Honour
    edit_form: HonourForm | None = None
    remove_form: ReasonForm | None = None


@dataclass
class AppraisalLine:
    appraisal: AnnualAppraisal
    edit_form: AnnualAppraisalForm | None = None
    remove_form: ReasonForm | None = None


SORT_COLUMNS = (
    ("staff_number", gettext_lazy("工号")),
    ("name", gettext_lazy("姓名")),
    ("age", gettext_lazy("年龄")),
    ("joined", gettext_lazy("入校时间")),
)


def _is_htmx(request: AuthedRequest) -> bool:
    """True for a request htmx made (django-htmx's ``request.htmx``)."""
    return bool(getattr(request, "htmx", False))


# --- the list ------------------------------------------------------------------------


@requires(Cap.PEOPLE_VIEW)
def person_list(request: AuthedRequest) -> HttpResponse:
    school = school_of(request)
    today = timezone.localdate()
    filters = parse_filters(request.GET)
    people = list_people(school, filters, as_of=today)
    counts = summarise(people)
    paginator = Paginator(people, PAGE_SIZE)
    # The summary already counted the rows; saves the paginator its own COUNT query.
    paginator.count = counts["total"]  # type: ignore[misc]
    page = paginator.get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "filters": filters,
        "counts": counts,
        "page": page,
        "rows": [ListRow(p, p.age_on(today)) for p in page.object_list],
        "today": today,
        "sort_columns": [_sort_column(key, label, filters.sort) for key, label in SORT_COLUMNS],
        # The export repeats the list on screen (all pages), so it carries the filters.
        "export_query": f"?{urlencode(filters.as_params())}" if filters.as_params() else "",
    }
    if _is_htmx(request):
        response = render(request, "people/list.html#results", context)
        # The filter form sends every field, empty or not; the address bar gets the
        # short form of the same list, which is also what a bookmark should keep.
        params = filters.as_params() | ({"page": str(page.number)} if page.number > 1 else {})
        response["HX-Push-Url"] = reverse("people:list") + (
            f"?{urlencode(params)}" if params else ""
        )
        return response
    register = Person.objects.for_school(school).aggregate(
        active=Count("pk", filter=Q(archived_at__isnull=True)),
        archived=Count("pk", filter=Q(archived_at__isnull=False)),
    )
    posts = (
        Post.objects.for_school(school)
        .order_by("sort_order", "ladder_level", "name")
        .values_list("pk", "name")
    )
    subjects = (
        Person.objects.for_school(school)
        .exclude(subject="")
        .order_by("subject")
        .values_list("subject", "subject")
        .distinct()
    )
    context |= {"register": register, "filter_selects": _filter_selects(filters, posts, subjects)}
    return render(request, "people/list.html", context)


def _sort_column(key: str, label: Any, current: str) -> dict[str, Any]:
    """A sortable column header: the link flips the direction of the current column."""
    if current == key:
        return {"label": label, "sort": f"-{key}", "aria": "ascending", "arrow": "▲"}
    if current == f"-{key}":
        return {"label": label, "sort": key, "aria": "descending", "arrow": "▼"}
    return {"label": label, "sort": key, "aria": "none", "arrow": ""}


def _filter_selects(filters: PersonFilters, posts: Any, subjects: Any) -> list[dict[str, Any]]:
    """The drop-downs of the filter bar, in order. ``current`` is the selected value as
    the string the option carries."""
    any_ = _("不限")
    sort_labels = {
        "staff_number": _("工号 ↑"),
        "-staff_number": _("工号 ↓"),
        "name": _("姓名 ↑"),
        "-name": _("姓名 ↓"),
        "age": _("年龄从小到大"),
        "-age": _("年龄从大到小"),
        "joined": _("入校时间从早到晚"),
        "-joined": _("入校时间从晚到早"),
    }
    specs: list[tuple[str, str, Any, Any, Any]] = [
        ("post_status", _("在岗状态"), any_, PostStatus.choices, filters.post_status),
        ("establishment", _("编制"), any_, Establishment.choices, filters.establishment),
        ("political_status", _("政治面貌"), any_, POLITICAL_CHOICES, filters.political_status),
        ("gender", _("性别"), any_, Gender.choices, filters.gender),
        ("subject", _("任教学科"), any_, subjects, filters.subject),
        ("current_post", _("现任岗位"), any_, posts, filters.current_post or ""),
        ("archived", _("档案范围"), None, ARCHIVED_CHOICES, filters.archived.value),
        ("sort", _("排序"), None, [(k, sort_labels[k]) for k in SORTS], filters.sort),
    ]
    return [
        {"name": name, "label": label, "any": any_label, "choices": choices, "current": str(value)}
        for name, label, any_label, choices, value in specs
    ]


# --- one person -----------------------------------------------------------------------


def _person(request: AuthedRequest, pk: int) -> Person:
    return get_object_or_404(
        Person.objects.select_related("user"), pk=pk, school=school_of(request)
    )


def _file_context(person: Person, today: dt.date) -> dict[str, Any]:
    """Facts, history with durations, honours and annual appraisals: what the detail page
    and one's own file show. Three queries (history with posts, honours, appraisals)."""
    rows = list(person.post_history.select_related("post").order_by("start", "pk"))
    lines = [
        HistoryLine(
            row=r,
            duration=durations.format_years_months(*r.years_months(today)),
            current=r.is_current(today),
            upcoming=r.start > today,
        )
        for r in rows
    ]
    head = [(r.start, r.end) for r in rows if r.post.counts_as_head]
    spans = [(r.start, r.end) for r in rows]
    totals = {
        "head": durations.format_years_months(*durations.merged_years_months(head, today))
        if head
        else None,
        "all_posts": durations.format_years_months(*durations.merged_years_months(spans, today))
        if spans
        else None,
        "school": _since(person.joined_school_on, today),
        "work": _since(person.started_work_on, today),
    }
    return {
        "person": person,
        "today": today,
        "age": person.age_on(today),
        "history": lines,
        "current_lines": [line for line in lines if line.current],
        "honours": [HonourLine(h) for h in person.honours.order_by("-year", "-level", "pk")],
        "appraisals": [AppraisalLine(a) for a in person.annual_appraisals.order_by("-year")],
        "totals": totals,
        "honour_suggestions": HONOUR_SUGGESTIONS,
    }


def _rotation(
    context: dict[str, Any], person: Person, today: dt.date, *, with_mentoring: bool
) -> Any:
    """The 轮岗锻炼 section's data (``rotations.file_pages``), read when the page shows the
    section: a section of the page re-rendered after an edit does not read it."""
    history = [line.row for line in context["history"]]
    return SimpleLazyObject(
        lambda: rotation_file(person, today=today, history=history, with_mentoring=with_mentoring)
    )


def _since(day: dt.date | None, today: dt.date) -> str | None:
    if day is None or day > today:
        return None
    return durations.format_years_months(*durations.years_months_between(day, today))


def _detail_context(
    request: AuthedRequest,
    person: Person,
    *,
    editing_row: tuple[int, PostHistoryForm] | None = None,
    editing_honour: tuple[int, HonourForm] | None = None,
    editing_appraisal: tuple[int, AnnualAppraisalForm] | None = None,
    row_forms: dict[tuple[str, int], Any] | None = None,
    history_form: PostHistoryForm | None = None,
    honour_form: HonourForm | None = None,
    appraisal_form: AnnualAppraisalForm | None = None,
    reason_form: ReasonForm | None = None,
    notice: str | None = None,
    alert: str | None = None,
) -> dict[str, Any]:
    """The detail page's context. The keyword arguments carry a form that just failed
    (bound, with its errors) so it is shown where the user left it."""
    today = timezone.localdate()
    context = _file_context(person, today)
    may_edit = has_cap(request.user, Cap.PEOPLE_EDIT)
    can_edit = may_edit and not person.is_archived
    context |= {"can_edit": can_edit, "may_edit": may_edit, "notice": notice, "alert": alert}
    if has_cap(request.user, Cap.ROTATION_VIEW):
        context["rotation"] = _rotation(context, person, today, with_mentoring=False)
        context["can_view_rotation"] = True
        context["can_run_rotation"] = has_cap(request.user, Cap.ROTATION_RUN)
    if has_cap(request.user, Cap.AUDIT_VIEW):
        # The file's own entries, and the roster imports that changed it (an import is
        # recorded as one entry with each person's changes inside, keyed by staff number).
        entries = (
            AuditEntry.objects.filter(school=person.school_id)
            .filter(
                Q(target_type="people.person", target_id=str(person.pk))
                | Q(action=presenters.ROSTER_IMPORTED, new__people__has_key=person.staff_number)
            )
            .order_by("-seq")[:AUDIT_SHOWN]
        )
        context["audit"] = presenters.present(entries, person.staff_number)
        context["audit_limit"] = AUDIT_SHOWN
    if can_edit:
        context["history_form"] = history_form or PostHistoryForm(
            person=person, auto_id="id_history_%s"
        )
        context["honour_form"] = honour_form or HonourForm(person=person, auto_id="id_honour_%s")
        context["appraisal_form"] = appraisal_form or AnnualAppraisalForm(
            person=person, auto_id="id_appraisal_%s"
        )
        failed = row_forms or {}
        line: HistoryLine
        for line in context["history"]:
            pk = line.row.pk
            line.end_form = failed.get(("end", pk)) or EndHistoryForm(auto_id=f"id_end_{pk}_%s")
            line.remove_form = failed.get(("remove", pk)) or ReasonForm(
                label=_("删除原因"), auto_id=f"id_remove_{pk}_%s"
            )
            if editing_row and editing_row[0] == pk:
                line.edit_form = editing_row[1]
        hline: HonourLine
        for hline in context["honours"]:
            pk = hline.honour.pk
            hline.remove_form = failed.get(("honour_remove", pk)) or ReasonForm(
                label=_("删除原因"), auto_id=f"id_hremove_{pk}_%s"
            )
            if editing_honour and editing_honour[0] == pk:
                hline.edit_form = editing_honour[1]
        aline: AppraisalLine
        for aline in context["appraisals"]:
            pk = aline.appraisal.pk
            aline.remove_form = failed.get(("appraisal_remove", pk)) or ReasonForm(
                label=_("删除原因"), auto_id=f"id_aremove_{pk}_%s"
            )
            if editing_appraisal and editing_appraisal[0] == pk:
                aline.edit_form = editing_appraisal[1]
    if may_edit:
        context["reason_form"] = reason_form or ReasonForm(
            label=_("恢复原因") if person.is_archived else _("归档原因"), auto_id="id_state_%s"
        )
    return context


@requires(Cap.PEOPLE_VIEW)
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    return render(request, "people/detail.html", _detail_context(request, person))


@requires(Cap.OWN_FILE)
def own_file(request: AuthedRequest) -> HttpResponse:
    school = school_of(request)
    person = Person.objects.filter(user=request.user, school=school).first()
    context: dict[str, Any] = {"person": None}
    if person is not None:
        today = timezone.localdate()
        context = _file_context(person, today)
        if has_cap(request.user, Cap.ROTATION_TAKE_PART):
            # One's own rotations, and the ones one mentors (a mentor sees their mentees').
            context["rotation"] = _rotation(context, person, today, with_mentoring=True)
            context["own"] = True
    return render(request, "people/own.html", context)


@requires(Cap.PEOPLE_EDIT)
@require_http_methods(["GET", "POST"])
def person_create(request: AuthedRequest) -> HttpResponse:
    school = school_of(request)
    form = PersonForm(request.POST or None, school=school, instance=Person(school=school))
    if request.method == "POST" and form.is_valid():
        try:
            person = create_person(
                actor=request.user,
                school=school,
                values=form.person_values(),
                national_id_number=form.national_id_change() or "",
            )
        except ValidationFailed as error:
            add_errors(form, error.errors or {"__all__": [str(error.message)]})
        else:
            messages.success(request, _("已建立 %(name)s 的档案。") % {"name": person.name})
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "person": None})


@requires(Cap.PEOPLE_EDIT)
@require_http_methods(["GET", "POST"])
def person_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    school = school_of(request)
    person = _person(request, pk)
    if person.is_archived:
        messages.error(
            request, _("%(name)s的档案已归档，请先恢复档案再修改。") % {"name": person.name}
        )
        return redirect("people:detail", pk=person.pk)
    form = PersonForm(request.POST or None, school=school, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            update_person(
                actor=request.user,
                person=person,
                values=form.person_values(),
                national_id_number=form.national_id_change(),
            )
        except ValidationFailed as error:
            add_errors(form, error.errors or {"__all__": [str(error.message)]})
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("people:detail", pk=person.pk)
        else:
            messages.success(request, _("已保存 %(name)s 的档案。") % {"name": person.name})
            return redirect("people:detail", pk=person.pk)
    return render(request, "people/form.html", {"form": form, "person": person})


def _state_change(request: AuthedRequest, pk: int, *, restore: bool) -> HttpResponse:
    person = _person(request, pk)
    label = _("恢复原因") if restore else _("归档原因")
    form = ReasonForm(request.POST, label=label, auto_id="id_state_%s")
    if form.is_valid():
        service = restore_person if restore else archive_person
        try:
            service(actor=request.user, person=person, reason=form.cleaned_data["reason"])
        except ValidationFailed as error:
            add_errors(form, error.errors)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("people:detail", pk=person.pk)
        else:
            done = _("已恢复 %(name)s 的档案。") if restore else _("已归档 %(name)s 的档案。")
            messages.success(request, done % {"name": person.name})
            return redirect("people:detail", pk=person.pk)
    context = _detail_context(request, person, reason_form=form)
    return render(request, "people/detail.html", context)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def person_archive(request: AuthedRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, restore=False)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def person_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    return _state_change(request, pk, restore=True)


# --- post history, honours and annual appraisals, edited in place ----------------------


def _section(
    request: AuthedRequest, person: Person, section: str, *, changed: bool, **forms: Any
) -> HttpResponse:
    """Answer a row action. After a change: for htmx the section and, out of band, the
    refreshed audit trail; otherwise a redirect back to the section. Without a change (a
    form to show, or errors): the section for htmx, else the whole page."""
    if changed and not _is_htmx(request):
        if forms.get("notice"):
            messages.success(request, forms["notice"])
        return redirect(reverse("people:detail", kwargs={"pk": person.pk}) + f"#{section}")
    if not _is_htmx(request):
        return render(request, "people/detail.html", _detail_context(request, person, **forms))
    if changed:
        # Re-read: the service changed what the section shows.
        person = _person(request, person.pk)
    context = _detail_context(request, person, **forms)
    html = render_to_string(f"people/detail.html#{section}", context, request=request)
    if changed and "audit" in context:
        html += render_to_string(
            "people/detail.html#audit", context | {"oob": True}, request=request
        )
    return HttpResponse(html)


def _domain_error(
    request: AuthedRequest, person: Person, section: str, error: DomainError
) -> HttpResponse:
    if _is_htmx(request):
        return _section(request, person, section, changed=False, alert=str(error.message))
    messages.error(request, str(error.message))
    return redirect(reverse("people:detail", kwargs={"pk": person.pk}) + f"#{section}")


@requires(Cap.PEOPLE_EDIT)
@require_POST
def history_add(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = PostHistoryForm(request.POST, person=person, auto_id="id_history_%s")
    if form.is_valid():
        try:
            add_post_history(
                actor=request.user,
                person=person,
                post=form.cleaned_data["post"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as error:
            add_errors(form, error.errors)
        except DomainError as error:
            return _domain_error(request, person, "history", error)
        else:
            return _section(request, person, "history", changed=True, notice=_("已添加任职经历。"))
    return _section(request, person, "history", changed=False, history_form=form)


def _row(person: Person, sub: int) -> PostHistory:
    return get_object_or_404(PostHistory.objects.select_related("post"), pk=sub, person=person)


@requires(Cap.PEOPLE_EDIT)
@require_http_methods(["GET", "POST"])
def history_edit(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    person = _person(request, pk)
    row = _row(person, sub)
    if request.method == "GET":
        form = PostHistoryForm(person=person, row=row, auto_id=f"id_edit_{row.pk}_%s")
        return _section(request, person, "history", changed=False, editing_row=(row.pk, form))
    form = PostHistoryForm(request.POST, person=person, row=row, auto_id=f"id_edit_{row.pk}_%s")
    if form.is_valid():
        try:
            update_post_history(
                actor=request.user,
                entry=row,
                post=form.cleaned_data["post"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as error:
            add_errors(form, error.errors)
        except DomainError as error:
            return _domain_error(request, person, "history", error)
        else:
            return _section(request, person, "history", changed=True, notice=_("已保存任职经历。"))
    return _section(request, person, "history", changed=False, editing_row=(row.pk, form))


@requires(Cap.PEOPLE_EDIT)
@require_POST
def history_end(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    person = _person(request, pk)
    row = _row(person, sub)
    form = EndHistoryForm(request.POST, auto_id=f"id_end_{row.pk}_%s")
    if form.is_valid():
        try:
            end_post_history(actor=request.user, entry=row, end=form.cleaned_data["end"])
        except ValidationFailed as error:
            add_errors(form, error.errors)
        except DomainError as error:
            return _domain_error(request, person, "history", error)
        else:
            return _section(request, person, "history", changed=True, notice=_("已结束该任职。"))
    return _section(request, person, "history", changed=False, row_forms={("end", row.pk): form})


@requires(Cap.PEOPLE_EDIT)
@require_POST
def history_remove(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    person = _person(request, pk)
    row = _row(person, sub)
    form = ReasonForm(request.POST, label=_("删除原因"), auto_id=f"id_remove_{row.pk}_%s")
    if form.is_valid():
        try:
            remove_post_history(actor=request.user, entry=row, reason=form.cleaned_data["reason"])
        except ValidationFailed as error:
            add_errors(form, error.errors)
        except DomainError as error:
            return _domain_error(request, person, "history", error)
        else:
            return _section(
                request, person, "history", changed=True, notice=_("已删除该任职经历。")
            )
    return _section(request, person, "history", changed=False, row_forms={("remove", row.pk): form})


def _honour(person: Person, sub: int) -> Honour:
    return get_object_or_404(Honour, pk=sub, person=person)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def honour_add(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = HonourForm(request.POST, person=person, auto_id="id_honour_%s")
    if form.is_valid():
        try:
            add_honour(actor=request.user, person=person, **form.cleaned_data)
        except ValidationFailed as error:
            add_errors(form, error.errors)
        except DomainError as error:
            return _domain_error(request, person, "honours", error)
        else:
            return _section(request, person, "honours", changed=True, notice=_("已添加荣誉。"))
    return _section(request, person, "honours", changed=False, honour_form=form)


@requires(Cap.PEOPLE_EDIT)
@require_http_methods(["GET", "POST"])
def honour_edit(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    person = _person(request, pk)
    honour = _honour(person, sub)
    auto_id = f"id_hedit_{honour.pk}_%s"
    if request.method == "GET":
        form = HonourForm(person=person, honour=honour, auto_id=auto_id)
        return _section(request, person, "honours", changed=False, editing_honour=(honour.pk, form))
    form = HonourForm(request.POST, person=person, honour=honour, auto_id=auto_id)
    if form.is_valid():
        try:
            update_honour(actor=request.user, honour=honour, **form.cleaned_data)
        except ValidationFailed as error:
            add_errors(form, error.errors)
        except DomainError as error:
            return _domain_error(request, person, "honours", error)
        else:
            return _section(request, person, "honours", changed=True, notice=_("已保存荣誉。"))
    return _section(request, person, "honours", changed=False, editing_honour=(honour.pk, form))


@requires(Cap.PEOPLE_EDIT)
@require_POST
def honour_remove(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    person = _person(request, pk)
    honour = _honour(person, sub)
    form = ReasonForm(request.POST, label=_("删除原因"), auto_id=f"id_hremove_{honour.pk}_%s")
    if form.is_valid():
        try:
            remove_honour(actor=request.user, honour=honour, reason=form.cleaned_data["reason"])
        except ValidationFailed as error:
            add_errors(form, error.errors)
        except DomainError as error:
            return _domain_error(request, person, "honours", error)
        else:
            return _section(request, person, "honours", changed=True, notice=_("已删除该荣誉。"))
    return _section(
        request, person, "honours", changed=False, row_forms={("honour_remove", honour.pk): form}
    )


def _appraisal(person: Person, sub: int) -> AnnualAppraisal:
    return get_object_or_404(AnnualAppraisal, pk=sub, person=person)


@requires(Cap.PEOPLE_EDIT)
@require_POST
def appraisal_add(request: AuthedRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    form = AnnualAppraisalForm(request.POST, person=person, auto_id="id_appraisal_%s")
    if form.is_valid():
        try:
            add_annual_appraisal(actor=request.user, person=person, **form.cleaned_data)
        except ValidationFailed as error:
            add_errors(form, error.errors)
        except DomainError as error:
            return _domain_error(request, person, "appraisals", error)
        else:
            return _section(
                request, person, "appraisals", changed=True, notice=_("已添加年度考核等次。")
            )
    return _section(request, person, "appraisals", changed=False, appraisal_form=form)


@requires(Cap.PEOPLE_EDIT)
@require_http_methods(["GET", "POST"])
def appraisal_edit(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    person = _person(request, pk)
    appraisal = _appraisal(person, sub)
    auto_id = f"id_aedit_{appraisal.pk}_%s"
    editing = appraisal.pk
    if request.method == "GET":
        form = AnnualAppraisalForm(person=person, appraisal=appraisal, auto_id=auto_id)
        return _section(
            request, person, "appraisals", changed=False, editing_appraisal=(editing, form)
        )
    form = AnnualAppraisalForm(request.POST, person=person, appraisal=appraisal, auto_id=auto_id)
    if form.is_valid():
        try:
            update_annual_appraisal(actor=request.user, appraisal=appraisal, **form.cleaned_data)
        except ValidationFailed as error:
            add_errors(form, error.errors)
        except DomainError as error:
            return _domain_error(request, person, "appraisals", error)
        else:
            return _section(
                request, person, "appraisals", changed=True, notice=_("已保存年度考核等次。")
            )
    return _section(request, person, "appraisals", changed=False, editing_appraisal=(editing, form))


@requires(Cap.PEOPLE_EDIT)
@require_POST
def appraisal_remove(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    person = _person(request, pk)
    appraisal = _appraisal(person, sub)
    form = ReasonForm(request.POST, label=_("删除原因"), auto_id=f"id_aremove_{appraisal.pk}_%s")
    if form.is_valid():
        try:
            remove_annual_appraisal(
                actor=request.user, appraisal=appraisal, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as error:
            add_errors(form, error.errors)
        except DomainError as error:
            return _domain_error(request, person, "appraisals", error)
        else:
            return _section(
                request, person, "appraisals", changed=True, notice=_("已删除该年度考核记录。")
            )
    return _section(
        request,
        person,
        "appraisals",
        changed=False,
        row_forms={("appraisal_remove", appraisal.pk): form},
    )
