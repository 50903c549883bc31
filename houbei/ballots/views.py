"""Administrator pages of elections: list, create, the election's page (turnout only while
it is open), slips, roll, open, close, tally, publish, results and their downloads.

Each view checks access with ``@requires``, finds the election in the user's school (another
school's is 404), parses its input with a form, calls one service and renders or redirects
with a message. Per-candidate figures appear on no page before the tally, and to the
decision body only once the results are published."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from houbei.accounts.access import AuthedRequest, Cap, has_cap, requires, school_of
from houbei.core.errors import DomainError, NotAllowed, ValidationFailed
from houbei.core.exports import run_export
from houbei.organisation.models import School
from houbei.people.lookup import resolve_people
from houbei.people.models import Person

from . import results, services
from .models import Election, Mode, Status

MAX_LISTS = 3


def _election(request: AuthedRequest, pk: int) -> Election:
    return get_object_or_404(
        Election.objects.select_related("school"), pk=pk, school=school_of(request)
    )


def _fail(request: AuthedRequest, error: DomainError) -> None:
    for message in error.messages():
        messages.error(request, message)


@requires(Cap.BALLOTS_VIEW)
def election_list(request: AuthedRequest) -> HttpResponse:
    elections = Election.objects.filter(school=school_of(request)).order_by("-created_at")
    return render(request, "ballots/list.html", {"elections": elections})


# --- create ----------------------------------------------------------------------------


def _line(n: int) -> str:
    return _("第%(n)d行") % {"n": n}


class ElectionForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("名称"), max_length=120)
    mode = forms.ChoiceField(
        label=gettext_lazy("投票方式"),
        choices=Mode.choices,
        widget=forms.RadioSelect,
        initial=Mode.SLIPS,
        help_text=gettext_lazy(
            "会场选票：打印带一次性投票码的选票，扫码网上投或填写后投入票箱；"
            "名单登录投票：名单上的人登录后投票。"
        ),
    )
    electorate = forms.IntegerField(
        label=gettext_lazy("应参加人数"),
        min_value=1,
        required=False,
        help_text=gettext_lazy(
            "会场选票时填应到会人数，用于计算参与率（须达到2/3）；名单登录投票按名单人数。"
        ),
    )

    def __init__(self, *args: Any, school: School, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.school = school
        self.people: dict[int, list[Person]] = {}
        for i in range(1, MAX_LISTS + 1):
            first = i == 1
            self.fields[f"list{i}_name"] = forms.CharField(
                label=_("名单%(n)d名称") % {"n": i}, max_length=60, required=first
            )
            self.fields[f"list{i}_quota"] = forms.IntegerField(
                label=_("名单%(n)d限选人数") % {"n": i}, min_value=1, max_value=200, required=first
            )
            self.fields[f"list{i}_candidates"] = forms.CharField(
                label=_("名单%(n)d候选人") % {"n": i},
                required=first,
                widget=forms.Textarea(attrs={"rows": 4}),
                help_text=_("每行一人，填工号或姓名；可从Excel整列粘贴。"),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("mode") == Mode.SLIPS and not data.get("electorate"):
            self.add_error("electorate", _("会场选票须填写应参加人数。"))
        for i in range(1, MAX_LISTS + 1):
            name, quota = data.get(f"list{i}_name"), data.get(f"list{i}_quota")
            text = data.get(f"list{i}_candidates") or ""
            if not (name or quota or text.strip()):
                continue
            if not name:
                self.add_error(f"list{i}_name", _("请填写名单名称。"))
            if not quota:
                self.add_error(f"list{i}_quota", _("请填写限选人数。"))
            people, errors = resolve_people(self.school, text, where=_line)
            for error in errors:
                self.add_error(f"list{i}_candidates", error)
            if not people and not errors:
                self.add_error(f"list{i}_candidates", _("请填写候选人。"))
            self.people[i] = people
        return data

    def drafts(self) -> list[services.ListDraft]:
        data = self.cleaned_data
        return [
            services.ListDraft(data[f"list{i}_name"], data[f"list{i}_quota"], people)
            for i, people in sorted(self.people.items())
        ]


@requires(Cap.BALLOTS_RUN)
def election_create(request: AuthedRequest) -> HttpResponse:
    school = school_of(request)
    form = ElectionForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            election = services.create_election(
                actor=request.user,
                school=school,
                title=form.cleaned_data["title"],
                mode=form.cleaned_data["mode"],
                electorate=form.cleaned_data["electorate"] or 0,
                lists=form.drafts(),
            )
        except ValidationFailed as error:
            for field, field_messages in error.errors.items():
                for message in field_messages:
                    form.add_error(field if field in form.fields else None, message)
            if error.message and not error.errors:
                form.add_error(None, str(error.message))
        else:
            messages.success(request, _("已新建投票“%(t)s”。") % {"t": election.title})
            return redirect("ballots:detail", pk=election.pk)
    return render(request, "ballots/create.html", {"form": form, "lists": range(1, MAX_LISTS + 1)})


# --- the election's page ---------------------------------------------------------------


def _turnout(election: Election) -> dict[str, Any]:
    return {"turnout": results.turnout_of(election)}


def _paper_url(election: Election) -> str:
    if election.mode != Mode.SLIPS or election.status not in (Status.OPEN, Status.CLOSED):
        return ""
    return reverse("ballots:paper_entry", args=[election.pk])


@requires(Cap.BALLOTS_VIEW)
def election_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    election = _election(request, pk)
    lists = election.lists.prefetch_related("candidates")
    can_run = has_cap(request.user, Cap.BALLOTS_RUN)
    show_results = election.status == Status.PUBLISHED or (
        election.status == Status.TALLIED and can_run
    )
    context: dict[str, Any] = {
        "election": election,
        "lists": lists,
        "can_run": can_run,
        "show_results": show_results,
        "roll_size": election.roll.count() if election.mode == Mode.ROLL else None,
        "vote_url": request.build_absolute_uri(reverse("vote:roll", args=[election.key])),
        "paper_url": _paper_url(election),
        "results": results.results_of(election) if show_results else None,
        "download_links": download_links(election) if show_results else [],
        **_turnout(election),
    }
    return render(request, "ballots/detail.html", context)


@requires(Cap.BALLOTS_VIEW)
def turnout(request: AuthedRequest, pk: int) -> HttpResponse:
    """The live figure while voting is open: how many took part, nothing else."""
    election = _election(request, pk)
    response = render(
        request, "ballots/_turnout.html", {"election": election, **_turnout(election)}
    )
    response["Cache-Control"] = "no-store"
    return response


class SlipsForm(forms.Form):
    count = forms.IntegerField(
        label=gettext_lazy("张数"), min_value=1, max_value=services.MAX_SLIPS
    )


@requires(Cap.BALLOTS_RUN)
@require_POST
def slips(request: AuthedRequest, pk: int) -> HttpResponse:
    """Make slips and hand back their PDF — the only time the codes exist outside the
    printer: the database keeps their digests alone."""
    election = _election(request, pk)
    form = SlipsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写1至%(max)d之间的张数。") % {"max": services.MAX_SLIPS})
        return redirect("ballots:detail", pk=pk)
    from .documents import slips_pdf

    try:
        # One transaction: should the PDF fail, no code is left issued that nobody holds.
        with transaction.atomic():
            made = services.issue_slips(
                actor=request.user, election=election, count=form.cleaned_data["count"]
            )
            pdf = slips_pdf(election, made, base_url=request.build_absolute_uri("/").rstrip("/"))
    except DomainError as error:
        _fail(request, error)
        return redirect("ballots:detail", pk=pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="slips-{election.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


@requires(Cap.BALLOTS_RUN)
@require_POST
def roll(request: AuthedRequest, pk: int) -> HttpResponse:
    """Put every current 在编在岗 staff member of the school on the roll (the default of
    the plan); a narrower roll is set through the API or again after editing the registry."""
    election = _election(request, pk)
    people = list(Person.objects.for_school(election.school).current().in_establishment_on_duty())
    try:
        size = services.set_roll(actor=request.user, election=election, people=people)
    except DomainError as error:
        _fail(request, error)
    else:
        messages.success(request, _("投票名单共%(n)d人。") % {"n": size})
    return redirect("ballots:detail", pk=pk)


def _step(service_name: str, done: Any):  # type: ignore[no-untyped-def]
    @requires(Cap.BALLOTS_RUN)
    @require_POST
    def view(request: AuthedRequest, pk: int) -> HttpResponse:
        election = _election(request, pk)
        try:
            getattr(services, service_name)(actor=request.user, election=election)
        except DomainError as error:
            _fail(request, error)
        else:
            messages.success(request, done)
        return redirect("ballots:detail", pk=pk)

    view.__name__ = service_name
    return view


open_view = _step("open_election", gettext_lazy("投票已开始。"))
close_view = _step("close_election", gettext_lazy("投票已结束。"))
tally_view = _step("tally_election", gettext_lazy("已计票。请核对结果后公布。"))
publish_view = _step("publish_results", gettext_lazy("结果已公布。"))


DOWNLOADS = {
    "xlsx": gettext_lazy("结果（Excel）"),
    "docx": gettext_lazy("推荐结果汇总表（Word）"),
    "json": gettext_lazy("匿名选票（供复核计票）"),
}


def download_links(election: Election) -> list[tuple[Any, str]]:
    return [
        (label, reverse("ballots:download", args=[election.pk, fmt]))
        for fmt, label in DOWNLOADS.items()
    ]


@requires(Cap.BALLOTS_VIEW)
def download(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    """The results as a workbook, the Word 推荐结果汇总表 or the anonymised ballots; who
    may have them is the exporter's rule (the office once tallied, the decision body once
    published), and each download is audited."""
    election = _election(request, pk)
    if fmt not in DOWNLOADS:
        raise Http404
    try:
        file = run_export(
            "ballot-results", election.school, actor=request.user,
            filters={"election": str(election.pk)}, fmt=fmt,
        )  # fmt: skip
    except NotAllowed as error:
        raise PermissionDenied from error
    except DomainError as error:
        _fail(request, error)
        return redirect("ballots:detail", pk=pk)
    response = HttpResponse(file.content, content_type=file.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(file.filename)}"
    return response
