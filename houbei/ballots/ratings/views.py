"""Pages of rating rounds: the administrator's (list, create, the round's page with live
turnout per group, groups, codes, rolls, open, close, comment review, release, results)
and the rater's (with a one-time code, or on a roll when logged in).

Administrator views check access with ``@requires``, find the round in the user's school
(another school's is 404), parse with a form, call one service and render or redirect
with a message. No figure of a round appears on any page before it is released.

The rater's pages must never keep the code, the grades or the comments anywhere but the
counters: every response is ``no-store``, every POST view hides its parameters from error
reports, the code arrives in the URL fragment (which the browser does not send) and is
posted in the body, and the flow — fill in, confirm, done — carries its state in the form
itself. The pages work as plain forms without JavaScript; ``rate.js`` only reads the
fragment into the form."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_POST

from houbei.accounts.access import AuthedRequest, Cap, has_cap, public, requires, school_of
from houbei.ballots import codes
from houbei.ballots.privacy import private_page
from houbei.core.errors import DomainError, ValidationFailed
from houbei.organisation.models import School
from houbei.people.lookup import resolve_people
from houbei.people.models import Person

from . import aggregate, services
from .models import (
    MIN_K,
    CommentState,
    GroupMode,
    RaterGroup,
    RatingComment,
    RatingRollEntry,
    RatingRound,
    RoundKind,
    RoundStatus,
)

GROUP_ROWS = 4  # rater groups on the create form; more can be added on the round's page
DEFAULT_GROUPS = (
    ("校领导", 3, GroupMode.ROLL),
    ("中层干部", 5, GroupMode.ROLL),
    ("教师代表", 5, GroupMode.ROLL),
    ("服务对象", 5, GroupMode.CODES),
)
SCALES = {
    "appraisal": (gettext_lazy("优秀 / 称职 / 基本称职 / 不称职"), services.APPRAISAL_SCALE),
    "five": (gettext_lazy("5 / 4 / 3 / 2 / 1 分"), services.FIVE_POINT_SCALE),
}


def _round(request: AuthedRequest, pk: int) -> RatingRound:
    return get_object_or_404(
        RatingRound.objects.select_related("school"), pk=pk, school=school_of(request)
    )


def _fail(request: HttpRequest, error: DomainError) -> None:
    for message in error.messages():
        messages.error(request, message)


def _entry(n: int) -> str:
    return _("第%(n)d项") % {"n": n}


# --- list and create ---------------------------------------------------------------------


@requires(Cap.BALLOTS_VIEW)
def round_list(request: AuthedRequest) -> HttpResponse:
    rounds = RatingRound.objects.filter(school=school_of(request)).order_by("-created_at")
    return render(request, "ratings/list.html", {"rounds": rounds})


class RoundForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("名称"), max_length=120)
    kind = forms.ChoiceField(
        label=gettext_lazy("类别"), choices=RoundKind.choices, initial=RoundKind.APPRAISAL
    )
    subjects = forms.CharField(
        label=gettext_lazy("测评对象"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("每行一人，填工号或姓名；可从Excel整列粘贴。"),
    )
    dimensions = forms.CharField(
        label=gettext_lazy("测评项目"),
        widget=forms.Textarea(attrs={"rows": 5}),
        initial="\n".join(services.DEFAULT_DIMENSIONS),
        help_text=gettext_lazy("每行一项。"),
    )
    scale = forms.ChoiceField(
        label=gettext_lazy("等级"),
        choices=[(k, label) for k, (label, _s) in SCALES.items()],
        initial="appraisal",
        widget=forms.RadioSelect,
    )
    keep_overall = forms.BooleanField(
        label=gettext_lazy("人数不足时优先显示总体结果"),
        required=False,
        initial=True,
        help_text=gettext_lazy(
            "某组人数不足时，为防止用总体减去其他组推算出该组：勾选则再隐去人数最少的组而保留总体；"
            "不勾选则不显示总体而保留各组。"
        ),
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        self.people: list[Person] = []
        for i in range(1, GROUP_ROWS + 1):
            name, k, mode = DEFAULT_GROUPS[i - 1] if i <= len(DEFAULT_GROUPS) else ("", 5, "")
            self.fields[f"group{i}_name"] = forms.CharField(
                label=_("评议人类别%(n)d") % {"n": i}, max_length=40, required=False, initial=name
            )
            self.fields[f"group{i}_k"] = forms.IntegerField(
                label=_("类别%(n)d最少人数") % {"n": i}, required=False, initial=k,
                min_value=MIN_K, max_value=services.MAX_K,
            )  # fmt: skip
            self.fields[f"group{i}_mode"] = forms.ChoiceField(
                label=_("类别%(n)d参加方式") % {"n": i}, choices=GroupMode.choices,
                initial=mode or GroupMode.CODES, required=False,
            )  # fmt: skip

    def clean_subjects(self) -> str:
        text: str = self.cleaned_data["subjects"]
        self.people, errors = resolve_people(self.school, text, where=_entry)
        if errors:
            raise forms.ValidationError(errors)
        if not self.people:
            raise forms.ValidationError(_("请填写测评对象。"))
        return text

    def dimension_names(self) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data["dimensions"].splitlines() if line.strip()
        ]

    def groups(self) -> list[services.GroupDraft]:
        data = self.cleaned_data
        return [
            services.GroupDraft(
                data[f"group{i}_name"].strip(),
                data[f"group{i}_k"] or 5,
                data[f"group{i}_mode"] or GroupMode.CODES,
            )
            for i in range(1, GROUP_ROWS + 1)
            if data.get(f"group{i}_name", "").strip()
        ]


@requires(Cap.BALLOTS_RUN)
def round_create(request: AuthedRequest) -> HttpResponse:
    school = school_of(request)
    form = RoundForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            rating_round = services.create_round(
                actor=request.user,
                school=school,
                title=data["title"],
                kind=data["kind"],
                subjects=form.people,
                dimensions=form.dimension_names(),
                grades=SCALES[data["scale"]][1],
                groups=form.groups(),
                keep_overall=data["keep_overall"],
            )
        except ValidationFailed as error:
            for field, field_messages in error.errors.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
            if error.message and not error.errors:
                form.add_error(None, str(error.message))
        else:
            messages.success(request, _("已新建测评“%(t)s”。") % {"t": rating_round.title})
            return redirect("ratings:detail", pk=rating_round.pk)
    group_rows = [
        [form[f"group{i}_{part}"] for part in ("name", "k", "mode")]
        for i in range(1, GROUP_ROWS + 1)
    ]
    return render(request, "ratings/create.html", {"form": form, "group_rows": group_rows})


# --- the round's page --------------------------------------------------------------------


class GroupForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("评议人类别"), max_length=40)
    k = forms.IntegerField(
        label=gettext_lazy("最少人数"), initial=5, min_value=MIN_K, max_value=services.MAX_K
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("参加方式"), choices=GroupMode.choices, initial=GroupMode.CODES
    )


class CodesForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("个数"), min_value=1, max_value=services.MAX_CODES
    )


class RollForm(forms.Form):
    people = forms.CharField(
        label=gettext_lazy("名单"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("每行一人，填工号或姓名。"),
    )


def _rater_url(request: HttpRequest, rating_round: RatingRound, roll: bool = False) -> str:
    name = "ratings:rate_roll" if roll else "ratings:rate"
    return request.build_absolute_uri(reverse(name, args=[rating_round.key]))


@requires(Cap.BALLOTS_VIEW)
def round_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    rating_round = _round(request, pk)
    form = services.form_of(rating_round)
    context: dict[str, Any] = {
        "round": rating_round,
        "form": form,
        "turnout": services.turnout_of(rating_round),
        "can_run": has_cap(request.user, Cap.BALLOTS_RUN),
        "group_form": GroupForm(),
        "rate_url": _rater_url(request, rating_round),
        "roll_url": _rater_url(request, rating_round, roll=True),
        "pending": RatingComment.objects.filter(
            round=rating_round, state=CommentState.PENDING
        ).count()
        if rating_round.status == RoundStatus.CLOSED
        else 0,
    }
    return render(request, "ratings/detail.html", context)


@requires(Cap.BALLOTS_VIEW)
def turnout(request: AuthedRequest, pk: int) -> HttpResponse:
    """The live figure while rating is open: how many of each group took part, nothing else."""
    rating_round = _round(request, pk)
    response = render(
        request,
        "ratings/_turnout.html",
        {"round": rating_round, "turnout": services.turnout_of(rating_round)},
    )
    response["Cache-Control"] = "no-store"
    return response


@requires(Cap.BALLOTS_RUN)
@require_POST
def add_group(request: AuthedRequest, pk: int) -> HttpResponse:
    rating_round = _round(request, pk)
    form = GroupForm(request.POST)
    if not form.is_valid():
        for field, field_errors in form.errors.items():
            for message in field_errors:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}：{message}" if label else str(message))
        return redirect("ratings:detail", pk=pk)
    try:
        group = services.add_group(
            actor=request.user, rating_round=rating_round, **form.cleaned_data
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("已增加评议人类别“%(g)s”。") % {"g": group.name})
    return redirect("ratings:detail", pk=pk)


def _group(rating_round: RatingRound, sub: int) -> RaterGroup:
    return get_object_or_404(RaterGroup, pk=sub, round=rating_round)


@requires(Cap.BALLOTS_RUN)
@require_POST
def group_codes(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    """Make codes for a group and hand them back once — a page to print or, with
    ``format=pdf``, a PDF of slips: the database keeps their digests alone, so this response
    is the only place they ever appear."""
    rating_round = _round(request, pk)
    group = _group(rating_round, sub)
    form = CodesForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写1至%(max)d之间的个数。") % {"max": services.MAX_CODES})
        return redirect("ratings:detail", pk=pk)
    try:
        made = services.issue_codes(
            actor=request.user, rating_round=rating_round, group=group,
            count=form.cleaned_data["count"],
        )  # fmt: skip
    except DomainError as error:
        _fail(request, error)
        return redirect("ratings:detail", pk=pk)
    url = _rater_url(request, rating_round)
    slips = [(codes.display(code), f"{url}#c={code}") for code in made]
    context = {"round": rating_round, "group": group, "slips": slips, "url": url}
    if request.POST.get("format") == "pdf":
        from weasyprint import HTML

        html = render_to_string("ratings/codes_pdf.html", context, request=request)
        response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="rating-codes-{rating_round.pk}-{group.pk}.pdf"'
        )
    else:
        response = render(request, "ratings/codes.html", context)
    response["Cache-Control"] = "no-store"
    return response


@requires(Cap.BALLOTS_RUN)
@require_POST
def group_roll(request: AuthedRequest, pk: int, sub: int) -> HttpResponse:
    rating_round = _round(request, pk)
    group = _group(rating_round, sub)
    form = RollForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写名单。"))
        return redirect("ratings:detail", pk=pk)
    people, errors = resolve_people(rating_round.school, form.cleaned_data["people"], where=_entry)
    if errors:
        for message in errors:
            messages.error(request, message)
        return redirect("ratings:detail", pk=pk)
    try:
        size = services.set_roll(
            actor=request.user, rating_round=rating_round, group=group, people=people
        )
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("“%(g)s”名单共%(n)d人。") % {"g": group.name, "n": size})
    return redirect("ratings:detail", pk=pk)


def _step(service: Callable[..., RatingRound], done: str | Promise) -> Callable[..., HttpResponse]:
    @requires(Cap.BALLOTS_RUN)
    @require_POST
    def view(request: AuthedRequest, pk: int) -> HttpResponse:
        rating_round = _round(request, pk)
        try:
            service(actor=request.user, rating_round=rating_round)
        except DomainError as error:
            _fail(request, error)
        else:
            messages.success(request, str(done))
        return redirect("ratings:detail", pk=pk)

    view.__name__ = service.__name__
    return view


open_view = _step(services.open_round, gettext_lazy("测评已开始。"))
close_view = _step(services.close_round, gettext_lazy("测评已结束。请审核评语后发布结果。"))
release_view = _step(services.release_results, gettext_lazy("测评结果已发布。"))


# --- comments and results ----------------------------------------------------------------


@requires(Cap.BALLOTS_RUN)
def comments(request: AuthedRequest, pk: int) -> HttpResponse:
    """Review the comments of a closed round: each approved as written, approved reworded,
    or rejected. Listed by subject, group and text — never in the order written."""
    rating_round = _round(request, pk)
    items = list(
        RatingComment.objects.filter(round=rating_round)
        .select_related("subject", "group")
        .order_by("subject__position", "group__position", "text")
    )
    errors: list[str] = []
    if request.method == "POST":
        decisions = []
        for item in items:
            state = request.POST.get(f"state-{item.pk}", "")
            if not state:
                continue
            decisions.append(
                services.CommentDecision(
                    str(item.pk), state, request.POST.get(f"text-{item.pk}", "")
                )
            )
        try:
            tally = services.review_comments(
                actor=request.user, rating_round=rating_round, decisions=decisions
            )
        except DomainError as error:
            errors = error.messages()
        else:
            messages.success(
                request,
                _("已审核：采用%(a)d条（其中修改%(r)d条），不采用%(j)d条。")
                % {"a": tally["approved"], "r": tally["reworded"], "j": tally["rejected"]},
            )
            return redirect("ratings:comments", pk=pk)
    return render(
        request,
        "ratings/comments.html",
        {
            "round": rating_round,
            "items": items,
            "errors": errors,
            "reviewable": rating_round.status == RoundStatus.CLOSED,
            "states": [(CommentState.APPROVED, _("采用")), (CommentState.REJECTED, _("不采用"))],
        },
    )


@dataclass(frozen=True)
class ResultRow:
    label: str  # 总体 or the group's name
    n: int
    cells: list[tuple[int, str]] | None  # (count, share in per cent) per grade; None: hidden
    mean: str
    reason: str


def _percent(share: Any) -> str:
    return f"{float(share) * 100:.1f}%"


def _rows(report: aggregate.Report, subject: int, dimension: int) -> list[ResultRow]:
    cell = report.cell(subject, dimension)

    def row(label: str, fig: aggregate.Figure | None, decision: aggregate.Decision) -> ResultRow:
        if fig is None:
            return ResultRow(label, decision.raters, None, "", decision.text())
        cells = [(c, _percent(s)) for c, s in zip(fig.counts, fig.shares, strict=True)]
        mean = f"{float(fig.mean):.2f}" if fig.mean is not None else ""
        return ResultRow(label, fig.n, cells, mean, "")

    rows = [row(_("总体"), cell.overall, report.overall)]
    for g, fig in zip(report.groups, cell.groups, strict=True):
        if g.group.raters or fig is not None:
            rows.append(row(g.group.name, fig, g.decision))
    return rows


@requires(Cap.BALLOTS_VIEW)
def results(request: AuthedRequest, pk: int) -> HttpResponse:
    """The released results; before release, a page that says so and nothing else."""
    rating_round = _round(request, pk)
    context: dict[str, Any] = {"round": rating_round, "released": False}
    if rating_round.status == RoundStatus.RELEASED:
        found = services.results_of(rating_round)
        form = services.form_of(rating_round)
        subjects = [
            {
                "name": name,
                "dimensions": [(dname, _rows(found.report, s, d)) for d, dname in form.dimensions],
                "comments": found.comments.get(s, []),
            }
            for s, name in form.subjects
        ]
        context.update(
            released=True,
            report=found.report,
            subjects=subjects,
            grades=[g.label for g in found.report.grades],
            has_mean=all(g.value is not None for g in found.report.grades),
        )
    return render(request, "ratings/results.html", context)


# --- the rater's pages -------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectEntry:
    """A subject as the sheet shows it: per dimension the grades and which one is chosen."""

    id: int
    name: str
    dimensions: list[tuple[int, str, list[tuple[int, str, bool]], str]]  # id, name, grades, chosen
    comment: str
    errors: list[str]


@sensitive_variables()
def _sheet_from(
    data: QueryDict, form: services.Form
) -> tuple[dict[tuple[int, int], int], dict[int, str]]:
    """The chosen grades and the comments; anything not of the form is dropped here (and
    refused by the service if it came another way)."""
    grades = {g for g, _label in form.grades}
    sheet: dict[tuple[int, int], int] = {}
    remarks: dict[int, str] = {}
    for s, _name in form.subjects:
        for d, _dname in form.dimensions:
            value = data.get(f"g-{s}-{d}", "")
            if value.isdigit() and int(value) in grades:
                sheet[(s, d)] = int(value)
        text = data.get(f"c-{s}", "").strip()
        if text:
            remarks[s] = text
    return sheet, remarks


@sensitive_variables()
def _entries(
    form: services.Form,
    sheet: Mapping[tuple[int, int], int],
    remarks: Mapping[int, str],
    errors: Mapping[str, list[str]],
) -> list[SubjectEntry]:
    labels = dict(form.grades)
    return [
        SubjectEntry(
            id=s,
            name=name,
            dimensions=[
                (
                    d,
                    dname,
                    [(g, label, sheet.get((s, d)) == g) for g, label in form.grades],
                    labels.get(sheet.get((s, d), 0), ""),
                )
                for d, dname in form.dimensions
            ],
            comment=remarks.get(s, ""),
            errors=errors.get(f"subject-{s}", []) + errors.get(f"comment-{s}", []),
        )
        for s, name in form.subjects
    ]


@sensitive_variables()
def _rating_flow(
    request: HttpRequest,
    rating_round: RatingRound,
    *,
    needs_code: bool,
    submit: Callable[[str, dict[tuple[int, int], int], dict[int, str]], None],
    extra: dict[str, Any],
) -> HttpResponse:
    """Fill in → confirm → done, shared by the code page and the roll page. ``submit``
    stores the sheet or raises a DomainError."""
    context: dict[str, Any] = {"round": rating_round, "needs_code": needs_code, **extra}
    if rating_round.status != RoundStatus.OPEN:
        return render(request, "ratings/not_open.html", context)
    form = services.form_of(rating_round)
    context["grades"] = form.grades
    if request.method != "POST":
        context["subjects"] = _entries(form, {}, {}, {})
        return render(request, "ratings/rate.html", context)

    sheet, remarks = _sheet_from(request.POST, form)
    typed = request.POST.get("code", "")
    code = codes.canonical(typed) if needs_code else ""
    step = request.POST.get("step", "fill")
    errors: list[str] = []
    field_errors: dict[str, list[str]] = {}
    if needs_code and code is None:
        errors.append(_("评议码格式不对：应为13位字母和数字，见发给您的评议码。"))
    if step != "back":
        try:
            services.check_sheet(form, sheet, remarks)
        except ValidationFailed as error:
            field_errors = error.errors
            errors.append(
                _("还有未完成的项目，请看下面标红的地方。") if error.errors else str(error.message)
            )
    context.update(code=codes.display(code) if code else typed)
    if errors or step == "back":
        context.update(errors=errors, subjects=_entries(form, sheet, remarks, field_errors))
        return render(request, "ratings/rate.html", context, status=400 if errors else 200)
    context["subjects"] = _entries(form, sheet, remarks, {})
    if step != "confirm":
        return render(request, "ratings/confirm.html", context)
    try:
        submit(code or "", sheet, remarks)
    except DomainError as error:
        context.update(errors=error.messages())
        return render(request, "ratings/rate.html", context, status=error.status_code)
    return render(request, "ratings/done.html", context)


@public
@private_page
@sensitive_variables()
def rate(request: HttpRequest, key: str) -> HttpResponse:
    """Rating with a one-time code (from a printed slip or a link carrying it)."""
    rating_round = get_object_or_404(RatingRound.objects.select_related("school"), key=key)

    @sensitive_variables()
    def submit(code: str, sheet: dict[tuple[int, int], int], remarks: dict[int, str]) -> None:
        services.submit_rating(round_id=rating_round.pk, code=code, sheet=sheet, comments=remarks)

    return _rating_flow(request, rating_round, needs_code=True, submit=submit, extra={})


@requires(Cap.VOTE)
@private_page
def rate_on_roll(request: AuthedRequest, key: str) -> HttpResponse:
    """Rating for a logged-in member of staff on a roll of a round of their school."""
    rating_round = get_object_or_404(
        RatingRound.objects.select_related("school"), key=key, school=request.user.school_id
    )
    person = Person.objects.filter(user=request.user).first()
    entry = (
        RatingRollEntry.objects.filter(round=rating_round, person=person)
        .select_related("group")
        .first()
        if person is not None
        else None
    )
    if entry is None:
        return render(request, "ratings/not_on_roll.html", {"round": rating_round})
    if entry.issued:
        return render(request, "ratings/already.html", {"round": rating_round})
    assert person is not None

    @sensitive_variables()
    def submit(code: str, sheet: dict[tuple[int, int], int], remarks: dict[int, str]) -> None:
        services.rate_on_roll(
            rating_round=rating_round, person=person, sheet=sheet, comments=remarks
        )

    return _rating_flow(
        request, rating_round, needs_code=False, submit=submit,
        extra={"on_roll": True, "group": entry.group},
    )  # fmt: skip


@requires(Cap.VOTE)
def mine(request: AuthedRequest) -> HttpResponse:
    """The open rounds of the user's school whose roll they are on, and whether they have
    taken part — the only thing the school knows about their rating."""
    person = Person.objects.filter(user=request.user).first()
    entries = []
    if person is not None:
        entries = list(
            RatingRollEntry.objects.filter(
                person=person, round__school=request.user.school_id,
                round__status=RoundStatus.OPEN,
            ).select_related("round", "group")
        )  # fmt: skip
    return render(
        request, "ratings/mine.html", {"entries": entries, "has_person": person is not None}
    )
